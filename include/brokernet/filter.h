/*
 * ActiveMQ destination wildcards and a network connector's destination
 * filters. Pure. Names are split on '.'; '*' matches one segment, '>' the
 * rest (one or more segments; also zero when the pattern is only ">").
 */
#ifndef BN_FILTER_H
#define BN_FILTER_H

#include <stdbool.h>

struct bn_dest_list;
struct bn_network_connector;

/* True when the queue name matches the pattern. */
bool	bn_dest_match(const char *pattern, const char *name);
/* True when any queue entry of the list matches. */
bool	bn_dest_list_match(const struct bn_dest_list *, const char *name);

enum bn_filter_verdict {
	BN_FILTER_DENY = 0,	/* excluded, advisory/system, or not included */
	BN_FILTER_DYNAMIC,	/* forward while there is demand */
	BN_FILTER_STATIC	/* statically included: forward regardless of
				   demand (unless dynamicOnly) */
};
/*
 * ActiveMQ's order over a connector's lists, for the entries of one kind
 * (topic or queue): excluded, else statically included, else dynamically
 * (an empty dynamic list admits everything). System names are the
 * caller's to refuse first.
 */
enum bn_filter_verdict bn_filter_lists(const struct bn_network_connector *,
	    const char *name, bool topic);

/*
 * What a connector does with a queue: exclusions win; "ActiveMQ.>" queues
 * are always denied; statically included wins over dynamic; an empty
 * dynamic include list admits everything not excluded.
 */
enum bn_filter_verdict bn_connector_filter(const struct bn_network_connector *,
	    const char *queue);

#endif /* BN_FILTER_H */
