/*
 * Unit tests for bridge/names.c: the one name rule. Every byte value is
 * tried in the middle of a name; each refusal comes with its reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "brokernet/names.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*name;
	size_t		 len;	/* 0: strlen */
	const char	*why;	/* NULL: accepted */
} cases[] = {
	{ "A", 0, NULL },
	{ "broker-1.eu_west", 0, NULL },
	{ "0", 0, NULL },
	{ "...", 0, NULL },
	{ "", 0, "is empty" },
	{ "A,B", 0, "contains a comma (paths are ,A,B,)" },
	{ ",A,", 0, "contains a comma (paths are ,A,B,)" },
	{ "A\"B", 0, "contains a quote" },
	{ "A'B", 0, "contains a quote" },
	{ "A\\B", 0, "contains a backslash" },
	{ "A B", 0, "contains whitespace" },
	{ "A\tB", 0, "contains whitespace" },
	{ "A\nB", 0, "contains whitespace" },
	{ "A\rB", 0, "contains whitespace" },
	{ "A\x01" "B", 0, "contains a control character" },
	{ "A\x1b[31m", 0, "contains a control character" },
	{ "A\x7f", 0, "contains a control character" },
	{ "A\0B", 3, "contains a control character" },
	{ "caf\xc3\xa9", 0, "contains a non-ASCII byte" },
	{ "A:B", 0, "contains a character outside A-Z a-z 0-9 _ . -" },
	{ "A=B", 0, "contains a character outside A-Z a-z 0-9 _ . -" },
	{ "A%", 0, "contains a character outside A-Z a-z 0-9 _ . -" },
	{ "A!", 0, "contains a character outside A-Z a-z 0-9 _ . -" },
	{ "A/B", 0, "contains a character outside A-Z a-z 0-9 _ . -" },
	{ "{A}", 0, "contains a character outside A-Z a-z 0-9 _ . -" },
	/* the first offending byte gives the reason */
	{ "A,\"", 0, "contains a comma (paths are ,A,B,)" },
	{ "A\",", 0, "contains a quote" },
};

static void
test_table(void **state)
{
	const char	*why;
	size_t		 i, len;

	for (i = 0; i < NELEM(cases); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].name);
		why = bn_name_check(cases[i].name, len);
		if (cases[i].why == NULL && why != NULL)
			fail_msg("row %zu refused: %s", i, why);
		if (cases[i].why != NULL && (why == NULL ||
		    strcmp(why, cases[i].why) != 0))
			fail_msg("row %zu: want \"%s\", got \"%s\"", i,
			    cases[i].why, why ? why : "(accepted)");
	}
}

/* Exactly 62 byte values pass and 3 more; every other is refused. */
static void
test_every_byte(void **state)
{
	char	 s[3] = { 'a', 0, 'z' };
	size_t	 ok = 0;
	int	 c;

	for (c = 0; c < 256; c++) {
		s[1] = (char)c;
		if (bn_name_check(s, 3) == NULL) {
			ok++;
			assert_true((c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '_' || c == '.' || c == '-');
		}
	}
	assert_int_equal(ok, 26 + 26 + 10 + 3);
}

static void
test_length(void **state)
{
	char	buf[BN_NAME_MAX + 2];

	memset(buf, 'x', sizeof(buf));
	assert_null(bn_name_check(buf, BN_NAME_MAX));
	assert_string_equal(bn_name_check(buf, BN_NAME_MAX + 1),
	    "is longer than 63 bytes");
	/* only len bytes count: what follows is not looked at */
	assert_null(bn_name_check("ab,c", 2));
	assert_string_equal(bn_name_check(NULL, 0), "is empty");
	assert_string_equal(bn_name_check_str(NULL), "is empty");
	assert_string_equal(bn_name_check_str("a b"), "contains whitespace");
	assert_null(bn_name_check_str("B"));
}

static void
test_paths(void **state)
{
	static const struct {
		const char	*path;
		const char	*why;
	} paths[] = {
		{ ",", NULL },
		{ "A", NULL },
		{ "A,B", NULL },
		{ ",A,B,", NULL },
		{ ",A,", NULL },
		{ "A,B,", NULL },
		{ "", "is empty" },
		{ ",,", "has an empty element" },
		{ ",A,,B,", "has an empty element" },
		{ "A,,", "has an empty element" },
		{ ",,A", "has an empty element" },
		{ ",A,B C,", "contains whitespace" },
		{ ",A,B\",", "contains a quote" },
		{ ",A,B'%',", "contains a quote" },
		{ ",A,\n,", "contains whitespace" },
	};
	const char	*why;
	char		 long_el[BN_NAME_MAX + 4];
	size_t		 i;

	for (i = 0; i < NELEM(paths); i++) {
		why = bn_name_path_check(paths[i].path, strlen(paths[i].path));
		if ((why == NULL) != (paths[i].why == NULL) || (why != NULL &&
		    strcmp(why, paths[i].why) != 0))
			fail_msg("path \"%s\": want %s, got %s", paths[i].path,
			    paths[i].why ? paths[i].why : "(accepted)",
			    why ? why : "(accepted)");
	}
	/* each element has the length limit of a name */
	memset(long_el, 'x', sizeof(long_el));
	long_el[0] = ',';
	long_el[BN_NAME_MAX + 1] = ',';
	assert_null(bn_name_path_check(long_el, BN_NAME_MAX + 2));
	long_el[BN_NAME_MAX + 1] = 'x';
	long_el[BN_NAME_MAX + 2] = ',';
	assert_string_equal(bn_name_path_check(long_el, BN_NAME_MAX + 3),
	    "is longer than 63 bytes");
	/* only len bytes count */
	assert_null(bn_name_path_check(",A,B,\"", 5));
	assert_string_equal(bn_name_path_check(NULL, 0), "is empty");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
