#!/bin/sh
# make bench-wan's driver: builds the daemon of BASE_REV (default: the
# merge base with main) for the "before" set-up bn-v1, then runs
# tools/bench-wan.py under the benchmark lock (options passed on).
set -eu
cd "$(dirname "$0")/.."
rev=${BASE_REV:-$(git merge-base HEAD main 2>/dev/null || echo "")}
args=""
if [ -n "$rev" ]; then
	d=tests/out/base-$(git rev-parse --short "$rev")
	if [ ! -x "$d/bin/brokernetd" ]; then
		echo "bench-wan: building brokernetd of $rev in $d"
		rm -rf "$d" && mkdir -p "$d"
		git archive "$rev" | tar -x -C "$d"
		make -C "$d" -j2 bin/brokernetd >"$d.build.log" 2>&1
	fi
	args="--base-bin $d/bin/brokernetd --base-rev $(git rev-parse --short "$rev")"
fi
# shellcheck disable=SC2086
exec flock /tmp/brokernet-bench.lock python3 tools/bench-wan.py $args "$@"
