# Shared set-up of the bench scripts (sourced, not run): a clean trap that
# removes everything labelled io.netviz.owner=bench, the tool checks, a
# static netviz in $out, and timing helpers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

NETS=5
IMAGE=${NETVIZ_TEST_IMAGE:-netviz-test/busybox:latest}
LABEL=io.netviz.owner=bench
out=$(mktemp -d)

cleanup() {
  # In batches: hundreds of removals at once can leave Docker 20.10 with a
  # stale endpoint that keeps the network ("has active endpoints") until
  # dockerd restarts (moby/moby#42119).
  docker ps -aq --filter label=$LABEL | xargs -r -n 20 docker rm -f >/dev/null 2>&1 || true
  # Right after hundreds of containers go, the engine may still be
  # releasing their endpoints ("has active endpoints"): try again briefly.
  for _ in $(seq 20); do
    nets=$(docker network ls -q --filter label=$LABEL)
    [ -n "$nets" ] || break
    docker network rm $nets >/dev/null 2>&1 || sleep 0.5
  done
  nets=$(docker network ls --filter label=$LABEL --format '{{.Name}}')
  [ -z "$nets" ] || echo "warning: could not remove bench networks: $nets" >&2
  rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
docker image inspect "$IMAGE" >/dev/null 2>&1 || { echo "no $IMAGE: run .ci/run once, or NETVIZ_E2E=1 go test ./internal/discover" >&2; exit 2; }
CGO_ENABLED=0 go build -o "$out/netviz" ./cmd/netviz

# median_ms RUNS CMD...: median wall time of CMD in milliseconds.
median_ms() {
  local runs=$1; shift
  local ts=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
    ts+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

# max_rss_kib CMD...: peak memory of CMD.
max_rss_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
