/*
 * Multicast discovery over mDNS/DNS-SD with avahi-client, on the daemon's
 * libevent loop (no second thread, no glib). One struct bn_mdns per
 * multicast:// connector: it publishes this sidecar's link listener as
 * service type _brokernet._tcp (instance = broker name, TXT group=, broker=,
 * v=1, plus subtype _GROUP._sub._brokernet._tcp) and browses the group,
 * reporting resolved peers. mDNS is only a hint of where to dial: peer
 * liveness comes from link heart-beats. Two files share its state
 * (mdnsstate.h): mdns.c (the avahi client, publishing, the calls below)
 * and mdnsbrowse.c (browsing and resolving, below mdns.c).
 */
#ifndef BN_MDNS_H
#define BN_MDNS_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct bn_mdns;
struct json_t;

/*
 * A peer of the group appeared (up, with its resolved address) or its
 * service went away (!up; host/port are the last known). broker is the
 * TXT broker= value (falls back to the instance name). Peers of other
 * groups and our own service are never reported.
 */
typedef void (*bn_mdns_peer_fn)(void *arg, const char *broker,
    const char *host, uint16_t port, bool up);

/*
 * Starts publishing and browsing (asynchronously; failures are logged and
 * retried, e.g. while avahi-daemon is down or restarting). iface may be
 * NULL (all interfaces) or an interface name. Returns NULL only when the
 * arguments are invalid. Free with bn_mdns_free.
 */
struct bn_mdns	*bn_mdns_new(struct event_base *, const char *group,
		    const char *self, const char *iface, uint16_t link_port,
		    bn_mdns_peer_fn, void *arg);
/* Withdraws our service and frees everything. Accepts NULL. */
void		 bn_mdns_free(struct bn_mdns *);
/*
 * The group's entry in /status "discovery", new (the caller owns it):
 * {"group":..,"state":"running|connecting|failed","published_as":..,
 * "peers":[{"broker":..,"host":..,"port":..,"interface":..,
 * "source":"mdns"}...]}; JSON null for a NULL m.
 */
struct json_t	*bn_mdns_status(const struct bn_mdns *);

#endif /* BN_MDNS_H */
