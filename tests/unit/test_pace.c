/*
 * Unit tests for bridge/pace.c's pure parts: the sender's credit from a
 * peer's reports (backlog, what it had stored, what was sent since), the
 * resume hysteresis, and reading ActiveMQ's statistics replies in
 * jms-map-json form (a body captured from a real broker).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "brokernet/pace.h"

/* ActiveMQ 5 statisticsBrokerPlugin's reply for a queue with 5 messages,
 * 2 of them dispatched to a consumer (prefetch 2). */
static const char stats_body[] =
    "{\"map\":{\"entry\":[{\"string\":\"dequeueCount\",\"long\":0},"
    "{\"string\":\"averageMessageSize\",\"long\":1025},{\"string\":"
    "[\"brokerId\",\"ID:vm-40367-1796219725497-0:1\"]},{\"string\":"
    "\"memoryUsage\",\"long\":5125},{\"string\":\"consumerCount\",\"long\":1},"
    "{\"string\":\"minEnqueueTime\",\"double\":39},{\"string\":"
    "\"memoryPercentUsage\",\"int\":0},{\"string\":\"averageEnqueueTime\","
    "\"double\":54},{\"string\":\"messagesCached\",\"long\":0},{\"string\":"
    "\"expiredCount\",\"long\":0},{\"string\":\"inflightCount\",\"long\":2},"
    "{\"string\":\"maxEnqueueTime\",\"double\":69},{\"string\":"
    "\"dispatchCount\",\"long\":2},{\"string\":\"size\",\"long\":5},"
    "{\"string\":[\"destinationName\",\"queue:\\/\\/q1\"]},{\"string\":"
    "\"producerCount\",\"long\":0},{\"string\":\"memoryLimit\",\"long\":0},"
    "{\"string\":[\"brokerName\",\"X\"]},{\"string\":\"enqueueCount\","
    "\"long\":5}]}}";

static void
test_credit(void **state)
{
	struct bn_pace_tx	t = { 0 };

	(void)state;
	/* before any report: nothing waits there, the window is the credit */
	assert_int_equal(bn_pace_credit(&t, 20), 20);
	t.sent = 5;
	assert_int_equal(bn_pace_credit(&t, 20), 15);
	/* the report: 3 waiting, 4 of the 5 stored: 3 + 1 in flight */
	t.reported = true;
	t.rep_backlog = 3;
	t.rep_stored = 4;
	assert_int_equal(bn_pace_credit(&t, 20), 16);
	/* a hung consumer: the backlog fills the window */
	t.rep_backlog = 20;
	t.rep_stored = 5;
	assert_int_equal(bn_pace_credit(&t, 20), 0);
	t.sent = 7;
	assert_int_equal(bn_pace_credit(&t, 20), -2);
	/* more stored than sent (cannot happen: the link closes) counts as none ahead */
	t.sent = 5;
	t.rep_stored = 9;
	t.rep_backlog = 0;
	assert_int_equal(bn_pace_credit(&t, 20), 20);
}

static void
test_may_resume(void **state)
{
	struct bn_pace_tx	t = { .reported = true, .sent = 100,
				    .rep_stored = 100 };

	(void)state;
	t.rep_backlog = 11;		/* credit 9: under half of 20 */
	assert_false(bn_pace_may_resume(&t, 20));
	t.rep_backlog = 10;		/* credit 10: half */
	assert_true(bn_pace_may_resume(&t, 20));
	t.rep_stored = 99;		/* one in flight: credit 9 again */
	assert_false(bn_pace_may_resume(&t, 20));
	/* a window of 1 resumes at credit 1, never at 0 */
	t.rep_stored = 100;
	t.rep_backlog = 0;
	assert_true(bn_pace_may_resume(&t, 1));
	t.rep_backlog = 1;
	assert_false(bn_pace_may_resume(&t, 1));
}

static void
test_parse_stats(void **state)
{
	uint64_t	size = 99, inflight = 99;

	(void)state;
	assert_int_equal(bn_pace_parse_stats(stats_body, strlen(stats_body),
	    &size, &inflight), 0);
	assert_int_equal(size, 5);
	assert_int_equal(inflight, 2);
}

static void
test_parse_stats_bad(void **state)
{
	uint64_t	size = 7, inflight = 7;
	static const char *const bad[] = {
		"",
		"{}",
		/* no inflightCount */
		"{\"map\":{\"entry\":[{\"string\":\"size\",\"long\":5}]}}",
		/* no size; sizes of other things do not count */
		"{\"map\":{\"entry\":[{\"string\":\"inflightCount\",\"long\":1},"
		    "{\"string\":\"sizeX\",\"long\":5}]}}",
		/* not a number */
		"{\"map\":{\"entry\":[{\"string\":\"size\",\"long\":\"x\"},"
		    "{\"string\":\"inflightCount\",\"long\":1}]}}",
		/* a double is not a count */
		"{\"map\":{\"entry\":[{\"string\":\"size\",\"double\":5},"
		    "{\"string\":\"inflightCount\",\"long\":1}]}}",
		/* overflow */
		"{\"map\":{\"entry\":[{\"string\":\"size\",\"long\":"
		    "99999999999999999999999},{\"string\":\"inflightCount\","
		    "\"long\":1}]}}",
		/* cut short */
		"{\"map\":{\"entry\":[{\"string\":\"size\",\"long\":",
	};
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(bn_pace_parse_stats(bad[i], strlen(bad[i]),
		    &size, &inflight), -1);
	assert_int_equal(bn_pace_parse_stats(NULL, 0, &size, &inflight), -1);
	/* an int-typed count and a body that is not NUL-terminated */
	{
		char	buf[] = "{\"string\":\"inflightCount\",\"int\":3},"
			    "{\"string\":\"size\",\"long\":12}junk";

		assert_int_equal(bn_pace_parse_stats(buf, strlen(buf) - 4,
		    &size, &inflight), 0);
		assert_int_equal(size, 12);
		assert_int_equal(inflight, 3);
		/* cut inside the number: only what is inside counts */
		assert_int_equal(bn_pace_parse_stats(buf, strlen(buf) - 6,
		    &size, &inflight), 0);
		assert_int_equal(size, 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credit),
		cmocka_unit_test(test_may_resume),
		cmocka_unit_test(test_parse_stats),
		cmocka_unit_test(test_parse_stats_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
