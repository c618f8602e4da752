/*
 * The failover policy of the broker session (struct bn_failover of
 * config.h, ActiveMQ's failover: transport): its defaults, copy and
 * teardown, and the order in which one failover cycle tries the URIs.
 * Pure: no I/O, no libevent.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/config.h"
#include "brokernet/util.h"

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

/* A deep copy of src into dst (freed with bn_failover_free). */
void
bn_failover_copy(struct bn_failover *dst, const struct bn_failover *src)
{
	size_t	i;

	*dst = *src;
	dst->uris = xcalloc(src->nuris, sizeof(*dst->uris));
	for (i = 0; i < src->nuris; i++)
		bn_endpoint_copy(&dst->uris[i], &src->uris[i]);
	dst->priority_uris = NULL;
	if (src->npriority > 0) {
		dst->priority_uris = xcalloc(src->npriority,
		    sizeof(*dst->priority_uris));
		for (i = 0; i < src->npriority; i++)
			bn_endpoint_copy(&dst->priority_uris[i],
			    &src->priority_uris[i]);
	}
}

static bool
failover_is_priority(const struct bn_failover *fo, size_t idx)
{
	const struct bn_endpoint	*u = &fo->uris[idx];
	size_t				 i;

	if (!fo->priority_backup)
		return false;
	if (fo->npriority == 0)
		return idx == 0;
	for (i = 0; i < fo->npriority; i++)
		if (strcmp(fo->priority_uris[i].host, u->host) == 0 &&
		    fo->priority_uris[i].port == u->port)
			return true;
	return false;
}

/* The order of URIs for one failover cycle: priority first, then shuffled. */
size_t
bn_failover_plan(const struct bn_failover *fo, size_t *order)
{
	size_t	i, j, n = 0, npri = 0, tmp;

	for (i = 0; i < fo->nuris; i++)
		if (failover_is_priority(fo, i))
			order[n++] = i;
	npri = n;
	for (i = 0; i < fo->nuris; i++)
		if (!failover_is_priority(fo, i))
			order[n++] = i;
	if (fo->randomize && n - npri > 1) {
		for (i = n - 1; i > npri; i--) {
			j = npri + arc4random_uniform((uint32_t)(i - npri + 1));
			tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
	}
	return n;
}
