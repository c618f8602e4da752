/*
 * multicast:// discovery over mDNS/DNS-SD with avahi-client on the
 * daemon's libevent loop.
 *
 * One avahi client per struct bn_mdns, created with AVAHI_CLIENT_NO_FAIL.
 * When the client reaches RUNNING we publish our link listener and browse
 * the group's subtype; when avahi-daemon goes away the client fails with
 * AVAHI_ERR_DISCONNECTED and is replaced (from a timer, never from inside
 * avahi's own callback) by a new one that waits for the daemon to return.
 *
 * Browse events arrive per (interface, protocol, instance name); resolving
 * an instance gives its TXT broker= name. Peers are keyed by broker name:
 * a peer is reported up when its first instance resolves (or when the
 * address it was reported at is no longer offered by any instance) and
 * down when its last instance is removed. Across a daemon restart the
 * peers are kept, marked stale, and only reported down if the new browser
 * has not seen them again after MDNS_SWEEP_MS: liveness comes from link
 * heart-beats, mDNS only says where to dial.
 */
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/address.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>

#include "brokernet/avahipoll.h"
#include "brokernet/log.h"
#include "brokernet/mdns.h"
#include "brokernet/names.h"
#include "brokernet/util.h"

#define MDNS_TYPE		"_brokernet._tcp"
#define MDNS_VERSION		"1"
#define MDNS_LABEL_MAX		63	/* one DNS label (instance name) */
#define MDNS_TXT_MAX		255	/* one TXT string, "key=value" */
#define MDNS_RETRY_MIN_MS	1000
#define MDNS_RETRY_MAX_MS	30000
#define MDNS_REDO_MS		5000	/* re-publish / re-browse delay */
#define MDNS_SWEEP_MS		8000	/* stale peers after a reconnect */
#define MDNS_RENAME_MAX		100

enum mdns_state {
	MDNS_CONNECTING,
	MDNS_RUNNING,
	MDNS_FAILED
};

/* One browse result: (interface, protocol, instance name). */
struct mdns_inst {
	TAILQ_ENTRY(mdns_inst)	 entry;
	struct bn_mdns		*m;
	AvahiIfIndex		 ifindex;
	AvahiProtocol		 proto;
	char			*name;
	char			*domain;
	AvahiServiceResolver	*resolver;
	bool			 resolved;	/* our group, v=1, address */
	bool			 warned;	/* logged why it is ignored */
	char			*broker;	/* when resolved */
	char			 host[AVAHI_ADDRESS_STR_MAX];
	uint16_t		 port;
};

/* One reported peer, keyed by broker name. */
struct mdns_peer {
	TAILQ_ENTRY(mdns_peer)	 entry;
	char			*broker;
	char			 host[AVAHI_ADDRESS_STR_MAX];
	uint16_t		 port;
	AvahiIfIndex		 ifindex;
	bool			 stale;		/* not seen since a reconnect */
};

struct bn_mdns {
	struct event_base		*base;
	struct bn_avahipoll		*ap;
	char				*group;
	char				*self;
	char				*iface;
	AvahiIfIndex			 ifindex;
	uint16_t			 port;
	bn_mdns_peer_fn			 cb;
	void				*arg;

	char				*name;		/* instance name */
	char				*subtype;
	char				*txt_group;
	char				*txt_broker;

	AvahiClient			*client;
	AvahiEntryGroup			*eg;
	AvahiServiceBrowser		*browser;
	enum mdns_state			 state;
	bool				 published;
	int				 renames;
	int				 retry_ms;
	bool				 warned_connect;

	struct event			*reconnect_ev;
	struct event			*republish_ev;
	struct event			*rebrowse_ev;
	struct event			*sweep_ev;

	TAILQ_HEAD(mdns_instq, mdns_inst)	 insts;
	TAILQ_HEAD(mdns_peerq, mdns_peer)	 peers;
};

static void	mdns_client_cb(AvahiClient *, AvahiClientState, void *);
static void	mdns_publish(struct bn_mdns *);
static void	mdns_browse_start(struct bn_mdns *);

static void
mdns_after(struct event *ev, int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	event_add(ev, &tv);
}

static const char *
mdns_ifname(AvahiIfIndex ifindex, char *buf)
{
	if (ifindex < 0 || if_indextoname((unsigned)ifindex, buf) == NULL)
		return "any";
	return buf;
}

static const char *
mdns_client_error(struct bn_mdns *m)
{
	if (m->client == NULL)
		return "no client";
	return avahi_strerror(avahi_client_errno(m->client));
}

/* "_GROUP._sub._brokernet._tcp" with GROUP reduced to one safe label. */
static char *
mdns_subtype(const char *group)
{
	struct bn_buf	 b = { 0 };
	const char	*p;
	size_t		 n = 0;

	bn_buf_addc(&b, '_');
	for (p = group; *p != '\0' && n < MDNS_LABEL_MAX - 1; p++, n++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
			bn_buf_addc(&b, *p);
		else
			bn_buf_addc(&b, '-');
	}
	bn_buf_addstr(&b, "._sub." MDNS_TYPE);
	bn_buf_addc(&b, '\0');
	return b.data;
}

/* The broker name cut to one DNS label, not inside a UTF-8 sequence. */
static char *
mdns_instance_name(const char *self)
{
	size_t	n = strlen(self);

	if (n <= MDNS_LABEL_MAX)
		return xstrdup(self);
	n = MDNS_LABEL_MAX;
	while (n > 0 && ((unsigned char)self[n] & 0xc0) == 0x80)
		n--;
	return xstrndup(self, n);
}

/* ---- peers */

static struct mdns_peer *
mdns_peer_find(struct bn_mdns *m, const char *broker)
{
	struct mdns_peer	*p;

	TAILQ_FOREACH(p, &m->peers, entry)
		if (strcmp(p->broker, broker) == 0)
			return p;
	return NULL;
}

static void
mdns_peer_remove(struct bn_mdns *m, struct mdns_peer *p, const char *why)
{
	char	ifbuf[IF_NAMESIZE];

	log_info("mdns %s: lost %s (was %s:%u on %s): %s", m->group,
	    p->broker, p->host, p->port, mdns_ifname(p->ifindex, ifbuf), why);
	TAILQ_REMOVE(&m->peers, p, entry);
	m->cb(m->arg, p->broker, p->host, p->port, false);
	free(p->broker);
	free(p);
}

/*
 * Re-derives what we report about one broker from the instances that
 * carry its name: up once, again only when its address changed; down
 * when none is left (stale peers wait for the sweep instead).
 */
static void
mdns_peer_update(struct bn_mdns *m, const char *broker)
{
	struct mdns_peer	*p = mdns_peer_find(m, broker);
	struct mdns_inst	*i, *best = NULL;
	char			 ifbuf[IF_NAMESIZE];
	bool			 moved;

	TAILQ_FOREACH(i, &m->insts, entry) {
		if (!i->resolved || strcmp(i->broker, broker) != 0)
			continue;
		if (best == NULL)
			best = i;
		if (p != NULL && strcmp(i->host, p->host) == 0 &&
		    i->port == p->port) {
			best = i;
			break;
		}
	}
	if (best == NULL) {
		if (p != NULL && !p->stale)
			mdns_peer_remove(m, p, "service withdrawn");
		return;
	}
	if (p == NULL) {
		p = xcalloc(1, sizeof(*p));
		p->broker = xstrdup(broker);
		TAILQ_INSERT_TAIL(&m->peers, p, entry);
		moved = true;
	} else
		moved = strcmp(p->host, best->host) != 0 ||
		    p->port != best->port;
	p->stale = false;
	p->ifindex = best->ifindex;
	if (!moved)
		return;
	memcpy(p->host, best->host, sizeof(p->host));
	p->port = best->port;
	log_info("mdns %s: discovered %s at %s:%u on %s (instance \"%s\")",
	    m->group, p->broker, p->host, p->port,
	    mdns_ifname(p->ifindex, ifbuf), best->name);
	m->cb(m->arg, p->broker, p->host, p->port, true);
}

/* ---- instances and their resolvers */

static struct mdns_inst *
mdns_inst_find(struct bn_mdns *m, AvahiIfIndex ifindex, AvahiProtocol proto,
    const char *name)
{
	struct mdns_inst	*i;

	TAILQ_FOREACH(i, &m->insts, entry)
		if (i->ifindex == ifindex && i->proto == proto &&
		    strcmp(i->name, name) == 0)
			return i;
	return NULL;
}

/* Frees one instance; the caller re-derives its broker's peer. */
static void
mdns_inst_free(struct bn_mdns *m, struct mdns_inst *i)
{
	TAILQ_REMOVE(&m->insts, i, entry);
	if (i->resolver != NULL)
		avahi_service_resolver_free(i->resolver);
	free(i->name);
	free(i->domain);
	free(i->broker);
	free(i);
}

/*
 * TXT value of key as a new string, or NULL when absent. A NUL inside the
 * value becomes 0x01, so that a name check refuses it instead of the C
 * string quietly ending there.
 */
static char *
mdns_txt(AvahiStringList *txt, const char *key)
{
	AvahiStringList	*l = avahi_string_list_find(txt, key);
	char		*k = NULL, *v = NULL, *r = NULL;
	size_t		 size = 0, i;

	if (l == NULL || avahi_string_list_get_pair(l, &k, &v, &size) < 0)
		return NULL;
	if (v != NULL)
		for (i = 0; i < size; i++)
			if (v[i] == '\0')
				v[i] = '\x01';
	r = v != NULL ? xstrdup(v) : xstrdup("");
	avahi_free(k);
	avahi_free(v);
	return r;
}

/* Marks an instance unusable and re-derives the peer it stood for. */
static void
mdns_inst_unresolve(struct bn_mdns *m, struct mdns_inst *i)
{
	char	*old = i->broker;

	i->resolved = false;
	i->broker = NULL;
	if (old != NULL) {
		mdns_peer_update(m, old);
		free(old);
	}
}

static void
mdns_resolve_cb(AvahiServiceResolver *r, AvahiIfIndex ifindex,
    AvahiProtocol proto, AvahiResolverEvent event, const char *name,
    const char *type, const char *domain, const char *host_name,
    const AvahiAddress *a, uint16_t port, AvahiStringList *txt,
    AvahiLookupResultFlags flags, void *userdata)
{
	struct mdns_inst	*i = userdata;
	struct bn_mdns		*m = i->m;
	char			*group = NULL, *broker = NULL, *v = NULL;
	const char		*why;
	char			 host[AVAHI_ADDRESS_STR_MAX];

	if (event != AVAHI_RESOLVER_FOUND) {
		/* Keep what we knew: only the browser says it is gone. */
		log_debug("mdns %s: cannot resolve \"%s\": %s", m->group,
		    name, avahi_strerror(avahi_client_errno(
		    avahi_service_resolver_get_client(r))));
		return;
	}
	group = mdns_txt(txt, "group");
	v = mdns_txt(txt, "v");
	broker = mdns_txt(txt, "broker");
	if (group == NULL || strcmp(group, m->group) != 0) {
		if (!i->warned)
			log_debug("mdns %s: \"%s\" is in group %s; ignored",
			    m->group, name, group ? group : "(none)");
		i->warned = true;
		mdns_inst_unresolve(m, i);
		goto out;
	}
	if (v == NULL || strcmp(v, MDNS_VERSION) != 0) {
		if (!i->warned)
			log_warnx("mdns %s: \"%s\" at %s:%u speaks discovery"
			    " v=%s, we speak v=%s; ignored", m->group, name,
			    host_name, port, v ? v : "(none)", MDNS_VERSION);
		i->warned = true;
		mdns_inst_unresolve(m, i);
		goto out;
	}
	if (a == NULL || a->proto != AVAHI_PROTO_INET || port == 0) {
		mdns_inst_unresolve(m, i);
		goto out;
	}
	avahi_address_snprint(host, sizeof(host), a);
	if (broker == NULL || *broker == '\0') {
		free(broker);
		broker = xstrdup(name);
	}
	/* The name goes into paths, labels and dial logs: one rule. */
	if ((why = bn_name_check_str(broker)) != NULL) {
		if (!i->warned)
			log_warnx("mdns %s: \"%s\" at %s:%u announces a broker"
			    " name that %s; ignored", m->group, name,
			    host_name, port, why);
		i->warned = true;
		mdns_inst_unresolve(m, i);
		goto out;
	}
	if (i->broker != NULL && strcmp(i->broker, broker) != 0)
		mdns_inst_unresolve(m, i);	/* renamed in place */
	i->warned = false;
	free(i->broker);
	i->broker = broker;
	broker = NULL;
	memcpy(i->host, host, sizeof(i->host));
	i->port = port;
	i->resolved = true;
	log_debug("mdns %s: resolved \"%s\" -> broker %s at %s:%u", m->group,
	    name, i->broker, i->host, i->port);
	mdns_peer_update(m, i->broker);
out:
	free(group);
	free(broker);
	free(v);
}

/* ---- browsing */

static void
mdns_browse_cb(AvahiServiceBrowser *b, AvahiIfIndex ifindex,
    AvahiProtocol proto, AvahiBrowserEvent event, const char *name,
    const char *type, const char *domain, AvahiLookupResultFlags flags,
    void *userdata)
{
	struct bn_mdns		*m = userdata;
	struct mdns_inst	*i;
	char			*broker;

	switch (event) {
	case AVAHI_BROWSER_NEW:
		if (flags & AVAHI_LOOKUP_RESULT_OUR_OWN)
			return;
		if (mdns_inst_find(m, ifindex, proto, name) != NULL)
			return;
		i = xcalloc(1, sizeof(*i));
		i->m = m;
		i->ifindex = ifindex;
		i->proto = proto;
		i->name = xstrdup(name);
		i->domain = xstrdup(domain);
		TAILQ_INSERT_TAIL(&m->insts, i, entry);
		/* Kept open: it reports a port or address change. */
		i->resolver = avahi_service_resolver_new(m->client, ifindex,
		    proto, name, MDNS_TYPE, domain, AVAHI_PROTO_INET, 0,
		    mdns_resolve_cb, i);
		if (i->resolver == NULL) {
			log_warnx("mdns %s: cannot resolve \"%s\": %s",
			    m->group, name, mdns_client_error(m));
			mdns_inst_free(m, i);
		}
		break;
	case AVAHI_BROWSER_REMOVE:
		if ((i = mdns_inst_find(m, ifindex, proto, name)) == NULL)
			return;
		broker = i->broker;
		i->broker = NULL;
		mdns_inst_free(m, i);
		if (broker != NULL) {
			mdns_peer_update(m, broker);
			free(broker);
		}
		break;
	case AVAHI_BROWSER_ALL_FOR_NOW:
	case AVAHI_BROWSER_CACHE_EXHAUSTED:
		break;
	case AVAHI_BROWSER_FAILURE:
		log_warnx("mdns %s: browsing failed: %s; again in %d s",
		    m->group, avahi_strerror(avahi_client_errno(
		    avahi_service_browser_get_client(b))), MDNS_REDO_MS / 1000);
		/* Freed from the timer, not inside avahi's callback. */
		mdns_after(m->rebrowse_ev, MDNS_REDO_MS);
		break;
	}
}

/*
 * Drops the browser and every instance. Peers stay, marked stale: a new
 * browser confirms them or the sweep reports them down.
 */
static void
mdns_browse_stop(struct bn_mdns *m)
{
	struct mdns_inst	*i;
	struct mdns_peer	*p;

	event_del(m->rebrowse_ev);
	event_del(m->sweep_ev);
	while ((i = TAILQ_FIRST(&m->insts)) != NULL)
		mdns_inst_free(m, i);
	if (m->browser != NULL) {
		avahi_service_browser_free(m->browser);
		m->browser = NULL;
	}
	TAILQ_FOREACH(p, &m->peers, entry) {
		p->stale = true;
	}
}

static void
mdns_browse_start(struct bn_mdns *m)
{
	if (m->browser != NULL)
		return;
	m->browser = avahi_service_browser_new(m->client, m->ifindex,
	    AVAHI_PROTO_INET, m->subtype, NULL, 0, mdns_browse_cb, m);
	if (m->browser == NULL) {
		log_warnx("mdns %s: cannot browse %s: %s; again in %d s",
		    m->group, m->subtype, mdns_client_error(m),
		    MDNS_REDO_MS / 1000);
		mdns_after(m->rebrowse_ev, MDNS_REDO_MS);
		return;
	}
	log_debug("mdns %s: browsing %s", m->group, m->subtype);
	if (!TAILQ_EMPTY(&m->peers))
		mdns_after(m->sweep_ev, MDNS_SWEEP_MS);
}

static void
mdns_rebrowse_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bn_mdns	*m = arg;

	mdns_browse_stop(m);
	if (m->state == MDNS_RUNNING)
		mdns_browse_start(m);
}

static void
mdns_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bn_mdns		*m = arg;
	struct mdns_peer	*p, *next;

	for (p = TAILQ_FIRST(&m->peers); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (p->stale)
			mdns_peer_remove(m, p, "not seen again after"
			    " reconnecting to avahi-daemon");
	}
}

/* ---- publishing */

static void
mdns_rename(struct bn_mdns *m, const char *why)
{
	char	*alt = avahi_alternative_service_name(m->name);

	if (alt == NULL)
		fatalx("mdns: out of memory");
	log_warnx("mdns %s: service name \"%s\" %s; trying \"%s\"", m->group,
	    m->name, why, alt);
	free(m->name);
	m->name = xstrdup(alt);
	avahi_free(alt);
	m->renames++;
}

static void
mdns_group_cb(AvahiEntryGroup *g, AvahiEntryGroupState state, void *userdata)
{
	struct bn_mdns	*m = userdata;

	switch (state) {
	case AVAHI_ENTRY_GROUP_ESTABLISHED:
		m->published = true;
		m->renames = 0;
		log_info("mdns %s: published \"%s\" (%s, %s) port %u",
		    m->group, m->name, MDNS_TYPE, m->subtype, m->port);
		break;
	case AVAHI_ENTRY_GROUP_COLLISION:
		/* avahi already withdrew it; same group, new name. */
		m->published = false;
		mdns_rename(m, "is taken on the network");
		mdns_publish(m);
		break;
	case AVAHI_ENTRY_GROUP_FAILURE:
		m->published = false;
		log_warnx("mdns %s: publishing \"%s\" failed: %s; again in"
		    " %d s", m->group, m->name, avahi_strerror(
		    avahi_client_errno(avahi_entry_group_get_client(g))),
		    MDNS_REDO_MS / 1000);
		mdns_after(m->republish_ev, MDNS_REDO_MS);
		break;
	case AVAHI_ENTRY_GROUP_UNCOMMITED:
	case AVAHI_ENTRY_GROUP_REGISTERING:
		break;
	}
}

/* Adds our service and subtype to the (empty) group and commits it. */
static void
mdns_publish(struct bn_mdns *m)
{
	int	r;

	m->published = false;
	if (m->client == NULL ||
	    avahi_client_get_state(m->client) != AVAHI_CLIENT_S_RUNNING)
		return;
	if (m->eg == NULL) {
		m->eg = avahi_entry_group_new(m->client, mdns_group_cb, m);
		if (m->eg == NULL) {
			r = avahi_client_errno(m->client);
			goto fail;
		}
	} else
		avahi_entry_group_reset(m->eg);
	for (;;) {
		r = avahi_entry_group_add_service(m->eg, m->ifindex,
		    AVAHI_PROTO_INET, 0, m->name, MDNS_TYPE, NULL, NULL,
		    m->port, m->txt_group, m->txt_broker, "v=" MDNS_VERSION,
		    NULL);
		if (r != AVAHI_ERR_COLLISION)
			break;
		/* Someone on this avahi-daemon has the name already. */
		if (m->renames >= MDNS_RENAME_MAX) {
			log_warnx("mdns %s: %d names tried; giving up",
			    m->group, m->renames);
			return;
		}
		mdns_rename(m, "is taken on this host");
	}
	if (r < 0)
		goto fail;
	r = avahi_entry_group_add_service_subtype(m->eg, m->ifindex,
	    AVAHI_PROTO_INET, 0, m->name, MDNS_TYPE, NULL, m->subtype);
	if (r < 0)
		goto fail;
	if ((r = avahi_entry_group_commit(m->eg)) < 0)
		goto fail;
	log_debug("mdns %s: publishing \"%s\" port %u", m->group, m->name,
	    m->port);
	return;
fail:
	log_warnx("mdns %s: cannot publish \"%s\": %s; again in %d s",
	    m->group, m->name, avahi_strerror(r), MDNS_REDO_MS / 1000);
	if (m->eg != NULL)
		avahi_entry_group_reset(m->eg);
	mdns_after(m->republish_ev, MDNS_REDO_MS);
}

static void
mdns_republish_cb(evutil_socket_t fd, short what, void *arg)
{
	mdns_publish(arg);
}

/* ---- the client */

/* Frees every avahi object, the client last. Peers are kept (stale). */
static void
mdns_drop_avahi(struct bn_mdns *m)
{
	mdns_browse_stop(m);
	event_del(m->republish_ev);
	if (m->eg != NULL) {
		avahi_entry_group_free(m->eg);
		m->eg = NULL;
	}
	m->published = false;
	if (m->client != NULL) {
		avahi_client_free(m->client);
		m->client = NULL;
	}
}

static void
mdns_connect(struct bn_mdns *m)
{
	int	err = 0;

	mdns_drop_avahi(m);
	m->state = MDNS_CONNECTING;
	m->client = avahi_client_new(bn_avahipoll_get(m->ap),
	    AVAHI_CLIENT_NO_FAIL, mdns_client_cb, m, &err);
	if (m->client != NULL)
		return;
	m->state = MDNS_FAILED;
	m->eg = NULL;		/* in case the callback made any: freed */
	m->browser = NULL;
	if (!m->warned_connect)
		log_warnx("mdns %s: cannot reach avahi over D-Bus: %s;"
		    " retrying", m->group, avahi_strerror(err));
	else
		log_debug("mdns %s: avahi client: %s; again in %d ms",
		    m->group, avahi_strerror(err), m->retry_ms);
	m->warned_connect = true;
	mdns_after(m->reconnect_ev, m->retry_ms);
	m->retry_ms *= 2;
	if (m->retry_ms > MDNS_RETRY_MAX_MS)
		m->retry_ms = MDNS_RETRY_MAX_MS;
}

static void
mdns_reconnect_cb(evutil_socket_t fd, short what, void *arg)
{
	mdns_connect(arg);
}

static void
mdns_client_cb(AvahiClient *c, AvahiClientState state, void *userdata)
{
	struct bn_mdns	*m = userdata;

	/* Called from inside avahi_client_new() before it returns. */
	m->client = c;
	switch (state) {
	case AVAHI_CLIENT_S_RUNNING:
		if (m->state != MDNS_RUNNING)
			log_info("mdns %s: avahi-daemon is running; publishing"
			    " \"%s\" port %u and browsing", m->group, m->name,
			    m->port);
		m->state = MDNS_RUNNING;
		m->retry_ms = MDNS_RETRY_MIN_MS;
		m->warned_connect = false;
		mdns_publish(m);
		mdns_browse_start(m);
		break;
	case AVAHI_CLIENT_S_COLLISION:
	case AVAHI_CLIENT_S_REGISTERING:
		/* Host name in flux: withdraw, publish again when running. */
		m->state = MDNS_CONNECTING;
		m->published = false;
		if (m->eg != NULL)
			avahi_entry_group_reset(m->eg);
		break;
	case AVAHI_CLIENT_CONNECTING:
		m->state = MDNS_CONNECTING;
		log_info("mdns %s: waiting for avahi-daemon", m->group);
		break;
	case AVAHI_CLIENT_FAILURE:
		m->state = MDNS_FAILED;
		m->published = false;
		log_warnx("mdns %s: avahi client failed: %s; reconnecting",
		    m->group, avahi_strerror(avahi_client_errno(c)));
		/* Not from inside avahi: replace the client from a timer. */
		mdns_after(m->reconnect_ev, 0);
		break;
	}
}

/* ---- public */

struct bn_mdns *
bn_mdns_new(struct event_base *base, const char *group, const char *self,
    const char *iface, uint16_t link_port, bn_mdns_peer_fn cb, void *arg)
{
	struct bn_mdns	*m;
	unsigned	 ifindex = 0;

	if (base == NULL || cb == NULL || link_port == 0 || group == NULL ||
	    *group == '\0' || self == NULL || *self == '\0') {
		log_warnx("mdns: invalid arguments");
		return NULL;
	}
	if (strlen("group=") + strlen(group) > MDNS_TXT_MAX ||
	    strlen("broker=") + strlen(self) > MDNS_TXT_MAX) {
		log_warnx("mdns: group or broker name too long for a TXT"
		    " record (%d bytes)", MDNS_TXT_MAX);
		return NULL;
	}
	if (iface != NULL && (ifindex = if_nametoindex(iface)) == 0) {
		log_warn("mdns %s: interface %s", group, iface);
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->base = base;
	m->group = xstrdup(group);
	m->self = xstrdup(self);
	m->iface = xstrdup(iface);
	m->ifindex = iface != NULL ? (AvahiIfIndex)ifindex : AVAHI_IF_UNSPEC;
	m->port = link_port;
	m->cb = cb;
	m->arg = arg;
	m->name = mdns_instance_name(self);
	m->subtype = mdns_subtype(group);
	xasprintf(&m->txt_group, "group=%s", group);
	xasprintf(&m->txt_broker, "broker=%s", self);
	m->retry_ms = MDNS_RETRY_MIN_MS;
	TAILQ_INIT(&m->insts);
	TAILQ_INIT(&m->peers);
	m->ap = bn_avahipoll_new(base);
	m->reconnect_ev = evtimer_new(base, mdns_reconnect_cb, m);
	m->republish_ev = evtimer_new(base, mdns_republish_cb, m);
	m->rebrowse_ev = evtimer_new(base, mdns_rebrowse_cb, m);
	m->sweep_ev = evtimer_new(base, mdns_sweep_cb, m);
	if (m->ap == NULL || m->reconnect_ev == NULL ||
	    m->republish_ev == NULL || m->rebrowse_ev == NULL ||
	    m->sweep_ev == NULL)
		fatalx("mdns: out of memory");
	log_debug("mdns %s: starting (instance \"%s\", %s, interface %s)",
	    group, m->name, m->subtype, iface ? iface : "any");
	mdns_connect(m);
	return m;
}

void
bn_mdns_free(struct bn_mdns *m)
{
	struct mdns_peer	*p;

	if (m == NULL)
		return;
	mdns_drop_avahi(m);
	while ((p = TAILQ_FIRST(&m->peers)) != NULL) {
		TAILQ_REMOVE(&m->peers, p, entry);
		free(p->broker);
		free(p);
	}
	event_free(m->reconnect_ev);
	event_free(m->republish_ev);
	event_free(m->rebrowse_ev);
	event_free(m->sweep_ev);
	bn_avahipoll_free(m->ap);
	free(m->group);
	free(m->self);
	free(m->iface);
	free(m->name);
	free(m->subtype);
	free(m->txt_group);
	free(m->txt_broker);
	free(m);
}

void
bn_mdns_status_json(const struct bn_mdns *m, struct bn_buf *b)
{
	const struct mdns_peer	*p;
	const char		*state;
	char			 ifbuf[IF_NAMESIZE];
	bool			 first = true;

	if (m == NULL) {
		bn_buf_addstr(b, "null");
		return;
	}
	state = m->state == MDNS_RUNNING ? "running" :
	    m->state == MDNS_CONNECTING ? "connecting" : "failed";
	bn_buf_addstr(b, "{\"group\":");
	bn_buf_add_json_str(b, m->group);
	bn_buf_addstr(b, ",\"state\":");
	bn_buf_add_json_str(b, state);
	bn_buf_addstr(b, ",\"published_as\":");
	if (m->published)
		bn_buf_add_json_str(b, m->name);
	else
		bn_buf_addstr(b, "null");
	bn_buf_addstr(b, ",\"peers\":[");
	TAILQ_FOREACH(p, &m->peers, entry) {
		if (!first)
			bn_buf_addc(b, ',');
		first = false;
		bn_buf_addstr(b, "{\"broker\":");
		bn_buf_add_json_str(b, p->broker);
		bn_buf_addstr(b, ",\"host\":");
		bn_buf_add_json_str(b, p->host);
		bn_buf_printf(b, ",\"port\":%u,\"interface\":", p->port);
		bn_buf_add_json_str(b, mdns_ifname(p->ifindex, ifbuf));
		bn_buf_addstr(b, ",\"source\":\"mdns\"}");
	}
	bn_buf_addstr(b, "]}");
}
