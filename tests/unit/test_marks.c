/*
 * Unit tests for bridge/marks.c, the broker-held duplicate window's marker
 * list: which marker may leave the broker (count and age bounds), only
 * once delivered, oldest first, and what a new store session forgets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "brokernet/marks.h"
#include "brokernet/util.h"

/* Trims everything due at now; returns the ack ids joined by spaces. */
static const char *
trim_all(struct bn_marks *m, uint64_t now, char *out, size_t n)
{
	char	*ack;

	out[0] = '\0';
	while ((ack = bn_marks_trim_next(m, now)) != NULL) {
		if (out[0] != '\0')
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, ack, n - strlen(out) - 1);
		free(ack);
	}
	return out;
}

static void
test_count_bound_keeps_window(void **state)
{
	struct bn_marks	*m = bn_marks_new(10, 0);
	char		 out[256];

	/* 3 markers of 4 keys: 12 keys, the window is 10. */
	assert_int_equal(bn_marks_add(m, "t1", 100, 4), 0);
	assert_int_equal(bn_marks_add(m, "t2", 101, 4), 0);
	assert_int_equal(bn_marks_add(m, "t3", 102, 4), 0);
	assert_int_equal(bn_marks_keys(m), 12);
	/* Not delivered yet: nothing can be acked. */
	assert_string_equal(trim_all(m, 200, out, sizeof(out)), "");
	bn_marks_delivered(m, "t1", 100, 4, "a1", NULL, 0);
	bn_marks_delivered(m, "t2", 101, 4, "a2", NULL, 0);
	bn_marks_delivered(m, "t3", 102, 4, "a3", NULL, 0);
	assert_int_equal(bn_marks_held(m), 3);
	/*
	 * Without t1 the window still holds 8 keys < 10: t1 stays, so the
	 * window never drops below its bound.
	 */
	assert_string_equal(trim_all(m, 200, out, sizeof(out)), "");
	assert_int_equal(bn_marks_add(m, "t4", 103, 4), 0);
	bn_marks_delivered(m, "t4", 103, 4, "a4", NULL, 0);
	/* 16 keys: t1 goes (12 left >= 10), t2 stays (8 left < 10). */
	assert_string_equal(trim_all(m, 200, out, sizeof(out)), "a1");
	assert_int_equal(bn_marks_count(m), 3);
	assert_int_equal(bn_marks_keys(m), 12);
	assert_int_equal(bn_marks_held(m), 3);
	bn_marks_free(m);
}

static void
test_age_bound(void **state)
{
	struct bn_marks	*m = bn_marks_new(1000, 50);
	char		 out[256];

	bn_marks_add(m, "t1", 100, 1);
	bn_marks_add(m, "t2", 140, 1);
	bn_marks_delivered(m, "t1", 100, 1, "a1", NULL, 0);
	bn_marks_delivered(m, "t2", 140, 1, "a2", NULL, 0);
	assert_string_equal(trim_all(m, 150, out, sizeof(out)), "");
	assert_string_equal(trim_all(m, 151, out, sizeof(out)), "a1");
	assert_string_equal(trim_all(m, 191, out, sizeof(out)), "a2");
	assert_int_equal(bn_marks_count(m), 0);
	assert_int_equal(bn_marks_keys(m), 0);
	bn_marks_free(m);
}

static void
test_oldest_not_delivered_blocks(void **state)
{
	struct bn_marks	*m = bn_marks_new(1, 10);
	char		 out[256];

	bn_marks_add(m, "t1", 100, 1);
	bn_marks_add(m, "t2", 100, 1);
	/* Deliveries out of order: t2 first. The queue is FIFO, so the
	 * oldest must be acked first; t2 waits for t1. */
	bn_marks_delivered(m, "t2", 100, 1, "a2", NULL, 0);
	assert_string_equal(trim_all(m, 1000, out, sizeof(out)), "");
	bn_marks_delivered(m, "t1", 100, 1, "a1", NULL, 0);
	assert_string_equal(trim_all(m, 1000, out, sizeof(out)), "a1 a2");
	bn_marks_free(m);
}

static void
test_add_known_and_unknown_delivery(void **state)
{
	struct bn_marks	*m = bn_marks_new(100, 0);

	assert_int_equal(bn_marks_add(m, "t1", 1, 2), 0);
	/* The browse and the commit receipt may both report t1. */
	assert_int_equal(bn_marks_add(m, "t1", 1, 2), 1);
	assert_int_equal(bn_marks_count(m), 1);
	assert_int_equal(bn_marks_keys(m), 2);
	/* A delivery of a marker not seen before appends it. */
	assert_int_equal(bn_marks_delivered(m, "t9", 5, 3, "a9", NULL, 0), 1);
	assert_int_equal(bn_marks_delivered(m, "t1", 1, 2, "a1", NULL, 0), 0);
	/* Delivered again (a redelivery): the newer ack id counts once. */
	assert_int_equal(bn_marks_delivered(m, "t1", 1, 2, "a1b", NULL, 0), 0);
	assert_int_equal(bn_marks_held(m), 2);
	assert_int_equal(bn_marks_count(m), 2);
	assert_int_equal(bn_marks_keys(m), 5);
	bn_marks_free(m);
}

static void
test_clear_forgets_session(void **state)
{
	struct bn_marks	*m = bn_marks_new(1, 0);
	char		 out[64];

	bn_marks_add(m, "t1", 1, 1);
	bn_marks_add(m, "t2", 1, 1);
	bn_marks_delivered(m, "t1", 1, 1, "a1", NULL, 0);
	bn_marks_clear(m);
	assert_int_equal(bn_marks_count(m), 0);
	assert_int_equal(bn_marks_held(m), 0);
	assert_int_equal(bn_marks_keys(m), 0);
	/* A rebuilt list works as new. */
	bn_marks_add(m, "t1", 1, 1);
	bn_marks_add(m, "t2", 1, 1);
	bn_marks_delivered(m, "t1", 1, 1, "b1", NULL, 0);
	assert_string_equal(trim_all(m, 5, out, sizeof(out)), "b1");
	bn_marks_free(m);
	bn_marks_free(NULL);
}

static void
test_many_markers(void **state)
{
	struct bn_marks	*m = bn_marks_new(100000, 0);
	char		 tx[32], ack[32], *a;
	unsigned	 i, trimmed = 0;

	/* A window full of one-key markers, as at low load. */
	for (i = 0; i < 120000; i++) {
		snprintf(tx, sizeof(tx), "boot-%u", i);
		snprintf(ack, sizeof(ack), "ack-%u", i);
		bn_marks_add(m, tx, i, 1);
		bn_marks_delivered(m, tx, i, 1, ack, NULL, 0);
		while ((a = bn_marks_trim_next(m, i)) != NULL) {
			snprintf(ack, sizeof(ack), "ack-%u", trimmed++);
			assert_string_equal(a, ack);
			free(a);
		}
	}
	assert_int_equal(trimmed, 20000);
	assert_int_equal(bn_marks_count(m), 100000);
	bn_marks_free(m);
}

static void
test_merge_small_oldest(void **state)
{
	struct bn_marks	*m = bn_marks_new(1000, 0);
	struct bn_buf	 keys = { 0 };
	char		*acks[3];
	uint64_t	 ts;
	uint32_t	 nk;
	size_t		 n;

	bn_marks_add(m, "t1", 10, 1);
	bn_marks_add(m, "big", 11, BN_MARKS_SMALL + 1);
	bn_marks_add(m, "t2", 12, 2);
	bn_marks_add(m, "t3", 13, 1);
	bn_marks_add(m, "t4", 14, 1);
	bn_marks_delivered(m, "t1", 10, 1, "a1", "k1\n", 3);
	bn_marks_delivered(m, "big", 11, BN_MARKS_SMALL + 1, "ab", "x\n", 2);
	bn_marks_delivered(m, "t2", 12, 2, "a2", "k2\nk3", 5);
	bn_marks_delivered(m, "t3", 13, 1, "a3", "k4\n", 3);
	/* 4 held, but only 3 small ones: not above the high mark. */
	assert_int_equal(bn_marks_held(m), 4);
	assert_int_equal(bn_marks_held_small(m), 3);
	assert_int_equal(bn_marks_merge_pick(m, 3, 3, acks, &keys, &ts, &nk),
	    0);
	bn_marks_delivered(m, "t4", 14, 1, "a4", "k5\n", 3);
	/* 4 small held > 3: the oldest small ones, the big one stays. */
	n = bn_marks_merge_pick(m, 3, 2, acks, &keys, &ts, &nk);
	assert_int_equal(n, 2);
	assert_string_equal(acks[0], "a1");
	assert_string_equal(acks[1], "a2");
	assert_int_equal(keys.len, 9);
	assert_memory_equal(keys.data, "k1\nk2\nk3\n", 9);
	assert_int_equal(ts, 12);
	assert_int_equal(nk, 3);
	assert_int_equal(bn_marks_count(m), 3);
	assert_int_equal(bn_marks_held(m), 3);
	assert_int_equal(bn_marks_held_small(m), 2);
	assert_int_equal(bn_marks_keys(m), BN_MARKS_SMALL + 3);
	free(acks[0]);
	free(acks[1]);
	bn_buf_free(&keys);
	bn_marks_free(m);
}

/* Many big markers held never make small ones merge one at a time. */
static void
test_big_ones_do_not_trigger_merges(void **state)
{
	struct bn_marks	*m = bn_marks_new(1000000, 0);
	struct bn_buf	 keys = { 0 };
	char		*acks[4], tx[16], ack[16];
	uint64_t	 ts;
	uint32_t	 nk;
	int		 i;

	for (i = 0; i < 500; i++) {
		snprintf(tx, sizeof(tx), "b%d", i);
		snprintf(ack, sizeof(ack), "ab%d", i);
		bn_marks_add(m, tx, i, BN_MARKS_SMALL + 10);
		bn_marks_delivered(m, tx, i, BN_MARKS_SMALL + 10, ack, "x\n",
		    2);
	}
	bn_marks_add(m, "s", 600, 1);
	bn_marks_delivered(m, "s", 600, 1, "as", "k\n", 2);
	assert_int_equal(bn_marks_held(m), 501);
	assert_int_equal(bn_marks_held_small(m), 1);
	assert_int_equal(bn_marks_merge_pick(m, 400, 4, acks, &keys, &ts,
	    &nk), 0);
	/* Trimming a small one keeps the count right. */
	bn_marks_free(m);
	m = bn_marks_new(1, 0);
	bn_marks_add(m, "s1", 1, 1);
	bn_marks_add(m, "s2", 2, 1);
	bn_marks_delivered(m, "s1", 1, 1, "a1", "k\n", 2);
	bn_marks_delivered(m, "s2", 2, 1, "a2", "l\n", 2);
	assert_int_equal(bn_marks_held_small(m), 2);
	acks[0] = bn_marks_trim_next(m, 3);
	assert_non_null(acks[0]);
	assert_string_equal(acks[0], "a1");
	free(acks[0]);
	assert_int_equal(bn_marks_held_small(m), 1);
	bn_buf_free(&keys);
	bn_marks_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_bound_keeps_window),
		cmocka_unit_test(test_age_bound),
		cmocka_unit_test(test_oldest_not_delivered_blocks),
		cmocka_unit_test(test_add_known_and_unknown_delivery),
		cmocka_unit_test(test_clear_forgets_session),
		cmocka_unit_test(test_many_markers),
		cmocka_unit_test(test_merge_small_oldest),
		cmocka_unit_test(test_big_ones_do_not_trigger_merges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
