/*
 * The state of one multicast discovery (struct bn_mdns), shared by its two
 * files and no one else: mdns.c (the avahi client, publishing, the calls
 * of mdns.h) and mdnsbrowse.c (browsing, resolving, the peers reported).
 * Everyone else sees it opaque, via mdns.h.
 */
#ifndef BN_MDNSSTATE_H
#define BN_MDNSSTATE_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/address.h>

#include "brokernet/mdns.h"

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

/* Runs ev in ms milliseconds (both files' retry and sweep timers). */
static inline void
mdns_after(struct event *ev, int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	event_add(ev, &tv);
}

#endif /* BN_MDNSSTATE_H */
