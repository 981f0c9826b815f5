#!/usr/bin/env bash
# Measures `netviz reach` at scale (issues 3 and 8):
#   - for each N in SIZES (default "100 250") running containers spread over
#     5 user networks: RUNS sweeps in a row (default 2, the second right
#     after the first, when a careless sweep leaves the kernel's neighbour
#     table full): wall time, pairs, unexpected and not-measured cells, and
#     how often the kernel's shared neighbour table overflowed meanwhile
#     (table_fulls of /proc/net/stat/arp_cache; gc_thresh3 is never changed);
#   - peak memory (max RSS) of a sweep at the largest N;
#   - with ALT=1, the obvious alternative at the first N: `docker exec C
#     ping -c1 -W1 IP` for every ordered pair, 16 in parallel.
# Everything it creates carries io.netviz.owner=bench and is removed on exit,
# failure or Ctrl-C. Traffic goes only to the containers it creates.
# Run as root with dockerd up:  sudo bench/reach.sh
SIZES=${SIZES:-100 250}
RUNS=${RUNS:-2}
. "$(dirname "$0")/lib.sh"

# arp FIELD: the entries or the summed table_fulls column of arp_cache.
arp() {
  awk -v want="$1" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { v = $col[want]; n = 0; for (j = 1; j <= length(v); j++) n = n * 16 + index("0123456789abcdef", substr(tolower(v), j, 1)) - 1
      if (want == "entries") { print n; exit } s += n } END { if (want != "entries") print s }' /proc/net/stat/arp_cache
}

nets=()
for i in $(seq 1 $NETS); do docker network create --label $LABEL "nvzb-net$i" >/dev/null; nets+=("nvzb-net$i"); done
netargs=()
for n in "${nets[@]}"; do netargs+=(--network "$n"); done
started=0
echo "# netviz reach benchmark — $(date -u +%FT%TZ), $(nproc) cores, docker $(docker version -f '{{.Server.Version}}'), gc_thresh3=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3)"
for N in $SIZES; do
  while [ "$started" -lt "$N" ]; do
    started=$((started + 1))
    docker run -d --label $LABEL --name "nvzb-c$started" --net "nvzb-net$(( (started - 1) % NETS + 1 ))" "$IMAGE" >/dev/null
  done
  for run in $(seq "$RUNS"); do
    full0=$(arp table_fulls); e0=$(arp entries)
    t0=$(date +%s%N); "$out/netviz" reach "${netargs[@]}" --json >"$out/m.json"; t1=$(date +%s%N)
    full1=$(arp table_fulls); e1=$(arp entries)
    pairs=$(grep -c '"client"' "$out/m.json")
    unexpected=$(grep -c '"agrees": false' "$out/m.json" || true)
    notmeasured=$(grep -c '"outcome": "not-measured"' "$out/m.json" || true)
    echo "N=$N run $run: $pairs pairs in $(( (t1 - t0) / 1000000 )) ms — $unexpected unexpected, $notmeasured not measured; neighbour table overflows during the run: $((full1 - full0)); entries $e0 → $e1"
  done
done
rss=$(max_rss_kib "$out/netviz" reach "${netargs[@]}" --json)
echo "peak memory at N=$started: ${rss} KiB max RSS"

if [ "${ALT:-0}" = 1 ]; then
  first=${SIZES%% *}
  docker ps --filter label=$LABEL --format '{{.Names}}' | sort -V | head -n "$first" >"$out/names"
  ips=$(xargs docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' <"$out/names")
  while read -r c; do for ip in $ips; do echo "$c $ip"; done; done <"$out/names" >"$out/pairs"
  t0=$(date +%s%N)
  xargs -P 16 -L 1 sh -c 'docker exec "$0" ping -c1 -W1 "$1" >/dev/null 2>&1 || true' <"$out/pairs"
  t1=$(date +%s%N)
  echo "docker exec ping -c1 -W1 over the first $first containers, $(wc -l <"$out/pairs") pairs, 16 parallel: $(( (t1 - t0) / 1000000 )) ms"
fi
