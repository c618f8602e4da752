/*
 * Unit tests for the STOMP frame codec (bridge/frame.c), table-driven: each
 * valid frame is parsed whole, at every prefix, split at every byte and fed
 * byte by byte; each bad input must give its exact reason without
 * allocating (counted when built with AddressSanitizer). Hand-written
 * stream cases are in test_frame_stream.c, the builder and serializer in
 * test_frame_build.c.
 */
#include "frame_fixture.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_COUNT_ALLOCS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_COUNT_ALLOCS 1
#endif
#endif

#ifdef TEST_COUNT_ALLOCS
/* From sanitizer/allocator_interface.h, which gcc does not install. */
int	__sanitizer_install_malloc_and_free_hooks(
	    void (*)(const volatile void *, size_t),
	    void (*)(const volatile void *));

static volatile size_t	 test_nallocs;

static void
test_malloc_hook(const volatile void *p, size_t n)
{
	test_nallocs++;
}

static void
test_free_hook(const volatile void *p)
{
}
#endif

#define NHDRS		8

struct valid_case {
	const char	*name;
	const char	*wire;
	size_t		 wire_len;
	const char	*command;
	struct hdr	 headers[NHDRS];
	size_t		 nheaders;
	const char	*body;
	size_t		 body_len;
	bool		 heartbeats;	/* EOLs before the command */
	bool		 has_cl;	/* need is exact once headers end */
};

static const struct valid_case valid_cases[] = {
	{ "simple SEND",
	    BYTES("SEND\ndestination:/queue/a\n\nhello\0"),
	    "SEND", { { "destination", "/queue/a" } }, 1,
	    BYTES("hello"), false, false },
	{ "CRLF line ends",
	    BYTES("SEND\r\ndestination:/queue/a\r\nreceipt:77\r\n\r\nhi\0"),
	    "SEND", { { "destination", "/queue/a" }, { "receipt", "77" } }, 2,
	    BYTES("hi"), false, false },
	{ "binary body with NULs and content-length",
	    BYTES("MESSAGE\ncontent-length:5\nmessage-id:m1\n\na\0b\0c\0"),
	    "MESSAGE", { { "content-length", "5" }, { "message-id", "m1" } },
	    2, BYTES("a\0b\0c"), false, true },
	{ "escaped name and value",
	    BYTES("MESSAGE\nk\\cey:a\\nb\\rc\\\\d\\ce\n\nx\0"),
	    "MESSAGE", { { "k:ey", "a\nb\rc\\d:e" } }, 1,
	    BYTES("x"), false, false },
	{ "heart-beats before the frame",
	    BYTES("\n\r\n\nSEND\ndestination:q\n\n\0"),
	    "SEND", { { "destination", "q" } }, 1,
	    BYTES(""), true, false },
	{ "heart-beats, CRLF, binary body",
	    BYTES("\r\nSEND\r\ncontent-length:3\r\n\r\n\0\n\0\0"),
	    "SEND", { { "content-length", "3" } }, 1,
	    BYTES("\0\n\0"), true, true },
	{ "CONNECT is not unescaped",
	    BYTES("CONNECT\naccept-version:1.2\nlogin:a\\tb\n"
	    "passcode:c\\d:e\\\n\n\0"),
	    "CONNECT", { { "accept-version", "1.2" }, { "login", "a\\tb" },
	    { "passcode", "c\\d:e\\" } }, 3, BYTES(""), false, false },
	{ "CONNECTED is not unescaped",
	    BYTES("CONNECTED\r\nversion:1.2\r\nserver:x\\c\\y\r\n\r\n\0"),
	    "CONNECTED", { { "version", "1.2" }, { "server", "x\\c\\y" } }, 2,
	    BYTES(""), false, false },
	{ "repeated headers kept in order, empty value",
	    BYTES("MESSAGE\nfoo:1\nfoo:2\nbar:\n\n\0"),
	    "MESSAGE", { { "foo", "1" }, { "foo", "2" }, { "bar", "" } }, 3,
	    BYTES(""), false, false },
	{ "content-length 0 with CRLF",
	    BYTES("SEND\r\ncontent-length:0\r\n\r\n\0"),
	    "SEND", { { "content-length", "0" } }, 1,
	    BYTES(""), false, true },
	{ "link command, no headers",
	    BYTES("LINK_HELLO\n\nbody\0"),
	    "LINK_HELLO", { { NULL, NULL } }, 0,
	    BYTES("body"), false, false },
	{ "first content-length wins",
	    BYTES("SEND\ncontent-length:2\ncontent-length:9\n\nab\0"),
	    "SEND", { { "content-length", "2" }, { "content-length", "9" } },
	    2, BYTES("ab"), false, true },
	{ "32-character command",
	    BYTES("ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDE\n\n\0"),
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDE", { { NULL, NULL } }, 0,
	    BYTES(""), false, false },
	{ "raw ':' in value, split at the first",
	    BYTES("MESSAGE\nurl:tcp://h:61613\n\n\0"),
	    "MESSAGE", { { "url", "tcp://h:61613" } }, 1,
	    BYTES(""), false, false },
	{ "body with CR LF and escapes left alone",
	    BYTES("SEND\ncontent-length:6\n\n\\t\r\n:\n\0"),
	    "SEND", { { "content-length", "6" } }, 1,
	    BYTES("\\t\r\n:\n"), false, true },
};

struct error_case {
	const char			*name;
	const char			*wire;
	size_t				 wire_len;
	const struct bn_frame_limits	*lim;	/* NULL: defaults */
	const char			*err;
};

static const struct bn_frame_limits small = { 64, 2, 20 };
static const struct bn_frame_limits tiny_frame = { 32, 100, 100 };

#define E_VALUE	"bad escape in header value (only \\r \\n \\c \\\\ are defined)"
#define E_NAME	"bad escape in header name (only \\r \\n \\c \\\\ are defined)"

static const struct error_case error_cases[] = {
	{ "bad escape \\t in value", BYTES("SEND\nfoo:a\\tb\n\n\0"), NULL,
	    E_VALUE },
	{ "bad escape \\t in name", BYTES("SEND\nf\\to:a\n\n\0"), NULL,
	    E_NAME },
	{ "bad escape seen before EOL", BYTES("SEND\nfoo:a\\x"), NULL,
	    E_VALUE },
	{ "trailing backslash", BYTES("SEND\nfoo:ab\\\n\n\0"), NULL,
	    "header ends in a lone '\\'" },
	{ "trailing backslash, CRLF", BYTES("SEND\r\nfoo:ab\\\r\n\r\n\0"),
	    NULL, "header ends in a lone '\\'" },
	{ "lower-case command", BYTES("send\n\n\0"), NULL,
	    "bad command: not [A-Z_]" },
	{ "digit in command", BYTES("SEND1\n\n\0"), NULL,
	    "bad command: not [A-Z_]" },
	{ "space after command", BYTES("SEND \n\n\0"), NULL,
	    "bad command: not [A-Z_]" },
	{ "NUL in command", BYTES("SEN\0D\n\n\0"), NULL,
	    "bad command: not [A-Z_]" },
	{ "33-character command, before EOL",
	    BYTES("ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDEF"), NULL,
	    "command longer than 32 characters" },
	{ "bare CR before the command", BYTES("\rSEND\n\n\0"), NULL,
	    "CR not followed by LF in command line" },
	{ "bare CR after the command", BYTES("SEND\rX\n\n\0"), NULL,
	    "CR not followed by LF in command line" },
	{ "bare CR in a header", BYTES("SEND\nfoo:a\rb\n\n\0"), NULL,
	    "CR not followed by LF in header" },
	{ "bare CR ending the headers", BYTES("SEND\nfoo:a\n\rX\0"), NULL,
	    "CR not followed by LF in header" },
	{ "header without ':'", BYTES("SEND\nfoo\n\n\0"), NULL,
	    "header without ':'" },
	{ "empty header name", BYTES("SEND\n:bar\n\n\0"), NULL,
	    "empty header name" },
	{ "NUL in header value", BYTES("SEND\nfoo:a\0b\n\n\0"), NULL,
	    "NUL in header" },
	{ "NUL in header, before EOL", BYTES("SEND\nfoo\0"), NULL,
	    "NUL in header" },
	{ "NUL ending the headers", BYTES("SEND\nfoo:a\n\0"), NULL,
	    "NUL in header" },
	{ "missing NUL after content-length body",
	    BYTES("SEND\ncontent-length:2\n\nabc"), NULL,
	    "frame not terminated by NUL" },
	{ "content-length 12x", BYTES("SEND\ncontent-length:12x\n"), NULL,
	    "content-length not a number" },
	{ "content-length -1", BYTES("SEND\ncontent-length:-1\n"), NULL,
	    "content-length not a number" },
	{ "content-length empty", BYTES("SEND\ncontent-length:\n"), NULL,
	    "content-length not a number" },
	{ "content-length with space", BYTES("SEND\ncontent-length: 5\n"),
	    NULL, "content-length not a number" },
	{ "content-length overflows",
	    BYTES("SEND\ncontent-length:99999999999999999999999\n"), NULL,
	    "content-length not a number" },
	{ "content-length over the limit, before the body",
	    BYTES("SEND\ncontent-length:1000000000000000\n"), NULL,
	    "frame too large" },
	{ "content-length over a small limit",
	    BYTES("SEND\ncontent-length:60\n\n"), &small, "frame too large" },
	{ "whole frame over the limit",
	    BYTES("SEND\n\n0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789\0"), &small,
	    "frame too large" },
	{ "unterminated body over the limit",
	    BYTES("SEND\n\n0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789"), &small,
	    "frame too large" },
	{ "headers over the frame limit",
	    BYTES("SEND\na:0123456789\nb:0123456789\nc:0123456789\n"),
	    &tiny_frame, "frame too large" },
	{ "command over the frame limit",
	    BYTES("ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDE"), &(struct bn_frame_limits)
	    { 8, 8, 8 }, "frame too large" },
	{ "too many headers, before the third line ends",
	    BYTES("SEND\na:1\nb:2\nc"), &small, "too many headers" },
	{ "header line too long, before its EOL",
	    BYTES("SEND\nabcdefgh:0123456789ab"), &small,
	    "header line too long" },
	{ "header line too long, CRLF",
	    BYTES("SEND\r\nabcdefgh:0123456789ab\r\n\r\n\0"), &small,
	    "header line too long" },
};

/* Compares a parsed frame with what a valid case expects. */
static void
check_frame(const struct valid_case *c, const struct bn_frame *f)
{
	size_t	i;

	assert_non_null(f);
	assert_string_equal(f->command, c->command);
	assert_int_equal(f->nheaders, c->nheaders);
	for (i = 0; i < c->nheaders; i++) {
		assert_string_equal(f->headers[i].name, c->headers[i].name);
		assert_string_equal(f->headers[i].value, c->headers[i].value);
	}
	assert_int_equal(f->body_len, c->body_len);
	assert_memory_equal(f->body, c->body, c->body_len + 1);
}

/* A caller of the parser: buffers input, waits for *need, drains used. */
struct reader {
	struct bn_buf	 in;
	size_t		 need;
	bool		 resume;	/* bn_frame_parse_next with cur */
	struct bn_frame_cursor cur;
	struct bn_frame	*frames[64];
	size_t		 nframes;
	size_t		 calls;
};

static void
reader_feed(struct reader *r, const char *p, size_t n)
{
	enum bn_parse_result	 res;
	struct bn_frame		*f;
	const char		*err;
	size_t			 used;
	bool			 hb;

	bn_buf_add(&r->in, p, n);
	while (r->in.len > 0 && r->in.len >= r->need) {
		r->calls++;
		if (r->resume) {
			res = bn_frame_parse_next(r->in.data, r->in.len, NULL,
			    &r->cur, &f, &used, &hb, &err);
			r->need = r->cur.need;
		} else
			res = bn_frame_parse(r->in.data, r->in.len, NULL, &f,
			    &used, &r->need, &hb, &err);
		if (res == BN_PARSE_NEED_MORE) {
			assert_true(r->need > r->in.len);
			return;
		}
		assert_int_equal(res, BN_PARSE_OK);
		assert_true(used > 0 && used <= r->in.len);
		r->need = 0;
		if (f != NULL) {
			assert_true(r->nframes < 64);
			r->frames[r->nframes++] = f;
		} else
			assert_true(hb);
		memmove(r->in.data, r->in.data + used, r->in.len - used);
		r->in.len -= used;
	}
}

static void
reader_free(struct reader *r)
{
	size_t	i;

	for (i = 0; i < r->nframes; i++)
		bn_frame_free(r->frames[i]);
	bn_buf_free(&r->in);
	memset(r, 0, sizeof(*r));
}

static bool
all_eols(const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (p[i] != '\n' && p[i] != '\r')
			return false;
	return true;
}

/* Whole frame, then with trailing bytes that must not be used. */
static void
test_valid_whole(void **state)
{
	const struct valid_case	*c = *state;
	struct bn_frame		*f;
	struct bn_buf		 b = { 0 };
	const char		*err;
	size_t			 used, need;
	bool			 hb;

	assert_int_equal(bn_frame_parse(c->wire, c->wire_len, NULL, &f,
	    &used, &need, &hb, &err), BN_PARSE_OK);
	assert_int_equal(used, c->wire_len);
	assert_int_equal(hb, c->heartbeats);
	assert_null(err);
	check_frame(c, f);
	bn_frame_free(f);

	bn_buf_add(&b, c->wire, c->wire_len);
	bn_buf_add(&b, BYTES("\n\nSEND\n\nnext\0"));
	assert_int_equal(bn_frame_parse(b.data, b.len, NULL, &f, &used, NULL,
	    NULL, NULL), BN_PARSE_OK);
	assert_int_equal(used, c->wire_len);
	check_frame(c, f);
	bn_frame_free(f);
	bn_buf_free(&b);
}

/*
 * Every strict prefix is NEED_MORE (or OK with only heart-beats used), and
 * need is len + 1 until content-length and the end of the headers are
 * known, then exactly the frame's length.
 */
static void
test_valid_prefixes(void **state)
{
	const struct valid_case	*c = *state;
	enum bn_parse_result	 r;
	struct bn_frame		*f;
	const char		*err;
	char			*copy;
	size_t			 k, used, need, body;
	bool			 hb;

	body = c->wire_len - c->body_len - 1;
	for (k = 0; k < c->wire_len; k++) {
		/* A copy of exactly k bytes, so ASan sees any overread. */
		copy = malloc(k ? k : 1);
		assert_non_null(copy);
		memcpy(copy, c->wire, k);
		r = bn_frame_parse(copy, k, NULL, &f, &used, &need, &hb, &err);
		assert_null(f);
		if (r == BN_PARSE_OK) {
			assert_true(all_eols(copy, k));
			assert_true(used > 0 && used <= k);
			assert_true(hb);
		} else {
			assert_int_equal(r, BN_PARSE_NEED_MORE);
			assert_int_equal(used, 0);
			if (c->has_cl && k >= body)
				assert_int_equal(need, c->wire_len);
			else
				assert_int_equal(need, k + 1);
		}
		free(copy);
	}
}

/*
 * The frame arrives in two reads, split at every byte; through the
 * stateless parser and through a cursor that resumes its scan.
 */
static void
test_valid_splits(void **state)
{
	const struct valid_case	*c = *state;
	struct reader		 rd;
	size_t			 k, mode;

	for (mode = 0; mode < 2; mode++)
	for (k = 1; k < c->wire_len; k++) {
		memset(&rd, 0, sizeof(rd));
		rd.resume = mode == 1;
		reader_feed(&rd, c->wire, k);
		assert_int_equal(rd.nframes, 0);
		reader_feed(&rd, c->wire + k, c->wire_len - k);
		assert_int_equal(rd.nframes, 1);
		check_frame(c, rd.frames[0]);
		assert_int_equal(rd.in.len, 0);
		reader_free(&rd);
	}
}

/*
 * All valid frames back to back with heart-beats between them, fed in one
 * read and then byte by byte. The reader waits for *need, so a need that
 * is too large would lose the last frame.
 */
static void
test_stream(void **state)
{
	struct reader	 rd;
	struct bn_buf	 all = { 0 };
	size_t		 i, mode, n = sizeof(valid_cases) / sizeof(valid_cases[0]);

	for (i = 0; i < n; i++) {
		bn_buf_add(&all, valid_cases[i].wire, valid_cases[i].wire_len);
		if (i % 2)
			bn_buf_add(&all, BYTES("\r\n\n"));
	}

	memset(&rd, 0, sizeof(rd));
	reader_feed(&rd, all.data, all.len);
	assert_int_equal(rd.nframes, n);
	for (i = 0; i < n; i++)
		check_frame(&valid_cases[i], rd.frames[i]);
	assert_int_equal(rd.in.len, 0);
	reader_free(&rd);

	/* Then through a cursor that resumes where a scan stopped. */
	for (mode = 0; mode < 2; mode++) {
		memset(&rd, 0, sizeof(rd));
		rd.resume = mode == 1;
		for (i = 0; i < all.len; i++)
			reader_feed(&rd, all.data + i, 1);
		assert_int_equal(rd.nframes, n);
		for (i = 0; i < n; i++)
			check_frame(&valid_cases[i], rd.frames[i]);
		assert_int_equal(rd.in.len, 0);
		/* Waiting for need saves calls on content-length bodies. */
		assert_true(rd.calls < all.len);
		reader_free(&rd);
	}
	bn_buf_free(&all);
}

/*
 * Every error case fed a byte at a time through one cursor ends in the
 * same error, and the cursor is clean after it.
 */
static void
test_error_resumed(void **state)
{
	size_t			 i, k, used;
	size_t			 n = sizeof(error_cases) / sizeof(error_cases[0]);
	struct bn_frame_cursor	 cur;
	enum bn_parse_result	 r;
	struct bn_frame		*f;
	const char		*err;

	for (i = 0; i < n; i++) {
		const struct error_case	*c = &error_cases[i];

		memset(&cur, 0, sizeof(cur));
		r = BN_PARSE_NEED_MORE;
		for (k = 1; k <= c->wire_len; k++) {
			r = bn_frame_parse_next(c->wire, k, c->lim, &cur, &f,
			    &used, NULL, &err);
			assert_null(f);
			if (r == BN_PARSE_ERROR)
				break;
			if (r == BN_PARSE_OK) {
				/* only heart-beat EOLs so far */
				assert_true(all_eols(c->wire, k));
				memset(&cur, 0, sizeof(cur));
				break;
			}
		}
		if (r != BN_PARSE_ERROR)
			continue;	/* checked by test_error */
		assert_string_equal(err, c->err);
		assert_int_equal(cur.s.phase, 0);
	}
}

/*
 * The exact reason, no frame, nothing used and no allocation; every prefix
 * is NEED_MORE or the same error, never a frame.
 */
static void
test_error(void **state)
{
	const struct error_case	*c = *state;
	enum bn_parse_result	 r;
	struct bn_frame		*f;
	const char		*err;
	size_t			 k, used, need, before;

#ifdef TEST_COUNT_ALLOCS
	before = test_nallocs;
#else
	before = 0;
#endif
	r = bn_frame_parse(c->wire, c->wire_len, c->lim, &f, &used, &need,
	    NULL, &err);
#ifdef TEST_COUNT_ALLOCS
	assert_int_equal(test_nallocs, before);
#endif
	assert_int_equal(r, BN_PARSE_ERROR);
	assert_null(f);
	assert_int_equal(used, 0);
	assert_non_null(err);
	assert_string_equal(err, c->err);

	for (k = 0; k < c->wire_len; k++) {
		r = bn_frame_parse(c->wire, k, c->lim, &f, &used, &need, NULL,
		    &err);
		assert_null(f);
		if (r == BN_PARSE_ERROR)
			assert_string_equal(err, c->err);
		else if (r == BN_PARSE_OK)
			assert_true(all_eols(c->wire, k));
	}
	(void)before;
}

int
main(void)
{
	static const struct CMUnitTest	 fixed[] = {
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_error_resumed),
	};
	const size_t	 nvalid = sizeof(valid_cases) / sizeof(valid_cases[0]);
	const size_t	 nerror = sizeof(error_cases) / sizeof(error_cases[0]);
	struct CMUnitTest	*tests;
	char		**names;
	const size_t	 nfixed = sizeof(fixed) / sizeof(fixed[0]);
	size_t		 i, n = 0;
	int		 rv;

	tests = xcalloc(nfixed + 3 * nvalid + nerror, sizeof(*tests));
	names = xcalloc(3 * nvalid + nerror, sizeof(*names));
	for (i = 0; i < nfixed; i++)
		tests[n++] = fixed[i];
	for (i = 0; i < nvalid; i++) {
		xasprintf(&names[3 * i], "whole: %s", valid_cases[i].name);
		xasprintf(&names[3 * i + 1], "prefixes: %s",
		    valid_cases[i].name);
		xasprintf(&names[3 * i + 2], "splits: %s",
		    valid_cases[i].name);
		tests[n++] = (struct CMUnitTest){ names[3 * i],
		    test_valid_whole, NULL, NULL, (void *)&valid_cases[i] };
		tests[n++] = (struct CMUnitTest){ names[3 * i + 1],
		    test_valid_prefixes, NULL, NULL, (void *)&valid_cases[i] };
		tests[n++] = (struct CMUnitTest){ names[3 * i + 2],
		    test_valid_splits, NULL, NULL, (void *)&valid_cases[i] };
	}
	for (i = 0; i < nerror; i++) {
		xasprintf(&names[3 * nvalid + i], "error: %s",
		    error_cases[i].name);
		tests[n++] = (struct CMUnitTest){ names[3 * nvalid + i],
		    test_error, NULL, NULL, (void *)&error_cases[i] };
	}
#ifdef TEST_COUNT_ALLOCS
	__sanitizer_install_malloc_and_free_hooks(test_malloc_hook,
	    test_free_hook);
#endif
	rv = _cmocka_run_group_tests("frame", tests, n, NULL, NULL);
	for (i = 0; i < 3 * nvalid + nerror; i++)
		free(names[i]);
	free(names);
	free(tests);
	return rv;
}
