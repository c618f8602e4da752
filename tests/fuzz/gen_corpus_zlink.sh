#!/bin/sh
# Writes the seed corpus of fuzz_zlink into DIR: gen_corpus_zlink.sh DIR.
# Each file is one setup byte (output room and input split, see
# tests/fuzz/fuzz_zlink.c) and then a zstd stream (window 128 KiB, as a
# link sends) of compact link frames. Needs the zstd program.
set -eu
dir=${1:?usage: gen_corpus_zlink.sh DIR}
mkdir -p "$dir"
command -v zstd >/dev/null || { echo "gen_corpus_zlink: no zstd" >&2; exit 0; }

frames() {
	i=0
	while [ $i -lt "$1" ]; do
		printf 'M\nd:orders.eu\ne:0\nr:4\nt:17646700000%02d\nP:true\n' $i
		printf 'i:%s\ncontent-length:14\n\n{"order":%04d}\000' \
		    "$([ $i -eq 0 ] && echo "0:ID:h-1:1:1:1:1" || echo "13:$i")" $i
		printf '\n'
		i=$((i + 1))
	done
	printf 'ACK\nids:1-3,5\n\n\000'
	printf 'M\nd:q\np:,X,\no:Z\nh:7\n~d:v\ncontent-length:0\n\n\000'
}
n=0
for setup in 0 1 4 7 9 12 19; do
	{ printf "\\$(printf '%03o' $setup)"; frames 5 | zstd -q -1 --zstd=wlog=17 -c; } \
	    > "$dir/seed-$n"
	n=$((n + 1))
done
{ printf '\004'; frames 40 | zstd -q -3 --zstd=wlog=17 -c; } > "$dir/seed-$n"
n=$((n + 1))
{ printf '\003'; head -c 300000 /dev/zero | zstd -q -1 --zstd=wlog=17 -c; } > "$dir/seed-$n"
