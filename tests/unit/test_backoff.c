/*
 * Unit tests for bridge/backoff.c: delay sequences with fixed randomness,
 * caps, jitter, attempt limits, reset, extreme values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "brokernet/backoff.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define SEQ_MAX		12

struct seq {
	const char	*what;
	uint64_t	 initial, max;
	bool		 exponential;
	double		 multiplier, jitter;
	int64_t		 max_attempts;
	double		 rand01;
	size_t		 n;
	int64_t		 want[SEQ_MAX];
};

static const struct seq seqs[] = {
	{ "static: defaults, no jitter", 1000, 30000, true, 2.0, 0.0, 0, 0.3,
	    8, { 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 } },
	{ "failover: defaults", 10, 30000, true, 2.0, 0.0, 0, 0.0, 12,
	    { 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240,
	    20480 } },
	{ "not exponential: always initial", 500, 30000, false, 2.0, 0.0, 0,
	    0.0, 5, { 500, 500, 500, 500, 500 } },
	{ "not exponential ignores max", 5000, 1000, false, 2.0, 0.0, 0,
	    0.0, 3, { 5000, 5000, 5000 } },
	{ "exponential: initial above max is capped", 5000, 1000, true, 2.0,
	    0.0, 0, 0.0, 3, { 1000, 1000, 1000 } },
	{ "multiplier 1.5 rounds, no drift", 100, 1000, true, 1.5, 0.0, 0,
	    0.0, 8, { 100, 150, 225, 338, 506, 759, 1000, 1000 } },
	{ "multiplier 1: constant", 700, 30000, true, 1.0, 0.0, 0, 0.0, 4,
	    { 700, 700, 700, 700 } },
	{ "max 0", 1000, 0, true, 2.0, 0.0, 0, 0.0, 3, { 0, 0, 0 } },
	{ "initial 0", 0, 30000, true, 2.0, 0.0, 0, 0.0, 3, { 0, 0, 0 } },
	{ "jitter 0.1, rand 0: -10%", 1000, 30000, true, 2.0, 0.1, 0, 0.0, 6,
	    { 900, 1800, 3600, 7200, 14400, 27000 } },
	{ "jitter 0.1, rand 0.5: exact", 1000, 30000, true, 2.0, 0.1, 0, 0.5,
	    6, { 1000, 2000, 4000, 8000, 16000, 30000 } },
	{ "jitter 0.1, rand 0.75: +5%", 1000, 30000, true, 2.0, 0.1, 0, 0.75,
	    6, { 1050, 2100, 4200, 8400, 16800, 31500 } },
	{ "jitter 0.1, rand 0.999: about +10%", 1000, 30000, true, 2.0, 0.1,
	    0, 0.999, 3, { 1100, 2200, 4399 } },
	{ "jitter 1, rand 0: zero", 1000, 30000, true, 2.0, 1.0, 0, 0.0, 3,
	    { 0, 0, 0 } },
	{ "jitter 1, rand 0.75: +50%", 1000, 30000, true, 2.0, 1.0, 0, 0.75,
	    3, { 1500, 3000, 6000 } },
	{ "jitter rounds half away from zero", 3, 30000, false, 2.0, 0.5, 0,
	    0.0, 2, { 2, 2 } },
	{ "jitter above 1 counts as 1", 1000, 30000, false, 2.0, 5.0, 0, 0.0,
	    2, { 0, 0 } },
	{ "negative jitter counts as none", 1000, 30000, false, 2.0, -0.5, 0,
	    0.0, 2, { 1000, 1000 } },
	{ "rand above 1 counts as 1", 1000, 30000, false, 2.0, 0.5, 0, 7.0,
	    2, { 1500, 1500 } },
	{ "max_attempts 3", 1000, 30000, true, 2.0, 0.0, 3, 0.0, 6,
	    { 1000, 2000, 4000, -1, -1, -1 } },
	{ "max_attempts 1", 1000, 30000, true, 2.0, 0.1, 1, 0.0, 3,
	    { 900, -1, -1 } },
	{ "max_attempts -1: forever", 1000, 2000, true, 2.0, 0.0, -1, 0.0, 4,
	    { 1000, 2000, 2000, 2000 } },
	{ "huge multiplier caps", 1, 60000, true, 1e300, 0.0, 0, 0.0, 4,
	    { 1, 60000, 60000, 60000 } },
	{ "delay beyond int64 clamps", UINT64_MAX, UINT64_MAX, false, 2.0,
	    0.0, 0, 0.0, 2, { INT64_MAX, INT64_MAX } },
	{ "jittered delay beyond int64 clamps", UINT64_MAX, UINT64_MAX,
	    false, 2.0, 0.5, 0, 0.5, 1, { INT64_MAX } },
	{ "cap near int64 max", 1ULL << 62, INT64_MAX, true, 2.0, 0.0, 0,
	    0.0, 3, { 1LL << 62, INT64_MAX, INT64_MAX } },
};

static void
test_sequences(void **state)
{
	struct bn_backoff	b;
	int64_t			got;
	size_t			i, k;

	for (i = 0; i < NELEM(seqs); i++) {
		const struct seq *s = &seqs[i];

		bn_backoff_init(&b, s->initial, s->max, s->exponential,
		    s->multiplier, s->jitter, s->max_attempts);
		for (k = 0; k < s->n; k++) {
			got = bn_backoff_next(&b, s->rand01);
			if (got != s->want[k])
				fail_msg("%s: delay %zu is %lld, want %lld",
				    s->what, k, (long long)got,
				    (long long)s->want[k]);
		}
	}
}

/* init sets the policy and the state; next moves the state along. */
static void
test_state(void **state)
{
	struct bn_backoff	b;

	memset(&b, 0xa5, sizeof(b));
	bn_backoff_init(&b, 100, 1000, true, 3.0, 0.2, 5);
	assert_int_equal(b.initial_ms, 100);
	assert_int_equal(b.max_ms, 1000);
	assert_true(b.exponential);
	assert_true(b.multiplier == 3.0);
	assert_true(b.jitter == 0.2);
	assert_int_equal(b.max_attempts, 5);
	assert_int_equal(b.attempts, 0);
	assert_int_equal(b.next_ms, 100);
	/* the jittered value is returned, the un-jittered one kept */
	assert_int_equal(bn_backoff_next(&b, 0.0), 80);
	assert_int_equal(b.attempts, 1);
	assert_int_equal(b.next_ms, 300);
	assert_int_equal(bn_backoff_next(&b, 0.5), 300);
	assert_int_equal(b.attempts, 2);
	assert_int_equal(b.next_ms, 900);
	assert_int_equal(bn_backoff_next(&b, 0.5), 900);
	assert_int_equal(b.next_ms, 1000);
	assert_int_equal(bn_backoff_next(&b, 0.5), 1000);
	assert_int_equal(bn_backoff_next(&b, 0.5), 1000);
	assert_int_equal(b.attempts, 5);
	assert_int_equal(bn_backoff_next(&b, 0.5), -1);
	/* a refused call does not count as an attempt */
	assert_int_equal(b.attempts, 5);
}

/* After a success the next failure starts from initial again. */
static void
test_reset(void **state)
{
	struct bn_backoff	b;

	bn_backoff_init(&b, 1000, 30000, true, 2.0, 0.0, 3);
	assert_int_equal(bn_backoff_next(&b, 0.0), 1000);
	assert_int_equal(bn_backoff_next(&b, 0.0), 2000);
	bn_backoff_reset(&b);
	assert_int_equal(b.attempts, 0);
	assert_int_equal(b.next_ms, 1000);
	assert_int_equal(bn_backoff_next(&b, 0.0), 1000);
	assert_int_equal(bn_backoff_next(&b, 0.0), 2000);
	assert_int_equal(bn_backoff_next(&b, 0.0), 4000);
	assert_int_equal(bn_backoff_next(&b, 0.0), -1);
	/* reset also re-arms a used-up limit */
	bn_backoff_reset(&b);
	assert_int_equal(bn_backoff_next(&b, 0.0), 1000);
}

/* 0 and -1 mean forever: many calls, never -1, stuck at the cap. */
static void
test_forever(void **state)
{
	static const int64_t	limits[] = { 0, -1, INT64_MIN };
	struct bn_backoff	b;
	int64_t			d = 0;
	size_t			i, k;

	for (i = 0; i < NELEM(limits); i++) {
		bn_backoff_init(&b, 10, 30000, true, 2.0, 0.0, limits[i]);
		for (k = 0; k < 5000; k++) {
			d = bn_backoff_next(&b, 0.0);
			assert_true(d >= 10 && d <= 30000);
		}
		assert_int_equal(d, 30000);
		assert_int_equal(b.attempts, 5000);
	}
}

/* Jitter stays inside +-jitter of the un-jittered delay for any rand01. */
static void
test_jitter_bounds(void **state)
{
	static const double	rands[] = { 0.0, 0.1, 0.25, 0.5, 0.6, 0.9,
	    0.999999, NAN, -1.0, INFINITY };
	struct bn_backoff	b;
	int64_t			d;
	size_t			i;

	for (i = 0; i < NELEM(rands); i++) {
		bn_backoff_init(&b, 10000, 30000, false, 2.0, 0.2, 0);
		d = bn_backoff_next(&b, rands[i]);
		if (d < 8000 || d > 12000)
			fail_msg("rand01 %g gave %lld", rands[i],
			    (long long)d);
	}
	/* NaN and negative count as 0: the low end */
	bn_backoff_init(&b, 10000, 30000, false, 2.0, 0.2, 0);
	assert_int_equal(bn_backoff_next(&b, NAN), 8000);
	assert_int_equal(bn_backoff_next(&b, -3.0), 8000);
	/* NaN policy values do not leak into the result */
	bn_backoff_init(&b, 100, 1000, true, NAN, NAN, 0);
	assert_int_equal(bn_backoff_next(&b, 0.5), 100);
	assert_int_equal(bn_backoff_next(&b, 0.5), 1000);
}

struct waitcase {
	const char	*what;
	uint64_t	 now, due;
	bool		 refused;
	uint64_t	 down_since, initial;
	uint64_t	 want;
	bool		 want_probe;
};

static const struct waitcase waits[] = {
	{ "refused, due in 1280 ms: probe in 50", 10000, 11280, true, 9000, 10,
	    50, true },
	{ "not refused: wait for the attempt", 10000, 11280, false, 9000, 10,
	    1280, false },
	{ "due sooner than a probe: the attempt", 10000, 10040, true, 9000,
	    10, 40, false },
	{ "due exactly at the probe step: the attempt", 10000, 10050, true,
	    9000, 10, 50, false },
	{ "overdue: at once", 10000, 9990, true, 9000, 10, 0, false },
	{ "overdue, not refused: at once", 10000, 10000, false, 9000, 10, 0,
	    false },
	{ "initialReconnectDelay above the step is the step", 10000, 40000,
	    true, 9000, 1000, 1000, true },
	{ "outage just inside the window", 69999, 99999, true, 10000, 10, 50,
	    true },
	{ "outage at the window: back-off only", 70000, 99999, true, 10000,
	    10, 29999, false },
	{ "outage past the window: back-off only", 500000, 520000, true, 0,
	    10, 20000, false },
	{ "clock before the outage start counts as a new outage", 100, 30000,
	    true, 5000, 10, 50, true },
	{ "huge due: probe", 0, UINT64_MAX, true, 0, 10, 50, true },
	{ "huge initial: the attempt", 0, 1000, true, 0, UINT64_MAX, 1000,
	    false },
};

static void
test_wait(void **state)
{
	uint64_t	got;
	bool		probe;
	size_t		i;

	for (i = 0; i < NELEM(waits); i++) {
		const struct waitcase *w = &waits[i];

		probe = !w->want_probe;
		got = bn_backoff_wait(w->now, w->due, w->refused,
		    w->down_since, w->initial, &probe);
		if (got != w->want || probe != w->want_probe)
			fail_msg("%s: wait %llu probe %d, want %llu probe %d",
			    w->what, (unsigned long long)got, probe,
			    (unsigned long long)w->want, w->want_probe);
	}
}

/*
 * The schedule a failover transport with ActiveMQ's defaults follows while
 * the slave's port stays closed: counted attempts keep the back-off's
 * times, probes fill the gaps every 50 ms, so the slave is tried at most
 * 50 ms after it opens, and only counted attempts use up the back-off.
 */
static void
test_wait_schedule(void **state)
{
	struct bn_backoff	b;
	uint64_t		now = 1000, due, down = 1000, maxgap = 0, w;
	uint64_t		counted = 0, probes = 0;
	bool			probe = false;

	bn_backoff_init(&b, 10, 30000, true, 2.0, 0.0, 0);
	due = now + (uint64_t)bn_backoff_next(&b, 0.0);
	while (now < down + 5000) {
		w = bn_backoff_wait(now, due, true, down, 10, &probe);
		if (w > maxgap)
			maxgap = w;
		now += w;
		if (probe)
			probes++;
		else {
			counted++;
			due = now + (uint64_t)bn_backoff_next(&b, 0.0);
		}
	}
	assert_true(maxgap <= BN_BACKOFF_PROBE_MS);
	/* attempts due at 10, 30, 70, ..., 2550 ms; the next at 5110 */
	assert_int_equal(counted, 8);
	assert_int_equal(b.attempts, 9);
	assert_true(probes >= 80 && probes <= 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_forever),
		cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_wait_schedule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
