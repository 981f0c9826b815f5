#!/usr/bin/env bash
# Measures what netviz pays before it does anything (issue 8's figures):
#   - `netviz version`, warm: median wall time and median peak memory (max
#     RSS) of RUNS runs;
#   - `netviz sim seed.sh -o x.json` and `netviz graph --format json`, which
#     draw nothing: the same figures;
#   - `netviz sim seed.sh -o x.svg`: with an empty Graphviz compilation cache
#     (cold, COLD_RUNS runs) and a filled one (warm).
# With BASE=REV it also builds REV in a temporary git worktree (removed on
# exit) and runs both binaries in turn, for a before/after table:
#   BASE=HEAD~1 bench/startup.sh
# Each binary gets its own HOME, TMPDIR and XDG_CACHE_HOME under a temporary
# directory, removed on exit, failure or Ctrl-C. Needs neither root nor
# Docker: `graph` reads the engine at DOCKER_HOST if one answers (as the
# other benches do) and degrades to the host's interfaces if not.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
RUNS=${RUNS:-7}
COLD_RUNS=${COLD_RUNS:-3}
SEED=internal/scenario/testdata/seed-alias.sh

command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
out=$(mktemp -d)
worktree=""
cleanup() {
  if [ -n "$worktree" ]; then git worktree remove --force "$worktree" >/dev/null 2>&1 || true; fi
  rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bins=()
if [ -n "${BASE:-}" ]; then
  worktree="$out/base-src"
  git worktree add --detach -q "$worktree" "$BASE"
  (cd "$worktree" && CGO_ENABLED=0 go build -o "$out/base" ./cmd/netviz)
  bins+=(base)
fi
CGO_ENABLED=0 go build -o "$out/new" ./cmd/netviz
bins+=(new)
for b in "${bins[@]}"; do mkdir -m 700 -p "$out/env-$b/home" "$out/env-$b/tmp" "$out/env-$b/cache"; done

# run B CMD...: binary B with its own HOME, TMPDIR and XDG_CACHE_HOME.
run() {
  local b=$1; shift
  HOME="$out/env-$b/home" TMPDIR="$out/env-$b/tmp" XDG_CACHE_HOME="$out/env-$b/cache" "$out/$b" "$@"
}

# sample KEY B CMD...: one run; appends its wall time (µs) and peak memory
# (KiB) to $out/KEY.B.us and $out/KEY.B.kib. A failing command stops the bench.
sample() {
  local key=$1 b=$2; shift 2
  local t0 t1
  t0=$(date +%s%N)
  if ! HOME="$out/env-$b/home" TMPDIR="$out/env-$b/tmp" XDG_CACHE_HOME="$out/env-$b/cache" \
    /usr/bin/time -f %M -o "$out/rss" "$out/$b" "$@" >/dev/null 2>"$out/err"; then
    echo "$b $*: failed" >&2; cat "$out/err" >&2; exit 1
  fi
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000 )) >>"$out/$key.$b.us"
  tail -1 "$out/rss" >>"$out/$key.$b.kib"
}
# measure KEY RUNS PREPARE CMD...: RUNS rounds, each binary in turn (pairing
# keeps the comparison fair when the machine's speed drifts); PREPARE B runs
# before every sample (":" for nothing).
measure() {
  local key=$1 runs=$2 prepare=$3; shift 3
  for _ in $(seq "$runs"); do
    for b in "${bins[@]}"; do
      $prepare "$b"
      sample "$key" "$b" "$@"
    done
  done
}

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk -v us="$(median "$1")" 'BEGIN {printf "%.1f", us / 1000}'; }

# Empties every compilation cache of binary B: $XDG_CACHE_HOME/netviz (now)
# and $TMPDIR/go-graphviz (before issue 8).
cold() { rm -rf "$out/env-$1/cache/"* "$out/env-$1/tmp/"*; }

for b in "${bins[@]}"; do # warm the page cache and, for the SVG, the compilation cache
  run "$b" version >/dev/null
  run "$b" sim "$SEED" -o "$out/x.svg" >/dev/null 2>&1
done
measure version "$RUNS" : version
measure simjson "$RUNS" : sim "$SEED" -o "$out/x.json"
measure graphjson "$RUNS" : graph --format json -o "$out/g.json"
measure svgwarm "$RUNS" : sim "$SEED" -o "$out/x.svg"
measure svgcold "$COLD_RUNS" cold sim "$SEED" -o "$out/x.svg"

echo "# netviz start-up — $(nproc) cores; median of $RUNS runs ($COLD_RUNS for cold)${BASE:+; base = $BASE ($(git rev-parse --short "$BASE"))}"
printf '%-52s' "what"; for b in "${bins[@]}"; do printf '%12s' "$b"; done; echo
row() {
  local label=$1 key=$2 unit=$3
  printf '%-52s' "$label"
  for b in "${bins[@]}"; do
    if [ "$unit" = ms ]; then printf '%12s' "$(ms "$out/$key.$b.us")"; else printf '%12s' "$(median "$out/$key.$b.kib")"; fi
  done
  echo
}
row "netviz version, warm (ms)" version ms
row "netviz version, peak RSS (KiB)" version kib
row "netviz sim seed.sh -o x.json (ms)" simjson ms
row "netviz sim seed.sh -o x.json, peak RSS (KiB)" simjson kib
row "netviz graph --format json (ms)" graphjson ms
row "netviz graph --format json, peak RSS (KiB)" graphjson kib
row "netviz sim seed.sh -o x.svg, warm cache (ms)" svgwarm ms
row "netviz sim seed.sh -o x.svg, cold cache (ms)" svgcold ms
row "netviz sim seed.sh -o x.svg, warm, peak RSS (KiB)" svgwarm kib
