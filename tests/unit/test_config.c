/*
 * Unit tests for bridge/config.c, the model: every attribute, every
 * default, secrets from the environment or a file, TLS, connector names and
 * TTLs, the filter lists. Errors are in test_config_errors.c, XML forms and
 * files in test_config_load.c.
 */
#include <unistd.h>

#include "brokernet/filter.h"

#include "config_fixture.h"

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
	assert_int_equal(c->broker.stomp_empty, BN_STOMP_EMPTY_DEAD_LETTER);
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

/* unfaithful and stompEmptyBody on <broker>: every word, as spelled. */
static void
test_unfaithful(void **state)
{
	static const struct {
		const char		*attr;
		enum bn_unfaithful	 want;
		enum bn_stomp_empty	 empty;
	} cases[] = {
		{ "", BN_UNFAITHFUL_DEAD_LETTER, BN_STOMP_EMPTY_DEAD_LETTER },
		{ " unfaithful=\"deadLetter\"", BN_UNFAITHFUL_DEAD_LETTER,
		  BN_STOMP_EMPTY_DEAD_LETTER },
		{ " unfaithful=\"keep\"", BN_UNFAITHFUL_KEEP,
		  BN_STOMP_EMPTY_DEAD_LETTER },
		{ " stompEmptyBody=\"deadLetter\"", BN_UNFAITHFUL_DEAD_LETTER,
		  BN_STOMP_EMPTY_DEAD_LETTER },
		{ " stompEmptyBody=\"forward\" unfaithful=\"keep\"",
		  BN_UNFAITHFUL_KEEP, BN_STOMP_EMPTY_FORWARD },
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
		assert_int_equal(c->broker.stomp_empty, cases[i].empty);
		bn_config_free(c);
	}
	bn_buf_free(&b);
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
		cmocka_unit_test(test_unfaithful),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
