/*
 * Demand adverts we send: what each link's peer is told about each queue
 * or topic (DEMAND with hops and path, and offline:true when only offline
 * durable topic subscriptions make it; or NODEMAND, held:true when only
 * our broker being away withdraws a topic), kept in the link's
 * adverts map as "hops path[ offline]" so that only changes go out. The demand table says what
 * there is (demand.c); the connector's filter what may be told.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/advert.h"
#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/demand.h"
#include "brokernet/filter.h"
#include "brokernet/link.h"
#include "brokernet/log.h"
#include "brokernet/topic.h"

void
bn_advert_sync(struct bn_link *l, const char *q)
{
	struct bn_daemon	*d = l->d;
	struct bn_buf		 path = { 0 }, want = { 0 };
	const char		*have;
	enum bn_filter_verdict	 v;
	uint32_t		 hops = 0;
	bool			 on = false, offline = false;
	struct bn_frame		*f;
	char			 num[16];

	if (l->state != BN_LINK_UP || !l->they_forward)
		return;
	v = bn_dest_filter(l->nc, q);	/* queues and topics */
	/* dynamicOnly: offline durable subscriptions are not demand */
	if (v != BN_FILTER_DENY && d->broker_up && !d->stopping)
		on = bn_demand_advert_ex(&d->demand, q, l->id, l->peer,
		    d->self, l->nc->consumer_ttl, l->nc->dynamic_only, &hops,
		    &path, &offline);
	if (on)
		bn_buf_printf(&want, "%u %s%s", hops, path.data,
		    offline ? " offline" : "");
	have = bn_hmap_get(&l->adverts, q);
	if ((!on && have == NULL) || (on && have != NULL &&
	    strcmp(have, want.data) == 0))
		goto out;
	if (on) {
		f = bn_frame_new("DEMAND");
		bn_frame_add_header(f, "destination", q);
		snprintf(num, sizeof(num), "%u", hops);
		bn_frame_add_header(f, "hops", num);
		bn_frame_add_header(f, "path", path.data);
		if (offline)
			bn_frame_add_header(f, "offline", "true");
		free(bn_hmap_put(&l->adverts, q, xstrdup(want.data)));
		log_debug("link %s: advertising %s (hops %u)", bn_link_name(l),
		    q, hops);
	} else {
		f = bn_frame_new("NODEMAND");
		bn_frame_add_header(f, "destination", q);
		/*
		 * Withdrawn only while our broker is away: what the peer
		 * keeps for its durable subscriptions (tsub.h) it keeps.
		 */
		if (!d->broker_up && bn_topic_is(q))
			bn_frame_add_header(f, "held", "true");
		free(bn_hmap_del(&l->adverts, q));
		log_debug("link %s: withdrawing %s", bn_link_name(l), q);
	}
	bn_link_send_frame(l, f);
	bn_frame_free(f);
	d->c.adverts_sent++;
out:
	bn_buf_free(&path);
	bn_buf_free(&want);
}

void
bn_advert_all(struct bn_link *l)
{
	struct bn_hmap_ent	*e;
	struct bn_buf		 names = { 0 };
	size_t			 i, off;

	/* Collect first: advert_sync does not change the demand table. */
	for (e = bn_hmap_first(&l->d->demand.queues, &i); e != NULL;
	    e = bn_hmap_next(&l->d->demand.queues, e, &i))
		bn_buf_add(&names, e->key, strlen(e->key) + 1);
	for (e = bn_hmap_first(&l->adverts, &i); e != NULL;
	    e = bn_hmap_next(&l->adverts, e, &i))
		bn_buf_add(&names, e->key, strlen(e->key) + 1);
	for (off = 0; off < names.len; off += strlen(names.data + off) + 1)
		bn_advert_sync(l, names.data + off);
	bn_buf_free(&names);
}

