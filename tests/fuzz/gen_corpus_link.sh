#!/bin/sh
# Writes the seed corpus of fuzz_link into DIR: gen_corpus_link.sh DIR.
# Each file is one setup byte (see tests/fuzz/fuzz_link.c: bits 0-1 split
# the stream in 1/2/4/8 writes, bit 2 the daemon with authentication,
# bit 3 undeferred callbacks, bit 4 the peer hangs up) and then what a
# dialing peer sends. Frames end in NUL (\000). The daemon is "B".
#
# In the harness the daemon never has a store session, so it stays in
# recovery and parks every MESSAGE (bridge/receive.c); they are kept.
set -eu
dir=${1:?usage: gen_corpus_link.sh DIR}
mkdir -p "$dir"

# hello BROKER VERSION DUPLEX [extra header lines]; $TTL and $PREFETCH
hello() {
	printf 'BN_HELLO\nbroker:%s\nversion:%s\nconnector:to-B\n' "$1" "$2"
	printf 'duplex:%s\nmessage-ttl:%s\nconsumer-ttl:1\nprefetch:%s\n' \
	    "$3" "${TTL:-1}" "${PREFETCH:-1000}"
	printf 'decrease-priority:true\ndynamic-only:false\n'
	printf 'dynamic-include:orders.>,invoices.*\nstatic-include:audit\n'
	printf 'exclude:orders.local.>\n%s\n\000' "${4:-}"
}
traffic() {
	printf 'DEMAND\ndestination:orders.eu\nhops:1\npath:,A,\n\n\000'
	printf '\n'
	printf 'DEMAND\ndestination:audit\nhops:2\npath:,C,A,\n\n\000'
	printf 'NODEMAND\ndestination:orders.eu\n\n\000'
	printf 'ACK\nids:1,2,3\n\n\000'
	printf 'BYE\nreason:fuzz\n\n\000'
}
seed() {	# seed NAME MODE: stdin after the mode byte
	# shellcheck disable=SC2059
	{ printf "\\$(printf '%03o' "$2")"; cat; } > "$dir/link-$1"
}

hello A 1 false | seed hello 0
{ hello A 1 false; traffic; } | seed hello-traffic 0
{ hello A 1 true; traffic; } | seed duplex-traffic 0
{ hello A 1 true; traffic; } | seed duplex-traffic-8writes 3
{ hello A 1 true; traffic; } | seed duplex-traffic-nodefer 10
{ hello A 1 true; printf 'DEMAND\ndestination:x\nhops:1\npath:,A,\n\n\000'; } |
    seed duplex-demand-eof 17
hello A 1 false 'login:net
passcode:wrong
' | seed auth-bad 4
hello A 1 false | seed auth-missing 4
{ hello A 1 true 'login:net
passcode:net-secret
'; traffic; } | seed auth-good-traffic 5
hello A 2 false | seed version-2 0
hello A '' false | seed version-empty 0
hello B 1 false | seed loop-self 0
printf 'BN_HELLO\nversion:1\n\n\000' | seed no-broker 0
TTL=1001 hello A 1 false | seed bad-ttl 0
hello A 1 maybe | seed bad-duplex 0
PREFETCH=0 hello A 1 false | seed bad-prefetch 0
printf 'CONNECT\naccept-version:1.2\n\n\000' | seed connect 0
{ hello A 1 false; printf 'SEND\ndestination:/queue/x\n\nhi\000'; } |
    seed unknown-after-up 0
{ hello A 1 false; printf 'ACK\nids:1,x\n\n\000'; } | seed bad-ack 0
{ hello A 1 false; printf 'DEMAND\ndestination:q\nhops:0\npath:,A,\n\n\000'; } |
    seed bad-demand 0
{ hello A 1 false; printf 'ERROR\nmessage:bye\n\n\000'; } | seed error-up 1
msg() {	# msg SEQ QUEUE
	printf 'MESSAGE\nseq:%s\ndestination:/queue/%s\n' "$1" "$2"
	printf 'brokernet_origin:A\nbrokernet_origin_id:ID:a-%s\n' "$1"
	printf 'brokernet_path:,A,\nbrokernet_hops:1\ncontent-type:text/plain\n'
	printf 'persistent:true\n\nhello %s\000' "$1"
}
{ hello A 1 false; msg 1 orders.eu; msg 2 orders.eu; msg 1 orders.eu
    printf 'BYE\nreason:fuzz\n\n\000'; } | seed messages 0
{ hello A 1 true; printf 'DEMAND\ndestination:q\nhops:1\npath:,A,\n\n\000'
    msg 7 q; printf 'ACK\nids:1\n\n\000'; } | seed duplex-message-ack 1
{ hello A 1 false; printf 'MESSAGE\nseq:1\ndestination:/queue/x\n'
    printf 'content-length:5\n\na\000b\000c\000'; } | seed message-nul-body 0
{ hello A 1 false; msg x q; } | seed message-bad-seq 0
{ hello A 1 false; msg 1 ActiveMQ.DLQ; } | seed message-bad-dest 0
printf '\n\n\r\n' | seed heartbeats 0
printf 'BN_HELLO\ncontent-length:99999999\n\n\000' | seed huge-length 2
printf '\000\377garbage\nx:y\n\n' | seed garbage 0
# compact headers (features:compact), and compact + zstd: after the hello
# the rest of the stream is compressed as a link sends it (window 128 KiB)
cmsg() {	# cmsg ORIGIN_ID_REF QUEUE
	printf 'M\nd:%s\ne:0\nr:4\nt:1764670000000\nP:true\ni:%s\n' "$2" "$1"
	printf '~d:odd\ncontent-length:7\n\n{"a":1}\000'
}
{ hello A 1 false 'features:compact
'; cmsg 0:ID:a-1:1 orders.eu; cmsg 8:2 orders.eu
    printf 'M\nd:q\np:,X,\no:Z\nh:3\ncontent-length:0\n\n\000'
    printf 'ACK\nids:1-2,4\n\n\000'; } | seed compact-messages 0
{ hello A 1 false 'features:compact
'; printf 'M\nd:q\ni:9:x\ncontent-length:0\n\n\000'; } | seed compact-bad-ref 0
if command -v zstd >/dev/null; then
	{ hello A 1 true 'features:compact,zstd
'; { printf 'DEMAND\ndestination:q\nhops:1\npath:,A,\n\n\000'
	    cmsg 0:ID:a-1:1 q; cmsg 8:2 q; printf 'BYE\nreason:fuzz\n\n\000'; } |
	    zstd -q -1 --zstd=wlog=17 -c; } | seed zstd-duplex 1
	{ hello A 1 false 'features:zstd
'; head -c 200000 /dev/zero | tr '\0' 'a' | zstd -q -1 --zstd=wlog=17 -c; } |
	    seed zstd-bomb 0
	{ hello A 1 false 'features:compact,zstd
'; printf '\050\265\057\375\010garbage'; } | seed zstd-garbage 0
fi
