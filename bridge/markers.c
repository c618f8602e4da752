/*
 * Commit markers on the broker: the duplicate window's durable copy (see
 * markers.h). The bookkeeping of which marker may go is marks.c; this file
 * does the I/O on the store session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "brokernet/dedup.h"
#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/markers.h"
#include "brokernet/marks.h"
#include "brokernet/stomp.h"
#include "brokernet/util.h"

#define MARKERS_SUB		"mk"
/*
 * Markers held unacked by the marker subscription: all of them. After
 * merging, at most MARKERS_MERGE_HIGH small ones plus one per
 * BN_MARKS_SMALL + 1 keys of the window; the prefetch is twice that.
 */
#define MARKERS_PREFETCH_MIN	2000
/*
 * Above this many small markers held, the oldest ones are merged into one,
 * so that they always fit the prefetch and a read sees them all before its
 * probe. Until merges ACKed their parts inside a transaction (see
 * markers_merge), every later COMMIT paid for all of those ACKs in the
 * broker; that is the likely cause of the +12 % broker CPU measured then
 * on non-persistent 64 KiB messages, and of reads that never ended with
 * 2,000 here (test_multihop). Not measured again since; it stays at 400.
 */
#define MARKERS_MERGE_HIGH	400
#define MARKERS_MERGE_N		200
/* How often markers past the window's age are removed. */
#define MARKERS_TRIM_MS		1000
/* Longest key in a marker (as the link's key buffer). */
#define MARKERS_KEY_MAX		1024

struct bn_markers {
	const char			*queue;
	const char			*boot_id;
	struct bn_dedup			*dd;
	const struct bn_markers_ops	*ops;
	void				*arg;
	struct bn_stomp			*st;		/* current session */
	char				 prefetch[24];
	struct bn_marks			*marks;
	struct event			*trim_ev;
	bool				 reading;
	bool				 merging;
	uint64_t			 gen;		/* sessions seen */
	uint64_t			 next_merge;
	uint64_t			 read_start_ms;
	char				 probe[64];	/* persistent */
	char				 probe_np[64];	/* non-persistent */
	unsigned int			 probes_seen;	/* 1: probe, 2: np */
	uint64_t			 restored;	/* keys learnt */
	uint64_t			 merges;
};

static void	markers_trim(struct bn_markers *);

static void
markers_trim_cb(evutil_socket_t fd, short ev, void *arg)
{
	markers_trim(arg);
}

struct bn_markers *
bn_markers_new(struct event_base *base, const char *queue,
    const char *boot_id, struct bn_dedup *dd,
    const struct bn_markers_ops *ops, void *arg)
{
	struct bn_markers	*m = xcalloc(1, sizeof(*m));
	struct timeval		 tv = { MARKERS_TRIM_MS / 1000,
				    (MARKERS_TRIM_MS % 1000) * 1000 };

	m->queue = queue;
	m->boot_id = boot_id;
	m->dd = dd;
	m->ops = ops;
	m->arg = arg;
	/* The same bounds as the in-memory window. */
	m->marks = bn_marks_new(dd->max_count, dd->max_age_ms);
	snprintf(m->prefetch, sizeof(m->prefetch), "%llu", (unsigned long long)
	    (MARKERS_PREFETCH_MIN + 2 * (dd->max_count / (BN_MARKS_SMALL + 1) +
	    MARKERS_MERGE_HIGH)));
	if ((m->trim_ev = event_new(base, -1, EV_PERSIST, markers_trim_cb,
	    m)) == NULL)
		fatalx("markers: cannot create the trim timer");
	event_add(m->trim_ev, &tv);
	return m;
}

void
bn_markers_free(struct bn_markers *m)
{
	if (m == NULL)
		return;
	if (m->trim_ev != NULL)
		event_free(m->trim_ev);
	bn_marks_free(m->marks);
	free(m);
}

static bool
markers_up(const struct bn_markers *m)
{
	return m->st != NULL && bn_stomp_connected(m->st);
}

/* Removes the markers that left the window from the broker. */
static void
markers_trim(struct bn_markers *m)
{
	char	*ack;

	if (!markers_up(m))
		return;
	while ((ack = bn_marks_trim_next(m->marks, bn_wall_ms())) != NULL) {
		bn_stomp_ack(m->st, ack);
		free(ack);
	}
}

/* When marker f was committed (its brokernet_ts, else now). */
static uint64_t
markers_ts(const struct bn_frame *f)
{
	const char	*ts = bn_frame_get(f, "brokernet_ts");
	uint64_t	 v;

	if (ts == NULL || bn_strtou64(ts, UINT64_MAX, &v) == -1)
		return bn_wall_ms();
	return v;
}

/* The number of keys (non-empty lines) in marker f's body. */
static uint32_t
markers_nkeys(const struct bn_frame *f)
{
	const char	*p = f->body, *end = f->body + f->body_len, *nl;
	uint32_t	 n = 0;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl > p)
			n++;
	}
	return n;
}

/* Adds the keys of marker f to the window as stored, with its age. */
static void
markers_restore(struct bn_markers *m, const struct bn_frame *f)
{
	const char	*p = f->body, *end = f->body + f->body_len, *nl;
	char		 key[MARKERS_KEY_MAX];
	uint64_t	 ts = markers_ts(f);
	size_t		 len;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len == 0 || len >= sizeof(key))
			continue;
		memcpy(key, p, len);
		key[len] = '\0';
		if (bn_dedup_find(m->dd, key) != NULL)
			continue;
		bn_dedup_add(m->dd, key, BN_DEDUP_STORED, ts);
		m->restored++;
	}
}

/* Appends frame command with headers h (NULL-terminated pairs) to wire. */
static void
markers_frame(struct bn_buf *wire, const char *command, const char **h,
    const struct bn_buf *body)
{
	struct bn_frame	*f = bn_frame_new(command);

	for (; h[0] != NULL; h += 2)
		bn_frame_add_header(f, h[0], h[1]);
	if (body != NULL)
		bn_frame_set_body(f, body->data, body->len);
	bn_frame_serialize(f, wire);
	bn_frame_free(f);
}

/* A merge in flight: its parts' ack ids, ACKed once it is stored. */
struct markers_merge {
	struct bn_markers	*m;
	uint64_t		 gen;		/* the session it was sent on */
	size_t			 n;
	char			*acks[MARKERS_MERGE_N];
};

static void
markers_merge_free(struct markers_merge *mg)
{
	size_t	i;

	for (i = 0; i < mg->n; i++)
		free(mg->acks[i]);
	free(mg);
}

/*
 * The merged marker is stored: now its parts may go. They are ACKed one
 * by one, outside any transaction (see markers_merge).
 */
static void
markers_merged_cb(struct bn_stomp *st, void *ctx, bool ok,
    const struct bn_frame *err)
{
	struct markers_merge	*mg = ctx;
	struct bn_markers	*m = mg->m;
	size_t			 i;

	if (mg->gen != m->gen) {
		/* Sent on a session that is gone: the new one reads again. */
		markers_merge_free(mg);
		return;
	}
	m->merging = false;
	if (ok && markers_up(m)) {
		for (i = 0; i < mg->n; i++)
			bn_stomp_ack(m->st, mg->acks[i]);
		m->merges++;
		markers_merge_free(mg);
		return;
	}
	markers_merge_free(mg);
	/* The list no longer matches the broker: read it again. */
	log_warnx("store: merging commit markers failed (%s); reconnecting"
	    " to read them again", err && bn_frame_get(err, "message") ?
	    bn_frame_get(err, "message") : "session lost");
	if (markers_up(m))
		bn_stomp_reconnect(m->st, "commit marker merge failed");
}

/*
 * Many small markers (a trickle stores one message a transaction) become
 * one: SEND the merged marker, and once the broker has stored it, ACK its
 * parts. Not in one transaction: ActiveMQ's STOMP subscription (5.17, and
 * still on its main branch) remembers every ACK made in a transaction on
 * a client-individual subscription and never forgets them, so each later
 * COMMIT on the session costs (unacked markers) x (ACKs ever made in a
 * transaction): 6 ms of broker CPU per forwarded message once the window
 * was full. A crash between the SEND and the ACKs leaves both the merged
 * marker and its parts on the broker: the next read counts their keys
 * twice (restoring them once), so those markers leave a little early.
 */
static void
markers_merge(struct bn_markers *m)
{
	struct markers_merge	*mg;
	struct bn_buf		 keys = { 0 };
	struct bn_frame		*f;
	char			 tx[64], ts_s[24], n_s[24];
	uint64_t		 ts;
	uint32_t		 nkeys;
	size_t			 n;

	if (m->merging || !markers_up(m))
		return;
	mg = xcalloc(1, sizeof(*mg));
	n = bn_marks_merge_pick(m->marks, MARKERS_MERGE_HIGH,
	    MARKERS_MERGE_N, mg->acks, &keys, &ts, &nkeys);
	if (n == 0) {
		free(mg);
		return;
	}
	mg->m = m;
	mg->gen = m->gen;
	mg->n = n;
	snprintf(tx, sizeof(tx), "%s-m%llu", m->boot_id,
	    (unsigned long long)m->next_merge++);
	snprintf(ts_s, sizeof(ts_s), "%llu", (unsigned long long)ts);
	snprintf(n_s, sizeof(n_s), "%zu", n);
	f = bn_frame_new("SEND");
	bn_frame_add_header(f, "destination", m->queue);
	bn_frame_add_header(f, "persistent", "true");
	bn_frame_add_header(f, "brokernet_marker", "true");
	bn_frame_add_header(f, "brokernet_tx", tx);
	bn_frame_add_header(f, "brokernet_ts", ts_s);
	bn_frame_add_header(f, "brokernet_merged", n_s);
	bn_frame_set_body(f, keys.data, keys.len);
	/* Known before it is delivered: its keys are in the window. */
	bn_marks_add(m->marks, tx, ts, nkeys);
	m->merging = true;
	if (bn_stomp_send(m->st, f, 0, markers_merged_cb, mg) == -1) {
		m->merging = false;
		markers_merge_free(mg);
	}
	bn_frame_free(f);
	bn_buf_free(&keys);
	log_debug("store: merging %zu commit markers (%u keys) into %s", n,
	    nkeys, tx);
}

bool
bn_markers_is_theirs(const struct bn_frame *f)
{
	const char	*sid = bn_frame_get(f, "subscription");

	return sid != NULL && strcmp(sid, MARKERS_SUB) == 0;
}

void
bn_markers_on_message(struct bn_markers *m, const struct bn_frame *f)
{
	const char	*ack = bn_frame_get(f, "ack");
	const char	*tx = bn_frame_get(f, "brokernet_tx");
	const char	*probe = bn_frame_get(f, "brokernet_probe");
	bool		 known;

	if (ack == NULL || !markers_up(m))
		return;
	if (probe != NULL) {
		/*
		 * Each of the broker's two cursors (persistent and not) is
		 * FIFO: once both probes came, every marker before them did.
		 */
		bn_stomp_ack(m->st, ack);
		if (!m->reading)
			return;
		if (strcmp(probe, m->probe) == 0)
			m->probes_seen |= 1;
		else if (strcmp(probe, m->probe_np) == 0)
			m->probes_seen |= 2;
		if (m->probes_seen == 3) {
			m->reading = false;
			log_info("store: duplicate window read from the broker"
			    " in %llu ms: %zu markers, %llu keys",
			    (unsigned long long)(bn_now_ms() -
			    m->read_start_ms), bn_marks_count(m->marks),
			    (unsigned long long)bn_marks_keys(m->marks));
			m->ops->recovered(m->arg);
		}
		return;
	}
	if (tx == NULL) {
		log_warnx("store: %s: a message without brokernet_tx is not a"
		    " commit marker; removed", m->queue);
		bn_stomp_ack(m->st, ack);
		return;
	}
	known = bn_marks_delivered(m->marks, tx, markers_ts(f),
	    markers_nkeys(f), ack, f->body, f->body_len) == 0;
	/* Neither ours nor merged by us: stored by an earlier session. */
	if (!m->ops->found(m->arg, tx) && !known)
		markers_restore(m, f);
	markers_trim(m);
	markers_merge(m);
}

void
bn_markers_connected(struct bn_markers *m, struct bn_stomp *st)
{
	const char	*probe[] = { "brokernet_marker", "probe",
			    "brokernet_probe", m->probe, NULL };
	const char	*probe_np[] = { "brokernet_marker", "probe",
			    "brokernet_probe", m->probe_np, NULL };
	struct bn_header h[2] = {
		{ "activemq.prefetchSize", m->prefetch },
		/*
		 * A consumer of an earlier session that died is served first,
		 * until the broker drops it and hands its markers back.
		 */
		{ "activemq.exclusive", "true" },
	};

	m->st = st;
	m->gen++;
	m->reading = true;
	m->merging = false;
	m->read_start_ms = bn_now_ms();
	bn_marks_clear(m->marks);
	snprintf(m->probe, sizeof(m->probe), "%s-%llu", m->boot_id,
	    (unsigned long long)m->gen);
	snprintf(m->probe_np, sizeof(m->probe_np), "%s-%llu-np", m->boot_id,
	    (unsigned long long)m->gen);
	m->probes_seen = 0;
	bn_stomp_subscribe(st, MARKERS_SUB, m->queue, "client-individual", h,
	    2);
	/*
	 * One probe of each kind: ActiveMQ keeps persistent and
	 * non-persistent messages in two cursors and alternates between
	 * them, so a probe of one kind could overtake markers of the other
	 * that wait undispatched in the queue (after a clean stop, or a
	 * standby taking over from one) and end the read too early.
	 */
	bn_stomp_put(st, m->queue, true, probe);
	bn_stomp_put(st, m->queue, false, probe_np);
}

void
bn_markers_lost(struct bn_markers *m)
{
	m->reading = false;
	m->merging = false;
	/* Their ack ids belonged to the lost session. */
	bn_marks_clear(m->marks);
}

void
bn_markers_wire(struct bn_markers *m, const char *tx,
    const struct bn_buf *keys, bool persistent, struct bn_buf *wire)
{
	char		 ts[24];
	const char	*send[] = { "transaction", tx,
			    "destination", m->queue,
			    "persistent", persistent ? "true" : "false",
			    "brokernet_marker", "true",
			    "brokernet_tx", tx,
			    "brokernet_ts", ts, NULL };

	snprintf(ts, sizeof(ts), "%llu", (unsigned long long)bn_wall_ms());
	markers_frame(wire, "SEND", send, keys);
}

void
bn_markers_send_plain(struct bn_markers *m, struct bn_stomp *st,
    const char *tx, const struct bn_buf *keys)
{
	struct bn_frame	*f = bn_frame_new("SEND");
	char		 ts[24];

	snprintf(ts, sizeof(ts), "%llu", (unsigned long long)bn_wall_ms());
	bn_frame_add_header(f, "destination", m->queue);
	bn_frame_add_header(f, "persistent", "false");
	bn_frame_add_header(f, "brokernet_marker", "true");
	bn_frame_add_header(f, "brokernet_tx", tx);
	bn_frame_add_header(f, "brokernet_ts", ts);
	bn_frame_set_body(f, keys->data, keys->len);
	bn_stomp_send(st, f, 0, NULL, NULL);
	bn_frame_free(f);
}

void
bn_markers_committed(struct bn_markers *m, const char *tx, uint32_t nkeys)
{
	bn_marks_add(m->marks, tx, bn_wall_ms(), nkeys);
	markers_trim(m);
}

bool
bn_markers_reading(const struct bn_markers *m)
{
	return m->reading;
}

size_t
bn_markers_count(const struct bn_markers *m)
{
	return bn_marks_count(m->marks);
}

uint64_t
bn_markers_keys(const struct bn_markers *m)
{
	return bn_marks_keys(m->marks);
}

uint64_t
bn_markers_restored(const struct bn_markers *m)
{
	return m->restored;
}

uint64_t
bn_markers_merges(const struct bn_markers *m)
{
	return m->merges;
}
