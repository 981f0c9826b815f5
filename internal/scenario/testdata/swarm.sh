# A swarm of three in one script (issue 13): which engine each line goes
# to is its context (--context, DOCKER_CONTEXT, docker context use) or its
# host (-H, DOCKER_HOST); lines without one go to the manager.
docker swarm init --advertise-addr 10.252.0.1
docker --context node2 swarm join --token $(docker swarm join-token -q worker) 10.252.0.1:2377
DOCKER_HOST=ssh://admin@node3 docker swarm join --token SWMTKN-1-abc 10.252.0.1:2377
docker node ls
docker network create -d overlay --attachable appnet
docker service create --name web --replicas 4 --network appnet --no-resolve-image img
docker service create --name rr --replicas 3 --endpoint-mode dnsrr --network appnet \
  -p published=8080,target=80,mode=host --no-resolve-image img
docker context use node3
docker run -d --name att --network appnet img
docker context use default
docker service scale web=2
docker service rm rr
