/*
 * Demand adverts we send over links (advert.c): DEMAND destination, hops,
 * path when a queue has demand here or beyond within consumerTTL and the
 * connector's filter lets it through, NODEMAND when that ends. Only
 * changes are sent; each link remembers what it told its peer.
 */
#ifndef BN_ADVERT_H
#define BN_ADVERT_H

struct bn_link;

/* Brings the link's demand advert for q up to date. */
void	 bn_advert_sync(struct bn_link *, const char *q);
/* Sends every advert (link up, or its filter changed). */
void	 bn_advert_all(struct bn_link *);

#endif /* BN_ADVERT_H */
