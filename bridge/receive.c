/*
 * The receiving side of links: messages that arrive over a link are stored
 * on our broker in STOMP transactions (one journal sync per batch instead
 * of one per message), and each is acked over its link only once the
 * COMMIT was receipted. Batches close at the end of the event-loop
 * iteration that opened them (no added latency at low load) or when full.
 *
 * A duplicate (same origin, origin id and path) is acked without being
 * stored again. A batch that was on the wire when the broker went away is
 * in doubt: after the reconnect the queue is browsed for its messages; a
 * committed transaction is all or nothing, so finding one settles it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "brokernet/daemon.h"
#include "brokernet/dedupstore.h"
#include "brokernet/log.h"
#include "brokernet/stomp.h"

#define RECV_BATCH_MAX		500		/* messages per transaction */
#define RECV_BATCH_BYTES	(4u * 1024 * 1024)

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
	char			 tx[24];
	struct recv_rx		**rx;
	size_t			 n, cap;
	struct bn_buf		 wire;		/* BEGIN + SENDs */
	size_t			 doubt_dests;	/* browses still to answer */
	bool			 settled;
};

static void	recv_flush(struct bn_daemon *);

static void
recv_batch_free(struct bn_recv_batch *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++)
		free(b->rx[i]);
	free(b->rx);
	bn_buf_free(&b->wire);
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
	size_t			 i;

	if (l != NULL && l->rx_pending > 0)
		l->rx_pending--;
	if (rx->key[0] != '\0')
		e = bn_hmap_get(&d->dedup.map, rx->key);
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
		bn_dedupstore_append(d->dstore, &d->dedup, e->ts_ms, rx->key);
		for (i = 0; i < e->nwaiters; i++)
			recv_ack_to(d, e->waiters[i].link, e->waiters[i].seq);
		free(e->waiters);
		e->waiters = NULL;
		e->nwaiters = 0;
	}
	recv_ack_to(d, rx->link, rx->seq);
}

static void
recv_committed_cb(struct bn_stomp *st, void *ctx, bool ok,
    const struct bn_frame *err)
{
	struct bn_recv_batch	*b = ctx;
	struct bn_daemon	*d = b->d;
	size_t			 i;

	if (ok)
		d->c.store_batches++;
	for (i = 0; i < b->n; i++)
		recv_rx_done(d, b->rx[i], ok, err);
	recv_batch_free(b);
}

static void
recv_flush(struct bn_daemon *d)
{
	struct bn_recv_batch	*b = d->rx_batch;
	struct bn_frame		*commit;
	size_t			 i;

	if (b == NULL)
		return;
	d->rx_batch = NULL;
	commit = bn_frame_new("COMMIT");
	bn_frame_add_header(commit, "transaction", b->tx);
	if (bn_stomp_send_batch(d->prod, b->wire.data, b->wire.len, commit,
	    BN_STOMP_RETRY, recv_committed_cb, b) == -1) {
		log_warnx("store: broker unavailable for good; %zu messages"
		    " not stored (their senders keep them)", b->n);
		for (i = 0; i < b->n; i++)
			recv_rx_done(d, b->rx[i], false, NULL);
		recv_batch_free(b);
	} else
		bn_buf_free(&b->wire);	/* the client keeps its own copy */
	bn_frame_free(commit);
	if (!bn_stomp_can_send(d->prod))
		bn_link_pause_all(d, true);
}

static void
recv_flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	recv_flush(arg);
}

/*
 * A copy we stored (or are storing) already: ack it once the first copy
 * is stored, never store it twice. Returns true when it was a duplicate.
 */
static bool
recv_duplicate(struct bn_link *l, const char *key, uint64_t seq)
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
	if (e->state == BN_DEDUP_STORED)
		bn_link_queue_ack(l, seq);
	else
		bn_dedup_wait(e, l->id, seq);
	return true;
}

/* Appends the SEND of link message f, in transaction b->tx, to b->wire. */
static void
recv_wire_send(struct bn_recv_batch *b, const struct bn_frame *f)
{
	struct bn_buf	*w = &b->wire;
	size_t		 i;

	bn_buf_reserve(w, f->body_len + 512);
	bn_buf_addstr(w, "SEND\ntransaction:");
	bn_buf_addstr(w, b->tx);
	bn_buf_addstr(w, "\ndestination:");
	bn_frame_escape(bn_frame_get(f, "destination"), w);
	for (i = 0; i < f->nheaders; i++) {
		const char	*n = f->headers[i].name;

		if (bn_fwd_is_delivery_header(n))
			continue;
		bn_buf_addc(w, '\n');
		bn_frame_escape(n, w);
		bn_buf_addc(w, ':');
		bn_frame_escape(f->headers[i].value, w);
	}
	bn_buf_printf(w, "\ncontent-length:%zu\n\n", f->body_len);
	bn_buf_add(w, f->body, f->body_len);
	bn_buf_add(w, "", 1);
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
	const char		*why = NULL;
	char			 key[1024];

	if (!l->they_forward)
		why = "bad MESSAGE: this peer may not forward on this link";
	else if (seq_s == NULL || bn_strtou64(seq_s, UINT64_MAX, &seq) == -1)
		why = "bad MESSAGE: missing or invalid seq";
	else if (dest == NULL || strncmp(dest, "/queue/", 7) != 0 ||
	    dest[7] == '\0' || strncmp(dest + 7, "ActiveMQ.", 9) == 0)
		why = "bad MESSAGE: destination is not a forwardable queue";
	if (why != NULL) {
		bn_frame_free(f);
		bn_link_close(l, why);
		return -1;
	}
	l->msgs_in++;
	d->c.received++;
	if (bn_dedup_key(bn_frame_get(f, "brokernet_origin"),
	    bn_frame_get(f, "brokernet_origin_id"),
	    bn_frame_get(f, "brokernet_path"), key, sizeof(key)) == -1)
		key[0] = '\0';
	if (recv_duplicate(l, key, seq)) {
		bn_frame_free(f);
		return 0;
	}
	if ((b = d->rx_batch) == NULL) {
		b = xcalloc(1, sizeof(*b));
		b->d = d;
		snprintf(b->tx, sizeof(b->tx), "bn%llu",
		    (unsigned long long)d->next_tx++);
		bn_buf_printf(&b->wire, "BEGIN\ntransaction:%s\n\n", b->tx);
		bn_buf_add(&b->wire, "", 1);
		d->rx_batch = b;
		event_active(d->rx_batch_ev, EV_TIMEOUT, 1);
	}
	rx = recv_rx_new(l, seq, key, dest, bn_frame_get(f,
	    "brokernet_origin_id"));
	rx->batch = b;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->rx = xrealloc(b->rx, b->cap * sizeof(*b->rx));
	}
	b->rx[b->n++] = rx;
	recv_wire_send(b, f);
	bn_frame_free(f);
	if (key[0] != '\0')
		bn_dedup_add(&d->dedup, key, BN_DEDUP_STORING, bn_wall_ms());
	l->rx_pending++;
	if (b->n >= RECV_BATCH_MAX || b->wire.len >= RECV_BATCH_BYTES)
		recv_flush(d);
	return 0;
}

/*
 * Looks for the in-doubt messages of one queue on our broker: a browser
 * subscription (the queue stays as it is) selecting their origin ids.
 */
static void
recv_browse(struct bn_daemon *d, const char *dest)
{
	struct bn_hmap_ent	*e;
	struct bn_buf		 sel = { 0 };
	struct bn_header	 h[2];
	char			 id[32];
	size_t			 i, n = 0;
	const char		*p;

	bn_buf_addstr(&sel, "brokernet_origin_id IN (");
	for (e = bn_hmap_first(&d->doubt, &i); e != NULL;
	    e = bn_hmap_next(&d->doubt, e, &i)) {
		struct recv_rx	*r = e->value;

		if (strcmp(r->dest, dest) != 0)
			continue;
		bn_buf_addstr(&sel, n++ ? ",'" : "'");
		for (p = r->oid; *p; p++)
			bn_buf_add(&sel, *p == '\'' ? "''" : p,
			    *p == '\'' ? 2 : 1);
		bn_buf_addc(&sel, '\'');
	}
	bn_buf_addc(&sel, ')');
	snprintf(id, sizeof(id), "doubt%llu",
	    (unsigned long long)d->next_browse++);
	h[0].name = "browser";
	h[0].value = "true";
	h[1].name = "selector";
	h[1].value = sel.data;
	log_info("store: browsing %s for %zu unconfirmed messages", dest, n);
	if (bn_stomp_subscribe(d->prod, id, dest, "auto", h, 2) == 0)
		bn_hmap_put(&d->browses, id, xstrdup(dest));
	bn_buf_free(&sel);
}

/* Settles batch b: its keys leave the doubt map, the client is told. */
static void
recv_settle(struct bn_daemon *d, struct bn_recv_batch *b, bool stored)
{
	size_t	i;

	if (b->settled)
		return;
	b->settled = true;
	for (i = 0; i < b->n; i++)
		if (bn_hmap_get(&d->doubt, b->rx[i]->key) == b->rx[i])
			bn_hmap_del(&d->doubt, b->rx[i]->key);
	if (stored)
		d->c.doubt_found += b->n;
	else
		d->c.doubt_resent += b->n;
	bn_stomp_resolve(d->prod, b, stored);
}

void
bn_recv_on_store_message(struct bn_daemon *d, struct bn_frame *f)
{
	const char	*sid = bn_frame_get(f, "subscription");
	const char	*end = bn_frame_get(f, "browser");
	char		*dest, key[1024];
	struct recv_rx	*rx;

	if (sid == NULL || (dest = bn_hmap_get(&d->browses, sid)) == NULL) {
		log_warnx("store: unexpected MESSAGE on the store session");
		bn_frame_free(f);
		return;
	}
	if (end != NULL && strcmp(end, "end") == 0) {
		struct bn_hmap_ent	*e;
		struct bn_recv_batch	**done = NULL;
		size_t			  i, n = 0, j;

		/* Each batch still in doubt has one fewer queue to hear. */
		for (e = bn_hmap_first(&d->doubt, &i); e != NULL;
		    e = bn_hmap_next(&d->doubt, e, &i)) {
			rx = e->value;
			if (strcmp(rx->dest, dest) != 0)
				continue;
			for (j = 0; j < n && done[j] != rx->batch; j++)
				;
			if (j == n) {
				done = xrealloc(done, (n + 1) * sizeof(*done));
				done[n++] = rx->batch;
			}
		}
		for (j = 0; j < n; j++)
			if (--done[j]->doubt_dests == 0)
				recv_settle(d, done[j], false);
		free(done);
		bn_stomp_unsubscribe(d->prod, sid);
		free(bn_hmap_del(&d->browses, sid));
		bn_frame_free(f);
		return;
	}
	if (bn_dedup_key(bn_frame_get(f, "brokernet_origin"),
	    bn_frame_get(f, "brokernet_origin_id"),
	    bn_frame_get(f, "brokernet_path"), key, sizeof(key)) == 0 &&
	    (rx = bn_hmap_get(&d->doubt, key)) != NULL) {
		log_debug("store: %s was stored before the broker went away;"
		    " its transaction is not sent again", key);
		recv_settle(d, rx->batch, true);
	}
	bn_frame_free(f);
}

void
bn_recv_store_lost(struct bn_daemon *d)
{
	struct bn_hmap_ent	*e;
	size_t			 i;

	/* Unsettled batches stay in doubt in the client; asked again. */
	bn_hmap_clear(&d->doubt);
	bn_hmap_init(&d->doubt);
	for (e = bn_hmap_first(&d->browses, &i); e != NULL;
	    e = bn_hmap_next(&d->browses, e, &i))
		free(e->value);
	bn_hmap_clear(&d->browses);
	bn_hmap_init(&d->browses);
}

/* In-doubt batches are collected per key; the end marker starts browses. */
void
bn_recv_doubt(struct bn_stomp *st, void *ctx, void *arg)
{
	struct bn_daemon	*d = arg;
	struct bn_recv_batch	*b = ctx;
	struct bn_hmap_ent	*e;
	struct bn_buf		 dests = { 0 };
	size_t			 i, off;

	if (b != NULL) {
		struct bn_buf	 mine = { 0 };

		b->settled = false;
		b->doubt_dests = 0;
		for (i = 0; i < b->n; i++) {
			struct recv_rx	*rx = b->rx[i];
			bool		 seen = false;

			if (rx->key[0] == '\0' || rx->oid[0] == '\0')
				continue;
			bn_hmap_put(&d->doubt, rx->key, rx);
			for (off = 0; off < mine.len;
			    off += strlen(mine.data + off) + 1)
				seen |= strcmp(mine.data + off, rx->dest) == 0;
			if (!seen) {
				bn_buf_add(&mine, rx->dest, strlen(rx->dest) + 1);
				b->doubt_dests++;
			}
		}
		bn_buf_free(&mine);
		if (b->doubt_dests == 0)	/* nothing to look for */
			recv_settle(d, b, false);
		return;
	}
	for (e = bn_hmap_first(&d->doubt, &i); e != NULL;
	    e = bn_hmap_next(&d->doubt, e, &i)) {
		struct recv_rx	*r = e->value;
		bool		 seen = false;

		for (off = 0; off < dests.len;
		    off += strlen(dests.data + off) + 1)
			seen |= strcmp(dests.data + off, r->dest) == 0;
		if (!seen)
			bn_buf_add(&dests, r->dest, strlen(r->dest) + 1);
	}
	for (off = 0; off < dests.len; off += strlen(dests.data + off) + 1)
		recv_browse(d, dests.data + off);
	bn_buf_free(&dests);
}

void
bn_recv_init(struct bn_daemon *d)
{
	bn_hmap_init(&d->doubt);
	bn_hmap_init(&d->browses);
	d->rx_batch_ev = event_new(d->base, -1, 0, recv_flush_cb, d);
}

void
bn_recv_free(struct bn_daemon *d)
{
	bn_recv_store_lost(d);
	bn_hmap_clear(&d->doubt);
	bn_hmap_clear(&d->browses);
	if (d->rx_batch != NULL) {
		recv_batch_free(d->rx_batch);
		d->rx_batch = NULL;
	}
	if (d->rx_batch_ev != NULL)
		event_free(d->rx_batch_ev);
}
