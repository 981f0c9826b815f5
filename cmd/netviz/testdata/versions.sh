# A scenario that crosses the engine-version boundaries of README's version
# table; `netviz verify --fresh-engine` of it on a fresh 20.10 and a fresh 29
# must agree 100% with `sim --engine-version` of that engine.
# Default pools: round-robin up to 26, lowest free from 27.
docker network create p1
docker network create p2
docker network create p3
docker network rm p2
docker network create p4
docker network create p5
docker run -d --name web --net p4 --net-alias www busybox
docker run -d --name api --net p5 busybox
# --internal: a gateway and a default route on 20.10, neither on 29.
docker network create --internal in1
docker run -d --name inner --net in1 busybox
# IPv6: ::2 and ::3 on both; the gateway and pool order differ.
docker network create --ipv6 --subnet fd00:5::/64 v6
docker run -d --name a6 --net v6 busybox
docker run -d --name b6 --net v6 busybox
# Interface numbers after disconnect and connect: eth1 on 20.10, eth0 on 29.
docker network disconnect p4 web
docker network connect p4 web
# The default bridge, a --link, a MAC from the address (up to 27) or not.
docker run -d --name db busybox
docker run -d --name app --link db:database busybox
# macvlan without --gateway: .1 is the gateway on 20.10, the first address on 29.
docker network create -d macvlan --subnet 192.168.94.0/24 -o parent=eth0 mv
docker run -d --name m1 --net mv busybox
