# Crosses the release boundaries of issue 10 (rules by version in
# internal/dockerrules/rules.json): default pools after a network rm,
# --internal, --ipv6 with a subnet, macvlan with and without --gateway,
# --link, and every container's MAC.
docker network create n1
docker network create n2
docker network create n3
docker network rm n2
docker network create n4
docker network create n5
docker network create n6
docker network create --internal inside
docker network create --ipv6 --subnet fd00:5::/64 v6
docker network create -d macvlan --subnet 192.168.50.0/24 -o parent=eth0 mv-auto
docker network create -d macvlan --subnet 192.168.51.0/24 --gateway 192.168.51.1 -o parent=eth0 mv-gw
docker run -d --name db img
docker run -d --name web --link db:database img
docker run -d --name c1 --net n1 img
docker run -d --name c4 --net n4 img
docker run -d --name c6 --net n6 img
docker run -d --name i1 --net inside img
docker run -d --name i2 --net inside img
docker run -d --name v1 --net v6 img
docker run -d --name v2 --net v6 img
docker run -d --name m1 --net mv-auto img
docker run -d --name m2 --net mv-auto img
docker run -d --name g1 --net mv-gw img
docker network connect n4 c1
docker network disconnect n1 c1
docker network connect n5 c1
