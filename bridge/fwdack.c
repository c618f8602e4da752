/*
 * The peer's stored-acks (fwdack.h): an ACK frame from a link names the
 * messages the peer's broker stored. Each is marked confirmed in the
 * link's in-flight list, and each subscription it touched settles once
 * for the whole frame (forward.c: one cumulative ACK on our broker).
 * Above forward.c, which never calls it.
 */
#include <stdlib.h>
#include <string.h>

#include "brokernet/daemon.h"
#include "brokernet/forward.h"
#include "brokernet/fwdack.h"
#include "brokernet/link.h"
#include "brokernet/log.h"
#include "brokernet/util.h"

static struct bn_inflight *
ack_find(struct bn_link *l, uint64_t seq)
{
	struct bn_inflight	*inf;

	/* Acks come in order almost always: the head matches. */
	TAILQ_FOREACH(inf, &l->inflight, entry)
		if (inf->seq == seq)
			return inf;
	return NULL;
}

SLIST_HEAD(ack_touchedq, bn_fwd_sub);

/* The peer stored seq: mark it, remember its subscription in touched. */
static void
ack_one(struct bn_link *l, uint64_t seq, struct ack_touchedq *touched)
{
	struct bn_inflight	*inf;

	if ((inf = ack_find(l, seq)) == NULL || inf->acked) {
		log_warnx("link %s: ACK for unknown seq %llu ignored",
		    l->peer, (unsigned long long)seq);
		return;
	}
	l->acks_in++;
	inf->acked = true;
	if (inf->sub != NULL && !inf->sub->ack_touched) {
		inf->sub->ack_touched = true;
		SLIST_INSERT_HEAD(touched, inf->sub, touched_entry);
	}
	if (inf->sub == NULL) {
		/* its subscription is gone: nothing to ack */
		TAILQ_REMOVE(&l->inflight, inf, entry);
		l->ninflight--;
		l->d->c.stale_acks++;
		free(inf);
	}
}

int
bn_fwd_on_link_ack(struct bn_link *l, const char *ids)
{
	struct bn_fwd_sub	*s;
	const char		*p = ids, *comma, *dash;
	uint64_t		 seq, last;
	size_t			 len;
	struct ack_touchedq	 touched = SLIST_HEAD_INITIALIZER(touched);

	if (ids == NULL || *ids == '\0') {
		bn_link_close(l, "bad ACK frame: no ids");
		return -1;
	}
	for (;;) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		/*
		 * "7" or a range "7-9" (compact links); all must be in flight.
		 * UINT64_MAX never is (and seq++ below would wrap).
		 */
		dash = memchr(p, '-', len);
		if (bn_strntou64(p, dash ? (size_t)(dash - p) : len,
		    UINT64_MAX - 1, &seq) == -1 || (dash != NULL &&
		    (bn_strntou64(dash + 1, len - (size_t)(dash - p) - 1,
		    UINT64_MAX - 1, &last) == -1 ||
		    last < seq || last - seq >= l->ninflight))) {
			SLIST_FOREACH(s, &touched, touched_entry)
				s->ack_touched = false;
			bn_link_close(l, "bad ACK frame: ids not numbers or"
			    " ranges of messages in flight");
			return -1;
		}
		if (dash == NULL)
			last = seq;
		for (; seq <= last; seq++)
			ack_one(l, seq, &touched);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	/* One cumulative ACK per touched subscription for the whole frame. */
	while ((s = SLIST_FIRST(&touched)) != NULL) {
		SLIST_REMOVE_HEAD(&touched, touched_entry);
		s->ack_touched = false;
		bn_fwd_settled(s);
	}
	return 0;
}
