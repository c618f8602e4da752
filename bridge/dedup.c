/*
 * The duplicate window: fingerprints in a chained hash table plus a FIFO
 * for count and age eviction (see dedup.h). A deleted entry leaves the
 * table at once and the FIFO when it reaches the head. Entries come from
 * slabs of DEDUP_SLAB and go back to a free list; the slabs are freed with
 * the window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/dedup.h"
#include "brokernet/siphash.h"
#include "brokernet/util.h"

#define DEDUP_MIN_BUCKETS	64
#define DEDUP_SLAB		1024	/* entries per slab (48 KiB) */

struct bn_dedup_slab {
	struct bn_dedup_slab	*next;
	struct bn_dedup_ent	 ents[DEDUP_SLAB];
};

static struct bn_dedup_ent *
dedup_ent_new(struct bn_dedup *dd)
{
	struct bn_dedup_slab	*s;
	struct bn_dedup_ent	*e;
	size_t			 i;

	if (dd->free_ents == NULL) {
		s = xmalloc(sizeof(*s));
		s->next = dd->slabs;
		dd->slabs = s;
		for (i = DEDUP_SLAB; i-- > 0;) {
			s->ents[i].fifo_next = dd->free_ents;
			dd->free_ents = &s->ents[i];
		}
	}
	e = dd->free_ents;
	dd->free_ents = e->fifo_next;
	memset(e, 0, sizeof(*e));
	return e;
}

static void
dedup_ent_free(struct bn_dedup *dd, struct bn_dedup_ent *e)
{
	e->fifo_next = dd->free_ents;
	dd->free_ents = e;
}

/* Forgets the duplicates waiting for e. */
static void
dedup_drop_waiters(struct bn_dedup *dd, struct bn_dedup_ent *e)
{
	size_t	i, j;

	if (!e->waited)
		return;
	for (i = j = 0; i < dd->nwait; i++)
		if (dd->wait[i].e != e)
			dd->wait[j++] = dd->wait[i];
	dd->nwait = j;
	e->waited = false;
}

void
bn_dedup_init(struct bn_dedup *dd, size_t max_count, uint64_t max_age_ms)
{
	memset(dd, 0, sizeof(*dd));
	dd->max_count = max_count ? max_count : 1;
	dd->max_age_ms = max_age_ms;
	dd->nb = DEDUP_MIN_BUCKETS;
	dd->b = xcalloc(dd->nb, sizeof(*dd->b));
	arc4random_buf(dd->key, sizeof(dd->key));
}

void
bn_dedup_fingerprint(const struct bn_dedup *dd, const char *key,
    uint64_t h[2])
{
	bn_siphash128(dd->key, key, strlen(key), h);
}

static struct bn_dedup_ent **
dedup_slot(const struct bn_dedup *dd, const uint64_t h[2])
{
	struct bn_dedup_ent	**pp = &dd->b[h[0] & (dd->nb - 1)];

	while (*pp != NULL && ((*pp)->h[0] != h[0] || (*pp)->h[1] != h[1]))
		pp = &(*pp)->hash_next;
	return pp;
}

/* Doubles the buckets when the table is fuller than one entry a bucket. */
static void
dedup_grow(struct bn_dedup *dd)
{
	struct bn_dedup_ent	**nb, *e, *next;
	size_t			  i, n = dd->nb * 2;

	nb = xcalloc(n, sizeof(*nb));
	for (i = 0; i < dd->nb; i++)
		for (e = dd->b[i]; e != NULL; e = next) {
			next = e->hash_next;
			e->hash_next = nb[e->h[0] & (n - 1)];
			nb[e->h[0] & (n - 1)] = e;
		}
	free(dd->b);
	dd->b = nb;
	dd->nb = n;
}

/* Takes e out of the table (it stays in the FIFO as GONE). */
static void
dedup_unhash(struct bn_dedup *dd, struct bn_dedup_ent *e)
{
	struct bn_dedup_ent	**pp = dedup_slot(dd, e->h);

	if (*pp == e)
		*pp = e->hash_next;
	e->hash_next = NULL;
	e->state = BN_DEDUP_GONE;
	dedup_drop_waiters(dd, e);
	dd->n--;
}

/* Frees the FIFO's head; a live one is an eviction. */
static void
dedup_pop(struct bn_dedup *dd)
{
	struct bn_dedup_ent	*e = dd->head;

	if (e->state != BN_DEDUP_GONE) {
		dedup_unhash(dd, e);
		dd->evicted++;
	}
	dd->head = e->fifo_next;
	if (dd->head == NULL)
		dd->tail = NULL;
	dedup_ent_free(dd, e);
}

void
bn_dedup_free(struct bn_dedup *dd)
{
	struct bn_dedup_slab	*s;

	while ((s = dd->slabs) != NULL) {
		dd->slabs = s->next;
		free(s);
	}
	free(dd->wait);
	dd->wait = NULL;
	dd->nwait = dd->capwait = 0;
	dd->free_ents = NULL;
	free(dd->b);
	dd->b = NULL;
	dd->head = dd->tail = NULL;
	dd->n = 0;
}

void
bn_dedup_expire(struct bn_dedup *dd, uint64_t now_ms)
{
	struct bn_dedup_ent	*e, *prev = NULL, *next;

	if (dd->max_age_ms == 0)
		return;
	/* Oldest first; a store still in progress is kept, not a barrier. */
	for (e = dd->head; e != NULL && e->ts_ms + dd->max_age_ms < now_ms;
	    e = next) {
		next = e->fifo_next;
		if (e->state == BN_DEDUP_STORING) {
			prev = e;
			continue;
		}
		if (e->state == BN_DEDUP_STORED) {
			dedup_unhash(dd, e);
			dd->evicted++;
		}
		if (prev == NULL)
			dd->head = next;
		else
			prev->fifo_next = next;
		if (dd->tail == e)
			dd->tail = prev;
		dedup_ent_free(dd, e);
	}
}

struct bn_dedup_ent *
bn_dedup_find(const struct bn_dedup *dd, const char *key)
{
	uint64_t	h[2];

	bn_dedup_fingerprint(dd, key, h);
	return *dedup_slot(dd, h);
}

struct bn_dedup_ent *
bn_dedup_get(struct bn_dedup *dd, const char *key, uint64_t now_ms)
{
	bn_dedup_expire(dd, now_ms);
	return bn_dedup_find(dd, key);
}

struct bn_dedup_ent *
bn_dedup_add(struct bn_dedup *dd, const char *key, enum bn_dedup_state st,
    uint64_t now_ms)
{
	struct bn_dedup_ent	*e, **pp;

	while (dd->n >= dd->max_count && dd->head != NULL)
		dedup_pop(dd);
	if (dd->n >= dd->nb)
		dedup_grow(dd);
	e = dedup_ent_new(dd);
	bn_dedup_fingerprint(dd, key, e->h);
	e->state = (uint8_t)st;
	e->ts_ms = now_ms;
	pp = &dd->b[e->h[0] & (dd->nb - 1)];
	e->hash_next = *pp;
	*pp = e;
	if (dd->tail != NULL)
		dd->tail->fifo_next = e;
	else
		dd->head = e;
	dd->tail = e;
	dd->n++;
	return e;
}

void
bn_dedup_del(struct bn_dedup *dd, const char *key)
{
	struct bn_dedup_ent	*e = bn_dedup_find(dd, key);

	if (e != NULL)
		dedup_unhash(dd, e);
}

void
bn_dedup_wait(struct bn_dedup *dd, struct bn_dedup_ent *e, uint64_t link,
    uint64_t seq)
{
	if (dd->nwait == dd->capwait) {
		dd->capwait = dd->capwait ? dd->capwait * 2 : 16;
		dd->wait = xrealloc(dd->wait, dd->capwait * sizeof(*dd->wait));
	}
	dd->wait[dd->nwait].e = e;
	dd->wait[dd->nwait].w.link = link;
	dd->wait[dd->nwait++].w.seq = seq;
	e->waited = true;
}

size_t
bn_dedup_take_waiters(struct bn_dedup *dd, struct bn_dedup_ent *e,
    struct bn_dedup_waiter **out)
{
	size_t	i, n = 0;

	*out = NULL;
	if (!e->waited)
		return 0;
	for (i = 0; i < dd->nwait; i++)
		n += dd->wait[i].e == e;
	*out = xcalloc(n, sizeof(**out));
	for (i = n = 0; i < dd->nwait; i++)
		if (dd->wait[i].e == e)
			(*out)[n++] = dd->wait[i].w;
	dedup_drop_waiters(dd, e);
	return n;
}

size_t
bn_dedup_count(const struct bn_dedup *dd)
{
	return dd->n;
}

size_t
bn_dedup_bytes(const struct bn_dedup *dd)
{
	const struct bn_dedup_slab	*s;
	size_t				 bytes;

	bytes = dd->nb * sizeof(*dd->b) + dd->capwait * sizeof(*dd->wait);
	for (s = dd->slabs; s != NULL; s = s->next)
		bytes += sizeof(*s);
	return bytes;
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
