# the seed curriculum in one script: default bridge with --link and -p, host, none, container:, custom subnet, connect/disconnect, macvlan, --net-alias alicek106
# default bridge, --link and -p, host, none, container:, custom subnet, connect/disconnect
sudo docker run -d --name wordpressdb \
-e MYSQL_ROOT_PASSWORD=password \
-e MYSQL_DATABASE=wordpress \
mysql:5.7
docker run -d \
-e WORDPRESS_DB_PASSWORD=password \
--name wordpress \
--link wordpressdb:mysql \
-p 15530:80 \
wordpress
docker run -i -t -d -p 127.0.0.1:15531:80 ubuntu:14.04
docker run -i -t -d --name network_host --net host ubuntu:14.04
docker run -i -t -d --name network_none --net none ubuntu:14.04
docker run -i -t -d --name network_container_1 ubuntu:14.04
docker run -i -t -d --name network_container_2 \
--net container:network_container_1 \
ubuntu:14.04
docker network create --driver=bridge \
--subnet=172.72.0.0/16 \
--ip-range=172.72.0.0/24 \
--gateway=172.72.0.1 \
my_custom
docker run -i -t -d --name mynetwork_container --net my_custom ubuntu:14.04
docker network create mybridge
docker network connect mybridge mynetwork_container
docker network disconnect my_custom mynetwork_container
docker network create -d macvlan --subnet=192.168.0.0/24 \
--ip-range=192.168.0.64/26 --gateway=192.168.0.1 \
-o macvlan_mode=bridge -o parent=eth0 my_macvlan
docker run -it -d --name c1 --hostname c1 \
--network my_macvlan ubuntu:14.04
docker ps -a
docker inspect wordpress
# 2.2.7.3 bridge network and --net-alias (seed notes)

docker run -i -t -d --name network_alias_container1 \
--net mybridge \
--net-alias alicek106 ubuntu:14.04

docker run -i -t -d --name network_alias_container2 \
--net mybridge \
--net-alias alicek106 ubuntu:14.04

docker run -i -t -d --name network_alias_container3 \
--net mybridge \
--net-alias alicek106 ubuntu:14.04

docker run -i -t -d --name network_alias_ping --net mybridge ubuntu:14.04
