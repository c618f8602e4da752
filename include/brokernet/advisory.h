/*
 * ActiveMQ consumer advisories, as delivered over STOMP with
 * "transformation:jms-advisory-json" from
 * /topic/ActiveMQ.Advisory.Consumer.> (queues and topics). Pure: no I/O,
 * no allocation.
 *
 * A body is one JSON object holding either a "ConsumerInfo" (a consumer
 * was added, or is being replayed on subscribe) or a "RemoveInfo" whose
 * objectId is a ConsumerId (a consumer went away). Every other field is
 * skipped.
 */
#ifndef BN_ADVISORY_H
#define BN_ADVISORY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Every brokernet network subscription's selector starts with this, so
 * that sidecars (of this network or another) on one broker recognise each
 * other's subscriptions and never count them as local demand.
 */
#define BN_NETSUB_SELECTOR_HEAD	"brokernet_marker IS NULL AND "

enum bn_advisory_kind {
	BN_ADV_ADD = 1,		/* ConsumerInfo */
	BN_ADV_REMOVE,		/* RemoveInfo with a ConsumerId */
	/*
	 * RemoveSubscriptionInfo: a durable subscription was deleted
	 * (UNSUBSCRIBE with activemq.subscriptionName). Only connection_id,
	 * client_id and subscription are set; the topic is in the name of
	 * the advisory topic it came on (bn_advisory_topic_of).
	 */
	BN_ADV_REMOVE_SUB
};

struct bn_advisory {
	enum bn_advisory_kind	kind;
	/*
	 * "connectionId/sessionId/value", e.g. "ID:h-1-2-4:9/-1/1": a
	 * stable key, equal for the ADD and the REMOVE of one consumer.
	 * The last two parts are decimal integers, so the key is unambiguous
	 * even when connectionId contains '/'.
	 */
	char			consumer_id[512];
	/* consumerId.connectionId (the STOMP session of the owner). */
	char			connection_id[256];
	/* Queue or topic name, ADD only (never empty); "" for REMOVE. */
	char			destination[512];
	/* ADD: destination "@class" is exactly "ActiveMQQueue". */
	bool			queue;
	/* ADD: destination "@class" is exactly "ActiveMQTopic". */
	bool			topic;
	/*
	 * ADD: the name this consumer is demand for in the demand table
	 * (topic.h): a queue's name, "/topic/" + a topic's name (or
	 * pattern); "" when it is never demand (temporary destinations,
	 * the broker's own and the sidecars' private topics).
	 */
	char			demand[520];
	/* ADD, REMOVE_SUB: "subscriptionName" of a durable subscriber. */
	char			subscription[256];
	/* REMOVE_SUB: "clientId". */
	char			client_id[256];
	/* ADD: "browser" is true. */
	bool			browser;
	/* ADD: "priority" (a Java byte, -128..127); 0 if absent. */
	int			priority;
	/* ADD: "selector" is present, not null and not "". */
	bool			has_selector;
	/* ADD: the selector starts with BN_NETSUB_SELECTOR_HEAD. */
	bool			network;
};

/*
 * Parses one advisory body of len bytes; body need not be NUL-terminated
 * and is never read past len. Strict JSON (RFC 8259, UTF-8): whitespace
 * may follow the object, nothing else; nesting deeper than 32 is refused.
 *
 * Returns 0 and fills *out. Returns -1 on malformed JSON, a missing or
 * malformed consumerId/objectId, a ConsumerInfo without a destination,
 * strings longer than the fields above, a duplicated known key, a body
 * that is neither ConsumerInfo nor RemoveInfo, or a RemoveInfo whose
 * objectId "@class" is not "ConsumerId"; then *out is left untouched and,
 * if err is not NULL, *err points to a static string naming the reason
 * (the caller does not free it).
 */
/*
 * The topic a consumer advisory is about, from the destination it came on
 * ("/topic/ActiveMQ.Advisory.Consumer.Topic.T" -> "T", pointing into
 * dest), or NULL when it is not a topic consumer advisory.
 */
const char *bn_advisory_topic_of(const char *dest);

int	bn_advisory_parse(const char *body, size_t len, struct bn_advisory *out,
	    const char **err);

#endif /* BN_ADVISORY_H */
