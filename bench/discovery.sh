#!/usr/bin/env bash
# Measures `netviz graph` discovery on a real engine (issue 2's figures):
#   - median wall time of `netviz graph -o x.json` at N1 and N2 running
#     containers on 5 user networks, and the growth per extra container;
#   - the same facts gathered as a person would script them (docker inspect
#     per container + nsenter -t PID -n ip -j addr per container);
#   - `netviz graph -o x.svg` with a cold and a warm go-graphviz WASM cache;
#   - peak memory (max RSS) of discovery.
# Everything it creates carries io.netviz.owner=bench and is removed on exit,
# failure or Ctrl-C. Run as root with dockerd up:  sudo bench/discovery.sh
N1=${N1:-50}
N2=${N2:-100}
RUNS=${RUNS:-11}
. "$(dirname "$0")/lib.sh"

# scripted: what a person would write to gather the same facts.
scripted() {
  for id in $(docker ps -q); do
    docker inspect "$id" >/dev/null
    pid=$(docker inspect -f '{{.State.Pid}}' "$id")
    nsenter -t "$pid" -n ip -j addr >/dev/null
  done
}

for i in $(seq 1 $NETS); do docker network create --label $LABEL "nvzb-net$i" >/dev/null; done
started=0
grow_to() {
  while [ "$started" -lt "$1" ]; do
    started=$((started + 1))
    docker run -d --label $LABEL --name "nvzb-c$started" --net "nvzb-net$(( (started - 1) % NETS + 1 ))" "$IMAGE" >/dev/null
  done
}

echo "# netviz discovery benchmark — $(date -u +%FT%TZ), $(nproc) cores, docker $(docker version -f '{{.Server.Version}}')"
declare -A json_ms
for n in $N1 $N2; do
  grow_to "$n"
  total=$(docker ps -q | wc -l)
  "$out/netviz" graph -o "$out/x.json"  # warm the engine's caches once
  json_ms[$n]=$(median_ms "$RUNS" "$out/netviz" graph -o "$out/x.json")
  echo "graph -o x.json, $n bench containers ($total running in all): median ${json_ms[$n]} ms over $RUNS runs"
done
slope=$(awk -v a="${json_ms[$N1]}" -v b="${json_ms[$N2]}" -v n1="$N1" -v n2="$N2" 'BEGIN{printf "%.2f", (b-a)/(n2-n1)}')
echo "growth: $slope ms per extra container (between $N1 and $N2)"

scripted_ms=$(median_ms 3 scripted)
ratio=$(awk -v a="$scripted_ms" -v b="${json_ms[$N2]}" 'BEGIN{printf "%.0f", a/b}')
echo "scripted docker inspect + nsenter ip -j addr, $N2 containers: median $scripted_ms ms over 3 runs → netviz is ${ratio}x faster"

export XDG_CACHE_HOME="$out/cache"  # netviz's compiled Graphviz cache, empty: cold
t0=$(date +%s%N); "$out/netviz" graph -o "$out/x.svg" 2>/dev/null; t1=$(date +%s%N)
echo "graph -o x.svg, $N2 containers, cold WASM cache: $(( (t1 - t0) / 1000000 )) ms"
echo "graph -o x.svg, $N2 containers, warm WASM cache: median $(median_ms "$RUNS" "$out/netviz" graph -o "$out/x.svg") ms"
echo "graph (text, no SVG) at $N2: median $(median_ms "$RUNS" "$out/netviz" graph) ms"

rss=$(max_rss_kib "$out/netviz" graph -o "$out/x.json")
echo "peak memory, graph -o x.json at $N2: ${rss} KiB max RSS"
rss=$(max_rss_kib "$out/netviz" graph -o "$out/x.svg")
echo "peak memory, graph -o x.svg at $N2: ${rss} KiB max RSS"
