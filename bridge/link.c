/*
 * Sidecar-to-sidecar links: TCP connections framed like STOMP 1.2.
 *
 *   dialer -> BN_HELLO    broker, version, connector, duplex, TTLs, filters,
 *                         prefetch, priority rule, login/passcode
 *   acceptor -> BN_WELCOME broker, version   (or ERROR message[, retry:false])
 *   either -> DEMAND destination, hops, path / NODEMAND destination
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
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/evframe.h"
#include "brokernet/filter.h"
#include "brokernet/linkhdr.h"
#include "brokernet/linkz.h"
#include "brokernet/log.h"
#include "brokernet/mdns.h"
#include "brokernet/names.h"
#include "brokernet/pace.h"
#include "brokernet/stomp.h"
#include "brokernet/tls.h"

static void	link_dial(struct bn_dialer *);
static void	link_remove_dialer(struct bn_dialer *);
static int	link_start_connector(struct bn_daemon *,
		    struct bn_network_connector *);
static void	link_send_frame(struct bn_link *, const struct bn_frame *);

static const char *
link_name(const struct bn_link *l)
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
		    link_name(l), evbuffer_get_length(bufferevent_get_output(
		    l->bev)));
	}
	/* again after a broker reconnect: a new session reads */
	if (l->d->cons != NULL)
		bn_stomp_pause_read(l->d->cons, true);
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
	if (l->d->cons != NULL)
		bn_stomp_pause_read(l->d->cons, false);
}

static void
link_write_cb(struct bufferevent *bev, void *arg)
{
	link_out_drained(arg);
}

static void
link_send_frame(struct bn_link *l, const struct bn_frame *f)
{
	bn_buf_reset(&l->out);
	bn_frame_serialize(f, &l->out);
	bn_link_write(l, l->out.data, l->out.len);
}

static void
link_free_nc(struct bn_network_connector *nc)
{
	size_t	i;

	if (nc == NULL)
		return;
	free(nc->name);
	free(nc->uri);
	for (i = 0; i < nc->dynamic_include.n; i++)
		free(nc->dynamic_include.items[i].pattern);
	free(nc->dynamic_include.items);
	for (i = 0; i < nc->static_include.n; i++)
		free(nc->static_include.items[i].pattern);
	free(nc->static_include.items);
	for (i = 0; i < nc->exclude.n; i++)
		free(nc->exclude.items[i].pattern);
	free(nc->exclude.items);
	free(nc);
}

static void
link_schedule_redial(struct bn_dialer *dl, const char *why)
{
	struct timeval	tv;
	int64_t		delay;

	free(dl->last_error);
	dl->last_error = xstrdup(why);
	if (dl->stopped || dl->d->stopping)
		return;
	if (dl->discovered && dl->gone) {
		log_info("connector %s: peer %s left the group; not"
		    " re-dialing", dl->nc->name, dl->peer_name);
		link_remove_dialer(dl);
		return;
	}
	if (++dl->cur < dl->neps) {
		/* masterslave: try the next one at once */
		tv.tv_sec = 0;
		tv.tv_usec = 0;
		evtimer_add(dl->timer, &tv);
		return;
	}
	dl->cur = 0;
	delay = bn_backoff_next(&dl->backoff,
	    (double)(arc4random() & 0xffffff) / (double)0x1000000);
	if (delay < 0) {
		log_warnx("connector %s: giving up after %llu attempts: %s",
		    dl->nc->name, (unsigned long long)dl->backoff.attempts,
		    why);
		dl->stopped = true;
		return;
	}
	tv.tv_sec = (time_t)(delay / 1000);
	tv.tv_usec = (suseconds_t)(delay % 1000 * 1000);
	evtimer_add(dl->timer, &tv);
}

/*
 * A peer we were linked to went away: its standby may be taking over
 * behind another URI of the same connector, whose dialer was refused
 * while it was a standby and may be deep in back-off. Those start over.
 */
static void
link_wake_siblings(struct bn_dialer *dl)
{
	struct bn_dialer	*o;
	struct timeval		 tv;
	int64_t			 delay;

	TAILQ_FOREACH(o, &dl->d->dialers, entry) {
		if (o == dl || o->nc != dl->nc || o->link != NULL ||
		    o->stopped || o->timer == NULL)
			continue;
		bn_backoff_reset(&o->backoff);
		delay = bn_backoff_next(&o->backoff,
		    (double)(arc4random() & 0xffffff) / (double)0x1000000);
		if (delay < 0)
			continue;
		tv.tv_sec = (time_t)(delay / 1000);
		tv.tv_usec = (suseconds_t)(delay % 1000 * 1000);
		evtimer_add(o->timer, &tv);
	}
}

void
bn_link_close(struct bn_link *l, const char *reason)
{
	struct bn_daemon	*d = l->d;
	struct bn_buf		 changed = { 0 };
	bool			 was_up = l->state == BN_LINK_UP;
	struct bn_dialer	*dl = l->dl;

	if (l->state == BN_LINK_CLOSED)
		return;
	if (was_up)
		log_info("link %s (%s, connector %s): down: %s", link_name(l),
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
	bn_fwd_link_closed(l);
	bn_pace_tx_free_all(l);
	bn_recv_link_closed(d, l->id);
	bn_demand_remote_clear_link(&d->demand, l->id, &changed);
	bn_daemon_queues_changed(d, &changed);
	bn_buf_free(&changed);
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
	bn_hmap_clear(&l->subs_by_dest);
	bn_buf_free(&l->acks);
	bn_buf_free(&l->out);
	bn_linkz_free(l);
	if (l->own_nc)
		link_free_nc(l->nc);
	free(l->peer);
	free(l->peer_addr);
	free(l->connector);
	free(l->peer_mgmt);
	free(l);
	if (dl != NULL) {
		dl->link = NULL;
		if (was_up) {
			bn_backoff_reset(&dl->backoff);
			link_wake_siblings(dl);
		}
		link_schedule_redial(dl, reason);
	}
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
static void
link_refuse(struct bn_link *l, const char *reason, bool retry)
{
	struct bn_frame	*f;

	f = bn_frame_new("ERROR");
	bn_frame_add_header(f, "message", reason);
	if (!retry)
		bn_frame_add_header(f, "retry", "false");
	link_send_frame(l, f);
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

	if (l->acks.len == 0 || l->state != BN_LINK_UP)
		return;
	bn_buf_reset(&l->out);
	bn_buf_addstr(&l->out, "ACK\nids:");
	if (bn_linkz_tx(l) != NULL)	/* the peer reads ranges */
		bn_linkhdr_ack_ranges(l->acks.data, l->acks.len, &l->out);
	else
		bn_buf_add(&l->out, l->acks.data, l->acks.len);
	bn_buf_addstr(&l->out, "\n\n");
	bn_buf_add(&l->out, "", 1);
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
	tv.tv_sec = BN_LINK_HEARTBEAT_MS * 3 / 1000;
	tv.tv_usec = 0;
	bufferevent_set_timeouts(l->bev, &tv, NULL);
	l->hb_timer = event_new(l->d->base, -1, EV_PERSIST, link_hb_cb, l);
	tv.tv_sec = 0;
	tv.tv_usec = BN_LINK_HEARTBEAT_MS * 1000 / 2;
	event_add(l->hb_timer, &tv);
	log_info("link %s (%s, connector %s): up, %s, we %s, peer %s",
	    link_name(l), l->peer_addr, l->connector,
	    l->dialer ? "dialed" : "accepted",
	    l->we_forward ? "forward" : "do not forward",
	    l->they_forward ? "forwards" : "does not forward");
	if (l->they_forward) {
		bn_link_advert_all(l);
		bn_pace_link_up(l);
	}
	if (l->we_forward)
		bn_fwd_sync_static(l);
}

/* Comma-separated patterns of a filter list (for BN_HELLO). */
static void
link_list_str(const struct bn_dest_list *dl, struct bn_buf *b)
{
	size_t	i, n = 0;

	bn_buf_reset(b);
	for (i = 0; i < dl->n; i++) {
		if (dl->items[i].topic)
			continue;
		if (n++ > 0)
			bn_buf_addc(b, ',');
		bn_buf_addstr(b, dl->items[i].pattern);
	}
}

static void
link_send_hello(struct bn_link *l)
{
	const struct bn_network_connector	*nc = l->nc;
	struct bn_frame				*f;
	struct bn_buf				 b = { 0 };
	char					 num[32];

	f = bn_frame_new("BN_HELLO");
	bn_frame_add_header(f, "broker", l->d->self);
	bn_frame_add_header(f, "version", BN_LINK_VERSION);
	bn_frame_add_header(f, "connector", nc->name);
	bn_frame_add_header(f, "duplex", l->duplex ? "true" : "false");
	snprintf(num, sizeof(num), "%lld", (long long)nc->message_ttl);
	bn_frame_add_header(f, "message-ttl", num);
	snprintf(num, sizeof(num), "%lld", (long long)nc->consumer_ttl);
	bn_frame_add_header(f, "consumer-ttl", num);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)nc->prefetch);
	bn_frame_add_header(f, "prefetch", num);
	bn_frame_add_header(f, "decrease-priority",
	    nc->decrease_priority ? "true" : "false");
	bn_frame_add_header(f, "dynamic-only",
	    nc->dynamic_only ? "true" : "false");
	link_list_str(&nc->dynamic_include, &b);
	bn_frame_add_header(f, "dynamic-include", b.len ? b.data : "");
	link_list_str(&nc->static_include, &b);
	bn_frame_add_header(f, "static-include", b.len ? b.data : "");
	link_list_str(&nc->exclude, &b);
	bn_frame_add_header(f, "exclude", b.len ? b.data : "");
	if (nc->username != NULL)
		bn_frame_add_header(f, "login", nc->username);
	if (nc->password != NULL)
		bn_frame_add_header(f, "passcode", nc->password);
	if (l->d->cfg->management_uri != NULL)
		bn_frame_add_header(f, "mgmt", l->d->cfg->management_uri);
	bn_linkz_offer(l, f);
	bn_pace_offer(f);
	link_send_frame(l, f);
	bn_frame_free(f);
	bn_buf_free(&b);
}

static void
link_parse_list(const char *s, struct bn_dest_list *dl)
{
	const char	*p = s, *comma;

	dl->n = 0;
	dl->items = NULL;
	if (s == NULL || *s == '\0')
		return;
	for (;;) {
		comma = strchr(p, ',');
		dl->items = xrealloc(dl->items, (dl->n + 1) *
		    sizeof(*dl->items));
		memset(&dl->items[dl->n], 0, sizeof(dl->items[0]));
		dl->items[dl->n++].pattern = comma ?
		    xstrndup(p, (size_t)(comma - p)) : xstrdup(p);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

static int
link_hdr_ttl(const struct bn_frame *f, const char *name, int64_t *out)
{
	const char	*v = bn_frame_get(f, name);

	if (v == NULL) {
		*out = 1;
		return 0;
	}
	if (bn_strtoi64(v, -1, 1000, out) == -1)
		return -1;
	return 0;
}

/* The acceptor's view of the connector the dialer described. */
static struct bn_network_connector *
link_nc_from_hello(const struct bn_frame *f, const char **err)
{
	struct bn_network_connector	*nc;
	const char			*v;
	uint64_t			 u;

	if ((v = bn_frame_get(f, "connector")) != NULL &&
	    bn_name_check_str(v) != NULL) {
		*err = "bad connector name in BN_HELLO";
		return NULL;
	}
	nc = xcalloc(1, sizeof(*nc));
	nc->name = xstrdup(v != NULL ? v : "?");
	nc->uri = xstrdup("accepted");
	bn_reconnect_defaults(&nc->reconnect);
	nc->decrease_priority = true;
	nc->conduit = true;
	nc->prefetch = 1000;
	if (link_hdr_ttl(f, "message-ttl", &nc->message_ttl) == -1 ||
	    link_hdr_ttl(f, "consumer-ttl", &nc->consumer_ttl) == -1) {
		*err = "bad TTL in BN_HELLO";
		goto fail;
	}
	nc->network_ttl = nc->message_ttl;
	if ((v = bn_frame_get(f, "duplex")) != NULL &&
	    bn_strtobool(v, &nc->duplex) == -1) {
		*err = "bad duplex in BN_HELLO";
		goto fail;
	}
	if ((v = bn_frame_get(f, "decrease-priority")) != NULL &&
	    bn_strtobool(v, &nc->decrease_priority) == -1) {
		*err = "bad decrease-priority in BN_HELLO";
		goto fail;
	}
	if ((v = bn_frame_get(f, "dynamic-only")) != NULL &&
	    bn_strtobool(v, &nc->dynamic_only) == -1) {
		*err = "bad dynamic-only in BN_HELLO";
		goto fail;
	}
	if ((v = bn_frame_get(f, "prefetch")) != NULL) {
		if (bn_strtou64(v, 1000000, &u) == -1 || u == 0) {
			*err = "bad prefetch in BN_HELLO";
			goto fail;
		}
		nc->prefetch = u;
	}
	link_parse_list(bn_frame_get(f, "dynamic-include"),
	    &nc->dynamic_include);
	link_parse_list(bn_frame_get(f, "static-include"),
	    &nc->static_include);
	link_parse_list(bn_frame_get(f, "exclude"), &nc->exclude);
	return nc;
fail:
	link_free_nc(nc);
	return NULL;
}

static bool
link_check_credentials(struct bn_daemon *d, const char *login,
    const char *passcode)
{
	size_t	i;
	bool	ok = false;

	if (!d->cfg->auth_enabled)
		return true;
	for (i = 0; i < d->cfg->nusers; i++) {
		bool	u = bn_secure_streq(d->cfg->users[i].username,
			    login ? login : "");
		bool	p = bn_secure_streq(d->cfg->users[i].password,
			    passcode ? passcode : "");

		ok |= u & p;
	}
	return ok;
}

/* Acceptor: a BN_HELLO arrived. */
static bool
link_on_hello(struct bn_link *l, struct bn_frame *f)
{
	struct bn_daemon	*d = l->d;
	const char		*peer = bn_frame_get(f, "broker");
	const char		*ver = bn_frame_get(f, "version");
	const char		*err = NULL;
	struct bn_link		*o, *next;
	struct bn_frame		*w;
	char			 why[512];

	if ((err = bn_name_check_str(peer)) != NULL) {
		snprintf(why, sizeof(why), "BN_HELLO without a valid broker"
		    " name: %s (%s)", err, BN_NAME_RULE);
		link_refuse(l, why, true);
		return false;
	}
	err = NULL;
	if (ver == NULL || strcmp(ver, BN_LINK_VERSION) != 0) {
		snprintf(why, sizeof(why), "unsupported link version %s"
		    " (this sidecar speaks %s)", ver ? ver : "(none)",
		    BN_LINK_VERSION);
		link_refuse(l, why, true);
		return false;
	}
	if (strcmp(peer, d->self) == 0) {
		log_warnx("link %s: refused: peer is this broker (%s):"
		    " a connector points at its own sidecar", l->peer_addr,
		    peer);
		link_refuse(l, "loop: link to itself refused", false);
		return false;
	}
	if (!link_check_credentials(d, bn_frame_get(f, "login"),
	    bn_frame_get(f, "passcode"))) {
		log_warnx("link %s (%s): refused: bad credentials for user"
		    " \"%s\"", peer, l->peer_addr, bn_frame_get(f, "login") ?
		    bn_frame_get(f, "login") : "");
		link_refuse(l, "authentication failed", true);
		return false;
	}
	if ((l->nc = link_nc_from_hello(f, &err)) == NULL) {
		link_refuse(l, err, true);
		return false;
	}
	l->own_nc = true;
	l->peer = xstrdup(peer);
	l->connector = xstrdup(l->nc->name);
	l->peer_mgmt = xstrdup(bn_frame_get(f, "mgmt"));
	l->they_forward = true;
	l->duplex = l->nc->duplex;
	l->we_forward = l->duplex;
	/* One live link per (peer, connector): a reconnect replaces. */
	for (o = TAILQ_FIRST(&d->links); o != NULL; o = next) {
		next = TAILQ_NEXT(o, entry);
		if (o != l && !o->dialer && o->peer != NULL &&
		    strcmp(o->peer, peer) == 0 && o->connector != NULL &&
		    strcmp(o->connector, l->connector) == 0)
			bn_link_close(o, "replaced by a new connection");
	}
	w = bn_frame_new("BN_WELCOME");
	bn_frame_add_header(w, "broker", d->self);
	bn_frame_add_header(w, "version", BN_LINK_VERSION);
	if (d->cfg->management_uri != NULL)
		bn_frame_add_header(w, "mgmt", d->cfg->management_uri);
	bn_linkz_choose(l, f, w);
	/* BN_PACE only to a peer that offered it (older peers close on it) */
	bn_pace_peer(l, f);
	if (l->peer_pace)
		bn_pace_offer(w);
	link_send_frame(l, w);
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
	const char	*peer = bn_frame_get(f, "broker");
	const char	*ver = bn_frame_get(f, "version");
	const char	*err;

	char		 why[256];

	if (peer == NULL || ver == NULL || strcmp(ver, BN_LINK_VERSION) != 0) {
		bn_link_close(l, "bad BN_WELCOME (version or broker missing)");
		return false;
	}
	if ((err = bn_name_check_str(peer)) != NULL) {
		snprintf(why, sizeof(why), "bad BN_WELCOME: broker name %s",
		    err);
		bn_link_close(l, why);
		return false;
	}
	if (bn_linkz_chosen(l, f, &err) == -1) {
		bn_link_close(l, err);
		return false;
	}
	if (strcmp(peer, l->d->self) == 0) {
		l->dl->stopped = true;
		bn_link_close(l, "loop: the peer is this broker; not retrying");
		return false;
	}
	l->peer = xstrdup(peer);
	l->peer_mgmt = xstrdup(bn_frame_get(f, "mgmt"));
	bn_pace_peer(l, f);
	bn_linkz_start(l);
	link_go_up(l);
	return true;
}

static bool
link_on_demand(struct bn_link *l, struct bn_frame *f, bool add)
{
	struct bn_daemon	*d = l->d;
	const char		*q = bn_frame_get(f, "destination");
	const char		*path = bn_frame_get(f, "path");
	const char		*hs = bn_frame_get(f, "hops");
	uint64_t		 hops = 1;
	bool			 changed;

	if (q == NULL || *q == '\0' || strlen(q) > 1024) {
		bn_link_close(l, "bad DEMAND frame: no valid destination");
		return false;
	}
	d->c.adverts_received++;
	if (add) {
		if ((hs != NULL && (bn_strtou64(hs, 1000, &hops) == -1 ||
		    hops == 0)) || path == NULL) {
			bn_link_close(l, "bad DEMAND frame: hops or path");
			return false;
		}
		if (bn_name_path_check(path, strlen(path)) != NULL) {
			bn_link_close(l, "bad DEMAND frame: path is not a list"
			    " of broker names");
			return false;
		}
		if (bn_hmap_get(&l->remote, q) == NULL) {
			if (bn_hmap_count(&l->remote) >= BN_LINK_MAX_ADVERTS) {
				bn_link_close(l, "peer advertised more than the"
				    " allowed number of queues");
				return false;
			}
			bn_hmap_put(&l->remote, q, xstrdup(path));
		}
		log_debug("link %s: demand for %s (hops %llu, path %s)",
		    link_name(l), q, (unsigned long long)hops, path);
		if (!l->we_forward)
			return true;
		changed = bn_demand_remote_set(&d->demand, q, l->id,
		    (uint32_t)hops, path);
	} else {
		free(bn_hmap_del(&l->remote, q));
		log_debug("link %s: no more demand for %s", link_name(l), q);
		if (!l->we_forward)
			return true;
		changed = bn_demand_remote_del(&d->demand, q, l->id);
	}
	if (changed) {
		bn_fwd_sync(l, q);
		bn_daemon_queue_changed(d, q);
	}
	return true;
}

static bool
link_on_frame(struct bn_frame *f, void *arg)
{
	struct bn_link	*l = arg;
	const char	*cmd = f->command;
	bool		 alive = true;

	log_trace("link %s: %s", link_name(l), cmd);
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
			link_refuse(l, why, true);
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
			link_refuse(l, err, true);
			return false;
		}
		return bn_recv_on_link_message(l, f) == 0;
	}
	if (strcmp(cmd, "MESSAGE") == 0) {
		/* the frame now belongs to forward.c */
		return bn_recv_on_link_message(l, f) == 0;
	}
	if (strcmp(cmd, "ACK") == 0)
		alive = bn_fwd_on_link_ack(l, bn_frame_get(f, "ids")) == 0;
	else if (strcmp(cmd, "DEMAND") == 0)
		alive = link_on_demand(l, f, true);
	else if (strcmp(cmd, "NODEMAND") == 0)
		alive = link_on_demand(l, f, false);
	else if (strcmp(cmd, "BN_PACE") == 0)
		alive = bn_pace_on_frame(l, f);
	else if (strcmp(cmd, "BYE") == 0) {
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
		link_refuse(l, why, true);
		alive = false;
	}
	bn_frame_free(f);
	return alive;
}

static void
link_read_cb(struct bufferevent *bev, void *arg)
{
	struct bn_link		*l = arg;
	struct bn_daemon	*d = l->d;
	struct evbuffer		*in = bufferevent_get_input(bev);
	const char		*err;
	size_t			 before = evbuffer_get_length(in);
	uint64_t		 id = l->id;
	int			 rc;

	l->bytes_in += before;
	rc = 0;
	if (!bn_linkz_reading(l))
		rc = bn_evframe_read(in, &l->limits, &l->need, link_on_frame,
		    l, &err);
	/* A frame (BYE, ERROR, bad input) may have closed and freed l. */
	if (bn_link_find(d, id) != l)
		return;
	/* the handshake may just have switched compression on */
	if (rc == 0 && bn_linkz_reading(l) &&
	    (rc = bn_linkz_read(l, in, link_on_frame, &err)) == 1)
		return;
	if (rc == -1) {
		char	why[256];

		snprintf(why, sizeof(why), "bad frame from peer: %s", err);
		l->d->c.link_errors++;
		log_warnx("link %s (%s): %s", link_name(l),
		    l->peer_addr ? l->peer_addr : "?", why);
		link_refuse(l, why, true);
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

static struct bn_link *
link_new(struct bn_daemon *d, struct bufferevent *bev, const char *addr)
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
	bn_hmap_init(&l->adverts);
	bn_hmap_init(&l->remote);
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
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&d->links, l, entry);
	return l;
}

static void
link_accept_cb(struct evconnlistener *el, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct bn_listener	*ls = arg;
	struct bn_daemon	*d = ls->d;
	struct bufferevent	*bev;
	char			 host[INET6_ADDRSTRLEN] = "?", addr[80];
	int			 one = 1;
	uint16_t		 port = 0;

	if (sa->sa_family == AF_INET) {
		struct sockaddr_in	*sin = (struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
	}
	snprintf(addr, sizeof(addr), "%s:%u", host, port);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (ls->tls != NULL)
		bev = bn_tls_accept(d->base, ls->tls, fd);
	else
		bev = bufferevent_socket_new(d->base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		log_warnx("listener %s: cannot set up %s", ls->tc->name, addr);
		evutil_closesocket(fd);
		return;
	}
	bn_link_accept_bev(ls, bev, addr);
}

struct bn_link *
bn_link_accept_bev(struct bn_listener *ls, struct bufferevent *bev,
    const char *addr)
{
	struct bn_daemon	*d = ls->d;
	struct bn_link		*l;

	l = link_new(d, bev, addr);
	l->limits.max_frame_size = (size_t)ls->tc->max_frame_size;
	l->state = BN_LINK_HANDSHAKE;
	if (d->stopping) {
		link_refuse(l, "sidecar stopping", true);
		return NULL;
	}
	if (ls->nconns >= ls->tc->max_connections) {
		char	why[128];

		ls->refused++;
		snprintf(why, sizeof(why), "too many connections on %s"
		    " (maximumConnections=%llu)", ls->tc->name,
		    (unsigned long long)ls->tc->max_connections);
		log_warnx("listener %s: refused %s: %s", ls->tc->name, addr,
		    why);
		link_refuse(l, why, true);
		return NULL;
	}
	/* Counted only once admitted: bn_link_close gives the slot back. */
	l->ls = ls;
	ls->nconns++;
	log_debug("listener %s: connection from %s", ls->tc->name, addr);
	return l;
}

int
bn_link_listen(struct bn_daemon *d)
{
	struct bn_config	*cfg = d->cfg;
	size_t			 i;

	d->listeners = xcalloc(cfg->nlisteners ? cfg->nlisteners : 1,
	    sizeof(*d->listeners));
	d->nlisteners = cfg->nlisteners;
	for (i = 0; i < cfg->nlisteners; i++) {
		struct bn_listener		*ls = &d->listeners[i];
		struct bn_transport_connector	*tc = &cfg->listeners[i];
		struct evutil_addrinfo		 hints, *ai = NULL;
		char				 port[8];
		int				 rc;

		ls->d = d;
		ls->tc = tc;
		if (strcmp(tc->listen.scheme, "ssl") == 0) {
			char	err[512];

			ls->tls = bn_tls_server_ctx(cfg, tc->need_client_auth,
			    err, sizeof(err));
			if (ls->tls == NULL) {
				log_warnx("listener %s: %s", tc->name, err);
				return -1;
			}
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = EVUTIL_AI_PASSIVE;
		snprintf(port, sizeof(port), "%u", tc->listen.port);
		if ((rc = evutil_getaddrinfo(tc->listen.host, port, &hints,
		    &ai)) != 0) {
			log_warnx("listener %s: cannot resolve %s: %s",
			    tc->name, tc->listen.host, evutil_gai_strerror(rc));
			return -1;
		}
		ls->el = evconnlistener_new_bind(d->base, link_accept_cb, ls,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
		    ai->ai_addr, (int)ai->ai_addrlen);
		evutil_freeaddrinfo(ai);
		if (ls->el == NULL) {
			log_warn("listener %s: cannot listen on %s:%u",
			    tc->name, tc->listen.host, tc->listen.port);
			return -1;
		}
		log_info("listener %s: accepting links on %s:%u", tc->name,
		    tc->listen.host, tc->listen.port);
		if (!cfg->auth_enabled && strcmp(tc->listen.host,
		    "127.0.0.1") != 0 && strcmp(tc->listen.host, "::1") != 0 &&
		    strcmp(tc->listen.host, "localhost") != 0)
			log_warnx("listener %s: bound to %s without"
			    " <simpleAuthenticationPlugin>: any peer is"
			    " accepted", tc->name, tc->listen.host);
	}
	return 0;
}

static void
link_dial_cb(evutil_socket_t fd, short ev, void *arg)
{
	link_dial(arg);
}

static void
link_dial(struct bn_dialer *dl)
{
	struct bn_daemon		*d = dl->d;
	const struct bn_endpoint	*ep = &dl->eps[dl->cur];
	struct evutil_addrinfo		 hints, *ai = NULL;
	struct bufferevent		*bev;
	struct bn_link			*l;
	char				 port[8], addr[300];
	int				 rc;

	if (dl->stopped || d->stopping || dl->link != NULL)
		return;
	dl->attempts++;
	snprintf(addr, sizeof(addr), "%s:%u", ep->host, ep->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", ep->port);
	if ((rc = evutil_getaddrinfo(ep->host, port, &hints, &ai)) != 0) {
		char	why[300];

		snprintf(why, sizeof(why), "cannot resolve %s: %s", ep->host,
		    evutil_gai_strerror(rc));
		link_schedule_redial(dl, why);
		return;
	}
	if (strcmp(ep->scheme, "ssl") == 0) {
		if (d->tls_client == NULL) {
			char	err[512];

			d->tls_client = bn_tls_client_ctx(d->cfg, err,
			    sizeof(err));
			if (d->tls_client == NULL) {
				evutil_freeaddrinfo(ai);
				log_warnx("connector %s: %s", dl->nc->name, err);
				dl->stopped = true;
				free(dl->last_error);
				dl->last_error = xstrdup(err);
				return;
			}
		}
		bev = bn_tls_connect(d->base, d->tls_client, ep->host,
		    d->cfg->ssl_verify_host);
	} else
		bev = bufferevent_socket_new(d->base, -1,
		    BEV_OPT_CLOSE_ON_FREE);
	l = link_new(d, bev, addr);
	l->dialer = true;
	l->dl = dl;
	l->nc = dl->nc;
	l->connector = xstrdup(dl->nc->name);
	l->we_forward = true;
	l->duplex = dl->nc->duplex || dl->discovered;
	l->they_forward = l->duplex;
	l->state = BN_LINK_CONNECTING;
	dl->link = l;
	log_debug("connector %s: dialing %s", dl->nc->name, addr);
	if (bufferevent_socket_connect(bev, ai->ai_addr,
	    (int)ai->ai_addrlen) == -1) {
		evutil_freeaddrinfo(ai);
		bn_link_close(l, "connect failed");
		return;
	}
	evutil_freeaddrinfo(ai);
}

static struct bn_dialer *
link_add_dialer(struct bn_daemon *d, struct bn_network_connector *nc,
    const struct bn_endpoint *eps, size_t n)
{
	struct bn_dialer	*dl;
	struct timeval		 tv = { 0, 0 };
	size_t			 i;

	dl = xcalloc(1, sizeof(*dl));
	dl->d = d;
	dl->nc = nc;
	dl->eps = xcalloc(n, sizeof(*dl->eps));
	for (i = 0; i < n; i++) {
		dl->eps[i].scheme = xstrdup(eps[i].scheme);
		dl->eps[i].host = xstrdup(eps[i].host);
		dl->eps[i].port = eps[i].port;
	}
	dl->neps = n;
	bn_backoff_init(&dl->backoff, nc->reconnect.initial_delay_ms,
	    nc->reconnect.max_delay_ms, nc->reconnect.exponential,
	    nc->reconnect.multiplier, nc->reconnect.jitter,
	    nc->reconnect.max_attempts);
	dl->timer = evtimer_new(d->base, link_dial_cb, dl);
	TAILQ_INSERT_TAIL(&d->dialers, dl, entry);
	evtimer_add(dl->timer, &tv);
	return dl;
}

static void
link_remove_dialer(struct bn_dialer *dl)
{
	size_t	i;

	if (dl->link != NULL)
		dl->link->dl = NULL;
	TAILQ_REMOVE(&dl->d->dialers, dl, entry);
	event_free(dl->timer);
	for (i = 0; i < dl->neps; i++)
		bn_endpoint_free(&dl->eps[i]);
	free(dl->eps);
	free(dl->last_error);
	free(dl->peer_name);
	free(dl);
}

/*
 * mDNS saw a peer of the group come or go. Exactly one link per pair: the
 * smaller broker name dials; the link is duplex. A vanished service keeps
 * its link while heart-beats flow; it is only not re-dialed.
 */
static void
link_mdns_peer(void *arg, const char *broker, const char *host,
    uint16_t port, bool up)
{
	struct bn_mcast		*mc = arg;
	struct bn_daemon	*d = mc->d;
	struct bn_dialer	*dl;
	struct bn_endpoint	 ep;
	int			 cmp = strcmp(d->self, broker);

	TAILQ_FOREACH(dl, &d->dialers, entry)
		if (dl->discovered && dl->nc == mc->nc &&
		    strcmp(dl->peer_name, broker) == 0)
			break;
	if (cmp == 0) {
		log_warnx("connector %s: another sidecar in group %s uses our"
		    " name %s (%s:%u); ignored", mc->nc->name, mc->nc->group,
		    broker, host, port);
		return;
	}
	if (!up) {
		if (dl != NULL) {
			dl->gone = true;
			if (dl->link == NULL)
				link_remove_dialer(dl);
		}
		return;
	}
	if (cmp > 0) {
		log_debug("connector %s: %s found at %s:%u; it dials us",
		    mc->nc->name, broker, host, port);
		return;
	}
	if (dl != NULL) {
		dl->gone = false;
		if (strcmp(dl->eps[0].host, host) != 0 ||
		    dl->eps[0].port != port) {
			free(dl->eps[0].host);
			dl->eps[0].host = xstrdup(host);
			dl->eps[0].port = port;
			log_info("connector %s: %s moved to %s:%u",
			    mc->nc->name, broker, host, port);
		}
		return;
	}
	ep.scheme = "tcp";
	ep.host = (char *)host;
	ep.port = port;
	dl = link_add_dialer(d, mc->nc, &ep, 1);
	dl->discovered = true;
	dl->peer_name = xstrdup(broker);
	log_info("connector %s: discovered %s at %s:%u; dialing", mc->nc->name,
	    broker, host, port);
}

static int
link_mcast_start(struct bn_daemon *d, struct bn_network_connector *nc)
{
	struct bn_mcast	*mc;

	if (d->nlisteners == 0) {
		log_warnx("connector %s: %s needs a <transportConnector> to"
		    " publish; add one", nc->name, nc->uri);
		return -1;
	}
	mc = xcalloc(1, sizeof(*mc));
	mc->d = d;
	mc->nc = nc;
	mc->mdns = bn_mdns_new(d->base, nc->group, d->self, nc->interface,
	    d->listeners[0].tc->listen.port, link_mdns_peer, mc);
	if (mc->mdns == NULL) {
		free(mc);
		log_warnx("connector %s: cannot start discovery", nc->name);
		return -1;
	}
	TAILQ_INSERT_TAIL(&d->mcasts, mc, entry);
	return 0;
}

static bool
link_str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
link_list_eq(const struct bn_dest_list *a, const struct bn_dest_list *b)
{
	size_t	i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->items[i].topic != b->items[i].topic ||
		    strcmp(a->items[i].pattern, b->items[i].pattern) != 0)
			return false;
	return true;
}

/* Whether a running connector can keep its links under the new config. */
static bool
link_nc_same(const struct bn_network_connector *a,
    const struct bn_network_connector *b)
{
	return strcmp(a->uri, b->uri) == 0 &&
	    a->network_ttl == b->network_ttl &&
	    a->message_ttl == b->message_ttl &&
	    a->consumer_ttl == b->consumer_ttl && a->duplex == b->duplex &&
	    a->dynamic_only == b->dynamic_only &&
	    a->decrease_priority == b->decrease_priority &&
	    a->prefetch == b->prefetch && a->conduit == b->conduit &&
	    a->replay_delay_ms == b->replay_delay_ms &&
	    a->use_compression == b->use_compression &&
	    link_str_eq(a->username, b->username) &&
	    link_str_eq(a->password, b->password) &&
	    link_list_eq(&a->dynamic_include, &b->dynamic_include) &&
	    link_list_eq(&a->static_include, &b->static_include) &&
	    link_list_eq(&a->exclude, &b->exclude);
}

/* Stops everything that runs for connector nc. */
static void
link_stop_connector(struct bn_daemon *d, struct bn_network_connector *nc,
    const char *why)
{
	struct bn_dialer	*dl, *dnext;
	struct bn_mcast		*mc, *mnext;

	for (mc = TAILQ_FIRST(&d->mcasts); mc != NULL; mc = mnext) {
		mnext = TAILQ_NEXT(mc, entry);
		if (mc->nc != nc)
			continue;
		TAILQ_REMOVE(&d->mcasts, mc, entry);
		bn_mdns_free(mc->mdns);
		free(mc);
	}
	for (dl = TAILQ_FIRST(&d->dialers); dl != NULL; dl = dnext) {
		dnext = TAILQ_NEXT(dl, entry);
		if (dl->nc != nc)
			continue;
		dl->stopped = true;
		if (dl->link != NULL)
			bn_link_close(dl->link, why);
		/* the dialer may have been re-fetched: find it again */
		link_remove_dialer(dl);
	}
}

/* Points every runtime reference to old at new (same settings). */
static void
link_repoint_connector(struct bn_daemon *d, struct bn_network_connector *old,
    struct bn_network_connector *new)
{
	struct bn_dialer	*dl;
	struct bn_mcast		*mc;
	struct bn_link		*l;

	TAILQ_FOREACH(dl, &d->dialers, entry)
		if (dl->nc == old)
			dl->nc = new;
	TAILQ_FOREACH(mc, &d->mcasts, entry)
		if (mc->nc == old)
			mc->nc = new;
	TAILQ_FOREACH(l, &d->links, entry)
		if (!l->own_nc && l->nc == old)
			l->nc = new;
}

void
bn_link_reconfigure(struct bn_daemon *d, struct bn_config *n)
{
	struct bn_config	*c = d->cfg;
	size_t			 i, j, added = 0, removed = 0, kept = 0;
	struct bn_network_connector *tmp;
	struct bn_auth_user	*utmp;
	size_t			 ntmp;
	bool			 btmp;

	/* removed or changed: stop them */
	for (i = 0; i < c->nconnectors; i++) {
		for (j = 0; j < n->nconnectors; j++)
			if (strcmp(c->connectors[i].name,
			    n->connectors[j].name) == 0)
				break;
		if (j < n->nconnectors && link_nc_same(&c->connectors[i],
		    &n->connectors[j])) {
			link_repoint_connector(d, &c->connectors[i],
			    &n->connectors[j]);
			kept++;
			continue;
		}
		log_info("reload: connector %s %s", c->connectors[i].name,
		    j < n->nconnectors ? "changed: restarting it" : "removed");
		link_stop_connector(d, &c->connectors[i], j < n->nconnectors ?
		    "connector changed by reload" : "connector removed by reload");
		removed++;
	}
	/* swap the connector arrays and users into the running config */
	tmp = c->connectors;
	ntmp = c->nconnectors;
	c->connectors = n->connectors;
	c->nconnectors = n->nconnectors;
	n->connectors = tmp;
	n->nconnectors = ntmp;
	utmp = c->users;
	ntmp = c->nusers;
	btmp = c->auth_enabled;
	c->users = n->users;
	c->nusers = n->nusers;
	c->auth_enabled = n->auth_enabled;
	n->users = utmp;
	n->nusers = ntmp;
	n->auth_enabled = btmp;
	/* added or changed: start them */
	for (i = 0; i < c->nconnectors; i++) {
		struct bn_network_connector	*nc = &c->connectors[i];
		bool				 running = false;
		struct bn_dialer		*dl;
		struct bn_mcast			*mc;

		TAILQ_FOREACH(dl, &d->dialers, entry)
			running |= dl->nc == nc;
		TAILQ_FOREACH(mc, &d->mcasts, entry)
			running |= mc->nc == nc;
		if (running)
			continue;
		log_info("reload: connector %s started (%s)", nc->name,
		    nc->uri);
		link_start_connector(d, nc);
		added++;
	}
	log_info("reload: %zu connector(s) kept, %zu stopped, %zu started",
	    kept, removed, added);
}

void
bn_link_free_dialers(struct bn_daemon *d)
{
	struct bn_mcast		*mc;
	struct bn_dialer	*dl;

	while ((mc = TAILQ_FIRST(&d->mcasts)) != NULL) {
		TAILQ_REMOVE(&d->mcasts, mc, entry);
		bn_mdns_free(mc->mdns);
		free(mc);
	}
	while ((dl = TAILQ_FIRST(&d->dialers)) != NULL)
		link_remove_dialer(dl);
	bn_tls_ctx_free(d->tls_client);
	d->tls_client = NULL;
}

static int
link_start_connector(struct bn_daemon *d, struct bn_network_connector *nc)
{
	size_t	j;

	if (nc->discovery == BN_DISC_MULTICAST)
		return link_mcast_start(d, nc);
	if (nc->masterslave)
		link_add_dialer(d, nc, nc->peers, nc->npeers);
	else
		for (j = 0; j < nc->npeers; j++)
			link_add_dialer(d, nc, &nc->peers[j], 1);
	return 0;
}

void
bn_link_unlisten(struct bn_daemon *d)
{
	size_t	i;

	for (i = 0; i < d->nlisteners; i++) {
		if (d->listeners[i].el != NULL)
			evconnlistener_free(d->listeners[i].el);
		bn_tls_ctx_free(d->listeners[i].tls);
	}
	free(d->listeners);
	d->listeners = NULL;
	d->nlisteners = 0;
}

int
bn_link_dial_all(struct bn_daemon *d)
{
	size_t	i;

	for (i = 0; i < d->cfg->nconnectors; i++)
		if (link_start_connector(d, &d->cfg->connectors[i]) == -1)
			return -1;
	return 0;
}
/* What we last told the peer about q, as "hops path", or NULL. */
void
bn_link_advert_sync(struct bn_link *l, const char *q)
{
	struct bn_daemon	*d = l->d;
	struct bn_buf		 path = { 0 }, want = { 0 };
	const char		*have;
	enum bn_filter_verdict	 v;
	uint32_t		 hops = 0;
	bool			 on = false;
	struct bn_frame		*f;
	char			 num[16];

	if (l->state != BN_LINK_UP || !l->they_forward)
		return;
	v = bn_connector_filter(l->nc, q);
	if (v != BN_FILTER_DENY && d->broker_up && !d->stopping)
		on = bn_demand_advert(&d->demand, q, l->id, l->peer, d->self,
		    l->nc->consumer_ttl, &hops, &path);
	if (on)
		bn_buf_printf(&want, "%u %s", hops, path.data);
	have = bn_hmap_get(&l->adverts, q);
	if ((!on && have == NULL) || (on && have != NULL &&
	    strcmp(have, want.data) == 0))
		goto out;
	if (on) {
		f = bn_frame_new("DEMAND");
		bn_frame_add_header(f, "destination", q);
		snprintf(num, sizeof(num), "%u", hops);
		bn_frame_add_header(f, "hops", num);
		bn_frame_add_header(f, "path", path.data);
		free(bn_hmap_put(&l->adverts, q, xstrdup(want.data)));
		log_debug("link %s: advertising %s (hops %u)", link_name(l),
		    q, hops);
	} else {
		f = bn_frame_new("NODEMAND");
		bn_frame_add_header(f, "destination", q);
		free(bn_hmap_del(&l->adverts, q));
		log_debug("link %s: withdrawing %s", link_name(l), q);
	}
	link_send_frame(l, f);
	bn_frame_free(f);
	d->c.adverts_sent++;
out:
	bn_buf_free(&path);
	bn_buf_free(&want);
}

void
bn_link_advert_all(struct bn_link *l)
{
	struct bn_hmap_ent	*e;
	struct bn_buf		 names = { 0 };
	size_t			 i, off;

	/* Collect first: advert_sync does not change the demand table. */
	for (e = bn_hmap_first(&l->d->demand.queues, &i); e != NULL;
	    e = bn_hmap_next(&l->d->demand.queues, e, &i))
		bn_buf_add(&names, e->key, strlen(e->key) + 1);
	for (e = bn_hmap_first(&l->adverts, &i); e != NULL;
	    e = bn_hmap_next(&l->adverts, e, &i))
		bn_buf_add(&names, e->key, strlen(e->key) + 1);
	for (off = 0; off < names.len; off += strlen(names.data + off) + 1)
		bn_link_advert_sync(l, names.data + off);
	bn_buf_free(&names);
}

void
bn_link_pause_all(struct bn_daemon *d, bool pause)
{
	struct bn_link	*l;
	uint64_t	*ids = NULL;
	size_t		 n = 0, i;

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
	struct bn_dialer	*dl;
	struct bn_frame		*f;

	TAILQ_FOREACH(dl, &d->dialers, entry) {
		dl->stopped = true;
		if (dl->timer != NULL)
			event_del(dl->timer);
	}
	while ((l = TAILQ_FIRST(&d->links)) != NULL) {
		if (l->state == BN_LINK_UP && l->bev != NULL) {
			link_ack_flush_cb(-1, 0, l);
			f = bn_frame_new("BYE");
			bn_frame_add_header(f, "reason", reason);
			link_send_frame(l, f);
			bn_frame_free(f);
			link_detach_flush(l);
		}
		bn_link_close(l, reason);
	}
}
