/*
 * Message transfer between the local broker and links.
 *
 * Forwarding side: one network subscription per (link, queue) with remote
 * demand (conduit), cumulative client acks, prefetch and priority from the
 * connector, a selector that keeps messages the link may not carry (TTL,
 * path) in the broker. A message goes over the link with a sequence number;
 * only when the peer acks that number is it acked on our broker.
 *
 * Topics (topic.h names them "/topic/NAME"): the same, one network
 * subscription to the topic per (link, topic or pattern) with remote
 * demand; each gets its own copy of every message published meanwhile.
 * There is no replay of stranded messages (a topic keeps nothing for an
 * absent subscriber) and no pacing. A wildcard subscription's messages
 * are checked one by one against the connector's filters.
 *
 * Receiving side: a MESSAGE from a link is SENT to our broker with a
 * receipt (pipelined, retried across a broker failover); on RECEIPT the
 * link ack for its sequence number is queued.
 *
 * Paced (pace.h): a subscription out of credit holds what the broker
 * dispatched (fwdhold.c); held too long, it pauses: drained and dropped,
 * so the broker gives the held messages to its other consumers, and made
 * again with the credit as its prefetch once the peer's backlog fell.
 * fwdpace.c, above this file, sends what is held as reports come, pauses
 * and resumes (bn_fwd_send, bn_fwd_pause, bn_fwd_sync); this file calls
 * fwdhold.c and pace.c, never fwdpace.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "brokernet/config.h"
#include "brokernet/advisory.h"
#include "brokernet/advert.h"
#include "brokernet/daemon.h"
#include "brokernet/filter.h"
#include "brokernet/forward.h"
#include "brokernet/fwdhold.h"
#include "brokernet/fwdunf.h"
#include "brokernet/fwdwire.h"
#include "brokernet/link.h"
#include "brokernet/log.h"
#include "brokernet/owsess.h"
#include "brokernet/pace.h"
#include "brokernet/selector.h"
#include "brokernet/stomp.h"
#include "brokernet/topic.h"
#include "brokernet/tsub.h"

/* The reason of a pause: logged at debug level, it comes and goes. */
static const char fwd_paused[] = "paced: the peer's consumers are behind";
/* A copy of an unfaithful message not stored: the broker gives it back. */
static const char fwd_refused[] = "the broker did not store a copy";

/* Network subscriptions to topics are durable (tsub.h), unless the
 * connector says durableTopicSubscriptions="false". */
static bool
fwd_durable(const struct bn_fwd_sub *s)
{
	return !s->is_static && !s->is_replay && bn_topic_is(s->dest) &&
	    s->link->peer != NULL && s->link->nc->durable_topics;
}

static void
fwd_subscribe(struct bn_fwd_sub *s)
{
	struct bn_daemon	*d = s->link->d;
	struct bn_header	 h[6];
	struct bn_buf		 sel = { 0 }, dest = { 0 }, dur = { 0 };
	char			 prefetch[24], prio[16];
	size_t			 n = 0;

	if (!d->broker_up || s->subscribed)
		return;
	snprintf(prefetch, sizeof(prefetch), "%llu",
	    (unsigned long long)(s->is_static || bn_topic_is(s->dest) ?
	    s->link->nc->prefetch :
	    bn_pace_prefetch(s->link, s->dest, s->link->nc->prefetch)));
	h[n].name = "activemq.prefetchSize";
	h[n++].value = prefetch;
	if (s->link->nc->decrease_priority) {
		snprintf(prio, sizeof(prio), "%d", s->priority);
		h[n].name = "activemq.priority";
		h[n++].value = prio;
	}
	if (s->link->peer_native) {
		/* the whole message: class, typed properties, message id */
		h[n].name = BN_OWSESS_NATIVE_HDR;
		h[n++].value = "true";
	} else {
		/* what the peer cannot take comes whole, to be copied */
		h[n].name = BN_OWSESS_UNFAITHFUL_HDR;
		h[n++].value = BN_OWSESS_WHOLE;
	}
	/* what a plain peer could not take stays here, not offered again */
	bn_selector_netsub(s->link->peer, s->link->nc->message_ttl,
	    s->is_replay, !s->link->peer_native &&
	    d->cfg->broker.unfaithful == BN_UNFAITHFUL_KEEP, &sel);
	h[n].name = "selector";
	h[n++].value = sel.data;
	if (fwd_durable(s)) {
		/* kept by the broker while we or the peer are away (tsub.h) */
		bn_tsub_name(s->link->peer, s->dest, &dur);
		h[n].name = "activemq.subscriptionName";
		h[n++].value = dur.data;
	}
	if (bn_topic_is(s->dest))
		bn_buf_addstr(&dest, s->dest);
	else
		bn_buf_printf(&dest, "/queue/%s", s->dest);
	/* ack:client: one ACK covers the subscription up to that message */
	if (bn_stomp_subscribe(d->cons, s->id, dest.data, "client", h,
	    n) == 0) {
		s->subscribed = true;
		if (s->pace != NULL && s->pace->pauses > 0)
			log_debug("forward: %s -> %s: network subscription %s"
			    " resumed (prefetch %s)", s->dest, s->link->peer,
			    s->id, prefetch);
		else
			log_info("forward: %s -> %s: network subscription %s%s"
		    " (prefetch %s, priority %s)", s->dest, s->link->peer,
		    s->id, s->is_static ? " (static)" : s->is_replay ?
		    " (replay of stranded messages)" : "", prefetch,
		    s->link->nc->decrease_priority ? prio : "default");
	}
	bn_buf_free(&sel);
	bn_buf_free(&dest);
	bn_buf_free(&dur);
}

static void
fwd_drop(struct bn_fwd_sub *s, const char *why)
{
	struct bn_link		*l = s->link;
	struct bn_daemon	*d = l->d;
	struct bn_inflight	*inf;

	bn_hold_drop(s);
	if (s->subscribed && d->broker_up)
		bn_stomp_unsubscribe(d->cons, s->id);
	/*
	 * A durable one is deleted when the peer, still here, no longer
	 * wants it; else the broker keeps what comes for the peer. A peer
	 * that asked again while this one drained wants it: what it held
	 * goes to the next subscription of the same name.
	 */
	if (fwd_durable(s) && !d->stopping && l->state == BN_LINK_UP &&
	    why != fwd_paused && why != fwd_refused &&
	    bn_hmap_get(&l->remote, s->dest) == NULL &&
	    bn_hmap_get(&l->remote_held, s->dest) == NULL)
		bn_tsub_unwanted(d->tsub, l->peer, s->dest);
	else if (fwd_durable(s))
		bn_tsub_detached(d->tsub, l->peer, s->dest,
		    bn_hmap_get(&l->remote_held, s->dest) != NULL);
	if (why == fwd_paused)
		log_debug("forward: %s -> %s: subscription %s paused (%llu"
		    " forwarded, %llu in flight, %llu left to the broker)",
		    s->dest, l->peer, s->id, (unsigned long long)s->forwarded,
		    (unsigned long long)s->inflight,
		    (unsigned long long)s->held);
	else if (s->subscribed || s->inflight > 0)
		log_info("forward: %s -> %s: subscription %s dropped (%s;"
		    " %llu forwarded, %llu left to the broker)", s->dest,
		    l->peer ? l->peer : "?", s->id, why,
		    (unsigned long long)s->forwarded,
		    (unsigned long long)s->inflight);
	while ((inf = TAILQ_FIRST(&s->pending)) != NULL) {
		TAILQ_REMOVE(&s->pending, inf, sub_entry);
		inf->sub = NULL;
		if (inf->copying) {
			/* its receipt callback frees it (fwd_copied) */
			TAILQ_REMOVE(&l->inflight, inf, entry);
			l->ninflight--;
		}
	}
	bn_buf_free(&s->ack_last);
	bn_hmap_del(&d->subs_by_id, s->id);
	if (s->is_replay) {
		struct bn_buf	key = { 0 };

		bn_buf_printf(&key, "replay:%s", s->dest);
		bn_hmap_del(&l->subs_by_dest, key.data);
		bn_buf_free(&key);
	} else if (s->is_static) {
		struct bn_buf	key = { 0 };

		bn_buf_printf(&key, "static:%s", s->dest);
		bn_hmap_del(&l->subs_by_dest, key.data);
		bn_buf_free(&key);
	} else
		bn_hmap_del(&l->subs_by_dest, s->dest);
	TAILQ_REMOVE(&l->subs, s, entry);
	free(s->dest);
	free(s);
}

static struct bn_fwd_sub *
fwd_new_sub(struct bn_link *l, const char *key, const char *dest,
    bool is_static, bool is_replay, uint32_t hops)
{
	struct bn_daemon	*d = l->d;
	struct bn_fwd_sub	*s;

	s = xcalloc(1, sizeof(*s));
	s->link = l;
	s->dest = xstrdup(dest);
	s->is_static = is_static;
	s->is_replay = is_replay;
	s->hops = hops;
	s->priority = bn_demand_priority(hops ? hops : 1);
	s->pace = is_static || bn_topic_is(dest) ? NULL : bn_pace_tx(l, dest);
	TAILQ_INIT(&s->pending);
	snprintf(s->id, sizeof(s->id), "s%llu",
	    (unsigned long long)d->next_sub++);
	TAILQ_INSERT_TAIL(&l->subs, s, entry);
	bn_hmap_put(&l->subs_by_dest, key, s);
	bn_hmap_put(&d->subs_by_id, s->id, s);
	if (fwd_durable(s))
		bn_tsub_attached(d->tsub, l->peer, s->dest);
	fwd_subscribe(s);
	return s;
}

/* Keeps or drains s: drained once nothing is in flight. */
static void
fwd_want(struct bn_link *l, struct bn_fwd_sub *s, bool want,
    const char *why)
{
	if (want) {
		/*
		 * Held messages sit unacked in this subscription; with
		 * cumulative acks it must not ack past them: let it drop
		 * and make a new one.
		 */
		if (s->draining && s->held > 0)
			return;
		if (s->draining)
			log_debug("forward: %s -> %s: wanted again", s->dest,
			    l->peer);
		s->draining = false;
		return;
	}
	bn_hold_drop(s);
	if (s->inflight == 0)
		fwd_drop(s, why);
	else
		/* Let in-flight messages finish; hold the rest; then drop. */
		s->draining = true;
}

void
bn_fwd_pause(struct bn_fwd_sub *s)
{
	if (s->pace != NULL && !s->pace->paused) {
		s->pace->paused = true;
		s->pace->pauses++;
	}
	fwd_want(s->link, s, false, fwd_paused);
}

/*
 * Stranded messages: this broker has had no local consumer for q for
 * replayDelay, and the peer's own broker has consumers (demand at hop 1).
 * Then messages the normal selector keeps back (they passed the peer
 * already, or used up their TTL) may go there: they move towards a
 * consumer and never towards a broker without one, so they cannot
 * ping-pong.
 */
static bool
fwd_replay_wanted(struct bn_link *l, const char *q, uint32_t hops,
    enum bn_filter_verdict v)
{
	const struct bn_demand_q	*dq = bn_demand_get(&l->d->demand, q);

	return dq != NULL && dq->local == 0 && hops == 1 &&
	    v != BN_FILTER_DENY && bn_now_ms() - dq->local_zero_ms >=
	    l->nc->replay_delay_ms;
}

void
bn_fwd_sync(struct bn_link *l, const char *q)
{
	struct bn_daemon	*d = l->d;
	struct bn_fwd_sub	*s;
	struct bn_buf		 key = { 0 };
	enum bn_filter_verdict	 v;
	uint32_t		 hops;
	bool			 want, live;

	if (!l->we_forward)
		return;
	v = bn_dest_filter(l->nc, q);
	hops = bn_demand_remote_hops(&d->demand, q, l->id);
	live = l->state == BN_LINK_UP && !d->stopping;
	/* a statically included topic also waits for demand (topic.h) */
	want = live && hops > 0 && (v == BN_FILTER_DYNAMIC ||
	    (v == BN_FILTER_STATIC && (l->nc->dynamic_only ||
	    bn_topic_is(q)))) && !bn_pace_paused(l, q);
	s = bn_hmap_get(&l->subs_by_dest, q);
	if (s == NULL && want)
		fwd_new_sub(l, q, q, false, false, hops);
	else if (s != NULL) {
		s->hops = hops ? hops : s->hops;
		fwd_want(l, s, want, "no more demand");
	}
	if (bn_topic_is(q))
		return;		/* a topic keeps nothing to replay */
	want = live && fwd_replay_wanted(l, q, hops, v) &&
	    !bn_pace_paused(l, q);
	bn_buf_printf(&key, "replay:%s", q);
	s = bn_hmap_get(&l->subs_by_dest, key.data);
	if (s == NULL && want)
		fwd_new_sub(l, key.data, q, false, true, hops);
	else if (s != NULL)
		fwd_want(l, s, want, "local consumers or no remote demand");
	bn_buf_free(&key);
}

static void
fwd_replay_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_daemon	*d = arg;
	struct bn_link		*l;
	struct bn_hmap_ent	*e;
	struct bn_buf		 names = { 0 };
	uint64_t		*ids = NULL;
	size_t			 n = 0, i, j, off;

	if (d->stopping || !d->broker_up)
		return;
	TAILQ_FOREACH(l, &d->links, entry)
		if (l->state == BN_LINK_UP && l->we_forward) {
			ids = xrealloc(ids, (n + 1) * sizeof(*ids));
			ids[n++] = l->id;
		}
	for (i = 0; i < n; i++) {
		if ((l = bn_link_find(d, ids[i])) == NULL)
			continue;
		bn_buf_reset(&names);
		for (e = bn_hmap_first(&l->remote, &j); e != NULL;
		    e = bn_hmap_next(&l->remote, e, &j))
			bn_buf_add(&names, e->key, strlen(e->key) + 1);
		for (off = 0; off < names.len;
		    off += strlen(names.data + off) + 1)
			bn_fwd_sync(l, names.data + off);
	}
	free(ids);
	bn_buf_free(&names);
}

void
bn_fwd_start(struct bn_daemon *d)
{
	struct timeval	tv = { 0, 250000 };

	d->replay_timer = event_new(d->base, -1, EV_PERSIST, fwd_replay_tick,
	    d);
	event_add(d->replay_timer, &tv);
}

void
bn_fwd_sync_static(struct bn_link *l)
{
	struct bn_buf	key = { 0 };
	size_t		i;

	if (!l->we_forward || l->nc->dynamic_only)
		return;
	for (i = 0; i < l->nc->static_include.n; i++) {
		const char	*p = l->nc->static_include.items[i].pattern;

		if (l->nc->static_include.items[i].topic)
			continue;
		bn_buf_reset(&key);
		bn_buf_printf(&key, "static:%s", p);
		if (bn_hmap_get(&l->subs_by_dest, key.data) != NULL)
			continue;
		if (bn_connector_filter(l->nc, p) == BN_FILTER_DENY)
			continue;
		fwd_new_sub(l, key.data, p, true, false, 0);
	}
	bn_buf_free(&key);
}

void
bn_fwd_resubscribe_all(struct bn_daemon *d)
{
	struct bn_link		*l;
	struct bn_fwd_sub	*s;

	TAILQ_FOREACH(l, &d->links, entry) {
		if (l->state != BN_LINK_UP)
			continue;
		bn_advert_all(l);
		TAILQ_FOREACH(s, &l->subs, entry)
			if (!s->draining)
				fwd_subscribe(s);
	}
}

void
bn_fwd_broker_lost(struct bn_daemon *d)
{
	struct bn_link		*l;
	struct bn_fwd_sub	*s, *next;

	TAILQ_FOREACH(l, &d->links, entry) {
		for (s = TAILQ_FIRST(&l->subs); s != NULL; s = next) {
			next = TAILQ_NEXT(s, entry);
			s->subscribed = false;
			/* The broker gives back what it had dispatched. */
			bn_hold_drop(s);
			if (s->draining)
				fwd_drop(s, "broker session lost");
		}
		bn_advert_all(l);
	}
}

/*
 * An entry for a message of s in its place in s's dispatch order, so that
 * the cumulative ACK covers it only once acked is set and all before it
 * are settled: one sent over the link as seq, or one that never goes
 * there (seq UINT64_MAX).
 */
static struct bn_inflight *
fwd_place(struct bn_fwd_sub *s, const char *ack, uint64_t seq, bool acked)
{
	struct bn_link		*l = s->link;
	struct bn_inflight	*inf;
	size_t			 alen = strlen(ack);

	inf = xcalloc(1, sizeof(*inf) + alen + 1);
	inf->seq = seq;
	inf->sub = s;
	inf->broker_gen = l->d->broker_gen;
	memcpy(inf->ack_id, ack, alen + 1);
	inf->acked = acked;
	TAILQ_INSERT_TAIL(&l->inflight, inf, entry);
	TAILQ_INSERT_TAIL(&s->pending, inf, sub_entry);
	l->ninflight++;
	s->inflight++;
	return inf;
}

/* Takes inf (never confirmed) out of s and frees it. */
static void
fwd_unplace(struct bn_fwd_sub *s, struct bn_inflight *inf)
{
	TAILQ_REMOVE(&s->pending, inf, sub_entry);
	TAILQ_REMOVE(&s->link->inflight, inf, entry);
	s->link->ninflight--;
	s->inflight--;
	free(inf);
}

/*
 * A message of a wildcard topic subscription that may not cross (a
 * system topic, an excluded one): it is settled without going out, in
 * its place in the dispatch order, so the cumulative ACK covers it.
 */
static void
fwd_skip(struct bn_fwd_sub *s, struct bn_frame *f)
{
	struct bn_daemon	*d = s->link->d;
	const char		*ack = bn_frame_get(f, "ack");

	log_debug("forward: %s -> %s: not forwarded (filtered)",
	    bn_frame_get(f, "destination"), s->link->peer);
	if (TAILQ_EMPTY(&s->pending))
		bn_stomp_ack(d->cons, ack);
	else
		(void)fwd_place(s, ack, UINT64_MAX, true);
	bn_frame_free(f);
}

/*
 * The original of an unfaithful message stays unacked: s goes, so that
 * the broker gives it back (with what s had in flight; the peers'
 * duplicate windows drop what they stored already) and the replay tick
 * makes s again. Not on a session already lost: it gives all back.
 */
static void
fwd_give_back(struct bn_fwd_sub *s, uint64_t gen)
{
	struct bn_daemon	*d = s->link->d;

	if (gen == d->broker_gen && d->broker_up &&
	    bn_stomp_connected(d->cons))
		fwd_drop(s, fwd_refused);
}

/* The broker stored the copy (ok), or did not: ack, or give back. */
static void
fwd_copied(struct bn_stomp *st, void *ctx, bool ok,
    const struct bn_frame *err)
{
	struct bn_inflight	*inf = ctx;
	struct bn_fwd_sub	*s = inf->sub;
	uint64_t		 gen = inf->broker_gen, n;
	struct bn_link		*l;
	struct bn_buf		 msg = { 0 };

	inf->copying = false;
	if (s == NULL) {
		free(inf);	/* s went meanwhile: nothing to ack */
		return;
	}
	l = s->link;
	if (ok) {
		l->d->c.unfaithful++;
		inf->acked = true;
		bn_fwd_settled(s);
		return;
	}
	n = ++l->d->c.unfaithful_refused;
	bn_buf_printf(&msg, "forward: %s -> %s: %s (%s); its original is not "
	    "acked and comes back (%llu refused so far)", s->dest, l->peer,
	    inf->nacked ? "the NACK of a message STOMP emptied was refused" :
	    "the copy of an unfaithful message was not stored", err != NULL &&
	    bn_frame_get(err, "message") ? bn_frame_get(err, "message") :
	    "broker session lost", (unsigned long long)n);
	/* a broker that refuses every copy would fill the log: 1, 2, 4, ... */
	if ((n & (n - 1)) == 0)
		log_warnx("%s", msg.data);
	else
		log_debug("%s", msg.data);
	bn_buf_free(&msg);
	fwd_unplace(s, inf);
	fwd_give_back(s, gen);
}

/*
 * A message the broker session could not hand over unchanged for this
 * link (a MapMessage or typed properties for a peer that stores plain
 * messages): never delivered changed. It comes whole (owsess.h); a copy
 * (fwdunf.h: in ActiveMQ.DLQ, or back on its queue with unfaithful="keep",
 * where this link's selector no longer takes it) goes to its broker with a
 * receipt, and the original, in its place in the dispatch order, is acked
 * only once the copy is stored. Over a stomp:// session the message is
 * not whole (an empty body ActiveMQ's STOMP gave it, stompwire.h):
 * its "copy" is a NACK, after which ActiveMQ has moved the original to
 * ActiveMQ.DLQ itself, and no later ACK may name it. Logged once per
 * subscription, counted once stored (or NACKed).
 */
static void
fwd_unfaithful(struct bn_fwd_sub *s, struct bn_frame *f, const char *why)
{
	struct bn_daemon	*d = s->link->d;
	enum bn_unfaithful	 mode = d->cfg->broker.unfaithful;
	bool			 stomp = !bn_stomp_openwire(d->cons);
	enum bn_unf_verdict	 v;
	struct bn_frame		*copy;
	struct bn_inflight	*inf;

	if (!s->unfaithful_logged && stomp)
		log_warnx("forward: %s -> %s: message %s dead-lettered by its "
		    "broker (NACK), not forwarded changed: %s; ActiveMQ's "
		    "dead-letter strategy keeps only persistent ones unless "
		    "processNonPersistent=\"true\"; use tcp:// broker URIs, or "
		    "stompEmptyBody=\"forward\"; logged once",
		    bn_frame_get(f, "destination"), s->link->peer,
		    bn_frame_get(f, "message-id"), why);
	else if (!s->unfaithful_logged)
		log_warnx("forward: %s -> %s: message %s %s, not forwarded "
		    "changed: %s (the peer stores plain messages; use tcp:// "
		    "broker URIs on both sides); logged once",
		    bn_frame_get(f, "destination"), s->link->peer,
		    bn_frame_get(f, "message-id"), bn_unf_done(mode), why);
	s->unfaithful_logged = true;
	switch ((v = bn_unf_copy(f, mode, stomp, &copy))) {
	case BN_UNF_SETTLE:
		d->c.unfaithful++;
		fwd_skip(s, f);
		return;
	case BN_UNF_REFUSE:
		/*
		 * Not whole (the session could not re-encode it): no copy
		 * keeps it unchanged, and no ACK may cover it. A new session
		 * makes the broker give it back (s may be in a caller's
		 * loop: it is not dropped here).
		 */
		log_warnx("forward: %s -> %s: message %s cannot be copied "
		    "whole; reconnecting so that the broker gives it back",
		    s->dest, s->link->peer, bn_frame_get(f, "message-id"));
		bn_frame_free(f);
		bn_stomp_reconnect(d->cons, "a message to keep could not be "
		    "copied whole");
		return;
	case BN_UNF_COPY:
	case BN_UNF_NACK:
		break;
	}
	inf = fwd_place(s, bn_frame_get(f, "ack"), UINT64_MAX, false);
	inf->copying = true;
	inf->nacked = v == BN_UNF_NACK;
	bn_frame_free(f);
	if (bn_stomp_send(d->cons, copy, 0, fwd_copied, inf) == -1) {
		/* no session: the broker gives the original back */
		fwd_unplace(s, inf);
	}
	bn_frame_free(copy);
}

void
bn_fwd_on_broker_message(struct bn_daemon *d, struct bn_frame *f)
{
	const char		*sid = bn_frame_get(f, "subscription");
	const char		*ack = bn_frame_get(f, "ack");
	const char		*dest = bn_frame_get(f, "destination");
	const char		*why;
	struct bn_fwd_sub	*s;
	struct bn_link		*l;

	s = sid != NULL ? bn_hmap_get(&d->subs_by_id, sid) : NULL;
	if (s == NULL || ack == NULL || dest == NULL ||
	    (strncmp(dest, "/queue/", 7) != 0 && !bn_topic_is(dest))) {
		/* Not acked: the broker gives it back on unsubscribe. */
		log_debug("forward: message for unknown subscription %s held",
		    sid ? sid : "(none)");
		bn_frame_free(f);
		return;
	}
	l = s->link;
	if (s->draining || d->stopping || l->state != BN_LINK_UP) {
		s->held++;
		bn_frame_free(f);
		return;
	}
	if (bn_topic_is(dest) && bn_topic_filter(l->nc, dest +
	    BN_TOPIC_PREFIX_LEN) == BN_FILTER_DENY) {
		fwd_skip(s, f);
		return;
	}
	/* an unfaithful one needs no credit, but waits behind what is held */
	why = bn_frame_get(f, BN_OWSESS_UNFAITHFUL_HDR);
	if (s->nhold > 0 || (why == NULL &&
	    !bn_pace_may_send(l, s->dest, s->pace))) {
		bn_hold_add(s, f);
		/*
		 * More than the window waits here (a prefetch from before the
		 * pacing): others should have them now.
		 */
		if (s->nhold > BN_PACE_WINDOW)
			bn_fwd_pause(s);
		return;
	}
	bn_fwd_send(s, f);
}

void
bn_fwd_send(struct bn_fwd_sub *s, struct bn_frame *f)
{
	struct bn_link		*l = s->link;
	struct bn_daemon	*d = l->d;
	const char		*ack = bn_frame_get(f, "ack");
	const char		*dest = bn_frame_get(f, "destination");
	const char		*why;
	struct bn_inflight	*inf;

	if ((why = bn_frame_get(f, BN_OWSESS_UNFAITHFUL_HDR)) != NULL) {
		fwd_unfaithful(s, f, why);	/* never over the link */
		return;
	}
	inf = fwd_place(s, ack, l->next_seq++, false);
	bn_fwd_wire(l, f, inf->seq, dest);
	bn_link_write(l, l->out.data, l->out.len);
	l->msgs_out++;
	d->c.forwarded++;
	if (s->pace != NULL)
		s->pace->sent++;
	log_trace("forward: %s -> %s seq %llu", dest, l->peer,
	    (unsigned long long)inf->seq);
	bn_frame_free(f);
}

/*
 * Pops the confirmed head of s's dispatch-ordered list; the last one from
 * the current broker session becomes the cumulative ACK to send (returns
 * true when there is one, in s->ack_last). A message not yet confirmed
 * stops the walk, so an ACK never covers it.
 */
static bool
fwd_settle_sub(struct bn_daemon *d, struct bn_fwd_sub *s)
{
	struct bn_link		*l = s->link;
	struct bn_inflight	*inf;
	bool			 due = false;

	while ((inf = TAILQ_FIRST(&s->pending)) != NULL && inf->acked) {
		TAILQ_REMOVE(&s->pending, inf, sub_entry);
		TAILQ_REMOVE(&l->inflight, inf, entry);
		l->ninflight--;
		s->inflight--;
		if (inf->seq != UINT64_MAX)
			s->forwarded++;
		if (inf->nacked)
			;	/* ActiveMQ forgot it: an ACK naming it fails */
		else if (inf->broker_gen == d->broker_gen && d->broker_up) {
			bn_buf_reset(&s->ack_last);
			bn_buf_addstr(&s->ack_last, inf->ack_id);
			due = true;
			if (inf->seq != UINT64_MAX)
				d->c.forward_acked++;
		} else
			d->c.stale_acks++;
		free(inf);
	}
	return due;
}

void
bn_fwd_settled(struct bn_fwd_sub *s)
{
	struct bn_link	*l = s->link;
	char		*q;

	if (fwd_settle_sub(l->d, s))
		bn_stomp_ack(l->d->cons, s->ack_last.data);
	if (!s->draining || s->inflight > 0)
		return;
	q = s->is_static || s->is_replay ? NULL : xstrdup(s->dest);
	fwd_drop(s, s->pace != NULL && s->pace->paused ? fwd_paused :
	    "no more demand");
	if (q != NULL) {
		/* demand may be back: a fresh subscription */
		bn_fwd_sync(l, q);
		free(q);
	}
}

void
bn_fwd_link_closed(struct bn_link *l)
{
	struct bn_fwd_sub	*s;
	struct bn_inflight	*inf;

	/* Subscriptions first: they detach from the entries freed below. */
	while ((s = TAILQ_FIRST(&l->subs)) != NULL)
		fwd_drop(s, "link down");
	while ((inf = TAILQ_FIRST(&l->inflight)) != NULL) {
		TAILQ_REMOVE(&l->inflight, inf, entry);
		free(inf);
	}
	l->ninflight = 0;
}

void
bn_fwd_quiesce(struct bn_daemon *d)
{
	struct bn_link		*l;
	struct bn_fwd_sub	*s, *next;

	/* Subscriptions with nothing in flight give their messages back. */
	TAILQ_FOREACH(l, &d->links, entry)
		for (s = TAILQ_FIRST(&l->subs); s != NULL; s = next) {
			next = TAILQ_NEXT(s, entry);
			if (s->inflight == 0)
				fwd_drop(s, "sidecar stopping");
			else {
				bn_hold_drop(s);
				s->draining = true;
			}
		}
}

uint64_t
bn_fwd_total_inflight(struct bn_daemon *d)
{
	struct bn_link	*l;
	uint64_t	 n = 0;

	TAILQ_FOREACH(l, &d->links, entry)
		n += l->ninflight;
	return n;
}
