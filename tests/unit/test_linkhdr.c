/*
 * Unit tests for bridge/linkhdr.c: for a table of messages, the compact
 * form decodes to exactly the headers of the long form (same names, same
 * values, same body), with seq counted and origin ids taken from the
 * previous message; bad compact frames are refused with a reason; ACK ids
 * become ranges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/linkhdr.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define NHDRS		8

struct hdr {
	const char	*name;
	const char	*value;
};

struct msg_case {
	const char	*what;
	const char	*dest;
	struct hdr	 hdrs[NHDRS];	/* the message's own headers */
	const char	*origin;
	const char	*origin_id;
	const char	*prev_path;
	uint64_t	 hops;
	const char	*body;
	size_t		 max_compact;	/* compact frame at most this long */
};

/* A body with NULs inside: its length is not strlen's. */
static const char nul_body[] = "\0bin\0";

#define AMQ_HDRS(ts)	{ "expires", "0" }, { "priority", "4" }, \
	{ "timestamp", ts }, { "persistent", "true" }

/* One link's messages, in order: the origin ids refer back. */
static const struct msg_case msgs[] = {
	{ "first hop", "/queue/orders", { AMQ_HDRS("1764670000000") }, "A",
	    "ID:host-41234-1764670000000-3:1:1:1:1", ",", 1, "{\"a\":1}", 130 },
	{ "next message: origin id shares its prefix", "/queue/orders",
	    { AMQ_HDRS("1764670000001") }, "A",
	    "ID:host-41234-1764670000000-3:1:1:1:2", ",", 1, "{\"a\":2}", 80 },
	{ "second hop: path and origin derived", "/queue/orders",
	    { AMQ_HDRS("1764670000002") }, "X",
	    "ID:host-41234-1764670000000-3:1:1:1:3", ",X,", 2, "", 80 },
	{ "origin not first on the path", "/queue/q", { { "persistent",
	    "false" } }, "Z", "ID:other-1", ",X,", 2, "body", 0 },
	{ "hops not the path length", "/queue/q", { { "type", "t" } }, "A",
	    NULL, ",", 5, "x", 0 },
	{ "no origin id, odd path spelling", "/queue/q", { { "a", "1" } },
	    "A", NULL, ",X", 3, "y", 0 },
	{ "one-letter, tilde and empty header names", "/queue/q",
	    { { "d", "v1" }, { "~x", "v2" }, { "M", "v3" }, { "~", "v4" },
	    { "content-type", "text/plain" }, { "reply-to", "/queue/r" },
	    { "correlation-id", "c1" } }, "A", "ID:z", ",", 1, "", 0 },
	{ "escapes in names and values", "/queue/a:b", { { "k:1", "v\nw" },
	    { "back\\slash", "c\rd" } }, "A", "ID:host-41234-1:1", ",", 1,
	    nul_body, 0 },
	{ "not a queue", "/topic/t", { { "x-y", "z" } }, "A", "ID:host-4",
	    ",", 1, "t", 0 },
	{ "origin id shorter than the previous", "/queue/q", { { "h1",
	    "1" } }, "A", "I", ",", 1, "", 0 },
};

static void
msg_write(const struct msg_case *c, struct bn_linkhdr_state *st,
    uint64_t seq, struct bn_buf *b)
{
	struct bn_linkhdr_net	 net;
	size_t			 i;

	net.self = "B";
	net.origin = c->origin;
	net.origin_id = c->origin_id;
	net.prev_path = c->prev_path;
	net.hops = c->hops;
	bn_buf_reset(b);
	bn_linkhdr_begin(b, st, seq, c->dest);
	for (i = 0; i < NHDRS && c->hdrs[i].name != NULL; i++)
		bn_linkhdr_add(b, st, c->hdrs[i].name, c->hdrs[i].value);
	bn_linkhdr_end(b, st, &net, c->body, c->body == nul_body ?
	    sizeof(nul_body) - 1 : strlen(c->body));
}

static struct bn_frame *
msg_parse(const struct bn_buf *b)
{
	struct bn_frame_limits	 lim;
	struct bn_frame		*f = NULL;
	size_t			 used = 0, need = 0;
	const char		*err = NULL;

	bn_frame_limits_default(&lim);
	assert_int_equal(bn_frame_parse(b->data, b->len, &lim, &f, &used,
	    &need, NULL, &err), BN_PARSE_OK);
	assert_int_equal(used, b->len);
	assert_non_null(f);
	return f;
}

/* Every header of a is in b with the same value and the other way round
 * (content-length aside: the decoded frame has none until serialised). */
static void
same_headers(const struct bn_frame *a, const struct bn_frame *b)
{
	size_t	i, na = 0, nb = 0;

	for (i = 0; i < a->nheaders; i++) {
		if (strcmp(a->headers[i].name, "content-length") == 0)
			continue;
		na++;
		assert_non_null(bn_frame_get(b, a->headers[i].name));
		assert_string_equal(bn_frame_get(b, a->headers[i].name),
		    a->headers[i].value);
	}
	for (i = 0; i < b->nheaders; i++)
		nb += strcmp(b->headers[i].name, "content-length") != 0;
	assert_int_equal(na, nb);
}

static void
test_compact_equals_long(void **state)
{
	struct bn_linkhdr_state	 tx = { 0 }, rx = { 0 };
	struct bn_buf		 lb = { 0 }, cb = { 0 };
	size_t			 i;

	rx.next_seq = 1;
	for (i = 0; i < NELEM(msgs); i++) {
		struct bn_frame	*lf, *cf, *df;
		const char	*err = NULL;

		print_message("case: %s\n", msgs[i].what);
		msg_write(&msgs[i], NULL, i + 1, &lb);
		msg_write(&msgs[i], &tx, i + 1, &cb);
		lf = msg_parse(&lb);
		cf = msg_parse(&cb);
		assert_string_equal(cf->command, "M");
		assert_null(bn_frame_get(cf, "seq"));
		df = bn_linkhdr_decode(&rx, cf, "B", &err);
		if (df == NULL)
			fail_msg("decode: %s", err);
		assert_string_equal(df->command, "MESSAGE");
		same_headers(lf, df);
		same_headers(df, lf);
		assert_int_equal(df->body_len, lf->body_len);
		assert_memory_equal(df->body, lf->body, lf->body_len);
		if (msgs[i].max_compact > 0) {
			print_message("  long %zu bytes, compact %zu\n", lb.len,
			    cb.len);
			assert_true(cb.len <= msgs[i].max_compact);
		}
		assert_true(cb.len < lb.len);
		bn_frame_free(lf);
		bn_frame_free(cf);
		bn_frame_free(df);
	}
	bn_linkhdr_state_clear(&tx);
	bn_linkhdr_state_clear(&rx);
	bn_buf_free(&lb);
	bn_buf_free(&cb);
}

struct bad_case {
	const char	*what;
	const char	*wire;		/* NUL-terminated frame text, no NUL */
	const char	*err;		/* substring */
};

static const struct bad_case bads[] = {
	{ "no destination", "M\nP:true\ncontent-length:0\n\n", "destination" },
	{ "two destinations", "M\nd:a\nd:b\ncontent-length:0\n\n", "two" },
	{ "unknown one-letter header", "M\nd:a\nq:1\ncontent-length:0\n\n",
	    "unknown" },
	{ "origin id beyond the previous one", "M\nd:a\ni:3:x\n"
	    "content-length:0\n\n", "origin id" },
	{ "origin id without colon", "M\nd:a\ni:3\ncontent-length:0\n\n",
	    "origin id" },
	{ "hops not a number", "M\nd:a\nh:x\ncontent-length:0\n\n", "hops" },
	{ "hops negative", "M\nd:a\nh:-1\ncontent-length:0\n\n", "hops" },
};

static void
test_bad_compact(void **state)
{
	size_t	i;

	for (i = 0; i < NELEM(bads); i++) {
		struct bn_linkhdr_state	 rx = { 0 };
		struct bn_buf		 b = { 0 };
		struct bn_frame		*f, *d;
		const char		*err = NULL;

		print_message("case: %s\n", bads[i].what);
		rx.next_seq = 1;
		bn_buf_addstr(&b, bads[i].wire);
		bn_buf_add(&b, "", 1);
		f = msg_parse(&b);
		d = bn_linkhdr_decode(&rx, f, "B", &err);
		assert_null(d);
		assert_non_null(err);
		assert_non_null(strstr(err, bads[i].err));
		assert_int_equal(rx.next_seq, 1);	/* nothing counted */
		bn_frame_free(f);
		bn_buf_free(&b);
	}
}

/* The receiver's seq is the count of M frames; origin ids chain. */
static void
test_seq_and_chain(void **state)
{
	struct bn_linkhdr_state	 rx = { 0 };
	static const char *const wires[] = {
		"M\nd:q\ni:0:ID:h-1:1:1:1:9\ncontent-length:0\n\n",
		"M\nd:q\ni:13:10\ncontent-length:0\n\n",
		"M\nd:q\ni:0:\ncontent-length:0\n\n",
	};
	static const char *const want[] = { "ID:h-1:1:1:1:9", "ID:h-1:1:1:1:10",
	    "" };
	size_t	i;
	char	num[8];

	rx.next_seq = 1;
	for (i = 0; i < NELEM(wires); i++) {
		struct bn_buf	 b = { 0 };
		struct bn_frame	*f, *d;
		const char	*err = NULL;

		bn_buf_addstr(&b, wires[i]);
		bn_buf_add(&b, "", 1);
		f = msg_parse(&b);
		d = bn_linkhdr_decode(&rx, f, "B", &err);
		assert_non_null(d);
		snprintf(num, sizeof(num), "%zu", i + 1);
		assert_string_equal(bn_frame_get(d, "seq"), num);
		assert_string_equal(bn_frame_get(d, "brokernet_origin_id"),
		    want[i]);
		assert_string_equal(bn_frame_get(d, "brokernet_path"), ",B,");
		assert_string_equal(bn_frame_get(d, "brokernet_origin"), "B");
		assert_string_equal(bn_frame_get(d, "brokernet_hops"), "1");
		assert_string_equal(bn_frame_get(d, "destination"),
		    "/queue/q");
		bn_frame_free(f);
		bn_frame_free(d);
		bn_buf_free(&b);
	}
	bn_linkhdr_state_clear(&rx);
}

static void
test_ack_ranges(void **state)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "1", "1" },
		{ "1,2,3", "1-3" },
		{ "1,2,3,5,7,8", "1-3,5,7-8" },
		{ "9,8,7", "9,8,7" },
		{ "5,6,x,7,8", "5-6,x,7-8" },
		{ "18446744073709551615,1", "18446744073709551615,1" },
		{ "", "" },
	};
	size_t	i;

	for (i = 0; i < NELEM(cases); i++) {
		struct bn_buf	b = { 0 };

		bn_buf_addstr(&b, "ids:");
		bn_linkhdr_ack_ranges(cases[i].in, strlen(cases[i].in), &b);
		bn_buf_addc(&b, '\0');
		assert_string_equal(b.data + 4, cases[i].out);
		bn_buf_free(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_equals_long),
		cmocka_unit_test(test_bad_compact),
		cmocka_unit_test(test_seq_and_chain),
		cmocka_unit_test(test_ack_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
