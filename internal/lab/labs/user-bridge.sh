# user-bridge: a user-defined bridge, connect and disconnect
# docker network create makes its own br-… bridge from the next default pool;
# containers on it resolve each other by name through 127.0.0.11.
docker network create --driver bridge mybridge
docker run -i -t -d --name mynetwork_container --net mybridge ubuntu:14.04
docker run -i -t -d --name mynetwork_peer --net mybridge ubuntu:14.04
docker network disconnect mybridge mynetwork_container
docker network connect mybridge mynetwork_container
