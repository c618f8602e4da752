/*
 * Unit tests for bridge/demand.c: local counts (never below zero, entry
 * GC, local_zero_ms), remote demand per link with the changed-queue lists,
 * the re-advertising rules over tables of scenarios and over whole
 * topologies (chains, rings, meshes, a grid) run to a fixpoint, path
 * membership and consumer priorities.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "brokernet/advisory.h"
#include "brokernet/demand.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Tests marked BUG were written against defects found while writing them;
 * the defects are fixed and the tests stay as regression tests.
 */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The NUL-separated names in b, sorted and joined with spaces into out
 * (the order of changed lists is unspecified).
 */
static const char *
names_sorted(const struct bn_buf *b, char *out, size_t n)
{
	const char	*v[64];
	size_t		 nv = 0, off, i;

	out[0] = '\0';
	for (off = 0; off < b->len; off += strlen(b->data + off) + 1) {
		assert_true(nv < NELEM(v));
		v[nv++] = b->data + off;
	}
	/* the list ends with a NUL: no half name at the end */
	if (b->len > 0)
		assert_int_equal(b->data[b->len - 1], '\0');
	qsort(v, nv, sizeof(v[0]), cmp_str);
	for (i = 0; i < nv; i++) {
		if (i > 0)
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, v[i], n - strlen(out) - 1);
	}
	return out;
}

/* The table's own entry, for tests that look at or seed local_zero_ms. */
static struct bn_demand_q *
q_mut(struct bn_demand *d, const char *name)
{
	return bn_hmap_get(&d->queues, name);
}

/* Local counts */

struct local_step {
	int		 delta;
	uint32_t	 want;
	bool		 exists;	/* entry in the table afterwards */
};

static const struct {
	const char		*what;
	size_t			 n;
	struct local_step	 steps[8];
} local_seqs[] = {
	{ "up and down", 5, { { 1, 1, true }, { 1, 2, true },
	    { -1, 1, true }, { -1, 0, false }, { 1, 1, true } } },
	{ "decrement of an unknown queue", 3, { { -1, 0, false },
	    { -100, 0, false }, { 1, 1, true } } },
	{ "zero delta creates nothing", 3, { { 0, 0, false }, { 2, 2, true },
	    { 0, 2, true } } },
	{ "never below zero", 4, { { 3, 3, true }, { -5, 0, false },
	    { -1, 0, false }, { 1, 1, true } } },
	{ "exactly to zero", 2, { { 7, 7, true }, { -7, 0, false } } },
	{ "large deltas", 4, { { INT_MAX, INT_MAX, true },
	    { -(INT_MAX - 1), 1, true }, { INT_MIN + 1, 0, false },
	    { 1, 1, true } } },
};

static void
test_local_counts(void **state)
{
	struct bn_demand		 d;
	const struct bn_demand_q	*q;
	size_t				 i, k;

	for (i = 0; i < NELEM(local_seqs); i++) {
		bn_demand_init(&d);
		for (k = 0; k < local_seqs[i].n; k++) {
			const struct local_step *s = &local_seqs[i].steps[k];
			uint32_t		 got;

			got = bn_demand_local_add(&d, "Q", s->delta);
			q = bn_demand_get(&d, "Q");
			if (got != s->want || (q != NULL) != s->exists ||
			    (q != NULL && q->local != s->want))
				fail_msg("%s: step %zu (%+d): got %u, entry"
				    " %s, want %u, entry %s",
				    local_seqs[i].what, k, s->delta, got,
				    q ? "present" : "absent", s->want,
				    s->exists ? "present" : "absent");
		}
		/* other queues are untouched */
		assert_null(bn_demand_get(&d, "Q2"));
		assert_int_equal(bn_hmap_count(&d.queues), q != NULL ? 1 : 0);
		bn_demand_free(&d);
	}
}

/*
 * BUG (bridge/demand.c:71, bn_demand_local_add): with delta == INT_MIN the
 * expression (uint32_t)-delta negates INT_MIN, which overflows int
 * (undefined behaviour; UBSan: "negation of -2147483648 cannot be
 * represented in type 'int'"). Expected: the count clamps to 0 like any
 * other large decrement. Callers pass +-1 today, so it is latent.
 * Fixed (int64 arithmetic); a regression test now.
 */
static void
test_local_int_min(void **state)
{
	struct bn_demand	d;

	bn_demand_init(&d);
	assert_int_equal(bn_demand_local_add(&d, "Q", 5), 5);
	assert_int_equal(bn_demand_local_add(&d, "Q", INT_MIN), 0);
	assert_null(bn_demand_get(&d, "Q"));
	bn_demand_free(&d);
}

/* Independent counts per queue; names that share prefixes stay apart. */
static void
test_local_many_queues(void **state)
{
	static const char	*names[] = { "A", "AB", "A.B", "a", "", "B" };
	struct bn_demand	 d;
	size_t			 i;

	bn_demand_init(&d);
	for (i = 0; i < NELEM(names); i++)
		assert_int_equal(bn_demand_local_add(&d, names[i],
		    (int)i + 1), i + 1);
	for (i = 0; i < NELEM(names); i++)
		assert_int_equal(bn_demand_get(&d, names[i])->local, i + 1);
	for (i = 0; i < NELEM(names); i += 2)
		bn_demand_local_add(&d, names[i], -(int)i - 1);
	for (i = 0; i < NELEM(names); i++)
		if (i % 2 == 0)
			assert_null(bn_demand_get(&d, names[i]));
		else
			assert_int_equal(bn_demand_get(&d, names[i])->local,
			    i + 1);
	bn_demand_free(&d);
}

/* local_zero_ms: set when the count drops to zero, kept otherwise. */
static void
test_local_zero_ms(void **state)
{
	struct bn_demand	 d;
	struct bn_demand_q	*q;
	uint64_t		 before, after;

	bn_demand_init(&d);
	/* a new entry (remote demand only) has local 0 since its creation */
	before = bn_now_ms();
	bn_demand_remote_set(&d, "Q", 1, 1, "P");
	after = bn_now_ms();
	q = q_mut(&d, "Q");
	assert_non_null(q);
	assert_int_equal(q->local, 0);
	assert_true(q->local_zero_ms >= before && q->local_zero_ms <= after);

	/* going up does not touch it */
	q->local_zero_ms = 42;
	assert_int_equal(bn_demand_local_add(&d, "Q", 2), 2);
	assert_int_equal(q->local_zero_ms, 42);
	/* 2 -> 1 does not touch it */
	assert_int_equal(bn_demand_local_add(&d, "Q", -1), 1);
	assert_int_equal(q->local_zero_ms, 42);
	/* 1 -> 0 sets it to now; the entry stays for its remote demand */
	before = bn_now_ms();
	assert_int_equal(bn_demand_local_add(&d, "Q", -1), 0);
	after = bn_now_ms();
	assert_ptr_equal(q_mut(&d, "Q"), q);
	assert_true(q->local_zero_ms >= before && q->local_zero_ms <= after);
	/* clamping to zero counts as dropping to zero */
	q->local_zero_ms = 42;
	bn_demand_local_add(&d, "Q", 3);
	before = bn_now_ms();
	assert_int_equal(bn_demand_local_add(&d, "Q", -10), 0);
	assert_true(q->local_zero_ms >= before);
	/* remote changes do not touch it */
	q->local_zero_ms = 42;
	bn_demand_remote_set(&d, "Q", 2, 3, "X,Y,Z");
	bn_demand_remote_del(&d, "Q", 2);
	assert_int_equal(q->local_zero_ms, 42);
	bn_demand_free(&d);
}

/*
 * BUG (minor, bridge/demand.c:76-77, bn_demand_local_add): a decrement of
 * a queue whose local count is already 0 (entry kept by remote demand)
 * resets local_zero_ms to now, although the count did not drop: the
 * header says it is "since when local == 0". That postpones stranded
 * message replay (forward.c fwd_replay_wanted) by another replayDelay.
 * daemon.c only decrements consumers it counted, so it is latent.
 * Fixed (only a real transition to zero stamps it); a regression test.
 */
static void
test_local_zero_ms_kept_at_zero(void **state)
{
	struct bn_demand	 d;
	struct bn_demand_q	*q;

	bn_demand_init(&d);
	bn_demand_remote_set(&d, "Q", 1, 1, "P");
	q = q_mut(&d, "Q");
	q->local_zero_ms = 42;
	assert_int_equal(bn_demand_local_add(&d, "Q", -1), 0);
	assert_int_equal(q->local_zero_ms, 42);
	bn_demand_free(&d);
}

/* local_clear reports exactly the queues whose count changed. */
static void
test_local_clear(void **state)
{
	struct bn_demand	 d;
	struct bn_demand_q	*q;
	struct bn_buf		 changed = { 0 };
	char			 s[256];
	uint64_t		 before;

	bn_demand_init(&d);
	bn_demand_local_add(&d, "Q1", 2);
	bn_demand_local_add(&d, "Q2", 1);
	bn_demand_remote_set(&d, "Q3", 1, 1, "P");	/* remote only */
	bn_demand_local_add(&d, "Q4", 1);		/* both */
	bn_demand_remote_set(&d, "Q4", 1, 2, "X,P");
	bn_demand_local_add(&d, "Q5", 1);		/* was, not now */
	bn_demand_local_add(&d, "Q5", -1);
	q_mut(&d, "Q3")->local_zero_ms = 42;
	q_mut(&d, "Q4")->local_zero_ms = 42;

	/* the list is appended to what the buffer holds */
	bn_buf_add(&changed, "OLD", 4);
	before = bn_now_ms();
	bn_demand_local_clear(&d, &changed);
	assert_string_equal(changed.data, "OLD");
	assert_string_equal(names_sorted(&changed, s, sizeof(s)),
	    "OLD Q1 Q2 Q4");
	/* local-only entries are gone, the others stay with local 0 */
	assert_null(bn_demand_get(&d, "Q1"));
	assert_null(bn_demand_get(&d, "Q2"));
	assert_null(bn_demand_get(&d, "Q5"));
	q = q_mut(&d, "Q3");
	assert_non_null(q);
	assert_int_equal(q->local, 0);
	assert_int_equal(q->local_zero_ms, 42);		/* did not change */
	assert_int_equal(q->nremote, 1);
	q = q_mut(&d, "Q4");
	assert_non_null(q);
	assert_int_equal(q->local, 0);
	assert_true(q->local_zero_ms >= before);
	assert_int_equal(bn_demand_remote_hops(&d, "Q4", 1), 2);
	assert_int_equal(bn_hmap_count(&d.queues), 2);

	/* nothing local left: nothing reported */
	bn_buf_reset(&changed);
	bn_demand_local_clear(&d, &changed);
	assert_int_equal(changed.len, 0);

	/* NULL list is allowed */
	bn_demand_local_add(&d, "Q6", 1);
	bn_demand_local_clear(&d, NULL);
	assert_null(bn_demand_get(&d, "Q6"));
	bn_buf_free(&changed);
	bn_demand_free(&d);

	/* an empty table */
	bn_demand_init(&d);
	bn_demand_local_clear(&d, &changed);
	assert_int_equal(changed.len, 0);
	bn_buf_free(&changed);
	bn_demand_free(&d);
}

/* Remote demand */

static void
test_remote_set_del(void **state)
{
	struct bn_demand		 d;
	const struct bn_demand_q	*q;
	size_t				 i;

	bn_demand_init(&d);
	assert_int_equal(bn_demand_remote_hops(&d, "Q", 1), 0);
	/* new, same again, other hops, other path */
	assert_true(bn_demand_remote_set(&d, "Q", 1, 1, "A"));
	assert_false(bn_demand_remote_set(&d, "Q", 1, 1, "A"));
	assert_true(bn_demand_remote_set(&d, "Q", 1, 2, "A"));
	assert_int_equal(bn_demand_remote_hops(&d, "Q", 1), 2);
	assert_true(bn_demand_remote_set(&d, "Q", 1, 2, "B"));
	assert_false(bn_demand_remote_set(&d, "Q", 1, 2, "B"));
	q = bn_demand_get(&d, "Q");
	assert_non_null(q);
	assert_int_equal(q->nremote, 1);
	assert_string_equal(q->remote[0].path, "B");
	assert_int_equal(q->local, 0);

	/* more links on the same queue */
	assert_true(bn_demand_remote_set(&d, "Q", 2, 3, "C,D,E"));
	assert_true(bn_demand_remote_set(&d, "Q", 3, 1, "F"));
	assert_true(bn_demand_remote_set(&d, "Q", UINT64_MAX, 5,
	    "G,H,I,J,K"));
	q = bn_demand_get(&d, "Q");
	assert_int_equal(q->nremote, 4);
	assert_int_equal(bn_demand_remote_hops(&d, "Q", 1), 2);
	assert_int_equal(bn_demand_remote_hops(&d, "Q", 2), 3);
	assert_int_equal(bn_demand_remote_hops(&d, "Q", 3), 1);
	assert_int_equal(bn_demand_remote_hops(&d, "Q", UINT64_MAX), 5);
	assert_int_equal(bn_demand_remote_hops(&d, "Q", 4), 0);
	assert_int_equal(bn_demand_remote_hops(&d, "other", 1), 0);

	/* deleting from the front keeps the others intact */
	assert_true(bn_demand_remote_del(&d, "Q", 1));
	assert_false(bn_demand_remote_del(&d, "Q", 1));
	q = bn_demand_get(&d, "Q");
	assert_int_equal(q->nremote, 3);
	assert_int_equal(bn_demand_remote_hops(&d, "Q", 1), 0);
	assert_int_equal(bn_demand_remote_hops(&d, "Q", 2), 3);
	assert_int_equal(bn_demand_remote_hops(&d, "Q", 3), 1);
	assert_int_equal(bn_demand_remote_hops(&d, "Q", UINT64_MAX), 5);
	for (i = 0; i < q->nremote; i++) {
		const struct bn_demand_remote *r = &q->remote[i];

		if (r->link == 2)
			assert_string_equal(r->path, "C,D,E");
		else if (r->link == 3)
			assert_string_equal(r->path, "F");
		else
			assert_string_equal(r->path, "G,H,I,J,K");
	}
	/* the last one */
	assert_true(bn_demand_remote_del(&d, "Q", UINT64_MAX));
	assert_int_equal(bn_demand_get(&d, "Q")->nremote, 2);
	/* unknown link, unknown queue: false, and nothing is created */
	assert_false(bn_demand_remote_del(&d, "Q", 77));
	assert_false(bn_demand_remote_del(&d, "nope", 2));
	assert_null(bn_demand_get(&d, "nope"));
	/* removing the last demand drops the entry */
	assert_true(bn_demand_remote_del(&d, "Q", 2));
	assert_true(bn_demand_remote_del(&d, "Q", 3));
	assert_null(bn_demand_get(&d, "Q"));
	assert_int_equal(bn_hmap_count(&d.queues), 0);
	/* ... unless there are local consumers */
	bn_demand_local_add(&d, "L", 1);
	bn_demand_remote_set(&d, "L", 1, 1, "A");
	assert_true(bn_demand_remote_del(&d, "L", 1));
	assert_non_null(bn_demand_get(&d, "L"));
	assert_int_equal(bn_demand_get(&d, "L")->local, 1);
	/* and the local count going to zero drops it only without remote */
	bn_demand_remote_set(&d, "L", 1, 1, "A");
	bn_demand_local_add(&d, "L", -1);
	assert_non_null(bn_demand_get(&d, "L"));
	bn_demand_remote_del(&d, "L", 1);
	assert_null(bn_demand_get(&d, "L"));
	bn_demand_free(&d);
}

/* The table copies paths. */
static void
test_remote_path_copied(void **state)
{
	struct bn_demand	d;
	char			path[16];

	bn_demand_init(&d);
	strcpy(path, "A,B");
	bn_demand_remote_set(&d, "Q", 1, 2, path);
	strcpy(path, "X,Y");
	assert_string_equal(bn_demand_get(&d, "Q")->remote[0].path, "A,B");
	assert_false(bn_demand_remote_set(&d, "Q", 1, 2, "A,B"));
	bn_demand_free(&d);
}

static void
test_remote_clear_link(void **state)
{
	struct bn_demand	d;
	struct bn_buf		changed = { 0 };
	char			s[256];

	bn_demand_init(&d);
	bn_demand_remote_set(&d, "Q1", 1, 1, "A");
	bn_demand_remote_set(&d, "Q1", 2, 2, "B,C");
	bn_demand_remote_set(&d, "Q2", 1, 1, "A");
	bn_demand_remote_set(&d, "Q3", 2, 1, "C");
	bn_demand_local_add(&d, "Q4", 1);
	bn_demand_remote_set(&d, "Q4", 1, 3, "D,E,A");
	bn_demand_local_add(&d, "Q5", 1);

	bn_demand_remote_clear_link(&d, 1, &changed);
	assert_string_equal(names_sorted(&changed, s, sizeof(s)),
	    "Q1 Q2 Q4");
	/* Q1 keeps link 2, Q2 is gone, Q3 untouched, Q4 keeps local */
	assert_int_equal(bn_demand_remote_hops(&d, "Q1", 1), 0);
	assert_int_equal(bn_demand_remote_hops(&d, "Q1", 2), 2);
	assert_int_equal(bn_demand_get(&d, "Q1")->nremote, 1);
	assert_null(bn_demand_get(&d, "Q2"));
	assert_int_equal(bn_demand_remote_hops(&d, "Q3", 2), 1);
	assert_int_equal(bn_demand_get(&d, "Q4")->nremote, 0);
	assert_int_equal(bn_demand_get(&d, "Q4")->local, 1);
	assert_int_equal(bn_demand_get(&d, "Q5")->local, 1);

	/* again: nothing left for link 1 */
	bn_buf_reset(&changed);
	bn_demand_remote_clear_link(&d, 1, &changed);
	assert_int_equal(changed.len, 0);
	/* an unknown link */
	bn_demand_remote_clear_link(&d, 99, &changed);
	assert_int_equal(changed.len, 0);
	/* appended to what the buffer holds; NULL list allowed */
	bn_buf_add(&changed, "OLD", 4);
	bn_demand_remote_clear_link(&d, 2, &changed);
	assert_string_equal(names_sorted(&changed, s, sizeof(s)),
	    "OLD Q1 Q3");
	assert_null(bn_demand_get(&d, "Q1"));
	assert_null(bn_demand_get(&d, "Q3"));
	bn_demand_remote_set(&d, "Q6", 3, 1, "F");
	bn_demand_remote_clear_link(&d, 3, NULL);
	assert_null(bn_demand_get(&d, "Q6"));
	/* what is left: the two local queues */
	assert_int_equal(bn_hmap_count(&d.queues), 2);
	bn_buf_free(&changed);
	bn_demand_free(&d);
}

/* Many queues on one link: all reported, all gone. */
static void
test_remote_clear_link_many(void **state)
{
	struct bn_demand	 d;
	struct bn_buf		 changed = { 0 };
	char			 name[32];
	size_t			 i, off, n = 0;

	bn_demand_init(&d);
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "queue.%zu", i);
		bn_demand_remote_set(&d, name, 7, 1 + i % 4, "P");
		if (i % 5 == 0)
			bn_demand_remote_set(&d, name, 8, 2, "R,S");
	}
	bn_demand_remote_clear_link(&d, 7, &changed);
	for (off = 0; off < changed.len; off += strlen(changed.data + off) + 1)
		n++;
	assert_int_equal(n, 500);
	assert_int_equal(bn_hmap_count(&d.queues), 100);
	bn_buf_free(&changed);
	bn_demand_free(&d);
}

/* Advertising: single tables */

struct rem {
	uint64_t	 link;
	uint32_t	 hops;
	const char	*path;
};

static const struct adv_case {
	const char	*what;
	uint32_t	 local;
	struct rem	 rem[5];	/* up to link 0 */
	uint64_t	 to;
	const char	*peer, *self;
	int64_t		 ttl;
	bool		 ok;
	uint32_t	 hops;
	const char	*path;
} adv_cases[] = {
	{ "no demand at all", 0, { { 0 } }, 1, "A", "B", -1, false, 0, NULL },
	{ "local: hop 1, path self", 1, { { 0 } }, 1, "A", "B", -1, true, 1,
	    "B" },
	{ "local with ttl 1", 3, { { 0 } }, 1, "A", "B", 1, true, 1, "B" },
	{ "local beats a remote hop 1", 1, { { 2, 1, "C" } }, 1, "A", "B", -1,
	    true, 1, "B" },
	{ "local is told even to the link with remote demand", 1,
	    { { 1, 1, "A" } }, 1, "A", "B", -1, true, 1, "B" },
	{ "chain: hop 1 re-advertised at 2", 0, { { 2, 1, "C" } }, 1, "A",
	    "B", -1, true, 2, "C,B" },
	{ "chain: hop 3 re-advertised at 4", 0, { { 2, 3, "E,D,C" } }, 1, "A",
	    "B", -1, true, 4, "E,D,C,B" },
	{ "never back on the source link", 0, { { 1, 1, "C" } }, 1, "X", "B",
	    -1, false, 0, NULL },
	{ "never back on the source link, even at hop 5", 0,
	    { { 1, 5, "G,F,E,D,C" } }, 1, "X", "B", -1, false, 0, NULL },
	{ "ring: never to a peer at the start of the path", 0,
	    { { 2, 2, "A,C" } }, 1, "A", "B", -1, false, 0, NULL },
	{ "never to a peer in the middle of the path", 0,
	    { { 2, 3, "D,A,C" } }, 1, "A", "B", -1, false, 0, NULL },
	{ "never to a peer at the end of the path", 0,
	    { { 2, 3, "D,C,A" } }, 1, "A", "B", -1, false, 0, NULL },
	{ "peer a prefix of a path name is not on the path", 0,
	    { { 2, 2, "AB,C" } }, 1, "A", "B", -1, true, 3, "AB,C,B" },
	{ "path name a prefix of the peer is not the peer", 0,
	    { { 2, 2, "A,C" } }, 1, "AB", "B", -1, true, 3, "A,C,B" },
	{ "peer a suffix of a path name is not on the path", 0,
	    { { 2, 1, "XA" } }, 1, "A", "B", -1, true, 2, "XA,B" },
	{ "a path through self is a loop: dropped", 0,
	    { { 2, 2, "C,B" } }, 1, "A", "B", -1, false, 0, NULL },
	{ "ttl 1: remote demand is not re-advertised", 0,
	    { { 2, 1, "C" } }, 1, "A", "B", 1, false, 0, NULL },
	{ "ttl 2: hop 1 re-advertised", 0, { { 2, 1, "C" } }, 1, "A", "B", 2,
	    true, 2, "C,B" },
	{ "ttl 2: hop 2 is not", 0, { { 2, 2, "D,C" } }, 1, "A", "B", 2,
	    false, 0, NULL },
	{ "ttl 3: hop 2 re-advertised", 0, { { 2, 2, "D,C" } }, 1, "A", "B",
	    3, true, 3, "D,C,B" },
	{ "ttl 0: remote demand is not re-advertised", 0,
	    { { 2, 1, "C" } }, 1, "A", "B", 0, false, 0, NULL },
	{ "ttl -1 is unlimited", 0, { { 2, 1000, "C" } }, 1, "A", "B", -1,
	    true, 1001, "C,B" },
	{ "ttl INT64_MIN is unlimited", 0, { { 2, 1000, "C" } }, 1, "A", "B",
	    INT64_MIN, true, 1001, "C,B" },
	{ "ttl INT64_MAX", 0, { { 2, 1000, "C" } }, 1, "A", "B", INT64_MAX,
	    true, 1001, "C,B" },
	{ "ttl picks among several", 0, { { 2, 2, "D,C" }, { 3, 4, "G,F,E,H" }
	    }, 1, "A", "B", 3, true, 3, "D,C,B" },
	{ "best: fewest hops", 0, { { 2, 3, "X,Y,Z" }, { 3, 1, "W" },
	    { 4, 2, "V,U" } }, 1, "A", "B", -1, true, 2, "W,B" },
	{ "best among the eligible ones", 0, { { 1, 1, "P" },
	    { 2, 2, "A,C" }, { 3, 4, "E,D,F,G" }, { 4, 3, "E,D,F" },
	    { 5, 2, "D,B" } }, 1, "A", "B", -1, true, 4, "E,D,F,B" },
	{ "tie: smaller path wins", 0, { { 2, 2, "C,E" }, { 3, 2, "C,D" } },
	    1, "A", "B", -1, true, 3, "C,D,B" },
	{ "tie: smaller path wins, other order", 0, { { 3, 2, "C,D" },
	    { 2, 2, "C,E" } }, 1, "A", "B", -1, true, 3, "C,D,B" },
	{ "tie: three ways", 0, { { 2, 2, "Z,Y" }, { 3, 2, "M,N" },
	    { 4, 2, "Z,X" } }, 1, "A", "B", -1, true, 3, "M,N,B" },
	{ "fewer hops beat a smaller path", 0, { { 2, 2, "A2,C" },
	    { 3, 1, "Z" } }, 1, "A", "B", -1, true, 2, "Z,B" },
	{ "mesh of 4 (self D, consumer A): not to A", 0, { { 1, 1, "A" },
	    { 2, 2, "A,B" }, { 3, 2, "A,C" } }, 1, "A", "D", -1, false, 0,
	    NULL },
	{ "mesh of 4 (self D, consumer A): to B via A", 0, { { 1, 1, "A" },
	    { 2, 2, "A,B" }, { 3, 2, "A,C" } }, 2, "B", "D", -1, true, 2,
	    "A,D" },
	{ "mesh of 4 (self D, consumer A): to C via A", 0, { { 1, 1, "A" },
	    { 2, 2, "A,B" }, { 3, 2, "A,C" } }, 3, "C", "D", -1, true, 2,
	    "A,D" },
	{ "mesh of 4 without the direct link: to C via B", 0,
	    { { 2, 2, "A,B" }, { 3, 2, "A,C" } }, 3, "C", "D", -1, true, 3,
	    "A,B,D" },
	{ "ring of 3 (self B): to A, demand from C", 0, { { 2, 1, "C" },
	    { 1, 2, "C,A" } }, 1, "A", "B", -1, true, 2, "C,B" },
	{ "ring of 3 (self B): to C, nothing", 0, { { 2, 1, "C" },
	    { 1, 2, "C,A" } }, 2, "C", "B", -1, false, 0, NULL },
	{ "long names", 0, { { 2, 1, "broker-east-1.example.org" } }, 1,
	    "broker-west-1.example.org", "broker-central.example.org", -1,
	    true, 2, "broker-east-1.example.org,broker-central.example.org" },
};

static void
test_advert_table(void **state)
{
	struct bn_demand	d;
	struct bn_buf		path = { 0 };
	uint32_t		hops;
	size_t			i, k;
	bool			ok;

	for (i = 0; i < NELEM(adv_cases); i++) {
		const struct adv_case *c = &adv_cases[i];

		bn_demand_init(&d);
		if (c->local > 0)
			bn_demand_local_add(&d, "Q", (int)c->local);
		for (k = 0; k < NELEM(c->rem) && c->rem[k].link != 0; k++)
			assert_true(bn_demand_remote_set(&d, "Q",
			    c->rem[k].link, c->rem[k].hops, c->rem[k].path));
		/* the path is appended to what the buffer holds */
		bn_buf_reset(&path);
		bn_buf_addstr(&path, "pre:");
		hops = 12345;
		ok = bn_demand_advert(&d, "Q", c->to, c->peer, c->self,
		    c->ttl, &hops, &path);
		if (ok != c->ok)
			fail_msg("%s: advert %s, want %s", c->what,
			    ok ? "true" : "false", c->ok ? "true" : "false");
		if (ok) {
			bn_buf_addc(&path, '\0');
			if (hops != c->hops ||
			    strncmp(path.data, "pre:", 4) != 0 ||
			    strcmp(path.data + 4, c->path) != 0)
				fail_msg("%s: got hops %u path \"%s\", want"
				    " %u \"pre:%s\"", c->what, hops,
				    path.data, c->hops, c->path);
		} else if (path.len != 4)
			fail_msg("%s: path written on false", c->what);
		/* other queues have nothing to tell */
		assert_false(bn_demand_advert(&d, "other", c->to, c->peer,
		    c->self, c->ttl, &hops, &path));
		bn_demand_free(&d);
	}
	bn_buf_free(&path);
}

/* Advertising: whole topologies run to a fixpoint */

#define MAXB	9

static const char *bnames[MAXB] = { "A", "B", "C", "D", "E", "F", "G", "H",
    "I" };

static const struct topo {
	const char	*what;
	size_t		 nb;
	const char	*edges;		/* "AB BC": links between letters */
	size_t		 consumer;	/* broker index with the consumer */
	int64_t		 ttl;
	int		 want[MAXB];	/* fewest hops seen, 0 local, -1 none */
} topos[] = {
	{ "chain of 5, consumer at the end", 5, "AB BC CD DE", 0, -1,
	    { 0, 1, 2, 3, 4 } },
	{ "chain of 5, ttl 1", 5, "AB BC CD DE", 0, 1, { 0, 1, -1, -1, -1 } },
	{ "chain of 5, ttl 2", 5, "AB BC CD DE", 0, 2, { 0, 1, 2, -1, -1 } },
	{ "chain of 5, ttl 3", 5, "AB BC CD DE", 0, 3, { 0, 1, 2, 3, -1 } },
	{ "chain of 5, ttl 4", 5, "AB BC CD DE", 0, 4, { 0, 1, 2, 3, 4 } },
	{ "chain of 5, consumer in the middle", 5, "AB BC CD DE", 2, -1,
	    { 2, 1, 0, 1, 2 } },
	{ "two brokers", 2, "AB", 1, -1, { 1, 0 } },
	{ "ring of 3", 3, "AB BC CA", 0, -1, { 0, 1, 1 } },
	{ "ring of 5", 5, "AB BC CD DE EA", 0, -1, { 0, 1, 2, 2, 1 } },
	{ "ring of 6", 6, "AB BC CD DE EF FA", 0, -1, { 0, 1, 2, 3, 2, 1 } },
	{ "ring of 6, ttl 2", 6, "AB BC CD DE EF FA", 0, 2,
	    { 0, 1, 2, -1, 2, 1 } },
	{ "full mesh of 4", 4, "AB AC AD BC BD CD", 0, -1, { 0, 1, 1, 1 } },
	{ "mesh of 4 minus A-D", 4, "AB AC BC BD CD", 0, -1, { 0, 1, 1, 2 } },
	{ "mesh of 4 minus A-D, ttl 1", 4, "AB AC BC BD CD", 0, 1,
	    { 0, 1, 1, -1 } },
	{ "grid 3x3, consumer in a corner", 9,
	    "AB BC DE EF GH HI AD BE CF DG EH FI", 0, -1,
	    { 0, 1, 2, 1, 2, 3, 2, 3, 4 } },
	{ "grid 3x3, consumer in the centre", 9,
	    "AB BC DE EF GH HI AD BE CF DG EH FI", 4, -1,
	    { 2, 1, 2, 1, 0, 1, 2, 1, 2 } },
	{ "grid 3x3, corner, ttl 2", 9,
	    "AB BC DE EF GH HI AD BE CF DG EH FI", 0, 2,
	    { 0, 1, 2, 1, 2, -1, 2, -1, -1 } },
	{ "star, consumer on a leaf", 5, "AB AC AD AE", 1, -1,
	    { 1, 0, 2, 2, 2 } },
	{ "two triangles joined", 6, "AB BC CA CD DE EF FD", 0, -1,
	    { 0, 1, 1, 2, 3, 3 } },
	{ "two parts, no way across", 4, "AB CD", 0, -1, { 0, 1, -1, -1 } },
};

struct edge {
	size_t	a, b;
};

static size_t
topo_edges(const char *s, struct edge *e, size_t max)
{
	size_t	n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		assert_true(n < max && s[1] != '\0');
		e[n].a = (size_t)(s[0] - 'A');
		e[n].b = (size_t)(s[1] - 'A');
		n++;
		s++;
	}
	return n;
}

/*
 * Every broker tells each neighbour what bn_demand_advert says (or
 * withdraws), the neighbour records it under that link, until nothing
 * changes. Link ids are edge index + 1 on both ends. Returns the rounds.
 */
static size_t
topo_run(struct bn_demand *d, size_t nb, const struct edge *e, size_t ne,
    int64_t ttl)
{
	struct bn_buf	path = { 0 };
	uint32_t	hops;
	size_t		round, x, k;
	bool		changed = true;

	for (round = 0; changed; round++) {
		assert_true(round < 100);	/* it converges */
		changed = false;
		for (x = 0; x < nb; x++)
			for (k = 0; k < ne; k++) {
				size_t	y;

				if (e[k].a == x)
					y = e[k].b;
				else if (e[k].b == x)
					y = e[k].a;
				else
					continue;
				bn_buf_reset(&path);
				if (bn_demand_advert(&d[x], "Q", k + 1,
				    bnames[y], bnames[x], ttl, &hops, &path)) {
					bn_buf_addc(&path, '\0');
					changed |= bn_demand_remote_set(&d[y],
					    "Q", k + 1, hops, path.data);
				} else
					changed |= bn_demand_remote_del(&d[y],
					    "Q", k + 1);
			}
	}
	bn_buf_free(&path);
	return round;
}

/* Names in a path: as many as its hops, none twice, starting at first. */
static void
check_path(const char *what, const char *self, const char *first,
    const struct bn_demand_remote *r)
{
	char		 buf[64], *p, *tok, *save = NULL;
	const char	*seen[MAXB + 1];
	size_t		 n = 0, i;

	assert_true(strlen(r->path) < sizeof(buf));
	strcpy(buf, r->path);
	for (p = buf; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
		if (n == 0 && strcmp(tok, first) != 0)
			fail_msg("%s: %s: path %s does not start at %s", what,
			    self, r->path, first);
		if (strcmp(tok, self) == 0)
			fail_msg("%s: %s: own name on path %s", what, self,
			    r->path);
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], tok) == 0)
				fail_msg("%s: %s: loop in path %s", what,
				    self, r->path);
		assert_true(n < NELEM(seen));
		seen[n++] = tok;
	}
	if (n != r->hops)
		fail_msg("%s: %s: path %s has %zu names for hops %u", what,
		    self, r->path, n, r->hops);
}

static void
test_advert_topologies(void **state)
{
	struct bn_demand	 d[MAXB];
	struct edge		 e[16];
	size_t			 t, x, ne, i;

	for (t = 0; t < NELEM(topos); t++) {
		const struct topo *tp = &topos[t];

		ne = topo_edges(tp->edges, e, NELEM(e));
		for (x = 0; x < tp->nb; x++)
			bn_demand_init(&d[x]);
		bn_demand_local_add(&d[tp->consumer], "Q", 1);
		topo_run(d, tp->nb, e, ne, tp->ttl);

		for (x = 0; x < tp->nb; x++) {
			const struct bn_demand_q *q = bn_demand_get(&d[x],
			    "Q");
			int			  best = -1;

			if (x == tp->consumer) {
				assert_non_null(q);
				assert_int_equal(q->local, 1);
				best = 0;
			}
			for (i = 0; q != NULL && i < q->nremote; i++) {
				check_path(tp->what, bnames[x],
				    bnames[tp->consumer], &q->remote[i]);
				if (x != tp->consumer && (best == -1 ||
				    (int)q->remote[i].hops < best))
					best = (int)q->remote[i].hops;
			}
			if (best != tp->want[x])
				fail_msg("%s: broker %s: fewest hops %d, want"
				    " %d", tp->what, bnames[x], best,
				    tp->want[x]);
		}

		/* the consumer leaves: every table empties */
		bn_demand_local_add(&d[tp->consumer], "Q", -1);
		topo_run(d, tp->nb, e, ne, tp->ttl);
		for (x = 0; x < tp->nb; x++) {
			if (bn_demand_get(&d[x], "Q") != NULL)
				fail_msg("%s: broker %s still has demand after"
				    " the consumer left", tp->what,
				    bnames[x]);
			bn_demand_free(&d[x]);
		}
	}
}

/* A link goes away in a ring: demand takes the long way round. */
static void
test_advert_link_loss(void **state)
{
	struct bn_demand	d[5];
	struct edge		e[5];
	struct bn_buf		changed = { 0 };
	char			s[64];
	size_t			x, ne;

	ne = topo_edges("AB BC CD DE EA", e, NELEM(e));
	for (x = 0; x < 5; x++)
		bn_demand_init(&d[x]);
	bn_demand_local_add(&d[0], "Q", 1);
	topo_run(d, 5, e, ne, -1);
	/* E hears A directly on link 5 (E-A) */
	assert_int_equal(bn_demand_remote_hops(&d[4], "Q", 5), 1);

	/* the E-A link drops: both ends forget it, and it stays down */
	bn_demand_remote_clear_link(&d[4], 5, &changed);
	assert_string_equal(names_sorted(&changed, s, sizeof(s)), "Q");
	bn_demand_remote_clear_link(&d[0], 5, NULL);
	topo_run(d, 5, e, ne - 1, -1);
	assert_int_equal(bn_demand_remote_hops(&d[4], "Q", 5), 0);
	/* E now hears it from D only, at hop 4, path A,B,C,D */
	assert_int_equal(bn_demand_get(&d[4], "Q")->nremote, 1);
	assert_int_equal(bn_demand_remote_hops(&d[4], "Q", 4), 4);
	assert_string_equal(bn_demand_get(&d[4], "Q")->remote[0].path,
	    "A,B,C,D");
	assert_int_equal(bn_demand_remote_hops(&d[3], "Q", 3), 3);
	for (x = 0; x < 5; x++)
		bn_demand_free(&d[x]);
	bn_buf_free(&changed);
}

/* Path membership */

static const struct {
	const char	*path, *name;
	bool		 want;
} path_cases[] = {
	{ "A", "A", true },
	{ "A", "B", false },
	{ "A", "AB", false },
	{ "AB", "A", false },
	{ "AB", "B", false },
	{ "AB", "AB", true },
	{ "A,AB", "AB", true },
	{ "AB,A", "A", true },
	{ "AB,ABC", "A", false },
	{ "AB,ABC", "ABC", true },
	{ "C,B,A", "A", true },
	{ "C,B,A", "B", true },
	{ "C,B,A", "C", true },
	{ "C,B,A", "D", false },
	{ "C,B,A", "C,B", false },
	{ "C,B,A", "B,A", false },
	{ "", "A", false },
	{ "", "", false },
	{ "A", "", false },
	{ "A,,B", "", false },
	{ ",A", "A", true },
	{ "A,", "A", true },
	{ ",", "A", false },
	{ "a", "A", false },
	{ "broker-1,broker-10", "broker-1", true },
	{ "broker-10,broker-11", "broker-1", false },
	{ "broker-10", "broker-1", false },
	{ "x.broker-1", "broker-1", false },
};

static void
test_path_contains(void **state)
{
	size_t	i;

	for (i = 0; i < NELEM(path_cases); i++)
		if (bn_path_contains(path_cases[i].path, path_cases[i].name) !=
		    path_cases[i].want)
			fail_msg("bn_path_contains(\"%s\", \"%s\") is %s",
			    path_cases[i].path, path_cases[i].name,
			    path_cases[i].want ? "false" : "true");
	assert_false(bn_path_contains(NULL, "A"));
}

/* Priorities */

static const struct {
	uint32_t	hops;
	int		want;
} prio_cases[] = {
	{ 1, -5 }, { 2, -8 }, { 3, -9 }, { 4, -10 }, { 5, -11 }, { 10, -16 },
	{ 100, -106 }, { 1001, -1007 },
};

static void
test_priority(void **state)
{
	size_t	i;
	int	prev;

	for (i = 0; i < NELEM(prio_cases); i++) {
		int	got = bn_demand_priority(prio_cases[i].hops);

		if (got != prio_cases[i].want)
			fail_msg("priority(%u) is %d, want %d",
			    prio_cases[i].hops, got, prio_cases[i].want);
	}
	/* further away is never preferred over nearer (hops <= 1001) */
	prev = bn_demand_priority(1);
	for (i = 2; i <= 1001; i++) {
		assert_true(bn_demand_priority((uint32_t)i) < prev);
		prev = bn_demand_priority((uint32_t)i);
	}
}

static struct bn_advisory
durable_adv(enum bn_advisory_kind kind, const char *id, const char *demand,
    const char *sub)
{
	struct bn_advisory	a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.topic = kind == BN_ADV_ADD;
	snprintf(a.consumer_id, sizeof(a.consumer_id), "%s", id);
	snprintf(a.demand, sizeof(a.demand), "%s", demand);
	snprintf(a.subscription, sizeof(a.subscription), "%s", sub);
	return a;
}

/* A durable subscription is demand from its first subscriber until it is
 * deleted, online or offline; plain consumers are left to the caller. */
static void
test_durable(void **state)
{
	struct bn_demand	d;
	struct bn_buf		ch = { 0 };
	struct bn_advisory	a;
	size_t			off;
	const struct bn_demand_q *q;

	bn_demand_init(&d);
	/* a non-durable topic subscriber, a queue consumer: not ours */
	a = durable_adv(BN_ADV_ADD, "c/1/1", "/topic/t", "");
	assert_false(bn_demand_durable(&d, &a, NULL, &ch));
	a = durable_adv(BN_ADV_ADD, "c/1/2", "q", "s1");
	a.topic = false;
	assert_false(bn_demand_durable(&d, &a, NULL, &ch));
	a = durable_adv(BN_ADV_REMOVE, "c/1/1", "", "");
	assert_false(bn_demand_durable(&d, &a, NULL, &ch));
	/* durable s1 on t: online, demand */
	a = durable_adv(BN_ADV_ADD, "c/1/3", "/topic/t", "s1");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	assert_string_equal(ch.data, "/topic/t");
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 1);
	bn_buf_reset(&ch);
	/* offline: still demand, now offline-only (dynamicOnly links) */
	a = durable_adv(BN_ADV_REMOVE, "c/1/3", "", "");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	assert_string_equal(ch.data, "/topic/t");
	bn_buf_reset(&ch);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 1);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local_offline, 1);
	assert_int_equal(bn_demand_durable_count(&d, &off), 1);
	assert_int_equal(off, 1);
	/* back with another consumer id: counted once */
	a = durable_adv(BN_ADV_ADD, "c/2/1", "/topic/t", "s1");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	assert_string_equal(ch.data, "/topic/t");
	bn_buf_reset(&ch);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local_offline, 0);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 1);
	assert_int_equal(bn_demand_durable_count(&d, &off), 1);
	assert_int_equal(off, 0);
	/* the old id is forgotten */
	a = durable_adv(BN_ADV_REMOVE, "c/1/3", "", "");
	assert_false(bn_demand_durable(&d, &a, NULL, &ch));
	/* a second durable on t */
	a = durable_adv(BN_ADV_ADD, "c/3/1", "/topic/t", "s2");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 2);
	assert_int_equal(ch.len, 0);
	/* deletion of s1 (on another topic's advisory: nothing) */
	a = durable_adv(BN_ADV_REMOVE_SUB, "", "", "s1");
	assert_true(bn_demand_durable(&d, &a, "u", &ch));
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 2);
	assert_true(bn_demand_durable(&d, &a, "t", &ch));
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 1);
	assert_int_equal(ch.len, 0);
	a = durable_adv(BN_ADV_REMOVE_SUB, "", "", "s2");
	assert_true(bn_demand_durable(&d, &a, "t", &ch));
	assert_string_equal(ch.data, "/topic/t");
	assert_null(bn_demand_get(&d, "/topic/t"));
	assert_int_equal(bn_demand_durable_count(&d, NULL), 0);
	/*
	 * The broker session going away keeps them as offline demand (the
	 * broker keeps the subscription; its subscriber's consumer id was
	 * the lost session's): a crash of the broker must not withdraw the
	 * demand that its durable subscribers' messages travel on.
	 */
	a = durable_adv(BN_ADV_ADD, "c/4/1", "/topic/t", "s3");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	bn_demand_local_clear(&d, NULL);
	assert_int_equal(bn_demand_durable_count(&d, &off), 1);
	assert_int_equal(off, 1);
	assert_non_null(q = bn_demand_get(&d, "/topic/t"));
	assert_int_equal(q->local, 1);
	assert_int_equal(q->local_offline, 1);
	/* the old session's consumer id means nothing any more */
	a = durable_adv(BN_ADV_REMOVE, "c/4/1", "/topic/t", "s3");
	assert_false(bn_demand_durable(&d, &a, NULL, &ch));
	/* the replay after the reconnect shows its subscriber: online */
	a = durable_adv(BN_ADV_ADD, "c/9/1", "/topic/t", "s3");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	assert_int_equal(bn_demand_durable_count(&d, &off), 1);
	assert_int_equal(off, 0);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local_offline, 0);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 1);
	/* deleted: no demand */
	a = durable_adv(BN_ADV_REMOVE_SUB, "", "/topic/t", "s3");
	assert_true(bn_demand_durable(&d, &a, "t", &ch));
	assert_int_equal(bn_demand_durable_count(&d, NULL), 0);
	assert_null(bn_demand_get(&d, "/topic/t"));
	bn_buf_free(&ch);
	bn_demand_free(&d);
}

/* dynamicOnly links are told only of connected subscribers' demand. */
static void
test_advert_offline(void **state)
{
	struct bn_demand	d;
	struct bn_buf		ch = { 0 }, path = { 0 };
	struct bn_advisory	a;
	uint32_t		hops;
	bool			off;

	bn_demand_init(&d);
	a = durable_adv(BN_ADV_ADD, "c/1/1", "/topic/t", "s1");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	a = durable_adv(BN_ADV_REMOVE, "c/1/1", "", "");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	/* here: offline only */
	assert_true(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3, false,
	    &hops, &path, &off));
	assert_int_equal(hops, 1);
	assert_true(off);
	bn_buf_reset(&path);
	assert_false(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3,
	    true, &hops, &path, &off));
	/* an online subscriber behind link 2 is told even to dynamicOnly */
	assert_true(bn_demand_remote_set(&d, "/topic/t", 2, 1, "X"));
	bn_buf_reset(&path);
	assert_true(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3, true,
	    &hops, &path, &off));
	assert_int_equal(hops, 2);
	assert_string_equal(path.data, "X,S");
	assert_false(off);
	/* ... not when that one is offline-only too */
	assert_true(bn_demand_remote_set_offline(&d, "/topic/t", 2, true));
	assert_false(bn_demand_remote_set_offline(&d, "/topic/t", 2, true));
	bn_buf_reset(&path);
	assert_false(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3,
	    true, &hops, &path, &off));
	/* without dynamicOnly the local offline one comes first (hop 1) */
	bn_buf_reset(&path);
	assert_true(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3, false,
	    &hops, &path, &off));
	assert_int_equal(hops, 1);
	assert_true(off);
	/* a connected subscriber here: online again */
	a = durable_adv(BN_ADV_ADD, "c/1/2", "/topic/t", "s1");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	bn_buf_reset(&path);
	assert_true(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3, true,
	    &hops, &path, &off));
	assert_int_equal(hops, 1);
	assert_false(off);
	bn_buf_free(&ch);
	bn_buf_free(&path);
	bn_demand_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_counts),
		cmocka_unit_test(test_durable),
		cmocka_unit_test(test_advert_offline),
		cmocka_unit_test(test_local_many_queues),
		cmocka_unit_test(test_local_zero_ms),
		cmocka_unit_test(test_local_clear),
		cmocka_unit_test(test_remote_set_del),
		cmocka_unit_test(test_remote_path_copied),
		cmocka_unit_test(test_remote_clear_link),
		cmocka_unit_test(test_remote_clear_link_many),
		cmocka_unit_test(test_advert_table),
		cmocka_unit_test(test_advert_topologies),
		cmocka_unit_test(test_advert_link_loss),
		cmocka_unit_test(test_path_contains),
		cmocka_unit_test(test_priority),
		/* BUG, skipped: see the comments above these tests */
		cmocka_unit_test(test_local_int_min),
		cmocka_unit_test(test_local_zero_ms_kept_at_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
