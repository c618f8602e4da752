#!/bin/sh
# Seeds fuzz_owsess's corpus (DIR, the first argument). An input is a mode
# byte, then chunks [dir][len hi][len lo][bytes] (dir 0: frames the
# session writes, 1: bytes from the broker); see tests/fuzz/fuzz_owsess.c.
# The broker's bytes are the frames ActiveMQ 5.17.2 sent in
# tests/fuzz/openwire-seeds (their ConsumerId value is 1, the harness's
# first subscription, whose kind the mode byte picks).
set -eu
dir=${1:?usage: gen_corpus_owsess.sh DIR}
seeds=$(dirname "$0")/openwire-seeds
mkdir -p "$dir"

# byte N: one byte of value N (0..255)
byte() {
	# shellcheck disable=SC2059
	printf "\\$(printf %o "$1")"
}

# chunk DIR FILE
chunk() {
	n=$(wc -c <"$2")
	byte "$1"
	byte $((n / 256))
	byte $((n % 256))
	cat "$2"
}

# frame TEXT...: a STOMP frame (the arguments joined, printf escapes),
# NUL-terminated, as an out chunk
frame() {
	: >"$dir/.frame"
	for a; do
		# shellcheck disable=SC2059
		printf "$a" >>"$dir/.frame"
	done
	printf '\0' >>"$dir/.frame"
	chunk 0 "$dir/.frame"
}

# every broker command alone, under each kind of first subscription
i=0
for f in "$seeds"/*-b2c-*.bin "$seeds"/*-in-*.bin; do
	{ byte $((i % 8)); chunk 1 "$f"; } >"$dir/seed-in-$(basename "$f")"
	i=$((i + 1))
done

# a captured session from the broker after its WireFormatInfo (the
# harness made the handshake already), acked and committed
for mode in 0 1 2 3 4 6 130 66; do
	{
		byte "$mode"
		for f in "$seeds"/java-conn2-b2c-*.bin; do
			case $f in *WireFormatInfo*) continue ;; esac
			chunk 1 "$f"
		done
		frame 'ACK\nid:1-3\ntransaction:tx1\n\n'
		frame 'NACK\nid:1-4\nreceipt:n\n\n'
		frame 'COMMIT\ntransaction:tx1\nreceipt:c\n\n'
		for f in "$seeds"/probe-0[23]*-in-MessageDispatch.bin; do
			chunk 1 "$f"
		done
		frame 'ACK\nid:1-9\n\n'
		frame 'UNSUBSCRIBE\nid:s1\nreceipt:u\n\n'
	} >"$dir/seed-session-$mode"
done

# frames the session writes
{
	byte 0
	frame 'SEND\ndestination:/queue/Q\namq-msg-type:text\n' \
	    'persistent:true\npriority:7\ncolor:red\nreceipt:r1\n\nhello'
	frame 'SEND\ndestination:/topic/T\ncontent-length:3\n' \
	    'transaction:tx1\n\na\0b'
	frame 'SEND\ndestination:/temp-queue/r\nreply-to:/temp-topic/s\n' \
	    'expires:99\n\nx'
	frame 'BEGIN\ntransaction:tx2\n\n'
	frame 'ABORT\ntransaction:tx2\nreceipt:a\n\n'
	frame 'SUBSCRIBE\nid:s9\nreceipt:s\n' \
	    'destination:/topic/ActiveMQ.Advisory.Consumer.Queue.X\n\n'
	frame 'UNSUBSCRIBE\nid:s9\n\n'
	frame 'SEND\ndestination:/queue/Q\nbrokernet-native:openwire-12\n' \
	    'brokernet_path:,A,B,\n\nxx'
	frame 'DISCONNECT\nreceipt:bye\n\n'
} >"$dir/seed-out-frames"
{
	byte 0
	printf '\n\n' >"$dir/.frame"
	chunk 0 "$dir/.frame"
	frame 'CONNECT\nheart-beat:1000,0\n\n'
	chunk 1 "$seeds/java-conn1-b2c-00-WireFormatInfo.bin"
	chunk 1 "$seeds/java-conn1-b2c-01-BrokerInfo.bin"
	chunk 1 "$seeds/java-conn1-b2c-02-Response.bin"
	chunk 1 "$seeds/java-conn1-b2c-03-ConnectionControl.bin"
} >"$dir/seed-reconnect"
rm -f "$dir/.frame"
