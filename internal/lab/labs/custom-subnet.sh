# custom-subnet: --subnet, --ip-range and --gateway
# Addresses come from the ip-range inside the subnet; the bridge holds the gateway.
docker network create --driver=bridge --subnet=172.72.0.0/16 --ip-range=172.72.0.0/24 --gateway=172.72.0.1 my_custom
docker run -i -t -d --name custom_1 --net my_custom ubuntu:14.04
docker run -i -t -d --name custom_2 --net my_custom ubuntu:14.04
