/*
 * multicast:// discovery over mDNS/DNS-SD with avahi-client on the
 * daemon's libevent loop: the client, publishing, and the calls of mdns.h.
 *
 * One avahi client per struct bn_mdns, created with AVAHI_CLIENT_NO_FAIL.
 * When the client reaches RUNNING we publish our link listener and browse
 * the group's subtype (mdnsbrowse.c: instances, resolvers and the peers
 * reported); when avahi-daemon goes away the client fails with
 * AVAHI_ERR_DISCONNECTED and is replaced (from a timer, never from inside
 * avahi's own callback) by a new one that waits for the daemon to return.
 */
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>

#include <jansson.h>

#include "brokernet/avahipoll.h"
#include "brokernet/jsonout.h"
#include "brokernet/log.h"
#include "brokernet/mdns.h"
#include "brokernet/mdnsbrowse.h"
#include "brokernet/mdnsstate.h"
#include "brokernet/util.h"

static void	mdns_client_cb(AvahiClient *, AvahiClientState, void *);
static void	mdns_publish(struct bn_mdns *);

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
	bn_mdnsbrowse_stop(m);
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
		bn_mdnsbrowse_start(m);
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
	bn_mdnsbrowse_init(m);
	m->ap = bn_avahipoll_new(base);
	m->reconnect_ev = evtimer_new(base, mdns_reconnect_cb, m);
	m->republish_ev = evtimer_new(base, mdns_republish_cb, m);
	if (m->ap == NULL || m->reconnect_ev == NULL ||
	    m->republish_ev == NULL)
		fatalx("mdns: out of memory");
	log_debug("mdns %s: starting (instance \"%s\", %s, interface %s)",
	    group, m->name, m->subtype, iface ? iface : "any");
	mdns_connect(m);
	return m;
}

void
bn_mdns_free(struct bn_mdns *m)
{
	if (m == NULL)
		return;
	mdns_drop_avahi(m);
	bn_mdnsbrowse_free(m);
	event_free(m->reconnect_ev);
	event_free(m->republish_ev);
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

json_t *
bn_mdns_status(const struct bn_mdns *m)
{
	json_t	*o;

	if (m == NULL)
		return json_null();
	o = bn_json_obj();
	bn_json_set(o, "group", bn_json_str(m->group));
	bn_json_set(o, "state", bn_json_str(m->state == MDNS_RUNNING ?
	    "running" : m->state == MDNS_CONNECTING ? "connecting" :
	    "failed"));
	bn_json_set(o, "published_as", bn_json_str(m->published ? m->name :
	    NULL));
	bn_json_set(o, "peers", bn_mdnsbrowse_peers(m));
	return o;
}
