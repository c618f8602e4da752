/*
 * Durable network subscriptions to topics: their list, kept with the
 * broker (bset.h), and their deletion (see tsub.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "brokernet/bset.h"
#include "brokernet/frame.h"
#include "brokernet/hmap.h"
#include "brokernet/log.h"
#include "brokernet/stomp.h"
#include "brokernet/tsub.h"
#include "brokernet/util.h"

#define TSUB_SWEEP_MS		1000

struct tsub_ent {
	char		*peer;
	char		*topic;
	bool		 attached;	/* forward.c has it */
	bool		 unwanted;	/* to be deleted */
	bool		 deleting;	/* its UNSUBSCRIBE is out */
	bool		 held;		/* its peer's broker away */
	uint64_t	 since_ms;	/* detached (monotonic) */
};

struct tsub_del {
	struct bn_tsub	*t;
	char		*name;
};

struct bn_tsub {
	uint64_t	 offline_ms;
	struct bn_bset	*reg;		/* the list, on the broker */
	struct bn_stomp	*cons;
	struct bn_hmap	 ents;		/* name -> tsub_ent */
	struct bn_hmap	 peers_up;	/* peer -> uint64_t up since */
	struct event	*sweep_ev;
	uint64_t	 deleted;
	uint64_t	 next_del;
};

void
bn_tsub_name(const char *peer, const char *topic, struct bn_buf *b)
{
	bn_buf_printf(b, "brokernet.%s/%s", peer, topic);
}

static void
tsub_ent_free(struct tsub_ent *e)
{
	if (e == NULL)
		return;
	free(e->peer);
	free(e->topic);
	free(e);
}

static struct tsub_ent *
tsub_ent_new(struct bn_tsub *t, const char *name, const char *peer,
    const char *topic)
{
	struct tsub_ent	*e = xcalloc(1, sizeof(*e));

	e->peer = xstrdup(peer);
	e->topic = xstrdup(topic);
	e->since_ms = bn_now_ms();
	bn_hmap_put(&t->ents, name, e);
	return e;
}

/* Deleted on the broker: its registry entry goes, then it. */
static void
tsub_forget(struct bn_tsub *t, const char *name)
{
	bn_bset_del(t->reg, name);
	tsub_ent_free(bn_hmap_del(&t->ents, name));
}

static void
tsub_deleted_cb(struct bn_stomp *st, void *ctx, bool ok,
    const struct bn_frame *error)
{
	struct tsub_del	*dl = ctx;
	struct bn_tsub	*t = dl->t;
	struct tsub_ent	*e = bn_hmap_get(&t->ents, dl->name);

	if (e != NULL && e->deleting && !e->attached) {
		if (ok || error != NULL) {
			/* an ERROR: the broker has no such subscription */
			if (ok)
				log_info("topics: durable network subscription"
				    " %s deleted", dl->name);
			else
				log_warnx("topics: deleting durable network"
				    " subscription %s: %s; forgotten", dl->name,
				    bn_frame_get(error, "message") ?
				    bn_frame_get(error, "message") : "ERROR");
			t->deleted++;
			tsub_forget(t, dl->name);
		} else
			e->deleting = false;	/* session lost: later */
	} else if (e != NULL)
		e->deleting = false;
	free(dl->name);
	free(dl);
}

static void
tsub_delete(struct bn_tsub *t, const char *name, struct tsub_ent *e)
{
	struct bn_frame	*f;
	struct tsub_del	*dl;
	char		 id[32];

	if (e->deleting || e->attached || t->cons == NULL ||
	    !bn_stomp_connected(t->cons))
		return;
	snprintf(id, sizeof(id), "tsdel%llu",
	    (unsigned long long)++t->next_del);
	f = bn_frame_new("UNSUBSCRIBE");
	bn_frame_add_header(f, "id", id);
	bn_frame_add_header(f, "activemq.subscriptionName", name);
	dl = xcalloc(1, sizeof(*dl));
	dl->t = t;
	dl->name = xstrdup(name);
	e->deleting = true;
	if (bn_stomp_send(t->cons, f, 0, tsub_deleted_cb, dl) == -1) {
		e->deleting = false;
		free(dl->name);
		free(dl);
	}
	bn_frame_free(f);
}

static uint64_t
tsub_peer_up_ms(const struct bn_tsub *t, const char *peer)
{
	const uint64_t	*since = bn_hmap_get(&t->peers_up, peer);

	return since != NULL ? *since : 0;
}

/* Whether e, not attached, is to be deleted now (and why, logged once). */
static bool
tsub_expired(const struct bn_tsub *t, const char *name,
    const struct tsub_ent *e, uint64_t now)
{
	uint64_t	up = tsub_peer_up_ms(t, e->peer);

	if (up != 0 && !e->held && now - up >= BN_TSUB_GRACE_MS &&
	    now - e->since_ms >= BN_TSUB_GRACE_MS) {
		log_info("topics: %s: %s is connected and has not asked for"
		    " it again; deleting", name, e->peer);
		return true;
	}
	if (t->offline_ms > 0 && up == 0 && now - e->since_ms >=
	    t->offline_ms) {
		log_warnx("topics: %s: %s away for %llu ms"
		    " (offlineNetworkSubscriptionTimeout); deleting it and"
		    " what it kept", name, e->peer,
		    (unsigned long long)(now - e->since_ms));
		return true;
	}
	return false;
}

static void
tsub_sweep_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_tsub		*t = arg;
	struct bn_hmap_ent	*he;
	struct tsub_ent		*e;
	struct bn_buf		 names = { 0 };
	uint64_t		 now = bn_now_ms();
	size_t			 i, off;

	if (bn_bset_reading(t->reg))
		return;
	/* Collect first: a deletion may end an entry. */
	for (he = bn_hmap_first(&t->ents, &i); he != NULL;
	    he = bn_hmap_next(&t->ents, he, &i)) {
		e = he->value;
		if (e->attached || e->deleting)
			continue;
		if (!e->unwanted && tsub_expired(t, he->key, e, now))
			e->unwanted = true;
		if (e->unwanted)
			bn_buf_add(&names, he->key, strlen(he->key) + 1);
	}
	for (off = 0; off < names.len; off += strlen(names.data + off) + 1)
		if ((e = bn_hmap_get(&t->ents, names.data + off)) != NULL)
			tsub_delete(t, names.data + off, e);
	bn_buf_free(&names);
}

static void
tsub_found(const char *name, const struct bn_frame *f, void *arg)
{
	struct bn_tsub	*t = arg;
	const char	*peer = bn_frame_get(f, "brokernet_peer");
	const char	*topic = bn_frame_get(f, "brokernet_topic");

	if (peer == NULL || topic == NULL) {
		log_warnx("topics: %s: entry %s lacks brokernet_peer or"
		    " brokernet_topic; removed", bn_bset_queue(t->reg), name);
		bn_bset_del(t->reg, name);
		return;
	}
	/* left by an earlier run: resumed, or deleted once unwanted */
	if (bn_hmap_get(&t->ents, name) == NULL)
		tsub_ent_new(t, name, peer, topic);
}

static void
tsub_read(size_t n, void *arg)
{
	struct bn_tsub	*t = arg;

	log_info("topics: %zu durable network subscription(s) known from %s",
	    n, bn_bset_queue(t->reg));
}

static const struct bn_bset_ops tsub_reg_ops = {
	.found = tsub_found,
	.read = tsub_read,
};

struct bn_tsub *
bn_tsub_new(struct event_base *base, const char *queue, const char *boot_id,
    uint64_t offline_timeout_ms)
{
	struct bn_tsub	*t = xcalloc(1, sizeof(*t));
	struct timeval	 tv = { TSUB_SWEEP_MS / 1000,
			    (TSUB_SWEEP_MS % 1000) * 1000 };

	t->offline_ms = offline_timeout_ms;
	t->reg = bn_bset_new("ts", queue, boot_id, &tsub_reg_ops, t);
	bn_hmap_init(&t->ents);
	bn_hmap_init(&t->peers_up);
	if ((t->sweep_ev = event_new(base, -1, EV_PERSIST, tsub_sweep_cb,
	    t)) == NULL)
		fatalx("topics: cannot create the sweep timer");
	event_add(t->sweep_ev, &tv);
	return t;
}

void
bn_tsub_free(struct bn_tsub *t)
{
	struct bn_hmap_ent	*he;
	size_t			 i;

	if (t == NULL)
		return;
	for (he = bn_hmap_first(&t->ents, &i); he != NULL;
	    he = bn_hmap_next(&t->ents, he, &i))
		tsub_ent_free(he->value);
	bn_hmap_clear(&t->ents);
	bn_hmap_clear_free(&t->peers_up);
	bn_bset_free(t->reg);
	event_free(t->sweep_ev);
	free(t);
}

static struct tsub_ent *
tsub_get(struct bn_tsub *t, const char *peer, const char *topic,
    struct bn_buf *name)
{
	struct tsub_ent	*e;

	bn_tsub_name(peer, topic, name);
	if ((e = bn_hmap_get(&t->ents, name->data)) == NULL)
		e = tsub_ent_new(t, name->data, peer, topic);
	return e;
}

void
bn_tsub_attached(struct bn_tsub *t, const char *peer, const char *topic)
{
	struct bn_buf	 name = { 0 };
	struct tsub_ent	*e = tsub_get(t, peer, topic, &name);
	const char	*h[] = { "brokernet_peer", peer, "brokernet_topic",
			    topic, NULL };

	e->attached = true;
	e->unwanted = e->held = false;
	bn_bset_add(t->reg, name.data, h);
	bn_buf_free(&name);
}

void
bn_tsub_detached(struct bn_tsub *t, const char *peer, const char *topic,
    bool held)
{
	struct bn_buf	 name = { 0 };
	struct tsub_ent	*e = tsub_get(t, peer, topic, &name);

	e->attached = false;
	e->held = held;
	e->since_ms = bn_now_ms();
	bn_buf_free(&name);
}

void
bn_tsub_unwanted(struct bn_tsub *t, const char *peer, const char *topic)
{
	struct bn_buf	 name = { 0 };
	struct tsub_ent	*e = tsub_get(t, peer, topic, &name);

	e->attached = false;
	e->unwanted = true;
	e->since_ms = bn_now_ms();
	tsub_delete(t, name.data, e);
	bn_buf_free(&name);
}

void
bn_tsub_peer(struct bn_tsub *t, const char *peer, bool up)
{
	uint64_t	*since;

	if (peer == NULL)
		return;
	if (!up) {
		free(bn_hmap_del(&t->peers_up, peer));
		return;
	}
	since = xmalloc(sizeof(*since));
	*since = bn_now_ms();
	free(bn_hmap_put(&t->peers_up, peer, since));
}

void
bn_tsub_consumer(struct bn_tsub *t, struct bn_stomp *cons)
{
	t->cons = cons;
}

void
bn_tsub_connected(struct bn_tsub *t, struct bn_stomp *store)
{
	bn_bset_connected(t->reg, store);
}

void
bn_tsub_lost(struct bn_tsub *t)
{
	bn_bset_lost(t->reg);
}

bool
bn_tsub_is_theirs(const struct bn_tsub *t, const struct bn_frame *f)
{
	return bn_bset_is_theirs(t->reg, f);
}

void
bn_tsub_on_message(struct bn_tsub *t, const struct bn_frame *f)
{
	bn_bset_on_message(t->reg, f);
}

size_t
bn_tsub_count(const struct bn_tsub *t, size_t *offline)
{
	struct bn_hmap_ent	*he;
	const struct tsub_ent	*e;
	size_t			 i, n = 0, off = 0;

	for (he = bn_hmap_first(&t->ents, &i); he != NULL;
	    he = bn_hmap_next(&t->ents, he, &i)) {
		e = he->value;
		n++;
		off += !e->attached;
	}
	if (offline != NULL)
		*offline = off;
	return n;
}

void
bn_tsub_each(const struct bn_tsub *t, bn_tsub_each_cb cb, void *arg)
{
	struct bn_hmap_ent	*he;
	const struct tsub_ent	*e;
	size_t			 i;

	for (he = bn_hmap_first(&t->ents, &i); he != NULL;
	    he = bn_hmap_next(&t->ents, he, &i)) {
		e = he->value;
		cb(he->key, e->peer, e->topic, e->attached, arg);
	}
}

uint64_t
bn_tsub_deleted(const struct bn_tsub *t)
{
	return t->deleted;
}
