# host: --net host uses the host's own namespace
# No veth, no bridge: the container sees the host's interfaces.
docker run -i -t -d --name network_host --net host ubuntu:14.04
docker run -i -t -d --name network_bridged ubuntu:14.04
