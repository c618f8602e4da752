/* The management endpoint: /status (JSON) and /metrics (Prometheus). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/linkz.h"
#include "brokernet/log.h"
#include "brokernet/markers.h"
#include "brokernet/mdns.h"
#include "brokernet/preflight.h"
#include "brokernet/stomp.h"
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

static void
status_kv_str(struct bn_buf *b, const char *k, const char *v, bool comma)
{
	bn_buf_add_json_str(b, k);
	bn_buf_addc(b, ':');
	if (v == NULL)
		bn_buf_addstr(b, "null");
	else
		bn_buf_add_json_str(b, v);
	if (comma)
		bn_buf_addc(b, ',');
}

static void
status_kv_u64(struct bn_buf *b, const char *k, uint64_t v, bool comma)
{
	bn_buf_printf(b, "\"%s\":%llu%s", k, (unsigned long long)v,
	    comma ? "," : "");
}

static void
status_link(struct bn_buf *b, const struct bn_link *l)
{
	const struct bn_fwd_sub	*s;
	struct bn_hmap_ent	*e;
	size_t			 i;
	bool			 first;
	unsigned long long	 po, pi;

	bn_buf_addc(b, '{');
	status_kv_u64(b, "id", l->id, true);
	status_kv_str(b, "peer", l->peer, true);
	status_kv_str(b, "address", l->peer_addr, true);
	status_kv_str(b, "connector", l->connector, true);
	status_kv_str(b, "state", status_link_state(l->state), true);
	status_kv_str(b, "direction", l->dialer ? "dialed" : "accepted", true);
	bn_buf_printf(b, "\"duplex\":%s,\"we_forward\":%s,"
	    "\"peer_forwards\":%s,", l->nc && l->nc->duplex ? "true" : "false",
	    l->we_forward ? "true" : "false",
	    l->they_forward ? "true" : "false");
	status_kv_u64(b, "since_ms", l->since_ms, true);
	status_kv_str(b, "peer_management", l->peer_mgmt, true);
	status_kv_u64(b, "messages_out", l->msgs_out, true);
	status_kv_u64(b, "messages_in", l->msgs_in, true);
	status_kv_u64(b, "acks_in", l->acks_in, true);
	status_kv_u64(b, "acks_out", l->acks_out, true);
	status_kv_u64(b, "bytes_out", l->bytes_out, true);
	status_kv_u64(b, "bytes_in", l->bytes_in, true);
	status_kv_str(b, "encoding", bn_linkz_features(l), true);
	bn_linkz_plain_bytes(l, &po, &pi);
	status_kv_u64(b, "bytes_out_uncompressed", po, true);
	status_kv_u64(b, "bytes_in_uncompressed", pi, true);
	status_kv_u64(b, "inflight", l->ninflight, true);
	status_kv_u64(b, "receiving", l->rx_pending, true);
	bn_buf_addstr(b, "\"remote_demand\":{");
	first = true;
	for (e = bn_hmap_first(&l->remote, &i); e != NULL;
	    e = bn_hmap_next(&l->remote, e, &i)) {
		if (!first)
			bn_buf_addc(b, ',');
		first = false;
		bn_buf_add_json_str(b, e->key);
		bn_buf_printf(b, ":{\"path\":");
		bn_buf_add_json_str(b, e->value);
		bn_buf_addc(b, '}');
	}
	bn_buf_addstr(b, "},\"advertised\":{");
	first = true;
	for (e = bn_hmap_first(&l->adverts, &i); e != NULL;
	    e = bn_hmap_next(&l->adverts, e, &i)) {
		if (!first)
			bn_buf_addc(b, ',');
		first = false;
		bn_buf_add_json_str(b, e->key);
		bn_buf_addc(b, ':');
		bn_buf_add_json_str(b, e->value);
	}
	bn_buf_addstr(b, "},\"subscriptions\":[");
	first = true;
	TAILQ_FOREACH(s, &l->subs, entry) {
		if (!first)
			bn_buf_addc(b, ',');
		first = false;
		bn_buf_addc(b, '{');
		status_kv_str(b, "id", s->id, true);
		status_kv_str(b, "queue", s->dest, true);
		bn_buf_printf(b, "\"static\":%s,\"subscribed\":%s,"
		    "\"draining\":%s,\"priority\":%d,",
		    s->is_static ? "true" : "false",
		    s->subscribed ? "true" : "false",
		    s->draining ? "true" : "false", s->priority);
		status_kv_u64(b, "hops", s->hops, true);
		status_kv_u64(b, "inflight", s->inflight, true);
		status_kv_u64(b, "forwarded", s->forwarded, false);
		bn_buf_addc(b, '}');
	}
	bn_buf_addstr(b, "]}");
}

void
bn_status_json(struct bn_daemon *d, struct bn_buf *b)
{
	const struct bn_link	*l;
	const struct bn_dialer	*dl;
	const struct bn_mcast	*mc;
	struct bn_hmap_ent	*e;
	size_t			 i;
	bool			 first;
	const struct bn_counters *c = &d->c;

	bn_buf_addc(b, '{');
	status_kv_str(b, "broker_name", d->self, true);
	status_kv_str(b, "version", BN_VERSION, true);
	status_kv_str(b, "role", bn_daemon_role_name(d->role), true);
	status_kv_u64(b, "role_since_ms", d->role_since_ms, true);
	status_kv_str(b, "role_reason", d->role_reason, true);
	status_kv_u64(b, "role_changes", d->role_changes, true);
	status_kv_u64(b, "uptime_ms", bn_now_ms() - d->started_ms, true);
	status_kv_str(b, "management", d->cfg->management_uri, true);
	bn_buf_addstr(b, "\"broker\":{");
	status_kv_str(b, "uri", d->cfg->broker.uri, true);
	status_kv_str(b, "current", d->cons ?
	    bn_stomp_current_uri(d->cons) : NULL, true);
	status_kv_str(b, "state", d->broker_up ? "connected" :
	    "disconnected", true);
	status_kv_u64(b, "connects", c->broker_connects, true);
	status_kv_u64(b, "store_inflight", d->prod ?
	    bn_stomp_inflight(d->prod) : 0, false);
	bn_buf_addstr(b, "},\"preflight\":");
	bn_preflight_status_json(d->pf, b);
	bn_buf_addstr(b, ",\"local_demand\":{");
	first = true;
	for (e = bn_hmap_first(&d->demand.queues, &i); e != NULL;
	    e = bn_hmap_next(&d->demand.queues, e, &i)) {
		const struct bn_demand_q	*q = e->value;

		if (q->local == 0)
			continue;
		if (!first)
			bn_buf_addc(b, ',');
		first = false;
		bn_buf_add_json_str(b, q->name);
		bn_buf_printf(b, ":%u", q->local);
	}
	bn_buf_addstr(b, "},\"links\":[");
	first = true;
	TAILQ_FOREACH(l, &d->links, entry) {
		if (!first)
			bn_buf_addc(b, ',');
		first = false;
		status_link(b, l);
	}
	bn_buf_addstr(b, "],\"connectors\":[");
	first = true;
	TAILQ_FOREACH(dl, &d->dialers, entry) {
		const struct bn_endpoint	*ep = &dl->eps[dl->cur];

		if (!first)
			bn_buf_addc(b, ',');
		first = false;
		bn_buf_addc(b, '{');
		status_kv_str(b, "name", dl->nc->name, true);
		status_kv_str(b, "peer", dl->peer_name, true);
		bn_buf_printf(b, "\"discovered\":%s,", dl->discovered ?
		    "true" : "false");
		status_kv_str(b, "uri", dl->nc->uri, true);
		bn_buf_printf(b, "\"target\":\"%s:%u\",", ep->host, ep->port);
		status_kv_str(b, "state", dl->link && dl->link->state ==
		    BN_LINK_UP ? "up" : dl->stopped ? "refused" :
		    dl->link ? "connecting" : "waiting", true);
		status_kv_u64(b, "attempts", dl->attempts, true);
		status_kv_str(b, "last_error", dl->last_error, false);
		bn_buf_addc(b, '}');
	}
	bn_buf_addstr(b, "],\"discovery\":[");
	first = true;
	TAILQ_FOREACH(mc, &d->mcasts, entry) {
		if (!first)
			bn_buf_addc(b, ',');
		first = false;
		bn_mdns_status_json(mc->mdns, b);
	}
	bn_buf_addstr(b, "],\"counters\":{");
	status_kv_u64(b, "forwarded", c->forwarded, true);
	status_kv_u64(b, "forward_acked", c->forward_acked, true);
	status_kv_u64(b, "received", c->received, true);
	status_kv_u64(b, "stored", c->stored, true);
	status_kv_u64(b, "store_failed", c->store_failed, true);
	status_kv_u64(b, "store_transactions", c->store_batches, true);
	status_kv_u64(b, "stored_plain", c->stored_plain, true);
	status_kv_u64(b, "links_accepted", c->links_accepted, true);
	status_kv_u64(b, "links_refused", c->links_refused, true);
	status_kv_u64(b, "link_errors", c->link_errors, true);
	status_kv_u64(b, "advisories", c->advisories, true);
	status_kv_u64(b, "adverts_sent", c->adverts_sent, true);
	status_kv_u64(b, "adverts_received", c->adverts_received, true);
	status_kv_u64(b, "stale_acks", c->stale_acks, true);
	status_kv_u64(b, "duplicates_suppressed", c->duplicates, true);
	status_kv_u64(b, "doubt_found_stored", c->doubt_found, true);
	status_kv_u64(b, "doubt_resent", c->doubt_resent, true);
	status_kv_u64(b, "duplicate_window", bn_dedup_count(&d->dedup),
	    true);
	status_kv_u64(b, "window_restored", bn_markers_restored(d->markers),
	    true);
	status_kv_u64(b, "broker_markers", bn_markers_count(d->markers), true);
	status_kv_u64(b, "broker_marker_keys", bn_markers_keys(d->markers),
	    true);
	status_kv_u64(b, "marker_merges", bn_markers_merges(d->markers),
	    false);
	bn_buf_addstr(b, "}}\n");
}

static void
status_metric(struct bn_buf *b, const char *name, const char *type,
    const char *help, uint64_t v)
{
	bn_buf_printf(b, "# HELP brokernet_%s %s\n# TYPE brokernet_%s %s\n"
	    "brokernet_%s %llu\n", name, help, name, type, name,
	    (unsigned long long)v);
}

void
bn_status_metrics(struct bn_daemon *d, struct bn_buf *b)
{
	const struct bn_counters	*c = &d->c;
	const struct bn_link		*l;
	uint64_t			 up = 0;

	TAILQ_FOREACH(l, &d->links, entry)
		up += l->state == BN_LINK_UP;
	status_metric(b, "broker_connected", "gauge",
	    "1 when the broker session is up", d->broker_up);
	status_metric(b, "preflight_ok", "gauge", "1 when the broker serves"
	    " what the sidecar needs (see /status preflight)",
	    bn_preflight_ok(d->pf));
	status_metric(b, "links_up", "gauge", "links in state up", up);
	status_metric(b, "forwarded_total", "counter",
	    "messages sent over links", c->forwarded);
	status_metric(b, "forward_acked_total", "counter",
	    "forwarded messages confirmed by the peer and acked locally",
	    c->forward_acked);
	status_metric(b, "received_total", "counter",
	    "messages received from links", c->received);
	status_metric(b, "stored_total", "counter",
	    "received messages stored on the local broker", c->stored);
	status_metric(b, "store_failed_total", "counter",
	    "received messages the local broker refused", c->store_failed);
	status_metric(b, "links_refused_total", "counter",
	    "link connections refused", c->links_refused);
	status_metric(b, "link_errors_total", "counter",
	    "links closed for bad input", c->link_errors);
	status_metric(b, "duplicates_suppressed_total", "counter",
	    "messages received again and acked without storing them twice",
	    c->duplicates);
	status_metric(b, "duplicate_window_keys", "gauge",
	    "keys in the duplicate window", bn_dedup_count(&d->dedup));
	status_metric(b, "role_active", "gauge",
	    "1 while this sidecar is the active one for its broker, else 0",
	    d->role == BN_ROLE_ACTIVE);
	status_metric(b, "role_changes_total", "counter",
	    "role changes (active, standby, suspended)", d->role_changes);
	status_metric(b, "broker_markers", "gauge",
	    "commit markers kept on the broker (the window's durable copy)",
	    bn_markers_count(d->markers));
	status_metric(b, "advisories_total", "counter",
	    "consumer advisories read", c->advisories);
	status_metric(b, "local_demand_queues", "gauge",
	    "queues in the demand table", bn_hmap_count(&d->demand.queues));
	status_metric(b, "inflight", "gauge",
	    "messages forwarded and not yet confirmed",
	    bn_fwd_total_inflight(d));
	TAILQ_FOREACH(l, &d->links, entry) {
		if (l->peer == NULL)
			continue;
		bn_buf_printf(b, "brokernet_link_messages_out_total{peer=\"%s\","
		    "connector=\"%s\"} %llu\n", l->peer, l->connector,
		    (unsigned long long)l->msgs_out);
		bn_buf_printf(b, "brokernet_link_messages_in_total{peer=\"%s\","
		    "connector=\"%s\"} %llu\n", l->peer, l->connector,
		    (unsigned long long)l->msgs_in);
	}
}

static void
status_reply(struct evhttp_request *req, const char *ctype,
    const struct bn_buf *b)
{
	struct evbuffer	*out = evbuffer_new();

	evbuffer_add(out, b->data, b->len);
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
	d->http = evhttp_new(d->base);
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
