/*
 * Unit tests for the OpenWire primitive map (bridge/owmap.c): it reads and
 * writes every type and copies entries untouched; malformed maps are
 * refused; Java's modified UTF-8 converts both ways.
 */
#include "openwire_fixture.h"

/* Every primitive type written, read back, and copied raw unchanged. */
static void
test_map_every_type(void **state)
{
	struct bn_buf	 m = { 0 }, inner = { 0 }, copy = { 0 }, big = { 0 };
	struct bn_ow_prim v, got;
	struct bn_ow_map_iter it, sub;
	struct bn_ow_str name;
	struct bn_ow_bytes raw, all;
	char		 err[128];
	size_t		 at, i;
	int		 n = 0;

	for (i = 0; i < 70000; i++)
		bn_buf_addc(&big, (char)('a' + i % 26));
	/* a nested list: int 1, string "two" */
	v = bn_ow_prim_int(BN_OW_P_INT, 1);
	assert_int_equal(bn_ow_prim_put(&inner, &v), 0);
	v = bn_ow_prim_str("two", 3);
	assert_int_equal(bn_ow_prim_put(&inner, &v), 0);

	at = bn_ow_map_begin(&m);
	v = bn_ow_prim_int(BN_OW_P_NULL, 0);
	assert_int_equal(bn_ow_map_put(&m, "null", 4, &v), 0);
	v = bn_ow_prim_int(BN_OW_P_BOOL, 1);
	assert_int_equal(bn_ow_map_put(&m, "bool", 4, &v), 0);
	v = bn_ow_prim_int(BN_OW_P_BYTE, -128);
	assert_int_equal(bn_ow_map_put(&m, "byte", 4, &v), 0);
	v = bn_ow_prim_int(BN_OW_P_CHAR, 0xe9);
	assert_int_equal(bn_ow_map_put(&m, "char", 4, &v), 0);
	v = bn_ow_prim_int(BN_OW_P_SHORT, -32768);
	assert_int_equal(bn_ow_map_put(&m, "short", 5, &v), 0);
	v = bn_ow_prim_int(BN_OW_P_INT, INT32_MIN);
	assert_int_equal(bn_ow_map_put(&m, "int", 3, &v), 0);
	v = bn_ow_prim_int(BN_OW_P_LONG, INT64_MAX);
	assert_int_equal(bn_ow_map_put(&m, "long", 4, &v), 0);
	v = bn_ow_prim_int(BN_OW_P_FLOAT, 0);
	v.f = -1.5f;
	assert_int_equal(bn_ow_map_put(&m, "float", 5, &v), 0);
	v = bn_ow_prim_int(BN_OW_P_DOUBLE, 0);
	v.d = 6.02e23;
	assert_int_equal(bn_ow_map_put(&m, "double", 6, &v), 0);
	v = bn_ow_prim_str("caf\xc3\xa9", 5);
	assert_int_equal(bn_ow_map_put(&m, "string", 6, &v), 0);
	v = bn_ow_prim_str(big.data, big.len);
	assert_int_equal(v.type, BN_OW_P_BIG_STRING);
	assert_int_equal(bn_ow_map_put(&m, "big", 3, &v), 0);
	v = bn_ow_prim_int(BN_OW_P_BYTES, 0);
	v.bytes = (struct bn_ow_bytes){ (const uint8_t *)"\0\1\2", 3 };
	assert_int_equal(bn_ow_map_put(&m, "bytes", 5, &v), 0);
	v = bn_ow_prim_int(BN_OW_P_LIST, 0);
	v.bytes = (struct bn_ow_bytes){ (const uint8_t *)inner.data,
	    inner.len };
	v.count = 2;
	assert_int_equal(bn_ow_map_put(&m, "list", 4, &v), 0);
	/* a nested map holding the list's entries under names */
	v = bn_ow_prim_int(BN_OW_P_MAP, 0);
	v.bytes = (struct bn_ow_bytes){ (const uint8_t *)"\0\1a\5\0\0\0\3",
	    8 };
	v.count = 1;
	assert_int_equal(bn_ow_map_put(&m, "map", 3, &v), 0);
	bn_ow_map_end(&m, at, 14);

	/* a string over 65535 bytes cannot be a STRING */
	v = bn_ow_prim_int(BN_OW_P_STRING, 0);
	v.bytes = (struct bn_ow_bytes){ (const uint8_t *)big.data, big.len };
	i = m.len;
	assert_int_equal(bn_ow_map_put(&m, "x", 1, &v), -1);
	assert_int_equal(m.len, i);

	assert_int_equal(bn_ow_map_open(&it, (uint8_t *)m.data, m.len, err,
	    sizeof(err)), 0);
	at = bn_ow_map_begin(&copy);
	while (bn_ow_map_next(&it, &name, &got, &raw, err, sizeof(err)) ==
	    1) {
		bn_ow_map_put_raw(&copy, &raw);
		n++;
		if (str_is(&name, "null"))
			assert_int_equal(got.type, BN_OW_P_NULL);
		else if (str_is(&name, "bool"))
			assert_true(got.type == BN_OW_P_BOOL && got.i == 1);
		else if (str_is(&name, "byte"))
			assert_true(got.type == BN_OW_P_BYTE && got.i == -128);
		else if (str_is(&name, "char"))
			assert_true(got.type == BN_OW_P_CHAR && got.i == 0xe9);
		else if (str_is(&name, "short"))
			assert_true(got.type == BN_OW_P_SHORT &&
			    got.i == -32768);
		else if (str_is(&name, "int"))
			assert_true(got.type == BN_OW_P_INT &&
			    got.i == INT32_MIN);
		else if (str_is(&name, "long"))
			assert_true(got.type == BN_OW_P_LONG &&
			    got.i == INT64_MAX);
		else if (str_is(&name, "float"))
			assert_true(got.type == BN_OW_P_FLOAT &&
			    got.f == -1.5f);
		else if (str_is(&name, "double"))
			assert_true(got.type == BN_OW_P_DOUBLE &&
			    got.d == 6.02e23);
		else if (str_is(&name, "string"))
			assert_true(got.type == BN_OW_P_STRING &&
			    got.bytes.len == 5 &&
			    memcmp(got.bytes.p, "caf\xc3\xa9", 5) == 0);
		else if (str_is(&name, "big"))
			assert_true(got.type == BN_OW_P_BIG_STRING &&
			    got.bytes.len == 70000 &&
			    memcmp(got.bytes.p, big.data, 70000) == 0);
		else if (str_is(&name, "bytes"))
			assert_true(got.type == BN_OW_P_BYTES &&
			    got.bytes.len == 3);
		else if (str_is(&name, "list")) {
			assert_true(got.type == BN_OW_P_LIST && got.count == 2);
			bn_ow_map_open_nested(&it, &got, &sub);
			assert_int_equal(bn_ow_map_next(&sub, &name, &got,
			    &all, err, sizeof(err)), 1);
			assert_true(got.type == BN_OW_P_INT && got.i == 1);
			assert_null(name.p);
			assert_int_equal(bn_ow_map_next(&sub, &name, &got,
			    &all, err, sizeof(err)), 1);
			assert_true(got.type == BN_OW_P_STRING &&
			    got.bytes.len == 3);
			assert_int_equal(bn_ow_map_next(&sub, &name, &got,
			    &all, err, sizeof(err)), 0);
		} else if (str_is(&name, "map")) {
			assert_true(got.type == BN_OW_P_MAP && got.count == 1);
			bn_ow_map_open_nested(&it, &got, &sub);
			assert_int_equal(bn_ow_map_next(&sub, &name, &got,
			    &all, err, sizeof(err)), 1);
			assert_true(str_is(&name, "a"));
			assert_true(got.type == BN_OW_P_INT && got.i == 3);
		} else
			fail_msg("unexpected entry %.*s", (int)name.len,
			    name.p);
	}
	assert_int_equal(n, 14);
	bn_ow_map_end(&copy, at, (uint32_t)n);
	assert_int_equal(copy.len, m.len);
	assert_memory_equal(copy.data, m.data, m.len);

	/* a session adds brokernet_hops and keeps the rest byte for byte */
	bn_buf_reset(&copy);
	at = bn_ow_map_begin(&copy);
	assert_int_equal(bn_ow_map_open(&it, (uint8_t *)m.data, m.len, err,
	    sizeof(err)), 0);
	n = 0;
	while (bn_ow_map_next(&it, &name, &got, &raw, err, sizeof(err)) ==
	    1) {
		bn_ow_map_put_raw(&copy, &raw);
		n++;
	}
	v = bn_ow_prim_int(BN_OW_P_INT, 1);
	assert_int_equal(bn_ow_map_put(&copy, "brokernet_hops", 14, &v), 0);
	bn_ow_map_end(&copy, at, (uint32_t)n + 1);
	assert_memory_equal(copy.data + 4, m.data + 4, m.len - 4);
	assert_true(map_get(&(struct bn_ow_bytes){ (uint8_t *)copy.data,
	    copy.len }, "brokernet_hops", &got));
	assert_true(got.type == BN_OW_P_INT && got.i == 1);

	bn_buf_free(&m);
	bn_buf_free(&inner);
	bn_buf_free(&copy);
	bn_buf_free(&big);
}

/* Malformed maps: every truncation, unknown types, deep nesting, counts. */
static void
test_map_corrupt(void **state)
{
	struct bn_buf	 m = { 0 };
	struct bn_ow_prim v;
	struct bn_ow_map_iter it;
	struct bn_ow_str name;
	struct bn_ow_bytes raw;
	char		 err[128];
	size_t		 at, k;
	int		 rc, i;
	uint8_t		 deep[7 + 9 * 5 + 1];

	at = bn_ow_map_begin(&m);
	v = bn_ow_prim_str("value", 5);
	bn_ow_map_put(&m, "k", 1, &v);
	v = bn_ow_prim_int(BN_OW_P_LONG, 5);
	bn_ow_map_put(&m, "l", 1, &v);
	bn_ow_map_end(&m, at, 2);
	for (k = 0; k < m.len; k++) {
		if (bn_ow_map_open(&it, (uint8_t *)m.data, k, err,
		    sizeof(err)) == -1)
			continue;
		while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
		    sizeof(err))) == 1)
			;
		assert_int_equal(rc, -1);
	}
	/* trailing bytes after the last entry */
	bn_buf_addc(&m, 0);
	assert_int_equal(bn_ow_map_open(&it, (uint8_t *)m.data, m.len, err,
	    sizeof(err)), 0);
	while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
	    sizeof(err))) == 1)
		;
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "after the last"));
	/* unknown type 14 */
	assert_int_equal(bn_ow_map_open(&it, (const uint8_t *)
	    "\0\0\0\1\0\1k\16", 8, err, sizeof(err)), 0);
	assert_int_equal(bn_ow_map_next(&it, &name, &v, &raw, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown value type 14"));
	/* a count that cannot fit */
	assert_int_equal(bn_ow_map_open(&it, (const uint8_t *)
	    "\x7f\0\0\0\0\1k\0", 8, err, sizeof(err)), -1);
	/* nesting deeper than the bound: 9 lists, each holding the next */
	memcpy(deep, "\0\0\0\1\0\1k", 7);
	for (i = 0; i < 9; i++)
		memcpy(deep + 7 + 5 * i, "\14\0\0\0\1", 5);
	deep[7 + 45] = 0;
	assert_int_equal(bn_ow_map_open(&it, deep, sizeof(deep), err,
	    sizeof(err)), 0);
	assert_int_equal(bn_ow_map_next(&it, &name, &v, &raw, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "nested deeper"));
	bn_buf_free(&m);
}

/* Java's modified UTF-8 and UTF-8, both ways: NUL and U+10000..U+10FFFF
 * change form; everything else, broken sequences too, is copied. */
static void
test_java_utf8(void **state)
{
	static const struct {
		const char	*java;
		size_t		 jlen;
		const char	*utf8;
		size_t		 ulen;
	} both[] = {
		{ "", 0, "", 0 },
		{ "plain caf\xc3\xa9 \xe4\xb8\xad", 13,
		  "plain caf\xc3\xa9 \xe4\xb8\xad", 13 },
		{ "a\xc0\x80z", 4, "a\0z", 3 },
		{ "\xed\xa0\xbd\xed\xb8\x80", 6, "\xf0\x9f\x98\x80", 4 },
		{ "\xed\xa0\x80\xed\xb0\x80", 6, "\xf0\x90\x80\x80", 4 },
		{ "\xed\xaf\xbf\xed\xbf\xbf!", 7, "\xf4\x8f\xbf\xbf!", 5 },
	};
	static const struct {
		const char	*in;
		size_t		 len;
	} same[] = {
		{ "\xed\xa0\xbd", 3 },		/* a lone high surrogate */
		{ "\xed\xb8\x80\xed\xa0\xbd", 6 },	/* low before high */
		{ "\xc0", 1 },
		{ "\xff\xfe", 2 },
		{ "\xf5\x80\x80\x80", 4 },	/* above U+10FFFF */
		{ "\xf0\x80\x80\x80", 4 },	/* overlong */
		{ "\xf0\x9f\x98", 3 },		/* cut short */
	};
	struct bn_buf	 b = { 0 };
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
		bn_buf_reset(&b);
		bn_ow_utf8_from_java((const uint8_t *)both[i].java,
		    both[i].jlen, &b);
		assert_int_equal(b.len, both[i].ulen);
		assert_memory_equal(b.data != NULL ? b.data : "", both[i].utf8,
		    both[i].ulen);
		bn_buf_reset(&b);
		bn_ow_utf8_to_java((const uint8_t *)both[i].utf8,
		    both[i].ulen, &b);
		assert_int_equal(b.len, both[i].jlen);
		assert_memory_equal(b.data != NULL ? b.data : "", both[i].java,
		    both[i].jlen);
	}
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		bn_buf_reset(&b);
		bn_ow_utf8_from_java((const uint8_t *)same[i].in, same[i].len,
		    &b);
		assert_int_equal(b.len, same[i].len);
		assert_memory_equal(b.data, same[i].in, same[i].len);
		if (memchr(same[i].in, 0xed, same[i].len) != NULL)
			continue;	/* surrogates are not UTF-8 to convert */
		bn_buf_reset(&b);
		bn_ow_utf8_to_java((const uint8_t *)same[i].in, same[i].len,
		    &b);
		assert_int_equal(b.len, same[i].len);
		assert_memory_equal(b.data, same[i].in, same[i].len);
	}
	bn_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_every_type),
		cmocka_unit_test(test_map_corrupt),
		cmocka_unit_test(test_java_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
