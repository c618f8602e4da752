/*
 * Forwarding under pacing (fwdpace.h): pace.c's struct bn_pace_ops. A
 * report with credit sends on what the subscriptions of (link, queue) hold
 * (fwdhold.c) and makes a paused one again; the pace timer pauses a
 * subscription whose hold never emptied for BN_PACE_HOLD_MS (forward.c
 * drains and drops it: the broker gives what it held to other consumers)
 * and resumes what may.
 */
#include <string.h>

#include "brokernet/daemon.h"
#include "brokernet/forward.h"
#include "brokernet/fwdhold.h"
#include "brokernet/fwdpace.h"
#include "brokernet/link.h"
#include "brokernet/pace.h"

/* Sends what s holds as far as the credit goes. */
static void
fwdpace_send_held(struct bn_fwd_sub *s)
{
	struct bn_frame	*f;

	while ((f = bn_hold_next(s)) != NULL)
		bn_fwd_send(s, f);
}

/* A report for q came: held messages go on as far as the credit allows;
 * a paused (l, q) resumes when it may. */
static void
fwdpace_credit(struct bn_link *l, const char *q)
{
	struct bn_fwd_sub	*s;
	struct bn_buf		 key = { 0 };
	struct bn_pace_tx	*t = bn_hmap_get(&l->pace_tx, q);

	if ((s = bn_hmap_get(&l->subs_by_dest, q)) != NULL)
		fwdpace_send_held(s);
	bn_buf_printf(&key, "replay:%s", q);
	if ((s = bn_hmap_get(&l->subs_by_dest, key.data)) != NULL)
		fwdpace_send_held(s);
	bn_buf_free(&key);
	if (t != NULL && t->paused)
		bn_fwd_sync(l, q);	/* resumes when the credit is back */
}

/* Pauses what held too long, resumes what may; true while any holds or
 * waits. */
static bool
fwdpace_tick(struct bn_daemon *d)
{
	struct bn_link		*l;
	struct bn_fwd_sub	*s, *next;
	struct bn_hmap_ent	*e;
	struct bn_buf		 names = { 0 };
	uint64_t		 now = bn_now_ms();
	size_t			 i, off;
	bool			 busy = false;

	TAILQ_FOREACH(l, &d->links, entry) {
		if (l->state != BN_LINK_UP || !l->we_forward)
			continue;
		for (s = TAILQ_FIRST(&l->subs); s != NULL; s = next) {
			next = TAILQ_NEXT(s, entry);
			if (s->nhold == 0)
				continue;
			fwdpace_send_held(s);
			if (s->nhold == 0)
				continue;
			if (now - s->hold_ms >= BN_PACE_HOLD_MS)
				bn_fwd_pause(s);	/* may free s */
			else
				busy = true;
		}
		bn_buf_reset(&names);
		for (e = bn_hmap_first(&l->pace_tx, &i); e != NULL;
		    e = bn_hmap_next(&l->pace_tx, e, &i))
			if (((struct bn_pace_tx *)e->value)->paused)
				bn_buf_add(&names, e->key, strlen(e->key) + 1);
		for (off = 0; off < names.len;
		    off += strlen(names.data + off) + 1) {
			struct bn_pace_tx *t = bn_hmap_get(&l->pace_tx,
			    names.data + off);

			bn_fwd_sync(l, names.data + off);
			if (t != NULL && t->paused)
				busy = true;
		}
	}
	bn_buf_free(&names);
	return busy;
}

const struct bn_pace_ops bn_fwdpace_ops = {
	.credit = fwdpace_credit,
	.tick = fwdpace_tick,
};
