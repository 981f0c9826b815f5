# container: --net container:X shares X's namespace
# No new IP and no new veth: both containers see the same eth0.
docker run -i -t -d --name network_container_1 ubuntu:14.04
docker run -i -t -d --name network_container_2 --net container:network_container_1 ubuntu:14.04
