/*
 * bnbench's producer connections (--producers N): each keeps a window of
 * receipted SENDs and takes the next seq when it has room, round robin,
 * at --rate if given; counts confirmations, send errors, frames re-sent
 * after a lost session. State lives in struct bench (bnbench.h).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <event2/event.h>

#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/stomp.h"

#include "bnbench.h"

static void	prod_pump(struct bench *);

void
bench_prod_closed(struct bn_stomp *s, void *arg)
{
	struct bench_prod	*p = arg;

	p->closed = true;
	bench_check_soon(p->b);
}

static void
prod_receipt_cb(struct bn_stomp *s, void *ctx, bool ok,
    const struct bn_frame *err)
{
	struct bench_slot	*slot = ctx;
	struct bench		*b = slot->b;
	uint64_t		 now;

	if (b->finished)
		return;
	if (ok) {
		now = bench_mono();
		b->confirmed++;
		b->last_receipt_mono = now;
		bench_push_lat(b->rlat, &b->nrlat, b->o->count,
		    now - slot->sent_us);
	} else {
		const char	*msg = err ? bn_frame_get(err, "message") : NULL;

		b->send_errors++;
		log_warnx("producer: seq %zu not confirmed: %s",
		    (size_t)(slot - b->slots), err ? (msg ? msg :
		    "ERROR without message") : "connection lost");
	}
	if (b->confirmed + b->send_errors >= b->o->count)
		bench_check_soon(b);
}

/* Sends seq next_seq on p. Returns -1 when the client refused the frame. */
static int
prod_send_one(struct bench *b, struct bench_prod *p)
{
	const struct bench_opts	*o = b->o;
	uint64_t		 seq = b->next_seq, ts;
	struct bench_slot	*slot = &b->slots[seq];
	char			 num[32];

	snprintf(num, sizeof(num), "%" PRIu64, seq);
	bn_frame_set_header(b->frame, "bnbench_seq", num);
	ts = bench_rt();
	snprintf(num, sizeof(num), "%" PRIu64, ts);
	bn_frame_set_header(b->frame, "bnbench_ts", num);
	bench_fill(seq, b->body, (size_t)o->size);
	bn_frame_set_body(b->frame, b->body, (size_t)o->size);
	slot->b = b;
	slot->sent_us = bench_mono();
	if (seq == 0) {
		b->first_send_rt = ts;
		b->first_send_mono = slot->sent_us;
	}
	if (bn_stomp_send(p->s, b->frame, BN_STOMP_RETRY, prod_receipt_cb,
	    slot) == -1)
		return -1;
	b->next_seq++;
	return 0;
}

void
bench_prod_pump_cb(evutil_socket_t fd, short ev, void *arg)
{
	prod_pump(arg);
}

/* The next producer (round robin) with room in its window, or NULL. */
static struct bench_prod *
prod_pick(struct bench *b)
{
	struct bench_prod	*p;
	size_t			 i;

	for (i = 0; i < b->nprods; i++) {
		p = &b->prods[(b->next_prod + i) % b->nprods];
		if (!p->gaveup && !p->closing && bn_stomp_can_send(p->s)) {
			b->next_prod = (b->next_prod + i + 1) % b->nprods;
			return p;
		}
	}
	return NULL;
}

static bool
prod_all_gaveup(const struct bench *b)
{
	size_t	i;

	for (i = 0; i < b->nprods; i++)
		if (!b->prods[i].gaveup)
			return false;
	return true;
}

/*
 * Sends while a receipt window has room and the rate allows; the writable
 * callback or the rate timer calls again.
 */
static void
prod_pump(struct bench *b)
{
	const struct bench_opts	*o = b->o;
	struct bench_prod	*p;
	struct timeval		 tv;
	uint64_t		 due, now;

	if (b->finished || !b->prod_started)
		return;
	while (b->next_seq < o->count) {
		if ((p = prod_pick(b)) == NULL)
			return;
		if (o->rate > 0 && b->next_seq > 0) {
			due = b->first_send_mono + (uint64_t)((double)b->next_seq *
			    1e6 / o->rate);
			now = bench_mono();
			if (due > now) {
				bench_tv(&tv, due - now);
				event_del(b->pump_ev);
				evtimer_add(b->pump_ev, &tv);
				return;
			}
		}
		if (prod_send_one(b, p) == -1) {
			log_warnx("producer %zu: %s refused seq %" PRIu64
			    " (connection given up)", (size_t)(p - b->prods),
			    o->producer_uri, b->next_seq);
			p->gaveup = true;
			bench_check_soon(b);
			if (!prod_all_gaveup(b))
				continue;
			b->send_errors += o->count - b->next_seq;
			b->next_seq = o->count;
			return;
		}
	}
}

void
bench_prod_connected(struct bn_stomp *s, void *arg)
{
	struct bench_prod	*p = arg;
	struct bench		*b = p->b;

	/*
	 * Pump later, not here: frames sent from this callback would go out
	 * before stomp.c re-sends the unconfirmed ones of the last session.
	 */
	if (b->finished || p->closing)
		return;
	/* Called before the replay: everything in flight is about to go. */
	if (bn_stomp_connects(s) > 1)
		b->replayed += bn_stomp_inflight(s);
	event_active(b->pump_ev, EV_TIMEOUT, 0);
}

void
bench_prod_disconnected(struct bn_stomp *s, const char *reason, void *arg)
{
	struct bench_prod	*p = arg;
	struct bench		*b = p->b;

	if (b->finished || p->closing)
		return;
	b->resent += bn_stomp_inflight(s);
	log_warnx("producer: lost %s (%s); %zu unconfirmed frames will be "
	    "re-sent", bn_stomp_current_uri(s), reason, bn_stomp_inflight(s));
}

void
bench_prod_writable(struct bn_stomp *s, void *arg)
{
	struct bench_prod	*p = arg;

	prod_pump(p->b);
}

void
bench_prod_error_cb(struct bn_stomp *s, const struct bn_frame *f, void *arg)
{
	struct bench_prod	*p = arg;

	bench_error_cb(s, f, p->b);
}

void
bench_prod_giveup(struct bn_stomp *s, void *arg)
{
	struct bench_prod	*p = arg;

	p->gaveup = true;
	bench_check_soon(p->b);
}

void
bench_prod_start(struct bench *b)
{
	size_t	i;

	if (b->prod_started)
		return;
	b->prod_started = true;
	for (i = 0; i < b->nprods; i++)
		bn_stomp_start(b->prods[i].s);
}

size_t
bench_prod_inflight(const struct bench *b)
{
	size_t	i, n = 0;

	for (i = 0; i < b->nprods; i++)
		n += bn_stomp_inflight(b->prods[i].s);
	return n;
}

bool
bench_prod_done(const struct bench *b)
{
	/* run: a consumer that failed before the warm-up ends the run */
	return b->nprods == 0 || prod_all_gaveup(b) ||
	    b->confirmed + b->send_errors >= b->o->count ||
	    (!b->prod_started && b->cons_closing);
}
