/*
 * Unit tests for bridge/zlink.c: round trips over a table of inputs, split
 * and flushed in different ways, decoded with different output rooms and
 * input splits; every flush makes all bytes so far decodable; repetition
 * across messages compresses; incompressible data grows by little; bad
 * streams and oversized windows are refused; output never exceeds room.
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

#include <zstd.h>

#include "brokernet/util.h"
#include "brokernet/zlink.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t	test_rng = 88172645463325252ULL;

static uint32_t
test_rand(void)
{
	test_rng ^= test_rng << 13;
	test_rng ^= test_rng >> 7;
	test_rng ^= test_rng << 17;
	return (uint32_t)test_rng;
}

/* A JSON order event of about 1 KiB, varied by i. */
static void
test_order(struct bn_buf *b, unsigned i)
{
	static const char *const names[] = { "Alice Martin", "Bo Chen",
	    "Carla Diaz", "Dmitri Ivanov", "Eve Okafor" };
	static const char *const skus[] = { "SKU-10423", "SKU-88812",
	    "SKU-00017", "SKU-55310", "SKU-71288", "SKU-30101" };
	unsigned	 n, k;

	bn_buf_printf(b, "{\"event\":\"order.created\",\"orderId\":\"ORD-%08u"
	    "\",\"customer\":{\"id\":%u,\"name\":\"%s\",\"tier\":\"%s\"},"
	    "\"createdAt\":\"2026-12-02T10:%02u:%02u.%03uZ\",\"currency\":"
	    "\"EUR\",\"items\":[", 10000000 + i * 7, test_rand() % 100000,
	    names[test_rand() % NELEM(names)], test_rand() % 2 ? "gold" :
	    "standard", i % 60, test_rand() % 60, test_rand() % 1000);
	n = 3 + test_rand() % 4;
	for (k = 0; k < n; k++)
		bn_buf_printf(b, "%s{\"sku\":\"%s\",\"qty\":%u,\"unitPrice\":"
		    "%u.%02u,\"warehouse\":\"WH-%u\"}", k ? "," : "",
		    skus[test_rand() % NELEM(skus)], 1 + test_rand() % 9,
		    test_rand() % 500, test_rand() % 100, test_rand() % 9);
	bn_buf_printf(b, "],\"shipping\":{\"method\":\"express\",\"street\":"
	    "\"%u Harbour Road\",\"city\":\"Rotterdam\",\"zip\":\"30%02uAB\"}"
	    ",\"total\":%u.%02u}", test_rand() % 900, test_rand() % 100,
	    test_rand() % 9000, test_rand() % 100);
}

enum kind { K_EMPTY, K_TEXT, K_ORDERS, K_RANDOM, K_ZEROS };

struct rt_case {
	const char	*name;
	enum kind	 kind;
	size_t		 len;		/* K_RANDOM, K_ZEROS, K_TEXT */
	size_t		 piece;		/* bytes per write */
	bool		 flush_each;	/* flush after every write */
	size_t		 room;		/* decoder output room per call */
	size_t		 feed;		/* compressed bytes per decoder call */
};

static const struct rt_case rt_cases[] = {
	{ "empty", K_EMPTY, 0, 1, true, 100, 1 },
	{ "short text, one write", K_TEXT, 11, 11, true, 100, 1000 },
	{ "orders, one write per message, flushed", K_ORDERS, 0, 0, true,
	    65536, 1 << 20 },
	{ "orders, 7-byte writes, flushed once", K_ORDERS, 0, 7, false, 13,
	    1 },
	{ "orders, 1000-byte writes, small room", K_ORDERS, 0, 1000, true, 1,
	    97 },
	{ "random 256 KiB, 4 KiB writes", K_RANDOM, 262144, 4096, true,
	    65536, 1500 },
	{ "zeros 4 MiB, one write, 64 KiB room", K_ZEROS, 4194304, 4194304,
	    true, 65536, 1 << 20 },
};

static void
rt_input(const struct rt_case *c, struct bn_buf *in, struct bn_buf *marks)
{
	unsigned	i;
	size_t		k;

	switch (c->kind) {
	case K_EMPTY:
		break;
	case K_TEXT:
		bn_buf_add(in, "hello world", c->len);
		break;
	case K_ORDERS:
		for (i = 0; i < 300; i++) {
			test_order(in, i);
			bn_buf_add(marks, &in->len, sizeof(in->len));
		}
		break;
	case K_RANDOM:
		for (k = 0; k < c->len; k++)
			bn_buf_addc(in, (char)test_rand());
		break;
	case K_ZEROS:
		bn_buf_reserve(in, c->len);
		memset(in->data, 0, c->len);
		in->len = c->len;
		break;
	}
}

/* Decodes all of z[0..zlen), checking that no call exceeds room. */
static void
rt_decode(struct bn_zdec *dec, const char *z, size_t zlen, size_t room,
    size_t feed, struct bn_buf *out)
{
	size_t			 off = 0, used, n, before;
	enum bn_zdec_result	 r;
	const char		*err = NULL;

	do {
		n = zlen - off < feed ? zlen - off : feed;
		before = out->len;
		r = bn_zdec_read(dec, z + off, n, room, &used, out, &err);
		assert_int_not_equal(r, BN_ZDEC_ERROR);
		assert_true(out->len - before <= room);
		assert_true(used <= n);
		off += used;
	} while (r == BN_ZDEC_FULL || off < zlen);
}

static void
test_round_trips(void **state)
{
	size_t	i;

	for (i = 0; i < NELEM(rt_cases); i++) {
		const struct rt_case	*c = &rt_cases[i];
		struct bn_buf		 in = { 0 }, marks = { 0 }, z = { 0 };
		struct bn_buf		 out = { 0 };
		struct bn_zenc		*enc = bn_zenc_new();
		struct bn_zdec		*dec = bn_zdec_new();
		const char		*err = NULL;
		size_t			 off = 0, n, prev = 0, m = 0;

		print_message("case: %s\n", c->name);
		rt_input(c, &in, &marks);
		while (off < in.len) {
			if (c->piece == 0) {	/* one write per message */
				memcpy(&n, marks.data + m * sizeof(size_t),
				    sizeof(n));
				n -= prev;
				prev += n;
				m++;
			} else
				n = in.len - off < c->piece ? in.len - off :
				    c->piece;
			assert_int_equal(bn_zenc_write(enc, in.data + off, n,
			    c->flush_each, &z, &err), 0);
			off += n;
		}
		assert_int_equal(bn_zenc_write(enc, NULL, 0, true, &z, &err),
		    0);
		assert_false(bn_zenc_pending(enc));
		rt_decode(dec, z.data, z.len, c->room, c->feed, &out);
		assert_int_equal(out.len, in.len);
		if (in.len > 0)
			assert_memory_equal(out.data, in.data, in.len);
		if (c->kind == K_ZEROS)	/* a bomb, but bounded per call */
			assert_true(z.len * 100 < in.len);
		bn_zenc_free(enc);
		bn_zdec_free(dec);
		bn_buf_free(&in);
		bn_buf_free(&marks);
		bn_buf_free(&z);
		bn_buf_free(&out);
	}
}

/* Each flush makes every byte written so far decodable: no waiting. */
static void
test_flush_delivers_all(void **state)
{
	struct bn_zenc	*enc = bn_zenc_new();
	struct bn_zdec	*dec = bn_zdec_new();
	struct bn_buf	 msg = { 0 }, z = { 0 }, out = { 0 }, all = { 0 };
	const char	*err = NULL;
	unsigned	 i;

	for (i = 0; i < 50; i++) {
		bn_buf_reset(&msg);
		test_order(&msg, i);
		bn_buf_add(&all, msg.data, msg.len);
		bn_buf_reset(&z);
		assert_int_equal(bn_zenc_write(enc, msg.data, msg.len, false,
		    &z, &err), 0);
		assert_true(bn_zenc_pending(enc));
		assert_int_equal(bn_zenc_write(enc, NULL, 0, true, &z, &err),
		    0);
		assert_false(bn_zenc_pending(enc));
		rt_decode(dec, z.data, z.len, 65536, z.len, &out);
		assert_int_equal(out.len, all.len);
		assert_memory_equal(out.data, all.data, all.len);
	}
	/* the per-link bound the README states (both directions in use) */
	print_message("memory: compressor %zu bytes, decompressor %zu\n",
	    bn_zenc_mem(enc), bn_zdec_mem(dec));
	assert_true(bn_zenc_mem(enc) <= 1024 * 1024);
	assert_true(bn_zdec_mem(dec) <= 640 * 1024);
	bn_zenc_free(enc);
	bn_zdec_free(dec);
	bn_buf_free(&msg);
	bn_buf_free(&z);
	bn_buf_free(&out);
	bn_buf_free(&all);
}

/* What one stream gains over compressing each message alone, and what
 * incompressible messages cost; prints the figures. */
static void
test_ratios(void **state)
{
	struct bn_zenc	*enc = bn_zenc_new(), *enc2 = bn_zenc_new();
	struct bn_buf	 msg = { 0 }, z = { 0 }, zr = { 0 };
	const char	*err = NULL;
	size_t		 plain = 0, alone = 0, k, rnd = 0;
	unsigned	 i;

	for (i = 0; i < 1000; i++) {
		bn_buf_reset(&msg);
		test_order(&msg, i);
		plain += msg.len;
		assert_int_equal(bn_zenc_write(enc, msg.data, msg.len, true,
		    &z, &err), 0);
		alone += ZSTD_compressBound(msg.len) > 0 ?
		    ZSTD_compress(zr.data = xrealloc(zr.data, 4096), 4096,
		    msg.data, msg.len, BN_ZLINK_LEVEL) : 0;
	}
	print_message("orders: %zu bytes, stream %zu (%.1f %%), alone %zu"
	    " (%.1f %%)\n", plain, z.len, 100.0 * z.len / plain, alone,
	    100.0 * alone / plain);
	assert_true(z.len * 2 < alone);
	assert_true(z.len * 4 < plain);
	/* 1000 random 1 KiB messages, flushed one by one: <= 2 % more */
	bn_buf_reset(&z);
	for (i = 0; i < 1000; i++) {
		bn_buf_reset(&msg);
		for (k = 0; k < 1024; k++)
			bn_buf_addc(&msg, (char)test_rand());
		rnd += msg.len;
		assert_int_equal(bn_zenc_write(enc2, msg.data, msg.len, true,
		    &z, &err), 0);
	}
	print_message("random: %zu bytes, stream %zu (+%.2f %%)\n", rnd,
	    z.len, 100.0 * ((double)z.len - rnd) / rnd);
	assert_true(z.len * 100 <= rnd * 102);
	bn_zenc_free(enc);
	bn_zenc_free(enc2);
	bn_buf_free(&msg);
	bn_buf_free(&z);
	free(zr.data);
}

struct bad_case {
	const char	*name;
	const char	*bytes;
	size_t		 len;
};

static void
test_bad_streams(void **state)
{
	static const struct bad_case cases[] = {
		{ "not zstd", "hello, this is plain text", 25 },
		{ "frame header with its reserved bit set",
		    "\x28\xb5\x2f\xfd\x08\x40\x00\x00\x00\x00", 10 },
		{ "reserved block type", "\x28\xb5\x2f\xfd\x00\x58\x07\x00"
		    "\x00\x41", 10 },
	};
	size_t	i;

	for (i = 0; i < NELEM(cases); i++) {
		struct bn_zdec		*dec = bn_zdec_new();
		struct bn_buf		 out = { 0 };
		const char		*err = NULL;
		size_t			 used;
		enum bn_zdec_result	 r;

		print_message("case: %s\n", cases[i].name);
		r = bn_zdec_read(dec, cases[i].bytes, cases[i].len, 65536,
		    &used, &out, &err);
		assert_int_equal(r, BN_ZDEC_ERROR);
		assert_non_null(err);
		bn_zdec_free(dec);
		bn_buf_free(&out);
	}
}

/* A peer's frame that asks for a 16 MiB window is refused. */
static void
test_window_too_large(void **state)
{
	ZSTD_CCtx	*c = ZSTD_createCCtx();
	struct bn_zdec	*dec = bn_zdec_new();
	struct bn_buf	 in = { 0 }, z = { 0 }, out = { 0 };
	const char	*err = NULL;
	size_t		 used, k, n;
	ZSTD_inBuffer	 ib;
	ZSTD_outBuffer	 ob;

	for (k = 0; k < (1u << 20); k++)
		bn_buf_addc(&in, (char)(test_rand() % 4));
	ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 24);
	bn_buf_reserve(&z, ZSTD_compressBound(in.len));
	ib.src = in.data;
	ib.size = in.len;
	ib.pos = 0;
	ob.dst = z.data;
	ob.size = z.cap;
	ob.pos = 0;
	/* streaming without a known size: the header states the window */
	do {
		n = ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end);
		assert_false(ZSTD_isError(n));
	} while (n != 0);
	z.len = ob.pos;
	assert_int_equal(bn_zdec_read(dec, z.data, z.len, 65536, &used, &out,
	    &err), BN_ZDEC_ERROR);
	assert_non_null(strstr(err, "window"));
	ZSTD_freeCCtx(c);
	bn_zdec_free(dec);
	bn_buf_free(&in);
	bn_buf_free(&z);
	bn_buf_free(&out);
}

static void
test_free_null(void **state)
{
	bn_zenc_free(NULL);
	bn_zdec_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_flush_delivers_all),
		cmocka_unit_test(test_ratios),
		cmocka_unit_test(test_bad_streams),
		cmocka_unit_test(test_window_too_large),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
