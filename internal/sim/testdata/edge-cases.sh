# edge cases: stop/start reallocation, rm releases, pinned --ip, connect while stopped
docker network create --subnet 10.10.0.0/24 --gateway 10.10.0.1 pinned
docker run -d --name ca --net pinned --ip 10.10.0.50 img
docker run -d --name cb --net pinned img
docker run -d --name cc --net pinned img
docker stop cb
docker start cb
docker rm -f cc
docker run -d --name cd --net pinned img
docker create --name ce img
docker network connect pinned ce
docker start ce
docker network create -o com.docker.network.bridge.enable_icc=false quiet
docker network create --internal inside
docker run -d --name q1 --net quiet img
docker run -d --name i1 --net inside img
docker run -d --name web -p 8080:80 -p 53:53/udp img
