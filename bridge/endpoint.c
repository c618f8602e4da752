/*
 * The transport settings that config.c and uri.c share (config.h):
 * endpoints, failover policies (the broker session) and reconnect
 * policies (connectors), their defaults and their teardown. Kept apart so
 * that uri.c, which fills them, and config.c, which calls uri.c, do not
 * call each other.
 */
#include <stdlib.h>
#include <string.h>

#include "brokernet/config.h"

void
bn_failover_defaults(struct bn_failover *f)
{
	memset(f, 0, sizeof(*f));
	f->uris = NULL;
	f->nuris = 0;
	f->initial_delay_ms = 10;
	f->max_delay_ms = 30000;
	f->exponential = true;
	f->exponent = 2.0;
	f->max_attempts = 0;
	f->startup_max_attempts = 0;
	f->randomize = true;
	f->priority_backup = false;
	f->priority_uris = NULL;
	f->npriority = 0;
	f->timeout_ms = -1;
	f->jitter = 0.0;
}

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
bn_failover_free(struct bn_failover *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nuris; i++)
		bn_endpoint_free(&f->uris[i]);
	free(f->uris);
	f->uris = NULL;
	f->nuris = 0;
	for (i = 0; i < f->npriority; i++)
		bn_endpoint_free(&f->priority_uris[i]);
	free(f->priority_uris);
	f->priority_uris = NULL;
	f->npriority = 0;
}
