/*
 * Reconnect back-off, shared by the broker failover transport and the
 * static/multicast dialers. Pure: the caller supplies randomness, so tests
 * pin the sequence.
 *
 * The k-th delay (k = 0, 1, ...) is initial * multiplier^k capped at max
 * (or initial every time without exponential back-off), then jittered by
 * the factor 1 + jitter * (2 * rand01 - 1), clamped to >= 0 and rounded.
 * Computing it from k rather than by repeated multiplication keeps
 * fractional multipliers from drifting; doubles make overflow a cap, not
 * undefined behaviour.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "brokernet/backoff.h"

/* 2^63 as a double: the first value that does not fit an int64_t. */
#define BACKOFF_I64_LIMIT	9223372036854775808.0

/* The un-jittered delay of attempt k. */
static uint64_t
backoff_delay(const struct bn_backoff *b, uint64_t k)
{
	double	d;

	if (!b->exponential)
		return b->initial_ms;
	if (b->initial_ms >= b->max_ms)
		return b->max_ms;
	d = (double)b->initial_ms * pow(b->multiplier, (double)k);
	/* NaN and anything past max end up at max */
	if (!(d < (double)b->max_ms))
		return b->max_ms;
	if (d <= 0.0)
		return 0;
	d = round(d);
	return d < (double)b->max_ms ? (uint64_t)d : b->max_ms;
}

void
bn_backoff_init(struct bn_backoff *b, uint64_t initial_ms, uint64_t max_ms,
    bool exponential, double multiplier, double jitter, int64_t max_attempts)
{
	b->initial_ms = initial_ms;
	b->max_ms = max_ms;
	b->exponential = exponential;
	b->multiplier = multiplier;
	b->jitter = jitter;
	b->max_attempts = max_attempts;
	bn_backoff_reset(b);
}

void
bn_backoff_reset(struct bn_backoff *b)
{
	b->attempts = 0;
	b->next_ms = backoff_delay(b, 0);
}

int64_t
bn_backoff_next(struct bn_backoff *b, double rand01)
{
	uint64_t	delay;
	double		j, d;

	if (b->max_attempts > 0 && b->attempts >= (uint64_t)b->max_attempts)
		return -1;
	delay = b->next_ms;
	if (b->attempts < UINT64_MAX)
		b->attempts++;
	b->next_ms = backoff_delay(b, b->attempts);

	j = b->jitter;
	if (!(j > 0.0))		/* also NaN */
		return delay > INT64_MAX ? INT64_MAX : (int64_t)delay;
	if (j > 1.0)
		j = 1.0;
	if (!(rand01 >= 0.0))
		rand01 = 0.0;
	else if (rand01 > 1.0)
		rand01 = 1.0;
	d = round((double)delay * (1.0 + j * (2.0 * rand01 - 1.0)));
	if (d <= 0.0)
		return 0;
	if (d >= BACKOFF_I64_LIMIT)
		return INT64_MAX;
	return (int64_t)d;
}

uint64_t
bn_backoff_wait(uint64_t now_ms, uint64_t due_ms, bool all_refused,
    uint64_t down_since_ms, uint64_t initial_ms, bool *probe)
{
	uint64_t	left, step, down;

	left = due_ms > now_ms ? due_ms - now_ms : 0;
	step = initial_ms > BN_BACKOFF_PROBE_MS ? initial_ms :
	    BN_BACKOFF_PROBE_MS;
	down = now_ms > down_since_ms ? now_ms - down_since_ms : 0;
	*probe = all_refused && down < BN_BACKOFF_PROBE_WINDOW_MS &&
	    step < left;
	return *probe ? step : left;
}
