/*
 * Unit tests for bridge/advisory.c, the JSON reader: every order of the
 * members gives the same consumer, the length limits of ids and names,
 * nesting bounded at 32, and the contract (on failure *out is untouched,
 * only len bytes are read).
 */
#include "advisory_fixture.h"

/*
 * All 720 orders of six ConsumerInfo members, and all 24 orders of the
 * RemoveInfo objectId members, give the same result.
 */
static void
test_permutations(void **state)
{
	static const char *const members[] = {
		("\"consumerId\":{\"sessionId\":-1,\"value\":1,"
		    "\"connectionId\":\"" CONN "\"}"),
		("\"destination\":{\"string\":\"orders.eu\","
		    "\"@class\":\"ActiveMQQueue\"}"),
		"\"browser\":true",
		"\"priority\":-5",
		"\"selector\":\"a = 'b'\"",
		"\"brokerPath\":[{\"x\":[1,\"}\"]}]",
	};
	static const char *const idm[] = {
		("\"connectionId\":\"" CONN "\""), "\"sessionId\":-1",
		"\"value\":1", "\"@class\":\"ConsumerId\"",
	};
	enum { NM = sizeof(members) / sizeof(members[0]) };
	enum { NI = sizeof(idm) / sizeof(idm[0]) };
	struct bn_advisory	 adv;
	struct bn_buf		 b;
	const char		*err;
	size_t			 perm[NM], i, k, t, count = 0;
	size_t			 fact = 1;

	memset(&b, 0, sizeof(b));
	for (i = 1; i <= NM; i++)
		fact *= i;
	for (t = 0; t < fact; t++) {
		/* Decode t as a permutation (factorial number system). */
		size_t	avail[NM], na = NM, x = t;

		for (i = 0; i < NM; i++)
			avail[i] = i;
		for (i = 0; i < NM; i++) {
			k = x % na;
			x /= na;
			perm[i] = avail[k];
			memmove(&avail[k], &avail[k + 1],
			    (na - k - 1) * sizeof(avail[0]));
			na--;
		}
		bn_buf_reset(&b);
		bn_buf_addstr(&b, "{\"ConsumerInfo\":{");
		for (i = 0; i < NM; i++) {
			if (i > 0)
				bn_buf_addc(&b, ',');
			bn_buf_addstr(&b, members[perm[i]]);
		}
		bn_buf_addstr(&b, "}}");
		err = NULL;
		if (parse_copy(b.data, b.len, &adv, &err) != 0)
			fail_msg("perm %zu: %s", t, err);
		assert_int_equal(adv.kind, BN_ADV_ADD);
		assert_string_equal(adv.consumer_id, CONN "/-1/1");
		assert_string_equal(adv.destination, "orders.eu");
		assert_true(adv.queue && adv.browser && adv.has_selector);
		assert_int_equal(adv.priority, -5);
		count++;
	}
	assert_int_equal(count, 720);

	/* RemoveInfo objectId members in all 24 orders. */
	for (t = 0; t < 24; t++) {
		size_t	avail[NI], na = NI, x = t;

		for (i = 0; i < NI; i++)
			avail[i] = i;
		bn_buf_reset(&b);
		bn_buf_addstr(&b, "{\"RemoveInfo\":{\"objectId\":{");
		for (i = 0; i < NI; i++) {
			k = x % na;
			x /= na;
			if (i > 0)
				bn_buf_addc(&b, ',');
			bn_buf_addstr(&b, idm[avail[k]]);
			memmove(&avail[k], &avail[k + 1],
			    (na - k - 1) * sizeof(avail[0]));
			na--;
		}
		bn_buf_addstr(&b, "}}}");
		err = NULL;
		if (parse_copy(b.data, b.len, &adv, &err) != 0)
			fail_msg("remove perm %zu: %s", t, err);
		assert_int_equal(adv.kind, BN_ADV_REMOVE);
		assert_string_equal(adv.consumer_id, CONN "/-1/1");
	}
	bn_buf_free(&b);
}

/* Builds a ConsumerInfo whose connectionId and destination have n bytes. */
static char *
long_body(size_t connlen, size_t destlen, const char *fill)
{
	struct bn_buf	b;
	size_t		i, fl = strlen(fill);

	memset(&b, 0, sizeof(b));
	bn_buf_addstr(&b, "{\"ConsumerInfo\":{\"consumerId\":{"
	    "\"connectionId\":\"");
	for (i = 0; i < connlen; i++)
		bn_buf_add(&b, fill, fl);
	bn_buf_addstr(&b, "\",\"sessionId\":-9223372036854775808,"
	    "\"value\":-9223372036854775808},\"destination\":{\"string\":\"");
	for (i = 0; i < destlen; i++)
		bn_buf_add(&b, fill, fl);
	bn_buf_addstr(&b, "\"}}}");
	bn_buf_addc(&b, '\0');
	return b.data;
}

static void
test_lengths(void **state)
{
	struct bn_advisory	 adv;
	const char		*err;
	char			*s;

	/* 255 and 511 bytes fit, the longest key included. */
	s = long_body(255, 511, "x");
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), 0);
	assert_int_equal(strlen(adv.connection_id), 255);
	assert_int_equal(strlen(adv.destination), 511);
	assert_int_equal(strlen(adv.consumer_id), 255 + 2 + 2 * 20);
	free(s);

	s = long_body(256, 1, "x");
	err = NULL;
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), -1);
	assert_string_equal(err, "connectionId too long");
	free(s);

	s = long_body(100000, 1, "x");
	err = NULL;
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), -1);
	assert_string_equal(err, "connectionId too long");
	free(s);

	s = long_body(1, 512, "x");
	err = NULL;
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), -1);
	assert_string_equal(err, "destination too long");
	free(s);

	/* Counted in decoded bytes: 170 * 3 = 510 fits, 171 * 3 does not. */
	s = long_body(1, 170, "\\u20ac");
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), 0);
	assert_int_equal(strlen(adv.destination), 510);
	free(s);
	s = long_body(1, 171, "\\u20ac");
	err = NULL;
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), -1);
	assert_string_equal(err, "destination too long");
	free(s);

	/* 127 four-byte characters fit in 511; 128 do not. */
	s = long_body(1, 127, "\xf0\x9f\x98\x80");
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), 0);
	free(s);
	s = long_body(1, 128, "\\ud83d\\ude00");
	err = NULL;
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), -1);
	assert_string_equal(err, "destination too long");
	free(s);
}

/* Objects and arrays nested 32 deep parse; 33 deep do not. */
static void
test_nesting(void **state)
{
	struct bn_advisory	 adv;
	struct bn_buf		 b;
	const char		*err;
	int			 depth, i;

	memset(&b, 0, sizeof(b));
	for (depth = 31; depth <= 34; depth++) {
		/* Outer object and ConsumerInfo are 2 levels. */
		bn_buf_reset(&b);
		bn_buf_addstr(&b, "{\"ConsumerInfo\":{" CID "," QDEST("q")
		    ",\"deep\":");
		for (i = 2; i < depth; i++)
			bn_buf_addstr(&b, i % 2 ? "[" : "{\"k\":");
		bn_buf_addstr(&b, "0");
		for (i = depth - 1; i >= 2; i--)
			bn_buf_addstr(&b, i % 2 ? "]" : "}");
		bn_buf_addstr(&b, "}}");
		err = NULL;
		if (depth <= 32)
			assert_int_equal(parse_copy(b.data, b.len, &adv, &err),
			    0);
		else {
			assert_int_equal(parse_copy(b.data, b.len, &adv, &err),
			    -1);
			assert_string_equal(err, "nesting deeper than 32");
		}
	}

	/* Arrays alone: 30 inside the two outer objects make 32. */
	for (depth = 30; depth <= 31; depth++) {
		bn_buf_reset(&b);
		bn_buf_addstr(&b, "{\"ConsumerInfo\":{" CID "," QDEST("q")
		    ",\"deep\":");
		for (i = 0; i < depth; i++)
			bn_buf_addc(&b, '[');
		for (i = 0; i < depth; i++)
			bn_buf_addc(&b, ']');
		bn_buf_addstr(&b, "}}");
		err = NULL;
		assert_int_equal(parse_copy(b.data, b.len, &adv, &err),
		    depth == 30 ? 0 : -1);
		if (depth == 31)
			assert_string_equal(err, "nesting deeper than 32");
	}

	/* A deep unclosed array is refused at 33, not recursed into. */
	bn_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		bn_buf_addc(&b, '[');
	err = NULL;
	assert_int_equal(parse_copy(b.data, b.len, &adv, &err), -1);
	assert_string_equal(err, "body is not a JSON object");
	bn_buf_reset(&b);
	bn_buf_addstr(&b, "{\"a\":");
	for (i = 0; i < 100000; i++)
		bn_buf_addstr(&b, "{\"a\":");
	err = NULL;
	assert_int_equal(parse_copy(b.data, b.len, &adv, &err), -1);
	assert_string_equal(err, "nesting deeper than 32");
	bn_buf_free(&b);
}

/* On failure *out is untouched; err may be NULL; body may be NULL. */
static void
test_contract(void **state)
{
	struct bn_advisory	 adv, before;
	const char		*err = NULL;

	memset(&adv, 0x5a, sizeof(adv));
	before = adv;
	assert_int_equal(bn_advisory_parse("{\"RemoveInfo\":{}}", 17, &adv,
	    &err), -1);
	assert_string_equal(err, "RemoveInfo lacks objectId");
	assert_memory_equal(&adv, &before, sizeof(adv));
	assert_int_equal(bn_advisory_parse("{", 1, &adv, NULL), -1);
	assert_memory_equal(&adv, &before, sizeof(adv));
	err = NULL;
	assert_int_equal(bn_advisory_parse(NULL, 0, &adv, &err), -1);
	assert_string_equal(err, "empty body");

	/* Only len bytes count: the rest of the buffer is not looked at. */
	assert_int_equal(bn_advisory_parse(ADD_BODY "garbage",
	    strlen(ADD_BODY), &adv, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permutations),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_contract),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
