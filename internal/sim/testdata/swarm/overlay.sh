# Issue 13's scenario: three nodes, an attachable overlay, a 4-replica VIP
# service, a 3-replica dnsrr service publishing port 8080 in mode=host on
# the nodes of its tasks, and a container attached to the overlay on node3.
# As on the test bed of .ci/swarm: node1 is the manager; lines without a
# node go to it.
docker swarm init --advertise-addr 10.252.0.1
docker --context node2 swarm join --token $(docker swarm join-token -q worker) --advertise-addr 10.252.0.2 10.252.0.1:2377
docker --context node3 swarm join --token $(docker swarm join-token -q worker) --advertise-addr 10.252.0.3 10.252.0.1:2377

docker network create -d overlay --attachable appnet
docker service create --name web --replicas 4 --network appnet \
  --no-resolve-image netviz-test/busybox /bin/busybox httpd -f -p 80
docker service create --name rr --replicas 3 --endpoint-mode dnsrr --network appnet \
  -p published=8080,target=80,mode=host \
  --no-resolve-image netviz-test/busybox /bin/busybox httpd -f -p 80
docker --context node3 run -d --name att --network appnet netviz-test/busybox sleep 3600
