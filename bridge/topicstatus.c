/*
 * The topics part of /status, as one JSON object that status.c embeds
 * (like preflight's): topic demand apart from queue demand, durable
 * subscriptions counted as demand, and the network subscriptions to
 * topics per link; and the topic lines of /metrics.
 */
#include <string.h>

#include "brokernet/daemon.h"
#include "brokernet/demand.h"
#include "brokernet/forward.h"
#include "brokernet/link.h"
#include "brokernet/topic.h"
#include "brokernet/tsub.h"
#include "brokernet/util.h"

/* Appends "name":{...} members for every topic in the demand table. */
static void
topicstatus_demand(const struct bn_daemon *d, struct bn_buf *b)
{
	struct bn_hmap_ent	*e;
	size_t			 i, j, n = 0;

	for (e = bn_hmap_first(&d->demand.queues, &i); e != NULL;
	    e = bn_hmap_next(&d->demand.queues, e, &i)) {
		const struct bn_demand_q	*q = e->value;

		if (!bn_topic_is(q->name))
			continue;
		if (n++ > 0)
			bn_buf_addc(b, ',');
		bn_buf_add_json_str(b, q->name + BN_TOPIC_PREFIX_LEN);
		bn_buf_printf(b, ":{\"local\":%u,\"remote\":[", q->local);
		for (j = 0; j < q->nremote; j++) {
			const struct bn_link	*l = bn_link_find(
			    (struct bn_daemon *)d, q->remote[j].link);

			bn_buf_addstr(b, j > 0 ? ",{\"peer\":" : "{\"peer\":");
			if (l != NULL && l->peer != NULL)
				bn_buf_add_json_str(b, l->peer);
			else
				bn_buf_addstr(b, "null");
			bn_buf_printf(b, ",\"hops\":%u,\"path\":",
			    q->remote[j].hops);
			bn_buf_add_json_str(b, q->remote[j].path);
			bn_buf_addc(b, '}');
		}
		bn_buf_addstr(b, "]}");
	}
}

/* Appends the network subscriptions to topics, every link. */
static void
topicstatus_subs(const struct bn_daemon *d, struct bn_buf *b)
{
	const struct bn_link	*l;
	const struct bn_fwd_sub	*s;
	size_t			 n = 0;

	TAILQ_FOREACH(l, &d->links, entry)
		TAILQ_FOREACH(s, &l->subs, entry) {
			if (!bn_topic_is(s->dest))
				continue;
			bn_buf_addstr(b, n++ > 0 ? ",{\"peer\":" :
			    "{\"peer\":");
			bn_buf_add_json_str(b, l->peer ? l->peer : "?");
			bn_buf_addstr(b, ",\"topic\":");
			bn_buf_add_json_str(b, s->dest + BN_TOPIC_PREFIX_LEN);
			bn_buf_addstr(b, ",\"id\":");
			bn_buf_add_json_str(b, s->id);
			bn_buf_printf(b, ",\"subscribed\":%s,\"draining\":%s,"
			    "\"hops\":%u,\"inflight\":%llu,\"forwarded\":%llu}",
			    s->subscribed ? "true" : "false",
			    s->draining ? "true" : "false", s->hops,
			    (unsigned long long)s->inflight,
			    (unsigned long long)s->forwarded);
		}
}

struct topicstatus_list {
	struct bn_buf	*b;
	size_t		 n;
};

static void
topicstatus_tsub(const char *name, const char *peer, const char *topic,
    bool attached, void *arg)
{
	struct topicstatus_list	*tl = arg;

	bn_buf_addstr(tl->b, tl->n++ > 0 ? ",{\"peer\":" : "{\"peer\":");
	bn_buf_add_json_str(tl->b, peer);
	bn_buf_addstr(tl->b, ",\"topic\":");
	bn_buf_add_json_str(tl->b, topic + BN_TOPIC_PREFIX_LEN);
	bn_buf_printf(tl->b, ",\"attached\":%s}", attached ? "true" :
	    "false");
}

void
bn_topic_status_json(const struct bn_daemon *d, struct bn_buf *b)
{
	struct topicstatus_list	 tl = { b, 0 };
	size_t			 offline, all, net, net_offline;

	all = bn_demand_durable_count(&d->demand, &offline);
	net = bn_tsub_count(d->tsub, &net_offline);
	bn_buf_addstr(b, "{\"demand\":{");
	topicstatus_demand(d, b);
	bn_buf_printf(b, "},\"durable_subscriptions\":%zu,"
	    "\"durable_offline\":%zu,\"durable_network_subscriptions\":"
	    "{\"count\":%zu,\"offline\":%zu,\"deleted\":%llu,\"list\":[",
	    all, offline, net, net_offline,
	    (unsigned long long)bn_tsub_deleted(d->tsub));
	bn_tsub_each(d->tsub, topicstatus_tsub, &tl);
	bn_buf_addstr(b, "]},\"subscriptions\":[");
	topicstatus_subs(d, b);
	bn_buf_addstr(b, "]}");
}

/* One gauge or counter line, with its HELP and TYPE. */
static void
topicstatus_metric(struct bn_buf *b, const char *name, const char *type,
    const char *help, unsigned long long v)
{
	bn_buf_printf(b, "# HELP brokernet_%s %s\n# TYPE brokernet_%s %s\n"
	    "brokernet_%s %llu\n", name, help, name, type, name, v);
}

void
bn_topic_metrics(const struct bn_daemon *d, struct bn_buf *b)
{
	struct bn_hmap_ent	*e;
	const struct bn_link	*l;
	const struct bn_fwd_sub	*s;
	size_t			 i, local = 0, remote = 0, subs = 0;
	size_t			 dur, dur_off, net, net_off;
	unsigned long long	 fwd = 0;

	for (e = bn_hmap_first(&d->demand.queues, &i); e != NULL;
	    e = bn_hmap_next(&d->demand.queues, e, &i)) {
		const struct bn_demand_q	*q = e->value;

		if (!bn_topic_is(q->name))
			continue;
		local += q->local > 0;
		remote += q->nremote > 0;
	}
	TAILQ_FOREACH(l, &d->links, entry)
		TAILQ_FOREACH(s, &l->subs, entry)
			if (bn_topic_is(s->dest)) {
				subs++;
				fwd += s->forwarded;
			}
	dur = bn_demand_durable_count(&d->demand, &dur_off);
	net = bn_tsub_count(d->tsub, &net_off);
	topicstatus_metric(b, "topics_local_demand", "gauge",
	    "Topics (or patterns) with subscribers on this broker.", local);
	topicstatus_metric(b, "topics_remote_demand", "gauge",
	    "Topics (or patterns) that peers advertised.", remote);
	topicstatus_metric(b, "topic_network_subscriptions", "gauge",
	    "Network subscriptions to topics, over all links.", subs);
	topicstatus_metric(b, "topic_network_subscriptions_forwarded", "gauge",
	    "Messages the current network subscriptions to topics forwarded.",
	    fwd);
	topicstatus_metric(b, "durable_subscriptions", "gauge",
	    "Durable subscriptions on this broker counted as demand.", dur);
	topicstatus_metric(b, "durable_subscriptions_offline", "gauge",
	    "Of them, those whose subscriber is offline.", dur_off);
	topicstatus_metric(b, "durable_network_subscriptions", "gauge",
	    "Durable network subscriptions to topics this sidecar keeps.",
	    net);
	topicstatus_metric(b, "durable_network_subscriptions_offline", "gauge",
	    "Of them, those whose peer is away (the broker keeps messages).",
	    net_off);
	topicstatus_metric(b, "durable_network_subscriptions_deleted_total",
	    "counter", "Durable network subscriptions deleted.",
	    (unsigned long long)bn_tsub_deleted(d->tsub));
}
