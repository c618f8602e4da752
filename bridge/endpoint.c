/*
 * Endpoints (scheme://host:port of config.h) and the reconnect policy of
 * connectors: defaults, copy, printing, teardown. Shared by config.c,
 * uri.c (which fills them) and the sessions that dial them; kept apart so
 * that uri.c and config.c, which calls uri.c, do not call each other.
 * Failover policies are failover.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "brokernet/config.h"
#include "brokernet/util.h"

void
bn_reconnect_defaults(struct bn_reconnect *r)
{
	memset(r, 0, sizeof(*r));
	r->initial_delay_ms = 1000;
	r->max_delay_ms = 30000;
	r->exponential = true;
	r->multiplier = 2.0;
	r->max_attempts = 0;
	r->jitter = 0.1;
}

void
bn_endpoint_free(struct bn_endpoint *ep)
{
	if (ep == NULL)
		return;
	free(ep->scheme);
	free(ep->host);
	ep->scheme = ep->host = NULL;
	ep->port = 0;
}

void
bn_endpoint_copy(struct bn_endpoint *dst, const struct bn_endpoint *src)
{
	dst->scheme = xstrdup(src->scheme);
	dst->host = xstrdup(src->host);
	dst->port = src->port;
}

/* "scheme://host:port", IPv6 hosts in brackets. */
char *
bn_endpoint_str(const struct bn_endpoint *ep)
{
	char	*s;

	if (strchr(ep->host, ':') != NULL)
		xasprintf(&s, "%s://[%s]:%u", ep->scheme, ep->host, ep->port);
	else
		xasprintf(&s, "%s://%s:%u", ep->scheme, ep->host, ep->port);
	return s;
}

bool
bn_endpoint_is_tls(const struct bn_endpoint *ep)
{
	return strcmp(ep->scheme, "ssl") == 0 ||
	    strcmp(ep->scheme, "stomp+ssl") == 0;
}

bool
bn_endpoint_is_openwire(const struct bn_endpoint *ep)
{
	return strcmp(ep->scheme, "tcp") == 0 || strcmp(ep->scheme, "ssl") == 0;
}
