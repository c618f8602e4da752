/*
 * What a paced network subscription holds (pace.h): messages the broker
 * dispatched to it beyond the peer's credit, unacked and in dispatch order,
 * so a cumulative ACK of what went before never covers them. A report
 * with credit sends them on; a hold that outgrows the window or never
 * empties for BN_PACE_HOLD_MS pauses the subscription (forward.c drains
 * and drops it: the broker gives them to other consumers).
 */
#include <stdlib.h>
#include <string.h>

#include "brokernet/daemon.h"
#include "brokernet/forward.h"
#include "brokernet/fwdhold.h"
#include "brokernet/link.h"
#include "brokernet/pace.h"

/*
 * Forgets the messages s holds for credit: they stay unacked on the
 * broker, which gives them to other consumers once s is dropped (so s must
 * not be wanted again: see fwd_want).
 */
void
bn_hold_drop(struct bn_fwd_sub *s)
{
	while (s->nhold > 0) {
		bn_frame_free(s->hold[s->hold_head]);
		s->hold_head = (s->hold_head + 1) % s->hold_cap;
		s->nhold--;
		s->held++;
	}
	free(s->hold);
	s->hold = NULL;
	s->hold_cap = s->hold_head = 0;
}

/* Keeps f (dispatched to s) until the credit lets it go. */
void
bn_hold_add(struct bn_fwd_sub *s, struct bn_frame *f)
{
	size_t	i, n;

	if (s->nhold == s->hold_cap) {
		struct bn_frame	**nh;

		n = s->hold_cap ? s->hold_cap * 2 : 16;
		nh = xcalloc(n, sizeof(*nh));
		for (i = 0; i < s->nhold; i++)
			nh[i] = s->hold[(s->hold_head + i) % s->hold_cap];
		free(s->hold);
		s->hold = nh;
		s->hold_cap = n;
		s->hold_head = 0;
	}
	if (s->nhold == 0) {
		s->hold_ms = bn_now_ms();
		bn_pace_kick(s->link->d);
	}
	s->hold[(s->hold_head + s->nhold) % s->hold_cap] = f;
	s->nhold++;
}

/* Sends what s holds as far as the credit goes. */
static void
hold_send(struct bn_fwd_sub *s)
{
	struct bn_frame	*f;

	/* hold_ms stays: a hold that never empties pauses (the tick) */
	while (s->nhold > 0 && !s->draining &&
	    s->link->state == BN_LINK_UP &&
	    bn_pace_may_send(s->link, s->dest, s->pace)) {
		f = s->hold[s->hold_head];
		s->hold_head = (s->hold_head + 1) % s->hold_cap;
		s->nhold--;
		bn_fwd_send(s, f);
	}
}

/* A report for q came: held messages go on as far as the credit allows;
 * a paused (l, q) resumes when it may. */
static void
hold_release(struct bn_link *l, const char *q)
{
	struct bn_fwd_sub	*s;
	struct bn_buf		 key = { 0 };
	struct bn_pace_tx	*t = bn_hmap_get(&l->pace_tx, q);

	if ((s = bn_hmap_get(&l->subs_by_dest, q)) != NULL)
		hold_send(s);
	bn_buf_printf(&key, "replay:%s", q);
	if ((s = bn_hmap_get(&l->subs_by_dest, key.data)) != NULL)
		hold_send(s);
	bn_buf_free(&key);
	if (t != NULL && t->paused)
		bn_fwd_sync(l, q);	/* resumes when the credit is back */
}

/* Pauses what held too long, resumes what may; true while any holds or
 * waits. */
static bool
hold_tick(struct bn_daemon *d)
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
			hold_send(s);
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

const struct bn_pace_ops bn_hold_pace_ops = {
	.credit = hold_release,
	.tick = hold_tick,
};
