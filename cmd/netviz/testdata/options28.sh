# Docker 28's per-endpoint interface names; `netviz verify --fresh-engine` of
# it on a fresh 29 must agree 100% with `sim --engine-version` of that engine
# (the simulation of 20.10 refuses them, as the 20.10 CLI does).
docker network create front
docker network create back
# The interface is named by the endpoint, not numbered.
docker run -d --name web --network name=front,driver-opt=com.docker.network.endpoint.ifname=web0 busybox
docker network connect --driver-opt com.docker.network.endpoint.ifname=back0 back web
# A numbered one beside them, and the default priority spelt out.
docker run -d --name api --network name=front,gw-priority=0 busybox
docker network connect back api
