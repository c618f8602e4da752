/*
 * The broker session (stomp.h) with ActiveMQ failover: semantics. One
 * struct bn_stomp is one logical session to "the broker", which may be any
 * of a list of URIs, spoken in STOMP 1.2 (stomp://, stomp+ssl://) or, via
 * stompow.c, OpenWire (tcp://, ssl://). Receipt-tracked frames live on a
 * FIFO (ActiveMQ answers in order per connection); RETRY frames keep their
 * wire bytes to be sent again on the next session, like the failover
 * transport's trackMessages. This file: connecting, failing over and
 * backing off, reading and dispatching, heart-beats, DISCONNECT, the public
 * calls; what awaits a receipt is stompsend.c's, hand-built frames
 * stompwire.c's, the URI order failover.c's.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "brokernet/backoff.h"
#include "brokernet/config.h"
#include "brokernet/evframe.h"
#include "brokernet/log.h"
#include "brokernet/stomp.h"
#include "brokernet/stompsend.h"
#include "brokernet/stompsess.h"
#include "brokernet/stompwire.h"
#include "brokernet/tls.h"
#include "brokernet/util.h"

static void	stomp_try_next(struct bn_stomp *);
static void	stomp_lost(struct bn_stomp *, const char *);

static double
stomp_rand01(void)
{
	return (double)(arc4random() & 0xffffff) / (double)0x1000000;
}

/* The order of URIs for one failover cycle (failover.c), from its start. */
static void
stomp_plan_cycle(struct bn_stomp *s)
{
	s->norder = bn_failover_plan(&s->fo, s->order);
	s->cur = 0;
	s->cycle_refused = true;
}

struct bn_stomp *
bn_stomp_new(struct event_base *base, const struct bn_stomp_opts *o,
    const struct bn_stomp_cbs *cbs, void *arg)
{
	struct bn_stomp	*s;

	s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->name = xstrdup(o->name ? o->name : "broker");
	bn_failover_copy(&s->fo, o->failover);
	s->login = xstrdup(o->login);
	s->passcode = xstrdup(o->passcode);
	s->vhost = xstrdup(o->vhost ? o->vhost : "/");
	s->client_id = xstrdup(o->client_id);
	s->self = xstrdup(o->self);
	s->hb_ms = o->heartbeat_ms;
	s->window = o->receipt_window ? o->receipt_window : 1000;
	s->connect_timeout_ms = o->connect_timeout_ms ?
	    o->connect_timeout_ms : 10000;
	s->tls = o->tls;
	s->tls_verify_host = o->tls_verify_host;
	s->flag_empty = o->flag_empty;
	if (o->limits.max_frame_size == 0)
		bn_frame_limits_default(&s->limits);
	else
		s->limits = o->limits;
	if (cbs != NULL)
		s->cbs = *cbs;
	s->arg = arg;
	s->order = xcalloc(s->fo.nuris, sizeof(*s->order));
	TAILQ_INIT(&s->pending);
	s->next_rid = 1;
	s->timer = evtimer_new(base, NULL, NULL);
	bn_backoff_init(&s->backoff, s->fo.initial_delay_ms,
	    s->fo.max_delay_ms, s->fo.exponential, s->fo.exponent,
	    s->fo.jitter, s->fo.startup_max_attempts > 0 ?
	    s->fo.startup_max_attempts : s->fo.max_attempts);
	return s;
}

static void
stomp_close_bev(struct bn_stomp *s)
{
	if (s->bev != NULL) {
		bufferevent_free(s->bev);
		s->bev = NULL;
	}
	if (s->hb_timer != NULL) {
		event_free(s->hb_timer);
		s->hb_timer = NULL;
	}
	free(s->session);
	s->session = NULL;
	memset(&s->parse, 0, sizeof(s->parse));
	s->generation++;
}

void
bn_stomp_free(struct bn_stomp *s)
{
	if (s == NULL)
		return;
	stomp_close_bev(s);
	bn_stompsend_fail(s, true);
	if (s->timer != NULL)
		event_free(s->timer);
	if (s->fo_timer != NULL)
		event_free(s->fo_timer);
	bn_failover_free(&s->fo);
	free(s->order);
	free(s->name);
	free(s->login);
	free(s->passcode);
	free(s->vhost);
	free(s->client_id);
	free(s->self);
	bn_stompow_free(s);
	free(s->cur_uri);
	bn_buf_free(&s->scratch);
	bn_buf_free(&s->scratch2);
	free(s);
}

bool
bn_stomp_connected(const struct bn_stomp *s)
{
	return s->state == ST_UP;
}

const char *
bn_stomp_session(const struct bn_stomp *s)
{
	return s->state == ST_UP ? s->session : NULL;
}

const char *
bn_stomp_current_uri(const struct bn_stomp *s)
{
	return s->cur_uri;
}

uint64_t
bn_stomp_connects(const struct bn_stomp *s)
{
	return s->connects;
}

size_t
bn_stomp_inflight(const struct bn_stomp *s)
{
	return s->npending + s->nqueued;
}

void
bn_stomp_pause_read(struct bn_stomp *s, bool pause)
{
	if (s->read_paused == pause || s->bev == NULL || s->state != ST_UP)
		return;
	s->read_paused = pause;
	/* libevent runs the read (heart-beat) timeout only while reading */
	if (pause)
		bufferevent_disable(s->bev, EV_READ);
	else
		bufferevent_enable(s->bev, EV_READ);
}

bool
bn_stomp_can_send(struct bn_stomp *s)
{
	bool	ok;

	ok = s->npending + s->nqueued < s->window;
	if (ok && s->bev != NULL && evbuffer_get_length(
	    bufferevent_get_output(s->bev)) > BN_STOMP_OUT_HIGH)
		ok = false;
	if (!ok)
		s->want_writable = true;
	return ok;
}

static void
stomp_hb_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_stomp	*s = arg;

	if (s->state != ST_UP || s->bev == NULL)
		return;
	/*
	 * The timer runs every half interval; beat when idle for half of it,
	 * so the gap the broker sees never exceeds the interval (ActiveMQ
	 * drops a connection silent for longer than it, with no grace).
	 */
	if (bn_now_ms() - s->last_write_ms + 50 >= s->send_hb_ms / 2)
		bn_stompsend_write(s, "\n", 1);
}

static void
stomp_schedule(struct bn_stomp *s, uint64_t ms, void (*cb)(evutil_socket_t,
    short, void *))
{
	struct timeval	tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	event_del(s->timer);
	event_assign(s->timer, s->base, -1, 0, cb, s);
	evtimer_add(s->timer, &tv);
}

static void
stomp_on_connected(struct bn_stomp *s, struct bn_frame *f)
{
	const char	*sess, *ver;
	uint64_t	 sx = 0, sy = 0, grace;
	struct timeval	 tv;

	ver = bn_frame_get(f, "version");
	if (ver != NULL && strcmp(ver, "1.2") != 0) {
		stomp_lost(s, "broker does not speak STOMP 1.2");
		return;
	}
	sess = bn_frame_get(f, "session");
	s->session = xstrdup(sess ? sess : "");
	bn_stompwire_heartbeat(bn_frame_get(f, "heart-beat"), &sx, &sy);
	event_del(s->timer);
	bn_stompwire_hb_agree(s->hb_ms, sx, sy, s->ow_on, &s->send_hb_ms,
	    &grace);
	if (grace > 0) {
		tv.tv_sec = (time_t)(grace / 1000);
		tv.tv_usec = (suseconds_t)((grace % 1000) * 1000);
		bufferevent_set_timeouts(s->bev, &tv, NULL);
	} else
		bufferevent_set_timeouts(s->bev, NULL, NULL);
	if (s->send_hb_ms) {
		s->hb_timer = event_new(s->base, -1, EV_PERSIST, stomp_hb_cb, s);
		tv.tv_sec = (time_t)(s->send_hb_ms / 2000);
		tv.tv_usec = (suseconds_t)((s->send_hb_ms / 2 % 1000) * 1000);
		event_add(s->hb_timer, &tv);
	}
	s->state = ST_UP;
	s->connects++;
	s->ever_connected = true;
	bn_backoff_init(&s->backoff, s->fo.initial_delay_ms,
	    s->fo.max_delay_ms, s->fo.exponential, s->fo.exponent,
	    s->fo.jitter, s->fo.max_attempts);
	if (s->fo_timer != NULL)
		event_del(s->fo_timer);
	log_info("%s: connected to %s (session %s, heart-beat %llu/%llu ms)",
	    s->name, s->cur_uri, s->session,
	    (unsigned long long)s->send_hb_ms, (unsigned long long)sx);
	/* Like the failover transport: tracked messages go out first. */
	bn_stompsend_replay(s);
	if (s->cbs.connected != NULL)
		s->cbs.connected(s, s->arg);
	if (s->state == ST_UP && s->doubt_cb != NULL)
		bn_stompsend_report_doubt(s);
}

void
bn_stomp_set_doubt_cb(struct bn_stomp *s, bn_stomp_doubt_cb cb)
{
	s->doubt_cb = cb;
}

void
bn_stomp_resolve(struct bn_stomp *s, void *ctx, bool stored)
{
	bn_stompsend_resolve(s, ctx, stored);
}

static void
stomp_dispatch(struct bn_stomp *s, struct bn_frame *f)
{
	struct stomp_pending	*p;
	const char		*rid;

	if (strcmp(f->command, "MESSAGE") == 0) {
		if (s->state != ST_UP) {
			bn_frame_free(f);
			return;
		}
		if (!s->ow_on)
			bn_stompwire_message_in(f, s->flag_empty);
		if (s->cbs.message != NULL)
			s->cbs.message(s, f, s->arg);
		else
			bn_frame_free(f);
		return;
	}
	if (strcmp(f->command, "RECEIPT") == 0) {
		rid = bn_frame_get(f, "receipt-id");
		if (s->state == ST_CLOSING && rid != NULL && rid[0] == 'd') {
			bn_frame_free(f);
			stomp_close_bev(s);
			s->state = ST_IDLE;
			if (s->disc_done != NULL)
				s->disc_done(s, s->disc_arg);
			return;
		}
		if ((p = bn_stompsend_find(s, rid)) != NULL)
			bn_stompsend_complete(s, p, true, NULL);
		else
			log_warnx("%s: RECEIPT for unknown receipt-id %s",
			    s->name, rid ? rid : "(none)");
		bn_frame_free(f);
		return;
	}
	if (strcmp(f->command, "CONNECTED") == 0 && s->state == ST_CONNECTING) {
		stomp_on_connected(s, f);
		bn_frame_free(f);
		return;
	}
	if (strcmp(f->command, "ERROR") == 0) {
		const char	*msg = bn_frame_get(f, "message");

		rid = bn_frame_get(f, "receipt-id");
		if (s->state == ST_CONNECTING) {
			char	*why;

			xasprintf(&why, "broker refused CONNECT: %s",
			    msg ? msg : "(no message)");
			bn_frame_free(f);
			stomp_lost(s, why);
			free(why);
			return;
		}
		if ((p = bn_stompsend_find(s, rid)) != NULL) {
			log_warnx("%s: ERROR for receipt %s: %s", s->name, rid,
			    msg ? msg : "(no message)");
			bn_stompsend_complete(s, p, false, f);
		} else {
			log_warnx("%s: ERROR from broker: %s", s->name,
			    msg ? msg : "(no message)");
			if (s->cbs.error != NULL)
				s->cbs.error(s, f, s->arg);
		}
		bn_frame_free(f);
		return;
	}
	log_warnx("%s: unexpected %s frame from broker ignored", s->name,
	    f->command);
	bn_frame_free(f);
}

/* Returns false when the session was dropped while dispatching. */
bool
bn_stomp_deliver(struct bn_frame *f, void *arg)
{
	struct bn_stomp	*s = arg;
	uint64_t	 gen = s->generation;

	stomp_dispatch(s, f);
	return s->generation == gen;
}

/*
 * ACK what the broker sent at once. ActiveMQ's STOMP transport writes
 * with Nagle on (no tcpNoDelay by default): a RECEIPT or MESSAGE written
 * while an earlier segment is unacknowledged waits for our ACK, and
 * Linux delays that ACK up to 40 ms when we have nothing to send back. At
 * low load that put 20-50 ms on a store's receipt. TCP_QUICKACK is not
 * sticky, so it is set again after every read.
 */
static void
stomp_quickack(struct bufferevent *bev)
{
	int	one = 1;

	setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_QUICKACK, &one,
	    sizeof(one));
}

static void
stomp_read_cb(struct bufferevent *bev, void *arg)
{
	struct bn_stomp	*s = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	uint64_t	 gen = s->generation;
	const char	*err = NULL;
	char		 owerr[256], *why;

	stomp_quickack(bev);
	if ((s->ow_on ? bn_stompow_read(s, in, owerr, sizeof(owerr)) :
	    bn_evframe_read(in, &s->limits, &s->parse, bn_stomp_deliver, s,
	    &err)) == -1) {
		xasprintf(&why, "bad %s from broker: %s", s->ow_on ?
		    "OpenWire" : "frame", s->ow_on ? owerr : err);
		stomp_lost(s, why);
		free(why);
		return;
	}
	if (s->generation == gen)
		bn_stompsend_maybe_writable(s);
}

static void
stomp_write_cb(struct bufferevent *bev, void *arg)
{
	bn_stompsend_maybe_writable(arg);
}

static void
stomp_send_connect(struct bn_stomp *s)
{
	struct bn_frame	*f;

	f = bn_stompwire_connect(s->vhost, s->login, s->passcode,
	    s->client_id, s->hb_ms);
	bn_stompsend_frame(s, f);
	bn_frame_free(f);
}

static void
stomp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct bn_stomp	*s = arg;
	char		 why[256], tls[200];
	int		 err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		int	one = 1;

		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof(one));
		stomp_send_connect(s);
		return;
	}
	if (s->state == ST_CONNECTING && err == ECONNREFUSED &&
	    !(what & (BEV_EVENT_TIMEOUT | BEV_EVENT_EOF)))
		s->refused = true;
	if (what & BEV_EVENT_TIMEOUT)
		snprintf(why, sizeof(why), "no heart-beat from broker");
	else if (s->tls != NULL && bn_tls_error(bev, tls, sizeof(tls)) != NULL)
		snprintf(why, sizeof(why), "TLS: %s", tls);
	else if (what & BEV_EVENT_EOF)
		snprintf(why, sizeof(why), "broker closed the connection");
	else
		snprintf(why, sizeof(why), "connection error: %s",
		    err ? evutil_socket_error_to_string(err) : "unknown");
	stomp_lost(s, why);
}

static void
stomp_connect_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	stomp_lost(arg, "connect timed out");
}

static void
stomp_retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_stomp	*s = arg;

	stomp_plan_cycle(s);
	stomp_try_next(s);
}

/* Connects to order[cur]; on failure stomp_lost moves on. */
static void
stomp_try_next(struct bn_stomp *s)
{
	const struct bn_endpoint	*ep;
	struct evutil_addrinfo		 hints, *ai = NULL;
	char				 port[8];
	int				 rc;

	ep = &s->fo.uris[s->order[s->cur]];
	free(s->cur_uri);
	s->cur_uri = bn_endpoint_str(ep);
	s->state = ST_CONNECTING;
	s->refused = false;
	bn_stompow_start(s, ep, bn_stomp_deliver);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", ep->port);
	log_debug("%s: connecting to %s", s->name, s->cur_uri);
	stomp_schedule(s, s->connect_timeout_ms, stomp_connect_timeout_cb);
	if ((rc = evutil_getaddrinfo(ep->host, port, &hints, &ai)) != 0) {
		char	why[256];

		snprintf(why, sizeof(why), "cannot resolve %s: %s", ep->host,
		    evutil_gai_strerror(rc));
		stomp_lost(s, why);
		return;
	}
	if ((s->bev = bn_tls_or_plain(s->base, ep, s->tls,
	    s->tls_verify_host)) == NULL) {
		evutil_freeaddrinfo(ai);
		stomp_lost(s, "no TLS context for an ssl:// broker URI");
		return;
	}
	bufferevent_setcb(s->bev, stomp_read_cb, stomp_write_cb,
	    stomp_event_cb, s);
	bufferevent_setwatermark(s->bev, EV_WRITE, BN_STOMP_OUT_LOW, 0);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	s->read_paused = false;		/* a new session reads */
	if (bufferevent_socket_connect(s->bev, ai->ai_addr,
	    (int)ai->ai_addrlen) == -1) {
		evutil_freeaddrinfo(ai);
		stomp_lost(s, "connect failed");
		return;
	}
	evutil_freeaddrinfo(ai);
}

/*
 * The session (or the attempt) ended: fail or keep pending frames, tell the
 * owner, and go to the next URI or wait per the back-off.
 */
static void
stomp_lost(struct bn_stomp *s, const char *reason)
{
	enum stomp_state	 was = s->state;
	int64_t			 delay;
	uint64_t		 now, wait;
	bool			 counted;

	stomp_close_bev(s);
	event_del(s->timer);
	if (was == ST_CLOSING) {
		s->state = ST_IDLE;
		bn_stompsend_fail(s, true);
		if (s->disc_done != NULL)
			s->disc_done(s, s->disc_arg);
		return;
	}
	if (was == ST_UP) {
		log_warnx("%s: lost %s: %s", s->name, s->cur_uri, reason);
		s->state = ST_WAIT;
		bn_stompsend_fail(s, false);
		if (s->nqueued > 0)
			bn_stompsend_arm_fo_timer(s);
		if (s->cbs.disconnected != NULL)
			s->cbs.disconnected(s, reason, s->arg);
		if (s->state != ST_WAIT)
			return;
		if (s->hold_ms > 0) {	/* the owner asked for a pause */
			stomp_schedule(s, s->hold_ms, stomp_retry_cb);
			s->hold_ms = 0;
			return;
		}
		/* Like ActiveMQ: try the list again at once, then back off. */
		s->down_since_ms = bn_now_ms();
		s->probing = false;
		stomp_plan_cycle(s);
		stomp_try_next(s);
		return;
	}
	log_debug("%s: %s: %s", s->name, s->cur_uri ? s->cur_uri : "?",
	    reason);
	if (was != ST_CONNECTING)
		return;
	if (!s->refused)
		s->cycle_refused = false;
	if (++s->cur < s->norder) {
		stomp_try_next(s);
		return;
	}
	s->state = ST_WAIT;
	now = bn_now_ms();
	counted = !s->probing;
	/*
	 * The back-off's attempts keep ActiveMQ's schedule and count; a cycle
	 * every URI of which refused outright is followed by uncounted probes
	 * in between (see bn_backoff_wait), so a slave that opens its port is
	 * found within BN_BACKOFF_PROBE_MS instead of up to the current
	 * back-off delay later.
	 */
	if (counted) {
		delay = bn_backoff_next(&s->backoff, stomp_rand01());
		if (delay < 0) {
			log_warnx("%s: giving up after %llu reconnect attempts"
			    " (last: %s: %s)", s->name,
			    (unsigned long long)s->backoff.attempts,
			    s->cur_uri ? s->cur_uri : "?", reason);
			s->state = ST_GIVENUP;
			bn_stompsend_fail(s, true);
			if (s->cbs.giveup != NULL)
				s->cbs.giveup(s, s->arg);
			return;
		}
		s->due_ms = now + (uint64_t)delay;
	}
	wait = bn_backoff_wait(now, s->due_ms, s->cycle_refused,
	    s->down_since_ms, s->fo.initial_delay_ms, &s->probing);
	if (counted && (s->backoff.attempts == 1 ||
	    s->backoff.attempts % 10 == 0))
		log_warnx("%s: cannot connect (%s: %s); retrying in %lld ms%s",
		    s->name, s->cur_uri ? s->cur_uri : "?", reason,
		    (long long)(s->due_ms - now), s->probing ?
		    ", probing refused URIs in between" : "");
	stomp_schedule(s, wait, stomp_retry_cb);
}

void
bn_stomp_start(struct bn_stomp *s)
{
	if (s->state != ST_IDLE)
		return;
	s->down_since_ms = bn_now_ms();
	s->probing = false;
	stomp_plan_cycle(s);
	stomp_try_next(s);
}

void
bn_stomp_hold(struct bn_stomp *s, uint64_t ms)
{
	s->hold_ms = ms;
}

void
bn_stomp_reconnect(struct bn_stomp *s, const char *reason)
{
	if (s->state == ST_UP || s->state == ST_CONNECTING)
		stomp_lost(s, reason);
}

static void
stomp_disc_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_stomp	*s = arg;

	log_debug("%s: no RECEIPT for DISCONNECT; closing", s->name);
	stomp_lost(s, "disconnect timed out");
}

void
bn_stomp_disconnect(struct bn_stomp *s, uint64_t timeout_ms,
    void (*done)(struct bn_stomp *, void *), void *arg)
{
	struct bn_frame	*f;

	s->disc_done = done;
	s->disc_arg = arg;
	if (s->state != ST_UP) {
		stomp_close_bev(s);
		event_del(s->timer);
		s->state = ST_IDLE;
		bn_stompsend_fail(s, true);
		if (done != NULL)
			done(s, arg);
		return;
	}
	f = bn_frame_new("DISCONNECT");
	bn_frame_add_header(f, "receipt", "d0");
	bn_stompsend_frame(s, f);
	bn_frame_free(f);
	s->state = ST_CLOSING;
	stomp_schedule(s, timeout_ms, stomp_disc_timeout_cb);
}

int
bn_stomp_send(struct bn_stomp *s, const struct bn_frame *f, int flags,
    bn_stomp_receipt_cb cb, void *ctx)
{
	uint64_t	rid;

	if (!bn_stompsend_may_queue(s, flags, cb))
		return -1;
	if (cb == NULL) {
		bn_stompsend_frame(s, f);
		return 0;
	}
	rid = s->next_rid++;
	bn_stompsend_with_receipt(s, f, rid);
	return bn_stompsend_track(s, rid, flags, cb, ctx);
}

int
bn_stomp_send_wire(struct bn_stomp *s, const char *wire, size_t len,
    int flags, bn_stomp_receipt_cb cb, void *ctx)
{
	uint64_t	rid;

	if (cb == NULL || len == 0 || memchr(wire, '\n', len) == NULL ||
	    !bn_stompsend_may_queue(s, flags, cb))
		return -1;
	rid = s->next_rid++;
	bn_stompwire_add_receipt(&s->scratch, wire, len, rid);
	return bn_stompsend_track(s, rid, flags, cb, ctx);
}

int
bn_stomp_send_batch(struct bn_stomp *s, const char *prefix, size_t prefixlen,
    const struct bn_frame *last, int flags, bn_stomp_receipt_cb cb,
    void *ctx)
{
	uint64_t	rid;
	struct bn_buf	tmp;

	if (cb == NULL || !bn_stompsend_may_queue(s, flags, cb))
		return -1;
	rid = s->next_rid++;
	bn_stompsend_with_receipt(s, last, rid);
	/* scratch = prefix + last-with-receipt */
	tmp = s->scratch;
	memset(&s->scratch, 0, sizeof(s->scratch));
	bn_buf_reserve(&s->scratch, prefixlen + tmp.len);
	bn_buf_add(&s->scratch, prefix, prefixlen);
	bn_buf_add(&s->scratch, tmp.data, tmp.len);
	bn_buf_free(&tmp);
	return bn_stompsend_track(s, rid, flags, cb, ctx);
}

int
bn_stomp_put(struct bn_stomp *s, const char *dest, bool persistent,
    const char *const *headers)
{
	struct bn_frame	*f;
	int		 rc;

	f = bn_frame_new("SEND");
	bn_frame_add_header(f, "destination", dest);
	bn_frame_add_header(f, "persistent", persistent ? "true" : "false");
	for (; headers[0] != NULL; headers += 2)
		bn_frame_add_header(f, headers[0], headers[1]);
	rc = bn_stomp_send(s, f, 0, NULL, NULL);
	bn_frame_free(f);
	return rc;
}

int
bn_stomp_subscribe(struct bn_stomp *s, const char *id, const char *dest,
    const char *ack, const struct bn_header *extra, size_t nextra)
{
	struct bn_frame	*f;
	size_t		 i;

	if (s->state != ST_UP)
		return -1;
	f = bn_frame_new("SUBSCRIBE");
	bn_frame_add_header(f, "id", id);
	bn_frame_add_header(f, "destination", dest);
	bn_frame_add_header(f, "ack", ack ? ack : "auto");
	for (i = 0; i < nextra; i++)
		bn_frame_add_header(f, extra[i].name, extra[i].value);
	bn_stompsend_frame(s, f);
	bn_frame_free(f);
	return 0;
}

int
bn_stomp_unsubscribe(struct bn_stomp *s, const char *id)
{
	struct bn_frame	*f;

	if (s->state != ST_UP)
		return -1;
	f = bn_frame_new("UNSUBSCRIBE");
	bn_frame_add_header(f, "id", id);
	bn_stompsend_frame(s, f);
	bn_frame_free(f);
	return 0;
}

int
bn_stomp_ack(struct bn_stomp *s, const char *ack_id)
{
	return bn_stompsend_ack(s, "ACK", ack_id, NULL);
}

int
bn_stomp_ack_tx(struct bn_stomp *s, const char *ack_id, const char *tx)
{
	return bn_stompsend_ack(s, "ACK", ack_id, tx);
}

int
bn_stomp_nack(struct bn_stomp *s, const char *ack_id)
{
	return bn_stompsend_ack(s, "NACK", ack_id, NULL);
}

int
bn_stomp_begin(struct bn_stomp *s, const char *tx)
{
	return bn_stompsend_tx(s, "BEGIN", tx);
}

int
bn_stomp_commit(struct bn_stomp *s, const char *tx)
{
	return bn_stompsend_tx(s, "COMMIT", tx);
}
