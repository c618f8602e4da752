/*
 * Unit tests for bridge/config.c: every attribute, every default, every
 * error message with its line, malformed XML, entities, the example files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "brokernet/config.h"
#include "brokernet/filter.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Lines 1 and 2 of most test documents. */
#define HEAD	"<brokernet name=\"A\">\n" \
		"<broker uri=\"stomp://127.0.0.1:61613\"/>\n"
#define TAIL	"</brokernet>\n"

static char	errbuf[1024];

static struct bn_config *
load(const char *xml)
{
	errbuf[0] = '\0';
	return bn_config_load_string(xml, strlen(xml), "t.xml", errbuf,
	    sizeof(errbuf));
}

static struct bn_config *
load_ok(const char *xml)
{
	struct bn_config	*c;

	if ((c = load(xml)) == NULL)
		fail_msg("rejected: %s\n%s", errbuf, xml);
	return c;
}

static void
check_endpoint(const struct bn_endpoint *ep, const char *scheme,
    const char *host, unsigned port)
{
	assert_non_null(ep->scheme);
	assert_string_equal(ep->scheme, scheme);
	assert_string_equal(ep->host, host);
	assert_int_equal(ep->port, port);
}

static void
check_nc_defaults(const struct bn_network_connector *nc)
{
	assert_int_equal(nc->network_ttl, 1);
	assert_int_equal(nc->message_ttl, 1);
	assert_int_equal(nc->consumer_ttl, 1);
	assert_false(nc->duplex);
	assert_false(nc->dynamic_only);
	assert_true(nc->decrease_priority);
	assert_int_equal(nc->prefetch, 1000);
	assert_true(nc->conduit);
	assert_true(nc->durable_topics);
	assert_null(nc->username);
	assert_null(nc->password);
	assert_int_equal(nc->replay_delay_ms, 1000);
	assert_int_equal(nc->use_compression, -1);
	assert_int_equal(nc->dynamic_include.n, 0);
	assert_int_equal(nc->static_include.n, 0);
	assert_int_equal(nc->exclude.n, 0);
	assert_int_equal(nc->reconnect.initial_delay_ms, 1000);
	assert_int_equal(nc->reconnect.max_delay_ms, 30000);
	assert_true(nc->reconnect.exponential);
	assert_true(nc->reconnect.multiplier == 2.0);
	assert_int_equal(nc->reconnect.max_attempts, 0);
	assert_true(nc->reconnect.jitter == 0.1);
}

/* The smallest config: everything at its default. */
static void
test_defaults(void **state)
{
	struct bn_config	*c;

	c = load_ok(HEAD TAIL);
	assert_string_equal(c->file, "t.xml");
	assert_string_equal(c->name, "A");
	assert_string_equal(c->broker.uri, "stomp://127.0.0.1:61613");
	assert_int_equal(c->broker.failover.nuris, 1);
	check_endpoint(&c->broker.failover.uris[0], "stomp", "127.0.0.1",
	    61613);
	assert_int_equal(c->broker.failover.initial_delay_ms, 10);
	assert_int_equal(c->broker.failover.max_delay_ms, 30000);
	assert_true(c->broker.failover.exponential);
	assert_true(c->broker.failover.exponent == 2.0);
	assert_int_equal(c->broker.failover.max_attempts, 0);
	assert_int_equal(c->broker.failover.startup_max_attempts, 0);
	assert_true(c->broker.failover.randomize);
	assert_false(c->broker.failover.priority_backup);
	assert_int_equal(c->broker.failover.npriority, 0);
	assert_int_equal(c->broker.failover.timeout_ms, -1);
	assert_true(c->broker.failover.jitter == 0.0);
	assert_int_equal(c->broker.flavor, BN_FLAVOR_ACTIVEMQ);
	assert_null(c->broker.login);
	assert_null(c->broker.passcode);
	assert_int_equal(c->broker.heartbeat_ms, 10000);
	assert_int_equal(c->broker.receipt_window, 1000);
	assert_int_equal(c->broker.unfaithful, BN_UNFAITHFUL_DEAD_LETTER);
	assert_int_equal(c->broker.line, 2);
	assert_int_equal(c->nlisteners, 0);
	assert_null(c->listeners);
	assert_int_equal(c->nconnectors, 0);
	assert_null(c->connectors);
	assert_null(c->management_uri);
	assert_null(c->management.scheme);
	assert_false(c->auth_enabled);
	assert_int_equal(c->nusers, 0);
	assert_int_equal(c->dup_window_count, 100000);
	assert_int_equal(c->dup_window_age_ms, 3600000);
	assert_int_equal(c->tsub_offline_ms, 86400000);
	assert_null(c->state_dir);
	bn_config_free(c);
	bn_config_free(NULL);
}

static const char full_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!-- comment -->\n"
    "<brokernet name=\"A-1.x_y\" dataDirectory=\"/var/lib/bn\" "
    "duplicateWindow=\"5000\" duplicateWindowAge=\"60000\" "
    "offlineNetworkSubscriptionTimeout=\"0\">\n"
    "  <?ignored processing instruction?>\n"
    "  <broker uri=\"failover:(stomp://127.0.0.1:61613,tcp://127.0.0.1:61614)"
    "?randomize=false&amp;maxReconnectAttempts=5\"\n"
    "      flavor=\"activemq\" login=\"admin\" passcode=\"p&lt;&gt;&quot;s\"\n"
    "      heartBeat=\"0\" receiptWindow=\"50\" unfaithful=\"keep\"/>\n"
    "  <transportConnectors>\n"
    "    <transportConnector name=\"link\" uri=\"tcp://127.0.0.1:61700?"
    "maximumConnections=10&amp;maxFrameSize=65536\"/>\n"
    "    <transportConnector uri=\"ssl://[::1]:61701\"/>\n"
    "  </transportConnectors>\n"
    "  <networkConnectors>\n"
    "    <networkConnector name=\"to-B\" uri=\"static:(tcp://127.0.0.1:61701,"
    "ssl://127.0.0.1:61702)?maxReconnectDelay=5000&amp;jitter=0\"\n"
    "        networkTTL=\"3\" messageTTL=\"2\" consumerTTL=\"-1\" "
    "duplex=\"true\" dynamicOnly=\"TRUE\"\n"
    "        decreaseNetworkConsumerPriority=\"false\" prefetchSize=\"1\" "
    "conduitSubscriptions=\"false\" durableTopicSubscriptions=\"false\"\n"
    "        userName=\"net\" password=\"\" replayDelay=\"0\" "
    "useCompression=\"true\">\n"
    "      <dynamicallyIncludedDestinations>\n"
    "        <queue physicalName=\"orders.&gt;\"/>\n"
    "        <topic physicalName=\"prices.*\"/>\n"
    "      </dynamicallyIncludedDestinations>\n"
    "      <staticallyIncludedDestinations><queue physicalName=\"audit\"/>"
    "</staticallyIncludedDestinations>\n"
    "      <excludedDestinations>\n"
    "        <!-- comment inside -->\n"
    "        <queue physicalName=\"orders.local.>\"/>\n"
    "      </excludedDestinations>\n"
    "    </networkConnector>\n"
    "    <networkConnector uri=\"multicast://lan?interface=eth0\"/>\n"
    "  </networkConnectors>\n"
    "  <management uri=\"http://127.0.0.1:8700\"/>\n"
    "  <plugins>\n"
    "    <simpleAuthenticationPlugin>\n"
    "      <users>\n"
    "        <authenticationUser username=\"net\" password=\"s3cret\" "
    "groups=\"network,admins\"/>\n"
    "        <authenticationUser username=\"other\" password=\"\"/>\n"
    "      </users>\n"
    "    </simpleAuthenticationPlugin>\n"
    "  </plugins>\n"
    "  <sslContext certificate=\"/etc/bn/a.pem\" privateKey=\"/etc/bn/a.key\"\n"
    "      trustedCertificates=\"/etc/bn/ca.pem\" verifyHostname=\"false\"/>\n"
    "</brokernet>\n";

/* Every attribute of every element, none at its default. */
static void
test_full(void **state)
{
	struct bn_config		*c;
	struct bn_network_connector	*nc;

	c = load_ok(full_xml);
	assert_string_equal(c->name, "A-1.x_y");
	assert_string_equal(c->state_dir, "/var/lib/bn");
	assert_int_equal(c->dup_window_count, 5000);
	assert_int_equal(c->dup_window_age_ms, 60000);
	assert_int_equal(c->tsub_offline_ms, 0);

	assert_int_equal(c->broker.line, 5);
	assert_int_equal(c->broker.failover.nuris, 2);
	check_endpoint(&c->broker.failover.uris[0], "stomp", "127.0.0.1",
	    61613);
	check_endpoint(&c->broker.failover.uris[1], "tcp", "127.0.0.1", 61614);
	assert_false(c->broker.failover.randomize);
	assert_int_equal(c->broker.failover.max_attempts, 5);
	assert_int_equal(c->broker.flavor, BN_FLAVOR_ACTIVEMQ);
	assert_string_equal(c->broker.login, "admin");
	assert_string_equal(c->broker.passcode, "p<>\"s");
	assert_int_equal(c->broker.heartbeat_ms, 0);
	assert_int_equal(c->broker.receipt_window, 50);
	assert_int_equal(c->broker.unfaithful, BN_UNFAITHFUL_KEEP);

	assert_int_equal(c->nlisteners, 2);
	assert_string_equal(c->listeners[0].name, "link");
	assert_string_equal(c->listeners[0].uri, "tcp://127.0.0.1:61700?"
	    "maximumConnections=10&maxFrameSize=65536");
	check_endpoint(&c->listeners[0].listen, "tcp", "127.0.0.1", 61700);
	assert_int_equal(c->listeners[0].max_connections, 10);
	assert_int_equal(c->listeners[0].max_frame_size, 65536);
	assert_int_equal(c->listeners[0].line, 9);
	assert_string_equal(c->listeners[1].name, "TC");
	check_endpoint(&c->listeners[1].listen, "ssl", "::1", 61701);
	assert_int_equal(c->listeners[1].max_connections, 1000);
	assert_int_equal(c->listeners[1].max_frame_size, 104857600);
	assert_int_equal(c->listeners[1].line, 10);

	assert_int_equal(c->nconnectors, 2);
	nc = &c->connectors[0];
	assert_string_equal(nc->name, "to-B");
	assert_int_equal(nc->line, 13);
	assert_int_equal(nc->discovery, BN_DISC_STATIC);
	assert_false(nc->masterslave);
	assert_int_equal(nc->npeers, 2);
	check_endpoint(&nc->peers[0], "tcp", "127.0.0.1", 61701);
	check_endpoint(&nc->peers[1], "ssl", "127.0.0.1", 61702);
	assert_null(nc->group);
	assert_int_equal(nc->reconnect.max_delay_ms, 5000);
	assert_true(nc->reconnect.jitter == 0.0);
	assert_int_equal(nc->reconnect.initial_delay_ms, 1000);
	assert_int_equal(nc->network_ttl, 3);
	assert_int_equal(nc->message_ttl, 2);
	assert_int_equal(nc->consumer_ttl, -1);
	assert_true(nc->duplex);
	assert_true(nc->dynamic_only);
	assert_false(nc->decrease_priority);
	assert_int_equal(nc->prefetch, 1);
	assert_false(nc->conduit);
	assert_false(nc->durable_topics);
	assert_string_equal(nc->username, "net");
	assert_string_equal(nc->password, "");
	assert_int_equal(nc->replay_delay_ms, 0);
	assert_int_equal(nc->use_compression, 1);
	assert_int_equal(nc->dynamic_include.n, 2);
	assert_string_equal(nc->dynamic_include.items[0].pattern, "orders.>");
	assert_false(nc->dynamic_include.items[0].topic);
	assert_int_equal(nc->dynamic_include.items[0].line, 18);
	assert_string_equal(nc->dynamic_include.items[1].pattern, "prices.*");
	assert_true(nc->dynamic_include.items[1].topic);
	assert_int_equal(nc->dynamic_include.items[1].line, 19);
	assert_int_equal(nc->static_include.n, 1);
	assert_string_equal(nc->static_include.items[0].pattern, "audit");
	assert_int_equal(nc->static_include.items[0].line, 21);
	assert_int_equal(nc->exclude.n, 1);
	assert_string_equal(nc->exclude.items[0].pattern, "orders.local.>");
	assert_int_equal(nc->exclude.items[0].line, 24);

	nc = &c->connectors[1];
	assert_string_equal(nc->name, "NC");
	assert_int_equal(nc->line, 27);
	assert_int_equal(nc->discovery, BN_DISC_MULTICAST);
	assert_string_equal(nc->group, "lan");
	assert_string_equal(nc->interface, "eth0");
	assert_int_equal(nc->npeers, 0);
	check_nc_defaults(nc);

	assert_string_equal(c->management_uri, "http://127.0.0.1:8700");
	check_endpoint(&c->management, "http", "127.0.0.1", 8700);
	assert_true(c->auth_enabled);
	assert_int_equal(c->nusers, 2);
	assert_string_equal(c->users[0].username, "net");
	assert_string_equal(c->users[0].password, "s3cret");
	assert_string_equal(c->users[0].groups, "network,admins");
	assert_int_equal(c->users[0].line, 33);
	assert_string_equal(c->users[1].username, "other");
	assert_string_equal(c->users[1].password, "");
	assert_null(c->users[1].groups);
	assert_int_equal(c->users[1].line, 34);
	assert_string_equal(c->ssl_cert, "/etc/bn/a.pem");
	assert_string_equal(c->ssl_key, "/etc/bn/a.key");
	assert_string_equal(c->ssl_ca, "/etc/bn/ca.pem");
	assert_false(c->ssl_verify_host);
	assert_int_equal(c->ssl_line, 38);
	assert_false(c->listeners[1].need_client_auth);
	bn_config_free(c);
}

/* Passwords from the environment or a file instead of the XML. */
static void
test_secrets(void **state)
{
	struct bn_config	*c;
	char			 path[] = "/tmp/bn-secret-XXXXXX";
	int			 fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "from-file\nignored\n", 19), 19);
	close(fd);
	setenv("BN_TEST_PW", "from-env", 1);
	{
		char	xml[1024];

		snprintf(xml, sizeof(xml), "<brokernet name=\"A\">\n"
		    "<broker uri=\"stomp://h:1\" passcode=\"${env:BN_TEST_PW}\"/>\n"
		    "<plugins><simpleAuthenticationPlugin><users>\n"
		    "<authenticationUser username=\"u\" password=\"${file:%s}\"/>\n"
		    "</users></simpleAuthenticationPlugin></plugins>\n"
		    "</brokernet>\n", path);
		c = load_ok(xml);
	}
	assert_string_equal(c->broker.passcode, "from-env");
	assert_string_equal(c->users[0].password, "from-file");
	bn_config_free(c);
	unlink(path);
	unsetenv("BN_TEST_PW");
	assert_null(load(HEAD "<networkConnectors>\n<networkConnector uri=\""
	    "static:(tcp://h:1)\"\n password=\"${env:BN_TEST_PW}\"/>\n"
	    "</networkConnectors>\n" TAIL));
	assert_string_equal(errbuf, "t.xml:5: password on <networkConnector>: "
	    "environment variable BN_TEST_PW is not set");
	assert_null(load("<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\""
	    " passcode=\"${file:/nonexistent/pw}\"/>\n</brokernet>\n"));
	assert_string_equal(errbuf, "t.xml:2: passcode on <broker>: cannot read "
	    "/nonexistent/pw: No such file or directory");
	assert_null(load("<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\""
	    " passcode=\"${vault:x}\"/>\n</brokernet>\n"));
	assert_string_equal(errbuf, "t.xml:2: passcode on <broker>: unknown "
	    "reference \"${vault:x}\" (allowed: ${env:NAME}, ${file:PATH})");
}

/* ssl:// needs the PEM files of <sslContext>; needClientAuth is parsed. */
static void
test_ssl_context(void **state)
{
	struct bn_config	*c;

	c = load_ok(HEAD "<transportConnectors>\n"
	    "  <transportConnector uri=\"ssl://127.0.0.1:1?needClientAuth=true\"/>\n"
	    "</transportConnectors>\n"
	    "<sslContext certificate=\"c\" privateKey=\"k\"/>\n" TAIL);
	assert_true(c->listeners[0].need_client_auth);
	assert_true(c->ssl_verify_host);
	assert_null(c->ssl_ca);
	bn_config_free(c);
	assert_null(load(HEAD "<transportConnectors>\n"
	    "  <transportConnector uri=\"ssl://127.0.0.1:1\"/>\n"
	    "</transportConnectors>\n" TAIL));
	assert_string_equal(errbuf, "t.xml:4: ssl:// on <transportConnector> "
	    "\"TC\" needs <sslContext certificate=... privateKey=...>");
	assert_null(load(HEAD "<networkConnectors>\n"
	    "  <networkConnector uri=\"static:(ssl://127.0.0.1:1)\"/>\n"
	    "</networkConnectors>\n"
	    "<sslContext certificate=\"c\" privateKey=\"k\"/>\n" TAIL));
	assert_string_equal(errbuf, "t.xml:4: ssl:// peer on <networkConnector> "
	    "\"NC\" needs <sslContext trustedCertificates=...>");
	assert_null(load(HEAD "<sslContext\n certificate=\"c\"/>\n" TAIL));
	assert_string_equal(errbuf, "t.xml:3: <sslContext> needs both "
	    "certificate and privateKey, or neither");
	assert_null(load(HEAD "<sslContext keyStore=\"x.jks\"/>\n" TAIL));
	assert_non_null(strstr(errbuf, "t.xml:3: unknown attribute "
	    "\"keyStore\" on <sslContext>"));
}

/* A connector with only a uri takes every ActiveMQ 5.18 default. */
static void
test_connector_defaults(void **state)
{
	struct bn_config		*c;
	struct bn_network_connector	*nc;

	c = load_ok(HEAD "<networkConnectors>\n"
	    "<networkConnector uri=\"static:(tcp://127.0.0.1:61701)\"/>\n"
	    "</networkConnectors>\n" TAIL);
	assert_int_equal(c->nconnectors, 1);
	nc = &c->connectors[0];
	assert_string_equal(nc->name, "NC");
	assert_string_equal(nc->uri, "static:(tcp://127.0.0.1:61701)");
	assert_int_equal(nc->line, 4);
	assert_int_equal(nc->discovery, BN_DISC_STATIC);
	assert_int_equal(nc->npeers, 1);
	check_endpoint(&nc->peers[0], "tcp", "127.0.0.1", 61701);
	check_nc_defaults(nc);
	bn_config_free(c);

	/* empty containers and a plugin without users are fine */
	c = load_ok(HEAD "<transportConnectors/>\n<networkConnectors>"
	    "</networkConnectors>\n<plugins><simpleAuthenticationPlugin/>"
	    "</plugins>\n" TAIL);
	assert_int_equal(c->nconnectors, 0);
	assert_int_equal(c->nlisteners, 0);
	assert_true(c->auth_enabled);
	assert_int_equal(c->nusers, 0);
	bn_config_free(c);

	/* an empty <plugins> does not turn authentication on */
	c = load_ok(HEAD "<plugins/>\n" TAIL);
	assert_false(c->auth_enabled);
	bn_config_free(c);
}

/* messageTTL and consumerTTL follow networkTTL unless given. */
struct ttl {
	const char	*attrs;
	int64_t		 net, msg, cons;
};

static const struct ttl ttls[] = {
	{ "", 1, 1, 1 },
	{ "networkTTL=\"3\"", 3, 3, 3 },
	{ "networkTTL=\"0\"", 0, 0, 0 },
	{ "networkTTL=\"-1\"", -1, -1, -1 },
	{ "messageTTL=\"2\"", 1, 2, 1 },
	{ "consumerTTL=\"4\"", 1, 1, 4 },
	{ "messageTTL=\"2\" networkTTL=\"5\"", 5, 2, 5 },
	{ "networkTTL=\"5\" messageTTL=\"2\"", 5, 2, 5 },
	{ "consumerTTL=\"7\" networkTTL=\"2\"", 2, 2, 7 },
	{ "networkTTL=\"2\" consumerTTL=\"7\"", 2, 2, 7 },
	{ "consumerTTL=\"-1\" messageTTL=\"3\" networkTTL=\"2\"", 2, 3, -1 },
	{ "messageTTL=\"-1\" networkTTL=\"9223372036854775807\"",
	    INT64_MAX, -1, INT64_MAX },
};

static void
test_ttl(void **state)
{
	struct bn_config	*c;
	char			*xml;
	size_t			 i;

	for (i = 0; i < NELEM(ttls); i++) {
		xasprintf(&xml, HEAD "<networkConnectors><networkConnector "
		    "uri=\"multicast://\" %s/></networkConnectors>" TAIL,
		    ttls[i].attrs);
		c = load_ok(xml);
		if (c->connectors[0].network_ttl != ttls[i].net ||
		    c->connectors[0].message_ttl != ttls[i].msg ||
		    c->connectors[0].consumer_ttl != ttls[i].cons)
			fail_msg("%s: got %lld/%lld/%lld", ttls[i].attrs,
			    (long long)c->connectors[0].network_ttl,
			    (long long)c->connectors[0].message_ttl,
			    (long long)c->connectors[0].consumer_ttl);
		bn_config_free(c);
		free(xml);
	}
}

/* Unnamed connectors: "NC", "NC1", ... skipping names in use. */
struct names {
	const char	*given[4];	/* "" = no name attribute */
	const char	*want[4];
};

static const struct names nc_names[] = {
	{ { "" }, { "NC" } },
	{ { "", "", "" }, { "NC", "NC1", "NC2" } },
	{ { "NC", "" }, { "NC", "NC1" } },
	{ { "", "NC" }, { "NC1", "NC" } },
	{ { "NC1", "", "" }, { "NC1", "NC", "NC2" } },
	{ { "", "NC", "NC1", "" }, { "NC2", "NC", "NC1", "NC3" } },
	{ { "a", "", "b" }, { "a", "NC", "b" } },
};

/* "NC..." as "TC...": the transport connectors' version of a name. */
static const char *
tc_name(const char *nc, char *buf, size_t len)
{
	snprintf(buf, len, "%s", nc);
	if (strncmp(buf, "NC", 2) == 0)
		buf[0] = 'T';
	return buf;
}

static void
test_default_names(void **state)
{
	struct bn_config	*c;
	struct bn_buf		 b;
	char			 tc[16];
	size_t			 i, j, n;

	for (i = 0; i < NELEM(nc_names); i++) {
		memset(&b, 0, sizeof(b));
		bn_buf_addstr(&b, HEAD "<transportConnectors>\n");
		for (n = 0; n < 4 && nc_names[i].given[n] != NULL; n++) {
			bn_buf_addstr(&b, "<transportConnector ");
			if (*nc_names[i].given[n] != '\0')
				bn_buf_printf(&b, "name=\"%s\" ",
				    tc_name(nc_names[i].given[n], tc,
				    sizeof(tc)));
			bn_buf_printf(&b, "uri=\"tcp://127.0.0.1:%zu\"/>\n",
			    61700 + n);
		}
		bn_buf_addstr(&b, "</transportConnectors>\n"
		    "<networkConnectors>\n");
		for (j = 0; j < n; j++) {
			bn_buf_addstr(&b, "<networkConnector ");
			if (*nc_names[i].given[j] != '\0')
				bn_buf_printf(&b, "name=\"%s\" ",
				    nc_names[i].given[j]);
			bn_buf_addstr(&b, "uri=\"multicast://\"/>\n");
		}
		bn_buf_addstr(&b, "</networkConnectors>\n" TAIL);
		c = load_ok(b.data);
		assert_int_equal(c->nconnectors, n);
		assert_int_equal(c->nlisteners, n);
		for (j = 0; j < n; j++) {
			assert_string_equal(c->connectors[j].name,
			    nc_names[i].want[j]);
			/* transport connectors: the same rule with "TC" */
			assert_string_equal(c->listeners[j].name,
			    tc_name(nc_names[i].want[j], tc, sizeof(tc)));
		}
		bn_config_free(c);
		bn_buf_free(&b);
	}
}

/* The loaded lists drive bn_connector_filter as the file says. */
static void
test_filter_from_config(void **state)
{
	struct bn_config	*c;

	c = load_ok(HEAD "<networkConnectors>\n"
	    "<networkConnector uri=\"static:(tcp://127.0.0.1:61701)\">\n"
	    "<excludedDestinations><queue physicalName=\"orders.secret\"/>"
	    "<topic physicalName=\"audit\"/></excludedDestinations>\n"
	    "<dynamicallyIncludedDestinations>"
	    "<queue physicalName=\"orders.>\"/>"
	    "</dynamicallyIncludedDestinations>\n"
	    "<staticallyIncludedDestinations><queue physicalName=\"audit\"/>"
	    "</staticallyIncludedDestinations>\n"
	    "</networkConnector>\n"
	    "<networkConnector uri=\"multicast://\"/>\n"
	    "</networkConnectors>\n" TAIL);
	assert_int_equal(bn_connector_filter(&c->connectors[0], "orders.eu"),
	    BN_FILTER_DYNAMIC);
	assert_int_equal(bn_connector_filter(&c->connectors[0],
	    "orders.secret"), BN_FILTER_DENY);
	assert_int_equal(bn_connector_filter(&c->connectors[0], "audit"),
	    BN_FILTER_STATIC);
	assert_int_equal(bn_connector_filter(&c->connectors[0], "other"),
	    BN_FILTER_DENY);
	assert_int_equal(bn_connector_filter(&c->connectors[1], "other"),
	    BN_FILTER_DYNAMIC);
	assert_int_equal(bn_connector_filter(&c->connectors[1],
	    "ActiveMQ.DLQ"), BN_FILTER_DENY);
	bn_config_free(c);
}

struct bad {
	const char	*xml;
	const char	*err;
};

#define NC_ALLOWED "name, uri, networkTTL, messageTTL, consumerTTL, duplex, " \
	"dynamicOnly, decreaseNetworkConsumerPriority, prefetchSize, " \
	"conduitSubscriptions, userName, password, replayDelay, useCompression, " \
	"durableTopicSubscriptions"
#define NC_OPEN	HEAD "<networkConnectors>\n"
#define NC_CLOSE "</networkConnectors>\n" TAIL
#define NC_URI	"uri=\"static:(tcp://127.0.0.1:61701)\""

/* Config errors: the exact message and line of each. */
static const struct bad bads[] = {
	/* <brokernet> */
	{ "<brokernet>\n<broker uri=\"stomp://h:1\"/>\n" TAIL,
	    "t.xml:1: <brokernet> needs a name attribute" },
	{ "<brokernet name=\"\">\n<broker uri=\"stomp://h:1\"/>\n" TAIL,
	    "t.xml:1: bad name \"\" on <brokernet>: is empty (expected 1 to 63 "
	    "of A-Z a-z 0-9 _ . -)" },
	{ "<brokernet\n name=\"a b\">\n<broker uri=\"stomp://h:1\"/>\n" TAIL,
	    "t.xml:2: bad name \"a b\" on <brokernet>: contains whitespace "
	    "(expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ "<brokernet name=\"a,b\"><broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:1: bad name \"a,b\" on <brokernet>: contains a comma (paths "
	    "are ,A,B,) (expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ "<brokernet name=\"a&quot;b\"><broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:1: bad name \"a\"b\" on <brokernet>: contains a quote "
	    "(expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ "<brokernet name=\"a&#127;b\"><broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:1: bad name \"a?b\" on <brokernet>: contains a control "
	    "character (expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ "<brokernet name=\"a&#10;b\"><broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:1: bad name \"a?b\" on <brokernet>: contains whitespace "
	    "(expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ "<brokernet name=\"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvw"
	    "xyz0123456789ab\"><broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:1: bad name \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs"
	    "tuvwxyz01234567...\" on <brokernet>: is longer than 63 bytes "
	    "(expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ "<brokernet name=\"A\" dataDirectory=\"\">\n"
	    "<broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:1: empty dataDirectory on <brokernet>" },
	{ "<brokernet name=\"A\"\n\n duplicateWindow=\"0\">\n"
	    "<broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:3: bad value \"0\" for duplicateWindow on <brokernet> "
	    "(expected an integer >= 1)" },
	{ "<brokernet name=\"A\" duplicateWindow=\"1e5\">\n"
	    "<broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:1: bad value \"1e5\" for duplicateWindow on <brokernet> "
	    "(expected an integer >= 1)" },
	{ "<brokernet name=\"A\" duplicateWindowAge=\"-1\">\n"
	    "<broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:1: bad value \"-1\" for duplicateWindowAge on <brokernet> "
	    "(expected an integer >= 1)" },
	{ "<brokernet name=\"A\"\n duplicateWindowAge=\"1h\">\n"
	    "<broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:2: bad value \"1h\" for duplicateWindowAge on <brokernet> "
	    "(expected an integer >= 1)" },
	{ "<brokernet name=\"A\" brokerName=\"A\">\n"
	    "<broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:1: unknown attribute \"brokerName\" on <brokernet> "
	    "(allowed: name, dataDirectory, duplicateWindow, "
	    "duplicateWindowAge, offlineNetworkSubscriptionTimeout)" },
	{ "<!-- x -->\n<broker uri=\"stomp://h:1\"/>\n",
	    "t.xml:2: unknown root element <broker> (expected <brokernet>)" },
	{ "<brokernet name=\"A\">\n\n</brokernet>\n",
	    "t.xml:1: missing <broker> in <brokernet>" },
	{ "<brokernet name=\"A\">\n<networkConnectors/>\n</brokernet>\n",
	    "t.xml:1: missing <broker> in <brokernet>" },
	{ HEAD "<foo/>\n" TAIL,
	    "t.xml:3: unknown element <foo> in <brokernet> (allowed: broker, "
	    "transportConnectors, networkConnectors, management, sslContext, plugins)" },
	{ HEAD "<networkConnector " NC_URI "/>\n" TAIL,
	    "t.xml:3: unknown element <networkConnector> in <brokernet> "
	    "(allowed: broker, transportConnectors, networkConnectors, "
	    "management, sslContext, plugins)" },
	{ HEAD "\n  stray text\n\n" TAIL,
	    "t.xml:4: unexpected text in <brokernet>" },
	{ HEAD "<![CDATA[x]]>\n" TAIL,
	    "t.xml:3: unexpected text in <brokernet>" },

	/* <broker> */
	{ HEAD "\n<broker uri=\"stomp://h:2\"/>\n" TAIL,
	    "t.xml:4: duplicate <broker> in <brokernet> (first at line 2)" },
	{ "<brokernet name=\"A\">\n<broker\n/>\n" TAIL,
	    "t.xml:2: <broker> needs a uri attribute" },
	{ "<brokernet name=\"A\">\n<broker uri=\"\"/>\n" TAIL,
	    "t.xml:2: empty uri on <broker>" },
	{ "<brokernet name=\"A\">\n<broker login=\"x\"\n"
	    "  uri=\"stomp://h:0\"/>\n" TAIL,
	    "t.xml:3: bad uri on <broker>: \"stomp://h:0\": port must be "
	    "1..65535" },
	{ "<brokernet name=\"A\">\n<broker uri=\"failover:(tcp://h:1,"
	    "stomp+ssl://h:2)\"/>\n" TAIL,
	    "t.xml:2: stomp+ssl:// on <broker> needs <sslContext "
	    "trustedCertificates=...>" },
	{ "<brokernet name=\"A\">\n<broker uri=\"http://h:1\"/>\n" TAIL,
	    "t.xml:2: bad uri on <broker>: \"http://h:1\": scheme \"http\" not "
	    "allowed (allowed: tcp, ssl, stomp, stomp+ssl)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"failover:(stomp://h:1)?"
	    "timeout=-2\"/>\n" TAIL,
	    "t.xml:2: bad uri on <broker>: bad value \"-2\" for option timeout "
	    "(expected -1 or an integer >= 0)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"failover:(stomp://h:1)?"
	    "foo=1\"/>\n" TAIL,
	    "t.xml:2: bad uri on <broker>: unknown option \"foo\" (allowed: "
	    "initialReconnectDelay, maxReconnectDelay, useExponentialBackOff, "
	    "reconnectDelayExponent, maxReconnectAttempts, "
	    "startupMaxReconnectAttempts, randomize, priorityBackup, "
	    "priorityURIs, timeout, jitter)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\"\n"
	    "  flavor=\"rabbitmq\"/>\n" TAIL,
	    "t.xml:3: bad value \"rabbitmq\" for flavor on <broker> (allowed: "
	    "activemq)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\" "
	    "flavor=\"ActiveMQ\"/>\n" TAIL,
	    "t.xml:2: bad value \"ActiveMQ\" for flavor on <broker> (allowed: "
	    "activemq)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"tcp://h:1\"\n"
	    "  unfaithful=\"drop\"/>\n" TAIL,
	    "t.xml:3: bad value \"drop\" for unfaithful on <broker> "
	    "(allowed: deadLetter, keep)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"tcp://h:1\" "
	    "unfaithful=\"deadletter\"/>\n" TAIL,
	    "t.xml:2: bad value \"deadletter\" for unfaithful on <broker> "
	    "(allowed: deadLetter, keep)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"tcp://h:1\" "
	    "unfaithful=\"\"/>\n" TAIL,
	    "t.xml:2: bad value \"\" for unfaithful on <broker> "
	    "(allowed: deadLetter, keep)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\" "
	    "heartBeat=\"-1\"/>\n" TAIL,
	    "t.xml:2: bad value \"-1\" for heartBeat on <broker> (expected an "
	    "integer >= 0)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\" "
	    "heartBeat=\"10s\"/>\n" TAIL,
	    "t.xml:2: bad value \"10s\" for heartBeat on <broker> (expected an "
	    "integer >= 0)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\" "
	    "receiptWindow=\"0\"/>\n" TAIL,
	    "t.xml:2: bad value \"0\" for receiptWindow on <broker> (expected "
	    "an integer >= 1)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\"\n\n"
	    "  prefetch=\"1\"/>\n" TAIL,
	    "t.xml:4: unknown attribute \"prefetch\" on <broker> (allowed: "
	    "uri, flavor, login, passcode, heartBeat, receiptWindow, "
	    "unfaithful)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\">\n"
	    "  <login/>\n</broker>\n" TAIL,
	    "t.xml:3: unknown element <login> in <broker> (allowed: none)" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\">\n"
	    "  admin\n</broker>\n" TAIL,
	    "t.xml:3: unexpected text in <broker>" },

	/* <transportConnectors> */
	{ HEAD "<transportConnectors>\n"
	    "  <transportConnector name=\"link\"/>\n"
	    "</transportConnectors>\n" TAIL,
	    "t.xml:4: <transportConnector> needs a uri attribute" },
	{ HEAD "<transportConnectors>\n"
	    "  <transportConnector uri=\"stomp://127.0.0.1:61700\"/>\n"
	    "</transportConnectors>\n" TAIL,
	    "t.xml:4: bad uri on <transportConnector>: "
	    "\"stomp://127.0.0.1:61700\": scheme \"stomp\" not allowed "
	    "(allowed: tcp, ssl)" },
	{ HEAD "<transportConnectors>\n"
	    "  <transportConnector name=\"a\"\n"
	    "     uri=\"tcp://127.0.0.1:61700?maxFrameSize=0\"/>\n"
	    "</transportConnectors>\n" TAIL,
	    "t.xml:5: bad uri on <transportConnector>: bad value \"0\" for "
	    "option maxFrameSize (expected an integer >= 1)" },
	{ HEAD "<transportConnectors>\n"
	    "  <transportConnector uri=\"tcp://127.0.0.1:61700?backlog=5\"/>\n"
	    "</transportConnectors>\n" TAIL,
	    "t.xml:4: bad uri on <transportConnector>: unknown option "
	    "\"backlog\" (allowed: maximumConnections, maxFrameSize, "
	    "needClientAuth)" },
	{ HEAD "<transportConnectors>\n"
	    "  <transportConnector name=\"link\" uri=\"tcp://h:1\"/>\n"
	    "  <transportConnector uri=\"tcp://h:2\"\n"
	    "      name=\"link\"/>\n"
	    "</transportConnectors>\n" TAIL,
	    "t.xml:6: duplicate transportConnector name \"link\" (first at "
	    "line 4)" },
	{ HEAD "<transportConnectors>\n"
	    "  <transportConnector name=\"\" uri=\"tcp://h:1\"/>\n"
	    "</transportConnectors>\n" TAIL,
	    "t.xml:4: empty name on <transportConnector>" },
	{ HEAD "<transportConnectors>\n"
	    "  <transportConnector name=\"my link\" uri=\"tcp://h:1\"/>\n"
	    "</transportConnectors>\n" TAIL,
	    "t.xml:4: bad name \"my link\" on <transportConnector>: contains "
	    "whitespace (expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ HEAD "<transportConnectors>\n"
	    "  <transportConnector uri=\"tcp://h:1\" enabled=\"true\"/>\n"
	    "</transportConnectors>\n" TAIL,
	    "t.xml:4: unknown attribute \"enabled\" on <transportConnector> "
	    "(allowed: name, uri)" },
	{ HEAD "<transportConnectors>\n"
	    "  <networkConnector " NC_URI "/>\n"
	    "</transportConnectors>\n" TAIL,
	    "t.xml:4: unknown element <networkConnector> in "
	    "<transportConnectors> (allowed: transportConnector)" },
	{ HEAD "<transportConnectors name=\"x\"/>\n" TAIL,
	    "t.xml:3: unknown attribute \"name\" on <transportConnectors> "
	    "(allowed: none)" },
	{ HEAD "<transportConnectors/>\n<networkConnectors/>\n"
	    "<transportConnectors/>\n" TAIL,
	    "t.xml:5: duplicate <transportConnectors> in <brokernet> (first "
	    "at line 3)" },
	{ HEAD "<transportConnectors>x</transportConnectors>\n" TAIL,
	    "t.xml:3: unexpected text in <transportConnectors>" },

	/* <networkConnectors> */
	{ NC_OPEN "<networkConnector name=\"x\"/>\n" NC_CLOSE,
	    "t.xml:4: <networkConnector> needs a uri attribute" },
	{ NC_OPEN "<networkConnector uri=\"\"/>\n" NC_CLOSE,
	    "t.xml:4: empty uri on <networkConnector>" },
	{ NC_OPEN "<networkConnector name=\"\" " NC_URI "/>\n" NC_CLOSE,
	    "t.xml:4: empty name on <networkConnector>" },
	{ NC_OPEN "<networkConnector\n  name=\"x\"\n"
	    "  uri=\"static:(stomp://h:1)\"/>\n" NC_CLOSE,
	    "t.xml:6: bad uri on <networkConnector>: \"stomp://h:1\": scheme "
	    "\"stomp\" not allowed (allowed: tcp, ssl)" },
	{ NC_OPEN "<networkConnector uri=\"multicast://a b\"/>\n" NC_CLOSE,
	    "t.xml:4: bad uri on <networkConnector>: \"multicast://a b\": bad "
	    "group \"a b\" (expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ NC_OPEN "<networkConnector uri=\"static:(tcp://h:1)?interface=lo\"/>"
	    "\n" NC_CLOSE,
	    "t.xml:4: bad uri on <networkConnector>: unknown option "
	    "\"interface\" (allowed: initialReconnectDelay, "
	    "maxReconnectDelay, useExponentialBackOff, backOffMultiplier, "
	    "maxReconnectAttempts, jitter)" },
	{ NC_OPEN "<networkConnector uri=\"masterslave:(tcp://h:1)\"/>\n"
	    NC_CLOSE,
	    "t.xml:4: bad uri on <networkConnector>: "
	    "\"masterslave:(tcp://h:1)\": masterslave: needs at least two "
	    "URIs" },
	{ NC_OPEN "<networkConnector name=\"to-B\" " NC_URI "/>\n"
	    "<networkConnector " NC_URI "/>\n"
	    "<networkConnector\n " NC_URI "\n name=\"to-B\"/>\n" NC_CLOSE,
	    "t.xml:8: duplicate networkConnector name \"to-B\" (first at line "
	    "4)" },
	{ NC_OPEN "<networkConnector name=\"to,B\" " NC_URI "/>\n" NC_CLOSE,
	    "t.xml:4: bad name \"to,B\" on <networkConnector>: contains a comma "
	    "(paths are ,A,B,) (expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ NC_OPEN "<networkConnector\n name=\"to\\B\" " NC_URI "/>\n" NC_CLOSE,
	    "t.xml:5: bad name \"to\\B\" on <networkConnector>: contains a "
	    "backslash (expected 1 to 63 of A-Z a-z 0-9 _ . -)" },
	{ NC_OPEN "<networkConnector " NC_URI " networkTTL=\"-2\"/>\n"
	    NC_CLOSE,
	    "t.xml:4: bad value \"-2\" for networkTTL on <networkConnector> "
	    "(expected -1 for unlimited or an integer >= 0)" },
	{ NC_OPEN "<networkConnector " NC_URI " networkTTL=\"one\"/>\n"
	    NC_CLOSE,
	    "t.xml:4: bad value \"one\" for networkTTL on <networkConnector> "
	    "(expected -1 for unlimited or an integer >= 0)" },
	{ NC_OPEN "<networkConnector " NC_URI "\n messageTTL=\"x\"/>\n"
	    NC_CLOSE,
	    "t.xml:5: bad value \"x\" for messageTTL on <networkConnector> "
	    "(expected -1 for unlimited or an integer >= 0)" },
	{ NC_OPEN "<networkConnector " NC_URI " consumerTTL=\"1.5\"/>\n"
	    NC_CLOSE,
	    "t.xml:4: bad value \"1.5\" for consumerTTL on <networkConnector> "
	    "(expected -1 for unlimited or an integer >= 0)" },
	{ NC_OPEN "<networkConnector " NC_URI " consumerTTL=\"-9\"/>\n"
	    NC_CLOSE,
	    "t.xml:4: bad value \"-9\" for consumerTTL on <networkConnector> "
	    "(expected -1 for unlimited or an integer >= 0)" },
	{ NC_OPEN "<networkConnector " NC_URI " duplex=\"yes\"/>\n" NC_CLOSE,
	    "t.xml:4: bad value \"yes\" for duplex on <networkConnector> "
	    "(expected true or false)" },
	{ NC_OPEN "<networkConnector " NC_URI " dynamicOnly=\"1\"/>\n"
	    NC_CLOSE,
	    "t.xml:4: bad value \"1\" for dynamicOnly on <networkConnector> "
	    "(expected true or false)" },
	{ NC_OPEN "<networkConnector " NC_URI
	    " decreaseNetworkConsumerPriority=\"\"/>\n" NC_CLOSE,
	    "t.xml:4: bad value \"\" for decreaseNetworkConsumerPriority on "
	    "<networkConnector> (expected true or false)" },
	{ NC_OPEN "<networkConnector " NC_URI "\n\n prefetchSize=\"0\"/>\n"
	    NC_CLOSE,
	    "t.xml:6: bad value \"0\" for prefetchSize on <networkConnector> "
	    "(expected an integer from 1 to 2147483647)" },
	{ NC_OPEN "<networkConnector " NC_URI
	    " prefetchSize=\"2147483648\"/>\n" NC_CLOSE,
	    "t.xml:4: bad value \"2147483648\" for prefetchSize on "
	    "<networkConnector> (expected an integer from 1 to 2147483647)" },
	{ NC_OPEN "<networkConnector " NC_URI " prefetchSize=\" 1\"/>\n"
	    NC_CLOSE,
	    "t.xml:4: bad value \" 1\" for prefetchSize on <networkConnector> "
	    "(expected an integer from 1 to 2147483647)" },
	{ NC_OPEN "<networkConnector " NC_URI
	    " conduitSubscriptions=\"no\"/>\n" NC_CLOSE,
	    "t.xml:4: bad value \"no\" for conduitSubscriptions on "
	    "<networkConnector> (expected true or false)" },
	{ NC_OPEN "<networkConnector " NC_URI " userName=\"\"/>\n" NC_CLOSE,
	    "t.xml:4: empty userName on <networkConnector>" },
	{ NC_OPEN "<networkConnector " NC_URI "\n  useCompression=\"zstd\"/>\n"
	    NC_CLOSE,
	    "t.xml:5: bad value \"zstd\" for useCompression on "
	    "<networkConnector> (expected true or false)" },
	{ NC_OPEN "<networkConnector " NC_URI " replayDelay=\"-1\"/>\n"
	    NC_CLOSE,
	    "t.xml:4: bad value \"-1\" for replayDelay on <networkConnector> "
	    "(expected an integer >= 0)" },
	{ NC_OPEN "<networkConnector " NC_URI "\n  prefetch=\"1\"/>\n"
	    NC_CLOSE,
	    "t.xml:5: unknown attribute \"prefetch\" on <networkConnector> "
	    "(allowed: " NC_ALLOWED ")" },
	{ NC_OPEN "<networkConnector " NC_URI " username=\"x\"/>\n" NC_CLOSE,
	    "t.xml:4: unknown attribute \"username\" on <networkConnector> "
	    "(allowed: " NC_ALLOWED ")" },
	{ NC_OPEN "<networkConnector " NC_URI
	    " xmlns:x=\"urn:x\" x:name=\"y\"/>\n" NC_CLOSE,
	    "t.xml:4: unknown attribute \"x:name\" on <networkConnector> "
	    "(allowed: " NC_ALLOWED ")" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <durableDestinations/>\n</networkConnector>\n" NC_CLOSE,
	    "t.xml:5: unknown element <durableDestinations> in "
	    "<networkConnector> (allowed: dynamicallyIncludedDestinations, "
	    "staticallyIncludedDestinations, excludedDestinations)" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <excludedDestinations/>\n\n  <excludedDestinations/>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:7: duplicate <excludedDestinations> in <networkConnector> "
	    "(first at line 5)" },
	{ NC_OPEN "<transportConnector uri=\"tcp://h:1\"/>\n" NC_CLOSE,
	    "t.xml:4: unknown element <transportConnector> in "
	    "<networkConnectors> (allowed: networkConnector)" },
	{ HEAD "<networkConnectors/>\n<networkConnectors/>\n" TAIL,
	    "t.xml:4: duplicate <networkConnectors> in <brokernet> (first at "
	    "line 3)" },

	/* destinations */
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <dynamicallyIncludedDestinations>\n"
	    "    <queue/>\n"
	    "  </dynamicallyIncludedDestinations>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:6: <queue> needs a physicalName attribute" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <staticallyIncludedDestinations>\n"
	    "    <topic physicalName=\"\"/>\n"
	    "  </staticallyIncludedDestinations>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:6: empty physicalName on <topic>" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <excludedDestinations>\n"
	    "    <queue\n      physicalName=\"a.>.b\"/>\n"
	    "  </excludedDestinations>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:7: bad physicalName \"a.>.b\" on <queue>: \">\" must be the "
	    "last segment" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <excludedDestinations><queue physicalName=\">.a\"/>"
	    "</excludedDestinations>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:5: bad physicalName \">.a\" on <queue>: \">\" must be the "
	    "last segment" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <dynamicallyIncludedDestinations><queue physicalName=\"a,b\"/>"
	    "</dynamicallyIncludedDestinations>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:5: bad physicalName \"a,b\" on <queue>: composite "
	    "destinations are not supported, use one <queue> per name" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <dynamicallyIncludedDestinations><topic physicalName=\"a\" "
	    "name=\"b\"/></dynamicallyIncludedDestinations>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:5: unknown attribute \"name\" on <topic> (allowed: "
	    "physicalName)" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <dynamicallyIncludedDestinations>\n"
	    "    <tempQueue physicalName=\"a\"/>\n"
	    "  </dynamicallyIncludedDestinations>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:6: unknown element <tempQueue> in "
	    "<dynamicallyIncludedDestinations> (allowed: queue, topic)" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <dynamicallyIncludedDestinations>\n"
	    "    orders.>\n"
	    "  </dynamicallyIncludedDestinations>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:6: unexpected text in <dynamicallyIncludedDestinations>" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <excludedDestinations><queue physicalName=\"a\">x</queue>"
	    "</excludedDestinations>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:5: unexpected text in <queue>" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <excludedDestinations><queue physicalName=\"a\"><queue "
	    "physicalName=\"b\"/></queue></excludedDestinations>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:5: unknown element <queue> in <queue> (allowed: none)" },
	{ NC_OPEN "<networkConnector " NC_URI ">\n"
	    "  <excludedDestinations x=\"1\"/>\n"
	    "</networkConnector>\n" NC_CLOSE,
	    "t.xml:5: unknown attribute \"x\" on <excludedDestinations> "
	    "(allowed: none)" },

	/* <management> */
	{ HEAD "<management/>\n" TAIL,
	    "t.xml:3: <management> needs a uri attribute" },
	{ HEAD "<management uri=\"tcp://127.0.0.1:8700\"/>\n" TAIL,
	    "t.xml:3: bad uri on <management>: scheme \"tcp\" not allowed "
	    "(allowed: http)" },
	{ HEAD "<management uri=\"http://127.0.0.1:8700/status\"/>\n" TAIL,
	    "t.xml:3: bad uri on <management>: "
	    "\"http://127.0.0.1:8700/status\": unexpected \"/status\" after "
	    "the port" },
	{ HEAD "<management uri=\"http://127.0.0.1\"/>\n" TAIL,
	    "t.xml:3: bad uri on <management>: \"http://127.0.0.1\": missing "
	    "port" },
	{ HEAD "<management uri=\"http://h:1\"/>\n<management "
	    "uri=\"http://h:2\"/>\n" TAIL,
	    "t.xml:4: duplicate <management> in <brokernet> (first at line "
	    "3)" },
	{ HEAD "<management uri=\"http://h:1\" path=\"/\"/>\n" TAIL,
	    "t.xml:3: unknown attribute \"path\" on <management> (allowed: "
	    "uri)" },

	/* <plugins> */
	{ HEAD "<plugins>\n  <jaasAuthenticationPlugin/>\n</plugins>\n" TAIL,
	    "t.xml:4: unknown element <jaasAuthenticationPlugin> in <plugins> "
	    "(allowed: simpleAuthenticationPlugin)" },
	{ HEAD "<plugins>\n  <simpleAuthenticationPlugin "
	    "anonymousAccessAllowed=\"true\"/>\n</plugins>\n" TAIL,
	    "t.xml:4: unknown attribute \"anonymousAccessAllowed\" on "
	    "<simpleAuthenticationPlugin> (allowed: none)" },
	{ HEAD "<plugins><simpleAuthenticationPlugin/>\n"
	    "<simpleAuthenticationPlugin/></plugins>\n" TAIL,
	    "t.xml:4: duplicate <simpleAuthenticationPlugin> in <plugins> "
	    "(first at line 3)" },
	{ HEAD "<plugins><simpleAuthenticationPlugin><users/>\n<users/>"
	    "</simpleAuthenticationPlugin></plugins>\n" TAIL,
	    "t.xml:4: duplicate <users> in <simpleAuthenticationPlugin> (first "
	    "at line 3)" },
	{ HEAD "<plugins><simpleAuthenticationPlugin>\n<user/>"
	    "</simpleAuthenticationPlugin></plugins>\n" TAIL,
	    "t.xml:4: unknown element <user> in <simpleAuthenticationPlugin> "
	    "(allowed: users)" },
	{ HEAD "<plugins><simpleAuthenticationPlugin><users>\n"
	    "  <authenticationUser password=\"p\"/>\n"
	    "</users></simpleAuthenticationPlugin></plugins>\n" TAIL,
	    "t.xml:4: <authenticationUser> needs a username attribute" },
	{ HEAD "<plugins><simpleAuthenticationPlugin><users>\n"
	    "  <authenticationUser username=\"\" password=\"p\"/>\n"
	    "</users></simpleAuthenticationPlugin></plugins>\n" TAIL,
	    "t.xml:4: empty username on <authenticationUser>" },
	{ HEAD "<plugins><simpleAuthenticationPlugin><users>\n"
	    "  <authenticationUser username=\"u\"/>\n"
	    "</users></simpleAuthenticationPlugin></plugins>\n" TAIL,
	    "t.xml:4: <authenticationUser> needs a password attribute" },
	{ HEAD "<plugins><simpleAuthenticationPlugin><users>\n"
	    "  <authenticationUser username=\"u\" password=\"p\"/>\n"
	    "  <authenticationUser password=\"q\"\n"
	    "      username=\"u\"/>\n"
	    "</users></simpleAuthenticationPlugin></plugins>\n" TAIL,
	    "t.xml:6: duplicate authenticationUser \"u\" (first at line 4)" },
	{ HEAD "<plugins><simpleAuthenticationPlugin><users>\n"
	    "  <authenticationUser username=\"u\" password=\"p\" "
	    "role=\"admin\"/>\n"
	    "</users></simpleAuthenticationPlugin></plugins>\n" TAIL,
	    "t.xml:4: unknown attribute \"role\" on <authenticationUser> "
	    "(allowed: username, password, groups)" },
	{ HEAD "<plugins><simpleAuthenticationPlugin><users>\n"
	    "  <authenticationUser username=\"u\" password=\"p\"/>x\n"
	    "</users></simpleAuthenticationPlugin></plugins>\n" TAIL,
	    "t.xml:4: unexpected text in <users>" },

	/* entities: refused where declared */
	{ "<!DOCTYPE brokernet [\n"
	    "  <!ENTITY lol \"lol\">\n"
	    "]>\n" HEAD TAIL,
	    "t.xml:2: entity declarations are not allowed (\"lol\")" },
	{ "<!DOCTYPE brokernet [\n"
	    "  <!ELEMENT brokernet ANY>\n"
	    "  <!ENTITY % pe \"x\">\n"
	    "]>\n" HEAD TAIL,
	    "t.xml:3: entity declarations are not allowed (\"pe\")" },
	{ "<!DOCTYPE brokernet [\n"
	    "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
	    "]>\n<brokernet name=\"&xxe;\">\n"
	    "<broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:2: entity declarations are not allowed (\"xxe\")" },
	{ "<!DOCTYPE brokernet [\n"
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    "]>\n<brokernet name=\"A\">&b;\n"
	    "<broker uri=\"stomp://h:1\"/>" TAIL,
	    "t.xml:2: entity declarations are not allowed (\"a\")" },

	/* long and odd values are quoted in part */
	{ NC_OPEN "<networkConnector " NC_URI " duplex=\"aaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"/>"
	    "\n" NC_CLOSE,
	    "t.xml:4: bad value \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaa...\" for duplex on <networkConnector> (expected "
	    "true or false)" },
	{ NC_OPEN "<networkConnector " NC_URI " duplex=\"a&#9;b&#10;\"/>\n"
	    NC_CLOSE,
	    "t.xml:4: bad value \"a?b?\" for duplex on <networkConnector> "
	    "(expected true or false)" },
	/* found by fuzz_config: a newline inside a URI stays out */
	{ NC_OPEN "<networkConnector uri=\"static:(tcp://h:1)?initial&#10;"
	    "Delay=1\"/>\n" NC_CLOSE,
	    "t.xml:4: bad uri on <networkConnector>: unknown option "
	    "\"initial?Delay\" (allowed: initialReconnectDelay, "
	    "maxReconnectDelay, useExponentialBackOff, backOffMultiplier, "
	    "maxReconnectAttempts, jitter)" },
	{ HEAD "<management uri=\"http://h&#13;&#10;:1\"/>\n" TAIL,
	    "t.xml:3: bad uri on <management>: \"http://h??:1\": bad "
	    "character '?' in host" },
};

static void
test_errors(void **state)
{
	struct bn_config	*c;
	size_t			 i, failed = 0;

	/* report every wrong row, then fail */
	for (i = 0; i < NELEM(bads); i++) {
		if ((c = load(bads[i].xml)) != NULL) {
			bn_config_free(c);
			print_error("row %zu accepted:\n%s\n", i, bads[i].xml);
			failed++;
		} else if (strcmp(errbuf, bads[i].err) != 0) {
			print_error("row %zu:\n%s\n got  %s\n want %s\n", i,
			    bads[i].xml, errbuf, bads[i].err);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/*
 * Malformed XML: libxml2's message with its line. The wording is
 * libxml2's, so only a stable part of it is checked.
 */
struct malformed {
	const char	*xml;
	size_t		 len;	/* 0: strlen */
	const char	*prefix;
	const char	*part;
};

static const struct malformed malformeds[] = {
	{ "", 0, "t.xml:1: ", "Document is empty" },
	{ "   \n\n  ", 0, "t.xml:3: ", "Start tag expected" },
	{ "hello", 0, "t.xml:1: ", "Start tag expected" },
	{ HEAD "<networkConnectors>\n" TAIL, 0, "t.xml:4: ",
	    "Opening and ending tag mismatch" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\">\n" TAIL, 0,
	    "t.xml:3: ", "mismatch" },
	{ HEAD TAIL "<brokernet/>\n", 0, "t.xml:4: ", "Extra content" },
	{ "<brokernet name=\"A\">\n<broker\n uri=\"a&b\"/>" TAIL, 0,
	    "t.xml:3: ", "EntityRef" },
	{ "<brokernet name=\"A\">\n<broker uri=\"x\" uri=\"y\"/>" TAIL, 0,
	    "t.xml:2: ", "redefined" },
	{ "<brokernet name=\"A\">\n<broker uri=stomp://h:1/>" TAIL, 0,
	    "t.xml:2: ", "AttValue" },
	{ "<brokernet name=\"A\">\n<broker uri=\"<\"/>" TAIL, 0, "t.xml:2: ",
	    "'<'" },
	{ "<brokernet name=\"A\">\n\n<broker uri=\"stomp://h:1\"/>&nbsp;"
	    TAIL, 0, "t.xml:3: ", "nbsp" },
	{ "<brokernet name=\"A\">\n<x:broker uri=\"stomp://h:1\"/>" TAIL, 0,
	    "t.xml:2: ", "Namespace prefix x" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\"/>\0" TAIL,
	    sizeof("<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\"/>\0"
	    TAIL) - 1, "t.xml:2: ", "end of data" },
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\"/>\n"
	    "</brokernet", 0, "t.xml:3: ", "" },
	{ "<?xml version=\"1.0\" encoding=\"no-such-charset\"?>\n" HEAD TAIL, 0,
	    "t.xml:1: ", "" },
	/* found by fuzz_config: libxml2's two-line message, as one line */
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\"/>\n"
	    "<!-- \xff\xff\xff\xff -->" TAIL, 0, "t.xml:3: ",
	    "Input is not proper UTF-8, indicate encoding ! Bytes: 0xFF 0xFF "
	    "0xFF 0xFF" },
};

static void
test_malformed(void **state)
{
	struct bn_config	*c;
	size_t			 i, len;

	for (i = 0; i < NELEM(malformeds); i++) {
		len = malformeds[i].len ? malformeds[i].len :
		    strlen(malformeds[i].xml);
		errbuf[0] = '\0';
		c = bn_config_load_string(malformeds[i].xml, len, "t.xml",
		    errbuf, sizeof(errbuf));
		if (c != NULL) {
			bn_config_free(c);
			fail_msg("row %zu accepted", i);
		}
		if (strncmp(errbuf, malformeds[i].prefix,
		    strlen(malformeds[i].prefix)) != 0 ||
		    strstr(errbuf + strlen(malformeds[i].prefix),
		    malformeds[i].part) == NULL ||
		    strlen(errbuf) <= strlen(malformeds[i].prefix) ||
		    strchr(errbuf, '\n') != NULL)
			fail_msg("row %zu: got \"%s\", want \"%s...%s...\"", i,
			    errbuf, malformeds[i].prefix, malformeds[i].part);
	}
}

/* unfaithful on <broker>: both words, exactly as spelled. */
static void
test_unfaithful(void **state)
{
	static const struct {
		const char		*attr;
		enum bn_unfaithful	 want;
	} cases[] = {
		{ "", BN_UNFAITHFUL_DEAD_LETTER },
		{ " unfaithful=\"deadLetter\"", BN_UNFAITHFUL_DEAD_LETTER },
		{ " unfaithful=\"keep\"", BN_UNFAITHFUL_KEEP },
	};
	struct bn_config	*c;
	struct bn_buf		 b = { 0 };
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		bn_buf_reset(&b);
		bn_buf_printf(&b, "<brokernet name=\"A\"><broker "
		    "uri=\"tcp://h:1\"%s/>" TAIL, cases[i].attr);
		c = load_ok(b.data);
		assert_int_equal(c->broker.unfaithful, cases[i].want);
		bn_config_free(c);
	}
	bn_buf_free(&b);
}

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

/* The error buffer: truncated, optional; the name stands for the file. */
static void
test_error_buffer(void **state)
{
	static const char	xml[] = HEAD "<foo/>" TAIL;
	struct bn_config	*c;
	char			 small[12];

	memset(small, 'z', sizeof(small));
	assert_null(bn_config_load_string(xml, strlen(xml), "t.xml", small,
	    8));
	assert_string_equal(small, "t.xml:3");
	assert_int_equal(small[8], 'z');
	assert_null(bn_config_load_string(xml, strlen(xml), "t.xml", small,
	    1));
	assert_string_equal(small, "");
	assert_null(bn_config_load_string(xml, strlen(xml), "t.xml", NULL,
	    0));
	assert_null(bn_config_load_string(xml, strlen(xml), NULL, errbuf,
	    sizeof(errbuf)));
	assert_string_equal(errbuf, "<string>:3: unknown element <foo> in "
	    "<brokernet> (allowed: broker, transportConnectors, "
	    "networkConnectors, management, sslContext, plugins)");
	assert_null(bn_config_load_string(NULL, 10, "t.xml", errbuf,
	    sizeof(errbuf)));
	assert_string_equal(errbuf, "t.xml:1: Document is empty");
	/* only len bytes are read */
	c = bn_config_load_string(HEAD TAIL "garbage", strlen(HEAD TAIL),
	    "t.xml", errbuf, sizeof(errbuf));
	assert_non_null(c);
	assert_string_equal(c->file, "t.xml");
	bn_config_free(c);
	/* and the success path clears the buffer */
	assert_string_equal(errbuf, "");
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
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_ssl_context),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_connector_defaults),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_default_names),
		cmocka_unit_test(test_filter_from_config),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unfaithful),
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_example_files),
		cmocka_unit_test(test_load_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
