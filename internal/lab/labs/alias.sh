# alias: --net-alias alicek106 round-robin
# Three containers share one alias; Docker's embedded DNS answers all three
# addresses and rotates their order, so ping's first answer changes.
docker network create --driver bridge mybridge
docker run -i -t -d --name network_alias_container1 --net mybridge --net-alias alicek106 ubuntu:14.04
docker run -i -t -d --name network_alias_container2 --net mybridge --net-alias alicek106 ubuntu:14.04
docker run -i -t -d --name network_alias_container3 --net mybridge --net-alias alicek106 ubuntu:14.04
docker run -i -t -d --name network_alias_ping --net mybridge ubuntu:14.04
