# none: --net none has loopback only
# The container gets a namespace with lo and nothing else.
docker run -i -t -d --name network_none --net none ubuntu:14.04
docker run -i -t -d --name network_bridged ubuntu:14.04
