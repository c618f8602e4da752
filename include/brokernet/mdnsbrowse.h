/*
 * Browsing a multicast group (mdnsbrowse.c): the avahi service browser of
 * one struct bn_mdns, the instances it finds with their resolvers, and the
 * peers reported to the owner's bn_mdns_peer_fn. Below mdns.c, which
 * starts and stops it with the avahi client; it calls nothing of mdns.c.
 */
#ifndef BN_MDNSBROWSE_H
#define BN_MDNSBROWSE_H

struct bn_buf;
struct bn_mdns;

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
/* Appends the peers as the JSON array of bn_mdns_status_json. */
void	 bn_mdnsbrowse_peers_json(const struct bn_mdns *, struct bn_buf *);

#endif /* BN_MDNSBROWSE_H */
