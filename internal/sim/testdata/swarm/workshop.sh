# A workshop's swarm written the way an instructor types it: one context a
# machine (docker context use), worker2 without --advertise-addr (the
# simulator makes its address up), an encrypted overlay with its own
# subnet, a port published through the ingress, a global service, scale
# and rm, a constraint, and a container attached from worker2.
docker context use manager
docker swarm init --advertise-addr 192.168.56.10
docker context use worker1
docker swarm join --token $(docker swarm join-token -q worker) --advertise-addr 192.168.56.11 192.168.56.10:2377
docker context use worker2
docker swarm join --token $(docker swarm join-token -q worker) 192.168.56.10:2377
docker context use manager
docker network create -d overlay --attachable --opt encrypted --subnet 10.10.0.0/24 secure
docker service create --name front -p 8000:80 --network secure --no-resolve-image nginx
docker service create --name agent --mode global --network secure --no-resolve-image busybox
docker service scale front=3
docker service create --name db --replicas 2 --constraint node.role==worker \
  --endpoint-mode dnsrr --network secure --no-resolve-image postgres
docker service create --name batch --replicas 2 --no-resolve-image busybox
docker service rm batch
docker --context worker2 run -d --name probe --network secure busybox sleep 1d
