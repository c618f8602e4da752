/*
 * What a paced network subscription holds (pace.h): messages the broker
 * dispatched to it beyond the peer's credit, unacked and in dispatch order,
 * so a cumulative ACK of what went before never covers them. A report
 * with credit sends them on (fwdpace.c); a hold that outgrows the window
 * (forward.c) or never empties for BN_PACE_HOLD_MS (fwdpace.c) pauses the
 * subscription: forward.c drains and drops it, and the broker gives them
 * to other consumers. This file only keeps them.
 */
#include <stdlib.h>

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

/*
 * Takes the first message s holds when it may go now. hold_ms stays: a hold
 * that never empties still pauses (fwdpace.c's tick).
 */
struct bn_frame *
bn_hold_next(struct bn_fwd_sub *s)
{
	struct bn_frame	*f;

	if (s->nhold == 0 || s->draining || s->link->state != BN_LINK_UP ||
	    !bn_pace_may_send(s->link, s->dest, s->pace))
		return NULL;
	f = s->hold[s->hold_head];
	s->hold_head = (s->hold_head + 1) % s->hold_cap;
	s->nhold--;
	return f;
}
