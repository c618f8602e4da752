/*
 * Unit tests for bridge/jsonout.c: what /status shows for a string or key
 * (valid UTF-8 as it is, invalid bytes as '?', NULL as null) and for a
 * counter beyond JSON's int64_t.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "brokernet/jsonout.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*in;
	const char	*out;	/* NULL: JSON null */
} strs[] = {
	{ "orders", "orders" },
	{ "", "" },
	{ "a\"b\\c\nd", "a\"b\\c\nd" },		/* escaped by json_dumps */
	{ "caf\xc3\xa9", "caf\xc3\xa9" },		/* valid UTF-8 */
	{ "caf\xe9", "caf?" },				/* Latin-1 */
	{ "x\xc3", "x?" },				/* cut short */
	{ "\xff\xfe" "ab\xc3\xa9", "??ab??" },		/* all of it */
	{ NULL, NULL },
};

/* A value, and the same text as a key. */
static void
test_strings(void **state)
{
	json_t	*v, *o;
	size_t	 i;

	for (i = 0; i < NELEM(strs); i++) {
		v = bn_json_str(strs[i].in);
		if (strs[i].out == NULL) {
			assert_true(json_is_null(v));
			json_decref(v);
			continue;
		}
		if (!json_is_string(v) || strcmp(json_string_value(v),
		    strs[i].out) != 0)
			fail_msg("row %zu: got %s", i, json_is_string(v) ?
			    json_string_value(v) : "not a string");
		json_decref(v);
		o = bn_json_obj();
		bn_json_set(o, strs[i].in, json_true());
		assert_int_equal(json_object_size(o), 1);
		assert_true(json_is_true(json_object_get(o, strs[i].out)));
		json_decref(o);
	}
}

static void
test_u64(void **state)
{
	static const struct {
		uint64_t	in;
		json_int_t	out;
	} rows[] = {
		{ 0, 0 },
		{ 42, 42 },
		{ INT64_MAX, INT64_MAX },
		{ (uint64_t)INT64_MAX + 1, INT64_MAX },
		{ UINT64_MAX, INT64_MAX },
	};
	json_t	*v;
	size_t	 i;

	for (i = 0; i < NELEM(rows); i++) {
		v = bn_json_u64(rows[i].in);
		assert_true(json_is_integer(v));
		assert_true(json_integer_value(v) == rows[i].out);
		json_decref(v);
	}
}

/* set and append take the value: one decref of the root frees it all. */
static void
test_nesting(void **state)
{
	json_t	*o = bn_json_obj(), *a = bn_json_arr();
	char	*s;

	bn_json_append(a, bn_json_u64(1));
	bn_json_append(a, bn_json_str(NULL));
	bn_json_set(o, "list", a);
	bn_json_set(o, "ok", json_false());
	bn_json_set(o, "ok", json_true());	/* the last one wins */
	assert_non_null(s = json_dumps(o, JSON_COMPACT));
	assert_string_equal(s, "{\"list\":[1,null],\"ok\":true}");
	free(s);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
