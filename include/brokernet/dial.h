/*
 * The connectors that dial (dial.c): a dialer per static URI (or per
 * masterslave: list) with its back-off and redial, mDNS publishing and
 * browsing for multicast:// groups (the smaller broker name dials), and
 * applying a reloaded config's connectors and users (SIGHUP). Owns
 * d->dialers and d->mcasts; the links it makes are link.c's, which tells
 * a dialer its link closed through l->on_closed.
 */
#ifndef BN_DIAL_H
#define BN_DIAL_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/backoff.h"

struct event;
struct bn_config;
struct bn_daemon;
struct bn_endpoint;
struct bn_link;
struct bn_mdns;
struct bn_network_connector;

/* A static dialer: one per static URI, or per masterslave: list. */
struct bn_dialer {
	TAILQ_ENTRY(bn_dialer)	 entry;
	struct bn_daemon	*d;
	struct bn_network_connector *nc;
	struct bn_endpoint	*eps;		/* owned copies, dial order */
	size_t			 neps;
	size_t			 cur;
	bool			 discovered;	/* found by mDNS: duplex */
	bool			 gone;		/* its mDNS service went away */
	char			*peer_name;	/* discovered: the broker */
	struct bn_backoff	 backoff;
	struct event		*timer;
	struct bn_link		*link;		/* current, or NULL */
	bool			 stopped;	/* refused for good */
	char			*last_error;
	uint64_t		 attempts;
};

/* A multicast:// connector: its mDNS publisher/browser. */
struct bn_mcast {
	TAILQ_ENTRY(bn_mcast)	 entry;
	struct bn_daemon	*d;
	struct bn_network_connector *nc;
	struct bn_mdns		*mdns;
};

/* Stops every dialer (no more connects or redials); links stay. */
void	 bn_dial_stop_all(struct bn_daemon *);
/* Starts every configured connector; -1 if one cannot start. */
int	 bn_dial_all(struct bn_daemon *);
/*
 * SIGHUP: applies the connectors of newcfg (added ones start, removed or
 * changed ones stop and their links close, unchanged ones keep their
 * links) and its users; moves them into the running config. newcfg is
 * left with the old ones and freed by the caller.
 */
void	 bn_dial_reconfigure(struct bn_daemon *, struct bn_config *newcfg);
/* Frees dialers and multicast connectors (at exit or as a standby). */
void	 bn_dial_free_all(struct bn_daemon *);

#endif /* BN_DIAL_H */
