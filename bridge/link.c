/*
 * Sidecar-to-sidecar links: TCP connections framed like STOMP 1.2. This
 * file is the connection (frames in and out, heart-beats, acks, adverts,
 * close); handshake.c says what BN_HELLO/BN_WELCOME carry, dial.c and
 * listen.c make the connections.
 *
 *   dialer -> BN_HELLO    broker, version, connector, duplex, TTLs, filters,
 *                         prefetch, priority rule, login/passcode
 *   acceptor -> BN_WELCOME broker, version   (or ERROR message[, retry:false])
 *   either -> DEMAND destination, hops, path[, offline:true] / NODEMAND
 *                         destination (offline: only offline durable topic
 *                         subscriptions make it)
 *   forwarder -> MESSAGE  seq, destination, message headers, body
 *   receiver -> ACK       ids:seq,seq,...   (stored on the receiver's broker)
 *   either -> BYE         reason            (graceful close)
 *   either -> "\n"        heart-beat
 *
 * With duplex=false only the dialer forwards (the acceptor advertises its
 * demand to the dialer); with duplex=true both do over the one connection.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/dial.h"
#include "brokernet/evframe.h"
#include "brokernet/handshake.h"
#include "brokernet/link.h"
#include "brokernet/linkhdr.h"
#include "brokernet/linkz.h"
#include "brokernet/listen.h"
#include "brokernet/log.h"
#include "brokernet/tls.h"

static void	link_reap_cb(evutil_socket_t, short, void *);

const char *
bn_link_name(const struct bn_link *l)
{
	return l->peer ? l->peer : (l->peer_addr ? l->peer_addr : "?");
}

struct bn_link *
bn_link_find(struct bn_daemon *d, uint64_t id)
{
	struct bn_link	*l;

	TAILQ_FOREACH(l, &d->links, entry)
		if (l->id == id)
			return l;
	return NULL;
}

void
bn_link_write(struct bn_link *l, const char *data, size_t len)
{
	if (l->bev == NULL)
		return;
	if (!bn_linkz_write(l, data, len)) {
		bufferevent_write(l->bev, data, len);
		l->bytes_out += len;
	}
	l->last_write_ms = bn_now_ms();
	if (evbuffer_get_length(bufferevent_get_output(l->bev)) <=
	    BN_LINK_OUT_HIGH)
		return;
	if (!l->out_high) {
		l->out_high = true;
		bufferevent_setwatermark(l->bev, EV_WRITE, BN_LINK_OUT_LOW, 0);
		log_debug("link %s: %zu bytes unsent: broker deliveries wait",
		    bn_link_name(l), evbuffer_get_length(bufferevent_get_output(
		    l->bev)));
	}
	/* again after a broker reconnect: a new session reads */
	l->d->link_ops->congested(l->d, true);
}

/* Link l's output is low again (or l goes): the broker may deliver when no
 * link is still above the high mark. */
static void
link_out_drained(struct bn_link *l)
{
	struct bn_link	*o;

	if (!l->out_high)
		return;
	l->out_high = false;
	if (l->bev != NULL)
		bufferevent_setwatermark(l->bev, EV_WRITE, 0, 0);
	TAILQ_FOREACH(o, &l->d->links, entry)
		if (o->out_high)
			return;
	l->d->link_ops->congested(l->d, false);
}

static void
link_write_cb(struct bufferevent *bev, void *arg)
{
	link_out_drained(arg);
}

void
bn_link_send_frame(struct bn_link *l, const struct bn_frame *f)
{
	bn_buf_reset(&l->out);
	bn_frame_serialize(f, &l->out);
	bn_link_write(l, l->out.data, l->out.len);
}

void
bn_link_close(struct bn_link *l, const char *reason)
{
	struct bn_daemon	*d = l->d;
	bool			 was_up = l->state == BN_LINK_UP;
	struct bn_dialer	*dl = l->dl;
	void			(*on_closed)(struct bn_dialer *, const char *,
				    bool) = l->on_closed;

	if (l->state == BN_LINK_CLOSED)
		return;
	if (was_up)
		log_info("link %s (%s, connector %s): down: %s", bn_link_name(l),
		    l->peer_addr ? l->peer_addr : "?",
		    l->connector ? l->connector : "?", reason);
	else
		log_info("link %s: closed during %s: %s",
		    l->peer_addr ? l->peer_addr : "?",
		    l->state == BN_LINK_CONNECTING ? "connect" : "handshake",
		    reason);
	l->state = BN_LINK_CLOSED;
	TAILQ_REMOVE(&d->links, l, entry);
	link_out_drained(l);
	if (l->bev != NULL) {
		bufferevent_free(l->bev);
		l->bev = NULL;
	}
	/* What was routed over it goes: in flight, demand, pacing. */
	d->link_ops->closed(l);
	if (l->ls != NULL && l->ls->nconns > 0)
		l->ls->nconns--;
	if (l->hs_timer != NULL)
		event_free(l->hs_timer);
	if (l->hb_timer != NULL)
		event_free(l->hb_timer);
	if (l->ack_ev != NULL)
		event_free(l->ack_ev);
	bn_hmap_clear_free(&l->adverts);
	bn_hmap_clear_free(&l->remote);
	bn_hmap_clear(&l->remote_held);
	bn_hmap_clear(&l->subs_by_dest);
	bn_buf_free(&l->acks);
	bn_buf_free(&l->out);
	bn_linkz_free(l);
	if (l->own_nc)
		bn_handshake_free_nc(l->nc);
	l->nc = NULL;
	/*
	 * Freed from the loop, not here: whoever is still on the stack with
	 * l (a frame callback, the reader) sees BN_LINK_CLOSED, instead of
	 * re-finding the link by id.
	 */
	TAILQ_INSERT_TAIL(&d->dead_links, l, entry);
	if (d->link_reap_ev == NULL &&
	    (d->link_reap_ev = event_new(d->base, -1, 0, link_reap_cb,
	    d)) == NULL)
		fatalx("link: cannot create the reaper event");
	event_active(d->link_reap_ev, EV_TIMEOUT, 1);
	if (dl != NULL && on_closed != NULL)
		on_closed(dl, reason, was_up);
}

void
bn_link_reap(struct bn_daemon *d)
{
	struct bn_link	*l;

	while ((l = TAILQ_FIRST(&d->dead_links)) != NULL) {
		TAILQ_REMOVE(&d->dead_links, l, entry);
		free(l->peer);
		free(l->peer_addr);
		free(l->connector);
		free(l->peer_mgmt);
		free(l);
	}
}

static void
link_reap_cb(evutil_socket_t fd, short ev, void *arg)
{
	bn_link_reap(arg);
}

static void
link_flushed_cb(struct bufferevent *bev, void *arg)
{
	bufferevent_free(bev);
}

static void
link_flush_event_cb(struct bufferevent *bev, short what, void *arg)
{
	bufferevent_free(bev);
}

/*
 * Takes the connection away from the link so that what is queued (an
 * ERROR or BYE frame) still reaches the peer; it is freed once written,
 * on error, or after two seconds.
 */
static void
link_detach_flush(struct bn_link *l)
{
	struct bufferevent	*bev = l->bev;
	struct timeval		 tv = { 2, 0 };

	if (bev == NULL)
		return;
	bn_linkz_flush(l);
	l->bev = NULL;
	link_out_drained(l);
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		bufferevent_free(bev);
		return;
	}
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, link_flushed_cb, link_flush_event_cb,
	    NULL);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	bufferevent_set_timeouts(bev, NULL, &tv);
}

/* Sends ERROR with a reason and closes (refused peer or bad input). */
void
bn_link_refuse(struct bn_link *l, const char *reason, bool retry)
{
	struct bn_frame	*f;

	f = bn_frame_new("ERROR");
	bn_frame_add_header(f, "message", reason);
	if (!retry)
		bn_frame_add_header(f, "retry", "false");
	bn_link_send_frame(l, f);
	bn_frame_free(f);
	link_detach_flush(l);
	l->d->c.links_refused++;
	bn_link_close(l, reason);
}

static void
link_hb_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_link	*l = arg;

	/* timer every half interval: the gap stays within the interval */
	if (bn_now_ms() - l->last_write_ms + 100 >= BN_LINK_HEARTBEAT_MS / 2)
		bn_link_write(l, "\n", 1);
}

static void
link_ack_flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_link	*l = arg;
	struct bn_buf	 ranges = { 0 };

	if (l->acks.len == 0 || l->state != BN_LINK_UP)
		return;
	bn_buf_reset(&l->out);
	bn_frame_wire_command(&l->out, "ACK");
	if (bn_linkz_tx(l) != NULL) {	/* the peer reads ranges */
		bn_linkhdr_ack_ranges(l->acks.data, l->acks.len, &ranges);
		bn_frame_wire_header_raw(&l->out, "ids", ranges.data,
		    ranges.len);
		bn_buf_free(&ranges);
	} else
		bn_frame_wire_header_raw(&l->out, "ids", l->acks.data,
		    l->acks.len);
	bn_frame_wire_end(&l->out, NULL, 0);
	bn_link_write(l, l->out.data, l->out.len);
	bn_buf_reset(&l->acks);
}

void
bn_link_queue_ack(struct bn_link *l, uint64_t seq)
{
	if (l->acks.len > 0)
		bn_buf_addc(&l->acks, ',');
	bn_buf_printf(&l->acks, "%llu", (unsigned long long)seq);
	l->acks_out++;
	/* Flush at the end of this loop iteration, or now if large. */
	if (l->acks.len > 4000)
		link_ack_flush_cb(-1, 0, l);
	else
		event_active(l->ack_ev, EV_TIMEOUT, 1);
}

static void
link_go_up(struct bn_link *l)
{
	struct timeval	tv;

	if (l->hs_timer != NULL)
		event_del(l->hs_timer);
	l->state = BN_LINK_UP;
	l->since_ms = bn_wall_ms();
	l->limits.max_frame_size = l->max_frame;
	tv.tv_sec = BN_LINK_HEARTBEAT_MS * 3 / 1000;
	tv.tv_usec = 0;
	bufferevent_set_timeouts(l->bev, &tv, NULL);
	l->hb_timer = event_new(l->d->base, -1, EV_PERSIST, link_hb_cb, l);
	tv.tv_sec = 0;
	tv.tv_usec = BN_LINK_HEARTBEAT_MS * 1000 / 2;
	event_add(l->hb_timer, &tv);
	log_info("link %s (%s, connector %s): up, %s, we %s, peer %s",
	    bn_link_name(l), l->peer_addr, l->connector,
	    l->dialer ? "dialed" : "accepted",
	    l->we_forward ? "forward" : "do not forward",
	    l->they_forward ? "forwards" : "does not forward");
	l->d->link_ops->up(l);
}

static void
link_send_hello(struct bn_link *l)
{
	struct bn_frame	*f = bn_handshake_hello(l);

	bn_link_send_frame(l, f);
	bn_frame_free(f);
}

/* Acceptor: a BN_HELLO arrived. */
static bool
link_on_hello(struct bn_link *l, struct bn_frame *f)
{
	struct bn_daemon	*d = l->d;
	struct bn_link		*o, *next;
	struct bn_frame		*w;
	char			 why[512];
	bool			 retry;

	if ((l->nc = bn_handshake_check_hello(d, l->peer_addr, f, why,
	    sizeof(why), &retry)) == NULL) {
		bn_link_refuse(l, why, retry);
		return false;
	}
	l->own_nc = true;
	l->peer = xstrdup(bn_frame_get(f, "broker"));
	l->connector = xstrdup(l->nc->name);
	l->peer_mgmt = xstrdup(bn_frame_get(f, "mgmt"));
	l->they_forward = true;
	l->duplex = l->nc->duplex;
	l->we_forward = l->duplex;
	/* One live link per (peer, connector): a reconnect replaces. */
	for (o = TAILQ_FIRST(&d->links); o != NULL; o = next) {
		next = TAILQ_NEXT(o, entry);
		if (o != l && !o->dialer && o->peer != NULL &&
		    strcmp(o->peer, l->peer) == 0 && o->connector != NULL &&
		    strcmp(o->connector, l->connector) == 0)
			bn_link_close(o, "replaced by a new connection");
	}
	w = bn_handshake_welcome(l, f);
	bn_link_send_frame(l, w);
	bn_frame_free(w);
	bn_linkz_start(l);
	d->c.links_accepted++;
	link_go_up(l);
	return true;
}

/* Dialer: the acceptor answered. */
static bool
link_on_welcome(struct bn_link *l, struct bn_frame *f)
{
	const char	*err;
	char		 why[256];
	bool		 retry;

	if ((err = bn_handshake_check_welcome(l, f, why, sizeof(why),
	    &retry)) != NULL) {
		if (!retry)
			l->dl->stopped = true;
		bn_link_close(l, err);
		return false;
	}
	l->peer = xstrdup(bn_frame_get(f, "broker"));
	l->peer_mgmt = xstrdup(bn_frame_get(f, "mgmt"));
	bn_linkz_start(l);
	link_go_up(l);
	return true;
}

static bool
link_on_frame(struct bn_frame *f, void *arg)
{
	struct bn_link	*l = arg;
	const char	*cmd = f->command;
	bool		 alive = true;

	log_trace("link %s: %s", bn_link_name(l), cmd);
	if (l->state == BN_LINK_HANDSHAKE) {
		if (!l->dialer && strcmp(cmd, "BN_HELLO") == 0)
			alive = link_on_hello(l, f);
		else if (l->dialer && strcmp(cmd, "BN_WELCOME") == 0)
			alive = link_on_welcome(l, f);
		else if (l->dialer && strcmp(cmd, "ERROR") == 0) {
			const char	*m = bn_frame_get(f, "message");
			const char	*r = bn_frame_get(f, "retry");
			char		 why[512];

			snprintf(why, sizeof(why), "refused by peer: %s",
			    m ? m : "(no reason)");
			log_warnx("connector %s: %s", l->dl->nc->name, why);
			if (r != NULL && strcmp(r, "false") == 0)
				l->dl->stopped = true;
			bn_link_close(l, why);
			alive = false;
		} else {
			char	why[128];

			snprintf(why, sizeof(why), "unexpected %.32s frame"
			    " during handshake", cmd);
			bn_link_refuse(l, why, true);
			alive = false;
		}
		bn_frame_free(f);
		/* what follows the handshake may be compressed */
		return alive && !bn_linkz_reading(l);
	}
	if (strcmp(cmd, "M") == 0) {
		const char	*err;

		if ((f = bn_linkz_decode(l, f, &err)) == NULL) {
			l->d->c.link_errors++;
			bn_link_refuse(l, err, true);
			return false;
		}
		return l->d->link_ops->frame(l, f);
	}
	if (strcmp(cmd, "MESSAGE") == 0 || strcmp(cmd, "ACK") == 0 ||
	    strcmp(cmd, "DEMAND") == 0 || strcmp(cmd, "NODEMAND") == 0 ||
	    strcmp(cmd, "BN_PACE") == 0)
		return l->d->link_ops->frame(l, f);	/* it owns f now */
	if (strcmp(cmd, "BYE") == 0) {
		char	why[512];

		snprintf(why, sizeof(why), "peer said goodbye (%s)",
		    bn_frame_get(f, "reason") ? bn_frame_get(f, "reason") :
		    "no reason");
		bn_link_close(l, why);
		alive = false;
	} else if (strcmp(cmd, "ERROR") == 0) {
		char	why[512];

		snprintf(why, sizeof(why), "peer reported an error: %s",
		    bn_frame_get(f, "message") ? bn_frame_get(f, "message") :
		    "(no message)");
		bn_link_close(l, why);
		alive = false;
	} else {
		char	why[128];

		snprintf(why, sizeof(why), "unknown frame %.32s", cmd);
		bn_link_refuse(l, why, true);
		alive = false;
	}
	bn_frame_free(f);
	return alive;
}

static void
link_read_cb(struct bufferevent *bev, void *arg)
{
	struct bn_link		*l = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	const char		*err;
	size_t			 before = evbuffer_get_length(in);
	int			 rc;

	l->bytes_in += before;
	rc = 0;
	if (!bn_linkz_reading(l))
		rc = bn_evframe_read(in, &l->limits, &l->cur, link_on_frame,
		    l, &err);
	/* A frame (BYE, ERROR, bad input) may have closed l. */
	if (l->state == BN_LINK_CLOSED)
		return;
	/* the handshake may just have switched compression on */
	if (rc == 0 && bn_linkz_reading(l) &&
	    (rc = bn_linkz_read(l, in, link_on_frame, &err)) == 1)
		return;
	if (rc == -1) {
		char	why[256];

		snprintf(why, sizeof(why), "bad frame from peer: %s", err);
		l->d->c.link_errors++;
		log_warnx("link %s (%s): %s", bn_link_name(l),
		    l->peer_addr ? l->peer_addr : "?", why);
		bn_link_refuse(l, why, true);
		return;
	}
	/* bytes_in counted what arrived; what stays is counted again. */
	if (l->bev == bev)
		l->bytes_in -= evbuffer_get_length(in);
}

static void
link_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct bn_link	*l = arg;
	char		 why[512], tlsbuf[256];
	int		 err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		int	one = 1;

		if (!l->dialer) {
			log_debug("link %s: TLS established", l->peer_addr);
			return;
		}
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY,
		    &one, sizeof(one));
		l->state = BN_LINK_HANDSHAKE;
		link_send_hello(l);
		return;
	}
	if ((what & BEV_EVENT_ERROR) &&
	    bn_tls_error(bev, tlsbuf, sizeof(tlsbuf)) != NULL) {
		snprintf(why, sizeof(why), "TLS: %s", tlsbuf);
		log_warnx("link %s: %s", l->peer_addr ? l->peer_addr : "?",
		    why);
		if (l->dl != NULL) {
			free(l->dl->last_error);
			l->dl->last_error = xstrdup(why);
		}
	} else if (what & BEV_EVENT_TIMEOUT)
		snprintf(why, sizeof(why), "peer silent for %d ms",
		    BN_LINK_HEARTBEAT_MS * 3);
	else if (what & BEV_EVENT_EOF)
		snprintf(why, sizeof(why), "peer closed the connection");
	else
		snprintf(why, sizeof(why), "connection error: %s",
		    err ? evutil_socket_error_to_string(err) : "unknown");
	bn_link_close(l, why);
}

static void
link_hs_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_link	*l = arg;

	if (l->state != BN_LINK_UP)
		bn_link_close(l, "handshake timed out");
}

struct bn_link *
bn_link_new(struct bn_daemon *d, struct bufferevent *bev, const char *addr)
{
	struct bn_link	*l;
	struct timeval	 tv;

	l = xcalloc(1, sizeof(*l));
	l->d = d;
	l->id = d->next_link_id++;
	l->bev = bev;
	l->peer_addr = xstrdup(addr);
	l->next_seq = 1;
	l->last_write_ms = bn_now_ms();
	bn_frame_limits_default(&l->limits);
	l->max_frame = l->limits.max_frame_size;
	l->limits.max_frame_size = BN_LINK_HANDSHAKE_FRAME_MAX;
	bn_hmap_init(&l->adverts);
	bn_hmap_init(&l->remote);
	bn_hmap_init(&l->remote_held);
	bn_hmap_init(&l->subs_by_dest);
	bn_hmap_init(&l->pace_tx);
	TAILQ_INIT(&l->subs);
	TAILQ_INIT(&l->inflight);
	l->ack_ev = event_new(d->base, -1, 0, link_ack_flush_cb, l);
	l->hs_timer = evtimer_new(d->base, link_hs_timeout_cb, l);
	tv.tv_sec = BN_LINK_HANDSHAKE_MS / 1000;
	tv.tv_usec = 0;
	evtimer_add(l->hs_timer, &tv);
	bufferevent_setcb(bev, link_read_cb, link_write_cb, link_event_cb, l);
	l->read_paused = d->link_pauses != 0;
	bufferevent_enable(bev, l->read_paused ? EV_WRITE : EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&d->links, l, entry);
	return l;
}

void
bn_link_pause(struct bn_daemon *d, enum bn_link_pause_why why, bool on)
{
	struct bn_link	*l;
	uint64_t	*ids = NULL;
	size_t		 n = 0, i;
	bool		 pause;

	if (on)
		d->link_pauses |= 1u << why;
	else
		d->link_pauses &= ~(1u << why);
	/* Links read again only when no reason is left. */
	pause = d->link_pauses != 0;

	TAILQ_FOREACH(l, &d->links, entry) {
		if (l->bev == NULL || l->read_paused == pause)
			continue;
		l->read_paused = pause;
		if (pause)
			bufferevent_disable(l->bev, EV_READ);
		else {
			bufferevent_enable(l->bev, EV_READ);
			ids = xrealloc(ids, (n + 1) * sizeof(*ids));
			ids[n++] = l->id;
		}
	}
	/* Bytes may already be buffered; reading may close or re-pause. */
	for (i = 0; i < n; i++) {
		l = bn_link_find(d, ids[i]);
		if (l != NULL && l->bev != NULL && !l->read_paused)
			link_read_cb(l->bev, l);
	}
	free(ids);
}

void
bn_link_shutdown_all(struct bn_daemon *d, const char *reason)
{
	struct bn_link		*l;
	struct bn_frame		*f;

	while ((l = TAILQ_FIRST(&d->links)) != NULL) {
		if (l->state == BN_LINK_UP && l->bev != NULL) {
			link_ack_flush_cb(-1, 0, l);
			f = bn_frame_new("BYE");
			bn_frame_add_header(f, "reason", reason);
			bn_link_send_frame(l, f);
			bn_frame_free(f);
			link_detach_flush(l);
		}
		bn_link_close(l, reason);
	}
}
