/*
 * Unit tests for the STOMP frame parser (bridge/frame.c) on a stream, case
 * by case: a frame fed a byte at a time costs linear work, frames back to
 * back, heart-beats alone, each limit exactly at and one over, need as the
 * exact byte count to wait for.
 */
#include "frame_fixture.h"

/*
 * A header block fed a byte at a time: with a cursor each call looks only
 * at the new byte, so the bytes examined stay linear (counted through the
 * scan's position, which only moves forward within a frame).
 */
static void
test_resume_linear(void **state)
{
	struct bn_buf		 b = { 0 };
	struct bn_frame_cursor	 cur;
	struct bn_frame		*f = NULL;
	enum bn_parse_result	 r;
	const char		*err;
	char			 want[256];
	size_t			 k, used, last = 0;
	int			 i;

	bn_buf_addstr(&b, "SEND\n");
	for (i = 0; i < 200; i++)
		bn_buf_printf(&b, "h%d:%0200d\n", i, i);
	bn_buf_add(&b, "\nbody", 5);
	bn_buf_add(&b, "", 1);
	memset(&cur, 0, sizeof(cur));
	for (k = 1; k <= b.len; k++) {
		r = bn_frame_parse_next(b.data, k, NULL, &cur, &f, &used, NULL,
		    &err);
		if (r == BN_PARSE_OK)
			break;
		assert_int_equal(r, BN_PARSE_NEED_MORE);
		assert_int_equal(cur.need, k + 1);
		/* past the command line, each call resumes where it ended */
		if (cur.s.phase != 0) {
			assert_true(cur.s.pos >= last);
			assert_true(cur.s.pos == k || cur.s.pos + 1 == k);
			last = cur.s.pos;
		}
	}
	assert_int_equal(k, b.len);
	assert_non_null(f);
	assert_int_equal(f->body_len, 4);
	snprintf(want, sizeof(want), "%0200d", 199);
	assert_string_equal(bn_frame_get(f, "h199"), want);
	bn_frame_free(f);
	bn_buf_free(&b);
}

/* Two frames and a partial third in one buffer. */
static void
test_back_to_back(void **state)
{
	static const char	 wire[] = "SEND\ndestination:a\n\none\0"
	    "\nMESSAGE\ncontent-length:1\n\n\0\0SEN";
	struct bn_frame		*f;
	size_t			 off = 0, used, need;
	bool			 hb;

	assert_int_equal(bn_frame_parse(wire, sizeof(wire) - 1, NULL, &f,
	    &used, &need, &hb, NULL), BN_PARSE_OK);
	assert_string_equal(f->command, "SEND");
	assert_string_equal(f->body, "one");
	assert_false(hb);
	assert_int_equal(used, 24);
	bn_frame_free(f);
	off += used;

	assert_int_equal(bn_frame_parse(wire + off, sizeof(wire) - 1 - off,
	    NULL, &f, &used, &need, &hb, NULL), BN_PARSE_OK);
	assert_string_equal(f->command, "MESSAGE");
	assert_int_equal(f->body_len, 1);
	assert_int_equal(f->body[0], '\0');
	assert_true(hb);
	assert_int_equal(used, 29);
	bn_frame_free(f);
	off += used;

	assert_int_equal(bn_frame_parse(wire + off, sizeof(wire) - 1 - off,
	    NULL, &f, &used, &need, &hb, NULL), BN_PARSE_NEED_MORE);
	assert_null(f);
	assert_int_equal(used, 0);
	assert_int_equal(need, 4);
}

/* Buffers of only EOLs: heart-beats used, or a lone CR to wait on. */
static void
test_heartbeats_only(void **state)
{
	static const struct {
		const char		*wire;
		size_t			 len;
		enum bn_parse_result	 r;
		size_t			 used;
		size_t			 need;
	} t[] = {
		{ BYTES(""), BN_PARSE_NEED_MORE, 0, 1 },
		{ BYTES("\r"), BN_PARSE_NEED_MORE, 0, 2 },
		{ BYTES("\n"), BN_PARSE_OK, 1, 0 },
		{ BYTES("\r\n\n"), BN_PARSE_OK, 3, 0 },
		{ BYTES("\n\r"), BN_PARSE_OK, 1, 0 },
		{ BYTES("\n\r\n\r"), BN_PARSE_OK, 3, 0 },
	};
	struct bn_frame	*f;
	size_t		 i, used, need;
	bool		 hb;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(bn_frame_parse(t[i].wire, t[i].len, NULL, &f,
		    &used, &need, &hb, NULL), t[i].r);
		assert_null(f);
		assert_int_equal(used, t[i].used);
		assert_int_equal(need, t[i].need);
		assert_int_equal(hb, t[i].r == BN_PARSE_OK);
	}
}

/* Each limit: exactly at it parses, one over is the named error. */
static void
test_limits_exact(void **state)
{
	static const char	 cl[] = "SEND\ncontent-length:4\n\nabcd";
	static const char	 nocl[] = "SEND\r\nab:cd\r\n\r\nabcd";
	static const char	 three[] = "SEND\na:1\nb:2\nc:3\n\n";
	static const char	 line[] = "SEND\nabcd:efgh\r\n\r\n";
	struct bn_frame_limits	 lim;
	struct bn_frame		*f;
	const char		*err;
	size_t			 used;

	/* Frame size counts command, headers and body, not the NUL. */
	bn_frame_limits_default(&lim);
	lim.max_frame_size = sizeof(cl) - 1;
	assert_int_equal(bn_frame_parse(cl, sizeof(cl), &lim, &f, &used,
	    NULL, NULL, &err), BN_PARSE_OK);
	assert_int_equal(used, sizeof(cl));
	bn_frame_free(f);
	lim.max_frame_size--;
	assert_int_equal(bn_frame_parse(cl, sizeof(cl), &lim, &f, &used,
	    NULL, NULL, &err), BN_PARSE_ERROR);
	assert_string_equal(err, "frame too large");

	lim.max_frame_size = sizeof(nocl) - 1;
	assert_int_equal(bn_frame_parse(nocl, sizeof(nocl), &lim, &f, &used,
	    NULL, NULL, &err), BN_PARSE_OK);
	assert_string_equal(f->body, "abcd");
	bn_frame_free(f);
	lim.max_frame_size--;
	assert_int_equal(bn_frame_parse(nocl, sizeof(nocl), &lim, &f, &used,
	    NULL, NULL, &err), BN_PARSE_ERROR);
	assert_string_equal(err, "frame too large");

	bn_frame_limits_default(&lim);
	lim.max_headers = 3;
	assert_int_equal(bn_frame_parse(three, sizeof(three), &lim, &f, &used,
	    NULL, NULL, &err), BN_PARSE_OK);
	assert_int_equal(f->nheaders, 3);
	bn_frame_free(f);
	lim.max_headers = 2;
	assert_int_equal(bn_frame_parse(three, sizeof(three), &lim, &f, &used,
	    NULL, NULL, &err), BN_PARSE_ERROR);
	assert_string_equal(err, "too many headers");
	lim.max_headers = 0;
	assert_int_equal(bn_frame_parse(BYTES("SEND\n\n\0"), &lim, &f, &used,
	    NULL, NULL, &err), BN_PARSE_OK);
	bn_frame_free(f);

	/* Line length excludes the EOL, LF or CRLF. */
	bn_frame_limits_default(&lim);
	lim.max_header_len = 9;
	assert_int_equal(bn_frame_parse(line, sizeof(line), &lim, &f, &used,
	    NULL, NULL, &err), BN_PARSE_OK);
	assert_string_equal(bn_frame_get(f, "abcd"), "efgh");
	bn_frame_free(f);
	/* A full-length line with its CR buffered is still waiting. */
	assert_int_equal(bn_frame_parse(line, 15, &lim, &f, &used, NULL, NULL,
	    &err), BN_PARSE_NEED_MORE);
	lim.max_header_len = 8;
	assert_int_equal(bn_frame_parse(line, 14, &lim, &f, &used, NULL, NULL,
	    &err), BN_PARSE_ERROR);
	assert_string_equal(err, "header line too long");

	/* NULL limits are the defaults: 1000 headers pass, 1001 do not. */
	{
		struct bn_buf	b = { 0 };
		int		i;

		bn_buf_addstr(&b, "SEND\n");
		for (i = 0; i < 1000; i++)
			bn_buf_printf(&b, "h%d:v\n", i);
		bn_buf_add(&b, BYTES("\n\0"));
		assert_int_equal(bn_frame_parse(b.data, b.len, NULL, &f, &used,
		    NULL, NULL, &err), BN_PARSE_OK);
		assert_int_equal(f->nheaders, 1000);
		bn_frame_free(f);
		b.len -= 2;
		bn_buf_add(&b, BYTES("x:y\n\n\0"));
		assert_int_equal(bn_frame_parse(b.data, b.len, NULL, &f, &used,
		    NULL, NULL, &err), BN_PARSE_ERROR);
		assert_string_equal(err, "too many headers");
		bn_buf_free(&b);
	}
}

/* A caller can sleep until need bytes: the next call then finishes. */
static void
test_need_exact(void **state)
{
	static const char	 wire[] = "MESSAGE\ncontent-length:10\n\n"
	    "0123456789";
	struct bn_frame		*f;
	size_t			 used, need;

	/* Before the blank line the length is not known yet. */
	assert_int_equal(bn_frame_parse(wire, 26, NULL, &f, &used, &need,
	    NULL, NULL), BN_PARSE_NEED_MORE);
	assert_int_equal(need, 27);
	assert_int_equal(bn_frame_parse(wire, 27, NULL, &f, &used, &need,
	    NULL, NULL), BN_PARSE_NEED_MORE);
	assert_int_equal(need, sizeof(wire));
	assert_int_equal(bn_frame_parse(wire, need, NULL, &f, &used, &need,
	    NULL, NULL), BN_PARSE_OK);
	assert_int_equal(used, sizeof(wire));
	assert_memory_equal(f->body, "0123456789", 11);
	bn_frame_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resume_linear),
		cmocka_unit_test(test_back_to_back),
		cmocka_unit_test(test_heartbeats_only),
		cmocka_unit_test(test_limits_exact),
		cmocka_unit_test(test_need_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
