#!/usr/bin/env bash
# Discovery under container churn (issue 8): RUNS discoveries (default 30,
# and on until RUNS containers came and went) while four loops create,
# start and force-remove containers as fast as the engine allows; every
# model must be complete — the host's interfaces present, every container
# called running with its namespace and an interface for each address —
# and a container that vanished mid-run left out with a note. It is the
# live test TestLiveDiscoverUnderChurn (CI runs it with 10), run longer;
# its resources carry io.netviz.owner=test and are removed on exit.
# Run as root with dockerd up:  sudo bench/churn.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
echo "# netviz discovery under churn — $(date -u +%FT%TZ), $(nproc) cores, docker $(docker version -f '{{.Server.Version}}')"
NETVIZ_E2E=1 NETVIZ_CHURN_RUNS=${RUNS:-30} go test -count=1 -run '^TestLiveDiscoverUnderChurn$' -v ./internal/discover |
  grep -E 'discoveries|incomplete|FAIL|^ok'
