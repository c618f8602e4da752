/*
 * Durable subscriptions that are demand, kept with the broker (see
 * durables.h).
 */
#include <stdlib.h>
#include <string.h>

#include "brokernet/advisory.h"
#include "brokernet/bset.h"
#include "brokernet/demand.h"
#include "brokernet/durables.h"
#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/topic.h"
#include "brokernet/util.h"

struct bn_durables {
	struct bn_bset		*reg;
	struct bn_demand	*demand;
	bn_durables_changed_cb	 changed;
	void			*arg;
};

/* The registry key of a subscription: "/topic/T\nNAME", as demand.c's. */
static void
durables_key(const char *topic, const char *name, struct bn_buf *b)
{
	bn_buf_printf(b, "%s\n%s", topic, name);
}

static void
durables_found(const char *key, const struct bn_frame *f, void *arg)
{
	struct bn_durables	*u = arg;
	struct bn_buf		 changed = { 0 }, k = { 0 };
	const char		*topic = bn_frame_get(f, "brokernet_topic");
	const char		*name = bn_frame_get(f,
				    "brokernet_subscription");

	if (topic != NULL && name != NULL)
		durables_key(topic, name, &k);
	if (topic == NULL || name == NULL || !bn_topic_is(topic) ||
	    strcmp(k.data, key) != 0) {
		log_warnx("store: %s: entry without a valid brokernet_topic and"
		    " brokernet_subscription; removed", bn_bset_queue(u->reg));
		bn_bset_del(u->reg, key);
		bn_buf_free(&k);
		return;
	}
	if (bn_demand_durable_restore(u->demand, topic, name, &changed)) {
		log_info("demand: %s: durable subscription %s known from the"
		    " broker (offline until its subscriber returns)", topic,
		    name);
		u->changed(&changed, u->arg);
	}
	bn_buf_free(&changed);
	bn_buf_free(&k);
}

static void
durables_read(size_t n, void *arg)
{
	struct bn_durables	*u = arg;

	log_info("demand: %zu durable subscription(s) known from %s", n,
	    bn_bset_queue(u->reg));
}

static const struct bn_bset_ops durables_ops = {
	.found = durables_found,
	.read = durables_read,
};

struct bn_durables *
bn_durables_new(const char *queue, const char *boot_id,
    struct bn_demand *demand, bn_durables_changed_cb changed, void *arg)
{
	struct bn_durables	*u = xcalloc(1, sizeof(*u));

	u->reg = bn_bset_new("du", queue, boot_id, &durables_ops, u);
	u->demand = demand;
	u->changed = changed;
	u->arg = arg;
	return u;
}

void
bn_durables_free(struct bn_durables *u)
{
	if (u == NULL)
		return;
	bn_bset_free(u->reg);
	free(u);
}

bool
bn_durables_advisory(struct bn_durables *u, const struct bn_advisory *adv,
    const char *adv_topic, struct bn_buf *changed)
{
	struct bn_buf	 key = { 0 }, topic = { 0 };
	bool		 handled;
	const char	*h[5];

	handled = bn_demand_durable(u->demand, adv, adv_topic, changed);
	if (adv->kind == BN_ADV_ADD && handled) {
		durables_key(adv->demand, adv->subscription, &key);
		h[0] = "brokernet_topic";
		h[1] = adv->demand;
		h[2] = "brokernet_subscription";
		h[3] = adv->subscription;
		h[4] = NULL;
		bn_bset_add(u->reg, key.data, h);
	} else if (adv->kind == BN_ADV_REMOVE_SUB && adv_topic != NULL &&
	    adv->subscription[0] != '\0') {
		bn_buf_printf(&topic, "%s%s", BN_TOPIC_PREFIX, adv_topic);
		durables_key(topic.data, adv->subscription, &key);
		bn_bset_del(u->reg, key.data);
	}
	bn_buf_free(&key);
	bn_buf_free(&topic);
	return handled;
}

void
bn_durables_connected(struct bn_durables *u, struct bn_stomp *store)
{
	bn_bset_connected(u->reg, store);
}

void
bn_durables_lost(struct bn_durables *u)
{
	bn_bset_lost(u->reg);
}

bool
bn_durables_is_theirs(const struct bn_durables *u, const struct bn_frame *f)
{
	return bn_bset_is_theirs(u->reg, f);
}

void
bn_durables_on_message(struct bn_durables *u, const struct bn_frame *f)
{
	bn_bset_on_message(u->reg, f);
}
