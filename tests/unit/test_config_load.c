/*
 * Unit tests for bridge/config.c, the loader: what it accepts around the
 * elements, element and attribute lines, encodings, the shipped example
 * files, files that cannot be read.
 */
#include <fcntl.h>
#include <unistd.h>

#include "config_fixture.h"

/* What the loader accepts around the elements. */
static void
test_accepted_forms(void **state)
{
	static const char *const goods[] = {
		/* a DOCTYPE without entities */
		"<!DOCTYPE brokernet>\n" HEAD TAIL,
		"<!DOCTYPE brokernet [\n<!ELEMENT brokernet ANY>\n]>\n"
		    HEAD TAIL,
		/* a default namespace (as copied from activemq.xml) */
		"<brokernet xmlns=\"http://activemq.apache.org/schema/core\" "
		    "name=\"A\"><broker uri=\"stomp://h:1\"/>" TAIL,
		/* comments, PIs, blank CDATA and CRLF line ends */
		"<?xml version=\"1.0\"?>\r\n<!-- a -->\r\n<brokernet "
		    "name=\"A\">\r\n<?pi x?>\r\n<![CDATA[ \t ]]>\r\n"
		    "<broker uri=\"stomp://h:1\"/><!-- b -->\r\n" TAIL
		    "<!-- after -->\r\n",
		/* character references */
		"<brokernet name=\"&#65;\"><broker uri=\"stomp&#58;//h:1\"/>"
		    TAIL,
		/* single quotes, a self-closing broker with an end tag */
		"<brokernet name='A'><broker uri='stomp://h:1'></broker>"
		    TAIL,
	};
	struct bn_config	*c;
	size_t			 i;

	for (i = 0; i < NELEM(goods); i++) {
		c = load_ok(goods[i]);
		assert_string_equal(c->name, "A");
		assert_int_equal(c->broker.failover.nuris, 1);
		bn_config_free(c);
	}
}

/* Element and attribute lines: where the '<' and the name are. */
static void
test_lines(void **state)
{
	struct bn_config	*c;
	struct bn_buf		 b;
	int			 i;

	c = load_ok("<brokernet\n  name=\"A\">\n\n"
	    "<broker\n\n  uri=\"stomp://h:1\"\n/>\n"
	    "<networkConnectors><networkConnector\n"
	    "  uri=\"multicast://\"><excludedDestinations>\n"
	    "<queue\n physicalName=\"a\"/><topic physicalName=\"b\"\n/>"
	    "</excludedDestinations>\n"
	    "</networkConnector></networkConnectors>\n"
	    "<plugins><simpleAuthenticationPlugin><users>"
	    "<authenticationUser\n\n username=\"u\" password=\"p\"/>"
	    "</users></simpleAuthenticationPlugin></plugins>\n" TAIL);
	assert_int_equal(c->broker.line, 4);
	assert_int_equal(c->connectors[0].line, 8);
	assert_int_equal(c->connectors[0].exclude.items[0].line, 10);
	assert_int_equal(c->connectors[0].exclude.items[1].line, 11);
	assert_int_equal(c->users[0].line, 14);
	bn_config_free(c);

	/* CRLF: one line per CRLF */
	assert_null(load("<brokernet name=\"A\">\r\n<broker\r\n"
	    "uri=\"stomp://h:0\"/>\r\n" TAIL));
	assert_string_equal(errbuf, "t.xml:3: bad uri on <broker>: "
	    "\"stomp://h:0\": port must be 1..65535");

	/* lines past 65535 (libxml2 keeps 16 bits unless told) */
	memset(&b, 0, sizeof(b));
	bn_buf_addstr(&b, HEAD);
	for (i = 0; i < 70000; i++)
		bn_buf_addc(&b, '\n');
	bn_buf_addstr(&b, "<management\n uri=\"http://h\"/>\n" TAIL);
	assert_null(load(b.data));
	assert_string_equal(errbuf, "t.xml:70004: bad uri on <management>: "
	    "\"http://h\": missing port");
	bn_buf_reset(&b);
	bn_buf_addstr(&b, HEAD);
	for (i = 0; i < 70000; i++)
		bn_buf_addc(&b, '\n');
	bn_buf_addstr(&b, "text\n\n" TAIL);
	assert_null(load(b.data));
	assert_string_equal(errbuf, "t.xml:70003: unexpected text in "
	    "<brokernet>");
	bn_buf_free(&b);
}

/* An ISO-8859-1 file ends up as UTF-8 strings. */
static void
test_encoding(void **state)
{
	struct bn_config	*c;

	c = load_ok("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" HEAD
	    "<networkConnectors><networkConnector uri=\"multicast://\" "
	    "userName=\"net\" password=\"caf\xe9\"/></networkConnectors>\n"
	    TAIL);
	assert_string_equal(c->connectors[0].password, "caf\xc3\xa9");
	bn_config_free(c);
}

/* The shipped examples load; the main one says what it shows. */
static void
test_example_files(void **state)
{
	static const char *const files[] = { "etc/brokernet.xml",
	    "etc/lan-multicast.xml", "etc/wan-duplex.xml",
	    "etc/masterslave-failover.xml" };
	struct bn_config	*c;
	char			 path[4096];
	const char		*dir;
	size_t			 i;

	if ((dir = getenv("BN_SRCDIR")) == NULL)
		dir = ".";
	for (i = 0; i < NELEM(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if ((c = bn_config_load_file(path, errbuf,
		    sizeof(errbuf))) == NULL)
			fail_msg("%s (run from the source tree or set "
			    "BN_SRCDIR)", errbuf);
		assert_string_equal(c->file, path);
		/* the shipped examples speak OpenWire to ActiveMQ's port */
		assert_string_equal(c->broker.failover.uris[0].scheme, "tcp");
		assert_int_equal(c->broker.failover.uris[0].port, 61616);
		assert_string_equal(c->broker.failover.uris[0].host,
		    "127.0.0.1");
		if (c->management_uri != NULL)
			assert_int_equal(c->management.port, 8700);
		switch (i) {
		case 0:
			assert_string_equal(c->name, "A");
			assert_int_equal(c->nlisteners, 1);
			assert_int_equal(c->listeners[0].listen.port, 61700);
			assert_int_equal(c->listeners[0].max_connections, 100);
			assert_int_equal(c->nconnectors, 1);
			assert_int_equal(c->connectors[0].peers[0].port,
			    61701);
			assert_int_equal(c->connectors[0].dynamic_include.n,
			    2);
			assert_int_equal(c->connectors[0].exclude.n, 1);
			assert_int_equal(c->connectors[0].static_include.n, 1);
			assert_true(c->auth_enabled);
			assert_int_equal(c->nusers, 1);
			assert_string_equal(c->connectors[0].password,
			    c->users[0].password);
			break;
		case 1:
			assert_int_equal(c->connectors[0].discovery,
			    BN_DISC_MULTICAST);
			assert_string_equal(c->connectors[0].group,
			    "orders-lan");
			assert_int_equal(c->connectors[0].network_ttl, 2);
			break;
		case 2:
			assert_int_equal(c->nlisteners, 0);
			assert_true(c->connectors[0].duplex);
			/* credit above a WAN's bandwidth-delay product */
			assert_int_equal(c->connectors[0].prefetch, 1000);
			assert_int_equal(c->connectors[0].use_compression, 1);
			assert_int_equal(
			    c->connectors[0].reconnect.max_delay_ms, 60000);
			assert_false(c->auth_enabled);
			break;
		case 3:
			assert_int_equal(c->broker.failover.nuris, 2);
			assert_int_equal(c->broker.failover.uris[1].port,
			    61617);
			assert_false(c->broker.failover.randomize);
			assert_true(c->broker.failover.priority_backup);
			assert_int_equal(c->broker.failover.npriority, 1);
			assert_true(c->connectors[0].masterslave);
			assert_int_equal(c->connectors[0].npeers, 2);
			break;
		}
		bn_config_free(c);
	}
}

/* File errors have no line; parse errors name the path. */
static void
test_load_file_errors(void **state)
{
	static const char	bad[] = HEAD "\n<management uri=\"x\"/>\n"
	    TAIL;
	struct bn_config	*c;
	char			 path[] = "/tmp/bn-test-config-XXXXXX";
	char			 want[256];
	int			 fd;

	assert_null(bn_config_load_file("/nonexistent/brokernet.xml", errbuf,
	    sizeof(errbuf)));
	assert_string_equal(errbuf, "/nonexistent/brokernet.xml: No such "
	    "file or directory");
	assert_null(bn_config_load_file("/tmp", errbuf, sizeof(errbuf)));
	assert_string_equal(errbuf, "/tmp: not a regular file");
	assert_null(bn_config_load_file("/nonexistent", NULL, 0));

	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, bad, sizeof(bad) - 1), sizeof(bad) - 1);
	close(fd);
	assert_null(bn_config_load_file(path, errbuf, sizeof(errbuf)));
	snprintf(want, sizeof(want), "%s:4: bad uri on <management>: \"x\": "
	    "expected scheme://host:port", path);
	assert_string_equal(errbuf, want);

	/* an empty file */
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	close(fd);
	assert_null(bn_config_load_file(path, errbuf, sizeof(errbuf)));
	snprintf(want, sizeof(want), "%s:1: Document is empty", path);
	assert_string_equal(errbuf, want);

	/* and a good one */
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	assert_int_equal(write(fd, HEAD TAIL, strlen(HEAD TAIL)),
	    strlen(HEAD TAIL));
	close(fd);
	c = bn_config_load_file(path, errbuf, sizeof(errbuf));
	assert_non_null(c);
	assert_string_equal(c->file, path);
	bn_config_free(c);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_example_files),
		cmocka_unit_test(test_load_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
