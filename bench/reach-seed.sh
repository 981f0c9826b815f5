#!/usr/bin/env bash
# Measures `netviz reach` on the seed scenario (issue 8's ≥ 20× figure): the
# curriculum's networks built with the test image — the default bridge with
# --link and -p, a user bridge with three containers under --net-alias
# alicek106 and a client, --net host, --net none, --net container:X, a
# custom --subnet/--ip-range/--gateway, and a macvlan network whose parent
# is a veth pair this script creates (never the uplink) — then:
#   - `netviz reach`: median wall time of RUNS runs, and its cell counts;
#   - the same pairs measured the obvious way, `docker exec C ping -c1 -W1 IP`
#     for every running container and every container address, 16 in
#     parallel; and the ratio.
# Everything it creates carries io.netviz.owner=bench (the veth pair is
# nvzb-p0/nvzb-p1) and is removed on exit, failure or Ctrl-C.
# Run as root with dockerd up and no other containers running:
#   sudo bench/reach-seed.sh
RUNS=${RUNS:-7}
. "$(dirname "$0")/lib.sh"
trap 'cleanup; ip link del nvzb-p0 2>/dev/null || true' EXIT

others=$(( $(docker ps -q | wc -l) - $(docker ps -q --filter label=$LABEL | wc -l) ))
[ "$others" -eq 0 ] || echo "note: $others other containers are running; netviz reach measures them too" >&2

run() { docker run -d --label $LABEL "$@" "$IMAGE" >/dev/null; }
run --name nvzb-wordpressdb
run --name nvzb-wordpress --link nvzb-wordpressdb:mysql -p 15560:80
docker network create --label $LABEL nvzb-mybridge >/dev/null
for i in 1 2 3; do run --name "nvzb-alias$i" --net nvzb-mybridge --net-alias alicek106; done
run --name nvzb-alias-ping --net nvzb-mybridge
run --name nvzb-host --net host
run --name nvzb-none --net none
run --name nvzb-container1
run --name nvzb-container2 --net container:nvzb-container1
docker network create --label $LABEL --subnet 172.74.0.0/16 --ip-range 172.74.0.0/24 --gateway 172.74.0.1 nvzb-custom >/dev/null
run --name nvzb-custom1 --net nvzb-custom
ip link add nvzb-p0 type veth peer name nvzb-p1 && ip link set nvzb-p0 up && ip link set nvzb-p1 up
docker network create --label $LABEL -d macvlan --subnet 192.168.79.0/24 --gateway 192.168.79.1 -o parent=nvzb-p0 nvzb-macvlan >/dev/null
run --name nvzb-mac1 --net nvzb-macvlan
run --name nvzb-mac2 --net nvzb-macvlan

echo "# netviz reach on the seed scenario — $(date -u +%FT%TZ), $(nproc) cores, docker $(docker version -f '{{.Server.Version}}')"
"$out/netviz" reach >"$out/table.txt"
head -1 "$out/table.txt"
ms=$(median_ms "$RUNS" "$out/netviz" reach)
echo "netviz reach: median $ms ms over $RUNS runs"
fixed=$(median_ms "$RUNS" "$out/netviz" reach --fixed-timeout)
echo "netviz reach --fixed-timeout (every silence waits the full 200 ms): median $fixed ms"

# The obvious way: every running container pings every container address.
docker ps -q >"$out/ids"
ips=$(xargs docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' <"$out/ids")
while read -r c; do for ip in $ips; do echo "$c $ip"; done; done <"$out/ids" >"$out/pairs"
t0=$(date +%s%N)
xargs -P 16 -L 1 sh -c 'docker exec "$0" ping -c1 -W1 "$1" >/dev/null 2>&1 || true' <"$out/pairs"
t1=$(date +%s%N)
alt=$(( (t1 - t0) / 1000000 ))
echo "docker exec ping -c1 -W1, $(wc -l <"$out/pairs") pairs, 16 parallel: $alt ms → netviz is $(awk -v a="$alt" -v b="$ms" 'BEGIN{printf "%.0f", a/b}')x faster"
