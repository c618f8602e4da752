/*
 * Durable network subscriptions to topics (tsub.c).
 *
 * For each (peer, topic) with demand, forward.c subscribes to the topic on
 * our broker as a durable subscriber: client id "brokernet.NAME" (the
 * sidecar's name, shared by its standbys), subscription name
 * "brokernet.PEER/TOPIC". While the peer's link, the sidecar or its broker
 * session is down, the broker keeps what is published for the peer; the
 * same subscription is resumed when the peer's demand returns, so a crash
 * or an outage loses nothing.
 *
 * This module owns the list of those subscriptions and their lifetime: a
 * subscription the peer no longer wants is deleted; one whose peer is
 * connected but has not asked for it again within a grace period (after
 * our restart) is deleted; one whose peer stays away longer than
 * offlineNetworkSubscriptionTimeout is deleted. The list is kept with the
 * broker, in the private queue "brokernet.topicsubs.NAME" (one persistent
 * message per subscription, held unacked by the active sidecar, acked when
 * the subscription is deleted), so a sidecar that starts, restarts or takes
 * over knows the subscriptions it must resume or clean up.
 *
 * I/O: the registry on the store session (bset.h), deletions on the
 * consumer session; both are handed in by the daemon. Calls bset, the
 * broker session, frames and the hash map.
 */
#ifndef BN_TSUB_H
#define BN_TSUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct bn_buf;
struct bn_frame;
struct bn_stomp;
struct bn_tsub;

/* How long a connected peer has to ask again for a subscription that was
 * read from the registry or left by a lost link. */
#define BN_TSUB_GRACE_MS	10000

struct bn_tsub	*bn_tsub_new(struct event_base *, const char *queue,
		    const char *boot_id, uint64_t offline_timeout_ms);
void		 bn_tsub_free(struct bn_tsub *);

/* The subscription name of (peer, topic); topic is "/topic/NAME". */
void		 bn_tsub_name(const char *peer, const char *topic,
		    struct bn_buf *);

/* The store session holds the lock: read the registry, then keep it. */
void		 bn_tsub_connected(struct bn_tsub *,
		    struct bn_stomp *store);
/* The store session is gone (or the sidecar became a standby). */
void		 bn_tsub_lost(struct bn_tsub *);
bool		 bn_tsub_is_theirs(const struct bn_tsub *,
		    const struct bn_frame *);
void		 bn_tsub_on_message(struct bn_tsub *,
		    const struct bn_frame *);

/* The consumer session (NULL or unconnected: none), where deletions go. */
void		 bn_tsub_consumer(struct bn_tsub *, struct bn_stomp *cons);

/* forward.c: a network subscription for (peer, topic) exists ... */
void		 bn_tsub_attached(struct bn_tsub *, const char *peer,
		    const char *topic);
/* ... ended while still wanted (link, broker session or sidecar gone;
 * held: the peer withdrew it only while its broker is away, so the grace
 * period does not apply) ... */
void		 bn_tsub_detached(struct bn_tsub *, const char *peer,
		    const char *topic, bool held);
/* ... or ended because the peer no longer wants it: deleted. */
void		 bn_tsub_unwanted(struct bn_tsub *, const char *peer,
		    const char *topic);
/* A peer's link came up or went down. */
void		 bn_tsub_peer(struct bn_tsub *, const char *peer, bool up);

/* Known subscriptions; *offline: of them, not attached. */
size_t		 bn_tsub_count(const struct bn_tsub *, size_t *offline);
/* Calls cb for each known subscription (topic: "/topic/NAME"). */
typedef void	(*bn_tsub_each_cb)(const char *name, const char *peer,
		    const char *topic, bool attached, void *arg);
void		 bn_tsub_each(const struct bn_tsub *, bn_tsub_each_cb,
		    void *arg);
/* Subscriptions deleted since the start. */
uint64_t	 bn_tsub_deleted(const struct bn_tsub *);

#endif /* BN_TSUB_H */
