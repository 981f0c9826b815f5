# multi-homed: one container on two bridges
# A container attached to two networks bridges nothing: each peer reaches it
# only on the address of their shared network.
docker network create front
docker network create back
docker run -d --name web --net front ubuntu:14.04
docker run -d --name db --net back ubuntu:14.04
docker run -d --name app --net front ubuntu:14.04
docker network connect back app
