/* The duplicate window: a hash map plus a FIFO for count/age eviction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/dedup.h"
#include "brokernet/util.h"

void
bn_dedup_init(struct bn_dedup *dd, size_t max_count, uint64_t max_age_ms)
{
	memset(dd, 0, sizeof(*dd));
	bn_hmap_init(&dd->map);
	TAILQ_INIT(&dd->fifo);
	dd->max_count = max_count ? max_count : 1;
	dd->max_age_ms = max_age_ms;
}

static void
dedup_remove(struct bn_dedup *dd, struct bn_dedup_ent *e)
{
	TAILQ_REMOVE(&dd->fifo, e, entry);
	bn_hmap_del(&dd->map, e->key);
	free(e->key);
	free(e->waiters);
	free(e);
}

void
bn_dedup_free(struct bn_dedup *dd)
{
	struct bn_dedup_ent	*e;

	while ((e = TAILQ_FIRST(&dd->fifo)) != NULL)
		dedup_remove(dd, e);
	bn_hmap_clear(&dd->map);
}

void
bn_dedup_expire(struct bn_dedup *dd, uint64_t now_ms)
{
	struct bn_dedup_ent	*e, *next;

	if (dd->max_age_ms == 0)
		return;
	/* Oldest first; a store still in progress is kept, not a barrier. */
	for (e = TAILQ_FIRST(&dd->fifo); e != NULL &&
	    e->ts_ms + dd->max_age_ms < now_ms; e = next) {
		next = TAILQ_NEXT(e, entry);
		if (e->state == BN_DEDUP_STORED) {
			dedup_remove(dd, e);
			dd->evicted++;
		}
	}
}

struct bn_dedup_ent *
bn_dedup_get(struct bn_dedup *dd, const char *key, uint64_t now_ms)
{
	bn_dedup_expire(dd, now_ms);
	return bn_hmap_get(&dd->map, key);
}

struct bn_dedup_ent *
bn_dedup_add(struct bn_dedup *dd, const char *key, enum bn_dedup_state st,
    uint64_t now_ms)
{
	struct bn_dedup_ent	*e, *old;

	while (bn_hmap_count(&dd->map) >= dd->max_count &&
	    (old = TAILQ_FIRST(&dd->fifo)) != NULL) {
		dedup_remove(dd, old);
		dd->evicted++;
	}
	e = xcalloc(1, sizeof(*e));
	e->state = st;
	e->ts_ms = now_ms;
	e->key = xstrdup(key);
	bn_hmap_put(&dd->map, key, e);
	TAILQ_INSERT_TAIL(&dd->fifo, e, entry);
	return e;
}

void
bn_dedup_del(struct bn_dedup *dd, const char *key)
{
	struct bn_dedup_ent	*e = bn_hmap_get(&dd->map, key);

	if (e != NULL)
		dedup_remove(dd, e);
}

void
bn_dedup_wait(struct bn_dedup_ent *e, uint64_t link, uint64_t seq)
{
	e->waiters = xrealloc(e->waiters, (e->nwaiters + 1) *
	    sizeof(*e->waiters));
	e->waiters[e->nwaiters].link = link;
	e->waiters[e->nwaiters++].seq = seq;
}

size_t
bn_dedup_count(const struct bn_dedup *dd)
{
	return bn_hmap_count(&dd->map);
}

int
bn_dedup_key(const char *origin, const char *origin_id, const char *path,
    char *out, size_t n)
{
	int	len;

	if (origin == NULL || origin_id == NULL || path == NULL)
		return -1;
	len = snprintf(out, n, "%s|%s|%s", origin, origin_id, path);
	if (len < 0 || (size_t)len >= n || strchr(out, '\n') != NULL)
		return -1;
	return 0;
}
