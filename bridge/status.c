/*
 * The management endpoint: /status (JSON, built with jansson) and /metrics
 * (Prometheus text). Both read one table of counters. /status is one json_t
 * made with jsonout.h; the modules that own a part of it (preflight,
 * topics, mDNS discovery) hand that part over as a json_t of their own.
 * Every string that came from a peer or a broker is escaped by the writer
 * that emits it (jansson for JSON, bn_status_label_escape for label
 * values).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/dial.h"
#include "brokernet/forward.h"
#include "brokernet/jsonout.h"
#include "brokernet/link.h"
#include "brokernet/linkz.h"
#include "brokernet/lock.h"
#include "brokernet/log.h"
#include "brokernet/markers.h"
#include "brokernet/mdns.h"
#include "brokernet/pace.h"
#include "brokernet/preflight.h"
#include "brokernet/receive.h"
#include "brokernet/status.h"
#include "brokernet/stomp.h"
#include "brokernet/topic.h"
#include "brokernet/ui.h"

static const char *
status_link_state(enum bn_link_state s)
{
	switch (s) {
	case BN_LINK_CONNECTING:
		return "connecting";
	case BN_LINK_HANDSHAKE:
		return "handshake";
	case BN_LINK_UP:
		return "up";
	default:
		return "closed";
	}
}

/* ---- the one table of counters behind /status and /metrics */

struct status_counter {
	const char	*json;		/* /status "counters" key, or NULL */
	const char	*metric;	/* brokernet_NAME on /metrics, or NULL */
	const char	*type;		/* "counter" or "gauge" */
	const char	*help;
	uint64_t	(*get)(struct bn_daemon *);
};

#define STATUS_C(field)							\
static uint64_t								\
status_c_##field(struct bn_daemon *d)					\
{									\
	return d->c.field;						\
}
STATUS_C(forwarded)
STATUS_C(forward_acked)
STATUS_C(received)
STATUS_C(stored)
STATUS_C(store_failed)
STATUS_C(unfaithful)
STATUS_C(unfaithful_refused)
STATUS_C(store_batches)
STATUS_C(stored_plain)
STATUS_C(links_accepted)
STATUS_C(links_refused)
STATUS_C(link_errors)
STATUS_C(advisories)
STATUS_C(adverts_sent)
STATUS_C(adverts_received)
STATUS_C(stale_acks)
STATUS_C(duplicates)
STATUS_C(doubt_found)
STATUS_C(doubt_resent)
#undef STATUS_C

static uint64_t
status_broker_up(struct bn_daemon *d)
{
	return d->broker_up;
}

static uint64_t
status_preflight_ok(struct bn_daemon *d)
{
	return bn_preflight_ok(d->pf);
}

static uint64_t
status_links_up(struct bn_daemon *d)
{
	const struct bn_link	*l;
	uint64_t		 up = 0;

	TAILQ_FOREACH(l, &d->links, entry)
		up += l->state == BN_LINK_UP;
	return up;
}

static uint64_t
status_dedup_count(struct bn_daemon *d)
{
	return bn_dedup_count(&d->dedup);
}

static uint64_t
status_role_active(struct bn_daemon *d)
{
	return d->role == BN_ROLE_ACTIVE;
}

static uint64_t
status_role_changes(struct bn_daemon *d)
{
	return d->role_changes;
}

static uint64_t
status_markers_restored(struct bn_daemon *d)
{
	return bn_markers_restored(bn_recv_markers(d));
}

static uint64_t
status_markers_count(struct bn_daemon *d)
{
	return bn_markers_count(bn_recv_markers(d));
}

static uint64_t
status_markers_keys(struct bn_daemon *d)
{
	return bn_markers_keys(bn_recv_markers(d));
}

static uint64_t
status_markers_merges(struct bn_daemon *d)
{
	return bn_markers_merges(bn_recv_markers(d));
}

static uint64_t
status_demand_queues(struct bn_daemon *d)
{
	return bn_hmap_count(&d->demand.queues);
}

static uint64_t
status_pace_requests(struct bn_daemon *d)
{
	uint64_t	rq, rp, rr;

	bn_pace_counts(d, &rq, &rp, &rr);
	return rq;
}

static uint64_t
status_pace_replies(struct bn_daemon *d)
{
	uint64_t	rq, rp, rr;

	bn_pace_counts(d, &rq, &rp, &rr);
	return rp;
}

static uint64_t
status_pace_reports(struct bn_daemon *d)
{
	uint64_t	rq, rp, rr;

	bn_pace_counts(d, &rq, &rp, &rr);
	return rr;
}

static uint64_t
status_inflight(struct bn_daemon *d)
{
	return bn_fwd_total_inflight(d);
}

/* /status lists the rows with a json key in this order, /metrics those
 * with a metric name. */
static const struct status_counter status_counters[] = {
	{ NULL, "broker_connected", "gauge",
	    "1 when the broker session is up", status_broker_up },
	{ NULL, "preflight_ok", "gauge", "1 when the broker serves what the"
	    " sidecar needs (see /status preflight)", status_preflight_ok },
	{ NULL, "links_up", "gauge", "links in state up", status_links_up },
	{ "forwarded", "forwarded_total", "counter",
	    "messages sent over links", status_c_forwarded },
	{ "forward_acked", "forward_acked_total", "counter",
	    "forwarded messages confirmed by the peer and acked locally",
	    status_c_forward_acked },
	{ "received", "received_total", "counter",
	    "messages received from links", status_c_received },
	{ "stored", "stored_total", "counter",
	    "received messages stored on the local broker", status_c_stored },
	{ "store_failed", "store_failed_total", "counter",
	    "received messages the local broker refused",
	    status_c_store_failed },
	{ "unfaithful", "unfaithful_total", "counter",
	    "messages the network could not carry unchanged, kept or"
	    " dead-lettered on their broker", status_c_unfaithful },
	{ "unfaithful_refused", "unfaithful_refused_total", "counter",
	    "copies of such messages the broker refused (originals left"
	    " unacked)", status_c_unfaithful_refused },
	{ "store_transactions", NULL, NULL, NULL, status_c_store_batches },
	{ "stored_plain", NULL, NULL, NULL, status_c_stored_plain },
	{ "links_accepted", NULL, NULL, NULL, status_c_links_accepted },
	{ "links_refused", "links_refused_total", "counter",
	    "link connections refused", status_c_links_refused },
	{ "link_errors", "link_errors_total", "counter",
	    "links closed for bad input", status_c_link_errors },
	{ "advisories", "advisories_total", "counter",
	    "consumer advisories read", status_c_advisories },
	{ "adverts_sent", NULL, NULL, NULL, status_c_adverts_sent },
	{ "adverts_received", NULL, NULL, NULL, status_c_adverts_received },
	{ "stale_acks", NULL, NULL, NULL, status_c_stale_acks },
	{ "duplicates_suppressed", "duplicates_suppressed_total", "counter",
	    "messages received again and acked without storing them twice",
	    status_c_duplicates },
	{ "doubt_found_stored", NULL, NULL, NULL, status_c_doubt_found },
	{ "doubt_resent", NULL, NULL, NULL, status_c_doubt_resent },
	{ "duplicate_window", "duplicate_window_keys", "gauge",
	    "keys in the duplicate window", status_dedup_count },
	{ NULL, "role_active", "gauge",
	    "1 while this sidecar is the active one for its broker, else 0",
	    status_role_active },
	{ NULL, "role_changes_total", "counter",
	    "role changes (active, standby, suspended)", status_role_changes },
	{ "window_restored", NULL, NULL, NULL, status_markers_restored },
	{ "broker_markers", "broker_markers", "gauge",
	    "commit markers kept on the broker (the window's durable copy)",
	    status_markers_count },
	{ "broker_marker_keys", NULL, NULL, NULL, status_markers_keys },
	{ "marker_merges", NULL, NULL, NULL, status_markers_merges },
	{ NULL, "local_demand_queues", "gauge",
	    "queues in the demand table", status_demand_queues },
	{ NULL, "inflight", "gauge",
	    "messages forwarded and not yet confirmed", status_inflight },
	{ "pace_requests", "pace_requests_total", "counter",
	    "queue backlog requests to the broker's statistics plugin",
	    status_pace_requests },
	{ "pace_replies", NULL, NULL, NULL, status_pace_replies },
	{ "pace_reports", "pace_reports_total", "counter",
	    "backlog reports sent to pacing peers", status_pace_reports },
};

/* ---- /status */

static json_t *
status_link(const struct bn_link *l)
{
	const struct bn_fwd_sub	*s;
	struct bn_hmap_ent	*e;
	json_t			*o, *m, *p, *a, *so;
	size_t			 i;
	unsigned long long	 po, pi;

	o = bn_json_obj();
	bn_json_set(o, "id", bn_json_u64(l->id));
	bn_json_set(o, "peer", bn_json_str(l->peer));
	bn_json_set(o, "address", bn_json_str(l->peer_addr));
	bn_json_set(o, "connector", bn_json_str(l->connector));
	bn_json_set(o, "state", bn_json_str(status_link_state(l->state)));
	bn_json_set(o, "direction", bn_json_str(l->dialer ? "dialed" :
	    "accepted"));
	bn_json_set(o, "duplex", json_boolean(l->nc && l->nc->duplex));
	bn_json_set(o, "we_forward", json_boolean(l->we_forward));
	bn_json_set(o, "peer_forwards", json_boolean(l->they_forward));
	bn_json_set(o, "since_ms", bn_json_u64(l->since_ms));
	bn_json_set(o, "peer_management", bn_json_str(l->peer_mgmt));
	bn_json_set(o, "messages_out", bn_json_u64(l->msgs_out));
	bn_json_set(o, "messages_in", bn_json_u64(l->msgs_in));
	bn_json_set(o, "acks_in", bn_json_u64(l->acks_in));
	bn_json_set(o, "acks_out", bn_json_u64(l->acks_out));
	bn_json_set(o, "bytes_out", bn_json_u64(l->bytes_out));
	bn_json_set(o, "bytes_in", bn_json_u64(l->bytes_in));
	bn_json_set(o, "encoding", bn_json_str(bn_linkz_features(l)));
	bn_linkz_plain_bytes(l, &po, &pi);
	bn_json_set(o, "bytes_out_uncompressed", bn_json_u64(po));
	bn_json_set(o, "bytes_in_uncompressed", bn_json_u64(pi));
	bn_json_set(o, "inflight", bn_json_u64(l->ninflight));
	bn_json_set(o, "receiving", bn_json_u64(l->rx_pending));
	bn_json_set(o, "pace", json_boolean(l->pace_on));
	m = bn_json_obj();
	for (e = bn_hmap_first(&l->remote, &i); e != NULL;
	    e = bn_hmap_next(&l->remote, e, &i)) {
		p = bn_json_obj();
		bn_json_set(p, "path", bn_json_str(e->value));
		bn_json_set(m, e->key, p);
	}
	bn_json_set(o, "remote_demand", m);
	m = bn_json_obj();
	for (e = bn_hmap_first(&l->adverts, &i); e != NULL;
	    e = bn_hmap_next(&l->adverts, e, &i))
		bn_json_set(m, e->key, bn_json_str(e->value));
	bn_json_set(o, "advertised", m);
	a = bn_json_arr();
	TAILQ_FOREACH(s, &l->subs, entry) {
		so = bn_json_obj();
		bn_json_set(so, "id", bn_json_str(s->id));
		bn_json_set(so, "queue", bn_json_str(s->dest));
		bn_json_set(so, "static", json_boolean(s->is_static));
		bn_json_set(so, "subscribed", json_boolean(s->subscribed));
		bn_json_set(so, "draining", json_boolean(s->draining));
		bn_json_set(so, "priority", json_integer(s->priority));
		bn_json_set(so, "hops", bn_json_u64(s->hops));
		bn_json_set(so, "inflight", bn_json_u64(s->inflight));
		bn_json_set(so, "held", bn_json_u64(s->nhold));
		bn_json_set(so, "paused", json_boolean(s->pace != NULL &&
		    s->pace->paused));
		bn_json_set(so, "pauses", bn_json_u64(s->pace != NULL ?
		    s->pace->pauses : 0));
		bn_json_set(so, "forwarded", bn_json_u64(s->forwarded));
		bn_json_append(a, so);
	}
	bn_json_set(o, "subscriptions", a);
	return o;
}

static json_t *
status_connector(const struct bn_dialer *dl)
{
	const struct bn_endpoint	*ep = &dl->eps[dl->cur];
	json_t				*o;
	char				*target;

	o = bn_json_obj();
	bn_json_set(o, "name", bn_json_str(dl->nc->name));
	bn_json_set(o, "peer", bn_json_str(dl->peer_name));
	bn_json_set(o, "discovered", json_boolean(dl->discovered));
	bn_json_set(o, "uri", bn_json_str(dl->nc->uri));
	xasprintf(&target, "%s:%u", ep->host, ep->port);
	bn_json_set(o, "target", bn_json_str(target));
	free(target);
	bn_json_set(o, "state", bn_json_str(dl->link && dl->link->state ==
	    BN_LINK_UP ? "up" : dl->stopped ? "refused" :
	    dl->link ? "connecting" : "waiting"));
	bn_json_set(o, "attempts", bn_json_u64(dl->attempts));
	bn_json_set(o, "last_error", bn_json_str(dl->last_error));
	return o;
}

/* The whole /status document; the caller json_decref()s it. */
static json_t *
status_doc(struct bn_daemon *d)
{
	const struct bn_link	*l;
	const struct bn_dialer	*dl;
	const struct bn_mcast	*mc;
	struct bn_hmap_ent	*e;
	json_t			*o, *br, *m, *a;
	size_t			 i;

	o = bn_json_obj();
	bn_json_set(o, "broker_name", bn_json_str(d->self));
	bn_json_set(o, "version", bn_json_str(BN_VERSION));
	bn_json_set(o, "role", bn_json_str(bn_lock_role_name(d->role)));
	bn_json_set(o, "role_since_ms", bn_json_u64(d->role_since_ms));
	bn_json_set(o, "role_reason", bn_json_str(d->role_reason));
	bn_json_set(o, "role_changes", bn_json_u64(d->role_changes));
	bn_json_set(o, "pace_state", bn_json_str(bn_pace_state(d)));
	bn_json_set(o, "uptime_ms", bn_json_u64(bn_now_ms() - d->started_ms));
	bn_json_set(o, "management", bn_json_str(d->cfg->management_uri));
	br = bn_json_obj();
	bn_json_set(br, "uri", bn_json_str(d->cfg->broker.uri));
	/* A standby has no consumer session: its store session counts. */
	bn_json_set(br, "current", bn_json_str(bn_stomp_current_uri(d->cons ?
	    d->cons : d->prod)));
	/* active, its store session up: its consumer session is being opened */
	bn_json_set(br, "state", bn_json_str(d->broker_up || (d->cons == NULL &&
	    d->prod != NULL && bn_stomp_connected(d->prod)) ? "connected" :
	    d->prod != NULL && bn_stomp_connected(d->prod) ? "connecting" :
	    "disconnected"));
	bn_json_set(br, "connects", bn_json_u64(d->c.broker_connects));
	bn_json_set(br, "store_inflight", bn_json_u64(d->prod ?
	    bn_stomp_inflight(d->prod) : 0));
	bn_json_set(o, "broker", br);
	bn_json_set(o, "preflight", bn_preflight_status(d->pf));
	bn_json_set(o, "topics", bn_topic_status(d));
	m = bn_json_obj();
	for (e = bn_hmap_first(&d->demand.queues, &i); e != NULL;
	    e = bn_hmap_next(&d->demand.queues, e, &i)) {
		const struct bn_demand_q	*q = e->value;

		if (q->local > 0)
			bn_json_set(m, q->name, json_integer(q->local));
	}
	bn_json_set(o, "local_demand", m);
	a = bn_json_arr();
	TAILQ_FOREACH(l, &d->links, entry)
		bn_json_append(a, status_link(l));
	bn_json_set(o, "links", a);
	a = bn_json_arr();
	TAILQ_FOREACH(dl, &d->dialers, entry)
		bn_json_append(a, status_connector(dl));
	bn_json_set(o, "connectors", a);
	a = bn_json_arr();
	TAILQ_FOREACH(mc, &d->mcasts, entry)
		bn_json_append(a, bn_mdns_status(mc->mdns));
	bn_json_set(o, "discovery", a);
	m = bn_json_obj();
	for (i = 0; i < sizeof(status_counters) / sizeof(status_counters[0]);
	    i++)
		if (status_counters[i].json != NULL)
			bn_json_set(m, status_counters[i].json,
			    bn_json_u64(status_counters[i].get(d)));
	bn_json_set(o, "counters", m);
	return o;
}

void
bn_status_json(struct bn_daemon *d, struct bn_buf *b)
{
	json_t	*o = status_doc(d);
	char	*s;

	if ((s = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("status: out of memory writing /status");
	bn_buf_addstr(b, s);
	bn_buf_addc(b, '\n');
	free(s);
	json_decref(o);
}

/* ---- /metrics */

/*
 * A label value in the text exposition format: backslash, double quote
 * and line feed are the three characters it escapes (as \\, \" and \n);
 * every other byte stands for itself.
 */
void
bn_status_label_escape(struct bn_buf *b, const char *v)
{
	for (; v != NULL && *v != '\0'; v++) {
		switch (*v) {
		case '\\':
			bn_buf_addstr(b, "\\\\");
			break;
		case '"':
			bn_buf_addstr(b, "\\\"");
			break;
		case '\n':
			bn_buf_addstr(b, "\\n");
			break;
		default:
			bn_buf_addc(b, *v);
		}
	}
}

/* One sample NAME{peer="...",connector="..."} V of a link. */
static void
status_link_sample(struct bn_buf *b, const char *name,
    const struct bn_link *l, uint64_t v)
{
	bn_buf_printf(b, "brokernet_%s{peer=\"", name);
	bn_status_label_escape(b, l->peer);
	bn_buf_addstr(b, "\",connector=\"");
	bn_status_label_escape(b, l->connector);
	bn_buf_printf(b, "\"} %llu\n", (unsigned long long)v);
}

void
bn_status_metrics(struct bn_daemon *d, struct bn_buf *b)
{
	const struct status_counter	*sc;
	const struct bn_link		*l;
	size_t				 i;

	for (i = 0; i < sizeof(status_counters) / sizeof(status_counters[0]);
	    i++) {
		sc = &status_counters[i];
		if (sc->metric == NULL)
			continue;
		bn_buf_printf(b, "# HELP brokernet_%s %s\n"
		    "# TYPE brokernet_%s %s\nbrokernet_%s %llu\n", sc->metric,
		    sc->help, sc->metric, sc->type, sc->metric,
		    (unsigned long long)sc->get(d));
	}
	bn_topic_metrics(d, b);
	TAILQ_FOREACH(l, &d->links, entry) {
		if (l->peer == NULL)
			continue;
		status_link_sample(b, "link_messages_out_total", l,
		    l->msgs_out);
		status_link_sample(b, "link_messages_in_total", l,
		    l->msgs_in);
	}
}

static void
status_reply(struct evhttp_request *req, const char *ctype,
    const struct bn_buf *b)
{
	struct evbuffer	*out = evbuffer_new();

	if (out == NULL || evbuffer_add(out, b->data, b->len) == -1) {
		log_warnx("management: out of memory for a reply");
		if (out != NULL)
			evbuffer_free(out);
		evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", ctype);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Access-Control-Allow-Origin", "*");
	evhttp_send_reply(req, HTTP_OK, "OK", out);
	evbuffer_free(out);
}

static void
status_cb(struct evhttp_request *req, void *arg)
{
	struct bn_daemon	*d = arg;
	const char		*path = evhttp_uri_get_path(
				    evhttp_request_get_evhttp_uri(req));
	struct bn_buf		 b = { 0 };

	if (path != NULL && strcmp(path, "/status") == 0) {
		bn_status_json(d, &b);
		status_reply(req, "application/json", &b);
	} else if (path != NULL && (strcmp(path, "/ui") == 0 ||
	    strcmp(path, "/") == 0)) {
		struct bn_buf	page = { 0 };

		bn_buf_add(&page, bn_ui_html, bn_ui_html_len);
		status_reply(req, "text/html; charset=utf-8", &page);
		bn_buf_free(&page);
	} else if (path != NULL && strcmp(path, "/metrics") == 0) {
		bn_status_metrics(d, &b);
		status_reply(req, "text/plain; version=0.0.4", &b);
	} else
		evhttp_send_error(req, HTTP_NOTFOUND,
		    "try /status, /metrics or /ui");
	bn_buf_free(&b);
}

int
bn_status_start(struct bn_daemon *d)
{
	const struct bn_endpoint	*ep = &d->cfg->management;

	if (d->cfg->management_uri == NULL)
		return 0;
	if ((d->http = evhttp_new(d->base)) == NULL) {
		log_warnx("management: cannot make an HTTP server");
		return -1;
	}
	evhttp_set_gencb(d->http, status_cb, d);
	if (evhttp_bind_socket(d->http, ep->host, ep->port) == -1) {
		log_warn("management: cannot listen on %s:%u", ep->host,
		    ep->port);
		return -1;
	}
	log_info("management: http://%s:%u/status", ep->host, ep->port);
	return 0;
}

void
bn_status_stop(struct bn_daemon *d)
{
	if (d->http != NULL) {
		evhttp_free(d->http);
		d->http = NULL;
	}
}
