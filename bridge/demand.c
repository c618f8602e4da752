/* The demand table: local consumer counts and remote adverts per link. */
#include <stdlib.h>
#include <string.h>

#include "brokernet/advisory.h"
#include "brokernet/demand.h"
#include "brokernet/topic.h"
#include "brokernet/util.h"

void
bn_demand_init(struct bn_demand *d)
{
	bn_hmap_init(&d->queues);
	bn_hmap_init(&d->durables);
	bn_hmap_init(&d->durable_ids);
}

static void
demand_q_free(struct bn_demand_q *q)
{
	size_t	i;

	for (i = 0; i < q->nremote; i++)
		free(q->remote[i].path);
	free(q->remote);
	free(q->name);
	free(q);
}

void
bn_demand_free(struct bn_demand *d)
{
	struct bn_hmap_ent	*e;
	size_t			 i;

	for (e = bn_hmap_first(&d->queues, &i); e != NULL;
	    e = bn_hmap_next(&d->queues, e, &i))
		demand_q_free(e->value);
	bn_hmap_clear(&d->queues);
	bn_hmap_clear_free(&d->durables);
	bn_hmap_clear_free(&d->durable_ids);
}

static struct bn_demand_q *
demand_q(struct bn_demand *d, const char *name, bool create)
{
	struct bn_demand_q	*q;

	if ((q = bn_hmap_get(&d->queues, name)) != NULL || !create)
		return q;
	q = xcalloc(1, sizeof(*q));
	q->name = xstrdup(name);
	q->local_zero_ms = bn_now_ms();
	bn_hmap_put(&d->queues, name, q);
	return q;
}

/* Drops an entry that no longer carries any demand. */
static void
demand_gc(struct bn_demand *d, struct bn_demand_q *q)
{
	if (q->local == 0 && q->nremote == 0) {
		bn_hmap_del(&d->queues, q->name);
		demand_q_free(q);
	}
}

uint32_t
bn_demand_local_add(struct bn_demand *d, const char *name, int delta)
{
	struct bn_demand_q	*q;
	uint32_t		 n, was;
	int64_t			 v;

	q = demand_q(d, name, delta > 0);
	if (q == NULL)
		return 0;
	was = q->local;
	v = (int64_t)q->local + delta;
	q->local = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	n = q->local;
	if (q->local_offline > n)
		q->local_offline = n;
	if (n == 0 && was > 0)
		q->local_zero_ms = bn_now_ms();
	demand_gc(d, q);
	return n;
}

/* Appends the names of queues matching pred to out, NUL-separated. */
static void
demand_collect(const struct bn_demand *d, bool (*pred)(const struct bn_demand_q *,
    uint64_t), uint64_t arg, struct bn_buf *out)
{
	struct bn_hmap_ent	*e;
	size_t			 i;

	for (e = bn_hmap_first(&d->queues, &i); e != NULL;
	    e = bn_hmap_next(&d->queues, e, &i))
		if (pred(e->value, arg))
			bn_buf_add(out, e->key, strlen(e->key) + 1);
}

static bool
demand_has_local(const struct bn_demand_q *q, uint64_t unused)
{
	return q->local > 0;
}

void
bn_demand_local_clear(struct bn_demand *d, struct bn_buf *changed)
{
	struct bn_buf		 names = { 0 };
	struct bn_demand_q	*q;
	struct bn_hmap_ent	*e;
	const char		*nl;
	size_t			 off, i;

	demand_collect(d, demand_has_local, 0, &names);
	for (off = 0; off < names.len; off += strlen(names.data + off) + 1) {
		q = demand_q(d, names.data + off, false);
		q->local = 0;
		q->local_offline = 0;
		q->local_zero_ms = bn_now_ms();
		demand_gc(d, q);
	}
	if (changed != NULL && names.len > 0)
		bn_buf_add(changed, names.data, names.len);
	bn_buf_free(&names);
	/*
	 * A durable subscription lives on the broker: it stays demand, now
	 * offline (its subscriber's consumer id was the lost session's),
	 * until the replay shows its subscriber or it is deleted.
	 */
	bn_hmap_clear_free(&d->durable_ids);
	bn_hmap_init(&d->durable_ids);
	for (e = bn_hmap_first(&d->durables, &i); e != NULL;
	    e = bn_hmap_next(&d->durables, e, &i)) {
		free(e->value);
		e->value = xstrdup("");
		nl = strchr(e->key, '\n');
		bn_buf_reset(&names);
		bn_buf_add(&names, e->key, (size_t)(nl - e->key));
		bn_buf_add(&names, "", 1);
		q = demand_q(d, names.data, true);
		q->local++;
		q->local_offline++;
	}
	bn_buf_free(&names);
}

/* Adds delta to name's local count; name to changed on 0 <-> 1. */
static void
demand_durable_count(struct bn_demand *d, const char *name, int delta,
    struct bn_buf *changed)
{
	uint32_t	n = bn_demand_local_add(d, name, delta);

	if ((delta > 0 && n == 1) || (delta < 0 && n == 0))
		bn_buf_add(changed, name, strlen(name) + 1);
}

/*
 * Counts one durable subscription of name going offline (+1) or back or
 * away (-1). Whether only offline ones are left changes what links with
 * dynamicOnly are told: name goes to changed when that flips.
 */
static void
demand_offline_add(struct bn_demand *d, const char *name, int delta,
    struct bn_buf *changed)
{
	struct bn_demand_q	*q = demand_q(d, name, false);
	bool			 was;

	if (q == NULL)
		return;
	was = q->local > 0 && q->local_offline == q->local;
	if (delta > 0 && q->local_offline < q->local)
		q->local_offline++;
	else if (delta < 0 && q->local_offline > 0)
		q->local_offline--;
	if (was != (q->local > 0 && q->local_offline == q->local))
		bn_buf_add(changed, name, strlen(name) + 1);
}

bool
bn_demand_durable(struct bn_demand *d, const struct bn_advisory *adv,
    const char *adv_topic, struct bn_buf *changed)
{
	struct bn_buf	 key = { 0 };
	char		*id, *k;
	bool		 handled = true;

	switch (adv->kind) {
	case BN_ADV_ADD:
		if (!adv->topic || adv->subscription[0] == '\0' ||
		    adv->demand[0] == '\0' || adv->network) {
			handled = false;
			break;
		}
		bn_buf_printf(&key, "%s\n%s", adv->demand, adv->subscription);
		if ((id = bn_hmap_get(&d->durables, key.data)) == NULL)
			demand_durable_count(d, adv->demand, 1, changed);
		else if (*id != '\0')
			free(bn_hmap_del(&d->durable_ids, id));
		else	/* back online */
			demand_offline_add(d, adv->demand, -1, changed);
		free(bn_hmap_put(&d->durables, key.data,
		    xstrdup(adv->consumer_id)));
		free(bn_hmap_put(&d->durable_ids, adv->consumer_id,
		    xstrdup(key.data)));
		break;
	case BN_ADV_REMOVE:
		/* its subscriber went offline: the subscription stays */
		if ((k = bn_hmap_del(&d->durable_ids, adv->consumer_id)) ==
		    NULL) {
			handled = false;
			break;
		}
		free(bn_hmap_put(&d->durables, k, xstrdup("")));
		*strchr(k, '\n') = '\0';
		demand_offline_add(d, k, 1, changed);
		free(k);
		break;
	case BN_ADV_REMOVE_SUB:
		if (adv_topic == NULL || adv->subscription[0] == '\0')
			break;
		bn_buf_printf(&key, "%s%s\n%s", BN_TOPIC_PREFIX, adv_topic,
		    adv->subscription);
		if ((id = bn_hmap_del(&d->durables, key.data)) == NULL)
			break;
		*strchr(key.data, '\n') = '\0';
		if (*id != '\0')
			free(bn_hmap_del(&d->durable_ids, id));
		else
			demand_offline_add(d, key.data, -1, changed);
		free(id);
		demand_durable_count(d, key.data, -1, changed);
		break;
	}
	bn_buf_free(&key);
	return handled;
}

bool
bn_demand_durable_restore(struct bn_demand *d, const char *topic,
    const char *subscription, struct bn_buf *changed)
{
	struct bn_buf	key = { 0 };
	bool		added = false;

	bn_buf_printf(&key, "%s\n%s", topic, subscription);
	if (bn_hmap_get(&d->durables, key.data) == NULL) {
		bn_hmap_put(&d->durables, key.data, xstrdup(""));
		demand_durable_count(d, topic, 1, changed);
		demand_offline_add(d, topic, 1, changed);
		added = true;
	}
	bn_buf_free(&key);
	return added;
}

size_t
bn_demand_durable_count(const struct bn_demand *d, size_t *offline)
{
	struct bn_hmap_ent	*e;
	size_t			 i, n = 0;

	for (e = bn_hmap_first(&d->durables, &i); e != NULL;
	    e = bn_hmap_next(&d->durables, e, &i))
		n += *(const char *)e->value == '\0';
	if (offline != NULL)
		*offline = n;
	return bn_hmap_count(&d->durables);
}

static struct bn_demand_remote *
demand_remote_find(const struct bn_demand_q *q, uint64_t link)
{
	size_t	i;

	for (i = 0; i < q->nremote; i++)
		if (q->remote[i].link == link)
			return &q->remote[i];
	return NULL;
}

bool
bn_demand_remote_set(struct bn_demand *d, const char *name, uint64_t link,
    uint32_t hops, const char *path)
{
	struct bn_demand_q	*q = demand_q(d, name, true);
	struct bn_demand_remote	*r;

	if ((r = demand_remote_find(q, link)) != NULL) {
		if (r->hops == hops && strcmp(r->path, path) == 0)
			return false;
		free(r->path);
	} else {
		q->remote = xrealloc(q->remote,
		    (q->nremote + 1) * sizeof(*q->remote));
		r = &q->remote[q->nremote++];
		r->link = link;
		r->offline = false;
	}
	r->hops = hops;
	r->path = xstrdup(path);
	return true;
}

bool
bn_demand_remote_set_offline(struct bn_demand *d, const char *name,
    uint64_t link, bool offline)
{
	struct bn_demand_q	*q = demand_q(d, name, false);
	struct bn_demand_remote	*r;

	if (q == NULL || (r = demand_remote_find(q, link)) == NULL ||
	    r->offline == offline)
		return false;
	r->offline = offline;
	return true;
}

bool
bn_demand_remote_del(struct bn_demand *d, const char *name, uint64_t link)
{
	struct bn_demand_q	*q = demand_q(d, name, false);
	struct bn_demand_remote	*r;

	if (q == NULL || (r = demand_remote_find(q, link)) == NULL)
		return false;
	free(r->path);
	*r = q->remote[--q->nremote];
	demand_gc(d, q);
	return true;
}

static bool
demand_has_link(const struct bn_demand_q *q, uint64_t link)
{
	return demand_remote_find(q, link) != NULL;
}

void
bn_demand_remote_clear_link(struct bn_demand *d, uint64_t link,
    struct bn_buf *changed)
{
	struct bn_buf	names = { 0 };
	size_t		off;

	demand_collect(d, demand_has_link, link, &names);
	for (off = 0; off < names.len; off += strlen(names.data + off) + 1)
		bn_demand_remote_del(d, names.data + off, link);
	if (changed != NULL && names.len > 0)
		bn_buf_add(changed, names.data, names.len);
	bn_buf_free(&names);
}

const struct bn_demand_q *
bn_demand_get(const struct bn_demand *d, const char *name)
{
	return bn_hmap_get(&d->queues, name);
}

uint32_t
bn_demand_remote_hops(const struct bn_demand *d, const char *name,
    uint64_t link)
{
	const struct bn_demand_q	*q = bn_hmap_get(&d->queues, name);
	const struct bn_demand_remote	*r;

	if (q == NULL || (r = demand_remote_find(q, link)) == NULL)
		return 0;
	return r->hops;
}

bool
bn_path_contains(const char *path, const char *name)
{
	size_t		 nlen = strlen(name);
	const char	*p = path, *comma;

	if (path == NULL || nlen == 0)
		return false;
	for (;;) {
		comma = strchr(p, ',');
		if ((comma ? (size_t)(comma - p) : strlen(p)) == nlen &&
		    strncmp(p, name, nlen) == 0)
			return true;
		if (comma == NULL)
			return false;
		p = comma + 1;
	}
}

bool
bn_demand_advert(const struct bn_demand *d, const char *name, uint64_t to,
    const char *peer, const char *self, int64_t consumer_ttl, uint32_t *hops,
    struct bn_buf *path)
{
	return bn_demand_advert_ex(d, name, to, peer, self, consumer_ttl,
	    false, hops, path, NULL);
}

/* The best remote entry to re-advertise to `to`, online or offline-only. */
static const struct bn_demand_remote *
demand_best_remote(const struct bn_demand_q *q, uint64_t to, const char *peer,
    const char *self, int64_t consumer_ttl, bool offline)
{
	const struct bn_demand_remote	*best = NULL;
	size_t				 i;

	for (i = 0; i < q->nremote; i++) {
		const struct bn_demand_remote	*r = &q->remote[i];

		if (r->offline != offline)
			continue;
		if (r->link == to || bn_path_contains(r->path, peer) ||
		    bn_path_contains(r->path, self))
			continue;
		if (consumer_ttl >= 0 && (int64_t)r->hops >= consumer_ttl)
			continue;
		if (best == NULL || r->hops < best->hops ||
		    (r->hops == best->hops && strcmp(r->path, best->path) < 0))
			best = r;
	}
	return best;
}

bool
bn_demand_advert_ex(const struct bn_demand *d, const char *name, uint64_t to,
    const char *peer, const char *self, int64_t consumer_ttl,
    bool dynamic_only, uint32_t *hops, struct bn_buf *path, bool *offline)
{
	const struct bn_demand_q	*q = bn_hmap_get(&d->queues, name);
	const struct bn_demand_remote	*best;
	bool				 off = false;

	if (q == NULL)
		return false;
	/* connected consumers first, here then behind peers */
	if (q->local > q->local_offline)
		goto local;
	if ((best = demand_best_remote(q, to, peer, self, consumer_ttl,
	    false)) != NULL)
		goto remote;
	if (dynamic_only)
		return false;
	off = true;
	if (q->local > 0)
		goto local;
	if ((best = demand_best_remote(q, to, peer, self, consumer_ttl,
	    true)) != NULL)
		goto remote;
	return false;
local:
	*hops = 1;
	bn_buf_addstr(path, self);
	if (offline != NULL)
		*offline = off;
	return true;
remote:
	*hops = best->hops + 1;
	bn_buf_addstr(path, best->path);
	bn_buf_addc(path, ',');
	bn_buf_addstr(path, self);
	if (offline != NULL)
		*offline = off;
	return true;
}

int
bn_demand_priority(uint32_t hops)
{
	if (hops <= 1)
		return -5;
	return -5 - (int)(hops + 1);
}
