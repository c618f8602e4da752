/*
 * Topics in the demand table, on links and in the filters. Pure: no I/O.
 *
 * Queues keep their plain names everywhere (demand table, DEMAND frames,
 * /status); a topic is named "/topic/NAME" there, so the two kinds never
 * mix and a peer sees which one it is told about. A topic name may be a
 * wildcard pattern ("/topic/orders.>"): a wildcard subscriber is demand for
 * every topic it matches, and the network subscription uses the same
 * pattern on the sending broker.
 */
#ifndef BN_TOPIC_H
#define BN_TOPIC_H

#include <stdbool.h>

#include "brokernet/filter.h"

#define BN_TOPIC_PREFIX		"/topic/"
#define BN_TOPIC_PREFIX_LEN	7

struct bn_network_connector;

/* True when a demand-table name is a topic ("/topic/..."). */
bool	bn_topic_is(const char *name);
/*
 * True when a topic (plain name, no prefix) may never cross: empty, the
 * broker's own ("ActiveMQ." advisories, statistics) or the sidecars'
 * private ones ("brokernet.").
 */
bool	bn_topic_is_system(const char *topic);
/*
 * What a connector does with a topic (plain name or pattern, no prefix),
 * following ActiveMQ: system topics are denied; exclusions win; static
 * inclusion beats the dynamic list; the dynamic list admits every topic
 * when it has no entry at all, and none when it holds only <queue>
 * entries. Only <topic> entries match a topic.
 */
enum bn_filter_verdict bn_topic_filter(const struct bn_network_connector *,
	    const char *topic);
/* bn_topic_filter for "/topic/..." names, bn_connector_filter for queues. */
enum bn_filter_verdict bn_dest_filter(const struct bn_network_connector *,
	    const char *name);

struct bn_buf;
struct bn_daemon;
struct json_t;

/*
 * topicstatus.c: the "topics" object of /status, new (the caller owns it):
 * {"demand":{"T":{"local":n,"remote":[{"peer","hops","path"}]}},
 *  "durable_subscriptions":n,"durable_offline":n,
 *  "durable_network_subscriptions":{"count","offline","deleted",
 *  "list":[{"peer","topic","attached"}]},
 *  "subscriptions":[{"peer","topic","id","subscribed","draining","hops",
 *  "inflight","forwarded"}]}. Names are jsonout.h strings ('?' for bytes
 * of invalid UTF-8).
 */
struct json_t *bn_topic_status(const struct bn_daemon *);
/*
 * topicstatus.c: the topic gauges and counters of /metrics, apart from
 * the queues': topics with local and remote demand, network subscriptions
 * to topics, durable subscriptions and durable network subscriptions.
 */
void	bn_topic_metrics(const struct bn_daemon *, struct bn_buf *);

#endif /* BN_TOPIC_H */
