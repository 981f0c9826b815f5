# overlay: a Swarm overlay across three nodes
# Three engines in one swarm (nvz-sw1 the manager, nvz-sw2 and nvz-sw3
# workers, as .ci/swarm up 3 makes them) share the attachable overlay
# appnet: a VXLAN segment with a namespace of its own on every node (br0,
# vxlan0, a forwarding entry for each remote endpoint). web has 4 replicas
# behind one virtual IP, rr 3 replicas answered by DNS round-robin and
# publishing 8080 on each node that runs one, att is a plain container on
# the overlay. A task reaches every other across nodes through the tunnel;
# the VIP answers only where the kernel has IPVS. netviz makes no swarm:
# swarm init and join are checked against the nodes and skipped.
docker --context nvz-sw1 swarm init --advertise-addr 10.252.0.1
docker --context nvz-sw2 swarm join --token $(docker swarm join-token -q worker) --advertise-addr 10.252.0.2 10.252.0.1:2377
docker --context nvz-sw3 swarm join --token $(docker swarm join-token -q worker) --advertise-addr 10.252.0.3 10.252.0.1:2377
docker --context nvz-sw1 network create -d overlay --attachable appnet
docker --context nvz-sw1 service create --name web --replicas 4 --network appnet \
  --no-resolve-image netviz-test/busybox /bin/busybox httpd -f -p 80
docker --context nvz-sw1 service create --name rr --replicas 3 --endpoint-mode dnsrr --network appnet \
  -p published=8080,target=80,mode=host \
  --no-resolve-image netviz-test/busybox /bin/busybox httpd -f -p 80
docker --context nvz-sw3 run -d --name att --network appnet netviz-test/busybox sleep 3600
