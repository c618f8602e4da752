#!/bin/sh
# Seeds fuzz_openwire's corpus (DIR, the first argument) with real frames:
# tests/fuzz/openwire-seeds/ holds every frame of two sessions captured on
# loopback against ActiveMQ 5.17.2 (java-*: the JMS client with
# wireFormat.tightEncodingEnabled=false&wireFormat.cacheEnabled=false and
# the broker's answers; probe-*: tools/owprobe -d, sent and received).
set -eu
dir=${1:?usage: gen_corpus_openwire.sh DIR}
seeds=$(dirname "$0")/openwire-seeds
mkdir -p "$dir"
for f in "$seeds"/*.bin; do
	cp "$f" "$dir/seed-$(basename "$f")"
done
