/*
 * Unit tests for bridge/filter.c: ActiveMQ wildcards and the precedence of
 * a network connector's destination filters.
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
#include "brokernet/filter.h"

#include "destlist.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct match {
	const char	*pattern;
	const char	*name;
	bool		 want;
};

static const struct match matches[] = {
	/* exact segments, case-sensitive */
	{ "orders", "orders", true },
	{ "orders", "Orders", false },
	{ "orders", "order", false },
	{ "orders", "orders.eu", false },
	{ "orders.eu", "orders", false },
	{ "orders.eu", "orders.eu", true },
	{ "orders.eu", "orders.us", false },
	{ "a..b", "a..b", true },
	{ "", "", true },
	{ "", "a", false },
	/* '*': exactly one segment */
	{ "*", "a", true },
	{ "*", "", true },
	{ "*", "a.b", false },
	{ "orders.*", "orders.eu", true },
	{ "orders.*", "orders", false },
	{ "orders.*", "orders.eu.paris", false },
	{ "orders.*.new", "orders.eu.new", true },
	{ "orders.*.new", "orders.eu.old", false },
	{ "orders.*.new", "orders.new", false },
	{ "*.*", "a.b", true },
	{ "*.*", "a", false },
	{ "a.*.b", "a..b", true },
	/* '>': one or more remaining segments; alone: everything */
	{ ">", "", true },
	{ ">", "a", true },
	{ ">", "a.b.c", true },
	{ "orders.>", "orders.eu", true },
	{ "orders.>", "orders.eu.paris.new", true },
	{ "orders.>", "orders.", true },
	{ "orders.>", "orders", false },
	{ "orders.>", "ordersx.eu", false },
	{ "orders.>", "invoices.eu", false },
	{ "*.>", "a.b", true },
	{ "*.>", "a", false },
	{ "orders.*.>", "orders.eu.x", true },
	{ "orders.*.>", "orders.eu", false },
	/* wildcards count only as whole segments */
	{ "ord*", "ord*", true },
	{ "ord*", "orders", false },
	{ "orders>", "orders>", true },
	{ "orders>", "orders.eu", false },
	{ "a.>b", "a.c", false },
	{ "a.>b", "a.>b", true },
	/* the system queues */
	{ "ActiveMQ.>", "ActiveMQ.DLQ", true },
	{ "ActiveMQ.>", "ActiveMQ.Advisory.Consumer.Queue.orders", true },
	{ "ActiveMQ.>", "ActiveMQ", false },
	{ "ActiveMQ.>", "activemq.DLQ", false },
	/* NULL never matches */
	{ NULL, "a", false },
	{ "a", NULL, false },
	{ ">", NULL, false },
};

static void
test_dest_match(void **state)
{
	size_t	i;

	for (i = 0; i < NELEM(matches); i++) {
		if (bn_dest_match(matches[i].pattern, matches[i].name) !=
		    matches[i].want)
			fail_msg("bn_dest_match(\"%s\", \"%s\") should be %s",
			    matches[i].pattern ? matches[i].pattern : "NULL",
			    matches[i].name ? matches[i].name : "NULL",
			    matches[i].want ? "true" : "false");
	}
}


static void
nc_set(struct bn_network_connector *nc, const char *const *dyn,
    const char *const *stat, const char *const *excl)
{
	memset(nc, 0, sizeof(*nc));
	list_set(&nc->dynamic_include, dyn);
	list_set(&nc->static_include, stat);
	list_set(&nc->exclude, excl);
}

static void
nc_clear(struct bn_network_connector *nc)
{
	free(nc->dynamic_include.items);
	free(nc->static_include.items);
	free(nc->exclude.items);
}

static void
test_dest_list_match(void **state)
{
	static const char *const entries[] = { "t:prices.>", "q:orders.*",
	    "q:audit", NULL };
	struct bn_dest_list	l;

	list_set(&l, entries);
	assert_true(bn_dest_list_match(&l, "orders.eu"));
	assert_true(bn_dest_list_match(&l, "audit"));
	assert_false(bn_dest_list_match(&l, "orders"));
	/* topic entries never match a queue name */
	assert_false(bn_dest_list_match(&l, "prices.eu"));
	assert_false(bn_dest_list_match(&l, NULL));
	assert_false(bn_dest_list_match(NULL, "audit"));
	free(l.items);
	memset(&l, 0, sizeof(l));
	assert_false(bn_dest_list_match(&l, "anything"));
}

struct verdict {
	const char		*queue;
	enum bn_filter_verdict	 want;
};

static void
check_verdicts(const struct bn_network_connector *nc, const char *what,
    const struct verdict *v, size_t n)
{
	enum bn_filter_verdict	got;
	size_t			i;

	for (i = 0; i < n; i++) {
		got = bn_connector_filter(nc, v[i].queue);
		if (got != v[i].want)
			fail_msg("%s: \"%s\" got verdict %d, want %d", what,
			    v[i].queue ? v[i].queue : "NULL", (int)got,
			    (int)v[i].want);
	}
}

/* No lists at all: everything but the system queues is dynamic. */
static void
test_filter_empty(void **state)
{
	static const struct verdict v[] = {
		{ "orders", BN_FILTER_DYNAMIC },
		{ "orders.eu.new", BN_FILTER_DYNAMIC },
		{ "", BN_FILTER_DYNAMIC },
		{ "ActiveMQ", BN_FILTER_DYNAMIC },
		{ "activemq.DLQ", BN_FILTER_DYNAMIC },
		{ "ActiveMQ.DLQ", BN_FILTER_DENY },
		{ "ActiveMQ.Advisory.Consumer.Queue.orders", BN_FILTER_DENY },
		{ "ActiveMQ.Statistics.Broker", BN_FILTER_DENY },
		{ NULL, BN_FILTER_DENY },
	};
	struct bn_network_connector	nc;

	nc_set(&nc, NULL, NULL, NULL);
	check_verdicts(&nc, "empty", v, NELEM(v));
	assert_int_equal(bn_connector_filter(NULL, "orders"), BN_FILTER_DENY);
	nc_clear(&nc);
}

/* Exclusions beat static beats dynamic; topic entries are ignored. */
static void
test_filter_precedence(void **state)
{
	static const char *const dyn[] = { "q:orders.>", "t:prices.>", NULL };
	static const char *const stat[] = { "q:audit", "q:orders.audit",
	    "q:local.keep", "q:ActiveMQ.DLQ", NULL };
	static const char *const excl[] = { "q:local.>", "q:orders.secret",
	    "t:audit", "t:orders.>", NULL };
	static const struct verdict v[] = {
		{ "orders.eu", BN_FILTER_DYNAMIC },
		{ "orders.eu.paris", BN_FILTER_DYNAMIC },
		{ "orders", BN_FILTER_DENY },
		{ "orders.secret", BN_FILTER_DENY },
		{ "audit", BN_FILTER_STATIC },
		{ "orders.audit", BN_FILTER_STATIC },
		{ "local.keep", BN_FILTER_DENY },
		{ "local.other", BN_FILTER_DENY },
		{ "prices.eu", BN_FILTER_DENY },
		{ "other", BN_FILTER_DENY },
		{ "ActiveMQ.DLQ", BN_FILTER_DENY },
	};
	struct bn_network_connector	nc;

	nc_set(&nc, dyn, stat, excl);
	check_verdicts(&nc, "precedence", v, NELEM(v));
	/* dynamicOnly is the caller's business: the verdict stays STATIC */
	nc.dynamic_only = true;
	check_verdicts(&nc, "precedence+dynamicOnly", v, NELEM(v));
	nc_clear(&nc);
}

/* A static list without a dynamic one: the rest is still dynamic. */
static void
test_filter_static_only(void **state)
{
	static const char *const stat[] = { "q:>", NULL };
	static const char *const stat2[] = { "q:audit.*", NULL };
	static const struct verdict v[] = {
		{ "x", BN_FILTER_STATIC },
		{ "a.b.c", BN_FILTER_STATIC },
		{ "ActiveMQ.DLQ", BN_FILTER_DENY },
	};
	static const struct verdict v2[] = {
		{ "audit.eu", BN_FILTER_STATIC },
		{ "audit", BN_FILTER_DYNAMIC },
		{ "orders", BN_FILTER_DYNAMIC },
	};
	struct bn_network_connector	nc;

	nc_set(&nc, NULL, stat, NULL);
	check_verdicts(&nc, "static >", v, NELEM(v));
	nc_clear(&nc);
	nc_set(&nc, NULL, stat2, NULL);
	check_verdicts(&nc, "static audit.*", v2, NELEM(v2));
	nc_clear(&nc);
}

/*
 * A dynamic list holding only topics is not empty: like ActiveMQ, it admits
 * no queue. An exclusion of ">" shuts everything.
 */
static void
test_filter_topic_only_and_exclude_all(void **state)
{
	static const char *const dyn[] = { "t:x", "t:>", NULL };
	static const char *const all[] = { "q:>", NULL };
	static const char *const stat[] = { "q:audit", NULL };
	static const char *const dyn2[] = { "q:orders.>", NULL };
	static const struct verdict v[] = {
		{ "x", BN_FILTER_DENY },
		{ "y", BN_FILTER_DENY },
	};
	static const struct verdict v2[] = {
		{ "audit", BN_FILTER_DENY },
		{ "orders.eu", BN_FILTER_DENY },
		{ "x", BN_FILTER_DENY },
	};
	struct bn_network_connector	nc;

	nc_set(&nc, dyn, NULL, NULL);
	check_verdicts(&nc, "topic-only dynamic", v, NELEM(v));
	nc_clear(&nc);
	nc_set(&nc, dyn2, stat, all);
	check_verdicts(&nc, "exclude all", v2, NELEM(v2));
	nc_clear(&nc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dest_match),
		cmocka_unit_test(test_dest_list_match),
		cmocka_unit_test(test_filter_empty),
		cmocka_unit_test(test_filter_precedence),
		cmocka_unit_test(test_filter_static_only),
		cmocka_unit_test(test_filter_topic_only_and_exclude_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
