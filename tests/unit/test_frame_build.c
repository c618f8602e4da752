/*
 * Unit tests for the STOMP frame builder and serializer (bridge/frame.c):
 * escapes round trip through builder, serializer and parser, raw CONNECT
 * headers, content-length recomputed, header set/delete on new and parsed
 * frames, the public escape helpers.
 */
#include "frame_fixture.h"

/* Builder, serializer and parser agree on every escaped character. */
static void
test_roundtrip_escaping(void **state)
{
	static const char	 want[] = "SEND\n"
	    "a\\cb\\\\c\\nd\\re:x\\cy\\\\z\\r\\nw\n"
	    "plain:v\n"
	    "content-length:5\n\n\0bin\0";
	struct bn_frame		*f, *g;
	struct bn_buf		 b = { 0 }, b2 = { 0 };
	size_t			 used;

	f = bn_frame_new("SEND");
	bn_frame_add_header(f, "a:b\\c\nd\re", "x:y\\z\r\nw");
	bn_frame_add_header(f, "content-length", "999");
	bn_frame_add_header(f, "plain", "v");
	bn_frame_set_body(f, "\0bin\0", 5);
	bn_frame_serialize(f, &b);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));

	assert_int_equal(bn_frame_parse(b.data, b.len, NULL, &g, &used, NULL,
	    NULL, NULL), BN_PARSE_OK);
	assert_int_equal(used, b.len);
	assert_int_equal(g->nheaders, 3);
	assert_string_equal(g->headers[0].name, "a:b\\c\nd\re");
	assert_string_equal(g->headers[0].value, "x:y\\z\r\nw");
	assert_string_equal(g->headers[1].name, "plain");
	assert_string_equal(g->headers[2].name, "content-length");
	assert_string_equal(g->headers[2].value, "5");
	assert_int_equal(g->body_len, 5);
	assert_memory_equal(g->body, "\0bin\0", 6);

	/* Serializing the parsed frame gives the same bytes again. */
	bn_frame_serialize(g, &b2);
	assert_int_equal(b2.len, b.len);
	assert_memory_equal(b2.data, b.data, b.len);

	bn_frame_free(f);
	bn_frame_free(g);
	bn_buf_free(&b);
	bn_buf_free(&b2);
}

/* CONNECT headers go out and come back as they are. */
static void
test_connect_raw(void **state)
{
	static const char	 want[] = "CONNECT\n"
	    "passcode:a\\b:c\\t\ncontent-length:0\n\n";
	struct bn_frame		*f, *g;
	struct bn_buf		 b = { 0 };
	size_t			 used;

	f = bn_frame_new("CONNECT");
	bn_frame_add_header(f, "passcode", "a\\b:c\\t");
	bn_frame_serialize(f, &b);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	assert_int_equal(bn_frame_parse(b.data, b.len, NULL, &g, &used, NULL,
	    NULL, NULL), BN_PARSE_OK);
	assert_string_equal(bn_frame_get(g, "passcode"), "a\\b:c\\t");
	bn_frame_free(f);
	bn_frame_free(g);
	bn_buf_free(&b);
}

/* content-length is recomputed; output is appended to what is there. */
static void
test_serialize_parsed(void **state)
{
	static const char	 in[] = "SEND\ncontent-length:3\nfoo:bar\n\n"
	    "abc";
	static const char	 want[] = ">SEND\nfoo:bar\ncontent-length:3\n\n"
	    "abc";
	static const char	 want2[] = "SEND\nfoo:bar\n"
	    "content-length:0\n\n";
	struct bn_frame		*f;
	struct bn_buf		 b = { 0 };
	size_t			 used;

	assert_int_equal(bn_frame_parse(in, sizeof(in), NULL, &f, &used, NULL,
	    NULL, NULL), BN_PARSE_OK);
	bn_buf_addc(&b, '>');
	bn_frame_serialize(f, &b);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));

	bn_buf_reset(&b);
	bn_frame_set_body(f, NULL, 0);
	assert_int_equal(f->body_len, 0);
	assert_int_equal(f->body[0], '\0');
	bn_frame_serialize(f, &b);
	assert_int_equal(b.len, sizeof(want2));
	assert_memory_equal(b.data, want2, sizeof(want2));
	bn_frame_free(f);
	bn_buf_free(&b);
}

static void
check_headers(const struct bn_frame *f, const struct hdr *want, size_t n)
{
	size_t	i;

	assert_int_equal(f->nheaders, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(f->headers[i].name, want[i].name);
		assert_string_equal(f->headers[i].value, want[i].value);
	}
}

/* On a new frame: first wins, set replaces it and drops repeats. */
static void
test_set_del_new(void **state)
{
	struct bn_frame	*f;
	char		 name[16];
	int		 i;

	f = bn_frame_new("SEND");
	assert_string_equal(f->command, "SEND");
	assert_int_equal(f->nheaders, 0);
	assert_int_equal(f->body_len, 0);
	assert_int_equal(f->body[0], '\0');
	assert_null(bn_frame_get(f, "a"));

	bn_frame_add_header(f, "a", "1");
	bn_frame_add_header(f, "b", "2");
	bn_frame_add_header(f, "a", "3");
	assert_string_equal(bn_frame_get(f, "a"), "1");
	check_headers(f, (struct hdr[]){ { "a", "1" }, { "b", "2" },
	    { "a", "3" } }, 3);

	bn_frame_set_header(f, "a", "9");
	check_headers(f, (struct hdr[]){ { "a", "9" }, { "b", "2" } }, 2);
	bn_frame_set_header(f, "c", "4");
	check_headers(f, (struct hdr[]){ { "a", "9" }, { "b", "2" },
	    { "c", "4" } }, 3);
	bn_frame_del_header(f, "b");
	bn_frame_del_header(f, "missing");
	check_headers(f, (struct hdr[]){ { "a", "9" }, { "c", "4" } }, 2);

	/* Grow well past the first capacity, then drop every other one. */
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "h%d", i % 2);
		bn_frame_add_header(f, name, "x");
	}
	assert_int_equal(f->nheaders, 102);
	bn_frame_del_header(f, "h0");
	assert_int_equal(f->nheaders, 52);
	bn_frame_set_header(f, "h1", "only");
	check_headers(f, (struct hdr[]){ { "a", "9" }, { "c", "4" },
	    { "h1", "only" } }, 3);
	bn_frame_free(f);
}

/*
 * On a parsed frame, whose strings live in its block: changes mix block
 * strings with copies, and arguments may point into the frame itself.
 */
static void
test_set_del_parsed(void **state)
{
	static const char	 in[] = "MESSAGE\nx:1\ny:2\nx:3\nz:4\n\nbody";
	struct bn_frame		*f;
	size_t			 used;

	assert_int_equal(bn_frame_parse(in, sizeof(in), NULL, &f, &used, NULL,
	    NULL, NULL), BN_PARSE_OK);
	bn_frame_del_header(f, "x");
	check_headers(f, (struct hdr[]){ { "y", "2" }, { "z", "4" } }, 2);
	bn_frame_add_header(f, "w", "5");
	bn_frame_set_header(f, "y", "7");
	check_headers(f, (struct hdr[]){ { "y", "7" }, { "z", "4" },
	    { "w", "5" } }, 3);

	/* Aliasing arguments. */
	bn_frame_set_header(f, "z", bn_frame_get(f, "z"));
	bn_frame_set_header(f, f->headers[0].name, f->headers[2].value);
	check_headers(f, (struct hdr[]){ { "y", "5" }, { "z", "4" },
	    { "w", "5" } }, 3);
	bn_frame_del_header(f, f->headers[1].name);
	bn_frame_del_header(f, f->headers[1].name);
	check_headers(f, (struct hdr[]){ { "y", "5" } }, 1);

	bn_frame_set_body(f, f->body + 1, f->body_len - 1);
	assert_int_equal(f->body_len, 3);
	assert_string_equal(f->body, "ody");
	bn_frame_set_body(f, f->body, 2);
	assert_string_equal(f->body, "od");
	assert_string_equal(f->command, "MESSAGE");
	bn_frame_free(f);

	/* Replacing a parsed header in place, repeats after it dropped. */
	assert_int_equal(bn_frame_parse(in, sizeof(in), NULL, &f, &used, NULL,
	    NULL, NULL), BN_PARSE_OK);
	bn_frame_set_header(f, "x", f->headers[3].value);
	check_headers(f, (struct hdr[]){ { "x", "4" }, { "y", "2" },
	    { "z", "4" } }, 3);
	bn_frame_free(f);
}

static void
test_free_null(void **state)
{
	struct bn_frame	*f;

	bn_frame_free(NULL);
	f = bn_frame_new("X");
	bn_frame_del_header(f, "none");
	assert_null(bn_frame_get(f, "none"));
	bn_frame_free(f);
}

/* The public escape helpers, including undefined sequences. */
static void
test_escape_unescape(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		int		 rv;
		const char	*out;
	} t[] = {
		{ BYTES("plain"), 0, "plain" },
		{ BYTES(""), 0, "" },
		{ BYTES("a\\cb\\nc\\rd\\\\e"), 0, "a:b\nc\rd\\e" },
		{ BYTES("\\t"), -1, NULL },
		{ BYTES("abc\\"), -1, NULL },
		{ BYTES("\\"), -1, NULL },
		{ BYTES("\\C"), -1, NULL },
	};
	struct bn_buf	 b = { 0 };
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bn_buf_reset(&b);
		bn_buf_addc(&b, '>');
		assert_int_equal(bn_frame_unescape(t[i].in, t[i].len, &b),
		    t[i].rv);
		if (t[i].rv == 0) {
			assert_string_equal(b.data + 1, t[i].out);
			assert_int_equal(b.len, 1 + strlen(t[i].out));
		} else {
			assert_int_equal(b.len, 1);
			assert_string_equal(b.data, ">");
		}
	}

	bn_buf_reset(&b);
	bn_frame_escape("a:b\nc\rd\\e", &b);
	assert_string_equal(b.data, "a\\cb\\nc\\rd\\\\e");
	bn_buf_reset(&b);
	bn_frame_escape("", &b);
	assert_int_equal(b.len, 0);
	bn_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_escaping),
		cmocka_unit_test(test_connect_raw),
		cmocka_unit_test(test_serialize_parsed),
		cmocka_unit_test(test_set_del_new),
		cmocka_unit_test(test_set_del_parsed),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_escape_unescape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
