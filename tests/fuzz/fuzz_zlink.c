/*
 * libFuzzer harness for the decompressing side of a compressed link: the
 * first input byte picks the decompressor's output room per call and the
 * input split, the rest is what a peer sends after the handshake. Checks:
 * no call gives more than its room; the decompressed bytes are parsed as
 * link frames with a 64 KiB frame limit and every "M" frame goes through
 * the compact-form decoder, as bridge/linkz.c does; a stream that is
 * decompressed again with a fresh context gives the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/linkhdr.h"
#include "brokernet/util.h"
#include "brokernet/zlink.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX_OUT	(4u << 20)	/* stop after this much output */

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_zlink: %s\n", what);
		abort();
	}
}

/*
 * Parses complete frames off the front of plain, decoding M frames, the
 * way a link reads (evframe.c): one cursor for the stream, no call before
 * plain holds cur->need bytes.
 */
static int
parse_frames(struct bn_buf *plain, struct bn_linkhdr_state *st,
    const struct bn_frame_limits *lim, struct bn_frame_cursor *cur)
{
	struct bn_frame	*f, *d;
	size_t		 used, off = 0;
	const char	*err;

	for (;;) {
		f = NULL;
		err = NULL;
		if (plain->len - off < cur->need || plain->len == off) {
			memmove(plain->data, plain->data + off,
			    plain->len - off);
			plain->len -= off;
			return 0;
		}
		switch (bn_frame_parse_next(plain->data + off,
		    plain->len - off, lim, cur, &f, &used, NULL, &err)) {
		case BN_PARSE_NEED_MORE:
			memmove(plain->data, plain->data + off,
			    plain->len - off);
			plain->len -= off;
			return 0;
		case BN_PARSE_ERROR:
			check(err != NULL, "parse error without a reason");
			return -1;
		case BN_PARSE_OK:
			off += used;
			if (f != NULL && strcmp(f->command, "M") == 0) {
				d = bn_linkhdr_decode(st, f, "PEER", &err);
				check(d != NULL || err != NULL,
				    "decode failed without a reason");
				if (d != NULL)
					check(bn_frame_get(d, "seq") != NULL &&
					    bn_frame_get(d, "brokernet_path") !=
					    NULL, "decoded frame incomplete");
				bn_frame_free(d);
			}
			bn_frame_free(f);
			break;
		}
	}
}

/* Decompresses in[0..len) in steps; returns the output (all of it). */
static int
inflate_all(const uint8_t *in, size_t len, size_t room, size_t feed,
    struct bn_buf *all, int parse)
{
	struct bn_zdec		*z = bn_zdec_new();
	struct bn_buf		 out = { 0 }, plain = { 0 };
	struct bn_linkhdr_state	 st = { 0 };
	struct bn_frame_cursor	 cur = { 0 };
	struct bn_frame_limits	 lim;
	enum bn_zdec_result	 r = BN_ZDEC_DONE;
	size_t			 off = 0, used, n;
	const char		*err = NULL;
	int			 rc = 0;

	bn_frame_limits_default(&lim);
	lim.max_frame_size = 65536;
	st.next_seq = 1;
	do {
		n = len - off < feed ? len - off : feed;
		bn_buf_reset(&out);
		r = bn_zdec_read(z, in + off, n, room, &used, &out, &err);
		check(used <= n, "used more than given");
		check(out.len <= room, "more output than room");
		off += used;
		if (r == BN_ZDEC_ERROR) {
			check(err != NULL, "error without a reason");
			rc = -1;
			break;
		}
		bn_buf_add(all, out.data, out.len);
		if (parse && rc == 0) {
			bn_buf_add(&plain, out.data, out.len);
			if (parse_frames(&plain, &st, &lim, &cur) == -1)
				rc = -2;	/* a link would close here */
		}
		if (all->len > FUZZ_MAX_OUT)
			break;
	} while (r == BN_ZDEC_FULL || off < len);
	bn_zdec_free(z);
	bn_buf_free(&out);
	bn_buf_free(&plain);
	bn_linkhdr_state_clear(&st);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t rooms[] = { 1, 7, 64, 4096, 65536 };
	static const size_t feeds[] = { 1, 3, 100, 1 << 20 };
	struct bn_buf	a = { 0 }, b = { 0 };
	size_t		room, feed;
	int		ra, rb;

	if (size < 1)
		return 0;
	room = rooms[data[0] % 5];
	feed = feeds[(data[0] / 5) % 4];
	ra = inflate_all(data + 1, size - 1, room, feed, &a, 1);
	/* the same stream at once, with the largest room: same bytes */
	rb = inflate_all(data + 1, size - 1, 65536, 1 << 20, &b, 0);
	if (ra != -1 && rb != -1 && a.len <= FUZZ_MAX_OUT &&
	    b.len <= FUZZ_MAX_OUT) {
		check(a.len == b.len, "output length depends on the split");
		check(memcmp(a.data, b.data, a.len) == 0,
		    "output depends on the split");
	}
	bn_buf_free(&a);
	bn_buf_free(&b);
	return 0;
}
