/*
 * A set kept with the broker: one held message per key (see bset.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/bset.h"
#include "brokernet/frame.h"
#include "brokernet/hmap.h"
#include "brokernet/log.h"
#include "brokernet/stomp.h"
#include "brokernet/util.h"

#define BSET_KEY_HDR		"brokernet_key"
#define BSET_PROBE_HDR		"brokernet_probe"
/* Entries held unacked: all of them. A read ends with its probe, so the
 * prefetch must exceed the entries there are. */
#define BSET_PREFETCH		"65536"
#define BSET_MAX_HDRS		8

struct bset_ent {
	char		**hdrs;		/* name, value, ..., NULL */
	bool		 gone;		/* deleted: ack its message */
	bool		 sent;		/* SEND out, not seen back */
	char		*ack;		/* its message, held */
};

struct bn_bset {
	char			*sub_id;
	char			*queue;
	const char		*boot_id;
	const struct bn_bset_ops *ops;
	void			*arg;
	struct bn_stomp		*store;
	bool			 reading;
	unsigned long long	 gen;
	char			 probe[64];
	struct bn_hmap		 ents;	/* key -> struct bset_ent */
};

static void
bset_ent_free(struct bset_ent *e)
{
	char	**h;

	if (e == NULL)
		return;
	for (h = e->hdrs; h != NULL && *h != NULL; h++)
		free(*h);
	free(e->hdrs);
	free(e->ack);
	free(e);
}

static bool
bset_up(const struct bn_bset *b)
{
	return b->store != NULL && bn_stomp_connected(b->store);
}

struct bn_bset *
bn_bset_new(const char *sub_id, const char *queue, const char *boot_id,
    const struct bn_bset_ops *ops, void *arg)
{
	struct bn_bset	*b = xcalloc(1, sizeof(*b));

	b->sub_id = xstrdup(sub_id);
	b->queue = xstrdup(queue);
	b->boot_id = boot_id;
	b->ops = ops;
	b->arg = arg;
	bn_hmap_init(&b->ents);
	return b;
}

void
bn_bset_free(struct bn_bset *b)
{
	struct bn_hmap_ent	*he;
	size_t			 i;

	if (b == NULL)
		return;
	for (he = bn_hmap_first(&b->ents, &i); he != NULL;
	    he = bn_hmap_next(&b->ents, he, &i))
		bset_ent_free(he->value);
	bn_hmap_clear(&b->ents);
	free(b->sub_id);
	free(b->queue);
	free(b);
}

const char *
bn_bset_queue(const struct bn_bset *b)
{
	return b->queue;
}

bool
bn_bset_reading(const struct bn_bset *b)
{
	return b->reading;
}

/* Its message goes to the broker, once. */
static void
bset_write(struct bn_bset *b, const char *key, struct bset_ent *e)
{
	const char	*h[2 * BSET_MAX_HDRS + 3];
	size_t		 n = 0, i;

	if (e->ack != NULL || e->sent || e->gone || b->reading || !bset_up(b))
		return;
	h[n++] = BSET_KEY_HDR;
	h[n++] = key;
	for (i = 0; e->hdrs[i] != NULL && n + 2 < sizeof(h) / sizeof(h[0]);
	    i++)
		h[n++] = e->hdrs[i];
	h[n] = NULL;
	if (bn_stomp_put(b->store, b->queue, true, h) == 0)
		e->sent = true;
}

void
bn_bset_add(struct bn_bset *b, const char *key, const char *const *hdrs)
{
	struct bset_ent	*e = bn_hmap_get(&b->ents, key);
	size_t		 n = 0, i;

	if (e != NULL && !e->gone)
		return;
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		bn_hmap_put(&b->ents, key, e);
	}
	e->gone = false;
	if (e->hdrs == NULL) {
		while (hdrs != NULL && hdrs[n] != NULL && n < 2 * BSET_MAX_HDRS)
			n++;
		e->hdrs = xcalloc(n + 1, sizeof(*e->hdrs));
		for (i = 0; i < n; i++)
			e->hdrs[i] = xstrdup(hdrs[i]);
	}
	bset_write(b, key, e);
}

void
bn_bset_del(struct bn_bset *b, const char *key)
{
	struct bset_ent	*e = bn_hmap_get(&b->ents, key);

	if (e == NULL)
		return;
	e->gone = true;
	if (e->ack != NULL && bset_up(b)) {
		bn_stomp_ack(b->store, e->ack);
		free(e->ack);
		e->ack = NULL;
	}
	/* A message under way is acked when it comes back; during a read,
	 * one left by an earlier run may still come. */
	if (e->ack == NULL && (!e->sent || !bset_up(b)) && !b->reading)
		bset_ent_free(bn_hmap_del(&b->ents, key));
}

void
bn_bset_connected(struct bn_bset *b, struct bn_stomp *store)
{
	struct bn_header h[2] = {
		{ "activemq.prefetchSize", BSET_PREFETCH },
		/* a consumer of a dead session is served until dropped */
		{ "activemq.exclusive", "true" },
	};
	const char	*probe[] = { BSET_PROBE_HDR, b->probe, NULL };

	bn_bset_lost(b);
	b->store = store;
	b->gen++;
	b->reading = true;
	snprintf(b->probe, sizeof(b->probe), "%s-%s%llu", b->boot_id,
	    b->sub_id, b->gen);
	bn_stomp_subscribe(store, b->sub_id, b->queue, "client-individual", h,
	    2);
	/* persistent, as every entry: one FIFO cursor */
	bn_stomp_put(store, b->queue, true, probe);
}

void
bn_bset_lost(struct bn_bset *b)
{
	struct bn_hmap_ent	*he;
	struct bset_ent		*e;
	size_t			 i;

	if (bset_up(b))
		bn_stomp_unsubscribe(b->store, b->sub_id);
	b->store = NULL;
	b->reading = false;
	/* The held messages go back to the broker with the session. */
	for (he = bn_hmap_first(&b->ents, &i); he != NULL;
	    he = bn_hmap_next(&b->ents, he, &i)) {
		e = he->value;
		free(e->ack);
		e->ack = NULL;
		e->sent = false;
	}
}

bool
bn_bset_is_theirs(const struct bn_bset *b, const struct bn_frame *f)
{
	const char	*sid = bn_frame_get(f, "subscription");

	return sid != NULL && strcmp(sid, b->sub_id) == 0;
}

static void
bset_read_done(struct bn_bset *b)
{
	struct bn_hmap_ent	*he, *next;
	struct bset_ent		*e;
	size_t			 i, n = 0;

	b->reading = false;
	for (he = bn_hmap_first(&b->ents, &i); he != NULL; he = next) {
		next = bn_hmap_next(&b->ents, he, &i);
		e = he->value;
		if (e->gone && e->ack == NULL) {
			bset_ent_free(bn_hmap_del(&b->ents, he->key));
			continue;
		}
		n++;
		bset_write(b, he->key, e);
	}
	b->ops->read(n, b->arg);
}

void
bn_bset_on_message(struct bn_bset *b, const struct bn_frame *f)
{
	const char	*ack = bn_frame_get(f, "ack");
	const char	*probe = bn_frame_get(f, BSET_PROBE_HDR);
	const char	*key = bn_frame_get(f, BSET_KEY_HDR);
	struct bset_ent	*e;

	if (ack == NULL || !bset_up(b))
		return;
	if (probe != NULL) {
		bn_stomp_ack(b->store, ack);
		if (b->reading && strcmp(probe, b->probe) == 0)
			bset_read_done(b);
		return;
	}
	if (key == NULL) {
		log_warnx("store: %s: a message without %s; removed", b->queue,
		    BSET_KEY_HDR);
		bn_stomp_ack(b->store, ack);
		return;
	}
	if ((e = bn_hmap_get(&b->ents, key)) == NULL) {
		/* left by an earlier run: the owner decides */
		e = xcalloc(1, sizeof(*e));
		e->hdrs = xcalloc(1, sizeof(*e->hdrs));
		bn_hmap_put(&b->ents, key, e);
		e->ack = xstrdup(ack);
		b->ops->found(key, f, b->arg);
		return;
	}
	e->sent = false;
	if (e->ack != NULL) {
		bn_stomp_ack(b->store, ack);	/* a second copy */
		return;
	}
	e->ack = xstrdup(ack);
	if (e->gone)
		bn_bset_del(b, key);
}
