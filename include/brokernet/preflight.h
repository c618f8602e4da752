/*
 * Broker preflight: on every broker session, check that the broker serves
 * what the sidecar needs, name what is missing and how to fix it, and back
 * off instead of spinning.
 *
 * The check: subscribe (with a receipt) to the consumer advisory topic of
 * a private probe queue, brokernet.preflight.NAME, with
 * "transformation:jms-advisory-json", then open a consumer on that queue
 * (also with a receipt); its ConsumerInfo advisory must arrive within
 * BN_PREFLIGHT_TIMEOUT_MS.
 * Measured with ActiveMQ 5.17.2 (see README, "Broker preflight"):
 *  - without XStream/Jettison in the broker's lib/ the broker closes the
 *    connection at the SUBSCRIBE, before its RECEIPT, with no ERROR frame;
 *  - with advisorySupport="false" the SUBSCRIBE is receipted and nothing
 *    is ever delivered.
 * A dropped session is reconnected after a back-off (bn_stomp_hold); a
 * live session without advisories is probed again after a back-off.
 *
 * The state machine talks to the broker through struct bn_preflight_ops,
 * so it runs without a broker in unit tests; bn_preflight_new() supplies
 * ops over a struct bn_stomp and libevent timers.
 */
#ifndef BN_PREFLIGHT_H
#define BN_PREFLIGHT_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct bn_frame;
struct json_t;
struct bn_stomp;
struct bn_preflight;

/* A probe's advisory must arrive within this. */
#define BN_PREFLIGHT_TIMEOUT_MS		2000
/* Back-off between failed checks (doubling, +-10 % jitter). */
#define BN_PREFLIGHT_BACKOFF_MS		1000
#define BN_PREFLIGHT_BACKOFF_MAX_MS	60000
/* Subscription ids of the probe (on the advisory session). */
#define BN_PREFLIGHT_ADV_ID		"bn-preflight-adv"
#define BN_PREFLIGHT_PROBE_ID		"bn-preflight-probe"
/* Prefix of the probe queue; never forwarded (filter.c). */
#define BN_PREFLIGHT_PREFIX		"brokernet.preflight."

enum bn_preflight_problem {
	BN_PF_NONE = 0,
	BN_PF_DROPPED,		/* connection closed at the SUBSCRIBE */
	BN_PF_REFUSED,		/* ERROR frame for the SUBSCRIBE */
	BN_PF_NO_RECEIPT,	/* SUBSCRIBE not receipted in time */
	BN_PF_NO_ADVISORY,	/* receipted, but no advisory in time */
	BN_PF_BAD_ADVISORY	/* an advisory we cannot parse */
};

/* What the state machine asks of the broker session. */
struct bn_preflight_ops {
	/* SUBSCRIBE id to dest (ack auto); transformation may be NULL.
	 * With receipt, bn_preflight_sub_result() follows exactly once. */
	int	(*subscribe)(void *arg, const char *id, const char *dest,
		    const char *transformation, bool receipt);
	void	(*unsubscribe)(void *arg, const char *id);
	/* Calls bn_preflight_timer() after ms (replaces a pending one);
	 * ms 0 cancels. */
	void	(*arm)(void *arg, uint64_t ms);
	/* The next reconnect of the session waits ms. */
	void	(*hold)(void *arg, uint64_t ms);
};

/* Over a bn_stomp session (given at connect) and libevent timers. */
struct bn_preflight *bn_preflight_new(struct event_base *, const char *name);
/* Over caller-supplied ops (unit tests); arg is passed to them. */
struct bn_preflight *bn_preflight_new_ops(const char *name,
	    const struct bn_preflight_ops *, void *arg);
/* Accepts NULL. */
void	 bn_preflight_free(struct bn_preflight *);

/* Hooks for the owner of the advisory session. */
/* CONNECTED on s (uri names the broker in log lines): starts a check. */
void	 bn_preflight_connected(struct bn_preflight *, struct bn_stomp *s,
	    const char *uri);
/* The session was lost; may hold its reconnect (call before it retries). */
void	 bn_preflight_disconnected(struct bn_preflight *);
/* Returns true and takes (frees) f when it belongs to the probe. */
bool	 bn_preflight_on_message(struct bn_preflight *, struct bn_frame *f);

/* Events for the ops implementation. */
/* A SUBSCRIBE's receipt (two per check): ok, or an ERROR message
 * (error_msg may be ""), or lost (!ok and error_msg NULL: the connection
 * went first). */
void	 bn_preflight_sub_result(struct bn_preflight *, bool ok,
	    const char *error_msg);
void	 bn_preflight_timer(struct bn_preflight *);

/* The last finished check passed. */
bool	 bn_preflight_ok(const struct bn_preflight *);
enum bn_preflight_problem bn_preflight_problem(const struct bn_preflight *);
/* Checks started and failed so far. */
uint64_t bn_preflight_checks(const struct bn_preflight *);
uint64_t bn_preflight_failures(const struct bn_preflight *);
/*
 * The "preflight" object of /status, new (the caller owns it):
 * {"ok","state","problem","fix","checks","failures","last_ms",
 * "retry_in_ms"}; problem and fix are null while there is none.
 */
struct json_t *bn_preflight_status(const struct bn_preflight *);
/* Static texts for a problem (NULL for BN_PF_NONE). */
const char *bn_preflight_problem_text(enum bn_preflight_problem);
const char *bn_preflight_fix_text(enum bn_preflight_problem);

#endif /* BN_PREFLIGHT_H */
