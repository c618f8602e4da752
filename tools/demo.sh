#!/bin/sh
# make demo: two brokers, two sidecars, 1,000 messages from A to a consumer on B.
set -e
cd "$(dirname "$0")/.."
exec python3 -u tools/demo.py
