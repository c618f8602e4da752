/*
 * Unit tests for bridge/config.c, the refusals: every configuration error
 * with its exact message and line, malformed XML and entities (libxml2's
 * message on one line), the error buffer.
 */
#include "config_fixture.h"

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
	{ "<brokernet name=\"A\">\n<broker uri=\"stomp://h:1\"\n"
	    "  stompEmptyBody=\"keep\"/>\n" TAIL,
	    "t.xml:3: bad value \"keep\" for stompEmptyBody on <broker> "
	    "(allowed: deadLetter, forward)" },
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
	    "unfaithful, stompEmptyBody)" },
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_error_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
