/*
 * STOMP 1.2 client connection with ActiveMQ failover: semantics.
 *
 * One struct bn_stomp is one logical session to "the broker", which may be
 * any of a list of URIs. Frames are parsed with the stateless codec in
 * frame.c; the read callback only pulls up and drains the input buffer.
 * Receipt-tracked frames live on a FIFO (ActiveMQ answers receipts in order
 * per connection); RETRY frames keep their wire bytes so they can be sent
 * again on the next session, like the failover transport's trackMessages.
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
#include "brokernet/util.h"

#define STOMP_OUT_HIGH		(8u * 1024 * 1024)
#define STOMP_OUT_LOW		(1u * 1024 * 1024)

enum stomp_state {
	ST_IDLE = 0,		/* not started */
	ST_CONNECTING,		/* TCP connect or CONNECT sent */
	ST_UP,			/* CONNECTED received */
	ST_CLOSING,		/* DISCONNECT sent */
	ST_WAIT,		/* back-off timer before the next try */
	ST_GIVENUP
};

struct stomp_pending {
	TAILQ_ENTRY(stomp_pending) entry;
	uint64_t		 rid;
	bn_stomp_receipt_cb	 cb;
	void			*ctx;
	int			 flags;
	char			*wire;		/* RETRY only */
	size_t			 wirelen;
	bool			 sent;		/* on the current session */
	bool			 doubt;		/* sent on a lost session */
};
TAILQ_HEAD(stomp_pendq, stomp_pending);

struct bn_stomp {
	struct event_base	*base;
	char			*name;
	struct bn_failover	 fo;
	char			*login;
	char			*passcode;
	char			*vhost;
	char			*client_id;
	uint64_t		 hb_ms;
	size_t			 window;
	uint64_t		 connect_timeout_ms;
	struct bn_frame_limits	 limits;
	struct bn_stomp_cbs	 cbs;
	void			*arg;

	enum stomp_state	 state;
	struct bufferevent	*bev;
	uint64_t		 generation;	/* bumped per session */
	struct event		*timer;		/* connect timeout/back-off */
	struct event		*hb_timer;	/* our heart-beats */
	struct event		*fo_timer;	/* failover timeout */
	struct bn_backoff	 backoff;
	bool			 refused;	/* this try: connection refused */
	bool			 cycle_refused;	/* so was every try this cycle */
	bool			 probing;	/* this cycle is an extra probe */
	uint64_t		 down_since_ms;	/* the outage began */
	uint64_t		 due_ms;	/* next counted attempt */
	bool			 ever_connected;
	uint64_t		 connects;
	size_t			*order;		/* uri indexes, this cycle */
	size_t			 norder;
	size_t			 cur;		/* position in order */
	char			*cur_uri;
	char			*session;
	uint64_t		 send_hb_ms;
	uint64_t		 last_write_ms;
	size_t			 need;		/* parser: bytes wanted */

	struct stomp_pendq	 pending;
	size_t			 npending;	/* sent, awaiting receipt */
	size_t			 nqueued;	/* RETRY, not yet sent */
	uint64_t		 next_rid;
	bool			 want_writable;
	bool			 read_paused;	/* bn_stomp_pause_read */
	uint64_t		 hold_ms;	/* bn_stomp_hold */
	bn_stomp_doubt_cb	 doubt_cb;
	struct bn_buf		 scratch;
	struct bn_buf		 scratch2;

	uint64_t		 disc_rid;
	void			(*disc_done)(struct bn_stomp *, void *);
	void			*disc_arg;
};

static void	stomp_try_next(struct bn_stomp *);
static void	stomp_lost(struct bn_stomp *, const char *);
static void	stomp_write_wire(struct bn_stomp *, const char *, size_t);
static void	stomp_report_doubt(struct bn_stomp *);

static double
stomp_rand01(void)
{
	return (double)(arc4random() & 0xffffff) / (double)0x1000000;
}

static char *
stomp_endpoint_str(const struct bn_endpoint *ep)
{
	char	*s;

	if (strchr(ep->host, ':') != NULL)
		xasprintf(&s, "%s://[%s]:%u", ep->scheme, ep->host, ep->port);
	else
		xasprintf(&s, "%s://%s:%u", ep->scheme, ep->host, ep->port);
	return s;
}

static void
stomp_copy_endpoint(struct bn_endpoint *dst, const struct bn_endpoint *src)
{
	dst->scheme = xstrdup(src->scheme);
	dst->host = xstrdup(src->host);
	dst->port = src->port;
}

static void
stomp_copy_failover(struct bn_failover *dst, const struct bn_failover *src)
{
	size_t	i;

	*dst = *src;
	dst->uris = xcalloc(src->nuris, sizeof(*dst->uris));
	for (i = 0; i < src->nuris; i++)
		stomp_copy_endpoint(&dst->uris[i], &src->uris[i]);
	dst->priority_uris = NULL;
	if (src->npriority > 0) {
		dst->priority_uris = xcalloc(src->npriority,
		    sizeof(*dst->priority_uris));
		for (i = 0; i < src->npriority; i++)
			stomp_copy_endpoint(&dst->priority_uris[i],
			    &src->priority_uris[i]);
	}
}

static bool
stomp_is_priority(const struct bn_stomp *s, size_t idx)
{
	const struct bn_endpoint	*u = &s->fo.uris[idx];
	size_t				 i;

	if (!s->fo.priority_backup)
		return false;
	if (s->fo.npriority == 0)
		return idx == 0;
	for (i = 0; i < s->fo.npriority; i++)
		if (strcmp(s->fo.priority_uris[i].host, u->host) == 0 &&
		    s->fo.priority_uris[i].port == u->port)
			return true;
	return false;
}

/* The order of URIs for one failover cycle: priority first, then shuffled. */
static void
stomp_plan_cycle(struct bn_stomp *s)
{
	size_t	i, j, n = 0, npri = 0, tmp;

	for (i = 0; i < s->fo.nuris; i++)
		if (stomp_is_priority(s, i))
			s->order[n++] = i;
	npri = n;
	for (i = 0; i < s->fo.nuris; i++)
		if (!stomp_is_priority(s, i))
			s->order[n++] = i;
	if (s->fo.randomize && n - npri > 1) {
		for (i = n - 1; i > npri; i--) {
			j = npri + arc4random_uniform((uint32_t)(i - npri + 1));
			tmp = s->order[i];
			s->order[i] = s->order[j];
			s->order[j] = tmp;
		}
	}
	s->norder = n;
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
	stomp_copy_failover(&s->fo, o->failover);
	s->login = xstrdup(o->login);
	s->passcode = xstrdup(o->passcode);
	s->vhost = xstrdup(o->vhost ? o->vhost : "/");
	s->client_id = xstrdup(o->client_id);
	s->hb_ms = o->heartbeat_ms;
	s->window = o->receipt_window ? o->receipt_window : 1000;
	s->connect_timeout_ms = o->connect_timeout_ms ?
	    o->connect_timeout_ms : 10000;
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
	s->need = 0;
	s->generation++;
}

static void
stomp_pending_free(struct stomp_pending *p)
{
	free(p->wire);
	free(p);
}

/* Fails pending receipts: all of them, or only those not to be retried. */
static void
stomp_fail_pending(struct bn_stomp *s, bool all)
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
		stomp_pending_free(p);
	}
}

void
bn_stomp_free(struct bn_stomp *s)
{
	size_t	i;

	if (s == NULL)
		return;
	stomp_close_bev(s);
	stomp_fail_pending(s, true);
	if (s->timer != NULL)
		event_free(s->timer);
	if (s->fo_timer != NULL)
		event_free(s->fo_timer);
	for (i = 0; i < s->fo.nuris; i++)
		bn_endpoint_free(&s->fo.uris[i]);
	free(s->fo.uris);
	for (i = 0; i < s->fo.npriority; i++)
		bn_endpoint_free(&s->fo.priority_uris[i]);
	free(s->fo.priority_uris);
	free(s->order);
	free(s->name);
	free(s->login);
	free(s->passcode);
	free(s->vhost);
	free(s->client_id);
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
	    bufferevent_get_output(s->bev)) > STOMP_OUT_HIGH)
		ok = false;
	if (!ok)
		s->want_writable = true;
	return ok;
}

static void
stomp_maybe_writable(struct bn_stomp *s)
{
	if (s->want_writable && s->state == ST_UP &&
	    s->npending + s->nqueued < s->window && (s->bev == NULL ||
	    evbuffer_get_length(bufferevent_get_output(s->bev)) <=
	    STOMP_OUT_HIGH)) {
		s->want_writable = false;
		if (s->cbs.writable != NULL)
			s->cbs.writable(s, s->arg);
	}
}

static void
stomp_write_wire(struct bn_stomp *s, const char *wire, size_t len)
{
	if (s->bev == NULL)
		return;
	bufferevent_write(s->bev, wire, len);
	s->last_write_ms = bn_now_ms();
}

static void
stomp_write_frame(struct bn_stomp *s, const struct bn_frame *f)
{
	bn_buf_reset(&s->scratch);
	bn_frame_serialize(f, &s->scratch);
	stomp_write_wire(s, s->scratch.data, s->scratch.len);
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
		stomp_write_wire(s, "\n", 1);
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

static void	stomp_fo_timeout_cb(evutil_socket_t, short, void *);

/* failover's timeout: how long queued sends wait for a connection. */
static void
stomp_arm_fo_timer(struct bn_stomp *s)
{
	struct timeval	tv;

	if (s->fo.timeout_ms < 0)
		return;
	if (s->fo_timer == NULL)
		s->fo_timer = evtimer_new(s->base, stomp_fo_timeout_cb, s);
	if (evtimer_pending(s->fo_timer, NULL))
		return;
	tv.tv_sec = (time_t)(s->fo.timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(s->fo.timeout_ms % 1000 * 1000);
	evtimer_add(s->fo_timer, &tv);
}

static void
stomp_fo_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_stomp	*s = arg;

	if (s->state == ST_UP)
		return;
	if (s->nqueued > 0)
		log_warnx("%s: no connection within failover timeout %lld ms;"
		    " failing %zu queued sends", s->name,
		    (long long)s->fo.timeout_ms, s->nqueued);
	stomp_fail_pending(s, true);
}

/* Sends every RETRY frame not yet sent on this session, in order. */
static void
stomp_replay(struct bn_stomp *s)
{
	struct stomp_pending	*p;
	size_t			 n = 0;

	TAILQ_FOREACH(p, &s->pending, entry) {
		if (p->sent || (p->doubt && s->doubt_cb != NULL))
			continue;
		p->doubt = false;
		stomp_write_wire(s, p->wire, p->wirelen);
		p->sent = true;
		s->nqueued--;
		s->npending++;
		n++;
	}
	if (n > 0)
		log_info("%s: re-sent %zu unconfirmed frames after reconnect",
		    s->name, n);
}

static void
stomp_on_connected(struct bn_stomp *s, struct bn_frame *f)
{
	const char	*hb, *sess, *ver;
	uint64_t	 sx = 0, sy = 0;
	struct timeval	 tv;

	ver = bn_frame_get(f, "version");
	if (ver != NULL && strcmp(ver, "1.2") != 0) {
		stomp_lost(s, "broker does not speak STOMP 1.2");
		return;
	}
	sess = bn_frame_get(f, "session");
	s->session = xstrdup(sess ? sess : "");
	hb = bn_frame_get(f, "heart-beat");
	if (hb != NULL) {
		const char	*comma = strchr(hb, ',');

		if (comma == NULL ||
		    bn_strntou64(hb, (size_t)(comma - hb), UINT32_MAX,
		    &sx) == -1 || bn_strtou64(comma + 1, UINT32_MAX, &sy) == -1)
			sx = sy = 0;
	}
	event_del(s->timer);
	/* We send every max(ours, sy); we expect every max(ours, sx). */
	s->send_hb_ms = (s->hb_ms && sy) ? (s->hb_ms > sy ? s->hb_ms : sy) : 0;
	if (s->hb_ms && sx) {
		uint64_t	recv_ms = s->hb_ms > sx ? s->hb_ms : sx;
		uint64_t	grace = recv_ms * 2 + 1000;

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
	stomp_replay(s);
	if (s->cbs.connected != NULL)
		s->cbs.connected(s, s->arg);
	if (s->state == ST_UP && s->doubt_cb != NULL)
		stomp_report_doubt(s);
}

/* Hands the owner every in-doubt frame, then the end marker. */
static void
stomp_report_doubt(struct bn_stomp *s)
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
bn_stomp_set_doubt_cb(struct bn_stomp *s, bn_stomp_doubt_cb cb)
{
	s->doubt_cb = cb;
}

void
bn_stomp_resolve(struct bn_stomp *s, void *ctx, bool stored)
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
		stomp_pending_free(p);
		return;
	}
	if (s->state != ST_UP)
		return;		/* replayed on the next session */
	stomp_write_wire(s, p->wire, p->wirelen);
	p->sent = true;
	s->nqueued--;
	s->npending++;
}

static struct stomp_pending *
stomp_find_pending(struct bn_stomp *s, const char *rid_s)
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

static void
stomp_complete(struct bn_stomp *s, struct stomp_pending *p, bool ok,
    const struct bn_frame *err)
{
	TAILQ_REMOVE(&s->pending, p, entry);
	s->npending--;
	if (p->cb != NULL)
		p->cb(s, p->ctx, ok, err);
	stomp_pending_free(p);
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
		if ((p = stomp_find_pending(s, rid)) != NULL)
			stomp_complete(s, p, true, NULL);
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
		if ((p = stomp_find_pending(s, rid)) != NULL) {
			log_warnx("%s: ERROR for receipt %s: %s", s->name, rid,
			    msg ? msg : "(no message)");
			stomp_complete(s, p, false, f);
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
static bool
stomp_frame_cb(struct bn_frame *f, void *arg)
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
	uint64_t	 gen = s->generation;
	const char	*err;

	stomp_quickack(bev);
	if (bn_evframe_read(bufferevent_get_input(bev), &s->limits, &s->need,
	    stomp_frame_cb, s, &err) == -1) {
		char	*why;

		xasprintf(&why, "bad frame from broker: %s", err);
		stomp_lost(s, why);
		free(why);
		return;
	}
	if (s->generation == gen)
		stomp_maybe_writable(s);
}

static void
stomp_write_cb(struct bufferevent *bev, void *arg)
{
	stomp_maybe_writable(arg);
}

static void
stomp_send_connect(struct bn_stomp *s)
{
	struct bn_frame	*f;
	char		 hb[64];

	f = bn_frame_new("CONNECT");
	bn_frame_add_header(f, "accept-version", "1.2");
	bn_frame_add_header(f, "host", s->vhost);
	if (s->login != NULL)
		bn_frame_add_header(f, "login", s->login);
	if (s->passcode != NULL)
		bn_frame_add_header(f, "passcode", s->passcode);
	if (s->client_id != NULL)
		bn_frame_add_header(f, "client-id", s->client_id);
	snprintf(hb, sizeof(hb), "%llu,%llu", (unsigned long long)s->hb_ms,
	    (unsigned long long)s->hb_ms);
	bn_frame_add_header(f, "heart-beat", hb);
	stomp_write_frame(s, f);
	bn_frame_free(f);
}

static void
stomp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct bn_stomp	*s = arg;
	char		 why[256];
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
	s->cur_uri = stomp_endpoint_str(ep);
	s->state = ST_CONNECTING;
	s->refused = false;
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
	s->bev = bufferevent_socket_new(s->base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(s->bev, stomp_read_cb, stomp_write_cb,
	    stomp_event_cb, s);
	bufferevent_setwatermark(s->bev, EV_WRITE, STOMP_OUT_LOW, 0);
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
		stomp_fail_pending(s, true);
		if (s->disc_done != NULL)
			s->disc_done(s, s->disc_arg);
		return;
	}
	if (was == ST_UP) {
		log_warnx("%s: lost %s: %s", s->name, s->cur_uri, reason);
		s->state = ST_WAIT;
		stomp_fail_pending(s, false);
		if (s->nqueued > 0)
			stomp_arm_fo_timer(s);
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
			stomp_fail_pending(s, true);
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
		stomp_fail_pending(s, true);
		if (done != NULL)
			done(s, arg);
		return;
	}
	f = bn_frame_new("DISCONNECT");
	bn_frame_add_header(f, "receipt", "d0");
	stomp_write_frame(s, f);
	bn_frame_free(f);
	s->state = ST_CLOSING;
	stomp_schedule(s, timeout_ms, stomp_disc_timeout_cb);
}

/* s->scratch = one frame's wire form with "receipt:rN" after the command. */
static void
stomp_wire_add_receipt(struct bn_stomp *s, const char *wire, size_t len,
    uint64_t rid)
{
	const char	*nl;
	size_t		 cmdlen;

	nl = memchr(wire, '\n', len);
	cmdlen = (size_t)(nl - wire) + 1;
	bn_buf_reset(&s->scratch);
	bn_buf_reserve(&s->scratch, len + 32);
	bn_buf_add(&s->scratch, wire, cmdlen);
	bn_buf_printf(&s->scratch, "receipt:r%llu\n", (unsigned long long)rid);
	bn_buf_add(&s->scratch, wire + cmdlen, len - cmdlen);
}

/* s->scratch = wire form of f with a receipt header */
static void
stomp_wire_with_receipt(struct bn_stomp *s, const struct bn_frame *f,
    uint64_t rid)
{
	bn_buf_reset(&s->scratch2);
	bn_frame_serialize(f, &s->scratch2);
	stomp_wire_add_receipt(s, s->scratch2.data, s->scratch2.len, rid);
}

/* Queues (or writes) the wire bytes in s->scratch under receipt rid. */
static int
stomp_track(struct bn_stomp *s, uint64_t rid, int flags,
    bn_stomp_receipt_cb cb, void *ctx)
{
	struct stomp_pending	*p;

	p = xcalloc(1, sizeof(*p));
	p->rid = rid;
	p->cb = cb;
	p->ctx = ctx;
	p->flags = flags;
	if (flags & BN_STOMP_RETRY) {
		p->wire = xmalloc(s->scratch.len);
		memcpy(p->wire, s->scratch.data, s->scratch.len);
		p->wirelen = s->scratch.len;
	}
	TAILQ_INSERT_TAIL(&s->pending, p, entry);
	if (s->state == ST_UP) {
		stomp_write_wire(s, s->scratch.data, s->scratch.len);
		p->sent = true;
		s->npending++;
	} else {
		s->nqueued++;
		stomp_arm_fo_timer(s);
	}
	return 0;
}

static bool
stomp_may_queue(const struct bn_stomp *s, int flags, bn_stomp_receipt_cb cb)
{
	if (s->state == ST_UP)
		return true;
	return (flags & BN_STOMP_RETRY) && cb != NULL &&
	    s->state != ST_GIVENUP && s->state != ST_IDLE;
}

int
bn_stomp_send(struct bn_stomp *s, const struct bn_frame *f, int flags,
    bn_stomp_receipt_cb cb, void *ctx)
{
	uint64_t	rid;

	if (!stomp_may_queue(s, flags, cb))
		return -1;
	if (cb == NULL) {
		stomp_write_frame(s, f);
		return 0;
	}
	rid = s->next_rid++;
	stomp_wire_with_receipt(s, f, rid);
	return stomp_track(s, rid, flags, cb, ctx);
}

int
bn_stomp_send_wire(struct bn_stomp *s, const char *wire, size_t len,
    int flags, bn_stomp_receipt_cb cb, void *ctx)
{
	uint64_t	rid;

	if (cb == NULL || len == 0 || memchr(wire, '\n', len) == NULL ||
	    !stomp_may_queue(s, flags, cb))
		return -1;
	rid = s->next_rid++;
	stomp_wire_add_receipt(s, wire, len, rid);
	return stomp_track(s, rid, flags, cb, ctx);
}

int
bn_stomp_send_batch(struct bn_stomp *s, const char *prefix, size_t prefixlen,
    const struct bn_frame *last, int flags, bn_stomp_receipt_cb cb,
    void *ctx)
{
	uint64_t	rid;
	struct bn_buf	tmp;

	if (cb == NULL || !stomp_may_queue(s, flags, cb))
		return -1;
	rid = s->next_rid++;
	stomp_wire_with_receipt(s, last, rid);
	/* scratch = prefix + last-with-receipt */
	tmp = s->scratch;
	memset(&s->scratch, 0, sizeof(s->scratch));
	bn_buf_reserve(&s->scratch, prefixlen + tmp.len);
	bn_buf_add(&s->scratch, prefix, prefixlen);
	bn_buf_add(&s->scratch, tmp.data, tmp.len);
	bn_buf_free(&tmp);
	return stomp_track(s, rid, flags, cb, ctx);
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
	stomp_write_frame(s, f);
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
	stomp_write_frame(s, f);
	bn_frame_free(f);
	return 0;
}

static int
stomp_ack_frame(struct bn_stomp *s, const char *cmd, const char *ack_id,
    const char *tx)
{
	if (s->state != ST_UP || ack_id == NULL)
		return -1;
	/* Hot path: build the wire form directly. */
	bn_buf_reset(&s->scratch);
	bn_buf_addstr(&s->scratch, cmd);
	bn_buf_addstr(&s->scratch, "\nid:");
	bn_frame_escape(ack_id, &s->scratch);
	if (tx != NULL) {
		bn_buf_addstr(&s->scratch, "\ntransaction:");
		bn_frame_escape(tx, &s->scratch);
	}
	bn_buf_addstr(&s->scratch, "\n\n");
	bn_buf_add(&s->scratch, "", 1);
	stomp_write_wire(s, s->scratch.data, s->scratch.len);
	return 0;
}

int
bn_stomp_ack(struct bn_stomp *s, const char *ack_id)
{
	return stomp_ack_frame(s, "ACK", ack_id, NULL);
}

int
bn_stomp_ack_tx(struct bn_stomp *s, const char *ack_id, const char *tx)
{
	return stomp_ack_frame(s, "ACK", ack_id, tx);
}

int
bn_stomp_nack(struct bn_stomp *s, const char *ack_id)
{
	return stomp_ack_frame(s, "NACK", ack_id, NULL);
}

static int
stomp_tx_frame(struct bn_stomp *s, const char *cmd, const char *tx)
{
	if (s->state != ST_UP)
		return -1;
	bn_buf_reset(&s->scratch);
	bn_buf_printf(&s->scratch, "%s\ntransaction:", cmd);
	bn_frame_escape(tx, &s->scratch);
	bn_buf_addstr(&s->scratch, "\n\n");
	bn_buf_add(&s->scratch, "", 1);
	stomp_write_wire(s, s->scratch.data, s->scratch.len);
	return 0;
}

int
bn_stomp_begin(struct bn_stomp *s, const char *tx)
{
	return stomp_tx_frame(s, "BEGIN", tx);
}

int
bn_stomp_commit(struct bn_stomp *s, const char *tx)
{
	return stomp_tx_frame(s, "COMMIT", tx);
}
