/*
 * Browsing a multicast group (mdnsbrowse.c): the avahi service browser of
 * one struct bn_mdns, the instances it finds with their resolvers, and the
 * peers reported to the owner's bn_mdns_peer_fn (and listed for /status).
 * Below mdns.c, which starts and stops it with the avahi client; it calls
 * nothing of mdns.c.
 */
#ifndef BN_MDNSBROWSE_H
#define BN_MDNSBROWSE_H

struct bn_mdns;
struct json_t;

/* Empty lists and the browse timers (retry, sweep) of a new m. */
void	 bn_mdnsbrowse_init(struct bn_mdns *);
/* Browses m's subtype on m's running client (again later if avahi
 * refuses); peers kept from before are swept if not seen again. */
void	 bn_mdnsbrowse_start(struct bn_mdns *);
/*
 * Drops the browser and every instance. Peers stay, marked stale: a new
 * browser confirms them or the sweep reports them down.
 */
void	 bn_mdnsbrowse_stop(struct bn_mdns *);
/* Frees the peers (not reported down) and the timers; after stop. */
void	 bn_mdnsbrowse_free(struct bn_mdns *);
/* The peers as the "peers" array of bn_mdns_status, new (the caller
 * owns it). */
struct json_t *bn_mdnsbrowse_peers(const struct bn_mdns *);

#endif /* BN_MDNSBROWSE_H */
