# default-bridge: two containers on docker0
# Docker's default bridge: docker0, 172.17.0.0/16, gateway .1, addresses in start
# order, no embedded DNS for names. Host eth0 ↔ docker0 ↔ veth ↔ container eth0.
docker run -i -t -d --name network_bridge_1 ubuntu:14.04
docker run -i -t -d --name network_bridge_2 ubuntu:14.04
