/*
 * Unit tests for bridge/uri.c, network connector URIs: static: and
 * multicast:, the reconnect options one at a time and their defaults,
 * every error message, the connector's other fields left alone.
 */
#include "uri_fixture.h"

static void
rc_check_default(const char *uri, const struct bn_reconnect *r)
{
	if (r->initial_delay_ms != 1000 || r->max_delay_ms != 30000 ||
	    !r->exponential || r->multiplier != 2.0 || r->max_attempts != 0 ||
	    r->jitter != 0.1)
		fail_msg("%s: reconnect options are not the defaults", uri);
}

static void
test_reconnect_defaults(void **state)
{
	struct bn_reconnect	r;

	memset(&r, 0xa5, sizeof(r));
	bn_reconnect_defaults(&r);
	assert_int_equal(r.initial_delay_ms, 1000);
	assert_int_equal(r.max_delay_ms, 30000);
	assert_true(r.exponential);
	assert_true(r.multiplier == 2.0);
	assert_int_equal(r.max_attempts, 0);
	assert_true(r.jitter == 0.1);
}

struct nc_good {
	const char	*in;
	bool		 masterslave;
	size_t		 n;
	const char	*scheme[3];
	const char	*host[3];
	unsigned	 port[3];
};

static const struct nc_good nc_statics[] = {
	{ "static:(tcp://h:1)", false, 1, { "tcp" }, { "h" }, { 1 } },
	{ "static:tcp://h:1", false, 1, { "tcp" }, { "h" }, { 1 } },
	{ "static://(tcp://h:1,ssl://g:2)", false, 2, { "tcp", "ssl" },
	    { "h", "g" }, { 1, 2 } },
	{ "STATIC:(TCP://a:1,tcp://b:2,SSL://[::1]:3)", false, 3,
	    { "tcp", "tcp", "ssl" }, { "a", "b", "::1" }, { 1, 2, 3 } },
	{ "tcp://127.0.0.1:61701", false, 1, { "tcp" }, { "127.0.0.1" },
	    { 61701 } },
	{ "ssl://h:5", false, 1, { "ssl" }, { "h" }, { 5 } },
	{ "masterslave:(tcp://m:1,tcp://s:2)", true, 2, { "tcp", "tcp" },
	    { "m", "s" }, { 1, 2 } },
	{ "masterslave://(tcp://m:1,ssl://s:2,tcp://t:3)", true, 3,
	    { "tcp", "ssl", "tcp" }, { "m", "s", "t" }, { 1, 2, 3 } },
	/* the same host on another port, or another scheme, is not a dup */
	{ "static:(tcp://h:1,tcp://h:2,ssl://h:1)", false, 3,
	    { "tcp", "tcp", "ssl" }, { "h", "h", "h" }, { 1, 2, 1 } },
};

static void
test_connector_static(void **state)
{
	struct bn_network_connector	nc;
	char				err[256];
	size_t				i, j;

	for (i = 0; i < NELEM(nc_statics); i++) {
		memset(&nc, 0, sizeof(nc));
		nc.discovery = BN_DISC_MULTICAST;
		if (bn_connector_uri_parse(nc_statics[i].in, &nc, err,
		    sizeof(err)) != 0)
			fail_msg("%s: %s", nc_statics[i].in, err);
		assert_int_equal(nc.discovery, BN_DISC_STATIC);
		assert_int_equal(nc.masterslave, nc_statics[i].masterslave);
		assert_null(nc.group);
		assert_null(nc.interface);
		assert_int_equal(nc.npeers, nc_statics[i].n);
		for (j = 0; j < nc.npeers; j++)
			check_endpoint(&nc.peers[j], nc_statics[i].scheme[j],
			    nc_statics[i].host[j], nc_statics[i].port[j]);
		rc_check_default(nc_statics[i].in, &nc.reconnect);
		for (j = 0; j < nc.npeers; j++)
			bn_endpoint_free(&nc.peers[j]);
		free(nc.peers);
	}
}

struct nc_group {
	const char	*in;
	const char	*group;
};

static const struct nc_group nc_groups[] = {
	{ "multicast://", "default" },
	{ "multicast://default", "default" },
	{ "MULTICAST://Orders_1.eu-west", "Orders_1.eu-west" },
	{ "multicast://?jitter=0", "default" },
	{ "multicast://g?jitter=0", "g" },
	{ "multicast://abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
	    "0123456789a",
	    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789a" },
};

static void
test_connector_multicast(void **state)
{
	struct bn_network_connector	nc;
	char				err[256];
	size_t				i;

	for (i = 0; i < NELEM(nc_groups); i++) {
		memset(&nc, 0, sizeof(nc));
		if (bn_connector_uri_parse(nc_groups[i].in, &nc, err,
		    sizeof(err)) != 0)
			fail_msg("%s: %s", nc_groups[i].in, err);
		assert_int_equal(nc.discovery, BN_DISC_MULTICAST);
		assert_string_equal(nc.group, nc_groups[i].group);
		assert_null(nc.interface);
		assert_null(nc.peers);
		assert_int_equal(nc.npeers, 0);
		assert_false(nc.masterslave);
		if (strchr(nc_groups[i].in, '?') == NULL)
			rc_check_default(nc_groups[i].in, &nc.reconnect);
		else
			assert_true(nc.reconnect.jitter == 0.0);
		free(nc.group);
	}
	/* interface and every reconnect option together */
	memset(&nc, 0, sizeof(nc));
	assert_int_equal(bn_connector_uri_parse("multicast://lan?"
	    "interface=eth0.10&initialReconnectDelay=5&maxReconnectDelay=50&"
	    "useExponentialBackOff=false&backOffMultiplier=1.5&"
	    "maxReconnectAttempts=4&jitter=0.3", &nc, err, sizeof(err)), 0);
	assert_string_equal(nc.group, "lan");
	assert_string_equal(nc.interface, "eth0.10");
	assert_int_equal(nc.reconnect.initial_delay_ms, 5);
	assert_int_equal(nc.reconnect.max_delay_ms, 50);
	assert_false(nc.reconnect.exponential);
	assert_true(nc.reconnect.multiplier == 1.5);
	assert_int_equal(nc.reconnect.max_attempts, 4);
	assert_true(nc.reconnect.jitter == 0.3);
	free(nc.group);
	free(nc.interface);
}

/* One reconnect option at a time, on static: and on multicast:. */
enum rc_field {
	RC_NONE, RC_INITIAL, RC_MAX, RC_EXP, RC_MULT, RC_ATTEMPTS, RC_JITTER
};

struct rc_opt {
	const char	*query;
	enum rc_field	 which;
	double		 value;
};

static const struct rc_opt rc_opts[] = {
	{ "initialReconnectDelay=0", RC_INITIAL, 0 },
	{ "initialReconnectDelay=100", RC_INITIAL, 100 },
	{ "maxReconnectDelay=0", RC_MAX, 0 },
	{ "maxReconnectDelay=120000", RC_MAX, 120000 },
	{ "useExponentialBackOff=false", RC_EXP, 0 },
	{ "useExponentialBackOff=true", RC_EXP, 1 },
	{ "backOffMultiplier=1", RC_MULT, 1 },
	{ "backOffMultiplier=1.5", RC_MULT, 1.5 },
	{ "backOffMultiplier=10", RC_MULT, 10 },
	{ "maxReconnectAttempts=0", RC_ATTEMPTS, 0 },
	{ "maxReconnectAttempts=-1", RC_ATTEMPTS, -1 },
	{ "maxReconnectAttempts=12", RC_ATTEMPTS, 12 },
	{ "jitter=0", RC_JITTER, 0 },
	{ "jitter=0.5", RC_JITTER, 0.5 },
	{ "jitter=1.0", RC_JITTER, 1.0 },
};

static double
rc_get(const struct bn_reconnect *r, enum rc_field which)
{
	switch (which) {
	case RC_INITIAL:
		return (double)r->initial_delay_ms;
	case RC_MAX:
		return (double)r->max_delay_ms;
	case RC_EXP:
		return r->exponential;
	case RC_MULT:
		return r->multiplier;
	case RC_ATTEMPTS:
		return (double)r->max_attempts;
	case RC_JITTER:
		return r->jitter;
	case RC_NONE:
		break;
	}
	return 0;
}

static void
test_connector_each_option(void **state)
{
	static const char *const forms[] = { "static:(tcp://h:1)?%s",
	    "static:tcp://h:1?%s", "masterslave:(tcp://m:1,tcp://s:2)?%s",
	    "multicast://g?%s" };
	struct bn_network_connector	 nc;
	struct bn_reconnect		 d;
	enum rc_field			 k;
	char				 err[256], *uri;
	size_t				 i, f, j;

	bn_reconnect_defaults(&d);
	for (i = 0; i < NELEM(rc_opts); i++) {
		for (f = 0; f < NELEM(forms); f++) {
			xasprintf(&uri, forms[f], rc_opts[i].query);
			memset(&nc, 0, sizeof(nc));
			if (bn_connector_uri_parse(uri, &nc, err,
			    sizeof(err)) != 0)
				fail_msg("%s: %s", uri, err);
			for (k = RC_INITIAL; k <= RC_JITTER; k++) {
				double want = k == rc_opts[i].which ?
				    rc_opts[i].value : rc_get(&d, k);

				if (rc_get(&nc.reconnect, k) != want)
					fail_msg("%s: field %d is %g, want %g",
					    uri, (int)k,
					    rc_get(&nc.reconnect, k), want);
			}
			for (j = 0; j < nc.npeers; j++)
				bn_endpoint_free(&nc.peers[j]);
			free(nc.peers);
			free(nc.group);
			free(uri);
		}
	}
}

static const struct bad nc_bads[] = {
	{ "", "empty URI" },
	{ "foo:(tcp://h:1)", "\"foo:(tcp://h:1)\": expected static:(...), "
	    "masterslave:(...) or multicast://GROUP" },
	{ "multicast:g", "\"multicast:g\": expected static:(...), "
	    "masterslave:(...) or multicast://GROUP" },
	{ "failover:(tcp://h:1)", "\"failover:(tcp://h:1)\": expected "
	    "static:(...), masterslave:(...) or multicast://GROUP" },
	{ "static:", "\"static:\": empty URI list" },
	{ "static:()", "\"static:()\": empty URI list" },
	{ "static:(tcp://h:1", "\"static:(tcp://h:1\": missing \")\"" },
	{ "static:(tcp://h:1)?", "empty option in \"?\"" },
	{ "static:(tcp://h:1)tcp://g:2", "\"static:(tcp://h:1)tcp://g:2\": "
	    "unexpected \"tcp://g:2\" after \")\"" },
	{ "static://h:1", "\"//h:1\": expected scheme://host:port" },
	{ "static:(stomp://h:1)", "\"stomp://h:1\": scheme \"stomp\" not "
	    "allowed (allowed: tcp, ssl)" },
	{ "static:(tcp://h:1,tcp://h:1)", "\"tcp://h:1\": listed twice" },
	{ "static:(tcp://h:1,TCP://h:1)", "\"TCP://h:1\": listed twice" },
	{ "static:(tcp://h:1,,tcp://g:2)", "empty URI in list "
	    "\"tcp://h:1,,tcp://g:2\"" },
	{ "static:(tcp://h:70000)", "\"tcp://h:70000\": port must be "
	    "1..65535" },
	{ "masterslave:(tcp://m:1)", "\"masterslave:(tcp://m:1)\": "
	    "masterslave: needs at least two URIs" },
	{ "masterslave:tcp://m:1", "\"masterslave:tcp://m:1\": masterslave: "
	    "needs at least two URIs" },
	{ "tcp://h:1?jitter=0", "\"tcp://h:1?jitter=0\": unexpected "
	    "\"?jitter=0\" after the port" },
	{ "tcp://h:1,tcp://g:2", "\"tcp://h:1,tcp://g:2\": a list of URIs "
	    "needs static:(...)" },
	{ "stomp://h:1", "\"stomp://h:1\": scheme \"stomp\" not allowed "
	    "(allowed: tcp, ssl)" },
	{ "static:(tcp://h:1)?interface=eth0", "unknown option \"interface\" "
	    "(allowed: initialReconnectDelay, maxReconnectDelay, "
	    "useExponentialBackOff, backOffMultiplier, maxReconnectAttempts, "
	    "jitter)" },
	{ "static:(tcp://h:1)?reconnectDelayExponent=2", "unknown option "
	    "\"reconnectDelayExponent\" (allowed: initialReconnectDelay, "
	    "maxReconnectDelay, useExponentialBackOff, backOffMultiplier, "
	    "maxReconnectAttempts, jitter)" },
	{ "multicast://g?group=x", "unknown option \"group\" (allowed: "
	    "initialReconnectDelay, maxReconnectDelay, useExponentialBackOff, "
	    "backOffMultiplier, maxReconnectAttempts, jitter, interface)" },
	{ "multicast://g?interface=eth0&interface=eth1", "option interface "
	    "given twice" },
	{ "multicast://g?interface=", "bad value \"\" for option interface "
	    "(expected an interface name)" },
	{ "multicast://g?interface=a/b", "bad value \"a/b\" for option "
	    "interface (expected an interface name)" },
	{ "multicast://g?interface=abcdefghijklmnop", "bad value "
	    "\"abcdefghijklmnop\" for option interface (expected an interface "
	    "name)" },
	{ "multicast://a:6155", "\"multicast://a:6155\": bad group "
	    "\"a:6155\" (expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ "multicast://a b", "\"multicast://a b\": bad group \"a b\" "
	    "(expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ "multicast://g/", "\"multicast://g/\": bad group \"g/\" "
	    "(expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ "multicast://abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
	    "0123456789ab", "\"multicast://abcdefghijklmnopqrstuvwxyzabcdefgh"
	    "ijklmnopqrstuvwxyz0123456789ab\": bad group \"abcdefghijklmnopqr"
	    "stuvwxyzabcdefghijklmnopqrstuvwxyz0123456789ab\" (expected 1 to "
	    "63 of A-Z a-z 0-9 _ . -)" },
	{ "static:(tcp://h:1)?initialReconnectDelay=-5", "bad value \"-5\" "
	    "for option initialReconnectDelay (expected an integer >= 0)" },
	{ "static:(tcp://h:1)?maxReconnectDelay=x", "bad value \"x\" for "
	    "option maxReconnectDelay (expected an integer >= 0)" },
	{ "static:(tcp://h:1)?useExponentialBackOff=on", "bad value \"on\" "
	    "for option useExponentialBackOff (expected true or false)" },
	{ "static:(tcp://h:1)?backOffMultiplier=0.5", "bad value \"0.5\" for "
	    "option backOffMultiplier (expected a number >= 1)" },
	{ "multicast://g?backOffMultiplier=-2", "bad value \"-2\" for option "
	    "backOffMultiplier (expected a number >= 1)" },
	{ "static:(tcp://h:1)?maxReconnectAttempts=-2", "bad value \"-2\" "
	    "for option maxReconnectAttempts (expected -1 or an integer >= "
	    "0)" },
	{ "static:(tcp://h:1)?jitter=1.5", "bad value \"1.5\" for option "
	    "jitter (expected a number from 0 to 1)" },
	{ "multicast://?jitter=-1", "bad value \"-1\" for option jitter "
	    "(expected a number from 0 to 1)" },
	{ "static:(tcp://h:1)?jitter=0.1&jitter=0.2", "option jitter given "
	    "twice" },
};

static void
test_connector_bad(void **state)
{
	struct bn_network_connector	nc;
	char				err[512];
	size_t				i;

	for (i = 0; i < NELEM(nc_bads); i++) {
		memset(&nc, 0xa5, sizeof(nc));
		err[0] = '\0';
		if (bn_connector_uri_parse(nc_bads[i].in, &nc, err,
		    sizeof(err)) != -1)
			fail_msg("accepted \"%s\"", nc_bads[i].in);
		if (strcmp(err, nc_bads[i].err) != 0)
			fail_msg("%s:\n got  %s\n want %s", nc_bads[i].in, err,
			    nc_bads[i].err);
		assert_null(nc.peers);
		assert_int_equal(nc.npeers, 0);
		assert_null(nc.group);
		assert_null(nc.interface);
	}
	memset(&nc, 0, sizeof(nc));
	assert_int_equal(bn_connector_uri_parse(NULL, &nc, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "empty URI");
}

/* Fields of the connector that the URI does not own stay untouched. */
static void
test_connector_keeps_other_fields(void **state)
{
	struct bn_network_connector	nc;
	char				err[256];

	memset(&nc, 0, sizeof(nc));
	nc.prefetch = 77;
	nc.network_ttl = 3;
	nc.duplex = true;
	assert_int_equal(bn_connector_uri_parse("static:(tcp://h:1)", &nc, err,
	    sizeof(err)), 0);
	assert_int_equal(nc.prefetch, 77);
	assert_int_equal(nc.network_ttl, 3);
	assert_true(nc.duplex);
	assert_null(nc.name);
	assert_null(nc.uri);
	bn_endpoint_free(&nc.peers[0]);
	free(nc.peers);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reconnect_defaults),
		cmocka_unit_test(test_connector_static),
		cmocka_unit_test(test_connector_multicast),
		cmocka_unit_test(test_connector_each_option),
		cmocka_unit_test(test_connector_bad),
		cmocka_unit_test(test_connector_keeps_other_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
