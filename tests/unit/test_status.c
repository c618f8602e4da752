/*
 * Unit tests for bridge/status.c's label escaping: a peer's or connector's
 * name reaches /metrics label values, which must stay one line and one
 * quoted string whatever the name holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "brokernet/status.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*in;
	const char	*out;
} cases[] = {
	{ "A", "A" },
	{ "", "" },
	{ "a\"b", "a\\\"b" },
	{ "a\\b", "a\\\\b" },
	{ "a\nb", "a\\nb" },
	{ "\\n", "\\\\n" },		/* a backslash then n, not a newline */
	{ "\"\"\n\\", "\\\"\\\"\\n\\\\" },
	{ "tab\there", "tab\there" },	/* only the three are escaped */
	{ "caf\xc3\xa9 ,x", "caf\xc3\xa9 ,x" },
	{ "x\"} 1\nbrokernet_fake 2", "x\\\"} 1\\nbrokernet_fake 2" },
};

static void
test_escape(void **state)
{
	struct bn_buf	b;
	size_t		i;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < NELEM(cases); i++) {
		bn_buf_reset(&b);
		bn_buf_addstr(&b, "<");
		bn_status_label_escape(&b, cases[i].in);
		bn_buf_addc(&b, '\0');
		if (strcmp(b.data + 1, cases[i].out) != 0)
			fail_msg("row %zu: got \"%s\"", i, b.data + 1);
		/* no raw line feed, and every '"' is escaped */
		assert_null(strchr(b.data, '\n'));
	}
	bn_buf_reset(&b);
	bn_status_label_escape(&b, NULL);
	assert_int_equal(b.len, 0);
	bn_buf_free(&b);
}

/* Unescaping the output gives the input back, for every byte value. */
static void
test_round_trip(void **state)
{
	struct bn_buf	b;
	char		in[256], back[256];
	size_t		i, n = 0;
	int		c;

	for (c = 1; c < 256; c++)
		in[n++] = (char)c;
	in[n] = '\0';
	memset(&b, 0, sizeof(b));
	bn_status_label_escape(&b, in);
	for (i = 0, n = 0; i < b.len; i++) {
		if (b.data[i] == '\\') {
			i++;
			assert_true(i < b.len);
			assert_true(b.data[i] == '\\' || b.data[i] == '"' ||
			    b.data[i] == 'n');
			back[n++] = b.data[i] == 'n' ? '\n' : b.data[i];
		} else {
			assert_true(b.data[i] != '"' && b.data[i] != '\n');
			back[n++] = b.data[i];
		}
	}
	back[n] = '\0';
	assert_string_equal(back, in);
	bn_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
