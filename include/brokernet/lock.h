/*
 * The active-sidecar lock, held through the broker: several sidecars may
 * run for one broker (same name, same <broker uri>); the one that holds
 * the lock is active, the others are standbys. The lock follows the broker
 * through a master/slave failover because it lives in the broker's store.
 *
 * How: every sidecar subscribes to the private queue brokernet.lock.NAME
 * as an exclusive consumer (activemq.exclusive) and puts a persistent
 * token message on it. ActiveMQ dispatches a queue with an exclusive
 * consumer to that one consumer only, so exactly one sidecar receives
 * tokens: it keeps one unacked (it holds the lock) and acks the others.
 * When its connection dies or it disconnects, the broker hands the token,
 * unacked, to the next exclusive consumer.
 *
 * Runs on the store session: the broker hands the lock on only after it
 * dropped the holder's store connection, so a new holder never reads the
 * commit markers while the old one can still commit.
 */
#ifndef BN_LOCK_H
#define BN_LOCK_H

#include <stdbool.h>

struct bn_frame;
struct bn_stomp;
struct bn_lock;

/* A sidecar's role, which the lock decides. */
enum bn_role {
	BN_ROLE_STANDBY = 0,	/* no listener, no dialer, no subscription */
	BN_ROLE_ACTIVE,		/* holds the lock */
	BN_ROLE_SUSPENDED	/* was active, lost its store session: keeps
				   its links but forwards and stores nothing
				   until it holds the lock again */
};

/* "active", "standby" or "suspended". */
const char	*bn_lock_role_name(enum bn_role);

struct bn_lock_ops {
	/* The lock is ours (a token arrived on session st). */
	void	(*acquired)(void *arg);
};

/* queue: the lock queue's STOMP destination (must outlive the object). */
struct bn_lock	*bn_lock_new(const char *queue, const char *holder,
		    const struct bn_lock_ops *, void *arg);
/* Accepts NULL. */
void		 bn_lock_free(struct bn_lock *);
/* A new session: subscribe and put a token on the queue. */
void		 bn_lock_connected(struct bn_lock *, struct bn_stomp *);
/* The session is gone, and the lock with it (the broker hands it on). */
void		 bn_lock_lost(struct bn_lock *);
/* True for a MESSAGE of the lock subscription. */
bool		 bn_lock_is_theirs(const struct bn_frame *);
void		 bn_lock_on_message(struct bn_lock *, const struct bn_frame *);
bool		 bn_lock_held(const struct bn_lock *);

#endif /* BN_LOCK_H */
