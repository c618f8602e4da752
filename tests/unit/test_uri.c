/*
 * Unit tests for bridge/uri.c: endpoints, failover: and listener URIs,
 * every option, every default, every error message. Network connector
 * URIs are in test_uri_connector.c.
 */
#include "uri_fixture.h"

/* ---- endpoints ---- */

struct ep_good {
	const char	*in;
	const char	*scheme;
	const char	*host;
	unsigned	 port;
};

static const struct ep_good ep_goods[] = {
	{ "stomp://127.0.0.1:61613", "stomp", "127.0.0.1", 61613 },
	{ "tcp://localhost:1", "tcp", "localhost", 1 },
	{ "ssl://broker-1.example_net.org:65535", "ssl",
	    "broker-1.example_net.org", 65535 },
	{ "STOMP://Host.Example:8", "stomp", "Host.Example", 8 },
	{ "Tcp://h:00061616", "tcp", "h", 61616 },
	{ "tcp://[::1]:61616", "tcp", "::1", 61616 },
	{ "ssl://[fe80::1%eth0]:5", "ssl", "fe80::1%eth0", 5 },
	{ "tcp://[::ffff:10.0.0.1]:7", "tcp", "::ffff:10.0.0.1", 7 },
	{ "a+b.c-d://h:1", "a+b.c-d", "h", 1 },
	{ "http://127.0.0.1:8700", "http", "127.0.0.1", 8700 },
};

static void
test_endpoint_good(void **state)
{
	struct bn_endpoint	ep;
	char			err[256];
	size_t			i;

	for (i = 0; i < NELEM(ep_goods); i++) {
		err[0] = '\0';
		if (bn_endpoint_parse(ep_goods[i].in, &ep, err,
		    sizeof(err)) != 0)
			fail_msg("%s: %s", ep_goods[i].in, err);
		check_endpoint(&ep, ep_goods[i].scheme, ep_goods[i].host,
		    ep_goods[i].port);
		bn_endpoint_free(&ep);
		assert_null(ep.scheme);
		assert_null(ep.host);
	}
}

static const struct bad ep_bads[] = {
	{ "", "\"\": expected scheme://host:port" },
	{ "h:1", "\"h:1\": expected scheme://host:port" },
	{ "localhost", "\"localhost\": expected scheme://host:port" },
	{ "://h:1", "\"://h:1\": expected scheme://host:port" },
	{ "tcp:/h:1", "\"tcp:/h:1\": expected scheme://host:port" },
	{ "1tcp://h:1", "\"1tcp://h:1\": bad scheme" },
	{ "t p://h:1", "\"t p://h:1\": bad scheme" },
	{ "tcp://:1", "\"tcp://:1\": missing host" },
	{ "tcp://", "\"tcp://\": missing host" },
	{ "tcp://h", "\"tcp://h\": missing port" },
	{ "tcp://h:", "\"tcp://h:\": port must be 1..65535" },
	{ "tcp://h:0", "\"tcp://h:0\": port must be 1..65535" },
	{ "tcp://h:65536", "\"tcp://h:65536\": port must be 1..65535" },
	{ "tcp://h:99999999999999999999999",
	    "\"tcp://h:99999999999999999999999\": port must be 1..65535" },
	{ "tcp://h:-1", "\"tcp://h:-1\": unexpected \"-1\" after the port" },
	{ "tcp://h:1x", "\"tcp://h:1x\": unexpected \"x\" after the port" },
	{ "tcp://h:1/", "\"tcp://h:1/\": unexpected \"/\" after the port" },
	{ "tcp://h:1?a=b",
	    "\"tcp://h:1?a=b\": unexpected \"?a=b\" after the port" },
	{ "tcp://h:1:2", "\"tcp://h:1:2\": unexpected \":2\" after the port" },
	{ "tcp://h/x:1", "\"tcp://h/x:1\": bad character '/' in host" },
	{ "tcp://u@h:1", "\"tcp://u@h:1\": bad character '@' in host" },
	{ "tcp://h h:1", "\"tcp://h h:1\": bad character ' ' in host" },
	{ "tcp://h\n:1", "\"tcp://h?:1\": bad character '?' in host" },
	{ "tcp://h:1\x7f", "\"tcp://h:1?\": unexpected \"?\" after the port" },
	{ "tcp://::1:5", "\"tcp://::1:5\": missing host" },
	{ "tcp://[::1:5", "\"tcp://[::1:5\": missing \"]\" after IPv6 "
	    "address" },
	{ "tcp://[]:5", "\"tcp://[]:5\": bad IPv6 address" },
	{ "tcp://[1.2.3.4]:5", "\"tcp://[1.2.3.4]:5\": bad IPv6 address" },
	{ "tcp://[::1/]:5", "\"tcp://[::1/]:5\": bad IPv6 address" },
	{ "tcp://[::1]", "\"tcp://[::1]\": missing port" },
	{ "tcp://[::1]x:5", "\"tcp://[::1]x:5\": missing port" },
};

static void
test_endpoint_bad(void **state)
{
	struct bn_endpoint	ep;
	char			err[256], in[400];
	size_t			i;

	for (i = 0; i < NELEM(ep_bads); i++) {
		memset(&ep, 0xa5, sizeof(ep));
		err[0] = '\0';
		if (bn_endpoint_parse(ep_bads[i].in, &ep, err,
		    sizeof(err)) != -1)
			fail_msg("accepted \"%s\"", ep_bads[i].in);
		assert_string_equal(err, ep_bads[i].err);
		assert_null(ep.scheme);
		assert_null(ep.host);
		assert_int_equal(ep.port, 0);
	}
	/* a 256-byte host is too long; 255 is fine */
	memset(in, 'a', sizeof(in));
	memcpy(in, "tcp://", 6);
	memcpy(in + 6 + 255, ":1", 3);
	assert_int_equal(bn_endpoint_parse(in, &ep, err, sizeof(err)), 0);
	assert_int_equal(strlen(ep.host), 255);
	bn_endpoint_free(&ep);
	memset(in, 'a', sizeof(in));
	memcpy(in, "tcp://", 6);
	memcpy(in + 6 + 256, ":1", 3);
	assert_int_equal(bn_endpoint_parse(in, &ep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\": host too long"));
	/* NULL, and a NULL or short error buffer */
	assert_int_equal(bn_endpoint_parse(NULL, &ep, err, sizeof(err)), -1);
	assert_string_equal(err, "missing URI");
	assert_int_equal(bn_endpoint_parse("x", &ep, NULL, 0), -1);
	memset(in, 'z', sizeof(in));
	assert_int_equal(bn_endpoint_parse("tcp://h:0", &ep, in, 5), -1);
	assert_string_equal(in, "\"tcp");
	assert_int_equal(in[5], 'z');
	/* long input is quoted in part only */
	memset(in, 'a', sizeof(in));
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(bn_endpoint_parse(in, &ep, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), 1 + 128 + strlen("\": expected "
	    "scheme://host:port"));
}

/* ---- failover ---- */

enum fo_field {
	FO_NONE, FO_INITIAL, FO_MAX, FO_EXP, FO_EXPONENT, FO_ATTEMPTS,
	FO_STARTUP, FO_RANDOMIZE, FO_PRIOBACKUP, FO_TIMEOUT, FO_JITTER
};

static double
fo_get(const struct bn_failover *f, enum fo_field which)
{
	switch (which) {
	case FO_INITIAL:
		return (double)f->initial_delay_ms;
	case FO_MAX:
		return (double)f->max_delay_ms;
	case FO_EXP:
		return f->exponential;
	case FO_EXPONENT:
		return f->exponent;
	case FO_ATTEMPTS:
		return (double)f->max_attempts;
	case FO_STARTUP:
		return (double)f->startup_max_attempts;
	case FO_RANDOMIZE:
		return f->randomize;
	case FO_PRIOBACKUP:
		return f->priority_backup;
	case FO_TIMEOUT:
		return (double)f->timeout_ms;
	case FO_JITTER:
		return f->jitter;
	case FO_NONE:
		break;
	}
	return 0;
}

/* Every scalar field equals the default except which, which is value. */
static void
fo_check(const char *uri, const struct bn_failover *f, enum fo_field which,
    double value)
{
	struct bn_failover	d;
	enum fo_field		k;

	bn_failover_defaults(&d);
	for (k = FO_INITIAL; k <= FO_JITTER; k++) {
		double want = k == which ? value : fo_get(&d, k);

		if (fo_get(f, k) != want)
			fail_msg("%s: field %d is %g, want %g", uri, (int)k,
			    fo_get(f, k), want);
	}
	assert_int_equal(f->npriority, 0);
	assert_null(f->priority_uris);
}

static void
test_failover_defaults(void **state)
{
	struct bn_failover	f;

	memset(&f, 0xa5, sizeof(f));
	bn_failover_defaults(&f);
	assert_null(f.uris);
	assert_int_equal(f.nuris, 0);
	assert_int_equal(f.initial_delay_ms, 10);
	assert_int_equal(f.max_delay_ms, 30000);
	assert_true(f.exponential);
	assert_true(f.exponent == 2.0);
	assert_int_equal(f.max_attempts, 0);
	assert_int_equal(f.startup_max_attempts, 0);
	assert_true(f.randomize);
	assert_false(f.priority_backup);
	assert_null(f.priority_uris);
	assert_int_equal(f.npriority, 0);
	assert_int_equal(f.timeout_ms, -1);
	assert_true(f.jitter == 0.0);
	bn_failover_free(&f);
	bn_failover_free(NULL);
	bn_endpoint_free(NULL);
}

/* The example of the brief: every option at once. */
static void
test_failover_full(void **state)
{
	struct bn_failover	 f;
	char			 err[256];
	const char		*uri = "failover:(stomp://a:1,tcp://b:2)?"
	    "initialReconnectDelay=11&maxReconnectDelay=31000&"
	    "useExponentialBackOff=false&reconnectDelayExponent=1.5&"
	    "maxReconnectAttempts=7&startupMaxReconnectAttempts=3&"
	    "randomize=false&priorityBackup=true&"
	    "priorityURIs=stomp://b:2,stomp://[::1]:3&timeout=2500&"
	    "jitter=0.25";

	if (bn_failover_parse(uri, &f, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(f.nuris, 2);
	check_endpoint(&f.uris[0], "stomp", "a", 1);
	check_endpoint(&f.uris[1], "tcp", "b", 2);
	assert_int_equal(f.initial_delay_ms, 11);
	assert_int_equal(f.max_delay_ms, 31000);
	assert_false(f.exponential);
	assert_true(f.exponent == 1.5);
	assert_int_equal(f.max_attempts, 7);
	assert_int_equal(f.startup_max_attempts, 3);
	assert_false(f.randomize);
	assert_true(f.priority_backup);
	assert_int_equal(f.npriority, 2);
	check_endpoint(&f.priority_uris[0], "stomp", "b", 2);
	check_endpoint(&f.priority_uris[1], "stomp", "::1", 3);
	assert_int_equal(f.timeout_ms, 2500);
	assert_true(f.jitter == 0.25);
	bn_failover_free(&f);
	assert_null(f.uris);
	assert_int_equal(f.nuris, 0);
	assert_null(f.priority_uris);
	assert_int_equal(f.npriority, 0);
}

/* Spellings of the list; all leave every option at its default. */
struct fo_list {
	const char	*in;
	size_t		 n;
	const char	*host[3];
	unsigned	 port[3];
	const char	*scheme0;
};

static const struct fo_list fo_lists[] = {
	{ "stomp://h:61613", 1, { "h" }, { 61613 }, "stomp" },
	{ "tcp://h:61613", 1, { "h" }, { 61613 }, "tcp" },
	{ "failover:stomp://a:1", 1, { "a" }, { 1 }, "stomp" },
	{ "failover:(stomp://a:1)", 1, { "a" }, { 1 }, "stomp" },
	{ "failover://(stomp://a:1,stomp://b:2)", 2, { "a", "b" }, { 1, 2 },
	    "stomp" },
	{ "FAILOVER:(STOMP://a:1,tcp://b:2,stomp://[::1]:3)", 3,
	    { "a", "b", "::1" }, { 1, 2, 3 }, "stomp" },
	{ "failover:(stomp://a:1,stomp://a:1)", 2, { "a", "a" }, { 1, 1 },
	    "stomp" },
	/* TLS to the broker: OpenWire and STOMP */
	{ "failover:(ssl://m:61617,ssl://s:61617)", 2, { "m", "s" },
	    { 61617, 61617 }, "ssl" },
	{ "stomp+ssl://m:61612", 1, { "m" }, { 61612 }, "stomp+ssl" },
};

static void
test_failover_lists(void **state)
{
	struct bn_failover	f;
	char			err[256];
	size_t			i, j;

	for (i = 0; i < NELEM(fo_lists); i++) {
		if (bn_failover_parse(fo_lists[i].in, &f, err,
		    sizeof(err)) != 0)
			fail_msg("%s: %s", fo_lists[i].in, err);
		assert_int_equal(f.nuris, fo_lists[i].n);
		assert_string_equal(f.uris[0].scheme, fo_lists[i].scheme0);
		for (j = 0; j < fo_lists[i].n; j++) {
			assert_string_equal(f.uris[j].host,
			    fo_lists[i].host[j]);
			assert_int_equal(f.uris[j].port, fo_lists[i].port[j]);
		}
		fo_check(fo_lists[i].in, &f, FO_NONE, 0);
		bn_failover_free(&f);
	}
}

/* One option at a time: it lands in its field and nowhere else. */
struct fo_opt {
	const char	*query;
	enum fo_field	 which;
	double		 value;
};

static const struct fo_opt fo_opts[] = {
	{ "initialReconnectDelay=0", FO_INITIAL, 0 },
	{ "initialReconnectDelay=250", FO_INITIAL, 250 },
	{ "maxReconnectDelay=0", FO_MAX, 0 },
	{ "maxReconnectDelay=600000", FO_MAX, 600000 },
	{ "maxReconnectDelay=9223372036854775807", FO_MAX,
	    9223372036854775807.0 },
	{ "useExponentialBackOff=false", FO_EXP, 0 },
	{ "useExponentialBackOff=TRUE", FO_EXP, 1 },
	{ "reconnectDelayExponent=1", FO_EXPONENT, 1.0 },
	{ "reconnectDelayExponent=3.5", FO_EXPONENT, 3.5 },
	{ "maxReconnectAttempts=0", FO_ATTEMPTS, 0 },
	{ "maxReconnectAttempts=-1", FO_ATTEMPTS, -1 },
	{ "maxReconnectAttempts=5", FO_ATTEMPTS, 5 },
	{ "startupMaxReconnectAttempts=-1", FO_STARTUP, -1 },
	{ "startupMaxReconnectAttempts=2", FO_STARTUP, 2 },
	{ "randomize=false", FO_RANDOMIZE, 0 },
	{ "randomize=true", FO_RANDOMIZE, 1 },
	{ "priorityBackup=true", FO_PRIOBACKUP, 1 },
	{ "timeout=-1", FO_TIMEOUT, -1 },
	{ "timeout=0", FO_TIMEOUT, 0 },
	{ "timeout=3000", FO_TIMEOUT, 3000 },
	{ "jitter=0", FO_JITTER, 0 },
	{ "jitter=0.5", FO_JITTER, 0.5 },
	{ "jitter=1", FO_JITTER, 1.0 },
};

static void
test_failover_each_option(void **state)
{
	struct bn_failover	 f;
	char			 err[256], *uri;
	size_t			 i;
	int			 form;

	for (i = 0; i < NELEM(fo_opts); i++) {
		/* with and without parentheses */
		for (form = 0; form < 2; form++) {
			xasprintf(&uri, form ? "failover:stomp://a:1?%s" :
			    "failover:(stomp://a:1,stomp://b:2)?%s",
			    fo_opts[i].query);
			if (bn_failover_parse(uri, &f, err, sizeof(err)) != 0)
				fail_msg("%s: %s", uri, err);
			assert_int_equal(f.nuris, form ? 1 : 2);
			fo_check(uri, &f, fo_opts[i].which, fo_opts[i].value);
			bn_failover_free(&f);
			free(uri);
		}
	}
}

static void
test_failover_priority_uris(void **state)
{
	struct bn_failover	f;
	char			err[256];

	assert_int_equal(bn_failover_parse("failover:(stomp://m:1,stomp://s:2)"
	    "?priorityURIs=tcp://m:1", &f, err, sizeof(err)), 0);
	assert_int_equal(f.npriority, 1);
	check_endpoint(&f.priority_uris[0], "tcp", "m", 1);
	assert_false(f.priority_backup);
	bn_failover_free(&f);
	/* priorityBackup without priorityURIs leaves the list empty */
	assert_int_equal(bn_failover_parse("failover:(stomp://m:1,stomp://s:2)"
	    "?priorityBackup=true", &f, err, sizeof(err)), 0);
	assert_true(f.priority_backup);
	assert_int_equal(f.npriority, 0);
	assert_null(f.priority_uris);
	bn_failover_free(&f);
}

static const struct bad fo_bads[] = {
	{ "", "empty URI" },
	{ "failover:", "\"failover:\": empty URI list" },
	{ "failover:()", "\"failover:()\": empty URI list" },
	{ "failover:()?timeout=1", "\"failover:()?timeout=1\": empty URI "
	    "list" },
	{ "failover:?timeout=1", "\"failover:?timeout=1\": empty URI list" },
	{ "failover:(stomp://a:1", "\"failover:(stomp://a:1\": missing "
	    "\")\"" },
	{ "failover:(stomp://a:1)x", "\"failover:(stomp://a:1)x\": "
	    "unexpected \"x\" after \")\"" },
	{ "failover:(stomp://a:1))", "\"failover:(stomp://a:1))\": "
	    "unexpected \")\" after \")\"" },
	{ "failover:(stomp://a:1,)", "empty URI in list \"stomp://a:1,\"" },
	{ "failover:(,stomp://a:1)", "empty URI in list \",stomp://a:1\"" },
	{ "failover:(stomp://a:1,,stomp://b:2)", "empty URI in list "
	    "\"stomp://a:1,,stomp://b:2\"" },
	{ "failover:((stomp://a:1))", "\"failover:((stomp://a:1))\": "
	    "unexpected \")\" after \")\"" },
	{ "failover:((stomp://a:1)", "\"(stomp://a:1\": bad scheme" },
	{ "failover:(stomp://a:0)", "\"stomp://a:0\": port must be 1..65535" },
	{ "failover:(stomp+tls://a:1)", "\"stomp+tls://a:1\": scheme "
	    "\"stomp+tls\" not allowed (allowed: tcp, ssl, stomp, stomp+ssl)" },
	{ "failover:(stomp://a:1,http://b:2)", "\"http://b:2\": scheme "
	    "\"http\" not allowed (allowed: tcp, ssl, stomp, stomp+ssl)" },
	{ "nio://h:1", "\"nio://h:1\": scheme \"nio\" not allowed (allowed: "
	    "tcp, ssl, stomp, stomp+ssl)" },
	{ "stomp://h:1?timeout=1", "\"stomp://h:1?timeout=1\": unexpected "
	    "\"?timeout=1\" after the port" },
	{ "stomp://a:1,stomp://b:2", "\"stomp://a:1,stomp://b:2\": a list of "
	    "URIs needs failover:(...)" },
	{ "failover:(stomp://a:1,stomp://b:2?x=1)", "\"stomp://b:2?x=1\": "
	    "unexpected \"?x=1\" after the port" },
	{ "failover:(stomp://a:1)?", "empty option in \"?\"" },
	{ "failover:(stomp://a:1)?timeout=1&", "empty option in "
	    "\"?timeout=1&\"" },
	{ "failover:(stomp://a:1)?&timeout=1", "empty option in "
	    "\"?&timeout=1\"" },
	{ "failover:(stomp://a:1)?timeout", "option \"timeout\" has no "
	    "value" },
	{ "failover:(stomp://a:1)?=5", "unknown option \"\" (allowed: "
	    "initialReconnectDelay, maxReconnectDelay, useExponentialBackOff, "
	    "reconnectDelayExponent, maxReconnectAttempts, "
	    "startupMaxReconnectAttempts, randomize, priorityBackup, "
	    "priorityURIs, timeout, jitter)" },
	{ "failover:(stomp://a:1)?backOffMultiplier=2", "unknown option "
	    "\"backOffMultiplier\" (allowed: initialReconnectDelay, "
	    "maxReconnectDelay, useExponentialBackOff, "
	    "reconnectDelayExponent, maxReconnectAttempts, "
	    "startupMaxReconnectAttempts, randomize, priorityBackup, "
	    "priorityURIs, timeout, jitter)" },
	{ "failover:(stomp://a:1)?Timeout=1", "unknown option \"Timeout\" "
	    "(allowed: initialReconnectDelay, maxReconnectDelay, "
	    "useExponentialBackOff, reconnectDelayExponent, "
	    "maxReconnectAttempts, startupMaxReconnectAttempts, randomize, "
	    "priorityBackup, priorityURIs, timeout, jitter)" },
	{ "failover:(stomp://a:1)?timeout=1&timeout=2", "option timeout "
	    "given twice" },
	/* found by fuzz_config: control characters never reach the error */
	{ "failover:(stomp://a:1)?time\nout=1", "unknown option "
	    "\"time?out\" (allowed: initialReconnectDelay, "
	    "maxReconnectDelay, useExponentialBackOff, "
	    "reconnectDelayExponent, maxReconnectAttempts, "
	    "startupMaxReconnectAttempts, randomize, priorityBackup, "
	    "priorityURIs, timeout, jitter)" },
	{ "failover:(stomp://a:1)?timeout=\t1\r", "bad value \"?1?\" for "
	    "option timeout (expected -1 or an integer >= 0)" },
	{ "failover:(stomp://a:1)?initialReconnectDelay=",
	    "bad value \"\" for option initialReconnectDelay (expected an "
	    "integer >= 0)" },
	{ "failover:(stomp://a:1)?initialReconnectDelay=-1",
	    "bad value \"-1\" for option initialReconnectDelay (expected an "
	    "integer >= 0)" },
	{ "failover:(stomp://a:1)?initialReconnectDelay=1.5",
	    "bad value \"1.5\" for option initialReconnectDelay (expected an "
	    "integer >= 0)" },
	{ "failover:(stomp://a:1)?maxReconnectDelay=10s",
	    "bad value \"10s\" for option maxReconnectDelay (expected an "
	    "integer >= 0)" },
	{ "failover:(stomp://a:1)?maxReconnectDelay=9223372036854775808",
	    "bad value \"9223372036854775808\" for option maxReconnectDelay "
	    "(expected an integer >= 0)" },
	{ "failover:(stomp://a:1)?useExponentialBackOff=yes",
	    "bad value \"yes\" for option useExponentialBackOff (expected "
	    "true or false)" },
	{ "failover:(stomp://a:1)?reconnectDelayExponent=0.5",
	    "bad value \"0.5\" for option reconnectDelayExponent (expected a "
	    "number >= 1)" },
	{ "failover:(stomp://a:1)?reconnectDelayExponent=inf",
	    "bad value \"inf\" for option reconnectDelayExponent (expected a "
	    "number >= 1)" },
	{ "failover:(stomp://a:1)?reconnectDelayExponent=nan",
	    "bad value \"nan\" for option reconnectDelayExponent (expected a "
	    "number >= 1)" },
	{ "failover:(stomp://a:1)?maxReconnectAttempts=-2",
	    "bad value \"-2\" for option maxReconnectAttempts (expected -1 or "
	    "an integer >= 0)" },
	{ "failover:(stomp://a:1)?maxReconnectAttempts=x",
	    "bad value \"x\" for option maxReconnectAttempts (expected -1 or "
	    "an integer >= 0)" },
	{ "failover:(stomp://a:1)?startupMaxReconnectAttempts=-5",
	    "bad value \"-5\" for option startupMaxReconnectAttempts "
	    "(expected -1 or an integer >= 0)" },
	{ "failover:(stomp://a:1)?randomize=1",
	    "bad value \"1\" for option randomize (expected true or false)" },
	{ "failover:(stomp://a:1)?priorityBackup=",
	    "bad value \"\" for option priorityBackup (expected true or "
	    "false)" },
	{ "failover:(stomp://a:1)?priorityURIs=", "empty URI list" },
	{ "failover:(stomp://a:1)?priorityURIs=udp://a:1", "\"udp://a:1\": "
	    "scheme \"udp\" not allowed (allowed: tcp, ssl, stomp, stomp+ssl)" },
	{ "failover:(stomp://a:1)?priorityURIs=stomp://a:1,",
	    "empty URI in list \"stomp://a:1,\"" },
	{ "failover:(stomp://a:1)?priorityURIs=stomp://a",
	    "\"stomp://a\": missing port" },
	{ "failover:(stomp://a:1)?priorityURIs=stomp://a:1&priorityURIs="
	    "stomp://a:1", "option priorityURIs given twice" },
	{ "failover:(stomp://a:1)?timeout=-2", "bad value \"-2\" for option "
	    "timeout (expected -1 or an integer >= 0)" },
	{ "failover:(stomp://a:1)?jitter=1.01", "bad value \"1.01\" for "
	    "option jitter (expected a number from 0 to 1)" },
	{ "failover:(stomp://a:1)?jitter=-0.1", "bad value \"-0.1\" for "
	    "option jitter (expected a number from 0 to 1)" },
	{ "failover:(stomp://a:1)?jitter= 0.1", "bad value \" 0.1\" for "
	    "option jitter (expected a number from 0 to 1)" },
};

static void
test_failover_bad(void **state)
{
	struct bn_failover	f;
	char			err[512];
	size_t			i;

	for (i = 0; i < NELEM(fo_bads); i++) {
		memset(&f, 0xa5, sizeof(f));
		err[0] = '\0';
		if (bn_failover_parse(fo_bads[i].in, &f, err,
		    sizeof(err)) != -1) {
			bn_failover_free(&f);
			fail_msg("accepted \"%s\"", fo_bads[i].in);
		}
		if (strcmp(err, fo_bads[i].err) != 0)
			fail_msg("%s:\n got  %s\n want %s", fo_bads[i].in, err,
			    fo_bads[i].err);
		/* the struct is left at its defaults, owning nothing */
		fo_check(fo_bads[i].in, &f, FO_NONE, 0);
		assert_null(f.uris);
		assert_int_equal(f.nuris, 0);
	}
	assert_int_equal(bn_failover_parse(NULL, &f, err, sizeof(err)), -1);
	assert_string_equal(err, "missing URI");
}

/* ---- listeners ---- */

struct ls_good {
	const char	*in;
	const char	*scheme;
	const char	*host;
	unsigned	 port;
	uint64_t	 maxconn;
	uint64_t	 maxframe;
};

static const struct ls_good ls_goods[] = {
	{ "tcp://127.0.0.1:61700", "tcp", "127.0.0.1", 61700, 1000,
	    104857600 },
	{ "tcp://0.0.0.0:61700?maximumConnections=100", "tcp", "0.0.0.0",
	    61700, 100, 104857600 },
	{ "ssl://[::]:61701?maxFrameSize=1", "ssl", "::", 61701, 1000, 1 },
	{ "TCP://h:1?maximumConnections=1&maxFrameSize=104857600", "tcp", "h",
	    1, 1, 104857600 },
	{ "tcp://h:1?maxFrameSize=1048576&maximumConnections=5", "tcp", "h",
	    1, 5, 1048576 },
};

static void
test_listener_client_auth(void **state)
{
	struct bn_transport_connector	tc;
	char				err[256];

	memset(&tc, 0, sizeof(tc));
	assert_int_equal(bn_listener_uri_parse("ssl://h:1?needClientAuth=true",
	    &tc, err, sizeof(err)), 0);
	assert_true(tc.need_client_auth);
	bn_endpoint_free(&tc.listen);
}

static void
test_listener_good(void **state)
{
	struct bn_transport_connector	tc;
	char				err[256];
	size_t				i;

	for (i = 0; i < NELEM(ls_goods); i++) {
		memset(&tc, 0, sizeof(tc));
		if (bn_listener_uri_parse(ls_goods[i].in, &tc, err,
		    sizeof(err)) != 0)
			fail_msg("%s: %s", ls_goods[i].in, err);
		check_endpoint(&tc.listen, ls_goods[i].scheme,
		    ls_goods[i].host, ls_goods[i].port);
		assert_int_equal(tc.max_connections, ls_goods[i].maxconn);
		assert_int_equal(tc.max_frame_size, ls_goods[i].maxframe);
		assert_false(tc.need_client_auth);
		assert_null(tc.name);
		assert_null(tc.uri);
		bn_endpoint_free(&tc.listen);
	}
}

static const struct bad ls_bads[] = {
	{ "", "empty URI" },
	{ "stomp://h:1", "\"stomp://h:1\": scheme \"stomp\" not allowed "
	    "(allowed: tcp, ssl)" },
	{ "tcp://h", "\"tcp://h\": missing port" },
	{ "tcp://h:1/", "\"tcp://h:1/\": unexpected \"/\" after the port" },
	{ "tcp://h:1?", "empty option in \"?\"" },
	{ "tcp://h:1?maximumConnections", "option \"maximumConnections\" has "
	    "no value" },
	{ "tcp://h:1?maximumConnections=0", "bad value \"0\" for option "
	    "maximumConnections (expected an integer >= 1)" },
	{ "tcp://h:1?maximumConnections=-1", "bad value \"-1\" for option "
	    "maximumConnections (expected an integer >= 1)" },
	{ "tcp://h:1?maxFrameSize=0", "bad value \"0\" for option "
	    "maxFrameSize (expected an integer >= 1)" },
	{ "tcp://h:1?maxFrameSize=1MB", "bad value \"1MB\" for option "
	    "maxFrameSize (expected an integer >= 1)" },
	{ "tcp://h:1?maxFrameSize=1&maxFrameSize=2", "option maxFrameSize "
	    "given twice" },
	{ "tcp://h:1?wireFormat.maxFrameSize=1", "unknown option "
	    "\"wireFormat.maxFrameSize\" (allowed: maximumConnections, "
	    "maxFrameSize, needClientAuth)" },
	{ "tcp://h:1?jitter=0", "unknown option \"jitter\" (allowed: "
	    "maximumConnections, maxFrameSize, needClientAuth)" },
	{ "ssl://h:1?needClientAuth=yes", "bad value \"yes\" for option "
	    "needClientAuth (expected true or false)" },
};

static void
test_listener_bad(void **state)
{
	struct bn_transport_connector	tc;
	char				err[256];
	size_t				i;

	for (i = 0; i < NELEM(ls_bads); i++) {
		memset(&tc, 0xa5, sizeof(tc));
		err[0] = '\0';
		if (bn_listener_uri_parse(ls_bads[i].in, &tc, err,
		    sizeof(err)) != -1)
			fail_msg("accepted \"%s\"", ls_bads[i].in);
		if (strcmp(err, ls_bads[i].err) != 0)
			fail_msg("%s:\n got  %s\n want %s", ls_bads[i].in, err,
			    ls_bads[i].err);
		assert_null(tc.listen.scheme);
		assert_null(tc.listen.host);
	}
	assert_int_equal(bn_listener_uri_parse(NULL, &tc, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "empty URI");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint_good),
		cmocka_unit_test(test_endpoint_bad),
		cmocka_unit_test(test_failover_defaults),
		cmocka_unit_test(test_failover_full),
		cmocka_unit_test(test_failover_lists),
		cmocka_unit_test(test_failover_each_option),
		cmocka_unit_test(test_failover_priority_uris),
		cmocka_unit_test(test_failover_bad),
		cmocka_unit_test(test_listener_good),
		cmocka_unit_test(test_listener_client_auth),
		cmocka_unit_test(test_listener_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
