/*
 * Unit tests for bridge/dedup.c (the duplicate window: count and age
 * bounds, FIFO eviction, STORING/STORED, waiters, key building, and the
 * memory a full window costs).
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "brokernet/dedup.h"
#include "brokernet/log.h"

/* bridge/dedup.c's DEDUP_SLAB */
#define DEDUP_SLAB_TEST	1024
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Tests marked BUG were written against defects found while writing them;
 * the defects are fixed and the tests stay as regression tests.
 */

/*
 * The window keeps fingerprints, not keys: the live entries, oldest first,
 * named by the candidate key (of the NULL-terminated list cand) whose
 * fingerprint they carry, joined with spaces; "?" for an unknown one.
 */
static const char *
fifo_names(const struct bn_dedup *dd, const char *const *cand, char *out,
    size_t n)
{
	const struct bn_dedup_ent	*e;
	const char *const		*c;
	const char			*name;
	uint64_t			 h[2];

	out[0] = '\0';
	for (e = dd->head; e != NULL; e = e->fifo_next) {
		if (e->state == BN_DEDUP_GONE)
			continue;
		name = "?";
		for (c = cand; *c != NULL; c++) {
			bn_dedup_fingerprint(dd, *c, h);
			if (h[0] == e->h[0] && h[1] == e->h[1])
				name = *c;
		}
		if (out[0] != '\0')
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, name, n - strlen(out) - 1);
	}
	return out;
}

/* Names k0..k15, a..c, p, "" for fifo_names. */
static const char *const knames[] = {
	"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10",
	"k11", "k12", "k13", "k14", "k15", "zz", "a", "b", "c", "p", "", NULL
};

#define fifo_keys(dd, s, n)	fifo_names((dd), knames, (s), (n))

/* Key building */

static const struct {
	const char	*what;
	const char	*origin, *id, *path;
	size_t		 n;
	int		 rc;
	const char	*want;
} key_cases[] = {
	{ "plain", "A", "ID:a-1:1:1:1", "A,B", 64, 0, "A|ID:a-1:1:1:1|A,B" },
	{ "single-name path", "B", "7", "B", 64, 0, "B|7|B" },
	{ "spaces are kept", "A", "ID 1", "A", 64, 0, "A|ID 1|A" },
	{ "origin missing", NULL, "1", "A", 64, -1, NULL },
	{ "id missing", "A", NULL, "A", 64, -1, NULL },
	{ "path missing", "A", "1", NULL, 64, -1, NULL },
	{ "all missing", NULL, NULL, NULL, 64, -1, NULL },
	{ "exact fit", "A", "1", "B", 6, 0, "A|1|B" },
	{ "one byte short", "A", "1", "B", 5, -1, NULL },
	{ "room for the NUL only", "A", "1", "B", 1, -1, NULL },
	{ "no room at all", "A", "1", "B", 0, -1, NULL },
	{ "newline in origin", "A\n", "1", "A", 64, -1, NULL },
	{ "newline in id", "A", "ID\n1", "A", 64, -1, NULL },
	{ "newline in path", "A", "1", "A,\nB", 64, -1, NULL },
	{ "newline alone", "A", "\n", "A", 64, -1, NULL },
};

static void
test_key(void **state)
{
	char	out[64];
	size_t	i;
	int	rc;

	for (i = 0; i < NELEM(key_cases); i++) {
		memset(out, 'x', sizeof(out));
		rc = bn_dedup_key(key_cases[i].origin, key_cases[i].id,
		    key_cases[i].path, out, key_cases[i].n);
		if (rc != key_cases[i].rc)
			fail_msg("%s: rc %d, want %d", key_cases[i].what, rc,
			    key_cases[i].rc);
		if (rc == 0 && strcmp(out, key_cases[i].want) != 0)
			fail_msg("%s: \"%s\", want \"%s\"", key_cases[i].what,
			    out, key_cases[i].want);
		/* nothing is written past n */
		if (key_cases[i].n < sizeof(out) &&
		    out[key_cases[i].n] != 'x')
			fail_msg("%s: wrote past %zu", key_cases[i].what,
			    key_cases[i].n);
	}
}

/* The 1024-byte buffer forward.c uses: 1023 characters fit, 1024 do not. */
static void
test_key_long(void **state)
{
	char	id[1100], out[1024];

	memset(id, 'i', sizeof(id));
	id[1023 - 4] = '\0';		/* "A|" + id + "|B" = 1023 */
	assert_int_equal(bn_dedup_key("A", id, "B", out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 1023);
	assert_int_equal(out[1022], 'B');
	id[1023 - 4] = 'i';
	id[1024 - 4] = '\0';		/* 1024 */
	assert_int_equal(bn_dedup_key("A", id, "B", out, sizeof(out)), -1);
	id[sizeof(id) - 1] = '\0';	/* far too long */
	assert_int_equal(bn_dedup_key("A", id, "B", out, sizeof(out)), -1);
}

/* The window */

static void
test_get_add_del(void **state)
{
	struct bn_dedup		 dd;
	struct bn_dedup_ent	*a, *b;
	char			 key[16], s[128];

	bn_dedup_init(&dd, 10, 60000);
	assert_int_equal(bn_dedup_count(&dd), 0);
	assert_null(bn_dedup_get(&dd, "k1", 0));

	strcpy(key, "k1");
	a = bn_dedup_add(&dd, key, BN_DEDUP_STORING, 1000);
	assert_non_null(a);
	strcpy(key, "zz");		/* the window keeps its own copy */
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "k1");
	assert_int_equal(a->state, BN_DEDUP_STORING);
	assert_int_equal(a->ts_ms, 1000);
	assert_false(a->waited);
	assert_ptr_equal(bn_dedup_get(&dd, "k1", 1000), a);
	assert_null(bn_dedup_get(&dd, "zz", 1000));
	assert_null(bn_dedup_get(&dd, "k", 1000));
	assert_null(bn_dedup_get(&dd, "k1 ", 1000));

	b = bn_dedup_add(&dd, "k2", BN_DEDUP_STORED, 1001);
	bn_dedup_add(&dd, "k3", BN_DEDUP_STORED, 1002);
	bn_dedup_add(&dd, "k4", BN_DEDUP_STORING, 1003);
	assert_int_equal(b->state, BN_DEDUP_STORED);
	assert_int_equal(bn_dedup_count(&dd), 4);
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "k1 k2 k3 k4");

	/* del from the middle, the head and the tail keeps the order */
	bn_dedup_del(&dd, "k2");
	assert_null(bn_dedup_get(&dd, "k2", 1003));
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "k1 k3 k4");
	bn_dedup_del(&dd, "k1");
	bn_dedup_del(&dd, "k4");
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "k3");
	assert_int_equal(bn_dedup_count(&dd), 1);
	/* del of an unknown key does nothing; del is not eviction */
	bn_dedup_del(&dd, "k1");
	bn_dedup_del(&dd, "");
	assert_int_equal(bn_dedup_count(&dd), 1);
	assert_int_equal(dd.evicted, 0);
	/* a failed store can be tried again: re-added at the tail */
	a = bn_dedup_add(&dd, "k1", BN_DEDUP_STORING, 2000);
	assert_ptr_equal(bn_dedup_get(&dd, "k1", 2000), a);
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "k3 k1");
	/* the empty key is a key */
	bn_dedup_add(&dd, "", BN_DEDUP_STORED, 2001);
	assert_non_null(bn_dedup_get(&dd, "", 2001));
	assert_int_equal(bn_dedup_count(&dd), 3);
	assert_int_equal(dd.suppressed, 0);
	bn_dedup_free(&dd);
}

/* Count bound: the oldest go first, whatever their state. */
static void
test_count_eviction(void **state)
{
	static const struct {
		size_t		 max;
		size_t		 nadd;
		const char	*want;
		uint64_t	 evicted;
	} cases[] = {
		{ 3, 2, "k0 k1", 0 },
		{ 3, 3, "k0 k1 k2", 0 },
		{ 3, 4, "k1 k2 k3", 1 },
		{ 3, 7, "k4 k5 k6", 4 },
		{ 1, 3, "k2", 2 },
		{ 0, 3, "k2", 2 },		/* 0 counts as 1 */
		{ 10, 10, "k0 k1 k2 k3 k4 k5 k6 k7 k8 k9", 0 },
	};
	struct bn_dedup	dd;
	char		key[32], s[128];
	size_t		i, k;

	for (i = 0; i < NELEM(cases); i++) {
		bn_dedup_init(&dd, cases[i].max, 60000);
		for (k = 0; k < cases[i].nadd; k++) {
			snprintf(key, sizeof(key), "k%zu", k);
			bn_dedup_add(&dd, key, k % 2 ? BN_DEDUP_STORING :
			    BN_DEDUP_STORED, 1000 + k);
		}
		fifo_keys(&dd, s, sizeof(s));
		if (strcmp(s, cases[i].want) != 0 ||
		    dd.evicted != cases[i].evicted)
			fail_msg("max %zu, %zu added: \"%s\" evicted %llu,"
			    " want \"%s\" evicted %llu", cases[i].max,
			    cases[i].nadd, s, (unsigned long long)dd.evicted,
			    cases[i].want,
			    (unsigned long long)cases[i].evicted);
		/* the map agrees with the FIFO */
		for (k = 0; k < cases[i].nadd; k++) {
			snprintf(key, sizeof(key), "k%zu", k);
			if ((bn_dedup_get(&dd, key, 1000) != NULL) !=
			    (strstr(cases[i].want, key) != NULL))
				fail_msg("max %zu: %s in map and FIFO differ",
				    cases[i].max, key);
		}
		assert_int_equal(bn_dedup_count(&dd),
		    cases[i].nadd < (cases[i].max ? cases[i].max : 1) ?
		    cases[i].nadd : (cases[i].max ? cases[i].max : 1));
		bn_dedup_free(&dd);
	}
}

/* Many keys through a small window: count never exceeds the bound. */
static void
test_count_many(void **state)
{
	struct bn_dedup	dd;
	char		key[32];
	size_t		i;

	bn_dedup_init(&dd, 100, 0);
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "B|ID:%zu|B", i);
		assert_null(bn_dedup_get(&dd, key, i));
		bn_dedup_add(&dd, key, BN_DEDUP_STORED, i);
		assert_true(bn_dedup_count(&dd) <= 100);
	}
	assert_int_equal(bn_dedup_count(&dd), 100);
	assert_int_equal(dd.evicted, 9900);
	assert_null(bn_dedup_get(&dd, "B|ID:9899|B", 10000));
	assert_non_null(bn_dedup_get(&dd, "B|ID:9900|B", 10000));
	{
		uint64_t	h[2];

		bn_dedup_fingerprint(&dd, "B|ID:9900|B", h);
		assert_true(dd.head->h[0] == h[0] && dd.head->h[1] == h[1]);
	}
	bn_dedup_free(&dd);
}

/* Age bound: STORED entries older than max_age go; STORING ones stay. */
static const struct {
	const char		*what;
	enum bn_dedup_state	 st;
	uint64_t		 ts, max_age, now;
	bool			 present;
} age_cases[] = {
	{ "stored, young", BN_DEDUP_STORED, 100, 1000, 500, true },
	{ "stored, exactly max_age old", BN_DEDUP_STORED, 100, 1000, 1100,
	    true },
	{ "stored, 1 ms too old", BN_DEDUP_STORED, 100, 1000, 1101, false },
	{ "stored, much too old", BN_DEDUP_STORED, 100, 1000, 1000000,
	    false },
	{ "storing never expires", BN_DEDUP_STORING, 100, 1000, 1000000,
	    true },
	{ "storing, receipt pending for ages", BN_DEDUP_STORING, 0, 1,
	    UINT64_MAX / 2, true },
	{ "max_age 0: no age bound", BN_DEDUP_STORED, 0, 0, UINT64_MAX / 2,
	    true },
	{ "clock behind the entry", BN_DEDUP_STORED, 5000, 1000, 10, true },
	{ "wall-clock sized times", BN_DEDUP_STORED, 1700000000000ULL,
	    86400000, 1700000000000ULL + 86400001, false },
};

static void
test_age(void **state)
{
	struct bn_dedup	dd;
	size_t		i;
	bool		present;

	for (i = 0; i < NELEM(age_cases); i++) {
		/* via get */
		bn_dedup_init(&dd, 10, age_cases[i].max_age);
		bn_dedup_add(&dd, "k", age_cases[i].st, age_cases[i].ts);
		present = bn_dedup_get(&dd, "k", age_cases[i].now) != NULL;
		if (present != age_cases[i].present)
			fail_msg("%s: get: %s, want %s", age_cases[i].what,
			    present ? "present" : "gone",
			    age_cases[i].present ? "present" : "gone");
		assert_int_equal(bn_dedup_count(&dd), present ? 1 : 0);
		assert_int_equal(dd.evicted, present ? 0 : 1);
		bn_dedup_free(&dd);

		/* via expire */
		bn_dedup_init(&dd, 10, age_cases[i].max_age);
		bn_dedup_add(&dd, "k", age_cases[i].st, age_cases[i].ts);
		bn_dedup_expire(&dd, age_cases[i].now);
		if ((bn_dedup_count(&dd) == 1) != age_cases[i].present)
			fail_msg("%s: expire disagrees", age_cases[i].what);
		bn_dedup_free(&dd);
	}
}

/* Expiry walks from the oldest; a receipted entry then expires. */
static void
test_age_sequence(void **state)
{
	struct bn_dedup		 dd;
	struct bn_dedup_ent	*p;
	char			 s[128];

	bn_dedup_init(&dd, 10, 1000);
	bn_dedup_add(&dd, "a", BN_DEDUP_STORED, 0);
	bn_dedup_add(&dd, "b", BN_DEDUP_STORED, 500);
	bn_dedup_add(&dd, "c", BN_DEDUP_STORED, 1000);
	/* a get of any key expires what is old first */
	assert_non_null(bn_dedup_get(&dd, "c", 1200));
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "b c");
	assert_int_equal(dd.evicted, 1);
	assert_null(bn_dedup_get(&dd, "b", 1501));
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "c");
	bn_dedup_expire(&dd, 1999);
	assert_int_equal(bn_dedup_count(&dd), 1);
	bn_dedup_expire(&dd, 2001);
	assert_int_equal(bn_dedup_count(&dd), 0);
	assert_int_equal(dd.evicted, 3);
	/* expiring an empty window is harmless */
	bn_dedup_expire(&dd, UINT64_MAX / 2);

	/* pending at the head: kept until receipted, then aged out */
	p = bn_dedup_add(&dd, "p", BN_DEDUP_STORING, 3000);
	assert_non_null(bn_dedup_get(&dd, "p", 10000));
	p->state = BN_DEDUP_STORED;		/* as forward.c does */
	p->ts_ms = 10000;
	assert_non_null(bn_dedup_get(&dd, "p", 11000));
	assert_null(bn_dedup_get(&dd, "p", 11001));
	assert_int_equal(bn_dedup_count(&dd), 0);
	bn_dedup_free(&dd);
}

/*
 * BUG? (doc mismatch, bridge/dedup.c:45-47, bn_dedup_expire): expiry stops
 * at the first entry of the FIFO that is STORING or not yet old, so a
 * STORED entry older than max_age behind it stays, and bn_dedup_get still
 * returns it, although dedup.h says expire "Evicts entries older than
 * max_age" and get evicts expired entries first. It happens whenever a
 * receipt is pending at the head (forward.c adds every key as STORING and
 * sets ts_ms at receipt time, so the FIFO is not in ts order either).
 * Effect: keys live longer than max_age (more suppression, memory still
 * bounded by count). Settled: expiry walks past in-progress entries.
 */
static void
test_age_behind_pending(void **state)
{
	struct bn_dedup	dd;

	bn_dedup_init(&dd, 10, 1000);
	bn_dedup_add(&dd, "pending", BN_DEDUP_STORING, 0);
	bn_dedup_add(&dd, "old", BN_DEDUP_STORED, 0);
	assert_null(bn_dedup_get(&dd, "old", 5000));
	assert_non_null(bn_dedup_get(&dd, "pending", 5000));
	bn_dedup_free(&dd);
}

/* Duplicates waiting for the first copy's receipt accumulate in order. */
static void
test_waiters(void **state)
{
	struct bn_dedup		 dd;
	struct bn_dedup_ent	*a, *b;
	struct bn_dedup_waiter	*w;
	size_t			 i;

	bn_dedup_init(&dd, 2, 1000);
	a = bn_dedup_add(&dd, "a", BN_DEDUP_STORING, 0);
	b = bn_dedup_add(&dd, "b", BN_DEDUP_STORING, 0);
	for (i = 0; i < 100; i++) {
		bn_dedup_wait(&dd, a, i % 3 + 1, 1000 + i);
		if (i == 50)
			bn_dedup_wait(&dd, b, UINT64_MAX, UINT64_MAX);
	}
	assert_true(a->waited);
	assert_int_equal(bn_dedup_take_waiters(&dd, a, &w), 100);
	for (i = 0; i < 100; i++) {
		assert_int_equal(w[i].link, i % 3 + 1);
		assert_int_equal(w[i].seq, 1000 + i);
	}
	free(w);
	/* taken: they no longer wait */
	assert_false(a->waited);
	assert_int_equal(bn_dedup_take_waiters(&dd, a, &w), 0);
	assert_null(w);
	/* the same (link, seq) twice is kept twice: the caller decides */
	bn_dedup_wait(&dd, b, UINT64_MAX, UINT64_MAX);
	assert_int_equal(dd.nwait, 2);
	/* del, eviction and free forget an entry's waiters */
	bn_dedup_del(&dd, "b");
	assert_int_equal(dd.nwait, 0);
	bn_dedup_add(&dd, "c", BN_DEDUP_STORED, 0);
	bn_dedup_wait(&dd, bn_dedup_get(&dd, "c", 0), 9, 9);
	bn_dedup_wait(&dd, a, 8, 8);
	bn_dedup_add(&dd, "d", BN_DEDUP_STORED, 0);	/* evicts a */
	assert_null(bn_dedup_get(&dd, "a", 0));
	assert_int_equal(dd.nwait, 1);
	assert_int_equal(bn_dedup_take_waiters(&dd, bn_dedup_get(&dd, "c", 0),
	    &w), 1);
	assert_int_equal(w[0].seq, 9);
	free(w);
	bn_dedup_wait(&dd, bn_dedup_get(&dd, "d", 0), 7, 7);
	bn_dedup_free(&dd);
}

/* A full window of 100,000 keys costs at most 8 MB (issue 12). */
static void
test_memory_full_window(void **state)
{
	struct bn_dedup	dd;
	char		key[128];
	size_t		i, bytes;

	bn_dedup_init(&dd, 100000, 0);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key),
		    "A|ID:vm-36871-1796208896226-3:3:1:1:%zu|,A,", i);
		bn_dedup_add(&dd, key, BN_DEDUP_STORED, i);
	}
	/* what it allocated: slabs of entries, and buckets */
	bytes = bn_dedup_bytes(&dd);
	print_message("full window: %zu keys, %zu buckets, %zu bytes\n",
	    dd.n, dd.nb, bytes);
	assert_true(sizeof(struct bn_dedup_ent) <= 48);
	assert_true(bytes <= 6u * 1000 * 1000);
	snprintf(key, sizeof(key), "A|ID:vm-36871-1796208896226-3:3:1:1:%d|,A,",
	    99999);
	assert_non_null(bn_dedup_find(&dd, key));
	bn_dedup_free(&dd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_key_long),
		cmocka_unit_test(test_get_add_del),
		cmocka_unit_test(test_count_eviction),
		cmocka_unit_test(test_count_many),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_age_sequence),
		cmocka_unit_test(test_waiters),
		cmocka_unit_test(test_memory_full_window),
		cmocka_unit_test(test_age_behind_pending),
	};

	bn_log_init(BN_LOG_QUIET, 0, "test_dedup");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
