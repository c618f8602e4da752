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

#include "brokernet/config.h"
#include "brokernet/topic.h"

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

/* Fills a list from "q:pattern" / "t:pattern" strings. */
static void
list_set(struct bn_dest_list *l, const char *const *entries)
{
	size_t	n = 0, i;

	while (entries != NULL && entries[n] != NULL)
		n++;
	l->items = n ? calloc(n, sizeof(*l->items)) : NULL;
	l->n = n;
	for (i = 0; i < n; i++) {
		l->items[i].topic = entries[i][0] == 't';
		l->items[i].pattern = (char *)entries[i] + 2;
	}
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
