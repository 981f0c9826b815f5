# Issue 13's scenario (lab:overlay), then scaled down and a container
# attached afterwards: which tasks the swarm stops is its pick (rule
# swarm.placement), so which node keeps an endpoint on appnet is too, and
# the late container's address is the allocator's next (rule
# swarm.serial-address), not one the stopped tasks freed.
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
docker --context nvz-sw1 service scale web=2 rr=1
docker --context nvz-sw2 run -d --name late --network appnet netviz-test/busybox sleep 3600
