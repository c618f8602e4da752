/*
 * bnbench: load generator for brokernet's STOMP client (bridge/stomp.c) and
 * the brokers behind it.
 *
 *   bnbench produce --broker URI --queue Q --count N [...]
 *   bnbench consume --broker URI --queue Q --count N [...]
 *   bnbench run --producer-broker URI --consumer-broker URI --queue Q ...
 *
 * Every message carries bnbench_seq (0..N-1), bnbench_run (the run id),
 * bnbench_ts (send time, CLOCK_REALTIME in microseconds) and the user's
 * --header pairs; its body is a pattern derived from the seq alone, so a
 * consumer in another process verifies every byte. Each producer connection
 * (--producers, default 1) keeps a window of receipted SENDs (BN_STOMP_RETRY:
 * re-sent after a failover) and takes the next seq when it has room; the
 * consumer acks each message (client-individual) and counts distinct seqs,
 * duplicates, corrupt messages and messages of other runs. The summary goes
 * to stdout as key=value lines; progress and logs go to stderr.
 *
 * Body pattern (also implemented by tests/integration/test_stomp_client.py):
 *   x = (seq * 2654435761 + 0x5bd1e995) mod 2^32
 *   for each byte: x = (x * 1664525 + 1013904223) mod 2^32; byte = x >> 24
 */
#include <sys/resource.h>
#include <sys/time.h>

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "brokernet/config.h"
#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/stomp.h"
#include "brokernet/uri.h"
#include "brokernet/util.h"

#include "benchbody.h"

#define BENCH_MAX_COUNT		100000000ULL
#define BENCH_MAX_SIZE		(64ULL * 1024 * 1024)
#define BENCH_MAX_WINDOW	1000000ULL
#define BENCH_MAX_PRODUCERS	64ULL
#define BENCH_MAX_PREFETCH	1000000ULL
#define BENCH_MAX_MS		(24ULL * 3600 * 1000)
#define BENCH_DISC_TIMEOUT_MS	5000
#define BENCH_MAX_REPORTS	10	/* corrupt messages logged in detail */
#define BENCH_SUB_ID		"bnbench-1"

enum bench_mode {
	MODE_PRODUCE = 0x1,
	MODE_CONSUME = 0x2,
	MODE_RUN = 0x4
};
#define MODE_ANY	(MODE_PRODUCE | MODE_CONSUME | MODE_RUN)
#define MODE_SENDS	(MODE_PRODUCE | MODE_RUN)
#define MODE_RECVS	(MODE_CONSUME | MODE_RUN)

/* Command-line options: plain data. */
struct bench_opts {
	enum bench_mode	 mode;
	const char	*mode_name;
	const char	*producer_uri;
	const char	*consumer_uri;
	struct bn_failover pfo;
	struct bn_failover cfo;
	char		*dest;
	uint64_t	 count;
	uint64_t	 size;
	bool		 size_set;
	bool		 persistent;
	uint64_t	 window;	/* per producer connection */
	uint64_t	 producers;
	uint64_t	 prefetch;
	double		 rate;		/* msg/s; 0 = unlimited */
	uint64_t	 idle_ms;	/* 0 = off */
	uint64_t	 warmup_ms;
	uint64_t	 timeout_s;
	uint64_t	 hb_ms;
	bool		 strict;
	bool		 json;		/* --body json */
	struct bn_header *headers;
	size_t		 nheaders;
	const char	*id_prefix;
	const char	*expect_prefix;
	const char	*login;
	const char	*passcode;
	int		 verbosity;
};

struct bench;

/* One producer connection. */
struct bench_prod {
	struct bench		*b;
	struct bn_stomp		*s;
	bool			 gaveup;
	bool			 closing;
	bool			 closed;
};

/* One per seq: the receipt callback's context. */
struct bench_slot {
	struct bench	*b;
	uint64_t	 sent_us;	/* monotonic, first send */
};

/* Runtime state of one bnbench process. */
struct bench {
	const struct bench_opts	*o;
	struct event_base	*base;
	char			*run_id;	/* NULL: consume, not locked yet */
	uint64_t		 start_mono;

	/* producers */
	struct bench_prod	*prods;
	size_t			 nprods;	/* 0: consume mode */
	size_t			 next_prod;	/* round robin */
	struct bn_frame		*frame;
	unsigned char		*body;
	struct bench_slot	*slots;
	uint64_t		 next_seq;	/* = sent */
	uint64_t		 confirmed;
	uint64_t		 send_errors;
	uint64_t		 resent;	/* unconfirmed at a lost session */
	uint64_t		 replayed;	/* sent by stomp.c on reconnect */
	uint64_t		 first_send_rt;
	uint64_t		 first_send_mono;
	uint64_t		 last_receipt_mono;
	uint32_t		*rlat;		/* receipt latency, us */
	size_t			 nrlat;
	struct event		*pump_ev;	/* deferred pump / rate timer */
	bool			 prod_started;

	/* consumer */
	struct bn_stomp		*cons;
	unsigned char		*seen;
	uint64_t		 received;
	uint64_t		 distinct;
	uint64_t		 duplicates;
	uint64_t		 corrupt;
	uint64_t		 other_runs;
	uint64_t		 redelivered;
	uint64_t		 broker_errors;
	uint64_t		 subscribes;
	uint64_t		 first_sub_rt;
	uint64_t		 min_ts;
	uint64_t		 last_recv_rt;
	uint64_t		 last_activity_mono;
	uint32_t		*lat;		/* end-to-end latency, us */
	size_t			 nlat;
	struct event		*warmup_ev;
	struct event		*idle_ev;
	bool			 cons_gaveup;
	bool			 cons_idle;
	bool			 cons_closing;
	bool			 cons_closed;

	struct event		*check_ev;	/* deferred: act on new state */
	struct event		*progress_ev;
	struct event		*timeout_ev;
	struct event		*sigint_ev;
	struct event		*sigterm_ev;
	uint64_t		 last_progress;	/* counter at the last tick */
	bool			 timed_out;
	bool			 interrupted;
	bool			 finished;	/* ignore late callbacks */
};

static void	bench_check_soon(struct bench *);
static void	bench_pump(struct bench *);

static uint64_t
bench_clock_us(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
bench_rt(void)
{
	return bench_clock_us(CLOCK_REALTIME);
}

static uint64_t
bench_mono(void)
{
	return bench_clock_us(CLOCK_MONOTONIC);
}

static void
bench_tv(struct timeval *tv, uint64_t us)
{
	tv->tv_sec = (time_t)(us / 1000000);
	tv->tv_usec = (suseconds_t)(us % 1000000);
}

/* --body json (benchbody.h) instead of the byte pattern. */
static bool	bench_json;

/* The body pattern: a 32-bit LCG seeded from the seq (see the top). */
static uint32_t
bench_seed(uint64_t seq)
{
	return (uint32_t)(seq * 2654435761ULL + 0x5bd1e995ULL);
}

static void
bench_fill(uint64_t seq, unsigned char *p, size_t n)
{
	uint32_t	x = bench_seed(seq);
	size_t		i;

	if (bench_json) {
		bench_json_fill(seq, p, n);
		return;
	}
	for (i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		p[i] = (unsigned char)(x >> 24);
	}
}

/* Returns the offset of the first wrong byte, or n when all match. */
static size_t
bench_verify(uint64_t seq, const unsigned char *p, size_t n)
{
	uint32_t	x = bench_seed(seq);
	size_t		i;

	if (bench_json) {
		unsigned char	*want = xmalloc(n ? n : 1);

		bench_json_fill(seq, want, n);
		for (i = 0; i < n && p[i] == want[i]; i++)
			;
		free(want);
		return i;
	}
	for (i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		if (p[i] != (unsigned char)(x >> 24))
			return i;
	}
	return n;
}

static int
bench_cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array, in ms. */
static double
bench_pct_ms(const uint32_t *v, size_t n, double pct)
{
	size_t	rank;

	if (n == 0)
		return 0.0;
	rank = (size_t)((pct / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)v[rank - 1] / 1000.0;
}

static void
bench_push_lat(uint32_t *v, size_t *n, size_t cap, uint64_t us)
{
	if (*n >= cap)
		return;
	v[(*n)++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* ------------------------------------------------------------ producer */

static void
bench_prod_closed(struct bn_stomp *s, void *arg)
{
	struct bench_prod	*p = arg;

	p->closed = true;
	bench_check_soon(p->b);
}

static void
bench_receipt_cb(struct bn_stomp *s, void *ctx, bool ok,
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
bench_send_one(struct bench *b, struct bench_prod *p)
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
	if (bn_stomp_send(p->s, b->frame, BN_STOMP_RETRY, bench_receipt_cb,
	    slot) == -1)
		return -1;
	b->next_seq++;
	return 0;
}

static void
bench_pump_cb(evutil_socket_t fd, short ev, void *arg)
{
	bench_pump(arg);
}

/* The next producer (round robin) with room in its window, or NULL. */
static struct bench_prod *
bench_pick(struct bench *b)
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
bench_prods_gaveup(const struct bench *b)
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
bench_pump(struct bench *b)
{
	const struct bench_opts	*o = b->o;
	struct bench_prod	*p;
	struct timeval		 tv;
	uint64_t		 due, now;

	if (b->finished || !b->prod_started)
		return;
	while (b->next_seq < o->count) {
		if ((p = bench_pick(b)) == NULL)
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
		if (bench_send_one(b, p) == -1) {
			log_warnx("producer %zu: %s refused seq %" PRIu64
			    " (connection given up)", (size_t)(p - b->prods),
			    o->producer_uri, b->next_seq);
			p->gaveup = true;
			bench_check_soon(b);
			if (!bench_prods_gaveup(b))
				continue;
			b->send_errors += o->count - b->next_seq;
			b->next_seq = o->count;
			return;
		}
	}
}

static void
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

static void
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

static void
bench_writable(struct bn_stomp *s, void *arg)
{
	struct bench_prod	*p = arg;

	bench_pump(p->b);
}

static void
bench_error_cb(struct bn_stomp *s, const struct bn_frame *f, void *arg)
{
	struct bench	*b = arg;

	b->broker_errors++;
}

static void
bench_prod_error_cb(struct bn_stomp *s, const struct bn_frame *f, void *arg)
{
	struct bench_prod	*p = arg;

	bench_error_cb(s, f, p->b);
}

static void
bench_prod_giveup(struct bn_stomp *s, void *arg)
{
	struct bench_prod	*p = arg;

	p->gaveup = true;
	bench_check_soon(p->b);
}

static void
bench_prod_start(struct bench *b)
{
	size_t	i;

	if (b->prod_started)
		return;
	b->prod_started = true;
	for (i = 0; i < b->nprods; i++)
		bn_stomp_start(b->prods[i].s);
}

static size_t
bench_prod_inflight(const struct bench *b)
{
	size_t	i, n = 0;

	for (i = 0; i < b->nprods; i++)
		n += bn_stomp_inflight(b->prods[i].s);
	return n;
}

/* ------------------------------------------------------------ consumer */

static void
bench_cons_closed(struct bn_stomp *s, void *arg)
{
	struct bench	*b = arg;

	b->cons_closed = true;
	bench_check_soon(b);
}

static void
bench_warmup_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bench	*b = arg;

	log_info("consumer subscribed; warm-up over, producer starts");
	bench_prod_start(b);
}

static void
bench_sub_receipt_cb(struct bn_stomp *s, void *ctx, bool ok,
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

static void
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
	if (bn_stomp_send(s, f, 0, bench_sub_receipt_cb, b) == -1)
		log_warnx("consumer: cannot SUBSCRIBE to %s", b->o->dest);
	bn_frame_free(f);
}

static void
bench_cons_disconnected(struct bn_stomp *s, const char *reason, void *arg)
{
	struct bench	*b = arg;

	if (b->finished || b->cons_closing)
		return;
	log_warnx("consumer: lost %s (%s); will resubscribe",
	    bn_stomp_current_uri(s), reason);
}

static void
bench_cons_giveup(struct bn_stomp *s, void *arg)
{
	struct bench	*b = arg;

	b->cons_gaveup = true;
	bench_check_soon(b);
}

static bool
bench_run_matches(struct bench *b, const char *run)
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
bench_check_message(struct bench *b, const struct bn_frame *f, uint64_t *seqp,
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

static void
bench_message_cb(struct bn_stomp *s, struct bn_frame *f, void *arg)
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
	if (run == NULL || !bench_run_matches(b, run)) {
		b->other_runs++;
		bn_frame_free(f);
		return;
	}
	b->received++;
	b->last_recv_rt = now;
	redel = bn_frame_get(f, "redelivered");
	if (redel != NULL && strcmp(redel, "true") == 0)
		b->redelivered++;
	bad = bench_check_message(b, f, &seq, &ts, why, sizeof(why));
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

static void
bench_idle_cb(evutil_socket_t fd, short ev, void *arg)
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

/* ------------------------------------------------------------ control */

static bool
bench_prod_done(const struct bench *b)
{
	/* run: a consumer that failed before the warm-up ends the run */
	return b->nprods == 0 || bench_prods_gaveup(b) ||
	    b->confirmed + b->send_errors >= b->o->count ||
	    (!b->prod_started && b->cons_closing);
}

static bool
bench_cons_done(const struct bench *b)
{
	return b->cons == NULL || b->cons_gaveup || b->cons_idle ||
	    b->distinct >= b->o->count;
}

/* Closes each side once it is done; leaves the loop when both are closed. */
static void
bench_check_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bench	*b = arg;
	bool		 prods_closed = true;
	size_t		 i;

	if (b->finished)
		return;
	if (b->nprods > 0 && bench_prod_done(b))
		for (i = 0; i < b->nprods; i++) {
			if (b->prods[i].closing)
				continue;
			b->prods[i].closing = true;
			event_del(b->pump_ev);
			log_debug("producer %zu: done, disconnecting", i);
			bn_stomp_disconnect(b->prods[i].s,
			    BENCH_DISC_TIMEOUT_MS, bench_prod_closed,
			    &b->prods[i]);
		}
	for (i = 0; i < b->nprods; i++)
		if (!b->prods[i].closed)
			prods_closed = false;
	if (b->cons != NULL && !b->cons_closing && bench_cons_done(b)) {
		b->cons_closing = true;
		log_debug("consumer: done, disconnecting");
		bn_stomp_disconnect(b->cons, BENCH_DISC_TIMEOUT_MS,
		    bench_cons_closed, b);
	}
	if (prods_closed && (b->cons == NULL || b->cons_closed)) {
		b->finished = true;
		event_base_loopexit(b->base, NULL);
	}
}

static void
bench_check_soon(struct bench *b)
{
	if (!b->finished)
		event_active(b->check_ev, EV_TIMEOUT, 0);
}

static void
bench_progress_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bench	*b = arg;
	uint64_t	 cur;
	double		 t;

	t = (double)(bench_mono() - b->start_mono) / 1e6;
	cur = b->cons != NULL ? b->received : b->confirmed;
	if (b->o->mode == MODE_PRODUCE)
		fprintf(stderr, "bnbench: %.0fs sent=%" PRIu64 " confirmed=%"
		    PRIu64 " inflight=%zu rate=%" PRIu64 "/s\n", t, b->next_seq,
		    b->confirmed, bench_prod_inflight(b),
		    cur - b->last_progress);
	else if (b->o->mode == MODE_CONSUME)
		fprintf(stderr, "bnbench: %.0fs received=%" PRIu64 " distinct=%"
		    PRIu64 " duplicates=%" PRIu64 " rate=%" PRIu64 "/s\n", t,
		    b->received, b->distinct, b->duplicates,
		    cur - b->last_progress);
	else
		fprintf(stderr, "bnbench: %.0fs sent=%" PRIu64 " confirmed=%"
		    PRIu64 " received=%" PRIu64 " distinct=%" PRIu64
		    " rate=%" PRIu64 "/s\n", t, b->next_seq, b->confirmed,
		    b->received, b->distinct, cur - b->last_progress);
	b->last_progress = cur;
}

static void
bench_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bench	*b = arg;

	log_warnx("timeout after %" PRIu64 " s", b->o->timeout_s);
	b->timed_out = true;
	b->finished = true;
	event_base_loopexit(b->base, NULL);
}

static void
bench_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct bench	*b = arg;

	log_warnx("interrupted by signal %d", (int)sig);
	b->interrupted = true;
	b->finished = true;
	event_base_loopexit(b->base, NULL);
}

/* ------------------------------------------------------------ summary */

static void
bench_print_lat(const char *prefix, uint32_t *v, size_t n)
{
	/* Histogram bucket upper bounds in ms; the last one is open. */
	static const double	 edges[] = { 0.5, 1, 2, 5, 10, 20, 50, 100,
				    200, 500 };
	size_t			 counts[sizeof(edges) / sizeof(edges[0]) + 1];
	size_t			 i, k, nb = sizeof(counts) / sizeof(counts[0]);

	qsort(v, n, sizeof(*v), bench_cmp_u32);
	printf("%s_p50_ms=%.3f\n", prefix, bench_pct_ms(v, n, 50));
	printf("%s_p90_ms=%.3f\n", prefix, bench_pct_ms(v, n, 90));
	printf("%s_p99_ms=%.3f\n", prefix, bench_pct_ms(v, n, 99));
	printf("%s_max_ms=%.3f\n", prefix, n ? (double)v[n - 1] / 1000.0 : 0.0);
	memset(counts, 0, sizeof(counts));
	for (i = 0, k = 0; i < n; i++) {
		while (k < nb - 1 && (double)v[i] / 1000.0 > edges[k])
			k++;
		counts[k]++;
	}
	/* "le0.5:N,le1:N,...,gt500:N": messages per latency bucket */
	printf("%s_hist=", prefix);
	for (k = 0; k < nb; k++) {
		if (k < nb - 1)
			printf("%sle%g:%zu", k ? "," : "", edges[k], counts[k]);
		else
			printf(",gt%g:%zu", edges[nb - 2], counts[k]);
	}
	printf("\n");
}

/* Prints the summary and returns the exit code. */
static int
bench_summary(struct bench *b)
{
	const struct bench_opts	*o = b->o;
	struct rusage		 ru;
	double			 elapsed, span, rate = 0.0, cpu;
	uint64_t		 start;
	bool			 ok = true;

	elapsed = (double)(bench_mono() - b->start_mono) / 1e6;
	printf("mode=%s\n", o->mode_name);
	printf("run_id=%s\n", b->run_id ? b->run_id : "");
	printf("count=%" PRIu64 "\n", o->count);
	if (b->nprods > 0) {
		uint64_t	connects = 0;
		size_t		i;

		for (i = 0; i < b->nprods; i++)
			connects += bn_stomp_connects(b->prods[i].s);
		printf("producers=%zu\n", b->nprods);
		printf("sent=%" PRIu64 "\n", b->next_seq);
		printf("confirmed=%" PRIu64 "\n", b->confirmed);
		printf("send_errors=%" PRIu64 "\n", b->send_errors);
		printf("resent=%" PRIu64 "\n", b->resent);
		printf("replayed=%" PRIu64 "\n", b->replayed);
		printf("producer_connects=%" PRIu64 "\n", connects);
	}
	if (b->cons != NULL) {
		printf("received=%" PRIu64 "\n", b->received);
		printf("distinct=%" PRIu64 "\n", b->distinct);
		printf("duplicates=%" PRIu64 "\n", b->duplicates);
		printf("missing=%" PRIu64 "\n", o->count - b->distinct);
		printf("corrupt=%" PRIu64 "\n", b->corrupt);
		printf("other_runs=%" PRIu64 "\n", b->other_runs);
		printf("redelivered=%" PRIu64 "\n", b->redelivered);
		printf("consumer_connects=%" PRIu64 "\n",
		    bn_stomp_connects(b->cons));
	}
	printf("broker_errors=%" PRIu64 "\n", b->broker_errors);
	printf("timed_out=%d\n", b->timed_out ? 1 : 0);
	printf("interrupted=%d\n", b->interrupted ? 1 : 0);
	printf("elapsed_s=%.3f\n", elapsed);
	if (o->mode == MODE_PRODUCE) {
		if (b->confirmed > 0 && b->last_receipt_mono > b->first_send_mono) {
			span = (double)(b->last_receipt_mono -
			    b->first_send_mono) / 1e6;
			rate = (double)b->confirmed / span;
		}
	} else if (b->received > 0) {
		/* From the first send (or our subscription, if later). */
		start = o->mode == MODE_RUN ? b->first_send_rt : b->min_ts;
		if (o->mode == MODE_CONSUME && b->first_sub_rt > start)
			start = b->first_sub_rt;
		if (b->last_recv_rt > start) {
			span = (double)(b->last_recv_rt - start) / 1e6;
			rate = (double)b->received / span;
		}
	}
	printf("msgs_per_s=%.1f\n", rate);
	if (b->cons != NULL)
		bench_print_lat("lat", b->lat, b->nlat);
	if (b->nprods > 0)
		bench_print_lat("receipt", b->rlat, b->nrlat);
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("cpu_s=%.3f\n", cpu);
	printf("max_rss_kb=%ld\n", ru.ru_maxrss);
	fflush(stdout);

	if (b->timed_out || b->interrupted)
		ok = false;
	if (b->nprods > 0 && o->mode == MODE_PRODUCE &&
	    (b->confirmed != o->count || b->send_errors > 0))
		ok = false;
	if (b->cons != NULL && (b->distinct != o->count || b->corrupt > 0 ||
	    (o->strict && b->duplicates > 0)))
		ok = false;
	return ok ? 0 : 1;
}

/* ------------------------------------------------------------ options */

enum {
	OPT_BROKER = 256, OPT_PBROKER, OPT_CBROKER, OPT_QUEUE, OPT_COUNT,
	OPT_SIZE, OPT_PERSISTENT, OPT_NONPERSISTENT, OPT_WINDOW, OPT_RATE,
	OPT_HEADER, OPT_IDPREFIX, OPT_PREFETCH, OPT_IDLE, OPT_EXPECT,
	OPT_WARMUP, OPT_TIMEOUT, OPT_STRICT, OPT_HEARTBEAT, OPT_LOGIN,
	OPT_PASSCODE, OPT_PRODUCERS, OPT_BODY
};

/* Which modes accept each option. */
static const struct {
	int	opt;
	int	modes;
} bench_opt_modes[] = {
	{ OPT_BROKER, MODE_ANY },
	{ OPT_PBROKER, MODE_RUN },
	{ OPT_CBROKER, MODE_RUN },
	{ OPT_SIZE, MODE_ANY },
	{ OPT_BODY, MODE_ANY },
	{ OPT_PERSISTENT, MODE_SENDS },
	{ OPT_NONPERSISTENT, MODE_SENDS },
	{ OPT_WINDOW, MODE_SENDS },
	{ OPT_PRODUCERS, MODE_SENDS },
	{ OPT_RATE, MODE_SENDS },
	{ OPT_IDPREFIX, MODE_SENDS },
	{ OPT_PREFETCH, MODE_RECVS },
	{ OPT_IDLE, MODE_RECVS },
	{ OPT_EXPECT, MODE_CONSUME },
	{ OPT_WARMUP, MODE_RUN },
	{ OPT_STRICT, MODE_RECVS },
	{ 0, 0 }
};

static void
bench_usage(FILE *f)
{
	fprintf(f,
"usage: bnbench produce --broker URI --queue Q --count N [--size BYTES]\n"
"           [--persistent|--non-persistent] [--window W] [--rate MSG_PER_S]\n"
"           [--producers N] [--header k=v ...] [--id-prefix P]\n"
"       bnbench consume --broker URI --queue Q --count N [--prefetch P]\n"
"           [--idle-timeout MS] [--expect-prefix P] [--size BYTES]\n"
"           [--header k=v ...] [--strict]\n"
"       bnbench run --producer-broker URI --consumer-broker URI --queue Q\n"
"           --count N [--size BYTES] [--persistent|--non-persistent]\n"
"           [--window W] [--producers N] [--prefetch P] [--rate R]\n"
"           [--warmup-ms MS]\n"
"           [--header k=v ...] [--idle-timeout MS] [--strict]\n"
"common: [--timeout-s S (120)] [--heartbeat-ms MS (10000)] [--login L]\n"
"        [--body json|random (random: an incompressible byte pattern)]\n"
"        [--passcode P] [-v|-q]\n"
"URI: stomp://host:port or failover:(stomp://h:p,...)?options.\n"
"Defaults: --size 1024 --persistent --window 1000 --producers 1\n"
"--prefetch 1000 --warmup-ms 1000. --producers N opens N producer\n"
"connections, each with its own --window. --rate (all producers\n"
"together) keeps a fixed schedule (catches up after a\n"
"stall). run: --broker URI sets both brokers. consume:\n"
"--header k=v are headers every message must carry; without\n"
"--expect-prefix the first run id seen is counted, others are other_runs.\n"
"Summary: key=value lines on stdout. Exit 0 when distinct == count and\n"
"corrupt == 0 (and no duplicates with --strict; produce: all confirmed),\n"
"1 otherwise or on timeout, 2 on usage errors.\n");
}

static void __attribute__((noreturn))
bench_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "bnbench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(bnbench --help for usage)\n");
	exit(2);
}

static uint64_t
bench_num(const char *name, const char *val, uint64_t min, uint64_t max)
{
	uint64_t	v;

	if (bn_strtou64(val, max, &v) == -1 || v < min) {
		fprintf(stderr, "bnbench: --%s: bad number %s (%" PRIu64
		    "..%" PRIu64 ")\n", name, val, min, max);
		exit(2);
	}
	return v;
}

static void
bench_add_header(struct bench_opts *o, const char *arg)
{
	static const char *const reserved[] = { "destination", "receipt",
	    "content-length", "persistent", "transaction", "ack",
	    "subscription", "message-id", NULL };
	const char	*eq = strchr(arg, '=');
	char		*name;
	size_t		 i;

	if (eq == NULL || eq == arg)
		bench_usage_error("--header %s: expected NAME=VALUE", arg);
	name = xstrndup(arg, (size_t)(eq - arg));
	for (i = 0; reserved[i] != NULL; i++)
		if (strcmp(name, reserved[i]) == 0)
			bench_usage_error("--header: %s is set by bnbench",
			    name);
	if (strncmp(name, "bnbench_", 8) == 0)
		bench_usage_error("--header: %s is set by bnbench", name);
	o->headers = xrealloc(o->headers, (o->nheaders + 1) *
	    sizeof(*o->headers));
	o->headers[o->nheaders].name = name;
	o->headers[o->nheaders].value = xstrdup(eq + 1);
	o->nheaders++;
}

static void
bench_parse_uri(const char *opt, const char *uri, struct bn_failover *fo)
{
	char	err[256];

	if (bn_failover_parse(uri, fo, err, sizeof(err)) == -1) {
		fprintf(stderr, "bnbench: --%s %s: %s\n", opt, uri, err);
		exit(2);
	}
}

static const char *
bench_opt_name(const struct option *opts, int val)
{
	for (; opts->name != NULL; opts++)
		if (opts->val == val)
			return opts->name;
	return "?";
}

static void
bench_parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{ "broker", required_argument, NULL, OPT_BROKER },
		{ "producer-broker", required_argument, NULL, OPT_PBROKER },
		{ "consumer-broker", required_argument, NULL, OPT_CBROKER },
		{ "queue", required_argument, NULL, OPT_QUEUE },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "body", required_argument, NULL, OPT_BODY },
		{ "persistent", no_argument, NULL, OPT_PERSISTENT },
		{ "non-persistent", no_argument, NULL, OPT_NONPERSISTENT },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "producers", required_argument, NULL, OPT_PRODUCERS },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "header", required_argument, NULL, OPT_HEADER },
		{ "id-prefix", required_argument, NULL, OPT_IDPREFIX },
		{ "prefetch", required_argument, NULL, OPT_PREFETCH },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "expect-prefix", required_argument, NULL, OPT_EXPECT },
		{ "warmup-ms", required_argument, NULL, OPT_WARMUP },
		{ "timeout-s", required_argument, NULL, OPT_TIMEOUT },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "heartbeat-ms", required_argument, NULL, OPT_HEARTBEAT },
		{ "login", required_argument, NULL, OPT_LOGIN },
		{ "passcode", required_argument, NULL, OPT_PASSCODE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*broker = NULL, *queue = NULL;
	bool		 have_count = false;
	int		 ch, i;

	if (argc < 2)
		bench_usage_error("%s", "missing mode");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		bench_usage(stdout);
		exit(0);
	}
	o->mode_name = argv[1];
	if (strcmp(argv[1], "produce") == 0)
		o->mode = MODE_PRODUCE;
	else if (strcmp(argv[1], "consume") == 0)
		o->mode = MODE_CONSUME;
	else if (strcmp(argv[1], "run") == 0)
		o->mode = MODE_RUN;
	else
		bench_usage_error("unknown mode %s", argv[1]);
	o->size = 1024;
	o->persistent = true;
	o->window = 1000;
	o->producers = 1;
	o->prefetch = 1000;
	o->warmup_ms = 1000;
	o->timeout_s = 120;
	o->hb_ms = 10000;
	o->verbosity = BN_LOG_INFO;

	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, "hvq", longopts,
	    NULL)) != -1) {
		for (i = 0; bench_opt_modes[i].opt != 0; i++)
			if (bench_opt_modes[i].opt == ch &&
			    !(bench_opt_modes[i].modes & o->mode))
				bench_usage_error("option --%s does not apply "
				    "to this mode", bench_opt_name(longopts, ch));
		switch (ch) {
		case OPT_BROKER:
			broker = optarg;
			break;
		case OPT_PBROKER:
			o->producer_uri = optarg;
			break;
		case OPT_CBROKER:
			o->consumer_uri = optarg;
			break;
		case OPT_QUEUE:
			queue = optarg;
			break;
		case OPT_COUNT:
			o->count = bench_num("count", optarg, 1,
			    BENCH_MAX_COUNT);
			have_count = true;
			break;
		case OPT_SIZE:
			o->size = bench_num("size", optarg, 0, BENCH_MAX_SIZE);
			o->size_set = true;
			break;
		case OPT_BODY:
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "random") != 0)
				bench_usage_error("--body %s: expected json or"
				    " random", optarg);
			o->json = bench_json = strcmp(optarg, "json") == 0;
			break;
		case OPT_PERSISTENT:
			o->persistent = true;
			break;
		case OPT_NONPERSISTENT:
			o->persistent = false;
			break;
		case OPT_WINDOW:
			o->window = bench_num("window", optarg, 1,
			    BENCH_MAX_WINDOW);
			break;
		case OPT_PRODUCERS:
			o->producers = bench_num("producers", optarg, 1,
			    BENCH_MAX_PRODUCERS);
			break;
		case OPT_RATE:
			if (bn_strtod(optarg, 0.0, 1e9, &o->rate) == -1)
				bench_usage_error("--rate: bad number %s",
				    optarg);
			break;
		case OPT_HEADER:
			bench_add_header(o, optarg);
			break;
		case OPT_IDPREFIX:
			o->id_prefix = optarg;
			break;
		case OPT_PREFETCH:
			o->prefetch = bench_num("prefetch", optarg, 1,
			    BENCH_MAX_PREFETCH);
			break;
		case OPT_IDLE:
			o->idle_ms = bench_num("idle-timeout", optarg, 0,
			    BENCH_MAX_MS);
			break;
		case OPT_EXPECT:
			o->expect_prefix = optarg;
			break;
		case OPT_WARMUP:
			o->warmup_ms = bench_num("warmup-ms", optarg, 0,
			    BENCH_MAX_MS);
			break;
		case OPT_TIMEOUT:
			o->timeout_s = bench_num("timeout-s", optarg, 1,
			    BENCH_MAX_MS / 1000);
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_HEARTBEAT:
			o->hb_ms = bench_num("heartbeat-ms", optarg, 0,
			    BENCH_MAX_MS);
			break;
		case OPT_LOGIN:
			o->login = optarg;
			break;
		case OPT_PASSCODE:
			o->passcode = optarg;
			break;
		case 'v':
			if (o->verbosity < BN_LOG_TRACE)
				o->verbosity++;
			break;
		case 'q':
			o->verbosity = BN_LOG_QUIET;
			break;
		case 'h':
			bench_usage(stdout);
			exit(0);
		default:
			bench_usage_error("bad option or missing argument: %s",
			    argv[optind]);	/* argv + 1 is getopt's argv */
		}
	}
	if (optind < argc - 1)
		bench_usage_error("unexpected argument %s", argv[optind + 1]);
	if (o->mode == MODE_RUN) {
		if (o->producer_uri == NULL)
			o->producer_uri = broker;
		if (o->consumer_uri == NULL)
			o->consumer_uri = broker;
		if (o->producer_uri == NULL || o->consumer_uri == NULL)
			bench_usage_error("%s", "run needs --producer-broker and"
			    " --consumer-broker (or --broker)");
	} else if (broker == NULL)
		bench_usage_error("%s", "missing --broker");
	else if (o->mode == MODE_PRODUCE)
		o->producer_uri = broker;
	else
		o->consumer_uri = broker;
	if (queue == NULL || queue[0] == '\0')
		bench_usage_error("%s", "missing --queue");
	if (!have_count)
		bench_usage_error("%s", "missing --count");
	if (o->producer_uri != NULL)
		bench_parse_uri("producer-broker", o->producer_uri, &o->pfo);
	if (o->consumer_uri != NULL)
		bench_parse_uri("consumer-broker", o->consumer_uri, &o->cfo);
	if (queue[0] == '/')
		o->dest = xstrdup(queue);
	else
		xasprintf(&o->dest, "/queue/%s", queue);
	if (o->mode == MODE_RUN)
		o->size_set = true;
}

/* ------------------------------------------------------------ main */

static struct bn_stomp *
bench_client(struct bench *b, const char *name, const struct bn_failover *fo,
    const struct bn_stomp_cbs *cbs, size_t window, void *arg)
{
	struct bn_stomp_opts	 so;

	memset(&so, 0, sizeof(so));
	so.name = name;
	so.failover = fo;
	so.login = b->o->login;
	so.passcode = b->o->passcode;
	so.heartbeat_ms = b->o->hb_ms;
	so.receipt_window = window;
	return bn_stomp_new(b->base, &so, cbs, arg);
}

static void
bench_free(struct bench *b)
{
	size_t	i;

	for (i = 0; i < b->nprods; i++)
		bn_stomp_free(b->prods[i].s);
	free(b->prods);
	bn_stomp_free(b->cons);
	bn_frame_free(b->frame);
	if (b->pump_ev != NULL)
		event_free(b->pump_ev);
	if (b->warmup_ev != NULL)
		event_free(b->warmup_ev);
	if (b->idle_ev != NULL)
		event_free(b->idle_ev);
	if (b->check_ev != NULL)
		event_free(b->check_ev);
	if (b->progress_ev != NULL)
		event_free(b->progress_ev);
	if (b->timeout_ev != NULL)
		event_free(b->timeout_ev);
	if (b->sigint_ev != NULL)
		event_free(b->sigint_ev);
	if (b->sigterm_ev != NULL)
		event_free(b->sigterm_ev);
	free(b->body);
	free(b->slots);
	free(b->rlat);
	free(b->seen);
	free(b->lat);
	free(b->run_id);
	if (b->base != NULL)
		event_base_free(b->base);
}

static void
bench_free_opts(struct bench_opts *o)
{
	size_t	i;

	for (i = 0; i < o->nheaders; i++) {
		free(o->headers[i].name);
		free(o->headers[i].value);
	}
	free(o->headers);
	free(o->dest);
	bn_failover_free(&o->pfo);
	bn_failover_free(&o->cfo);
}

int
main(int argc, char **argv)
{
	struct bench_opts	 o;
	struct bench		 b;
	struct bn_stomp_cbs	 pcbs, ccbs;
	struct timeval		 tv;
	size_t			 i;
	int			 rc;

	memset(&o, 0, sizeof(o));
	bn_failover_defaults(&o.pfo);
	bn_failover_defaults(&o.cfo);
	bench_parse_args(argc, argv, &o);
	bn_log_init(o.verbosity, 0, "bnbench");
	signal(SIGPIPE, SIG_IGN);

	memset(&b, 0, sizeof(b));
	b.o = &o;
	b.start_mono = bench_mono();
	if ((b.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	b.check_ev = event_new(b.base, -1, 0, bench_check_cb, &b);
	b.pump_ev = evtimer_new(b.base, bench_pump_cb, &b);
	b.warmup_ev = evtimer_new(b.base, bench_warmup_cb, &b);
	b.idle_ev = evtimer_new(b.base, bench_idle_cb, &b);
	b.progress_ev = event_new(b.base, -1, EV_PERSIST, bench_progress_cb,
	    &b);
	b.timeout_ev = evtimer_new(b.base, bench_timeout_cb, &b);
	b.sigint_ev = evsignal_new(b.base, SIGINT, bench_signal_cb, &b);
	b.sigterm_ev = evsignal_new(b.base, SIGTERM, bench_signal_cb, &b);

	if (o.mode & MODE_SENDS) {
		xasprintf(&b.run_id, "%s%s%08x%08x", o.id_prefix ?
		    o.id_prefix : "", o.id_prefix ? "-" : "", arc4random(),
		    arc4random());
		b.frame = bn_frame_new("SEND");
		bn_frame_add_header(b.frame, "destination", o.dest);
		bn_frame_add_header(b.frame, "persistent",
		    o.persistent ? "true" : "false");
		bn_frame_add_header(b.frame, "bnbench_run", b.run_id);
		bn_frame_add_header(b.frame, "bnbench_seq", "0");
		bn_frame_add_header(b.frame, "bnbench_ts", "0");
		for (i = 0; i < o.nheaders; i++)
			bn_frame_add_header(b.frame, o.headers[i].name,
			    o.headers[i].value);
		b.body = xmalloc(o.size > 0 ? (size_t)o.size : 1);
		b.slots = xcalloc((size_t)o.count, sizeof(*b.slots));
		b.rlat = xcalloc((size_t)o.count, sizeof(*b.rlat));
		memset(&pcbs, 0, sizeof(pcbs));
		pcbs.connected = bench_prod_connected;
		pcbs.disconnected = bench_prod_disconnected;
		pcbs.writable = bench_writable;
		pcbs.giveup = bench_prod_giveup;
		pcbs.error = bench_prod_error_cb;
		b.nprods = (size_t)o.producers;
		b.prods = xcalloc(b.nprods, sizeof(*b.prods));
		for (i = 0; i < b.nprods; i++) {
			b.prods[i].b = &b;
			b.prods[i].s = bench_client(&b, "producer", &o.pfo,
			    &pcbs, (size_t)o.window, &b.prods[i]);
		}
	}
	if (o.mode & MODE_RECVS) {
		b.seen = xcalloc((size_t)o.count, 1);
		b.lat = xcalloc((size_t)o.count, sizeof(*b.lat));
		memset(&ccbs, 0, sizeof(ccbs));
		ccbs.connected = bench_cons_connected;
		ccbs.disconnected = bench_cons_disconnected;
		ccbs.message = bench_message_cb;
		ccbs.giveup = bench_cons_giveup;
		ccbs.error = bench_error_cb;
		b.cons = bench_client(&b, "consumer", &o.cfo, &ccbs, 0, &b);
	}
	log_info("%s: %s, %" PRIu64 " x %" PRIu64 " bytes %s, run %s",
	    o.mode_name, o.dest, o.count, o.size,
	    o.persistent ? "persistent" : "non-persistent",
	    b.run_id ? b.run_id : (o.expect_prefix ? o.expect_prefix :
	    "(first seen)"));

	bench_tv(&tv, 1000000);
	event_add(b.progress_ev, &tv);
	bench_tv(&tv, o.timeout_s * 1000000);
	event_add(b.timeout_ev, &tv);
	event_add(b.sigint_ev, NULL);
	event_add(b.sigterm_ev, NULL);
	if (b.cons != NULL)
		bn_stomp_start(b.cons);
	if (o.mode == MODE_PRODUCE)
		bench_prod_start(&b);

	event_base_dispatch(b.base);

	b.finished = true;
	rc = bench_summary(&b);
	bench_free(&b);
	bench_free_opts(&o);
	return rc;
}
