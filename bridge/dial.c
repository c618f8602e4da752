/*
 * The connectors that dial: static dialers with back-off, masterslave
 * lists, multicast:// discovery over mDNS, and SIGHUP's reload of the
 * connectors. See include/brokernet/dial.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/dial.h"
#include "brokernet/link.h"
#include "brokernet/listen.h"
#include "brokernet/log.h"
#include "brokernet/mdns.h"
#include "brokernet/tls.h"

static void	dial_connect(struct bn_dialer *);
static void	dial_remove(struct bn_dialer *);
static int	dial_start_connector(struct bn_daemon *,
		    struct bn_network_connector *);

static void
dial_schedule_redial(struct bn_dialer *dl, const char *why)
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
		dial_remove(dl);
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
dial_wake_siblings(struct bn_dialer *dl)
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

/*
 * link.c: the link this dialer made closed (l->on_closed). Dial again; a
 * link that had been up starts the back-off over, and its siblings too.
 */
static void
dial_link_closed(struct bn_dialer *dl, const char *reason, bool was_up)
{
	dl->link = NULL;
	if (was_up) {
		bn_backoff_reset(&dl->backoff);
		dial_wake_siblings(dl);
	}
	dial_schedule_redial(dl, reason);
}

static void
dial_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	dial_connect(arg);
}

static void
dial_connect(struct bn_dialer *dl)
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
		dial_schedule_redial(dl, why);
		return;
	}
	if (bn_endpoint_is_tls(ep) && d->tls_client == NULL) {
		char	err[512];

		if ((d->tls_client = bn_tls_client_ctx(d->cfg, err,
		    sizeof(err))) == NULL) {
			evutil_freeaddrinfo(ai);
			log_warnx("connector %s: %s", dl->nc->name, err);
			dl->stopped = true;
			free(dl->last_error);
			dl->last_error = xstrdup(err);
			return;
		}
	}
	bev = bn_tls_or_plain(d->base, ep, d->tls_client,
	    d->cfg->ssl_verify_host);
	l = bn_link_new(d, bev, addr);
	l->dialer = true;
	l->dl = dl;
	l->on_closed = dial_link_closed;
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
dial_add(struct bn_daemon *d, struct bn_network_connector *nc,
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
	dl->timer = evtimer_new(d->base, dial_timer_cb, dl);
	TAILQ_INSERT_TAIL(&d->dialers, dl, entry);
	evtimer_add(dl->timer, &tv);
	return dl;
}

static void
dial_remove(struct bn_dialer *dl)
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
dial_mdns_peer(void *arg, const char *broker, const char *host,
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
				dial_remove(dl);
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
	dl = dial_add(d, mc->nc, &ep, 1);
	dl->discovered = true;
	dl->peer_name = xstrdup(broker);
	log_info("connector %s: discovered %s at %s:%u; dialing", mc->nc->name,
	    broker, host, port);
}

static int
dial_mcast_start(struct bn_daemon *d, struct bn_network_connector *nc)
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
	    d->listeners[0].tc->listen.port, dial_mdns_peer, mc);
	if (mc->mdns == NULL) {
		free(mc);
		log_warnx("connector %s: cannot start discovery", nc->name);
		return -1;
	}
	TAILQ_INSERT_TAIL(&d->mcasts, mc, entry);
	return 0;
}

static bool
dial_str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
dial_list_eq(const struct bn_dest_list *a, const struct bn_dest_list *b)
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
dial_nc_same(const struct bn_network_connector *a,
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
	    dial_str_eq(a->username, b->username) &&
	    dial_str_eq(a->password, b->password) &&
	    dial_list_eq(&a->dynamic_include, &b->dynamic_include) &&
	    dial_list_eq(&a->static_include, &b->static_include) &&
	    dial_list_eq(&a->exclude, &b->exclude);
}

/* Stops everything that runs for connector nc. */
static void
dial_stop_connector(struct bn_daemon *d, struct bn_network_connector *nc,
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
		dial_remove(dl);
	}
}

/* Points every runtime reference to old at new (same settings). */
static void
dial_repoint_connector(struct bn_daemon *d, struct bn_network_connector *old,
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
bn_dial_reconfigure(struct bn_daemon *d, struct bn_config *n)
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
		if (j < n->nconnectors && dial_nc_same(&c->connectors[i],
		    &n->connectors[j])) {
			dial_repoint_connector(d, &c->connectors[i],
			    &n->connectors[j]);
			kept++;
			continue;
		}
		log_info("reload: connector %s %s", c->connectors[i].name,
		    j < n->nconnectors ? "changed: restarting it" : "removed");
		dial_stop_connector(d, &c->connectors[i], j < n->nconnectors ?
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
		dial_start_connector(d, nc);
		added++;
	}
	log_info("reload: %zu connector(s) kept, %zu stopped, %zu started",
	    kept, removed, added);
}

void
bn_dial_free_all(struct bn_daemon *d)
{
	struct bn_mcast		*mc;
	struct bn_dialer	*dl;

	while ((mc = TAILQ_FIRST(&d->mcasts)) != NULL) {
		TAILQ_REMOVE(&d->mcasts, mc, entry);
		bn_mdns_free(mc->mdns);
		free(mc);
	}
	while ((dl = TAILQ_FIRST(&d->dialers)) != NULL)
		dial_remove(dl);
	bn_tls_ctx_free(d->tls_client);
	d->tls_client = NULL;
}

static int
dial_start_connector(struct bn_daemon *d, struct bn_network_connector *nc)
{
	size_t	j;

	if (nc->discovery == BN_DISC_MULTICAST)
		return dial_mcast_start(d, nc);
	if (nc->masterslave)
		dial_add(d, nc, nc->peers, nc->npeers);
	else
		for (j = 0; j < nc->npeers; j++)
			dial_add(d, nc, &nc->peers[j], 1);
	return 0;
}

void
bn_dial_stop_all(struct bn_daemon *d)
{
	struct bn_dialer	*dl;

	TAILQ_FOREACH(dl, &d->dialers, entry) {
		dl->stopped = true;
		if (dl->timer != NULL)
			event_del(dl->timer);
	}
}

int
bn_dial_all(struct bn_daemon *d)
{
	size_t	i;

	for (i = 0; i < d->cfg->nconnectors; i++)
		if (dial_start_connector(d, &d->cfg->connectors[i]) == -1)
			return -1;
	return 0;
}
