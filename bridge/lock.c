/* The active-sidecar lock on the broker (see lock.h). */
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/lock.h"
#include "brokernet/log.h"
#include "brokernet/stomp.h"
#include "brokernet/util.h"

#define LOCK_SUB	"lock"

struct bn_lock {
	const char			*queue;
	char				*holder;
	const struct bn_lock_ops	*ops;
	void				*arg;
	struct bn_stomp			*st;
	bool				 held;
};

struct bn_lock *
bn_lock_new(const char *queue, const char *holder,
    const struct bn_lock_ops *ops, void *arg)
{
	struct bn_lock	*lk = xcalloc(1, sizeof(*lk));

	lk->queue = queue;
	lk->holder = xstrdup(holder);
	lk->ops = ops;
	lk->arg = arg;
	return lk;
}

void
bn_lock_free(struct bn_lock *lk)
{
	if (lk == NULL)
		return;
	free(lk->holder);
	free(lk);
}

void
bn_lock_connected(struct bn_lock *lk, struct bn_stomp *st)
{
	struct bn_header h[2] = {
		{ "activemq.exclusive", "true" },
		{ "activemq.prefetchSize", "10" },
	};
	const char	*token[] = { "brokernet_marker", "lock",
			    "brokernet_lock_from", lk->holder, NULL };

	lk->st = st;
	lk->held = false;
	bn_stomp_subscribe(st, LOCK_SUB, lk->queue, "client-individual", h,
	    2);
	/*
	 * One token per sidecar start: the holder acks the extra ones, so
	 * the queue keeps about one whatever happens.
	 */
	bn_stomp_put(st, lk->queue, true, token);
}

void
bn_lock_lost(struct bn_lock *lk)
{
	lk->held = false;
	lk->st = NULL;
}

bool
bn_lock_is_theirs(const struct bn_frame *f)
{
	const char	*sid = bn_frame_get(f, "subscription");

	return sid != NULL && strcmp(sid, LOCK_SUB) == 0;
}

void
bn_lock_on_message(struct bn_lock *lk, const struct bn_frame *f)
{
	const char	*ack = bn_frame_get(f, "ack");

	if (ack == NULL || lk->st == NULL)
		return;
	if (lk->held) {
		/* Exclusive: every token comes to the holder; one is kept. */
		bn_stomp_ack(lk->st, ack);
		return;
	}
	lk->held = true;
	lk->ops->acquired(lk->arg);
}

bool
bn_lock_held(const struct bn_lock *lk)
{
	return lk->held;
}

const char *
bn_lock_role_name(enum bn_role r)
{
	switch (r) {
	case BN_ROLE_ACTIVE:
		return "active";
	case BN_ROLE_SUSPENDED:
		return "suspended";
	default:
		return "standby";
	}
}
