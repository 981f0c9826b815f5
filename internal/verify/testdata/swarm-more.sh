# More of swarm mode on the test bed of .ci/swarm (nvz-sw1 the manager,
# nvz-sw2 and nvz-sw3 workers): two overlays, a service on both that
# publishes a port through the ingress and is scaled up, a global service,
# a dnsrr service kept off the manager by a constraint, a service created
# and removed again, and a container attached from a worker.
docker --context nvz-sw1 swarm init --advertise-addr 10.252.0.1
docker --context nvz-sw2 swarm join --token $(docker swarm join-token -q worker) --advertise-addr 10.252.0.2 10.252.0.1:2377
docker --context nvz-sw3 swarm join --token $(docker swarm join-token -q worker) --advertise-addr 10.252.0.3 10.252.0.1:2377
docker --context nvz-sw1 network create -d overlay --attachable front
docker --context nvz-sw1 network create -d overlay back
docker --context nvz-sw1 service create --name api --replicas 2 --network front --network back -p 8000:80 \
  --no-resolve-image netviz-test/busybox /bin/busybox httpd -f -p 80
docker --context nvz-sw1 service create --name agent --mode global --network back \
  --no-resolve-image netviz-test/busybox sleep 3600
docker --context nvz-sw1 service create --name db --replicas 2 --constraint node.role==worker --endpoint-mode dnsrr \
  --network back --no-resolve-image netviz-test/busybox sleep 3600
docker --context nvz-sw1 service scale api=3
docker --context nvz-sw1 service create --name tmp --replicas 2 --network front --no-resolve-image netviz-test/busybox sleep 3600
docker --context nvz-sw1 service rm tmp
docker --context nvz-sw2 run -d --name probe --network front netviz-test/busybox sleep 3600
