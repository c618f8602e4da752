/*
 * Unit tests for bridge/topic.c: topic names in the demand table and a
 * network connector's filters applied to topics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <event2/event.h>

#include "brokernet/advisory.h"
#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/demand.h"
#include "brokernet/topic.h"
#include "brokernet/tsub.h"

#include "destlist.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
test_names(void **state)
{
	assert_true(bn_topic_is("/topic/prices"));
	assert_true(bn_topic_is("/topic/"));
	assert_false(bn_topic_is("prices"));
	assert_false(bn_topic_is("/queue/prices"));
	assert_false(bn_topic_is("/topicprices"));
	assert_false(bn_topic_is(NULL));

	assert_true(bn_topic_is_system(NULL));
	assert_true(bn_topic_is_system(""));
	assert_true(bn_topic_is_system("ActiveMQ"));
	assert_true(bn_topic_is_system("ActiveMQ.Advisory.Consumer.Queue.x"));
	assert_true(bn_topic_is_system("brokernet.commits.A"));
	assert_false(bn_topic_is_system("ActiveMQX.y"));
	assert_false(bn_topic_is_system("activemq.x"));
	assert_false(bn_topic_is_system("prices"));
	assert_false(bn_topic_is_system(">"));
}


struct verdict {
	const char		*name;		/* demand-table name */
	enum bn_filter_verdict	 want;
};

static void
check(const char *const *dyn, const char *const *stat,
    const char *const *excl, const struct verdict *v, size_t n)
{
	struct bn_network_connector	nc;
	enum bn_filter_verdict		got;
	size_t				i;

	memset(&nc, 0, sizeof(nc));
	list_set(&nc.dynamic_include, dyn);
	list_set(&nc.static_include, stat);
	list_set(&nc.exclude, excl);
	for (i = 0; i < n; i++) {
		got = bn_dest_filter(&nc, v[i].name);
		if (got != v[i].want)
			fail_msg("\"%s\": verdict %d, want %d", v[i].name,
			    (int)got, (int)v[i].want);
	}
	free(nc.dynamic_include.items);
	free(nc.static_include.items);
	free(nc.exclude.items);
}

/* The shipped default: no lists; every topic but the system ones. */
static void
test_default(void **state)
{
	static const struct verdict v[] = {
		{ "/topic/prices", BN_FILTER_DYNAMIC },
		{ "/topic/prices.>", BN_FILTER_DYNAMIC },
		{ "/topic/>", BN_FILTER_DYNAMIC },
		{ "/topic/ActiveMQ.Advisory.Consumer.Topic.x", BN_FILTER_DENY },
		{ "/topic/ActiveMQ", BN_FILTER_DENY },
		{ "/topic/brokernet.x", BN_FILTER_DENY },
		{ "/topic/", BN_FILTER_DENY },
		/* queues still go to the queue filter */
		{ "orders", BN_FILTER_DYNAMIC },
		{ "ActiveMQ.DLQ", BN_FILTER_DENY },
	};

	check(NULL, NULL, NULL, v, NELEM(v));
}

/* <topic> entries filter topics only, <queue> entries queues only. */
static void
test_lists(void **state)
{
	static const char *const dyn[] = { "t:prices.>", "q:orders.>", NULL };
	static const char *const stat[] = { "t:audit", "q:prices.eu", NULL };
	static const char *const excl[] = { "t:prices.secret", "t:audit.x",
	    "q:orders.x", NULL };
	static const struct verdict v[] = {
		{ "/topic/prices.eu", BN_FILTER_DYNAMIC },
		{ "/topic/prices.secret", BN_FILTER_DENY },
		{ "/topic/audit", BN_FILTER_STATIC },
		{ "/topic/orders.eu", BN_FILTER_DENY },
		{ "/topic/other", BN_FILTER_DENY },
		{ "prices.eu", BN_FILTER_STATIC },
		{ "orders.eu", BN_FILTER_DYNAMIC },
		{ "orders.x", BN_FILTER_DENY },
	};
	/* only queue entries: no topic is admitted (ActiveMQ's rule) */
	static const char *const qonly[] = { "q:orders.>", NULL };
	static const struct verdict vq[] = {
		{ "/topic/orders.eu", BN_FILTER_DENY },
		{ "orders.eu", BN_FILTER_DYNAMIC },
	};
	/* only topic entries: no queue is admitted */
	static const char *const tonly[] = { "t:orders.>", NULL };
	static const struct verdict vt[] = {
		{ "/topic/orders.eu", BN_FILTER_DYNAMIC },
		{ "orders.eu", BN_FILTER_DENY },
	};
	/* exclusions win over static inclusion */
	static const char *const sx[] = { "t:audit.>", NULL };
	static const char *const ex[] = { "t:audit.secret", NULL };
	static const struct verdict vx[] = {
		{ "/topic/audit.eu", BN_FILTER_STATIC },
		{ "/topic/audit.secret", BN_FILTER_DENY },
	};

	check(dyn, stat, excl, v, NELEM(v));
	check(qonly, NULL, NULL, vq, NELEM(vq));
	check(tonly, NULL, NULL, vt, NELEM(vt));
	check(NULL, sx, ex, vx, NELEM(vx));
	assert_int_equal(bn_topic_filter(NULL, "prices"), BN_FILTER_DENY);
}

/* /status "topics": topics only, names without the prefix, escaped. */
static void
test_status_json(void **state)
{
	struct bn_daemon	*d = calloc(1, sizeof(*d));
	struct bn_buf		 ch = { 0 }, b = { 0 };
	struct bn_advisory	 a;
	json_error_t		 err;
	json_t			*j, *t;
	char			*s;
	struct event_base	*base;

	assert_non_null(d);
	TAILQ_INIT(&d->links);
	assert_non_null(base = event_base_new());
	d->tsub = bn_tsub_new(base, "/queue/brokernet.topicsubs.A", "boot", 0);
	bn_tsub_attached(d->tsub, "B", "/topic/x");
	bn_tsub_attached(d->tsub, "C", "/topic/y");
	bn_tsub_detached(d->tsub, "C", "/topic/y", false);
	/* without a consumer session, an unwanted one waits to be deleted */
	bn_tsub_unwanted(d->tsub, "C", "/topic/z");
	bn_demand_init(&d->demand);
	bn_demand_local_add(&d->demand, "orders", 1);
	bn_demand_local_add(&d->demand, "/topic/prices\"x", 2);
	bn_demand_remote_set(&d->demand, "/topic/news", 7, 2, "C,B");
	memset(&a, 0, sizeof(a));
	a.kind = BN_ADV_ADD;
	a.topic = true;
	strcpy(a.consumer_id, "c/1/1");
	strcpy(a.demand, "/topic/fd");
	strcpy(a.subscription, "s1");
	assert_true(bn_demand_durable(&d->demand, &a, NULL, &ch));
	a.kind = BN_ADV_REMOVE;
	assert_true(bn_demand_durable(&d->demand, &a, NULL, &ch));
	/* as /status sends it: the names escaped, and read back */
	j = bn_topic_status(d);
	assert_non_null(s = json_dumps(j, JSON_COMPACT));
	json_decref(j);
	j = json_loads(s, 0, &err);
	if (j == NULL)
		fail_msg("bad JSON: %s: %s", err.text, s);
	free(s);
	t = json_object_get(j, "demand");
	assert_int_equal(json_object_size(t), 3);
	assert_null(json_object_get(t, "orders"));
	assert_int_equal(json_integer_value(json_object_get(
	    json_object_get(t, "prices\"x"), "local")), 2);
	assert_int_equal(json_integer_value(json_object_get(
	    json_object_get(t, "fd"), "local")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(t, "news"), "remote"), 0),
	    "path")), "C,B");
	assert_int_equal(json_integer_value(json_object_get(j,
	    "durable_subscriptions")), 1);
	assert_int_equal(json_integer_value(json_object_get(j,
	    "durable_offline")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "subscriptions")),
	    0);
	t = json_object_get(j, "durable_network_subscriptions");
	assert_int_equal(json_integer_value(json_object_get(t, "count")), 3);
	assert_int_equal(json_integer_value(json_object_get(t, "offline")), 2);
	assert_int_equal(json_integer_value(json_object_get(t, "deleted")), 0);
	assert_int_equal(json_array_size(json_object_get(t, "list")), 3);
	{
		size_t	 i, seen = 0;
		json_t	*e;

		json_array_foreach(json_object_get(t, "list"), i, e)
			if (strcmp(json_string_value(json_object_get(e,
			    "topic")), "y") == 0) {
				assert_string_equal(json_string_value(
				    json_object_get(e, "peer")), "C");
				assert_false(json_is_true(json_object_get(e,
				    "attached")));
				seen++;
			}
		assert_int_equal(seen, 1);
	}
	json_decref(j);
	/* /metrics: the topic lines, apart from queues ("orders") */
	bn_topic_metrics(d, &b);
	assert_non_null(b.data);
	assert_non_null(strstr(b.data, "\nbrokernet_topics_local_demand 2\n"));
	assert_non_null(strstr(b.data, "\nbrokernet_topics_remote_demand 1\n"));
	assert_non_null(strstr(b.data, "\nbrokernet_durable_subscriptions 1\n"));
	assert_non_null(strstr(b.data,
	    "\nbrokernet_durable_subscriptions_offline 1\n"));
	assert_non_null(strstr(b.data,
	    "\nbrokernet_durable_network_subscriptions 3\n"));
	assert_non_null(strstr(b.data,
	    "\nbrokernet_durable_network_subscriptions_offline 2\n"));
	assert_non_null(strstr(b.data, "# TYPE brokernet_durable_network_"
	    "subscriptions_deleted_total counter\n"));
	assert_non_null(strstr(b.data,
	    "\nbrokernet_topic_network_subscriptions 0\n"));
	bn_buf_free(&b);
	bn_tsub_free(d->tsub);
	event_base_free(base);
	bn_buf_free(&ch);
	bn_demand_free(&d->demand);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_status_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
