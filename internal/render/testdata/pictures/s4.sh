# s4-style: --internal, ICC off, an alias on two networks, published ports
docker network create --internal backend
docker network create -o com.docker.network.bridge.enable_icc=false quiet
docker network create front
docker run -d --name web -p 8080:80 --net front nginx
docker run -d --name api --net front --net-alias svc nginx
docker network connect --alias svc backend api
docker run -d --name db --net backend --net-alias svc postgres
docker run -d --name q1 --net quiet busybox
docker run -d --name q2 --net quiet busybox
