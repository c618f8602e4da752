/*
 * What a STOMP session sends: the one writer of its bytes, and the FIFO of
 * receipt-tracked frames (ActiveMQ answers receipts in order per
 * connection). RETRY frames keep their wire bytes: queued while there is
 * no session (up to failover's timeout), re-sent on the next one, or
 * reported in doubt to the owner. See include/brokernet/stompsend.h.
 */
#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "brokernet/log.h"
#include "brokernet/stomp.h"
#include "brokernet/stompsend.h"
#include "brokernet/stompsess.h"
#include "brokernet/stompwire.h"
#include "brokernet/util.h"

static void	stompsend_fo_timeout_cb(evutil_socket_t, short, void *);

void
bn_stompsend_write(struct bn_stomp *s, const char *wire, size_t len)
{
	if (s->bev == NULL)
		return;
	if (s->ow_on)
		bn_stompow_write(s, wire, len);
	else
		bufferevent_write(s->bev, wire, len);
	s->last_write_ms = bn_now_ms();
}

void
bn_stompsend_frame(struct bn_stomp *s, const struct bn_frame *f)
{
	bn_buf_reset(&s->scratch);
	bn_frame_serialize(f, &s->scratch);
	bn_stompsend_write(s, s->scratch.data, s->scratch.len);
}

static void
stompsend_pending_free(struct stomp_pending *p)
{
	free(p->wire);
	free(p);
}

/* Fails pending receipts: all of them, or only those not to be retried. */
void
bn_stompsend_fail(struct bn_stomp *s, bool all)
{
	struct stomp_pendq	 failed;
	struct stomp_pending	*p, *next;

	TAILQ_INIT(&failed);
	for (p = TAILQ_FIRST(&s->pending); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (!all && (p->flags & BN_STOMP_RETRY)) {
			if (p->sent) {
				s->npending--;
				s->nqueued++;
				p->sent = false;
				p->doubt = true;
			}
			continue;
		}
		if (p->sent)
			s->npending--;
		else
			s->nqueued--;
		TAILQ_REMOVE(&s->pending, p, entry);
		TAILQ_INSERT_TAIL(&failed, p, entry);
	}
	while ((p = TAILQ_FIRST(&failed)) != NULL) {
		TAILQ_REMOVE(&failed, p, entry);
		if (p->cb != NULL)
			p->cb(s, p->ctx, false, NULL);
		stompsend_pending_free(p);
	}
}

/* failover's timeout: how long queued sends wait for a connection. */
void
bn_stompsend_arm_fo_timer(struct bn_stomp *s)
{
	struct timeval	tv;

	if (s->fo.timeout_ms < 0)
		return;
	if (s->fo_timer == NULL)
		s->fo_timer = evtimer_new(s->base, stompsend_fo_timeout_cb, s);
	if (evtimer_pending(s->fo_timer, NULL))
		return;
	tv.tv_sec = (time_t)(s->fo.timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(s->fo.timeout_ms % 1000 * 1000);
	evtimer_add(s->fo_timer, &tv);
}

static void
stompsend_fo_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_stomp	*s = arg;

	if (s->state == ST_UP)
		return;
	if (s->nqueued > 0)
		log_warnx("%s: no connection within failover timeout %lld ms;"
		    " failing %zu queued sends", s->name,
		    (long long)s->fo.timeout_ms, s->nqueued);
	bn_stompsend_fail(s, true);
}

/* Sends every RETRY frame not yet sent on this session, in order. */
void
bn_stompsend_replay(struct bn_stomp *s)
{
	struct stomp_pending	*p;
	size_t			 n = 0;

	TAILQ_FOREACH(p, &s->pending, entry) {
		if (p->sent || (p->doubt && s->doubt_cb != NULL))
			continue;
		p->doubt = false;
		bn_stompsend_write(s, p->wire, p->wirelen);
		p->sent = true;
		s->nqueued--;
		s->npending++;
		n++;
	}
	if (n > 0)
		log_info("%s: re-sent %zu unconfirmed frames after reconnect",
		    s->name, n);
}

/* Hands the owner every in-doubt frame, then the end marker. */
void
bn_stompsend_report_doubt(struct bn_stomp *s)
{
	struct stomp_pending	*p;
	void			**ctxs = NULL;
	size_t			  n = 0, i;

	TAILQ_FOREACH(p, &s->pending, entry)
		if (p->doubt) {
			ctxs = xrealloc(ctxs, (n + 1) * sizeof(*ctxs));
			ctxs[n++] = p->ctx;
		}
	if (n == 0)
		return;
	log_info("%s: %zu sends were unconfirmed when the session was lost;"
	    " checking whether the broker stored them", s->name, n);
	for (i = 0; i < n; i++)
		s->doubt_cb(s, ctxs[i], s->arg);
	s->doubt_cb(s, NULL, s->arg);
	free(ctxs);
}

void
bn_stompsend_resolve(struct bn_stomp *s, void *ctx, bool stored)
{
	struct stomp_pending	*p;

	TAILQ_FOREACH(p, &s->pending, entry)
		if (p->doubt && p->ctx == ctx)
			break;
	if (p == NULL)
		return;
	p->doubt = false;
	if (stored) {
		TAILQ_REMOVE(&s->pending, p, entry);
		s->nqueued--;
		if (p->cb != NULL)
			p->cb(s, p->ctx, true, NULL);
		stompsend_pending_free(p);
		return;
	}
	if (s->state != ST_UP)
		return;		/* replayed on the next session */
	bn_stompsend_write(s, p->wire, p->wirelen);
	p->sent = true;
	s->nqueued--;
	s->npending++;
}

struct stomp_pending *
bn_stompsend_find(struct bn_stomp *s, const char *rid_s)
{
	struct stomp_pending	*p;
	uint64_t		 rid;

	if (rid_s == NULL || rid_s[0] != 'r' ||
	    bn_strtou64(rid_s + 1, UINT64_MAX, &rid) == -1)
		return NULL;
	TAILQ_FOREACH(p, &s->pending, entry)
		if (p->rid == rid && p->sent)
			return p;
	return NULL;
}

void
bn_stompsend_complete(struct bn_stomp *s, struct stomp_pending *p, bool ok,
    const struct bn_frame *err)
{
	TAILQ_REMOVE(&s->pending, p, entry);
	s->npending--;
	if (p->cb != NULL)
		p->cb(s, p->ctx, ok, err);
	stompsend_pending_free(p);
}

/* s->scratch = wire form of f with a receipt header */
void
bn_stompsend_with_receipt(struct bn_stomp *s, const struct bn_frame *f,
    uint64_t rid)
{
	bn_buf_reset(&s->scratch2);
	bn_frame_serialize(f, &s->scratch2);
	bn_stompwire_add_receipt(&s->scratch, s->scratch2.data,
	    s->scratch2.len, rid);
}

/* Queues (or writes) the wire bytes in s->scratch under receipt rid. */
int
bn_stompsend_track(struct bn_stomp *s, uint64_t rid, int flags,
    bn_stomp_receipt_cb cb, void *ctx)
{
	struct stomp_pending	*p;

	p = xcalloc(1, sizeof(*p));
	p->rid = rid;
	p->cb = cb;
	p->ctx = ctx;
	p->flags = flags;
	if (flags & BN_STOMP_RETRY) {
		/* the frame takes the bytes (a store batch: up to MiBs) */
		p->wire = s->scratch.data;
		p->wirelen = s->scratch.len;
		memset(&s->scratch, 0, sizeof(s->scratch));
	}
	TAILQ_INSERT_TAIL(&s->pending, p, entry);
	if (s->state == ST_UP) {
		if (p->wire != NULL)
			bn_stompsend_write(s, p->wire, p->wirelen);
		else
			bn_stompsend_write(s, s->scratch.data, s->scratch.len);
		p->sent = true;
		s->npending++;
	} else {
		s->nqueued++;
		bn_stompsend_arm_fo_timer(s);
	}
	return 0;
}

bool
bn_stompsend_may_queue(const struct bn_stomp *s, int flags,
    bn_stomp_receipt_cb cb)
{
	if (s->state == ST_UP)
		return true;
	return (flags & BN_STOMP_RETRY) && cb != NULL &&
	    s->state != ST_GIVENUP && s->state != ST_IDLE;
}

/* Calls the writable callback if it was armed and there is room now. */
void
bn_stompsend_maybe_writable(struct bn_stomp *s)
{
	if (s->want_writable && s->state == ST_UP &&
	    s->npending + s->nqueued < s->window && (s->bev == NULL ||
	    evbuffer_get_length(bufferevent_get_output(s->bev)) <=
	    BN_STOMP_OUT_HIGH)) {
		s->want_writable = false;
		if (s->cbs.writable != NULL)
			s->cbs.writable(s, s->arg);
	}
}

/* ACK or NACK (cmd) of ack_id, in transaction tx unless NULL. */
int
bn_stompsend_ack(struct bn_stomp *s, const char *cmd, const char *ack_id,
    const char *tx)
{
	if (s->state != ST_UP || ack_id == NULL)
		return -1;
	bn_stompwire_ack(&s->scratch, cmd, ack_id, tx);
	bn_stompsend_write(s, s->scratch.data, s->scratch.len);
	return 0;
}

/* BEGIN or COMMIT (cmd) of transaction tx. */
int
bn_stompsend_tx(struct bn_stomp *s, const char *cmd, const char *tx)
{
	if (s->state != ST_UP)
		return -1;
	bn_stompwire_tx(&s->scratch, cmd, tx);
	bn_stompsend_write(s, s->scratch.data, s->scratch.len);
	return 0;
}
