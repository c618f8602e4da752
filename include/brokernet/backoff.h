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

/*
 * Between the back-off's attempts, a failover transport probes again every
 * BN_BACKOFF_PROBE_MS (or initial_ms when larger) while every URI of its
 * last cycle refused the connection outright and the outage is younger than
 * BN_BACKOFF_PROBE_WINDOW_MS: a slave that is waiting for its lock, or a
 * broker that is restarting, has its port closed, and a refused connect
 * costs its host one RST. Probes do not count as attempts.
 */
#define BN_BACKOFF_PROBE_MS		50
#define BN_BACKOFF_PROBE_WINDOW_MS	60000
/*
 * How long to wait from now_ms before the next connection cycle, when the
 * next counted attempt is due at due_ms and the outage began at
 * down_since_ms (all on one monotonic clock). Sets *probe when that
 * wake-up comes before due_ms (an uncounted probe cycle).
 */
uint64_t bn_backoff_wait(uint64_t now_ms, uint64_t due_ms, bool all_refused,
	    uint64_t down_since_ms, uint64_t initial_ms, bool *probe);

#endif /* BN_BACKOFF_H */
