# macvlan: containers on a macvlan sub-interface of a parent
# Macvlan children reach each other and the parent's LAN, but not the host
# through that parent. The lab creates its own veth as the parent (never eth0)
# unless --parent is given.
docker network create -d macvlan --subnet=192.168.77.0/24 --ip-range=192.168.77.64/26 --gateway=192.168.77.1 -o macvlan_mode=bridge -o parent=eth0 my_macvlan
docker run -it -d --name c1 --hostname c1 --network my_macvlan ubuntu:14.04
docker run -it -d --name c2 --hostname c2 --network my_macvlan ubuntu:14.04
