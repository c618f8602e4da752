/*
 * Consumer-paced forwarding (pace.h): the receiving side's statistics
 * requests and BN_PACE reports, the sending side's credit per (link,
 * queue). Holding, pausing and resuming subscriptions is forward.c's,
 * fwdhold.c's and fwdpace.c's: this file calls none of them and tells
 * fwdpace.c of a report or a tick through struct bn_pace_ops.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "brokernet/daemon.h"
#include "brokernet/link.h"
#include "brokernet/log.h"
#include "brokernet/pace.h"
#include "brokernet/stomp.h"

/* The sender's report is this old: the receiver went silent, not paced. */
#define PACE_STALE_MS		2000
#define PACE_TICK_MS		10

enum pace_state {
	PACE_UNKNOWN = 0,	/* no store session yet */
	PACE_PROBING,		/* asked for the broker's statistics */
	PACE_ON,		/* the plugin answers */
	PACE_OFF		/* no plugin: no reports */
};

/* Receiving: one queue that links fill. */
struct pace_rq {
	bool		 asked;		/* a request is out */
	bool		 dirty;		/* stored since the request */
	bool		 have;		/* backlog is known */
	uint64_t	 asked_ms;
	uint64_t	 last_ms;	/* last store or request */
	uint64_t	 backlog;
};

/* Receiving: one (link, queue). */
struct pace_rl {
	uint64_t	 stored;
	uint64_t	 snap;		/* stored when the request went out */
	bool		 want;		/* the sender paces q: report */
};

struct bn_pace {
	struct bn_daemon	*d;
	const struct bn_pace_ops *ops;		/* the forwarding above */
	enum pace_state		 state;
	uint64_t		 probe_ms;
	bool			 warned;
	bool			 told_on;
	struct bn_hmap		 rq;		/* queue -> pace_rq */
	struct bn_hmap		 rl;		/* "link:queue" -> pace_rl */
	struct event		*timer;
	uint64_t		 requests, replies, reports;
};

/* ---- pure */

int64_t
bn_pace_credit(const struct bn_pace_tx *t, uint64_t window)
{
	uint64_t	ahead;

	/* before the first report: nothing waits there yet */
	ahead = t->sent > t->rep_stored ? t->sent - t->rep_stored : 0;
	return (int64_t)window - (int64_t)(t->rep_backlog + ahead);
}

bool
bn_pace_may_resume(const struct bn_pace_tx *t, uint64_t window)
{
	int64_t	c = bn_pace_credit(t, window);

	return c >= (int64_t)(window + 1) / 2 && c > 0;
}

/* The number after "string":"name","long": in a jms-map-json body. */
static int
pace_json_long(const char *body, size_t len, const char *name, uint64_t *out)
{
	char		 pat[64];
	const char	*p, *end = body + len;
	size_t		 plen;
	uint64_t	 v = 0;

	plen = (size_t)snprintf(pat, sizeof(pat), "\"string\":\"%s\",", name);
	for (p = body; p != NULL && (size_t)(end - p) >= plen;
	    p = memchr(p + 1, '"', (size_t)(end - p - 1))) {
		if (memcmp(p, pat, plen) != 0)
			continue;
		p += plen;
		if ((size_t)(end - p) > 7 && memcmp(p, "\"long\":", 7) == 0)
			p += 7;
		else if ((size_t)(end - p) > 6 && memcmp(p, "\"int\":", 6) == 0)
			p += 6;
		else
			return -1;
		if (p >= end || *p < '0' || *p > '9')
			return -1;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			if (v > (UINT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (uint64_t)(*p - '0');
		}
		*out = v;
		return 0;
	}
	return -1;
}

int
bn_pace_parse_stats(const char *body, size_t len, uint64_t *size,
    uint64_t *inflight)
{
	if (body == NULL || pace_json_long(body, len, "size", size) == -1 ||
	    pace_json_long(body, len, "inflightCount", inflight) == -1)
		return -1;
	return 0;
}

/* ---- receiving side */

static void	pace_tick(evutil_socket_t, short, void *);
static void	pace_announce_all(struct bn_daemon *, bool);

static void
pace_kick(struct bn_pace *p)
{
	struct timeval	tv = { 0, PACE_TICK_MS * 1000 };

	if (p->timer != NULL && !evtimer_pending(p->timer, NULL))
		evtimer_add(p->timer, &tv);
}

void
bn_pace_init(struct bn_daemon *d, const struct bn_pace_ops *ops)
{
	struct bn_pace	*p;

	p = xcalloc(1, sizeof(*p));
	p->d = d;
	p->ops = ops;
	bn_hmap_init(&p->rq);
	bn_hmap_init(&p->rl);
	if (d->base != NULL &&
	    (p->timer = evtimer_new(d->base, pace_tick, p)) == NULL)
		log_warnx("pace: cannot create its timer: pacing off");
	d->pace = p;
}

void
bn_pace_free(struct bn_daemon *d)
{
	struct bn_pace	*p = d->pace;

	if (p == NULL)
		return;
	if (p->requests > 0)
		log_info("pace: %" PRIu64 " statistics requests, %" PRIu64
		    " replies, %" PRIu64 " reports sent", p->requests,
		    p->replies, p->reports);
	if (p->timer != NULL)
		event_free(p->timer);
	bn_hmap_clear_free(&p->rq);
	bn_hmap_clear_free(&p->rl);
	free(p);
	d->pace = NULL;
}

static int
pace_ask(struct bn_pace *p, const char *q, const char *corr)
{
	struct bn_buf	 dest = { 0 };
	char		 exp[24];
	const char	*h[] = { "reply-to", BN_PACE_REPLY_TO, "correlation-id",
			    corr, "expires", exp, NULL };
	int		 rc;

	/* without the plugin the request would stay on the broker */
	snprintf(exp, sizeof(exp), "%" PRIu64, bn_wall_ms() +
	    BN_PACE_PROBE_MS);
	if (q == NULL)
		bn_buf_addstr(&dest, "/queue/ActiveMQ.Statistics.Broker");
	else
		bn_buf_printf(&dest, "/queue/ActiveMQ.Statistics.Destination.%s",
		    q);
	rc = p->d->prod != NULL ? bn_stomp_put(p->d->prod, dest.data, false,
	    h) : -1;
	bn_buf_free(&dest);
	if (rc == 0)
		p->requests++;
	return rc;
}

void
bn_pace_store_connected(struct bn_daemon *d)
{
	struct bn_pace		*p = d->pace;
	struct bn_header	 h = { "transformation", "jms-map-json" };
	struct bn_hmap_ent	*e;
	size_t			 i;

	if (p == NULL || p->timer == NULL || d->prod == NULL)
		return;
	for (e = bn_hmap_first(&p->rq, &i); e != NULL;
	    e = bn_hmap_next(&p->rq, e, &i))
		((struct pace_rq *)e->value)->asked = false;
	if (bn_stomp_subscribe(d->prod, BN_PACE_SUB_ID, BN_PACE_REPLY_TO,
	    "auto", &h, 1) == -1 || pace_ask(p, NULL, BN_PACE_PROBE_ID) == -1)
		return;
	p->state = PACE_PROBING;
	p->probe_ms = bn_now_ms();
	pace_kick(p);
}

void
bn_pace_store_lost(struct bn_daemon *d)
{
	if (d->pace != NULL && d->pace->state == PACE_PROBING)
		d->pace->state = PACE_UNKNOWN;
}

static void
pace_report(struct bn_pace *p, const char *q, const struct pace_rq *r)
{
	struct bn_daemon	*d = p->d;
	struct bn_link		*l;
	struct pace_rl		*rl;
	struct bn_buf		 key = { 0 }, b = { 0 };

	TAILQ_FOREACH(l, &d->links, entry) {
		if (l->state != BN_LINK_UP || !l->peer_pace)
			continue;
		bn_buf_reset(&key);
		bn_buf_printf(&key, "%" PRIu64 ":%s", l->id, q);
		if ((rl = bn_hmap_get(&p->rl, key.data)) == NULL || !rl->want)
			continue;
		bn_buf_reset(&b);
		bn_buf_addstr(&b, "BN_PACE\ndestination:");
		bn_frame_escape(q, &b);
		bn_buf_printf(&b, "\nbacklog:%" PRIu64 "\nstored:%" PRIu64
		    "\n\n", r->backlog, rl->snap);
		bn_buf_add(&b, "", 1);
		bn_link_write(l, b.data, b.len);
		p->reports++;
	}
	bn_buf_free(&key);
	bn_buf_free(&b);
}

bool
bn_pace_on_store_message(struct bn_daemon *d, struct bn_frame *f)
{
	struct bn_pace	*p = d->pace;
	const char	*sub = bn_frame_get(f, "subscription");
	const char	*q = bn_frame_get(f, "correlation-id");
	struct pace_rq	*r;
	uint64_t	 size, inflight;

	if (p == NULL || sub == NULL || strcmp(sub, BN_PACE_SUB_ID) != 0)
		return false;
	p->replies++;
	if (q != NULL && strcmp(q, BN_PACE_PROBE_ID) == 0) {
		if (p->state != PACE_ON && !p->told_on)
			log_info("pace: the broker's statistics plugin answers:"
			    " forwarding to this broker is paced by its"
			    " consumers");
		p->told_on = true;
		if (p->state != PACE_ON)
			pace_announce_all(d, true);
		p->state = PACE_ON;
	} else if (q != NULL && (r = bn_hmap_get(&p->rq, q)) != NULL) {
		r->asked = false;
		if (bn_pace_parse_stats(f->body, f->body_len, &size,
		    &inflight) == 0) {
			r->backlog = size > inflight ? size - inflight : 0;
			r->have = true;
			pace_report(p, q, r);
		} else
			log_warnx("pace: statistics for %s without size or"
			    " inflightCount", q);
		pace_kick(p);
	}
	bn_frame_free(f);
	return true;
}

static struct pace_rl *
pace_rl(struct bn_pace *p, uint64_t link, const char *q)
{
	struct pace_rl	*rl;
	struct bn_buf	 key = { 0 };

	bn_buf_printf(&key, "%" PRIu64 ":%s", link, q);
	if ((rl = bn_hmap_get(&p->rl, key.data)) == NULL) {
		rl = xcalloc(1, sizeof(*rl));
		bn_hmap_put(&p->rl, key.data, rl);
	}
	bn_buf_free(&key);
	return rl;
}

/* The sender on link starts (want) or stops pacing q. */
static void
pace_want(struct bn_pace *p, uint64_t link, const char *q, bool want)
{
	struct pace_rl	*rl = pace_rl(p, link, q);
	struct pace_rq	*r;

	rl->want = want;
	if (!want || p->state != PACE_ON)
		return;
	if ((r = bn_hmap_get(&p->rq, q)) == NULL) {
		r = xcalloc(1, sizeof(*r));
		bn_hmap_put(&p->rq, q, r);
	}
	r->dirty = true;	/* a first report soon */
	r->last_ms = bn_now_ms();
	pace_kick(p);
}

void
bn_pace_stored(struct bn_daemon *d, uint64_t link, const char *dest)
{
	struct bn_pace	*p = d->pace;
	struct pace_rq	*r;
	struct pace_rl	*rl;
	struct bn_link	*l;

	/* counted in every state: the sender's count runs from link up */
	if (p == NULL || dest == NULL || strncmp(dest, "/queue/", 7) != 0 ||
	    (l = bn_link_find(d, link)) == NULL || !l->peer_pace)
		return;
	dest += 7;
	rl = pace_rl(p, link, dest);
	rl->stored++;
	/* only what a sender paces is asked about (a single path is not) */
	if (!rl->want || p->state != PACE_ON)
		return;
	if ((r = bn_hmap_get(&p->rq, dest)) == NULL) {
		r = xcalloc(1, sizeof(*r));
		bn_hmap_put(&p->rq, dest, r);
	}
	r->dirty = true;
	r->last_ms = bn_now_ms();
	pace_kick(p);
}

void
bn_pace_link_closed(struct bn_daemon *d, uint64_t link)
{
	struct bn_pace		*p = d->pace;
	struct bn_hmap_ent	*e;
	struct bn_buf		 pre = { 0 }, keys = { 0 };
	size_t			 i, off;

	if (p == NULL)
		return;
	bn_buf_printf(&pre, "%" PRIu64 ":", link);
	for (e = bn_hmap_first(&p->rl, &i); e != NULL;
	    e = bn_hmap_next(&p->rl, e, &i))
		if (strncmp(e->key, pre.data, pre.len) == 0)
			bn_buf_add(&keys, e->key, strlen(e->key) + 1);
	for (off = 0; off < keys.len; off += strlen(keys.data + off) + 1)
		free(bn_hmap_del(&p->rl, keys.data + off));
	bn_buf_free(&pre);
	bn_buf_free(&keys);
}

/* Snapshot of what each link had stored for q: the request's answer
 * covers at least those. */
static void
pace_snap(struct bn_pace *p, const char *q)
{
	struct bn_link	*l;
	struct pace_rl	*rl;
	struct bn_buf	 key = { 0 };

	TAILQ_FOREACH(l, &p->d->links, entry) {
		bn_buf_reset(&key);
		bn_buf_printf(&key, "%" PRIu64 ":%s", l->id, q);
		if ((rl = bn_hmap_get(&p->rl, key.data)) != NULL)
			rl->snap = rl->stored;
	}
	bn_buf_free(&key);
}

/* Asks about the queues that need it; true while any is still active. */
static bool
pace_rx_tick(struct bn_pace *p, uint64_t now)
{
	struct bn_hmap_ent	*e;
	struct bn_buf		 gone = { 0 };
	size_t			 i, off;
	bool			 busy = false;

	if (p->state != PACE_ON || !bn_stomp_connected(p->d->prod))
		return p->state == PACE_ON && bn_hmap_count(&p->rq) > 0;
	for (e = bn_hmap_first(&p->rq, &i); e != NULL;
	    e = bn_hmap_next(&p->rq, e, &i)) {
		struct pace_rq	*r = e->value;

		if (r->asked && now - r->asked_ms >= BN_PACE_REPLY_MS)
			r->asked = false;	/* lost (or the queue went) */
		if (r->asked) {
			busy = true;
			continue;
		}
		if ((r->dirty && now - r->asked_ms >= BN_PACE_POLL_MIN_MS) ||
		    (r->have && r->backlog > 0 &&
		    now - r->asked_ms >= BN_PACE_POLL_IDLE_MS)) {
			pace_snap(p, e->key);
			if (pace_ask(p, e->key, e->key) == 0) {
				r->asked = true;
				r->dirty = false;
				r->asked_ms = r->last_ms = now;
			}
			busy = true;
		} else if (r->dirty || (r->have && r->backlog > 0))
			busy = true;
		else if (now - r->last_ms >= BN_PACE_IDLE_FORGET_MS)
			bn_buf_add(&gone, e->key, strlen(e->key) + 1);
		else
			busy = true;
	}
	for (off = 0; off < gone.len; off += strlen(gone.data + off) + 1)
		free(bn_hmap_del(&p->rq, gone.data + off));
	bn_buf_free(&gone);
	return busy;
}

static void
pace_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_pace	*p = arg;
	struct bn_daemon *d = p->d;
	uint64_t	 now = bn_now_ms();
	bool		 busy = false;

	if (p->state == PACE_PROBING) {
		if (now - p->probe_ms >= BN_PACE_PROBE_MS) {
			p->state = PACE_OFF;
			if (p->told_on)
				pace_announce_all(d, false);
			if (!p->warned)
				log_warnx("pace: broker %s has no statistics"
				    " plugin (no answer from"
				    " ActiveMQ.Statistics.Broker in %d ms):"
				    " forwarding to it is not paced by its"
				    " consumers; add %s to its activemq.xml"
				    " <broker> element", d->self,
				    BN_PACE_PROBE_MS, BN_PACE_SETTING);
			p->warned = true;
		} else
			busy = true;
	}
	if (pace_rx_tick(p, now))
		busy = true;
	if (p->ops->tick(d))
		busy = true;
	if (busy && !d->stopping)
		pace_kick(p);
}

const char *
bn_pace_state(const struct bn_daemon *d)
{
	static const char *const names[] = { "unknown", "probing", "on",
	    "off" };

	return d->pace != NULL ? names[d->pace->state] : "unknown";
}

void
bn_pace_counts(const struct bn_daemon *d, uint64_t *requests,
    uint64_t *replies, uint64_t *reports)
{
	const struct bn_pace	*p = d->pace;

	*requests = p != NULL ? p->requests : 0;
	*replies = p != NULL ? p->replies : 0;
	*reports = p != NULL ? p->reports : 0;
}

/* ---- link handshake and frames */

/* Tells l whether this broker's backlog is reported (before any report,
 * the sender then counts its credit from zero backlog). */
static void
pace_announce(struct bn_link *l, bool on)
{
	const char	*f = on ? "BN_PACE\non:1\n\n" : "BN_PACE\non:0\n\n";

	if (l->state == BN_LINK_UP && l->peer_pace)
		bn_link_write(l, f, strlen(f) + 1);
}

static void
pace_announce_all(struct bn_daemon *d, bool on)
{
	struct bn_link	*l;

	TAILQ_FOREACH(l, &d->links, entry)
		pace_announce(l, on);
}

void
bn_pace_link_up(struct bn_link *l)
{
	if (l->d->pace != NULL && l->d->pace->state == PACE_ON)
		pace_announce(l, true);
}

bool
bn_pace_on_frame(struct bn_link *l, const struct bn_frame *f)
{
	const char		*q = bn_frame_get(f, "destination");
	const char		*bs = bn_frame_get(f, "backlog");
	const char		*ss = bn_frame_get(f, "stored");
	const char		*on = bn_frame_get(f, "on");
	const char		*want = bn_frame_get(f, "want");
	struct bn_pace_tx	*t;
	struct bn_pace		*p = l->d->pace;
	uint64_t		 backlog, stored;

	if (on != NULL) {
		l->pace_on = strcmp(on, "1") == 0;
		log_info("link %s: the peer %s its consumers' backlog: %s",
		    l->peer, l->pace_on ? "reports" : "no longer reports",
		    l->pace_on ? "forwarding to it is paced" :
		    "forwarding to it is not paced");
		return true;
	}
	if (want != NULL) {
		/* we receive q from this peer; it paces it */
		if (q == NULL || *q == '\0' || strlen(q) > 1024) {
			bn_link_close(l, "bad BN_PACE frame: no destination");
			return false;
		}
		if (p != NULL)
			pace_want(p, l->id, q, strcmp(want, "1") == 0);
		return true;
	}
	if (q == NULL || *q == '\0' || bs == NULL || ss == NULL ||
	    bn_strtou64(bs, UINT64_MAX, &backlog) == -1 ||
	    bn_strtou64(ss, UINT64_MAX, &stored) == -1) {
		bn_link_close(l, "bad BN_PACE frame");
		return false;
	}
	if (!l->we_forward || (t = bn_hmap_get(&l->pace_tx, q)) == NULL)
		return true;
	if (stored > t->sent) {
		bn_link_close(l, "bad BN_PACE frame: more stored than sent");
		return false;
	}
	log_trace("pace: %s -> %s: backlog %" PRIu64 ", stored %" PRIu64
	    " of %" PRIu64 " sent", q, l->peer, backlog, stored, t->sent);
	t->rep_backlog = backlog;
	t->rep_stored = stored;
	t->rep_ms = bn_now_ms();
	t->reported = true;
	if (p != NULL) {
		p->ops->credit(l, q);	/* held messages go on, paused resume */
		pace_kick(p);
	}
	return true;
}

/* ---- sending side */

struct bn_pace_tx *
bn_pace_tx(struct bn_link *l, const char *q)
{
	struct bn_pace_tx	*t;

	if ((t = bn_hmap_get(&l->pace_tx, q)) == NULL) {
		t = xcalloc(1, sizeof(*t));
		bn_hmap_put(&l->pace_tx, q, t);
	}
	return t;
}

void
bn_pace_tx_free_all(struct bn_link *l)
{
	bn_hmap_clear_free(&l->pace_tx);
}

/* A peer that sends us q paces it: it has other takers. */
static bool
pace_upstream_wants(struct bn_daemon *d, const char *q)
{
	struct bn_pace	*p = d->pace;
	struct bn_link	*l;
	struct pace_rl	*rl;
	struct bn_buf	 key = { 0 };
	bool		 want = false;

	if (p == NULL || p->state != PACE_ON)
		return false;
	TAILQ_FOREACH(l, &d->links, entry) {
		bn_buf_reset(&key);
		bn_buf_printf(&key, "%" PRIu64 ":%s", l->id, q);
		if ((rl = bn_hmap_get(&p->rl, key.data)) != NULL && rl->want) {
			want = true;
			break;
		}
	}
	bn_buf_free(&key);
	return want;
}

/*
 * Someone other than this link could take q's messages: a consumer here,
 * another link's demand, or (we pass q on) a sender upstream that paces
 * it, so that our backlog must show how fast the far consumers take them.
 */
static bool
pace_others(struct bn_link *l, const char *q)
{
	const struct bn_demand_q	*dq = bn_demand_get(&l->d->demand, q);
	size_t				 i;

	if (dq == NULL)
		return false;
	if (dq->local > 0)
		return true;
	for (i = 0; i < dq->nremote; i++)
		if (dq->remote[i].link != l->id)
			return true;
	return pace_upstream_wants(l->d, q);
}

/* Tells the peer whether it should report q's backlog. */
static void
pace_tell_want(struct bn_link *l, const char *q, struct bn_pace_tx *t,
    bool want)
{
	struct bn_buf	b = { 0 };

	t->want = want;
	if (want)
		t->reported = false;	/* reports start again */
	bn_buf_addstr(&b, "BN_PACE\ndestination:");
	bn_frame_escape(q, &b);
	bn_buf_printf(&b, "\nwant:%d\n\n", want ? 1 : 0);
	bn_buf_add(&b, "", 1);
	bn_link_write(l, b.data, b.len);
	bn_buf_free(&b);
}

bool
bn_pace_active(struct bn_link *l, const char *q)
{
	struct bn_pace_tx	*t = bn_hmap_get(&l->pace_tx, q);
	bool			 others;

	if (t == NULL || !l->pace_on || l->state != BN_LINK_UP)
		return false;
	others = pace_others(l, q);
	if (others != t->want)
		pace_tell_want(l, q, t, others);
	/* a report that stopped coming (its broker, its plugin) is ignored */
	return others && (!t->reported || t->sent == t->rep_stored ||
	    bn_now_ms() - t->rep_ms < PACE_STALE_MS);
}

bool
bn_pace_may_send(struct bn_link *l, const char *q,
    const struct bn_pace_tx *t)
{
	if (t == NULL)
		return true;
	if (!bn_pace_active(l, q))
		return true;
	return bn_pace_credit(t, BN_PACE_WINDOW) > 0;
}

uint64_t
bn_pace_prefetch(struct bn_link *l, const char *q, uint64_t prefetch)
{
	struct bn_pace_tx	*t = bn_hmap_get(&l->pace_tx, q);
	int64_t			 c;

	if (t == NULL || !bn_pace_active(l, q))
		return prefetch;
	c = bn_pace_credit(t, BN_PACE_WINDOW);
	if (c < 1)
		c = 1;
	return (uint64_t)c < prefetch ? (uint64_t)c : prefetch;
}

bool
bn_pace_paused(struct bn_link *l, const char *q)
{
	struct bn_pace_tx	*t = bn_hmap_get(&l->pace_tx, q);

	if (t == NULL || !t->paused)
		return false;
	if (!bn_pace_active(l, q) || bn_pace_may_resume(t, BN_PACE_WINDOW)) {
		t->paused = false;
		log_debug("pace: %s -> %s: resumed (backlog %" PRIu64 ", %"
		    PRIu64 " ahead)", q, l->peer, t->rep_backlog,
		    t->sent - t->rep_stored);
		return false;
	}
	return true;
}

void
bn_pace_kick(struct bn_daemon *d)
{
	if (d->pace != NULL)
		pace_kick(d->pace);
}
