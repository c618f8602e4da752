/*
 * bnbench's consumer: subscribes (client-individual acks, --prefetch),
 * acks each message, checks its run, seq, body and headers, and counts
 * distinct seqs, duplicates, corrupt messages and messages of other runs;
 * the warm-up before a run's producer starts and the idle timeout. State
 * lives in struct bench (bnbench.h).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/stomp.h"
#include "brokernet/util.h"

#include "bnbench.h"

#define BENCH_MAX_REPORTS	10	/* corrupt messages logged in detail */
#define BENCH_SUB_ID		"bnbench-1"

void
bench_cons_closed(struct bn_stomp *s, void *arg)
{
	struct bench	*b = arg;

	b->cons_closed = true;
	bench_check_soon(b);
}

void
bench_cons_warmup_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bench	*b = arg;

	log_info("consumer subscribed; warm-up over, producer starts");
	bench_prod_start(b);
}

static void
cons_sub_receipt_cb(struct bn_stomp *s, void *ctx, bool ok,
    const struct bn_frame *err)
{
	struct bench	*b = ctx;
	struct timeval	 tv;

	if (b->finished)
		return;
	if (!ok) {
		const char	*msg = err ? bn_frame_get(err, "message") : NULL;

		if (err == NULL)
			return;	/* session lost: resubscribed on reconnect */
		log_warnx("consumer: SUBSCRIBE to %s refused: %s", b->o->dest,
		    msg ? msg : "(no message)");
		b->cons_gaveup = true;
		bench_check_soon(b);
		return;
	}
	if (b->subscribes++ > 0)
		return;
	b->first_sub_rt = bench_rt();
	b->last_activity_mono = bench_mono();
	if (b->o->mode == MODE_RUN) {
		bench_tv(&tv, b->o->warmup_ms * 1000);
		evtimer_add(b->warmup_ev, &tv);
	}
	if (b->o->idle_ms > 0) {
		bench_tv(&tv, b->o->idle_ms * 1000);
		evtimer_add(b->idle_ev, &tv);
	}
}

void
bench_cons_connected(struct bn_stomp *s, void *arg)
{
	struct bench	*b = arg;
	struct bn_frame	*f;
	char		 num[32];

	if (b->finished || b->cons_closing)
		return;
	f = bn_frame_new("SUBSCRIBE");
	bn_frame_add_header(f, "id", BENCH_SUB_ID);
	bn_frame_add_header(f, "destination", b->o->dest);
	bn_frame_add_header(f, "ack", "client-individual");
	snprintf(num, sizeof(num), "%" PRIu64, b->o->prefetch);
	bn_frame_add_header(f, "activemq.prefetchSize", num);
	if (bn_stomp_send(s, f, 0, cons_sub_receipt_cb, b) == -1)
		log_warnx("consumer: cannot SUBSCRIBE to %s", b->o->dest);
	bn_frame_free(f);
}

void
bench_cons_disconnected(struct bn_stomp *s, const char *reason, void *arg)
{
	struct bench	*b = arg;

	if (b->finished || b->cons_closing)
		return;
	log_warnx("consumer: lost %s (%s); will resubscribe",
	    bn_stomp_current_uri(s), reason);
}

void
bench_cons_giveup(struct bn_stomp *s, void *arg)
{
	struct bench	*b = arg;

	b->cons_gaveup = true;
	bench_check_soon(b);
}

static bool
cons_run_matches(struct bench *b, const char *run)
{
	if (b->run_id != NULL)
		return strcmp(run, b->run_id) == 0;
	if (b->o->expect_prefix != NULL)
		return strncmp(run, b->o->expect_prefix,
		    strlen(b->o->expect_prefix)) == 0;
	/* consume without --expect-prefix: the first run seen is ours */
	b->run_id = xstrdup(run);
	log_info("consumer: counting run %s", run);
	return true;
}

/* NULL when the message is intact, else what is wrong with it. */
static const char *
cons_check_message(struct bench *b, const struct bn_frame *f, uint64_t *seqp,
    uint64_t *tsp, char *why, size_t whylen)
{
	const struct bench_opts	*o = b->o;
	const char		*v;
	size_t			 i, off;

	v = bn_frame_get(f, "bnbench_seq");
	if (v == NULL || bn_strtou64(v, o->count - 1, seqp) == -1) {
		snprintf(why, whylen, "bad bnbench_seq %s", v ? v : "(none)");
		return why;
	}
	v = bn_frame_get(f, "bnbench_ts");
	if (v == NULL || bn_strtou64(v, UINT64_MAX, tsp) == -1) {
		snprintf(why, whylen, "bad bnbench_ts %s", v ? v : "(none)");
		return why;
	}
	if (o->size_set && f->body_len != o->size) {
		snprintf(why, whylen, "body is %zu bytes, not %" PRIu64,
		    f->body_len, o->size);
		return why;
	}
	off = bench_verify(*seqp, (const unsigned char *)f->body,
	    f->body_len);
	if (off != f->body_len) {
		snprintf(why, whylen, "body differs at byte %zu of %zu", off,
		    f->body_len);
		return why;
	}
	for (i = 0; i < o->nheaders; i++) {
		v = bn_frame_get(f, o->headers[i].name);
		if (v == NULL || strcmp(v, o->headers[i].value) != 0) {
			snprintf(why, whylen, "header %s is %s%s%s",
			    o->headers[i].name, v ? "\"" : "",
			    v ? v : "missing", v ? "\"" : "");
			return why;
		}
	}
	return NULL;
}

void
bench_cons_message_cb(struct bn_stomp *s, struct bn_frame *f, void *arg)
{
	struct bench	*b = arg;
	const char	*run, *ack, *bad, *redel;
	uint64_t	 seq = 0, ts = 0, now;
	char		 why[256];

	if (b->finished || b->cons_closing) {
		bn_frame_free(f);
		return;
	}
	ack = bn_frame_get(f, "ack");
	if (ack == NULL || bn_stomp_ack(s, ack) == -1)
		log_warnx("consumer: cannot ACK a message (ack %s)",
		    ack ? ack : "missing");
	now = bench_rt();
	b->last_activity_mono = bench_mono();
	run = bn_frame_get(f, "bnbench_run");
	if (run == NULL || !cons_run_matches(b, run)) {
		b->other_runs++;
		bn_frame_free(f);
		return;
	}
	b->received++;
	b->last_recv_rt = now;
	redel = bn_frame_get(f, "redelivered");
	if (redel != NULL && strcmp(redel, "true") == 0)
		b->redelivered++;
	bad = cons_check_message(b, f, &seq, &ts, why, sizeof(why));
	if (bad != NULL) {
		if (b->corrupt++ < BENCH_MAX_REPORTS)
			log_warnx("consumer: corrupt message %s: %s",
			    bn_frame_get(f, "message-id") ?
			    bn_frame_get(f, "message-id") : "?", bad);
		bn_frame_free(f);
		return;
	}
	bn_frame_free(f);
	if (b->min_ts == 0 || ts < b->min_ts)
		b->min_ts = ts;
	if (b->seen[seq]) {
		b->duplicates++;
		return;
	}
	b->seen[seq] = 1;
	b->distinct++;
	bench_push_lat(b->lat, &b->nlat, b->o->count, now > ts ? now - ts : 0);
	if (b->distinct == b->o->count)
		bench_check_soon(b);
}

void
bench_cons_idle_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bench	*b = arg;
	uint64_t	 idle_us = b->o->idle_ms * 1000, now = bench_mono();
	uint64_t	 since = b->last_activity_mono;
	struct timeval	 tv;

	/* In run mode the idle clock starts once the producer is done. */
	if (b->o->mode == MODE_RUN && b->last_receipt_mono > since &&
	    b->confirmed + b->send_errors >= b->o->count)
		since = b->last_receipt_mono;
	if (b->o->mode == MODE_RUN &&
	    b->confirmed + b->send_errors < b->o->count)
		since = now;
	if (now - since >= idle_us) {
		log_warnx("consumer: nothing received for %" PRIu64 " ms;"
		    " stopping", b->o->idle_ms);
		b->cons_idle = true;
		bench_check_soon(b);
		return;
	}
	bench_tv(&tv, idle_us - (now - since));
	evtimer_add(b->idle_ev, &tv);
}

bool
bench_cons_done(const struct bench *b)
{
	return b->cons == NULL || b->cons_gaveup || b->cons_idle ||
	    b->distinct >= b->o->count;
}
