/*
 * Topics in the demand table, on links and in a connector's filters
 * (topic.h). Pure: no I/O.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/filter.h"
#include "brokernet/topic.h"

bool
bn_topic_is(const char *name)
{
	return name != NULL && strncmp(name, BN_TOPIC_PREFIX,
	    BN_TOPIC_PREFIX_LEN) == 0;
}

bool
bn_topic_is_system(const char *topic)
{
	return topic == NULL || *topic == '\0' ||
	    strncmp(topic, "ActiveMQ.", 9) == 0 ||
	    strcmp(topic, "ActiveMQ") == 0 ||
	    strncmp(topic, BN_PRIVATE_PREFIX, strlen(BN_PRIVATE_PREFIX)) == 0;
}

enum bn_filter_verdict
bn_topic_filter(const struct bn_network_connector *nc, const char *topic)
{
	if (nc == NULL || bn_topic_is_system(topic))
		return BN_FILTER_DENY;
	/*
	 * A wildcard subscription ("*", ">", "ActiveMQ.>" itself) covers
	 * system topics too: the broker would hand them to the network
	 * subscription; those are refused per message (forward.c).
	 */
	return bn_filter_lists(nc, topic, true);
}

enum bn_filter_verdict
bn_dest_filter(const struct bn_network_connector *nc, const char *name)
{
	if (bn_topic_is(name))
		return bn_topic_filter(nc, name + BN_TOPIC_PREFIX_LEN);
	return bn_connector_filter(nc, name);
}
