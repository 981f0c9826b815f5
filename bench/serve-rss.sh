#!/usr/bin/env bash
# Measures `netviz serve` as a long-running service on a real engine (issue
# 12's "bounded memory … measure RSS after 10,000 events" and "no goroutine
# leak per page load"):
#   - a real `netviz serve --no-token` on a loopback port, STREAMS event
#     streams following it (curl -N /api/events, events counted) and PAGES
#     page-like clients fetching /api/svg and /api/model back to back, as
#     the page does while changes keep coming;
#   - EVENTS engine events (default 10000): WORKERS containers connected to
#     and disconnected from a network in a loop by bench/events, which
#     counts the events on the engine's own stream (Docker keeps only its
#     last 256 events, so `docker events --since` cannot count them after);
#   - the server's VmRSS, VmHWM (peak RSS), threads and CPU time from
#     /proc/PID, and its /api/info (models published, streams, changes
#     dropped), at the start, every STEP events, and once it settled;
#   - LOADS page loads (default 200, 8 at a time): / , app.js, app.css,
#     /api/info, /api/svg and /api/events opened, its snapshot read, and
#     closed; then threads, RSS and open streams against the values before;
#   - goroutines: serve has no endpoint for them, so a fresh serve with the
#     same streams open is stopped with SIGQUIT (GOTRACEBACK=all) for a
#     count, and so is the measured one at the end; the in-process test
#     TestNoGoroutineLeak (internal/serve) counts them exactly.
# Everything it creates carries io.netviz.owner=bench and is removed on
# exit, failure or Ctrl-C.
#
# Run as root, against the engine DOCKER_HOST names:
#   sudo bench/serve-rss.sh                  # EVENTS=10000 STEP=1000 …
# or on an engine of its own (.ci/engine: a fresh dockerd in netns
# nvz-$ENGINE, taken down afterwards), leaving the host's engine alone:
#   sudo ENGINE=rss bench/serve-rss.sh       # DOCKERD, PROXY: its binaries
EVENTS=${EVENTS:-10000}
STEP=${STEP:-1000}
WORKERS=${WORKERS:-2}
STREAMS=${STREAMS:-2}
PAGES=${PAGES:-1}
LOADS=${LOADS:-200}

if [ -n "${ENGINE:-}" ] && [ -z "${NVZ_SERVE_RSS_INNER:-}" ]; then
  set -euo pipefail
  cd "$(dirname "$0")/.."
  export PATH="/usr/local/go/bin:$PATH"
  bash .ci/engine up "$ENGINE" "${DOCKERD:-/usr/sbin/dockerd}" "${PROXY:-/usr/sbin/docker-proxy}"
  trap 'bash .ci/engine down "$ENGINE"' EXIT
  trap 'exit 130' INT TERM
  inside=(ip netns exec "nvz-$ENGINE" env $(bash .ci/engine env "$ENGINE") NVZ_SERVE_RSS_INNER=1)
  "${inside[@]}" go run ./internal/dockertest/buildimages
  "${inside[@]}" EVENTS="$EVENTS" STEP="$STEP" WORKERS="$WORKERS" STREAMS="$STREAMS" PAGES="$PAGES" LOADS="$LOADS" \
    bash bench/serve-rss.sh
  exit
fi

. "$(dirname "$0")/lib.sh"
CGO_ENABLED=0 go build -o "$out/events" ./bench/events
command -v curl >/dev/null && command -v jq >/dev/null || { echo "needs curl and jq" >&2; exit 2; }

serve_pid="" gen_pid=""
bg=()    # the streams' curls
pages=() # the pages' curl loops
stop_all() {
  for p in "${bg[@]}" "${pages[@]}" $gen_pid; do kill "$p" 2>/dev/null || true; done
  [ -z "$serve_pid" ] || kill "$serve_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
# KEEP=DIR keeps the servers' output (the goroutine dumps), the streams
# and the generator's lines there.
trap 'stop_all; [ -z "${KEEP:-}" ] || { mkdir -p "$KEEP" && cp "$out"/*.err "$out"/*.stacks "$out"/*.stream* "$out"/events.out "$KEEP"/ 2>/dev/null; }; cleanup' EXIT

# start_serve NAME: a netviz serve on a free loopback port, its URL in
# $base once its first model is in.
start_serve() {
  GOTRACEBACK=all GODEBUG=gctrace=1 "$out/netviz" serve --listen 127.0.0.1:0 --no-token >"$out/$1.url" 2>"$out/$1.err" &
  serve_pid=$!
  for _ in $(seq 300); do
    base=$(head -1 "$out/$1.url" 2>/dev/null || true)
    base=${base%/}
    if [ -n "$base" ] && [ "$(curl -s "$base/api/info" | jq -r .seq 2>/dev/null)" -ge 1 ] 2>/dev/null; then
      return
    fi
    kill -0 "$serve_pid" 2>/dev/null || { cat "$out/$1.err" >&2; echo "netviz serve exited" >&2; exit 1; }
    sleep 0.1
  done
  echo "netviz serve had no model after 30 s" >&2
  exit 1
}

# open_streams NAME: STREAMS event streams, each into $out/NAME.streamI.
open_streams() {
  for i in $(seq "$STREAMS"); do
    curl -sN "$base/api/events" >"$out/$1.stream$i" &
    bg+=($!)
  done
  for _ in $(seq 100); do
    [ "$(curl -s "$base/api/info" | jq .streams)" -ge "$STREAMS" ] && return
    sleep 0.1
  done
  echo "the event streams did not open" >&2
  exit 1
}

# goroutines NAME: stop serve with SIGQUIT and count the goroutines it
# dumped: all of them in $ngo, netviz's and the libraries' (not the
# runtime's own, like the GC's workers, one per P once a GC ran) in $napp,
# by their first such frame in $out/NAME.stacks.
goroutines() {
  kill -QUIT "$serve_pid"
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
  for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done
  bg=()
  # Each goroutine by its first frame outside the runtime and the
  # standard library's plumbing (goroutine 0 is the signal's own thread).
  awk '/^rax / {exit} /^goroutine [1-9][0-9]* / {g = 1; next}
    g && /^[^\t]/ && !/^(runtime|internal\/|net\.|syscall|bufio|io\.|sync\.|created by)/ {sub(/\([^()]*\)$/, ""); print; g = 0}' \
    "$out/$1.err" | sort | uniq -c | sort -rn >"$out/$1.stacks"
  ngo=$(grep -cE '^goroutine [1-9][0-9]* ' "$out/$1.err" || true)
  napp=$(awk '{n += $1} END {print n + 0}' "$out/$1.stacks")
}

kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$serve_pid/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz}' "/proc/$serve_pid/stat"; }
count() { grep -c "^event: $1" "$out/serve.stream1" 2>/dev/null || true; }
# live_mib: the heap left live by the last GC (gctrace's "A->B->C MB"),
# and how many GCs ran.
live_mib() { grep -E '^gc [0-9]+ @' "$out/serve.err" | tail -1 | sed -E 's/.* [0-9]+->[0-9]+->([0-9]+) MB.*/\1/'; }
gcs() { grep -cE '^gc [0-9]+ @' "$out/serve.err" || true; }

t_start=0
row='%-12s %6s %6s %7s %7s %7s %4s %7s %6s %6s %7s %4s %7s %5s %6s\n'
header() {
  printf "$row" when events t_s rss_MiB hwm_MiB live_MB gcs threads cpu_s models streams drop changes snaps pages
}
# sample LABEL EVENTS: one row of the table.
sample() {
  local info rss hwm
  info=$(curl -s --max-time 5 "$base/api/info")
  rss=$(kib VmRSS) hwm=$(kib VmHWM)
  printf "$row" "$1" "$2" \
    "$(awk -v t="$(date +%s%N)" -v s="$t_start" 'BEGIN {printf "%.1f", (t - s) / 1e9}')" \
    "$(mib "$rss")" "$(mib "$hwm")" "$(live_mib)" "$(gcs)" "$(kib Threads)" "$(cpu_s)" \
    "$(jq .seq <<<"$info")" "$(jq .streams <<<"$info")" "$(jq .dropped <<<"$info")" \
    "$(count change)" "$(count snapshot)" "$(cat "$out"/pages.* 2>/dev/null | wc -l)"
  rss_last=$rss hwm_last=$hwm threads_last=$(kib Threads)
}

docker network create --label $LABEL nvzb-rss >/dev/null
ctrs=()
for i in $(seq "$WORKERS"); do
  docker run -d --label $LABEL --name "nvzb-rss$i" "$IMAGE" sleep 86400 >/dev/null
  ctrs+=("nvzb-rss$i")
done

echo "# netviz serve under $EVENTS engine events — $(date -u +%FT%TZ), $(nproc) cores, docker $(docker version -f '{{.Server.Version}}'), $(docker ps -q | wc -l) containers running"

# A fresh server's goroutines, with the same streams open, for comparison.
start_serve fresh
open_streams fresh
sleep 2
fresh_rss=$(kib VmRSS)
goroutines fresh
fresh_g=$ngo fresh_app=$napp

start_serve serve
open_streams serve
for i in $(seq "$PAGES"); do
  # A page while changes keep coming: the picture and the model, again
  # as soon as they came (app.js refresh()).
  while :; do
    curl -sf -o /dev/null "$base/api/svg" && curl -sf -o /dev/null "$base/api/model" && echo >>"$out/pages.$i"
  done &
  pages+=($!)
done
sleep 2
t_start=$(date +%s%N)
header
sample start 0
rss_start=$rss_last threads_start=$threads_last

: >"$out/events.out"
"$out/events" -n "$EVENTS" -progress "$STEP" -network nvzb-rss "${ctrs[@]}" >"$out/events.out" &
gen_pid=$!
while read -r word rest; do
  declare $rest # events=… connects=… ops=…
  [ "$word" != progress ] || sample events "$events"
done < <(tail -n +1 -f --pid=$gen_pid "$out/events.out")
wait $gen_pid
gen_pid=""
t_events=$(date +%s%N)
declare $(tail -1 "$out/events.out" | cut -d' ' -f2-)
sleep 3 # the last refresh, and the links read once more as they settle
sample settled "$events"
rss_events=$rss_last hwm_events=$hwm_last
total_events=$events rate_events=$rate ops_events=$ops

# The pages stop; then LOADS page loads, 8 at a time.
for p in "${pages[@]}"; do kill "$p" 2>/dev/null || true; done
pages=()
sleep 2
sample "before loads" "$events"
threads_before=$threads_last rss_before=$rss_last
load() {
  for p in / /app.js /app.css /api/info /api/svg; do curl -sf -o /dev/null "$base$p"; done
  curl -sN --max-time 0.5 "$base/api/events" | grep -q '^event: snapshot'
}
export -f load
export base
t0=$(date +%s%N)
seq "$LOADS" | xargs -P 8 -I{} bash -c load || echo "warning: some page loads failed" >&2
t1=$(date +%s%N)
sleep 2
sample "after loads" "$events"
info=$(curl -s "$base/api/info")
echo
echo "$LOADS page loads in $(( (t1 - t0) / 1000000 )) ms; after them: $(jq .streams <<<"$info") streams open (${STREAMS} before), $threads_last threads ($threads_before before), RSS $(mib "$rss_last") MiB ($(mib "$rss_before") before)"
goroutines serve
echo "goroutines (SIGQUIT dump): $napp netviz and library ones ($ngo in all) after $total_events events and $LOADS page loads; $fresh_app ($fresh_g) in a fresh serve with the same $STREAMS streams open (its RSS $(mib "$fresh_rss") MiB)"
if [ "$napp" -gt $((fresh_app + 2)) ]; then
  echo "  more than a fresh server: the goroutines' top functions, after (left) and fresh (right):"
  paste "$out/serve.stacks" "$out/fresh.stacks" | head -20 | sed 's/^/  /'
fi
echo "engine events: $total_events ($ops_events connect/disconnect calls by $WORKERS workers) in $(awk -v t="$t_events" -v s="$t_start" 'BEGIN {printf "%.0f", (t - s) / 1e9}') s, $rate_events events/s"
echo "RSS after $total_events events: $(mib "$rss_events") MiB (start $(mib "$rss_start") MiB, peak $(mib "$hwm_events") MiB)"
