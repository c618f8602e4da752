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
 *
 * This file owns main(), the clocks, the body pattern, the latency arrays,
 * the control loop (each side closed once done) and the summary; the
 * command line is in bnbench_opts.c, the producer connections in
 * bnbench_prod.c, the consumer in bnbench_cons.c, what they share in
 * bnbench.h.
 */
#include <sys/resource.h>
#include <sys/time.h>

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
#include "brokernet/util.h"

#include "benchbody.h"
#include "bnbench.h"

#define BENCH_DISC_TIMEOUT_MS	5000

static uint64_t
bench_clock_us(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
bench_rt(void)
{
	return bench_clock_us(CLOCK_REALTIME);
}

uint64_t
bench_mono(void)
{
	return bench_clock_us(CLOCK_MONOTONIC);
}

void
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

void
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
size_t
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

void
bench_push_lat(uint32_t *v, size_t *n, size_t cap, uint64_t us)
{
	if (*n >= cap)
		return;
	v[(*n)++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

void
bench_error_cb(struct bn_stomp *s, const struct bn_frame *f, void *arg)
{
	struct bench	*b = arg;

	b->broker_errors++;
}

/* ------------------------------------------------------------ control */

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

void
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
	bench_opts_parse(argc, argv, &o);
	bench_json = o.json;
	bn_log_init(o.verbosity, 0, "bnbench");
	signal(SIGPIPE, SIG_IGN);

	memset(&b, 0, sizeof(b));
	b.o = &o;
	b.start_mono = bench_mono();
	if ((b.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	b.check_ev = event_new(b.base, -1, 0, bench_check_cb, &b);
	b.pump_ev = evtimer_new(b.base, bench_prod_pump_cb, &b);
	b.warmup_ev = evtimer_new(b.base, bench_cons_warmup_cb, &b);
	b.idle_ev = evtimer_new(b.base, bench_cons_idle_cb, &b);
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
		pcbs.writable = bench_prod_writable;
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
		ccbs.message = bench_cons_message_cb;
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
	bench_opts_free(&o);
	return rc;
}
