#!/bin/sh
# make bench: brokernet vs one broker alone vs ActiveMQ's native network bridge.
# Options are passed on: --reps N, --scale F, --quick, --producers N, --out FILE, --keep.
cd "$(dirname "$0")/.." || exit 1
exec python3 -u tools/bench-network.py "$@"
