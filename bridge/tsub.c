/*
 * Durable network subscriptions to topics: their list, kept with the
 * broker, and their deletion (see tsub.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "brokernet/frame.h"
#include "brokernet/hmap.h"
#include "brokernet/log.h"
#include "brokernet/stomp.h"
#include "brokernet/tsub.h"
#include "brokernet/util.h"

#define TSUB_SUB		"ts"
/* Registry entries held unacked: one per subscription. A read ends with
 * its probe, so the prefetch must exceed the subscriptions there are. */
#define TSUB_PREFETCH		"65536"
#define TSUB_SWEEP_MS		1000

struct tsub_ent {
	char		*peer;
	char		*topic;
	bool		 attached;	/* forward.c has it */
	bool		 unwanted;	/* to be deleted */
	bool		 deleting;	/* its UNSUBSCRIBE is out */
	bool		 gone;		/* deleted: only the registry left */
	bool		 reg_sent;	/* registry SEND out, not seen back */
	bool		 held;		/* the peer's broker is away */
	char		*reg_ack;	/* its registry message, held */
	uint64_t	 since_ms;	/* detached (monotonic) */
};

struct tsub_del {
	struct bn_tsub	*t;
	char		*name;
};

struct bn_tsub {
	char		*queue;
	const char	*boot_id;
	uint64_t	 offline_ms;
	struct bn_stomp	*store;		/* holding the registry */
	struct bn_stomp	*cons;
	bool		 reading;
	uint64_t	 gen;
	char		 probe[64];
	struct bn_hmap	 ents;		/* name -> struct tsub_ent */
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
	free(e->reg_ack);
	free(e);
}

static bool
tsub_store_up(const struct bn_tsub *t)
{
	return t->store != NULL && bn_stomp_connected(t->store);
}

/* The registry message of name: written once, held while it lives. */
static void
tsub_register(struct bn_tsub *t, const char *name, struct tsub_ent *e)
{
	const char	*h[] = { "brokernet_tsub", name, "brokernet_peer",
			    e->peer, "brokernet_topic", e->topic, NULL };

	if (e->reg_ack != NULL || e->reg_sent || e->gone || t->reading ||
	    !tsub_store_up(t))
		return;
	if (bn_stomp_put(t->store, t->queue, true, h) == 0)
		e->reg_sent = true;
}

/* Deleted (or never to be kept): its registry message goes, then it. */
static void
tsub_forget(struct bn_tsub *t, const char *name)
{
	struct tsub_ent	*e = bn_hmap_get(&t->ents, name);

	if (e == NULL)
		return;
	e->gone = true;
	e->deleting = false;
	if (e->reg_ack != NULL && tsub_store_up(t)) {
		bn_stomp_ack(t->store, e->reg_ack);
		free(e->reg_ack);
		e->reg_ack = NULL;
	}
	/* A registry message under way is acked when it comes back. */
	if (e->reg_ack == NULL && (!e->reg_sent || !tsub_store_up(t)) &&
	    !t->reading)
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
			e->deleting = false;	/* session lost: again later */
	}
	free(dl->name);
	free(dl);
}

static void
tsub_delete(struct bn_tsub *t, const char *name, struct tsub_ent *e)
{
	struct bn_frame	*f;
	struct tsub_del	*dl;
	char		 id[32];

	if (e->deleting || e->gone || e->attached || t->cons == NULL ||
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

static void
tsub_sweep_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_tsub		*t = arg;
	struct bn_hmap_ent	*he;
	struct tsub_ent		*e;
	uint64_t		 now = bn_now_ms(), up;
	size_t			 i;

	if (t->reading)
		return;
	for (he = bn_hmap_first(&t->ents, &i); he != NULL;
	    he = bn_hmap_next(&t->ents, he, &i)) {
		e = he->value;
		if (e->attached || e->gone || e->deleting)
			continue;
		if (!e->unwanted) {
			up = tsub_peer_up_ms(t, e->peer);
			if (up != 0 && !e->held && now - up >= BN_TSUB_GRACE_MS &&
			    now - e->since_ms >= BN_TSUB_GRACE_MS) {
				log_info("topics: %s: %s is connected and has"
				    " not asked for it again; deleting",
				    he->key, e->peer);
				e->unwanted = true;
			} else if (t->offline_ms > 0 && up == 0 &&
			    now - e->since_ms >= t->offline_ms) {
				log_warnx("topics: %s: %s away for %llu ms"
				    " (offlineNetworkSubscriptionTimeout);"
				    " deleting it and what it kept", he->key,
				    e->peer, (unsigned long long)(now -
				    e->since_ms));
				e->unwanted = true;
			}
		}
		if (e->unwanted)
			tsub_delete(t, he->key, e);
	}
}

struct bn_tsub *
bn_tsub_new(struct event_base *base, const char *queue, const char *boot_id,
    uint64_t offline_timeout_ms)
{
	struct bn_tsub	*t = xcalloc(1, sizeof(*t));
	struct timeval	 tv = { TSUB_SWEEP_MS / 1000,
			    (TSUB_SWEEP_MS % 1000) * 1000 };

	t->queue = xstrdup(queue);
	t->boot_id = boot_id;
	t->offline_ms = offline_timeout_ms;
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
	event_free(t->sweep_ev);
	free(t->queue);
	free(t);
}

static struct tsub_ent *
tsub_get(struct bn_tsub *t, const char *peer, const char *topic,
    struct bn_buf *name)
{
	struct tsub_ent	*e;

	bn_tsub_name(peer, topic, name);
	if ((e = bn_hmap_get(&t->ents, name->data)) == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->peer = xstrdup(peer);
		e->topic = xstrdup(topic);
		e->since_ms = bn_now_ms();
		bn_hmap_put(&t->ents, name->data, e);
	}
	return e;
}

void
bn_tsub_attached(struct bn_tsub *t, const char *peer, const char *topic)
{
	struct bn_buf	 name = { 0 };
	struct tsub_ent	*e = tsub_get(t, peer, topic, &name);

	e->attached = true;
	e->unwanted = e->gone = e->held = false;
	tsub_register(t, name.data, e);
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
	struct bn_header h[2] = {
		{ "activemq.prefetchSize", TSUB_PREFETCH },
		{ "activemq.exclusive", "true" },
	};
	const char	*probe[] = { "brokernet_probe", t->probe, NULL };

	bn_tsub_lost(t);
	t->store = store;
	t->gen++;
	t->reading = true;
	snprintf(t->probe, sizeof(t->probe), "%s-ts%llu", t->boot_id,
	    (unsigned long long)t->gen);
	bn_stomp_subscribe(store, TSUB_SUB, t->queue, "client-individual", h,
	    2);
	/* persistent, as every entry: one FIFO cursor */
	bn_stomp_put(store, t->queue, true, probe);
}

void
bn_tsub_lost(struct bn_tsub *t)
{
	struct bn_hmap_ent	*he;
	struct tsub_ent		*e;
	size_t			 i;

	if (t->store != NULL && bn_stomp_connected(t->store))
		bn_stomp_unsubscribe(t->store, TSUB_SUB);
	t->store = NULL;
	t->reading = false;
	/* The held registry messages go back to the broker with it. */
	for (he = bn_hmap_first(&t->ents, &i); he != NULL;
	    he = bn_hmap_next(&t->ents, he, &i)) {
		e = he->value;
		free(e->reg_ack);
		e->reg_ack = NULL;
		e->reg_sent = false;
	}
}

bool
bn_tsub_is_theirs(const struct bn_frame *f)
{
	const char	*sid = bn_frame_get(f, "subscription");

	return sid != NULL && strcmp(sid, TSUB_SUB) == 0;
}

/* The read is over: every entry of the broker's registry was seen. */
static void
tsub_read_done(struct bn_tsub *t)
{
	struct bn_hmap_ent	*he, *next;
	struct tsub_ent		*e;
	size_t			 i, n = 0, gone = 0;

	t->reading = false;
	for (he = bn_hmap_first(&t->ents, &i); he != NULL; he = next) {
		next = bn_hmap_next(&t->ents, he, &i);
		e = he->value;
		if (e->gone && e->reg_ack == NULL) {
			tsub_ent_free(bn_hmap_del(&t->ents, he->key));
			gone++;
			continue;
		}
		n++;
		tsub_register(t, he->key, e);
	}
	log_info("topics: %zu durable network subscription(s) known from %s",
	    n, t->queue);
}

void
bn_tsub_on_message(struct bn_tsub *t, const struct bn_frame *f)
{
	const char	*ack = bn_frame_get(f, "ack");
	const char	*probe = bn_frame_get(f, "brokernet_probe");
	const char	*name = bn_frame_get(f, "brokernet_tsub");
	const char	*peer = bn_frame_get(f, "brokernet_peer");
	const char	*topic = bn_frame_get(f, "brokernet_topic");
	struct tsub_ent	*e;

	if (ack == NULL || !tsub_store_up(t))
		return;
	if (probe != NULL) {
		bn_stomp_ack(t->store, ack);
		if (t->reading && strcmp(probe, t->probe) == 0)
			tsub_read_done(t);
		return;
	}
	if (name == NULL || peer == NULL || topic == NULL) {
		log_warnx("topics: %s: a message without brokernet_tsub,"
		    " brokernet_peer and brokernet_topic; removed", t->queue);
		bn_stomp_ack(t->store, ack);
		return;
	}
	if ((e = bn_hmap_get(&t->ents, name)) == NULL) {
		/* left by an earlier run: resumed or cleaned up */
		e = xcalloc(1, sizeof(*e));
		e->peer = xstrdup(peer);
		e->topic = xstrdup(topic);
		e->since_ms = bn_now_ms();
		bn_hmap_put(&t->ents, name, e);
	}
	e->reg_sent = false;
	if (e->reg_ack != NULL) {
		bn_stomp_ack(t->store, ack);	/* a second copy */
		return;
	}
	e->reg_ack = xstrdup(ack);
	if (e->gone)
		tsub_forget(t, name);
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
		if (e->gone)
			continue;
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
		if (!e->gone)
			cb(he->key, e->peer, e->topic, e->attached, arg);
	}
}

uint64_t
bn_tsub_deleted(const struct bn_tsub *t)
{
	return t->deleted;
}
