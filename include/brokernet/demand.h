/*
 * The demand table: which queues have consumers here (local) and which
 * peers advertised demand (remote, per link, with hops and path). Pure.
 *
 * A path is the comma-separated list of broker names the demand came
 * through, starting at the broker with the consumers ("C,B"). Local demand
 * is advertised at hop 1 with path "SELF"; remote demand at hop h is
 * re-advertised at h+1 with ",SELF" appended while h < consumerTTL, never
 * to a peer already on its path and never back on the link it came from.
 */
#ifndef BN_DEMAND_H
#define BN_DEMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/hmap.h"

struct bn_advisory;
struct bn_buf;

struct bn_demand_remote {
	uint64_t	 link;
	uint32_t	 hops;
	char		*path;
	bool		 offline;	/* only offline durable
					   subscriptions behind it */
};

struct bn_demand_q {
	char			*name;
	uint32_t		 local;		/* local consumers */
	uint32_t		 local_offline;	/* of which offline durable
						   subscriptions */
	uint64_t		 local_zero_ms;	/* monotonic ms since when
						   local == 0 */
	struct bn_demand_remote	*remote;
	size_t			 nremote;
};

struct bn_demand {
	struct bn_hmap	queues;		/* name -> struct bn_demand_q */
	/*
	 * Durable topic subscriptions counted as local demand, online or
	 * not: "/topic/T\nsubscriptionName" -> the consumer id while its
	 * subscriber is connected, "" while it is offline.
	 */
	struct bn_hmap	durables;
	struct bn_hmap	durable_ids;	/* consumer id -> durables key */
};

void	 bn_demand_init(struct bn_demand *);
void	 bn_demand_free(struct bn_demand *);
/* Adds delta (may be negative) to the local count, never below zero.
 * Returns the new count. */
uint32_t bn_demand_local_add(struct bn_demand *, const char *q, int delta);
/* Sets every local count to zero (broker away), but for the durable
 * subscriptions, which stay demand, all offline; the queues whose count
 * was cleared are appended to changed (NUL-separated names) when
 * non-NULL. */
void	 bn_demand_local_clear(struct bn_demand *, struct bn_buf *changed);
/*
 * Durable topic subscriptions (ActiveMQ's dynamicOnly="false"): a durable
 * subscription is local demand from its subscriber's first ConsumerInfo
 * until its RemoveSubscriptionInfo, also while its subscriber is offline
 * (RemoveInfo), so what is published elsewhere meanwhile comes here and
 * waits in it. ConsumerInfo carries no client id, so a subscription is
 * known by its topic and subscription name. adv_topic is the topic the
 * advisory came on (bn_advisory_topic_of), needed for REMOVE_SUB.
 *
 * Returns false when adv is not about a durable subscription (the caller
 * counts it as usual); true when it was handled here: then the name whose
 * local count went from 0 to 1 or from 1 to 0 is appended to changed
 * (NUL-terminated), if any.
 */
bool	 bn_demand_durable(struct bn_demand *, const struct bn_advisory *,
	    const char *adv_topic, struct bn_buf *changed);
/*
 * A durable subscription known from before (kept with the broker, see
 * durables.h): demand, offline, unless already known. Returns whether it
 * was new; changed as for bn_demand_durable.
 */
bool	 bn_demand_durable_restore(struct bn_demand *, const char *topic,
	    const char *subscription, struct bn_buf *changed);
/* Durable subscriptions known, and how many of them are offline. */
size_t	 bn_demand_durable_count(const struct bn_demand *, size_t *offline);

/* Sets the remote demand for q via link (hops >= 1). Returns true when
 * anything changed. */
bool	 bn_demand_remote_set(struct bn_demand *, const char *q, uint64_t link,
	    uint32_t hops, const char *path);
/* Marks the remote demand for q via link as coming from offline durable
 * subscriptions only (or not); true when that changed. */
bool	 bn_demand_remote_set_offline(struct bn_demand *, const char *q,
	    uint64_t link, bool offline);
/* Removes the remote demand for q via link; true when there was one. */
bool	 bn_demand_remote_del(struct bn_demand *, const char *q, uint64_t link);
/* Removes every remote entry of link; changed queues appended to changed
 * (NUL-separated) when non-NULL. */
void	 bn_demand_remote_clear_link(struct bn_demand *, uint64_t link,
	    struct bn_buf *changed);
/* The entry for q, or NULL. Owned by the table. */
const struct bn_demand_q *bn_demand_get(const struct bn_demand *, const char *q);
/* Hops of the remote demand for q via link, 0 when none. */
uint32_t bn_demand_remote_hops(const struct bn_demand *, const char *q,
	    uint64_t link);

/*
 * What to advertise for q on link `to` whose peer is `peer`: true with
 * *hops and the path (appended to path) when there is demand to tell, per
 * the rules above. consumer_ttl < 0 is unlimited.
 */
bool	 bn_demand_advert(const struct bn_demand *, const char *q, uint64_t to,
	    const char *peer, const char *self, int64_t consumer_ttl,
	    uint32_t *hops, struct bn_buf *path);
/*
 * The same for a link whose forwarding connector has dynamicOnly: then
 * demand that only offline durable subscriptions make (here or behind a
 * peer) is not told. Demand from connected consumers is preferred; *offline
 * (when not NULL) says whether what is told is offline-only.
 */
bool	 bn_demand_advert_ex(const struct bn_demand *, const char *q,
	    uint64_t to, const char *peer, const char *self,
	    int64_t consumer_ttl, bool dynamic_only, uint32_t *hops,
	    struct bn_buf *path, bool *offline);

/* True when name is one of the comma-separated names in path. */
bool	 bn_path_contains(const char *path, const char *name);

/* ActiveMQ's network consumer priority for demand hops away (1 -> -5,
 * 2 -> -8, 3 -> -9, ...). */
int	 bn_demand_priority(uint32_t hops);

#endif /* BN_DEMAND_H */
