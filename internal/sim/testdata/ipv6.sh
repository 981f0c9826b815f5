# IPv6: --ipv6 with an IPv6 --subnet gives every endpoint an IPv6 address
# beside its IPv4 one (gateway ::1, containers ::2, ::3 in start order, the
# IPv4 pool from the defaults); dual stack with both subnets; an IPv6 subnet
# without --ipv6 is ignored; --ipv6 without an IPv6 subnet gives no address.
docker network create --ipv6 --subnet fd00:1::/64 v6net
docker network create --ipv6 --subnet 172.30.0.0/16 --subnet fd00:2::/64 --gateway fd00:2::fe --ip-range fd00:2::100/120 dual
docker network create --subnet fd00:3::/64 no6
docker network create --ipv6 v6bare
docker run -d --name v1 --net v6net img
docker run -d --name v2 --net v6net --net-alias svc img
docker network connect dual v2
docker run -d --name v3 --net no6 img
docker run -d --name v4 --net v6bare img
docker stop v1
docker run -d --name v5 --net v6net --net-alias svc -p 8080:80 img
docker start v1
