/*
 * Unit tests for bridge/advisory.c, what a parsed consumer is: another
 * sidecar's network subscription or not, the same key from its ADD and its
 * REMOVE, its name in the demand table.
 */
#include "advisory_fixture.h"

/* Whether a consumer is another sidecar's network subscription. */
static const struct {
	const char	*name;
	const char	*body;
	bool		 network;
} network_cases[] = {
	{ "network subscription as STOMP shows it", CI(CID "," QDEST("q")
	    ",\"selector\":\"convert_string_expressions:brokernet_marker IS "
	    "NULL AND (brokernet_path IS NULL OR brokernet_path NOT LIKE "
	    "'%,A,%' ESCAPE '!')\""), true },
	{ "network subscription without the prefix", CI(CID "," QDEST("q")
	    ",\"selector\":\"brokernet_marker IS NULL AND x = 1\""), true },
	{ "application selector naming brokernet_marker later",
	    CI(CID "," QDEST("q") ",\"selector\":\"a = 1 AND "
	    "brokernet_marker IS NULL AND \""), false },
	{ "truncated head", CI(CID "," QDEST("q") ",\"selector\":"
	    "\"brokernet_marker IS NULL\""), false },
	{ "prefix only", CI(CID "," QDEST("q") ",\"selector\":"
	    "\"convert_string_expressions:a = 1\""), false },
	{ "no selector", CI(CID "," QDEST("q")), false },
	{ "head written with escapes", CI(CID "," QDEST("q")
	    ",\"selector\":\"\\u0062rokernet_marker IS NULL\\u0020AND x\""),
	    true },
	{ "head after an escaped NUL", CI(CID "," QDEST("q")
	    ",\"selector\":\"\\u0000brokernet_marker IS NULL AND x\""),
	    false },
};

static void
test_network_subscriptions(void **state)
{
	struct bn_advisory	 adv;
	const char		*err = NULL;
	size_t			 i;

	for (i = 0; i < sizeof(network_cases) / sizeof(network_cases[0]);
	    i++) {
		memset(&adv, 0, sizeof(adv));
		if (bn_advisory_parse(network_cases[i].body,
		    strlen(network_cases[i].body), &adv, &err) != 0)
			fail_msg("%s: %s", network_cases[i].name, err);
		if (adv.network != network_cases[i].network)
			fail_msg("%s: network %d", network_cases[i].name,
			    adv.network);
	}
}

/* ADD and REMOVE of one consumer give the same key. */
static void
test_same_key(void **state)
{
	struct bn_advisory	a, r;

	assert_int_equal(bn_advisory_parse(ADD_BODY, strlen(ADD_BODY), &a,
	    NULL), 0);
	assert_int_equal(bn_advisory_parse(REMOVE_BODY, strlen(REMOVE_BODY),
	    &r, NULL), 0);
	assert_string_equal(a.consumer_id, r.consumer_id);
	assert_string_equal(a.connection_id, r.connection_id);
}

/* The demand-table name of a consumer: queues plain, topics prefixed. */
static void
test_demand_names(void **state)
{
	static const struct {
		const char	*body;
		const char	*demand;
		const char	*subscription;
		bool		 topic;
	} c[] = {
		{ CI(CID "," QDEST("orders")), "orders", "", false },
		{ CI(CID ",\"destination\":{\"@class\":\"ActiveMQTopic\","
		    "\"string\":\"prices\"}"), "/topic/prices", "", true },
		{ CI(CID ",\"destination\":{\"@class\":\"ActiveMQTopic\","
		    "\"string\":\"fw.>\"}"), "/topic/fw.>", "", true },
		{ CI(CID ",\"destination\":{\"@class\":\"ActiveMQTopic\","
		    "\"string\":\"fd\"},\"subscriptionName\":\"s1\""),
		    "/topic/fd", "s1", true },
		{ CI(CID ",\"destination\":{\"@class\":\"ActiveMQTopic\","
		    "\"string\":\"fd\"},\"subscriptionName\":null"),
		    "/topic/fd", "", true },
		/* never demand */
		{ CI(CID ",\"destination\":{\"@class\":\"ActiveMQTopic\","
		    "\"string\":\"ActiveMQ.Advisory.Queue\"}"), "", "", true },
		{ CI(CID ",\"destination\":{\"@class\":\"ActiveMQTopic\","
		    "\"string\":\"brokernet.x\"}"), "", "", true },
		{ CI(CID ",\"destination\":{\"@class\":\"ActiveMQTempTopic\","
		    "\"string\":\"ID:x:1:1\"}"), "", "", false },
		{ CI(CID ",\"destination\":{\"@class\":\"ActiveMQTempQueue\","
		    "\"string\":\"ID:x:1:1\"}"), "", "", false },
	};
	struct bn_advisory	 adv;
	const char		*err = NULL;
	size_t			 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(&adv, 0xa5, sizeof(adv));
		if (bn_advisory_parse(c[i].body, strlen(c[i].body), &adv,
		    &err) != 0)
			fail_msg("case %zu: %s", i, err);
		assert_string_equal(adv.demand, c[i].demand);
		assert_string_equal(adv.subscription, c[i].subscription);
		assert_true(adv.topic == c[i].topic);
	}
	/* a durable subscription deleted */
	{
		static const char rs[] = "{\"RemoveSubscriptionInfo\":{"
		    "\"commandId\":3,\"responseRequired\":true,"
		    "\"connectionId\":{\"value\":\"ID:vm-1-3:10\"},"
		    "\"clientId\":\"dur1\",\"subscriptionName\":\"s1\"}}";

		assert_int_equal(bn_advisory_parse(rs, strlen(rs), &adv,
		    &err), 0);
		assert_int_equal(adv.kind, BN_ADV_REMOVE_SUB);
		assert_string_equal(adv.client_id, "dur1");
		assert_string_equal(adv.subscription, "s1");
		assert_string_equal(adv.connection_id, "ID:vm-1-3:10");
		assert_string_equal(adv.consumer_id, "");
		assert_string_equal(adv.demand, "");
		assert_int_equal(bn_advisory_parse("{\"RemoveSubscriptionInfo\""
		    ":{\"clientId\":\"x\"}}", 43, &adv, &err), -1);
		assert_string_equal(err,
		    "RemoveSubscriptionInfo lacks subscriptionName");
	}
	assert_string_equal(bn_advisory_topic_of(
	    "/topic/ActiveMQ.Advisory.Consumer.Topic.fd.x"), "fd.x");
	assert_null(bn_advisory_topic_of(
	    "/topic/ActiveMQ.Advisory.Consumer.Queue.fd"));
	assert_null(bn_advisory_topic_of(
	    "/topic/ActiveMQ.Advisory.Consumer.Topic."));
	assert_null(bn_advisory_topic_of(NULL));
	/* a RemoveInfo is demand for nothing */
	assert_int_equal(bn_advisory_parse(REMOVE_BODY, strlen(REMOVE_BODY),
	    &adv, &err), 0);
	assert_string_equal(adv.demand, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_network_subscriptions),
		cmocka_unit_test(test_same_key),
		cmocka_unit_test(test_demand_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
