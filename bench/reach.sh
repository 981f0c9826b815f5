#!/usr/bin/env bash
# Measures `netviz reach` (issue 3's figures) on a real engine:
#   - median wall time at N containers across 5 user networks (default 50);
#   - the obvious alternative: `docker exec C ping -c1 -W1 IP` for every
#     ordered pair, 16 in parallel;
#   - peak memory (max RSS) of the matrix run.
# Everything it creates carries io.netviz.owner=bench and is removed on exit,
# failure or Ctrl-C. Traffic goes only to the containers it creates.
# Run as root with dockerd up:  sudo bench/reach.sh
N=${N:-50}
RUNS=${RUNS:-5}
. "$(dirname "$0")/lib.sh"

nets=()
for i in $(seq 1 $NETS); do docker network create --label $LABEL "nvzb-net$i" >/dev/null; nets+=("nvzb-net$i"); done
for i in $(seq 1 "$N"); do
  docker run -d --label $LABEL --name "nvzb-c$i" --net "nvzb-net$(( (i - 1) % NETS + 1 ))" "$IMAGE" >/dev/null
done
netargs=()
for n in "${nets[@]}"; do netargs+=(--network "$n"); done

ts=()
for _ in $(seq "$RUNS"); do
  t0=$(date +%s%N); "$out/netviz" reach "${netargs[@]}" --json >"$out/m.json"; t1=$(date +%s%N)
  ts+=($(( (t1 - t0) / 1000000 )))
done
median=$(printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
pairs=$(grep -c '"client"' "$out/m.json")
unexpected=$(grep -c '"agrees": false' "$out/m.json" || true)
echo "# netviz reach benchmark — $N containers on $NETS networks, $(nproc) cores"
echo "netviz reach: $pairs pairs, median $median ms over $RUNS runs (all: ${ts[*]} ms), $unexpected unexpected"
rss=$(max_rss_kib "$out/netviz" reach "${netargs[@]}" --json)
echo "peak memory: ${rss} KiB max RSS"

# The obvious alternative, for every ordered pair, 16 in parallel.
docker ps --filter label=$LABEL --format '{{.Names}}' | sort >"$out/names"
while read -r c; do
  for ip in $(docker ps -q --filter label=$LABEL | xargs docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}'); do
    echo "$c $ip"
  done
done <"$out/names" >"$out/pairs"
t0=$(date +%s%N)
xargs -P 16 -L 1 sh -c 'docker exec "$0" ping -c1 -W1 "$1" >/dev/null 2>&1 || true' <"$out/pairs"
t1=$(date +%s%N)
alt=$(( (t1 - t0) / 1000000 ))
echo "docker exec ping -c1 -W1, $(wc -l <"$out/pairs") pairs, 16 parallel: $alt ms → netviz is $(( alt / median ))x faster"
