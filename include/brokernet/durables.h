/*
 * Durable subscriptions that are demand, kept with the broker
 * (durables.c). ActiveMQ's advisories never list an offline durable
 * subscription, so a sidecar that starts, restarts or takes over while one
 * is offline could not know it: with dynamicOnly="false" what is published
 * elsewhere for it would not come. Each durable subscription learned from
 * an advisory (topic, subscription name) is written to the private queue
 * "brokernet.durables.NAME" (bset.h) and removed with its
 * RemoveSubscriptionInfo; the ones read back are demand again, offline,
 * until their subscriber shows up or they are deleted.
 *
 * Calls bset and the demand table; tells its owner which names changed.
 */
#ifndef BN_DURABLES_H
#define BN_DURABLES_H

#include <stdbool.h>

struct bn_advisory;
struct bn_buf;
struct bn_demand;
struct bn_durables;
struct bn_frame;
struct bn_stomp;

/* changed: names (NUL-separated) whose demand changed. */
typedef void (*bn_durables_changed_cb)(const struct bn_buf *changed,
    void *arg);

struct bn_durables *bn_durables_new(const char *queue, const char *boot_id,
		    struct bn_demand *, bn_durables_changed_cb, void *arg);
void		 bn_durables_free(struct bn_durables *);

/*
 * A consumer advisory: bn_demand_durable (demand.h), and the subscription
 * is kept on the broker or deleted there. Returns as bn_demand_durable.
 */
bool		 bn_durables_advisory(struct bn_durables *,
		    const struct bn_advisory *, const char *adv_topic,
		    struct bn_buf *changed);

/* The store session, as bset.h. */
void		 bn_durables_connected(struct bn_durables *,
		    struct bn_stomp *);
void		 bn_durables_lost(struct bn_durables *);
bool		 bn_durables_is_theirs(const struct bn_durables *,
		    const struct bn_frame *);
void		 bn_durables_on_message(struct bn_durables *,
		    const struct bn_frame *);

#endif /* BN_DURABLES_H */
