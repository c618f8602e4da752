/*
 * String-keyed chained hash map. Keys come from peers (queue names,
 * consumer ids, paths), so the hash is SipHash-2-4 under a random key per
 * process: without it a peer can choose keys that all land in one bucket.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/hmap.h"
#include "brokernet/siphash.h"
#include "brokernet/util.h"

static uint64_t	hmap_key[2];
static bool	hmap_keyed;

void
bn_hmap_seed(uint64_t k0, uint64_t k1)
{
	hmap_key[0] = k0;
	hmap_key[1] = k1;
	hmap_keyed = true;
}

size_t
bn_hmap_hash(const char *s)
{
	uint64_t	h[2];

	/* arc4random_buf reads getrandom(2); it cannot fail. */
	if (!hmap_keyed) {
		arc4random_buf(hmap_key, sizeof(hmap_key));
		hmap_keyed = true;
	}
	bn_siphash128(hmap_key, s, strlen(s), h);
	return (size_t)h[0];
}

void
bn_hmap_init(struct bn_hmap *m)
{
	m->nb = 16;
	m->n = 0;
	m->b = xcalloc(m->nb, sizeof(*m->b));
}

void
bn_hmap_clear(struct bn_hmap *m)
{
	struct bn_hmap_ent	*e, *next;
	size_t			 i;

	for (i = 0; i < m->nb && m->b != NULL; i++)
		for (e = m->b[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	free(m->b);
	m->b = NULL;
	m->nb = m->n = 0;
}

void
bn_hmap_clear_free(struct bn_hmap *m)
{
	struct bn_hmap_ent	*e;
	size_t			 i;

	for (e = bn_hmap_first(m, &i); e != NULL; e = bn_hmap_next(m, e, &i))
		free(e->value);
	bn_hmap_clear(m);
}

static struct bn_hmap_ent **
hmap_slot(const struct bn_hmap *m, const char *key, size_t h)
{
	struct bn_hmap_ent	**pp;

	for (pp = &m->b[h & (m->nb - 1)]; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->hash == h && strcmp((*pp)->key, key) == 0)
			break;
	return pp;
}

void *
bn_hmap_get(const struct bn_hmap *m, const char *key)
{
	struct bn_hmap_ent	*e;

	if (m->b == NULL)
		return NULL;
	e = *hmap_slot(m, key, bn_hmap_hash(key));
	return e ? e->value : NULL;
}

static void
hmap_grow(struct bn_hmap *m)
{
	struct bn_hmap_ent	**nbkt, *e, *next;
	size_t			  i, nnb = m->nb * 2;

	nbkt = xcalloc(nnb, sizeof(*nbkt));
	for (i = 0; i < m->nb; i++)
		for (e = m->b[i]; e != NULL; e = next) {
			next = e->next;
			e->next = nbkt[e->hash & (nnb - 1)];
			nbkt[e->hash & (nnb - 1)] = e;
		}
	free(m->b);
	m->b = nbkt;
	m->nb = nnb;
}

void *
bn_hmap_put(struct bn_hmap *m, const char *key, void *value)
{
	struct bn_hmap_ent	**pp, *e;
	size_t			  h = bn_hmap_hash(key), klen;
	void			 *old;

	if (m->b == NULL)
		bn_hmap_init(m);
	pp = hmap_slot(m, key, h);
	if (*pp != NULL) {
		old = (*pp)->value;
		(*pp)->value = value;
		return old;
	}
	klen = strlen(key);
	e = xmalloc(sizeof(*e) + klen + 1);
	memcpy(e->key, key, klen + 1);
	e->hash = h;
	e->value = value;
	e->next = NULL;
	*pp = e;
	m->n++;
	if (m->n > m->nb * 2)
		hmap_grow(m);
	return NULL;
}

void *
bn_hmap_del(struct bn_hmap *m, const char *key)
{
	struct bn_hmap_ent	**pp, *e;
	void			 *v;

	if (m->b == NULL)
		return NULL;
	pp = hmap_slot(m, key, bn_hmap_hash(key));
	if ((e = *pp) == NULL)
		return NULL;
	*pp = e->next;
	v = e->value;
	free(e);
	m->n--;
	return v;
}

size_t
bn_hmap_count(const struct bn_hmap *m)
{
	return m->n;
}

struct bn_hmap_ent *
bn_hmap_first(const struct bn_hmap *m, size_t *i)
{
	for (*i = 0; m->b != NULL && *i < m->nb; (*i)++)
		if (m->b[*i] != NULL)
			return m->b[*i];
	return NULL;
}

struct bn_hmap_ent *
bn_hmap_next(const struct bn_hmap *m, struct bn_hmap_ent *e, size_t *i)
{
	if (e->next != NULL)
		return e->next;
	for ((*i)++; *i < m->nb; (*i)++)
		if (m->b[*i] != NULL)
			return m->b[*i];
	return NULL;
}
