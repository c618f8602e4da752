/*
 * The router: what a link's peer sends goes to the module it is for, and
 * what happens to a link or to demand reaches every module it concerns.
 * link.c is a transport that calls up only through struct bn_link_ops;
 * this file is those callbacks, so forward, receive, pacing and adverts
 * never call back into a link's own machinery.
 *
 *   MESSAGE / M     -> receive.c (store on our broker, then stored-ack)
 *   ACK             -> forward.c (ack the source broker)
 *   DEMAND/NODEMAND -> the demand table, then forward.c and every advert
 *   BN_PACE         -> pace.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/advert.h"
#include "brokernet/daemon.h"
#include "brokernet/demand.h"
#include "brokernet/forward.h"
#include "brokernet/fwdack.h"
#include "brokernet/link.h"
#include "brokernet/log.h"
#include "brokernet/names.h"
#include "brokernet/pace.h"
#include "brokernet/receive.h"
#include "brokernet/router.h"
#include "brokernet/stomp.h"
#include "brokernet/tsub.h"

void
bn_router_queue_changed(struct bn_daemon *d, const char *q)
{
	struct bn_link	*l;

	TAILQ_FOREACH(l, &d->links, entry)
		if (l->state == BN_LINK_UP) {
			bn_advert_sync(l, q);
			if (bn_demand_remote_hops(&d->demand, q, l->id) > 0 ||
			    bn_hmap_get(&l->subs_by_dest, q) != NULL)
				bn_fwd_sync(l, q);
		}
}

void
bn_router_queues_changed(struct bn_daemon *d, const struct bn_buf *names)
{
	size_t	off;

	for (off = 0; off < names->len; off += strlen(names->data + off) + 1)
		bn_router_queue_changed(d, names->data + off);
}

static bool
router_on_demand(struct bn_link *l, struct bn_frame *f, bool add)
{
	struct bn_daemon	*d = l->d;
	const char		*q = bn_frame_get(f, "destination");
	const char		*path = bn_frame_get(f, "path");
	const char		*hs = bn_frame_get(f, "hops");
	uint64_t		 hops = 1;
	bool			 changed;

	if (q == NULL || *q == '\0' || strlen(q) > 1024) {
		bn_link_close(l, "bad DEMAND frame: no valid destination");
		return false;
	}
	d->c.adverts_received++;
	if (add) {
		if ((hs != NULL && (bn_strtou64(hs, 1000, &hops) == -1 ||
		    hops == 0)) || path == NULL) {
			bn_link_close(l, "bad DEMAND frame: hops or path");
			return false;
		}
		if (bn_name_path_check(path, strlen(path)) != NULL) {
			bn_link_close(l, "bad DEMAND frame: path is not a list"
			    " of broker names");
			return false;
		}
		bn_hmap_del(&l->remote_held, q);
		if (bn_hmap_get(&l->remote, q) == NULL) {
			if (bn_hmap_count(&l->remote) >= BN_LINK_MAX_ADVERTS) {
				bn_link_close(l, "peer advertised more than the"
				    " allowed number of queues");
				return false;
			}
			bn_hmap_put(&l->remote, q, xstrdup(path));
		}
		log_debug("link %s: demand for %s (hops %llu, path %s)",
		    bn_link_name(l), q, (unsigned long long)hops, path);
		if (!l->we_forward)
			return true;
		changed = bn_demand_remote_set(&d->demand, q, l->id,
		    (uint32_t)hops, path);
		/* only offline durable subscriptions behind it (topics) */
		if (bn_demand_remote_set_offline(&d->demand, q, l->id,
		    bn_frame_get(f, "offline") != NULL &&
		    strcmp(bn_frame_get(f, "offline"), "true") == 0))
			changed = true;
	} else {
		free(bn_hmap_del(&l->remote, q));
		bn_hmap_del(&l->remote_held, q);
		if (bn_frame_get(f, "held") != NULL && strcmp(bn_frame_get(f,
		    "held"), "true") == 0 && bn_hmap_count(&l->remote_held) <
		    BN_LINK_MAX_ADVERTS)
			bn_hmap_put(&l->remote_held, q, l);
		log_debug("link %s: no more demand for %s%s", bn_link_name(l),
		    q, bn_hmap_get(&l->remote_held, q) ? " (its broker is"
		    " away)" : "");
		if (!l->we_forward)
			return true;
		changed = bn_demand_remote_del(&d->demand, q, l->id);
	}
	if (changed) {
		bn_fwd_sync(l, q);
		bn_router_queue_changed(d, q);
	}
	return true;
}

static bool
router_frame(struct bn_link *l, struct bn_frame *f)
{
	const char	*cmd = f->command;
	bool		 alive;

	/* the message now belongs to receive.c */
	if (strcmp(cmd, "MESSAGE") == 0)
		return bn_recv_on_link_message(l, f) == 0;
	if (strcmp(cmd, "ACK") == 0)
		alive = bn_fwd_on_link_ack(l, bn_frame_get(f, "ids")) == 0;
	else if (strcmp(cmd, "DEMAND") == 0)
		alive = router_on_demand(l, f, true);
	else if (strcmp(cmd, "NODEMAND") == 0)
		alive = router_on_demand(l, f, false);
	else if (strcmp(cmd, "BN_PACE") == 0)
		alive = bn_pace_on_frame(l, f);
	else {
		/* link.c hands over only the commands above */
		log_warnx("link %s: frame %.32s has no route", bn_link_name(l),
		    cmd);
		alive = true;
	}
	bn_frame_free(f);
	return alive;
}

static void
router_up(struct bn_link *l)
{
	if (l->they_forward) {
		bn_advert_all(l);
		bn_pace_link_up(l);
	}
	if (l->we_forward) {
		bn_tsub_peer(l->d->tsub, l->peer, true);
		bn_fwd_sync_static(l);
	}
}

static void
router_closed(struct bn_link *l)
{
	struct bn_daemon	*d = l->d;
	struct bn_buf		 changed = { 0 };

	bn_fwd_link_closed(l);
	if (l->we_forward)
		bn_tsub_peer(d->tsub, l->peer, false);
	bn_pace_tx_free_all(l);
	bn_recv_link_closed(d, l->id);
	bn_demand_remote_clear_link(&d->demand, l->id, &changed);
	bn_router_queues_changed(d, &changed);
	bn_buf_free(&changed);
}

/* Link output is the broker consumer's back-pressure. */
static void
router_congested(struct bn_daemon *d, bool on)
{
	if (d->cons != NULL)
		bn_stomp_pause_read(d->cons, on);
}

const struct bn_link_ops bn_router_link_ops = {
	.up = router_up,
	.frame = router_frame,
	.closed = router_closed,
	.congested = router_congested,
};
