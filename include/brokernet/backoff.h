/*
 * Reconnect back-off, shared by the broker failover transport and the
 * static/multicast dialers. Pure: the caller supplies randomness.
 */
#ifndef BN_BACKOFF_H
#define BN_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

struct bn_backoff {
	uint64_t	initial_ms;
	uint64_t	max_ms;
	bool		exponential;
	double		multiplier;	/* > 1.0 when exponential */
	double		jitter;		/* 0..1: +-fraction of the delay */
	int64_t		max_attempts;	/* <= 0: forever */
	/* state */
	uint64_t	attempts;	/* failed attempts so far */
	uint64_t	next_ms;	/* un-jittered delay of the next try */
};

/* Sets the policy and resets the state. */
void	bn_backoff_init(struct bn_backoff *, uint64_t initial_ms,
	    uint64_t max_ms, bool exponential, double multiplier,
	    double jitter, int64_t max_attempts);
/* After a success: the next failure starts from initial_ms again. */
void	bn_backoff_reset(struct bn_backoff *);
/*
 * After a failed attempt: returns the delay in ms before the next try, or
 * -1 when max_attempts is used up. rand01 in [0,1) drives the jitter.
 * Delays go initial, initial*m, initial*m^2, ... capped at max_ms.
 */
int64_t	bn_backoff_next(struct bn_backoff *, double rand01);

#endif /* BN_BACKOFF_H */
