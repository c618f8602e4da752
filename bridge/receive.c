/*
 * The receiving side of links: messages that arrive over a link are stored
 * on our broker in STOMP transactions (one journal sync per batch instead
 * of one per message), and each is acked over its link only once the
 * COMMIT was receipted. Batches close at the end of the event-loop
 * iteration that opened them (no added latency at low load) or when full.
 *
 * A duplicate (same origin, origin id and path; for a topic's copy, same
 * origin and origin id by any path) is acked without being stored again. To know what was stored even when the receipt never
 * arrived (the broker or this sidecar died), every transaction also SENDs
 * a commit marker, with the keys of its messages, to a private queue
 * (brokernet.commits.NAME) that no application consumes: the marker exists
 * if and only if the batch committed. After every (re)connect the markers
 * are browsed before anything new is stored: found keys join the
 * duplicate window, batches in doubt are settled by their marker, and
 * link messages wait (parked) until that is done.
 *
 * The markers are the duplicate window's durable copy: they stay on the
 * broker until they fall out of the window, so a sidecar that starts with
 * an empty working directory, here or on another host, rebuilds its window
 * from the broker and is exactly-once from its first message (markers.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "brokernet/daemon.h"
#include "brokernet/fwdwire.h"
#include "brokernet/link.h"
#include "brokernet/log.h"
#include "brokernet/markers.h"
#include "brokernet/names.h"
#include "brokernet/pace.h"
#include "brokernet/receive.h"
#include "brokernet/stomp.h"
#include "brokernet/topic.h"

#define RECV_BATCH_MAX		500		/* messages per transaction */
/*
 * Group commit: at most this many store transactions in flight; messages
 * arriving meanwhile join the open batch, which is committed as soon as
 * one completes. Idle, nothing is in flight and a message commits at once.
 */
#define RECV_COMMITS_MAX	2
/* Parked during recovery above this: links stop being read. */
#define RECV_PARK_MAX		1000
#define RECV_PARK_BYTES		(16u * 1024 * 1024)
#define RECV_BATCH_BYTES	(4u * 1024 * 1024)
/* The path part of a topic copy's duplicate key: any path, one key. */
#define RECV_TOPIC_PATH		"topic"


struct recv_rx {
	struct bn_recv_batch	*batch;
	uint64_t		 link;
	uint64_t		 seq;
	const char		*dest;		/* into key[] */
	const char		*oid;		/* into key[]: origin id or "" */
	char			 key[];		/* dup-window key or "", dest,
						   oid */
};

struct bn_recv_batch {
	struct bn_daemon	*d;
	char			 tx[48];	/* unique across restarts */
	struct recv_rx		**rx;
	size_t			 n, cap;
	struct bn_buf		 wire;		/* BEGIN + SENDs */
	struct bn_buf		 keys;		/* the marker's body */
	uint32_t		 nkeys;		/* lines in keys */
	bool			 in_doubt;
	bool			 abandoned;	/* another sidecar is active */
	/*
	 * The batch's only message so far, not yet in wire: alone and
	 * non-persistent it is sent without a transaction (recv_flush).
	 */
	struct bn_frame		*first;
	bool			 plain;		/* sent without a transaction */
	bool			 persistent;	/* holds a persistent message */
};

struct recv_parked {
	TAILQ_ENTRY(recv_parked) entry;
	uint64_t		 link;
	struct bn_frame		*f;
};

/* What receiving owns: the store session's batches and their recovery. */
struct bn_recv {
	struct bn_hmap		 doubt;		/* tx -> batch in doubt */
	struct bn_hmap		 pending_tx;	/* tx -> batch awaiting receipt */
	TAILQ_HEAD(, recv_parked) parked;	/* arrived during recovery */
	size_t			 nparked;
	size_t			 parked_bytes;
	bool			 recovering;	/* markers not read yet */
	char			*marker_queue;
	struct bn_markers	*markers;	/* the window's broker copy */
	struct bn_recv_batch	*rx_batch;	/* open store transaction */
	struct event		*rx_batch_ev;	/* commits it */
	uint64_t		 next_tx;
};

static void	recv_flush(struct bn_daemon *);
static void	recv_wire_first(struct bn_recv_batch *, bool);
static void	recv_wire_send(struct bn_recv_batch *, const struct bn_frame *,
		    bool);

static void
recv_batch_free(struct bn_recv_batch *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++)
		free(b->rx[i]);
	free(b->rx);
	bn_buf_free(&b->wire);
	bn_buf_free(&b->keys);
	bn_frame_free(b->first);
	free(b);
}

static void
recv_ack_to(struct bn_daemon *d, uint64_t link, uint64_t seq)
{
	struct bn_link	*l = bn_link_find(d, link);

	if (l != NULL && l->state == BN_LINK_UP)
		bn_link_queue_ack(l, seq);
}

/* One message of a committed (ok) or failed batch. */
static void
recv_rx_done(struct bn_daemon *d, struct recv_rx *rx, bool ok,
    const struct bn_frame *err)
{
	struct bn_link		*l = bn_link_find(d, rx->link);
	struct bn_dedup_ent	*e = NULL;
	struct bn_dedup_waiter	*w;
	size_t			 i, n;

	if (l != NULL && l->rx_pending > 0)
		l->rx_pending--;
	if (rx->key[0] != '\0')
		e = bn_dedup_find(&d->dedup, rx->key);
	if (!ok) {
		d->c.store_failed++;
		if (e != NULL)
			bn_dedup_del(&d->dedup, rx->key);
		if (l != NULL) {
			char	why[512];

			snprintf(why, sizeof(why), "broker did not store"
			    " message seq %llu: %s", (unsigned long long)rx->seq,
			    err && bn_frame_get(err, "message") ?
			    bn_frame_get(err, "message") : "no receipt");
			bn_link_close(l, why);
		}
		return;
	}
	d->c.stored++;
	if (e != NULL) {
		/* Remember it before the peer hears that it is stored. */
		e->state = BN_DEDUP_STORED;
		n = bn_dedup_take_waiters(&d->dedup, e, &w);
		for (i = 0; i < n; i++) {
			recv_ack_to(d, w[i].link, w[i].seq);
			bn_pace_stored(d, w[i].link, rx->dest);
		}
		free(w);
	}
	recv_ack_to(d, rx->link, rx->seq);
	/* the peer's credit counts what it sent us as stored */
	bn_pace_stored(d, rx->link, rx->dest);
}

static void
recv_committed_cb(struct bn_stomp *st, void *ctx, bool ok,
    const struct bn_frame *err)
{
	struct bn_recv_batch	*b = ctx;
	struct bn_daemon	*d = b->d;
	size_t			 i;

	bn_hmap_del(&d->rx->pending_tx, b->tx);
	if (b->abandoned) {
		/* Its senders re-send to the active sidecar. */
		for (i = 0; i < b->n; i++)
			if (b->rx[i]->key[0] != '\0')
				bn_dedup_del(&d->dedup, b->rx[i]->key);
		recv_batch_free(b);
		return;
	}
	if (ok && b->plain)
		d->c.stored_plain++;
	else if (ok)
		d->c.store_batches++;
	for (i = 0; i < b->n; i++)
		recv_rx_done(d, b->rx[i], ok, err);
	if (ok && (!b->plain || b->nkeys > 0))
		bn_markers_committed(d->rx->markers, b->tx, b->nkeys);
	recv_batch_free(b);
	/* group commit: what gathered meanwhile goes now */
	if (d->rx->rx_batch != NULL && !d->rx->recovering &&
	    bn_hmap_count(&d->rx->pending_tx) < RECV_COMMITS_MAX)
		event_active(d->rx->rx_batch_ev, EV_TIMEOUT, 1);
}

static void
recv_flush(struct bn_daemon *d)
{
	struct bn_recv_batch	*b = d->rx->rx_batch;
	struct bn_frame		*commit;
	const char		*p;
	size_t			 i;
	int			 rc;

	if (b == NULL)
		return;
	d->rx->rx_batch = NULL;
	if (d->prod == NULL) {		/* no store session (tests, fuzzing) */
		for (i = 0; i < b->n; i++)
			recv_rx_done(d, b->rx[i], false, NULL);
		recv_batch_free(b);
		return;
	}
	bn_hmap_put(&d->rx->pending_tx, b->tx, b);
	if (b->first != NULL && ((p = bn_frame_get(b->first, "persistent")) ==
	    NULL || strcmp(p, "true") != 0)) {
		/*
		 * One non-persistent message: a plain SEND, which the broker
		 * dispatches at once, where a commit costs a journal write
		 * (about 0.5 ms added per hop at low load, measured). Its
		 * marker follows it on the same session, not in a
		 * transaction: the broker takes the two in order, so only a
		 * session lost between the two frames leaves the message
		 * without its marker (then a resend may store it twice).
		 */
		recv_wire_first(b, false);
		b->plain = true;
		rc = bn_stomp_send_wire(d->prod, b->wire.data, b->wire.len,
		    BN_STOMP_RETRY, recv_committed_cb, b);
		if (rc == 0 && b->nkeys > 0)
			bn_markers_send_plain(d->rx->markers, d->prod, b->tx,
			    &b->keys);
	} else {
		if (b->first != NULL)
			recv_wire_first(b, true);
		/* The commit marker: stored if and only if the batch is. */
		bn_markers_wire(d->rx->markers, b->tx, &b->keys, b->persistent,
		    &b->wire);
		commit = bn_frame_new("COMMIT");
		bn_frame_add_header(commit, "transaction", b->tx);
		rc = bn_stomp_send_batch(d->prod, b->wire.data, b->wire.len,
		    commit, BN_STOMP_RETRY, recv_committed_cb, b);
		bn_frame_free(commit);
	}
	if (rc == -1) {
		log_warnx("store: broker unavailable for good; %zu messages"
		    " not stored (their senders keep them)", b->n);
		bn_hmap_del(&d->rx->pending_tx, b->tx);
		for (i = 0; i < b->n; i++)
			recv_rx_done(d, b->rx[i], false, NULL);
		recv_batch_free(b);
	} else
		bn_buf_free(&b->wire);	/* the client keeps its own copy */
	if (!bn_stomp_can_send(d->prod))
		bn_link_pause(d, BN_LINK_PAUSE_STORE, true);
}

static void
recv_flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_daemon	*d = arg;

	if (bn_hmap_count(&d->rx->pending_tx) >= RECV_COMMITS_MAX)
		return;		/* committed when one in flight completes */
	recv_flush(d);
}

/*
 * A copy we stored (or are storing) already: ack it once the first copy
 * is stored, never store it twice. Returns true when it was a duplicate.
 */
static bool
recv_duplicate(struct bn_link *l, const char *key, uint64_t seq,
    const char *dest)
{
	struct bn_daemon	*d = l->d;
	struct bn_dedup_ent	*e;

	if (key[0] == '\0' ||
	    (e = bn_dedup_get(&d->dedup, key, bn_wall_ms())) == NULL)
		return false;
	d->c.duplicates++;
	d->dedup.suppressed++;
	log_debug("link %s: duplicate %s (seq %llu) not stored again",
	    l->peer, key, (unsigned long long)seq);
	if (e->state == BN_DEDUP_STORED) {
		bn_link_queue_ack(l, seq);
		bn_pace_stored(d, l->id, dest);
	} else
		bn_dedup_wait(&d->dedup, e, l->id, seq);
	return true;
}

/* A text message whose body needs no content-length to end it. */
static bool
recv_is_text(const struct bn_frame *f)
{
	const char	*t = bn_frame_get(f, "amq-msg-type");

	return t != NULL && strcmp(t, "text") == 0 &&
	    memchr(f->body, '\0', f->body_len) == NULL;
}

/*
 * Appends the SEND of link message f to b->wire: in transaction b->tx, or
 * (tx false) on its own.
 */
static void
recv_wire_send(struct bn_recv_batch *b, const struct bn_frame *f, bool tx)
{
	struct bn_buf	*w = &b->wire;

	bn_buf_reserve(w, f->body_len + 512);
	bn_buf_addstr(w, "SEND\n");
	if (tx) {
		bn_buf_addstr(w, "transaction:");
		bn_buf_addstr(w, b->tx);
		bn_buf_addc(w, '\n');
	}
	bn_buf_addstr(w, "destination:");
	bn_frame_escape(bn_frame_get(f, "destination"), w);
	bn_fwd_wire_headers(f, false, w);
	/*
	 * ActiveMQ keeps the content-length of a SEND marked amq-msg-type:text
	 * as a property; a text without NUL needs none.
	 */
	if (recv_is_text(f))
		bn_buf_addstr(w, "\n\n");
	else
		bn_buf_printf(w, "\ncontent-length:%zu\n\n", f->body_len);
	bn_buf_add(w, f->body, f->body_len);
	bn_buf_add(w, "", 1);
}

/*
 * Writes the message that waited unwritten: after BEGIN, opening the
 * transaction (tx), or as a SEND of its own.
 */
static void
recv_wire_first(struct bn_recv_batch *b, bool tx)
{
	if (tx) {
		bn_buf_printf(&b->wire, "BEGIN\ntransaction:%s\n\n", b->tx);
		bn_buf_add(&b->wire, "", 1);
	}
	recv_wire_send(b, b->first, tx);
	bn_frame_free(b->first);
	b->first = NULL;
}

static struct recv_rx *
recv_rx_new(struct bn_link *l, uint64_t seq, const char *key,
    const char *dest, const char *oid)
{
	struct recv_rx	*rx;
	size_t		 kl = strlen(key), dl = strlen(dest);
	size_t		 ol = oid != NULL ? strlen(oid) : 0;

	rx = xmalloc(sizeof(*rx) + kl + dl + ol + 3);
	memcpy(rx->key, key, kl + 1);
	memcpy(rx->key + kl + 1, dest, dl + 1);
	memcpy(rx->key + kl + dl + 2, oid != NULL ? oid : "", ol + 1);
	rx->dest = rx->key + kl + 1;
	rx->oid = rx->key + kl + dl + 2;
	rx->link = l->id;
	rx->seq = seq;
	rx->batch = NULL;
	return rx;
}

int
bn_recv_on_link_message(struct bn_link *l, struct bn_frame *f)
{
	struct bn_daemon	*d = l->d;
	const char		*dest = bn_frame_get(f, "destination");
	const char		*seq_s = bn_frame_get(f, "seq");
	struct bn_recv_batch	*b;
	struct recv_rx		*rx;
	uint64_t		 seq;
	const char		*why = NULL, *v;
	char			 key[1024];

	if (!l->they_forward)
		why = "bad MESSAGE: this peer may not forward on this link";
	else if (seq_s == NULL || bn_strtou64(seq_s, UINT64_MAX, &seq) == -1)
		why = "bad MESSAGE: missing or invalid seq";
	else if (dest == NULL || (bn_topic_is(dest) ?
	    bn_topic_is_system(dest + BN_TOPIC_PREFIX_LEN) :
	    (strncmp(dest, "/queue/", 7) != 0 ||
	    dest[7] == '\0' || strncmp(dest + 7, "ActiveMQ.", 9) == 0 ||
	    strncmp(dest + 7, BN_PRIVATE_PREFIX,
	    strlen(BN_PRIVATE_PREFIX)) == 0)))
		why = "bad MESSAGE: destination is not a forwardable queue"
		    " or topic";
	else if ((v = bn_frame_get(f, "brokernet_path")) != NULL &&
	    bn_name_path_check(v, strlen(v)) != NULL)
		why = "bad MESSAGE: brokernet_path is not a list of broker names";
	else if ((v = bn_frame_get(f, "brokernet_origin")) != NULL &&
	    bn_name_check_str(v) != NULL)
		why = "bad MESSAGE: brokernet_origin is not a broker name";
	if (why != NULL) {
		bn_frame_free(f);
		bn_link_close(l, why);
		return -1;
	}
	if (d->rx->recovering) {
		struct recv_parked	*p = xmalloc(sizeof(*p));

		/* Until the markers are read, we cannot tell duplicates. */
		p->link = l->id;
		p->f = f;
		TAILQ_INSERT_TAIL(&d->rx->parked, p, entry);
		d->rx->nparked++;
		d->rx->parked_bytes += f->body_len;
		/* A peer must not make us hold more than this: push back. */
		if (d->rx->nparked >= RECV_PARK_MAX ||
		    d->rx->parked_bytes >= RECV_PARK_BYTES)
			bn_link_pause(d, BN_LINK_PAUSE_PARKED, true);
		return 0;
	}
	l->msgs_in++;
	d->c.received++;
	/*
	 * A topic's copy that arrives again by another path is the same
	 * copy: its key has no path (a queue message may come back by
	 * another path on purpose, replay, so its key has one).
	 */
	if (bn_dedup_key(bn_frame_get(f, "brokernet_origin"),
	    bn_frame_get(f, "brokernet_origin_id"), bn_topic_is(dest) ?
	    RECV_TOPIC_PATH : bn_frame_get(f, "brokernet_path"), key,
	    sizeof(key)) == -1)
		key[0] = '\0';
	if (recv_duplicate(l, key, seq, dest)) {
		bn_frame_free(f);
		return 0;
	}
	if ((b = d->rx->rx_batch) == NULL) {
		b = xcalloc(1, sizeof(*b));
		b->d = d;
		snprintf(b->tx, sizeof(b->tx), "%s-%llu", d->boot_id,
		    (unsigned long long)d->rx->next_tx++);
		d->rx->rx_batch = b;
		event_active(d->rx->rx_batch_ev, EV_TIMEOUT, 1);
	}
	rx = recv_rx_new(l, seq, key, dest, bn_frame_get(f,
	    "brokernet_origin_id"));
	rx->batch = b;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->rx = xrealloc(b->rx, b->cap * sizeof(*b->rx));
	}
	b->rx[b->n++] = rx;
	if ((v = bn_frame_get(f, "persistent")) != NULL &&
	    strcmp(v, "true") == 0)
		b->persistent = true;
	if (key[0] != '\0') {
		bn_buf_addstr(&b->keys, key);
		bn_buf_addc(&b->keys, '\n');
		b->nkeys++;
	}
	if (b->n == 1)
		b->first = f;		/* written at the flush or the next */
	else {
		if (b->first != NULL)
			recv_wire_first(b, true);
		recv_wire_send(b, f, true);
		bn_frame_free(f);
	}
	if (key[0] != '\0')
		bn_dedup_add(&d->dedup, key, BN_DEDUP_STORING, bn_wall_ms());
	l->rx_pending++;
	if (b->n >= RECV_BATCH_MAX || b->wire.len >= RECV_BATCH_BYTES)
		recv_flush(d);
	return 0;
}

/* Settles an in-doubt batch: stored (its marker exists) or not (resend). */
static void
recv_settle(struct bn_daemon *d, struct bn_recv_batch *b, bool stored)
{
	b->in_doubt = false;
	bn_hmap_del(&d->rx->doubt, b->tx);
	if (stored)
		d->c.doubt_found += b->n;
	else
		d->c.doubt_resent += b->n;
	bn_stomp_resolve(d->prod, b, stored);
}

/* Recovery is over: batches still in doubt were not stored; parked
 * messages are handled now, in order. */
static void
recv_recovered(struct bn_daemon *d)
{
	struct bn_hmap_ent	*e;
	struct bn_recv_batch	**list = NULL;
	struct recv_parked	*p;
	size_t			 i, n = 0;

	for (e = bn_hmap_first(&d->rx->doubt, &i); e != NULL;
	    e = bn_hmap_next(&d->rx->doubt, e, &i)) {
		list = xrealloc(list, (n + 1) * sizeof(*list));
		list[n++] = e->value;
	}
	for (i = 0; i < n; i++)
		recv_settle(d, list[i], false);
	free(list);
	d->rx->recovering = false;
	if (d->rx->nparked > 0)
		log_info("store: handling %zu messages that arrived during"
		    " recovery", d->rx->nparked);
	while (!d->rx->recovering && (p = TAILQ_FIRST(&d->rx->parked)) != NULL) {
		struct bn_link	*l = bn_link_find(d, p->link);

		TAILQ_REMOVE(&d->rx->parked, p, entry);
		d->rx->nparked--;
		d->rx->parked_bytes -= p->f->body_len;
		if (l != NULL && l->state == BN_LINK_UP)
			bn_recv_on_link_message(l, p->f);
		else
			bn_frame_free(p->f);	/* its sender resends it */
		free(p);
	}
	if (!d->rx->recovering)
		bn_link_pause(d, BN_LINK_PAUSE_PARKED, false);
}

static void
recv_recovered_cb(void *arg)
{
	recv_recovered(arg);
}

/* The marker of batch tx is on the broker: settle it if it was in doubt. */
static bool
recv_found_cb(void *arg, const char *tx)
{
	struct bn_daemon	*d = arg;
	struct bn_recv_batch	*b;

	if ((b = bn_hmap_get(&d->rx->doubt, tx)) != NULL) {
		log_debug("store: batch %s committed before the broker went"
		    " away; not sending it again", tx);
		recv_settle(d, b, true);
		return true;
	}
	return bn_hmap_get(&d->rx->pending_tx, tx) != NULL;
}

static const struct bn_markers_ops recv_markers_ops = {
	.found = recv_found_cb,
	.recovered = recv_recovered_cb,
};

/* A closed link's parked messages go: its sender keeps and resends them. */
void
bn_recv_link_closed(struct bn_daemon *d, uint64_t link)
{
	struct recv_parked	*p, *next;

	bn_pace_link_closed(d, link);
	for (p = TAILQ_FIRST(&d->rx->parked); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (p->link != link)
			continue;
		TAILQ_REMOVE(&d->rx->parked, p, entry);
		d->rx->nparked--;
		d->rx->parked_bytes -= p->f->body_len;
		bn_frame_free(p->f);
		free(p);
	}
}

void
bn_recv_on_store_message(struct bn_daemon *d, struct bn_frame *f)
{
	if (bn_pace_on_store_message(d, f))
		return;		/* it took the frame */
	if (bn_markers_is_theirs(f))
		bn_markers_on_message(d->rx->markers, f);
	else
		log_warnx("store: unexpected MESSAGE (subscription %s) on the"
		    " store session", bn_frame_get(f, "subscription") ?
		    bn_frame_get(f, "subscription") : "?");
	bn_frame_free(f);
}

/* Each new store session starts by reading every marker (markers.c);
 * link messages wait until then. */
void
bn_recv_store_connected(struct bn_daemon *d)
{
	d->rx->recovering = true;
	bn_markers_connected(d->rx->markers, d->prod);
	bn_pace_store_connected(d);
}

void
bn_recv_store_lost(struct bn_daemon *d)
{
	d->rx->recovering = true;
	bn_markers_lost(d->rx->markers);
	bn_pace_store_lost(d);
	/* In-doubt batches stay in doubt in the client; asked again. */
	bn_hmap_clear(&d->rx->doubt);
	bn_hmap_init(&d->rx->doubt);
}

/*
 * This sidecar became a standby: batches still in doubt are neither
 * settled nor re-sent by it. Their senders re-send to the active sidecar,
 * whose window knows what was stored; a late re-send from here could
 * store a copy twice.
 */
void
bn_recv_abandon(struct bn_daemon *d)
{
	struct bn_hmap_ent	*e;
	struct bn_recv_batch	**list = NULL;
	size_t			 i, n = 0;

	for (e = bn_hmap_first(&d->rx->doubt, &i); e != NULL;
	    e = bn_hmap_next(&d->rx->doubt, e, &i)) {
		list = xrealloc(list, (n + 1) * sizeof(*list));
		list[n++] = e->value;
	}
	for (i = 0; i < n; i++) {
		list[i]->abandoned = true;
		list[i]->in_doubt = false;
		bn_hmap_del(&d->rx->doubt, list[i]->tx);
		/* "stored": the client forgets it without sending it again */
		bn_stomp_resolve(d->prod, list[i], true);
	}
	free(list);
	if (n > 0)
		log_info("store: %zu batches in doubt left to the active"
		    " sidecar", n);
}

/* Batches in doubt after a reconnect wait for the markers. */
void
bn_recv_doubt(struct bn_stomp *st, void *ctx, void *arg)
{
	struct bn_daemon	*d = arg;
	struct bn_recv_batch	*b = ctx;

	if (b == NULL)
		return;		/* the browse is already under way */
	b->in_doubt = true;
	bn_hmap_put(&d->rx->doubt, b->tx, b);
}

void
bn_recv_init(struct bn_daemon *d)
{
	d->rx = xcalloc(1, sizeof(*d->rx));
	bn_hmap_init(&d->rx->doubt);
	bn_hmap_init(&d->rx->pending_tx);
	TAILQ_INIT(&d->rx->parked);
	d->rx->recovering = true;
	snprintf(d->boot_id, sizeof(d->boot_id), "%llx",
	    (unsigned long long)bn_wall_ms());
	xasprintf(&d->rx->marker_queue, "/queue/%s%s", BN_MARKER_PREFIX,
	    d->self);
	/* The window (d->dedup) is set up before. */
	d->rx->markers = bn_markers_new(d->base, d->rx->marker_queue, d->boot_id,
	    &d->dedup, &recv_markers_ops, d);
	if ((d->rx->rx_batch_ev = event_new(d->base, -1, 0, recv_flush_cb,
	    d)) == NULL)
		fatalx("store: cannot create the batch event");
}

void
bn_recv_free(struct bn_daemon *d)
{
	struct recv_parked	*p;

	bn_recv_store_lost(d);
	bn_hmap_clear(&d->rx->doubt);
	bn_hmap_clear(&d->rx->pending_tx);
	while ((p = TAILQ_FIRST(&d->rx->parked)) != NULL) {
		TAILQ_REMOVE(&d->rx->parked, p, entry);
		bn_frame_free(p->f);
		free(p);
	}
	free(d->rx->marker_queue);
	if (d->rx->rx_batch != NULL) {
		recv_batch_free(d->rx->rx_batch);
		d->rx->rx_batch = NULL;
	}
	if (d->rx->rx_batch_ev != NULL)
		event_free(d->rx->rx_batch_ev);
	bn_markers_free(d->rx->markers);
	free(d->rx);
	d->rx = NULL;
}

struct bn_markers *
bn_recv_markers(const struct bn_daemon *d)
{
	return d->rx->markers;
}

bool
bn_recv_recovering(const struct bn_daemon *d)
{
	return d->rx->recovering;
}

size_t
bn_recv_nparked(const struct bn_daemon *d)
{
	return d->rx->nparked;
}
