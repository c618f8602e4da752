/*
 * ActiveMQ destination wildcards and a network connector's destination
 * filters. Pure: no I/O.
 *
 * Names and patterns are split on '.'; segments compare exactly (case
 * matters). A "*" segment matches any one segment, a ">" segment the rest
 * of the name: one or more segments, so "orders.>" matches "orders.eu" but
 * not "orders" (the pattern ">" alone matches every name). Segments after
 * a ">" are ignored; the config loader refuses such patterns.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "brokernet/config.h"
#include "brokernet/filter.h"

/* Queues of the broker itself (DLQ, advisories, ...): never forwarded. */
#define FILTER_SYSTEM	"ActiveMQ.>"
#define FILTER_MARKERS	"brokernet.commits.>"	/* the sidecars' own */
#define FILTER_PREFLIGHT "brokernet.preflight.>" /* probe consumers */

bool
bn_dest_match(const char *pattern, const char *name)
{
	const char	*p, *n, *pe, *ne;
	size_t		 plen, nlen;

	if (pattern == NULL || name == NULL)
		return false;
	for (p = pattern, n = name;; p = pe + 1, n = ne + 1) {
		pe = strchr(p, '.');
		ne = strchr(n, '.');
		plen = pe != NULL ? (size_t)(pe - p) : strlen(p);
		nlen = ne != NULL ? (size_t)(ne - n) : strlen(n);
		/* there is a name segment here, which is all '>' needs */
		if (plen == 1 && *p == '>')
			return true;
		if (!(plen == 1 && *p == '*') &&
		    (plen != nlen || memcmp(p, n, plen) != 0))
			return false;
		if (pe == NULL || ne == NULL)
			return pe == NULL && ne == NULL;
	}
}

/* True when an entry of l of that kind (topic or queue) matches name. */
static bool
filter_list_match(const struct bn_dest_list *l, const char *name, bool topic)
{
	size_t	i;

	if (l == NULL || name == NULL)
		return false;
	for (i = 0; i < l->n; i++)
		if (l->items[i].topic == topic &&
		    bn_dest_match(l->items[i].pattern, name))
			return true;
	return false;
}

bool
bn_dest_list_match(const struct bn_dest_list *l, const char *name)
{
	return filter_list_match(l, name, false);
}

enum bn_filter_verdict
bn_filter_lists(const struct bn_network_connector *nc, const char *name,
    bool topic)
{
	if (filter_list_match(&nc->exclude, name, topic))
		return BN_FILTER_DENY;
	if (filter_list_match(&nc->static_include, name, topic))
		return BN_FILTER_STATIC;
	if (nc->dynamic_include.n == 0 ||
	    filter_list_match(&nc->dynamic_include, name, topic))
		return BN_FILTER_DYNAMIC;
	return BN_FILTER_DENY;
}

/*
 * ActiveMQ's order (DemandForwardingBridgeSupport): system queues and
 * exclusions first, then static inclusion, then the dynamic list. The
 * dynamic list admits everything only when it has no entry at all: like
 * ActiveMQ, a list holding only <topic> entries admits no queue.
 */
enum bn_filter_verdict
bn_connector_filter(const struct bn_network_connector *nc, const char *queue)
{
	if (nc == NULL || queue == NULL)
		return BN_FILTER_DENY;
	if (bn_dest_match(FILTER_SYSTEM, queue) ||
	    bn_dest_match(FILTER_MARKERS, queue) ||
	    bn_dest_match(FILTER_PREFLIGHT, queue))
		return BN_FILTER_DENY;
	return bn_filter_lists(nc, queue, false);
}
