/*
 * The topics part of /status, as one json_t that status.c embeds (like
 * preflight's): topic demand apart from queue demand, durable
 * subscriptions counted as demand, and the network subscriptions to
 * topics per link; and the topic lines of /metrics.
 */
#include <string.h>

#include <jansson.h>

#include "brokernet/daemon.h"
#include "brokernet/demand.h"
#include "brokernet/forward.h"
#include "brokernet/jsonout.h"
#include "brokernet/link.h"
#include "brokernet/topic.h"
#include "brokernet/tsub.h"
#include "brokernet/util.h"

/* Every topic in the demand table, by its name without the prefix. */
static json_t *
topicstatus_demand(const struct bn_daemon *d)
{
	struct bn_hmap_ent	*e;
	json_t			*m, *t, *a, *r;
	size_t			 i, j;

	m = bn_json_obj();
	for (e = bn_hmap_first(&d->demand.queues, &i); e != NULL;
	    e = bn_hmap_next(&d->demand.queues, e, &i)) {
		const struct bn_demand_q	*q = e->value;

		if (!bn_topic_is(q->name))
			continue;
		t = bn_json_obj();
		bn_json_set(t, "local", bn_json_u64(q->local));
		a = bn_json_arr();
		for (j = 0; j < q->nremote; j++) {
			const struct bn_link	*l = bn_link_find(
			    (struct bn_daemon *)d, q->remote[j].link);

			r = bn_json_obj();
			bn_json_set(r, "peer", bn_json_str(l != NULL ? l->peer :
			    NULL));
			bn_json_set(r, "hops", bn_json_u64(q->remote[j].hops));
			bn_json_set(r, "path", bn_json_str(q->remote[j].path));
			bn_json_append(a, r);
		}
		bn_json_set(t, "remote", a);
		bn_json_set(m, q->name + BN_TOPIC_PREFIX_LEN, t);
	}
	return m;
}

/* The network subscriptions to topics, every link. */
static json_t *
topicstatus_subs(const struct bn_daemon *d)
{
	const struct bn_link	*l;
	const struct bn_fwd_sub	*s;
	json_t			*a, *o;

	a = bn_json_arr();
	TAILQ_FOREACH(l, &d->links, entry)
		TAILQ_FOREACH(s, &l->subs, entry) {
			if (!bn_topic_is(s->dest))
				continue;
			o = bn_json_obj();
			bn_json_set(o, "peer", bn_json_str(l->peer ? l->peer :
			    "?"));
			bn_json_set(o, "topic", bn_json_str(s->dest +
			    BN_TOPIC_PREFIX_LEN));
			bn_json_set(o, "id", bn_json_str(s->id));
			bn_json_set(o, "subscribed",
			    json_boolean(s->subscribed));
			bn_json_set(o, "draining", json_boolean(s->draining));
			bn_json_set(o, "hops", bn_json_u64(s->hops));
			bn_json_set(o, "inflight", bn_json_u64(s->inflight));
			bn_json_set(o, "forwarded", bn_json_u64(s->forwarded));
			bn_json_append(a, o);
		}
	return a;
}

/* One durable network subscription, appended to the array arg. */
static void
topicstatus_tsub(const char *name, const char *peer, const char *topic,
    bool attached, void *arg)
{
	json_t	*o = bn_json_obj();

	bn_json_set(o, "peer", bn_json_str(peer));
	bn_json_set(o, "topic", bn_json_str(topic + BN_TOPIC_PREFIX_LEN));
	bn_json_set(o, "attached", json_boolean(attached));
	bn_json_append(arg, o);
}

json_t *
bn_topic_status(const struct bn_daemon *d)
{
	json_t	*o, *n, *list;
	size_t	 offline, all, net, net_offline;

	all = bn_demand_durable_count(&d->demand, &offline);
	net = bn_tsub_count(d->tsub, &net_offline);
	o = bn_json_obj();
	bn_json_set(o, "demand", topicstatus_demand(d));
	bn_json_set(o, "durable_subscriptions", bn_json_u64(all));
	bn_json_set(o, "durable_offline", bn_json_u64(offline));
	n = bn_json_obj();
	bn_json_set(n, "count", bn_json_u64(net));
	bn_json_set(n, "offline", bn_json_u64(net_offline));
	bn_json_set(n, "deleted", bn_json_u64(bn_tsub_deleted(d->tsub)));
	list = bn_json_arr();
	bn_tsub_each(d->tsub, topicstatus_tsub, list);
	bn_json_set(n, "list", list);
	bn_json_set(o, "durable_network_subscriptions", n);
	bn_json_set(o, "subscriptions", topicstatus_subs(d));
	return o;
}

/* One gauge or counter line, with its HELP and TYPE. */
static void
topicstatus_metric(struct bn_buf *b, const char *name, const char *type,
    const char *help, unsigned long long v)
{
	bn_buf_printf(b, "# HELP brokernet_%s %s\n# TYPE brokernet_%s %s\n"
	    "brokernet_%s %llu\n", name, help, name, type, name, v);
}

/* The topic lines of /metrics, in the order bn_topic_metrics fills v[]. */
static const struct {
	const char	*name, *type, *help;
} topicstatus_metrics[] = {
	{ "topics_local_demand", "gauge",
	    "Topics (or patterns) with subscribers on this broker." },
	{ "topics_remote_demand", "gauge",
	    "Topics (or patterns) that peers advertised." },
	{ "topic_network_subscriptions", "gauge",
	    "Network subscriptions to topics, over all links." },
	{ "topic_network_subscriptions_forwarded", "gauge",
	    "Messages the current network subscriptions to topics forwarded." },
	{ "durable_subscriptions", "gauge",
	    "Durable subscriptions on this broker counted as demand." },
	{ "durable_subscriptions_offline", "gauge",
	    "Of them, those whose subscriber is offline." },
	{ "durable_network_subscriptions", "gauge",
	    "Durable network subscriptions to topics this sidecar keeps." },
	{ "durable_network_subscriptions_offline", "gauge",
	    "Of them, those whose peer is away (the broker keeps messages)." },
	{ "durable_network_subscriptions_deleted_total", "counter",
	    "Durable network subscriptions deleted." },
};

void
bn_topic_metrics(const struct bn_daemon *d, struct bn_buf *b)
{
	struct bn_hmap_ent	*e;
	const struct bn_link	*l;
	const struct bn_fwd_sub	*s;
	size_t			 i, local = 0, remote = 0, subs = 0;
	size_t			 dur, dur_off, net, net_off;
	unsigned long long	 fwd = 0, v[sizeof(topicstatus_metrics) /
				    sizeof(topicstatus_metrics[0])];

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
	v[0] = local;
	v[1] = remote;
	v[2] = subs;
	v[3] = fwd;
	v[4] = dur;
	v[5] = dur_off;
	v[6] = net;
	v[7] = net_off;
	v[8] = bn_tsub_deleted(d->tsub);
	for (i = 0; i < sizeof(topicstatus_metrics) /
	    sizeof(topicstatus_metrics[0]); i++)
		topicstatus_metric(b, topicstatus_metrics[i].name,
		    topicstatus_metrics[i].type, topicstatus_metrics[i].help,
		    v[i]);
}
