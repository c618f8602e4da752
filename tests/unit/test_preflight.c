/*
 * Unit tests for bridge/preflight.c's state machine, driven through its
 * ops table (no broker, no event loop): each row is a sequence of session
 * events and the verdict, back-off and broker calls it must lead to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/preflight.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_EV		12

#define CID	"\"consumerId\":{\"connectionId\":\"ID:h-1-2-4:9\","	\
		"\"sessionId\":-1,\"value\":1}"
#define ADD(q)	"{\"ConsumerInfo\":{" CID ",\"destination\":{\"@class\":" \
		"\"ActiveMQQueue\",\"string\":\"" q "\"},\"prefetchSize\":1," \
		"\"browser\":false,\"priority\":0}}"

enum ev {
	END = 0,
	CONNECT,	/* bn_preflight_connected */
	RCPT_OK,	/* the two SUBSCRIBEs' RECEIPTs */
	RCPT_HALF,	/* the first one's only */
	RCPT_ERR,	/* an ERROR for it */
	RCPT_LOST,	/* the connection went before it */
	DISCONNECT,	/* bn_preflight_disconnected */
	TIMER,		/* the armed timer fires */
	ADV_PROBE,	/* the probe's ConsumerInfo */
	ADV_OTHER,	/* a ConsumerInfo for another queue */
	ADV_BAD,	/* a body the advisory parser refuses */
};

struct rec {
	int		subs, unsubs, holds;
	uint64_t	armed;		/* last arm (0: cancelled) */
	uint64_t	held;		/* last hold */
	bool		transformation;	/* the advisory SUBSCRIBE had one */
	bool		receipt;	/* ... and asked for a receipt */
	bool		probe_receipt;	/* the probe's SUBSCRIBE too */
	char		probe_dest[128];
};

static int
rec_subscribe(void *arg, const char *id, const char *dest,
    const char *transformation, bool receipt)
{
	struct rec	*r = arg;

	r->subs++;
	if (strcmp(id, BN_PREFLIGHT_ADV_ID) == 0) {
		r->transformation = transformation != NULL &&
		    strcmp(transformation, "jms-advisory-json") == 0;
		r->receipt = receipt;
	} else {
		snprintf(r->probe_dest, sizeof(r->probe_dest), "%s", dest);
		r->probe_receipt = receipt;
	}
	return 0;
}

static void
rec_unsubscribe(void *arg, const char *id)
{
	((struct rec *)arg)->unsubs++;
}

static void
rec_arm(void *arg, uint64_t ms)
{
	((struct rec *)arg)->armed = ms;
}

static void
rec_hold(void *arg, uint64_t ms)
{
	struct rec	*r = arg;

	r->holds++;
	r->held = ms;
}

static const struct bn_preflight_ops rec_ops = {
	rec_subscribe, rec_unsubscribe, rec_arm, rec_hold
};

struct pf_case {
	const char			*name;
	enum ev				 ev[MAX_EV];
	enum bn_preflight_problem	 problem;
	bool				 ok;
	const char			*state;		/* in the JSON */
	uint64_t			 hold_min, hold_max;	/* 0: none */
	uint64_t			 arm_min, arm_max;	/* last arm */
	int				 subs, unsubs;
	uint64_t			 checks, failures;
	const char			*json;		/* must appear */
};

static const struct pf_case cases[] = {
	{ "healthy broker", { CONNECT, RCPT_OK, ADV_PROBE },
	    BN_PF_NONE, true, "ok", 0, 0, 0, 0, 2, 2, 1, 0,
	    "\"problem\":null,\"fix\":null" },
	{ "probe advisory before the receipt", { CONNECT, ADV_PROBE,
	    RCPT_OK }, BN_PF_NONE, true, "ok", 0, 0, 0, 0, 2, 2, 1, 0,
	    "\"ok\":true" },
	{ "one drop at the SUBSCRIBE: held, not named yet", { CONNECT,
	    RCPT_LOST, DISCONNECT }, BN_PF_NONE, false, "waiting", 900, 1100,
	    0, 0, 2, 0, 1, 0, "\"problem\":null" },
	{ "no jars: dropped twice in a row, named; the hold doubles", {
	    CONNECT, RCPT_LOST, DISCONNECT, CONNECT, RCPT_LOST, DISCONNECT },
	    BN_PF_DROPPED, false, "waiting", 1800, 2200, 0, 0, 4, 0, 2, 1,
	    "libxstream-java" },
	{ "no jars thrice", { CONNECT, RCPT_LOST, DISCONNECT, CONNECT,
	    RCPT_LOST, DISCONNECT, CONNECT, RCPT_LOST, DISCONNECT },
	    BN_PF_DROPPED, false, "waiting", 3600, 4400, 0, 0, 6, 0, 3, 2,
	    "\"failures\":2" },
	{ "drops not in a row are not named", { CONNECT, RCPT_LOST,
	    DISCONNECT, CONNECT, RCPT_OK, DISCONNECT, CONNECT, RCPT_LOST,
	    DISCONNECT }, BN_PF_NONE, false, "waiting", 1800, 2200, 0, 0, 6,
	    0, 3, 0, "\"problem\":null" },
	{ "advisories off: no advisory in time", { CONNECT, RCPT_OK,
	    TIMER }, BN_PF_NO_ADVISORY, false, "failed", 0, 0, 900, 1100,
	    2, 2, 1, 1, "advisorySupport" },
	{ "advisories off: re-probed on the same session", { CONNECT,
	    RCPT_OK, TIMER, TIMER }, BN_PF_NO_ADVISORY, false, "probing", 0,
	    0, BN_PREFLIGHT_TIMEOUT_MS, BN_PREFLIGHT_TIMEOUT_MS, 4, 2, 2, 1,
	    "\"checks\":2" },
	{ "advisories off twice: the retry doubles", { CONNECT, RCPT_OK,
	    TIMER, TIMER, RCPT_OK, TIMER }, BN_PF_NO_ADVISORY, false,
	    "failed", 0, 0, 1800, 2200, 4, 4, 2, 2, "\"failures\":2" },
	{ "refused by the broker", { CONNECT, RCPT_ERR },
	    BN_PF_REFUSED, false, "failed", 0, 0, 900, 1100, 2, 2, 1, 1,
	    "or the probe consumer: not authorized" },
	{ "no receipt in time", { CONNECT, TIMER }, BN_PF_NO_RECEIPT,
	    false, "failed", 0, 0, 900, 1100, 2, 2, 1, 1, "in time" },
	{ "probe consumer not receipted in time", { CONNECT, RCPT_HALF,
	    TIMER }, BN_PF_NO_RECEIPT, false, "failed", 0, 0, 900, 1100, 2,
	    2, 1, 1, "in time" },
	{ "probe consumer refused", { CONNECT, RCPT_HALF, RCPT_ERR },
	    BN_PF_REFUSED, false, "failed", 0, 0, 900, 1100, 2, 2, 1, 1,
	    "brokernet.preflight.>" },
	{ "unreadable advisory", { CONNECT, RCPT_OK, ADV_BAD },
	    BN_PF_BAD_ADVISORY, false, "failed", 0, 0, 900, 1100, 2, 2, 1, 1,
	    "cannot read" },
	{ "another queue's advisory is not the probe's", { CONNECT, RCPT_OK,
	    ADV_OTHER }, BN_PF_NONE, false, "probing", 0, 0,
	    BN_PREFLIGHT_TIMEOUT_MS, BN_PREFLIGHT_TIMEOUT_MS, 2, 0, 1, 0,
	    "\"problem\":null" },
	{ "fixed broker: the problem clears", { CONNECT, RCPT_OK, TIMER,
	    TIMER, RCPT_OK, ADV_PROBE }, BN_PF_NONE, true, "ok", 0, 0, 0, 0,
	    4, 4, 2, 1, "\"problem\":null" },
	{ "fixed after drops: reconnect, pass", { CONNECT, RCPT_LOST,
	    DISCONNECT, CONNECT, RCPT_LOST, DISCONNECT, CONNECT, RCPT_OK,
	    ADV_PROBE }, BN_PF_NONE, true, "ok", 1800, 2200, 0, 0, 6, 2, 3, 1,
	    "\"ok\":true" },
	{ "session lost mid-probe, not at the SUBSCRIBE", { CONNECT,
	    RCPT_OK, DISCONNECT }, BN_PF_NONE, false, "waiting", 0, 0, 0, 0,
	    2, 0, 1, 0, "\"problem\":null" },
	{ "lost after a pass: still ok, no hold", { CONNECT, RCPT_OK,
	    ADV_PROBE, DISCONNECT }, BN_PF_NONE, true, "waiting", 0, 0, 0, 0,
	    2, 2, 1, 0, "\"ok\":true" },
	{ "late receipt after a timeout is ignored", { CONNECT, TIMER,
	    RCPT_OK }, BN_PF_NO_RECEIPT, false, "failed", 0, 0, 900, 1100, 2,
	    2, 1, 1, "\"failures\":1" },
	{ "disconnect while waiting to re-probe", { CONNECT, RCPT_OK, TIMER,
	    DISCONNECT }, BN_PF_NO_ADVISORY, false, "waiting", 0, 0, 0, 0, 2,
	    2, 1, 1, "advisorySupport" },
};

static struct bn_frame *
adv_frame(const char *sub, const char *body)
{
	struct bn_frame	*f = bn_frame_new("MESSAGE");

	bn_frame_add_header(f, "subscription", sub);
	bn_frame_add_header(f, "destination",
	    "/topic/ActiveMQ.Advisory.Consumer.Queue.x");
	bn_frame_set_body(f, body, strlen(body));
	return f;
}

static void
run_case(const struct pf_case *c)
{
	struct rec		 r;
	struct bn_preflight	*pf;
	json_t			*j;
	char			*js;
	size_t			 i;
	char			 want[64];

	memset(&r, 0, sizeof(r));
	pf = bn_preflight_new_ops("T", &rec_ops, &r);
	for (i = 0; i < MAX_EV && c->ev[i] != END; i++) {
		switch (c->ev[i]) {
		case CONNECT:
			bn_preflight_connected(pf, NULL, "stomp://t:1");
			break;
		case RCPT_OK:	/* both SUBSCRIBEs */
			bn_preflight_sub_result(pf, true, NULL);
			bn_preflight_sub_result(pf, true, NULL);
			break;
		case RCPT_HALF:	/* the advisory one only */
			bn_preflight_sub_result(pf, true, NULL);
			break;
		case RCPT_ERR:
			bn_preflight_sub_result(pf, false, "not authorized");
			break;
		case RCPT_LOST:
			bn_preflight_sub_result(pf, false, NULL);
			bn_preflight_sub_result(pf, false, NULL);
			break;
		case DISCONNECT:
			bn_preflight_disconnected(pf);
			break;
		case TIMER:
			bn_preflight_timer(pf);
			break;
		case ADV_PROBE:
			assert_true(bn_preflight_on_message(pf, adv_frame(
			    BN_PREFLIGHT_ADV_ID, ADD("brokernet.preflight.T"))));
			break;
		case ADV_OTHER:
			assert_true(bn_preflight_on_message(pf, adv_frame(
			    BN_PREFLIGHT_ADV_ID, ADD("orders"))));
			break;
		case ADV_BAD:
			assert_true(bn_preflight_on_message(pf, adv_frame(
			    BN_PREFLIGHT_ADV_ID, "{\"nope\":1}")));
			break;
		default:
			fail();
		}
	}
	j = bn_preflight_status(pf);
	assert_non_null(js = json_dumps(j, JSON_COMPACT));
	print_message("%s: %s\n", c->name, js);
	assert_int_equal(bn_preflight_problem(pf), c->problem);
	assert_int_equal(bn_preflight_ok(pf), c->ok);
	snprintf(want, sizeof(want), "\"state\":\"%s\"", c->state);
	assert_non_null(strstr(js, want));
	assert_non_null(strstr(js, c->json));
	if (c->hold_max == 0)
		assert_int_equal(r.holds, 0);
	else {
		assert_in_range(r.held, c->hold_min, c->hold_max);
	}
	assert_in_range(r.armed, c->arm_min, c->arm_max);
	assert_int_equal(r.subs, c->subs);
	assert_int_equal(r.unsubs, c->unsubs);
	assert_int_equal(bn_preflight_checks(pf), c->checks);
	assert_int_equal(bn_preflight_failures(pf), c->failures);
	/* the probe: JSON advisories with a receipt, on the probe's queue */
	assert_true(r.transformation);
	assert_true(r.receipt);
	assert_true(r.probe_receipt);
	assert_string_equal(r.probe_dest, "/queue/brokernet.preflight.T");
	if (c->problem != BN_PF_NONE)
		assert_string_equal(json_string_value(json_object_get(j,
		    "fix")), bn_preflight_fix_text(c->problem));
	free(js);
	json_decref(j);
	bn_preflight_free(pf);
}

static void
test_table(void **state)
{
	size_t	i;

	for (i = 0; i < NELEM(cases); i++)
		run_case(&cases[i]);
}

/* Frames of other subscriptions are left to the daemon. */
static void
test_other_subscriptions(void **state)
{
	struct rec		 r;
	struct bn_preflight	*pf;
	struct bn_frame		*f;

	memset(&r, 0, sizeof(r));
	pf = bn_preflight_new_ops("T", &rec_ops, &r);
	bn_preflight_connected(pf, NULL, "stomp://t:1");
	f = adv_frame("adv", ADD("brokernet.preflight.T"));
	assert_false(bn_preflight_on_message(pf, f));
	bn_frame_free(f);
	f = bn_frame_new("MESSAGE");
	assert_false(bn_preflight_on_message(pf, f));
	bn_frame_free(f);
	assert_false(bn_preflight_ok(pf));
	bn_preflight_free(pf);
	bn_preflight_free(NULL);
}

/* Every problem has a cause and a fix; NONE has neither. */
static void
test_texts(void **state)
{
	enum bn_preflight_problem	p;

	assert_null(bn_preflight_problem_text(BN_PF_NONE));
	assert_null(bn_preflight_fix_text(BN_PF_NONE));
	for (p = BN_PF_DROPPED; p <= BN_PF_BAD_ADVISORY; p++) {
		assert_non_null(bn_preflight_problem_text(p));
		assert_non_null(bn_preflight_fix_text(p));
	}
	assert_non_null(strstr(bn_preflight_fix_text(BN_PF_DROPPED),
	    "libjettison-java"));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_other_subscriptions),
		cmocka_unit_test(test_texts),
	};

	bn_log_init(BN_LOG_QUIET, 0, "test_preflight");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
