/*
 * Browsing a multicast group (mdnsbrowse.h), on the avahi client of mdns.c.
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
#include <avahi-common/address.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>

#include <jansson.h>

#include "brokernet/jsonout.h"
#include "brokernet/log.h"
#include "brokernet/mdnsbrowse.h"
#include "brokernet/mdnsstate.h"
#include "brokernet/names.h"
#include "brokernet/util.h"

static const char *
mdnsbrowse_ifname(AvahiIfIndex ifindex, char *buf)
{
	if (ifindex < 0 || if_indextoname((unsigned)ifindex, buf) == NULL)
		return "any";
	return buf;
}

static const char *
mdnsbrowse_client_error(struct bn_mdns *m)
{
	if (m->client == NULL)
		return "no client";
	return avahi_strerror(avahi_client_errno(m->client));
}

/* ---- peers */

static struct mdns_peer *
mdnsbrowse_peer_find(struct bn_mdns *m, const char *broker)
{
	struct mdns_peer	*p;

	TAILQ_FOREACH(p, &m->peers, entry)
		if (strcmp(p->broker, broker) == 0)
			return p;
	return NULL;
}

static void
mdnsbrowse_peer_remove(struct bn_mdns *m, struct mdns_peer *p, const char *why)
{
	char	ifbuf[IF_NAMESIZE];

	log_info("mdns %s: lost %s (was %s:%u on %s): %s", m->group,
	    p->broker, p->host, p->port, mdnsbrowse_ifname(p->ifindex, ifbuf),
	    why);
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
mdnsbrowse_peer_update(struct bn_mdns *m, const char *broker)
{
	struct mdns_peer	*p = mdnsbrowse_peer_find(m, broker);
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
			mdnsbrowse_peer_remove(m, p, "service withdrawn");
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
	    mdnsbrowse_ifname(p->ifindex, ifbuf), best->name);
	m->cb(m->arg, p->broker, p->host, p->port, true);
}

/* ---- instances and their resolvers */

static struct mdns_inst *
mdnsbrowse_inst_find(struct bn_mdns *m, AvahiIfIndex ifindex,
    AvahiProtocol proto, const char *name)
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
mdnsbrowse_inst_free(struct bn_mdns *m, struct mdns_inst *i)
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
mdnsbrowse_txt(AvahiStringList *txt, const char *key)
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
mdnsbrowse_inst_unresolve(struct bn_mdns *m, struct mdns_inst *i)
{
	char	*old = i->broker;

	i->resolved = false;
	i->broker = NULL;
	if (old != NULL) {
		mdnsbrowse_peer_update(m, old);
		free(old);
	}
}

static void
mdnsbrowse_resolve_cb(AvahiServiceResolver *r, AvahiIfIndex ifindex,
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
	group = mdnsbrowse_txt(txt, "group");
	v = mdnsbrowse_txt(txt, "v");
	broker = mdnsbrowse_txt(txt, "broker");
	if (group == NULL || strcmp(group, m->group) != 0) {
		if (!i->warned)
			log_debug("mdns %s: \"%s\" is in group %s; ignored",
			    m->group, name, group ? group : "(none)");
		i->warned = true;
		mdnsbrowse_inst_unresolve(m, i);
		goto out;
	}
	if (v == NULL || strcmp(v, MDNS_VERSION) != 0) {
		if (!i->warned)
			log_warnx("mdns %s: \"%s\" at %s:%u speaks discovery"
			    " v=%s, we speak v=%s; ignored", m->group, name,
			    host_name, port, v ? v : "(none)", MDNS_VERSION);
		i->warned = true;
		mdnsbrowse_inst_unresolve(m, i);
		goto out;
	}
	if (a == NULL || a->proto != AVAHI_PROTO_INET || port == 0) {
		mdnsbrowse_inst_unresolve(m, i);
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
		mdnsbrowse_inst_unresolve(m, i);
		goto out;
	}
	if (i->broker != NULL && strcmp(i->broker, broker) != 0)
		mdnsbrowse_inst_unresolve(m, i);	/* renamed in place */
	i->warned = false;
	free(i->broker);
	i->broker = broker;
	broker = NULL;
	memcpy(i->host, host, sizeof(i->host));
	i->port = port;
	i->resolved = true;
	log_debug("mdns %s: resolved \"%s\" -> broker %s at %s:%u", m->group,
	    name, i->broker, i->host, i->port);
	mdnsbrowse_peer_update(m, i->broker);
out:
	free(group);
	free(broker);
	free(v);
}

/* ---- browsing */

static void
mdnsbrowse_browser_cb(AvahiServiceBrowser *b, AvahiIfIndex ifindex,
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
		if (mdnsbrowse_inst_find(m, ifindex, proto, name) != NULL)
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
		    mdnsbrowse_resolve_cb, i);
		if (i->resolver == NULL) {
			log_warnx("mdns %s: cannot resolve \"%s\": %s",
			    m->group, name, mdnsbrowse_client_error(m));
			mdnsbrowse_inst_free(m, i);
		}
		break;
	case AVAHI_BROWSER_REMOVE:
		if ((i = mdnsbrowse_inst_find(m, ifindex, proto, name)) == NULL)
			return;
		broker = i->broker;
		i->broker = NULL;
		mdnsbrowse_inst_free(m, i);
		if (broker != NULL) {
			mdnsbrowse_peer_update(m, broker);
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

void
bn_mdnsbrowse_stop(struct bn_mdns *m)
{
	struct mdns_inst	*i;
	struct mdns_peer	*p;

	event_del(m->rebrowse_ev);
	event_del(m->sweep_ev);
	while ((i = TAILQ_FIRST(&m->insts)) != NULL)
		mdnsbrowse_inst_free(m, i);
	if (m->browser != NULL) {
		avahi_service_browser_free(m->browser);
		m->browser = NULL;
	}
	TAILQ_FOREACH(p, &m->peers, entry) {
		p->stale = true;
	}
}

void
bn_mdnsbrowse_start(struct bn_mdns *m)
{
	if (m->browser != NULL)
		return;
	m->browser = avahi_service_browser_new(m->client, m->ifindex,
	    AVAHI_PROTO_INET, m->subtype, NULL, 0, mdnsbrowse_browser_cb, m);
	if (m->browser == NULL) {
		log_warnx("mdns %s: cannot browse %s: %s; again in %d s",
		    m->group, m->subtype, mdnsbrowse_client_error(m),
		    MDNS_REDO_MS / 1000);
		mdns_after(m->rebrowse_ev, MDNS_REDO_MS);
		return;
	}
	log_debug("mdns %s: browsing %s", m->group, m->subtype);
	if (!TAILQ_EMPTY(&m->peers))
		mdns_after(m->sweep_ev, MDNS_SWEEP_MS);
}

static void
mdnsbrowse_rebrowse_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bn_mdns	*m = arg;

	bn_mdnsbrowse_stop(m);
	if (m->state == MDNS_RUNNING)
		bn_mdnsbrowse_start(m);
}

static void
mdnsbrowse_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bn_mdns		*m = arg;
	struct mdns_peer	*p, *next;

	for (p = TAILQ_FIRST(&m->peers); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (p->stale)
			mdnsbrowse_peer_remove(m, p, "not seen again after"
			    " reconnecting to avahi-daemon");
	}
}

void
bn_mdnsbrowse_init(struct bn_mdns *m)
{
	TAILQ_INIT(&m->insts);
	TAILQ_INIT(&m->peers);
	m->rebrowse_ev = evtimer_new(m->base, mdnsbrowse_rebrowse_cb, m);
	m->sweep_ev = evtimer_new(m->base, mdnsbrowse_sweep_cb, m);
	if (m->rebrowse_ev == NULL || m->sweep_ev == NULL)
		fatalx("mdns: out of memory");
}

void
bn_mdnsbrowse_free(struct bn_mdns *m)
{
	struct mdns_peer	*p;

	while ((p = TAILQ_FIRST(&m->peers)) != NULL) {
		TAILQ_REMOVE(&m->peers, p, entry);
		free(p->broker);
		free(p);
	}
	event_free(m->rebrowse_ev);
	event_free(m->sweep_ev);
}

json_t *
bn_mdnsbrowse_peers(const struct bn_mdns *m)
{
	const struct mdns_peer	*p;
	char			 ifbuf[IF_NAMESIZE];
	json_t			*a, *o;

	a = bn_json_arr();
	TAILQ_FOREACH(p, &m->peers, entry) {
		o = bn_json_obj();
		bn_json_set(o, "broker", bn_json_str(p->broker));
		bn_json_set(o, "host", bn_json_str(p->host));
		bn_json_set(o, "port", bn_json_u64(p->port));
		bn_json_set(o, "interface", bn_json_str(mdnsbrowse_ifname(
		    p->ifindex, ifbuf)));
		bn_json_set(o, "source", bn_json_str("mdns"));
		bn_json_append(a, o);
	}
	return a;
}
