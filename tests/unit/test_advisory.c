/* Unit tests for bridge/advisory.c: consumer advisory JSON bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "brokernet/advisory.h"
#include "brokernet/util.h"

#define CONN	"ID:host-40325-1700000000000-4:9"

/* The two bodies from the brief, verbatim apart from the elided tail. */
#define ADD_BODY							\
	"{\"ConsumerInfo\":{\"commandId\":4,\"responseRequired\":true,"	\
	"\"consumerId\":{\"connectionId\":\"" CONN "\",\"sessionId\":-1," \
	"\"value\":1},\"destination\":{\"@class\":\"ActiveMQQueue\","	\
	"\"string\":\"orders.eu\"},\"prefetchSize\":7,"			\
	"\"maximumPendingMessageLimit\":0,\"browser\":false,"		\
	"\"dispatchAsync\":true,\"selector\":\"a = 'b'\",\"priority\":3," \
	"\"networkSubscription\":false}}"
#define REMOVE_BODY							\
	"{\"RemoveInfo\":{\"commandId\":0,\"responseRequired\":false,"	\
	"\"objectId\":{\"@class\":\"ConsumerId\",\"connectionId\":\""	\
	CONN "\",\"sessionId\":-1,\"value\":1},"			\
	"\"lastDeliveredSequenceId\":0}}"

/* A ConsumerInfo for the table, with the given members inside. */
#define CI(members)	"{\"ConsumerInfo\":{" members "}}"
#define CID		"\"consumerId\":{\"connectionId\":\"c\","	\
			"\"sessionId\":1,\"value\":2}"
#define QDEST(name)	"\"destination\":{\"@class\":\"ActiveMQQueue\","	\
			"\"string\":\"" name "\"}"
#define RI(objid)	"{\"RemoveInfo\":{\"objectId\":{" objid "}}}"

struct adv_case {
	const char		*name;
	const char		*body;
	size_t			 len;		/* 0: strlen(body) */
	const char		*err;		/* NULL: must parse */
	enum bn_advisory_kind	 kind;
	const char		*consumer_id;
	const char		*connection_id;
	const char		*destination;
	bool			 queue;
	bool			 browser;
	int			 priority;
	bool			 has_selector;
};

/* A row that must fail with reason e; l is the length, 0 for strlen. */
#define ADV_ERR(n, b, l, e)	{ .name = (n), .body = b, .len = (l), .err = (e) }

static const struct adv_case cases[] = {
	/* The examples. */
	{ "add example", ADD_BODY, 0, NULL, BN_ADV_ADD, CONN "/-1/1", CONN,
	    "orders.eu", true, false, 3, true },
	{ "remove example", REMOVE_BODY, 0, NULL, BN_ADV_REMOVE,
	    CONN "/-1/1", CONN, "", false, false, 0, false },
	{ "notes remove, unicode ellipsis",
	    RI("\"@class\":\"ConsumerId\",\"connectionId\":"
	    "\"ID:host-\xe2\x80\xa6-4:9\",\"sessionId\":-1,\"value\":1"),
	    0, NULL, BN_ADV_REMOVE, "ID:host-\xe2\x80\xa6-4:9/-1/1",
	    "ID:host-\xe2\x80\xa6-4:9", "", false, false, 0, false },

	/* Shapes that must parse. */
	{ "minimal add", CI(CID "," QDEST("q")), 0, NULL, BN_ADV_ADD,
	    "c/1/2", "c", "q", true, false, 0, false },
	{ "whitespace everywhere",
	    " \t\r\n{ \"ConsumerInfo\" : { \"consumerId\" : { "
	    "\"connectionId\" : \"c\" , \"sessionId\" : 1 , \"value\" : 2 } ,"
	    " \"destination\" : { \"string\" : \"q\" , \"@class\" : "
	    "\"ActiveMQQueue\" } } }\n\r\t ", 0, NULL, BN_ADV_ADD,
	    "c/1/2", "c", "q", true, false, 0, false },
	{ "negative session and value",
	    CI("\"consumerId\":{\"value\":-7,\"sessionId\":-12,"
	    "\"connectionId\":\"c\"}," QDEST("q")), 0, NULL, BN_ADV_ADD,
	    "c/-12/-7", "c", "q", true, false, 0, false },
	{ "int64 extremes",
	    CI("\"consumerId\":{\"connectionId\":\"c\","
	    "\"sessionId\":-9223372036854775808,"
	    "\"value\":9223372036854775807}," QDEST("q")), 0, NULL,
	    BN_ADV_ADD, "c/-9223372036854775808/9223372036854775807", "c",
	    "q", true, false, 0, false },
	{ "minus zero", CI("\"consumerId\":{\"connectionId\":\"c\","
	    "\"sessionId\":-0,\"value\":0}," QDEST("q")), 0, NULL,
	    BN_ADV_ADD, "c/0/0", "c", "q", true, false, 0, false },
	{ "topic", CI(CID ",\"destination\":{\"@class\":\"ActiveMQTopic\","
	    "\"string\":\"prices\"}"), 0, NULL, BN_ADV_ADD, "c/1/2", "c",
	    "prices", false, false, 0, false },
	{ "temp queue is not a queue", CI(CID ",\"destination\":{"
	    "\"@class\":\"ActiveMQTempQueue\",\"string\":\"ID:x:1:1\"}"), 0,
	    NULL, BN_ADV_ADD, "c/1/2", "c", "ID:x:1:1", false, false, 0,
	    false },
	{ "destination without @class", CI(CID ",\"destination\":{"
	    "\"string\":\"q\"}"), 0, NULL, BN_ADV_ADD, "c/1/2", "c", "q",
	    false, false, 0, false },
	{ "browser", CI(CID "," QDEST("q") ",\"browser\":true"), 0, NULL,
	    BN_ADV_ADD, "c/1/2", "c", "q", true, true, 0, false },
	{ "priority -5", CI(CID "," QDEST("q") ",\"priority\":-5"), 0, NULL,
	    BN_ADV_ADD, "c/1/2", "c", "q", true, false, -5, false },
	{ "priority 127", CI(CID "," QDEST("q") ",\"priority\":127"), 0,
	    NULL, BN_ADV_ADD, "c/1/2", "c", "q", true, false, 127, false },
	{ "priority -128", CI(CID "," QDEST("q") ",\"priority\":-128"), 0,
	    NULL, BN_ADV_ADD, "c/1/2", "c", "q", true, false, -128, false },
	{ "selector null", CI(CID "," QDEST("q") ",\"selector\":null"), 0,
	    NULL, BN_ADV_ADD, "c/1/2", "c", "q", true, false, 0, false },
	{ "selector empty", CI(CID "," QDEST("q") ",\"selector\":\"\""), 0,
	    NULL, BN_ADV_ADD, "c/1/2", "c", "q", true, false, 0, false },
	{ "selector with escapes", CI(CID "," QDEST("q") ",\"selector\":"
	    "\"a = '\\\"\\\\\\u00e9\\ud83d\\ude00'\""), 0, NULL, BN_ADV_ADD,
	    "c/1/2", "c", "q", true, false, 0, true },
	{ "unknown nested fields and arrays",
	    "{\"x\":[1,{\"y\":[[],{}]},null],\"ConsumerInfo\":{"
	    "\"a\":{\"consumerId\":\"decoy\",\"destination\":[1,2]},"
	    "\"b\":[{\"c\":-1.5e+10},\"s\\\"}\",true,false,null,0.0,1E5],"
	    CID ",\"d\":{}," QDEST("q") ",\"e\":[],"
	    "\"brokerPath\":[{\"value\":\"ID:b\"}],"
	    "\"additionalPredicate\":null},\"z\":\"tail\"}", 0, NULL,
	    BN_ADV_ADD, "c/1/2", "c", "q", true, false, 0, false },
	{ "unknown fields in ids", CI("\"consumerId\":{\"x\":{\"value\":"
	    "9},\"connectionId\":\"c\",\"@class\":\"ConsumerId\","
	    "\"sessionId\":1,\"y\":[\"sessionId\"],\"value\":2},"
	    "\"destination\":{\"physicalName\":\"no\",\"@class\":"
	    "\"ActiveMQQueue\",\"string\":\"q\",\"options\":{}}"), 0, NULL,
	    BN_ADV_ADD, "c/1/2", "c", "q", true, false, 0, false },
	{ "escaped destination",
	    CI(CID "," QDEST("orders\\u002eeu\\/x\\\\y\\\"z\\tw")), 0, NULL,
	    BN_ADV_ADD, "c/1/2", "c", "orders.eu/x\\y\"z\tw", true, false, 0,
	    false },
	{ "destination \\b\\f\\n\\r", CI(CID "," QDEST("a\\bb\\fc\\nd\\re")),
	    0, NULL, BN_ADV_ADD, "c/1/2", "c", "a\bb\fc\nd\re", true, false,
	    0, false },
	{ "destination unicode escapes",
	    CI(CID "," QDEST("caf\\u00E9.\\u20ac.\\ud83d\\ude00.\\u007f")), 0,
	    NULL, BN_ADV_ADD, "c/1/2", "c",
	    "caf\xc3\xa9.\xe2\x82\xac.\xf0\x9f\x98\x80.\x7f", true, false, 0,
	    false },
	{ "destination raw UTF-8",
	    CI(CID "," QDEST("caf\xc3\xa9.\xf4\x8f\xbf\xbf")), 0, NULL,
	    BN_ADV_ADD, "c/1/2", "c", "caf\xc3\xa9.\xf4\x8f\xbf\xbf", true,
	    false, 0, false },
	{ "escaped keys", "{\"Consumer\\u0049nfo\":{\"consumerId\":{"
	    "\"connection\\u0049d\":\"c\",\"sessionId\":1,\"value\":2},"
	    "\"destination\":{\"\\u0040class\":\"ActiveMQQueue\","
	    "\"str\\u0069ng\":\"q\"}}}", 0, NULL, BN_ADV_ADD, "c/1/2", "c",
	    "q", true, false, 0, false },
	{ "long unknown key skipped", CI(CID "," QDEST("q") ",\""
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "\":1"), 0, NULL, BN_ADV_ADD, "c/1/2", "c", "q", true, false, 0,
	    false },
	{ "connectionId with slash", CI("\"consumerId\":{\"connectionId\":"
	    "\"a/1\",\"sessionId\":2,\"value\":3}," QDEST("q")), 0, NULL,
	    BN_ADV_ADD, "a/1/2/3", "a/1", "q", true, false, 0, false },
	{ "remove, fields reversed",
	    "{\"RemoveInfo\":{\"lastDeliveredSequenceId\":-1,\"objectId\":{"
	    "\"value\":1,\"sessionId\":-1,\"connectionId\":\"c\","
	    "\"@class\":\"ConsumerId\"},\"commandId\":0}}", 0, NULL,
	    BN_ADV_REMOVE, "c/-1/1", "c", "", false, false, 0, false },

	/* Errors, each with its reason. */
	ADV_ERR("empty", "", 0, "empty body"),
	ADV_ERR("whitespace only", " \n", 0, "empty body"),
	ADV_ERR("array", "[]", 0, "body is not a JSON object"),
	ADV_ERR("string", "\"ConsumerInfo\"", 0, "body is not a JSON object"),
	ADV_ERR("empty object", "{}", 0, "not a ConsumerInfo or RemoveInfo"),
	ADV_ERR("producer info", "{\"ProducerInfo\":{\"producerId\":{}}}", 0,
	    "not a ConsumerInfo or RemoveInfo"),
	ADV_ERR("both", "{\"RemoveInfo\":{\"objectId\":{\"@class\":\"ConsumerId\","
	    "\"connectionId\":\"c\",\"sessionId\":1,\"value\":2}},"
	    "\"ConsumerInfo\":{}}", 0, "more than one advisory"),
	ADV_ERR("trailing garbage", CI(CID "," QDEST("q")) "x", 0,
	    "trailing garbage after JSON"),
	ADV_ERR("two objects", CI(CID "," QDEST("q")) " {}", 0,
	    "trailing garbage after JSON"),
	ADV_ERR("trailing NUL byte", CI(CID "," QDEST("q")) "\0",
	    sizeof(CI(CID "," QDEST("q"))), "trailing garbage after JSON"),
	ADV_ERR("ConsumerInfo null", "{\"ConsumerInfo\":null}", 0,
	    "ConsumerInfo is not an object"),
	ADV_ERR("RemoveInfo array", "{\"RemoveInfo\":[]}", 0,
	    "RemoveInfo is not an object"),
	ADV_ERR("missing consumerId", CI(QDEST("q")), 0,
	    "ConsumerInfo lacks consumerId"),
	ADV_ERR("missing destination", CI(CID), 0,
	    "ConsumerInfo lacks destination"),
	ADV_ERR("consumerId string", CI("\"consumerId\":\"c:1:2\"," QDEST("q")),
	    0, "consumerId is not an object"),
	ADV_ERR("consumerId lacks value", CI("\"consumerId\":{\"connectionId\":"
	    "\"c\",\"sessionId\":1}," QDEST("q")), 0,
	    "consumerId lacks connectionId, sessionId or value"),
	ADV_ERR("consumerId lacks connectionId", CI("\"consumerId\":{"
	    "\"sessionId\":1,\"value\":1}," QDEST("q")), 0,
	    "consumerId lacks connectionId, sessionId or value"),
	ADV_ERR("empty connectionId", CI("\"consumerId\":{\"connectionId\":\"\","
	    "\"sessionId\":1,\"value\":1}," QDEST("q")), 0,
	    "empty connectionId"),
	ADV_ERR("connectionId number", CI("\"consumerId\":{\"connectionId\":5,"
	    "\"sessionId\":1,\"value\":1}," QDEST("q")), 0,
	    "expected a string"),
	ADV_ERR("sessionId string", CI("\"consumerId\":{\"connectionId\":\"c\","
	    "\"sessionId\":\"1\",\"value\":1}," QDEST("q")), 0,
	    "sessionId is not an integer"),
	ADV_ERR("value null", CI("\"consumerId\":{\"connectionId\":\"c\","
	    "\"sessionId\":1,\"value\":null}," QDEST("q")), 0,
	    "value is not an integer"),
	ADV_ERR("remove, value an object", RI("\"@class\":\"ConsumerId\","
	    "\"connectionId\":\"c\",\"sessionId\":1,\"value\":{}"), 0,
	    "value is not an integer"),
	ADV_ERR("sessionId fraction", CI("\"consumerId\":{\"connectionId\":\"c\","
	    "\"sessionId\":1.0,\"value\":1}," QDEST("q")), 0,
	    "expected an integer"),
	ADV_ERR("value exponent", CI("\"consumerId\":{\"connectionId\":\"c\","
	    "\"sessionId\":1,\"value\":1e3}," QDEST("q")), 0,
	    "expected an integer"),
	ADV_ERR("sessionId overflow", CI("\"consumerId\":{\"connectionId\":\"c\","
	    "\"sessionId\":9223372036854775808,\"value\":1}," QDEST("q")), 0,
	    "integer out of range"),
	ADV_ERR("value underflow", CI("\"consumerId\":{\"connectionId\":\"c\","
	    "\"sessionId\":1,\"value\":-9223372036854775809}," QDEST("q")), 0,
	    "integer out of range"),
	ADV_ERR("value 30 digits", CI("\"consumerId\":{\"connectionId\":\"c\","
	    "\"sessionId\":1,\"value\":123456789012345678901234567890},"
	    QDEST("q")), 0, "integer out of range"),
	ADV_ERR("priority 128", CI(CID "," QDEST("q") ",\"priority\":128"), 0,
	    "integer out of range"),
	ADV_ERR("priority -129", CI(CID "," QDEST("q") ",\"priority\":-129"), 0,
	    "integer out of range"),
	ADV_ERR("priority null", CI(CID "," QDEST("q") ",\"priority\":null"), 0,
	    "expected an integer"),
	ADV_ERR("browser string", CI(CID "," QDEST("q") ",\"browser\":\"true\""),
	    0, "expected true or false"),
	ADV_ERR("browser null", CI(CID "," QDEST("q") ",\"browser\":null"), 0,
	    "expected true or false"),
	/* jansson: a word that is not a literal, whatever key it is for */
	ADV_ERR("browser TRUE", CI(CID "," QDEST("q") ",\"browser\":TRUE"), 0,
	    "unexpected character"),
	ADV_ERR("browser tru", CI(CID "," QDEST("q") ",\"browser\":tru}"), 0,
	    "unexpected character"),
	ADV_ERR("selector number", CI(CID "," QDEST("q") ",\"selector\":1"), 0,
	    "expected a string"),
	ADV_ERR("destination string", CI(CID ",\"destination\":\"q\""), 0,
	    "destination is not an object"),
	ADV_ERR("destination lacks string", CI(CID ",\"destination\":{"
	    "\"@class\":\"ActiveMQQueue\"}"), 0, "destination lacks string"),
	ADV_ERR("empty destination", CI(CID "," QDEST("")), 0,
	    "empty destination"),
	ADV_ERR("destination NUL", CI(CID "," QDEST("a\\u0000b")), 0,
	    "NUL character in string"),
	ADV_ERR("@class too long", CI(CID ",\"destination\":{\"@class\":\""
	    "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	    "\",\"string\":\"q\"}"), 0, "@class too long"),
	ADV_ERR("duplicate consumerId", CI(CID "," CID "," QDEST("q")), 0,
	    "duplicate key"),
	ADV_ERR("duplicate destination", CI(CID "," QDEST("q") "," QDEST("r")), 0,
	    "duplicate key"),
	ADV_ERR("duplicate sessionId", CI("\"consumerId\":{\"connectionId\":\"c\","
	    "\"sessionId\":1,\"sessionId\":2,\"value\":1}," QDEST("q")), 0,
	    "duplicate key"),
	ADV_ERR("duplicate escaped key", CI(CID "," QDEST("q") ",\"browser\":true,"
	    "\"br\\u006fwser\":false"), 0, "duplicate key"),
	ADV_ERR("duplicate connectionId", CI("\"consumerId\":{"
	    "\"connectionId\":\"c\",\"connectionId\":\"d\",\"sessionId\":1,"
	    "\"value\":1}," QDEST("q")), 0, "duplicate key"),
	ADV_ERR("duplicate value", CI("\"consumerId\":{\"value\":1,"
	    "\"connectionId\":\"c\",\"sessionId\":1,\"value\":1}," QDEST("q")),
	    0, "duplicate key"),
	ADV_ERR("duplicate id @class", RI("\"@class\":\"ConsumerId\","
	    "\"@class\":\"ConsumerId\",\"connectionId\":\"c\","
	    "\"sessionId\":1,\"value\":1"), 0, "duplicate key"),
	ADV_ERR("duplicate destination @class", CI(CID ",\"destination\":{"
	    "\"@class\":\"ActiveMQQueue\",\"@class\":\"ActiveMQTopic\","
	    "\"string\":\"q\"}"), 0, "duplicate key"),
	ADV_ERR("duplicate destination string", CI(CID ",\"destination\":{"
	    "\"string\":\"q\",\"string\":\"r\"}"), 0, "duplicate key"),
	ADV_ERR("duplicate priority", CI(CID "," QDEST("q") ",\"priority\":1,"
	    "\"priority\":2"), 0, "duplicate key"),
	ADV_ERR("duplicate selector", CI(CID "," QDEST("q") ",\"selector\":"
	    "null,\"selector\":\"a > 1\""), 0, "duplicate key"),
	ADV_ERR("duplicate objectId", "{\"RemoveInfo\":{\"objectId\":{},"
	    "\"objectId\":{}}}", 0, "duplicate key"),
	ADV_ERR("ConsumerInfo twice", CI(CID "," QDEST("q")) ",\"x\":1,"
	    "\"ConsumerInfo\":{}}", 0, "trailing garbage after JSON"),
	ADV_ERR("ConsumerInfo then ConsumerInfo", "{\"ConsumerInfo\":{},"
	    "\"ConsumerInfo\":{}}", 0, "more than one advisory"),
	ADV_ERR("ConsumerInfo then RemoveInfo", "{\"ConsumerInfo\":{},"
	    "\"RemoveInfo\":{}}", 0, "more than one advisory"),
	ADV_ERR("remove lacks objectId", "{\"RemoveInfo\":{\"commandId\":0}}", 0,
	    "RemoveInfo lacks objectId"),
	ADV_ERR("remove of a SessionId", RI("\"@class\":\"SessionId\","
	    "\"connectionId\":\"c\",\"value\":1"), 0,
	    "RemoveInfo objectId is not a ConsumerId"),
	ADV_ERR("remove of a ConnectionId", RI("\"value\":\"ID:h-1-2-4\","
	    "\"@class\":\"ConnectionId\""), 0,
	    "RemoveInfo objectId is not a ConsumerId"),
	ADV_ERR("remove without @class", RI("\"connectionId\":\"c\","
	    "\"sessionId\":1,\"value\":1"), 0,
	    "RemoveInfo objectId is not a ConsumerId"),
	ADV_ERR("remove lacks sessionId", RI("\"@class\":\"ConsumerId\","
	    "\"connectionId\":\"c\",\"value\":1"), 0,
	    "objectId lacks connectionId, sessionId or value"),
	ADV_ERR("objectId null", "{\"RemoveInfo\":{\"objectId\":null}}", 0,
	    "objectId is not an object"),

	/* JSON syntax. */
	ADV_ERR("trailing comma in object", CI(CID "," QDEST("q") ","), 0,
	    "expected a string key"),
	ADV_ERR("trailing comma in array", CI(CID "," QDEST("q") ",\"a\":[1,]"),
	    0, "unexpected character"),
	ADV_ERR("missing comma", CI(CID " " QDEST("q")), 0, "expected ',' or '}'"),
	ADV_ERR("missing comma in array", CI(CID "," QDEST("q") ",\"a\":[1 2]"), 0,
	    "expected ',' or ']'"),
	ADV_ERR("missing colon", CI("\"consumerId\" {}"), 0, "expected ':'"),
	ADV_ERR("unquoted key", "{ConsumerInfo:{}}", 0, "expected a string key"),
	ADV_ERR("single quotes", "{'ConsumerInfo':{}}", 0, "expected a string key"),
	ADV_ERR("leading zero", CI(CID "," QDEST("q") ",\"a\":01"), 0,
	    "bad number"),
	ADV_ERR("leading zero in array", CI(CID "," QDEST("q") ",\"a\":[-01]"),
	    0, "bad number"),
	ADV_ERR("plus sign", CI(CID "," QDEST("q") ",\"a\":+1"), 0,
	    "unexpected character"),
	ADV_ERR("bare minus", CI(CID "," QDEST("q") ",\"a\":-}"), 0, "bad number"),
	ADV_ERR("dot without digits", CI(CID "," QDEST("q") ",\"a\":1.}"), 0,
	    "bad number"),
	ADV_ERR("exponent without digits", CI(CID "," QDEST("q") ",\"a\":1e+}"), 0,
	    "bad number"),
	ADV_ERR("leading dot", CI(CID "," QDEST("q") ",\"a\":.5"), 0,
	    "unexpected character"),
	ADV_ERR("NaN", CI(CID "," QDEST("q") ",\"a\":NaN"), 0,
	    "unexpected character"),
	ADV_ERR("short bad literal at end", "{\"a\":tx", 0,
	    "unexpected character"),
	ADV_ERR("short good literal at end", "{\"a\":nu", 0,
	    "truncated JSON"),
	ADV_ERR("error inside skipped object", CI(CID "," QDEST("q")
	    ",\"x\":{\"a\":[{\"b\":+1}]}"), 0, "unexpected character"),
	ADV_ERR("error inside skipped key", CI(CID "," QDEST("q")
	    ",\"x\":{\"a\\q\":1}"), 0, "bad escape in string"),
	ADV_ERR("nul literal", CI(CID "," QDEST("q") ",\"a\":nul}"), 0,
	    "unexpected character"),
	ADV_ERR("raw newline in string", CI(CID "," QDEST("a\nb")), 0,
	    "control character in string"),
	ADV_ERR("raw tab in skipped string", CI(CID "," QDEST("q")
	    ",\"selector\":\"a\tb\""), 0, "control character in string"),
	ADV_ERR("raw 0x1f in key", CI("\"a\x1f\":1"), 0,
	    "control character in string"),
	ADV_ERR("raw NUL in string", "{\"a\":\"x\0y\"}", 11,
	    "control character in string"),
	ADV_ERR("bad escape \\x", CI(CID "," QDEST("a\\x41")), 0,
	    "bad escape in string"),
	ADV_ERR("bad escape \\'", CI(CID "," QDEST("a\\'")), 0,
	    "bad escape in string"),
	ADV_ERR("bad \\u hex", CI(CID "," QDEST("a\\u00g1")), 0, "bad \\u escape"),
	ADV_ERR("lone low surrogate", CI(CID "," QDEST("\\udc00")), 0,
	    "lone low surrogate in \\u escape"),
	ADV_ERR("lone high surrogate", CI(CID "," QDEST("\\ud800x")), 0,
	    "lone high surrogate in \\u escape"),
	ADV_ERR("high surrogate then BMP", CI(CID "," QDEST("\\ud800\\u0041")), 0,
	    "lone high surrogate in \\u escape"),
	ADV_ERR("two high surrogates", CI(CID "," QDEST("\\ud800\\ud800")), 0,
	    "lone high surrogate in \\u escape"),
	ADV_ERR("invalid UTF-8 0xff", CI(CID "," QDEST("\xff")), 0,
	    "invalid UTF-8 in string"),
	ADV_ERR("stray continuation byte", CI(CID "," QDEST("\x80")), 0,
	    "invalid UTF-8 in string"),
	ADV_ERR("overlong NUL", CI(CID "," QDEST("\xc0\x80")), 0,
	    "invalid UTF-8 in string"),
	ADV_ERR("overlong 3-byte", CI(CID "," QDEST("\xe0\x80\xaf")), 0,
	    "invalid UTF-8 in string"),
	ADV_ERR("UTF-8 surrogate", CI(CID "," QDEST("\xed\xa0\x80")), 0,
	    "invalid UTF-8 in string"),
	ADV_ERR("above U+10FFFF", CI(CID "," QDEST("\xf4\x90\x80\x80")), 0,
	    "invalid UTF-8 in string"),
	ADV_ERR("short sequence", CI(CID "," QDEST("\xe2\x82x")), 0,
	    "invalid UTF-8 in string"),
	ADV_ERR("unclosed object", "{\"ConsumerInfo\":{}", 0, "truncated JSON"),
	ADV_ERR("unclosed string", "{\"a", 0, "truncated JSON"),
	ADV_ERR("close mismatch", CI(CID "," QDEST("q") ",\"a\":[1}"), 0,
	    "expected ',' or ']'"),

	/* Read with jansson: stricter about members nobody reads. */
	ADV_ERR("duplicate key in a skipped object", CI(CID "," QDEST("q")
	    ",\"x\":{\"k\":1,\"k\":2}"), 0, "duplicate key"),
	ADV_ERR("RemoveInfo twice", "{\"RemoveInfo\":{},\"x\":0,"
	    "\"RemoveInfo\":{}}", 0, "more than one advisory"),
	ADV_ERR("integer beyond int64 in a skipped member", CI(CID ","
	    QDEST("q") ",\"x\":[99999999999999999999]"), 0,
	    "integer out of range"),
	ADV_ERR("real overflow in a skipped member", CI(CID "," QDEST("q")
	    ",\"x\":1e999"), 0, "bad number"),
	ADV_ERR("NUL in a key", CI(CID "," QDEST("q") ",\"a\\u0000\":1"), 0,
	    "NUL character in string"),
	ADV_ERR("NUL in connectionId", CI("\"consumerId\":{\"connectionId\":"
	    "\"c\\u0000d\",\"sessionId\":1,\"value\":2}," QDEST("q")), 0,
	    "NUL character in string"),
	ADV_ERR("raw 0xff between tokens", CI(CID "," QDEST("q") ",\"a\":\xff"),
	    0, "invalid UTF-8 in string"),
	ADV_ERR("truncated UTF-8 at the end", "{\"a\":\"\xe2\x82", 0,
	    "truncated JSON"),
	ADV_ERR("bad escape at the end", "{\"a\":\"\\x", 0,
	    "truncated JSON"),
	ADV_ERR("empty key is not ConsumerInfo", "{\"\":{}}", 0,
	    "not a ConsumerInfo or RemoveInfo"),
	ADV_ERR("priority a real", CI(CID "," QDEST("q") ",\"priority\":3.0"),
	    0, "expected an integer"),
	ADV_ERR("selector an object", CI(CID "," QDEST("q") ",\"selector\":{}"),
	    0, "expected a string"),
	ADV_ERR("@class a number", RI("\"@class\":1,\"connectionId\":\"c\","
	    "\"sessionId\":1,\"value\":1"), 0, "expected a string"),
};

static size_t
case_len(const struct adv_case *c)
{
	return c->len != 0 ? c->len : strlen(c->body);
}

/*
 * Parses from an exact-size heap copy, so that a read past len is an
 * ASan report and not a silent read of the literal's NUL.
 */
static int
parse_copy(const char *body, size_t len, struct bn_advisory *out,
    const char **err)
{
	char	*copy;
	int	 rc;

	copy = xmalloc(len);
	memcpy(copy, body, len);
	rc = bn_advisory_parse(copy, len, out, err);
	free(copy);
	return rc;
}

static void
check_case(const struct adv_case *c)
{
	struct bn_advisory	 adv;
	const char		*err = NULL;
	int			 rc;

	memset(&adv, 0xa5, sizeof(adv));
	rc = parse_copy(c->body, case_len(c), &adv, &err);
	if (c->err != NULL) {
		if (rc != -1 || err == NULL || strcmp(err, c->err) != 0)
			fail_msg("%s: want error \"%s\", got rc %d \"%s\"",
			    c->name, c->err, rc, err ? err : "(null)");
		return;
	}
	if (rc != 0)
		fail_msg("%s: unexpected error \"%s\"", c->name,
		    err ? err : "(null)");
	assert_int_equal(adv.kind, c->kind);
	assert_string_equal(adv.consumer_id, c->consumer_id);
	assert_string_equal(adv.connection_id, c->connection_id);
	assert_string_equal(adv.destination, c->destination);
	assert_true(adv.queue == c->queue);
	assert_true(adv.browser == c->browser);
	assert_int_equal(adv.priority, c->priority);
	assert_true(adv.has_selector == c->has_selector);
}

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

static void
test_table(void **state)
{
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* Every proper prefix of every valid body is truncated, never a crash. */
static void
test_prefixes(void **state)
{
	struct bn_advisory	 adv;
	const char		*err;
	size_t			 i, n, len, end;
	int			 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].err != NULL)
			continue;
		len = case_len(&cases[i]);
		/* Past the closing brace only trailing whitespace is left. */
		for (end = len; end > 0 && cases[i].body[end - 1] != '}'; end--)
			;
		for (n = 0; n < end; n++) {
			err = NULL;
			rc = parse_copy(cases[i].body, n, &adv, &err);
			if (rc != -1 || err == NULL ||
			    (strcmp(err, "truncated JSON") != 0 &&
			    strcmp(err, "empty body") != 0))
				fail_msg("%s: prefix %zu: rc %d \"%s\"",
				    cases[i].name, n, rc, err ? err : "(null)");
		}
		for (; n <= len; n++)
			assert_int_equal(parse_copy(cases[i].body, n, &adv,
			    &err), 0);
	}
}

/* Prefixes of the bad bodies: any answer, but only from within len. */
static void
test_error_prefixes(void **state)
{
	struct bn_advisory	 adv;
	const char		*err;
	size_t			 i, n, len;
	int			 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].err == NULL)
			continue;
		len = case_len(&cases[i]);
		for (n = 0; n <= len; n++) {
			err = NULL;
			rc = parse_copy(cases[i].body, n, &adv, &err);
			assert_true(rc == 0 || (rc == -1 && err != NULL));
		}
	}
}

/*
 * All 720 orders of six ConsumerInfo members, and all 24 orders of the
 * RemoveInfo objectId members, give the same result.
 */
static void
test_permutations(void **state)
{
	static const char *const members[] = {
		("\"consumerId\":{\"sessionId\":-1,\"value\":1,"
		    "\"connectionId\":\"" CONN "\"}"),
		("\"destination\":{\"string\":\"orders.eu\","
		    "\"@class\":\"ActiveMQQueue\"}"),
		"\"browser\":true",
		"\"priority\":-5",
		"\"selector\":\"a = 'b'\"",
		"\"brokerPath\":[{\"x\":[1,\"}\"]}]",
	};
	static const char *const idm[] = {
		("\"connectionId\":\"" CONN "\""), "\"sessionId\":-1",
		"\"value\":1", "\"@class\":\"ConsumerId\"",
	};
	enum { NM = sizeof(members) / sizeof(members[0]) };
	enum { NI = sizeof(idm) / sizeof(idm[0]) };
	struct bn_advisory	 adv;
	struct bn_buf		 b;
	const char		*err;
	size_t			 perm[NM], i, k, t, count = 0;
	size_t			 fact = 1;

	memset(&b, 0, sizeof(b));
	for (i = 1; i <= NM; i++)
		fact *= i;
	for (t = 0; t < fact; t++) {
		/* Decode t as a permutation (factorial number system). */
		size_t	avail[NM], na = NM, x = t;

		for (i = 0; i < NM; i++)
			avail[i] = i;
		for (i = 0; i < NM; i++) {
			k = x % na;
			x /= na;
			perm[i] = avail[k];
			memmove(&avail[k], &avail[k + 1],
			    (na - k - 1) * sizeof(avail[0]));
			na--;
		}
		bn_buf_reset(&b);
		bn_buf_addstr(&b, "{\"ConsumerInfo\":{");
		for (i = 0; i < NM; i++) {
			if (i > 0)
				bn_buf_addc(&b, ',');
			bn_buf_addstr(&b, members[perm[i]]);
		}
		bn_buf_addstr(&b, "}}");
		err = NULL;
		if (parse_copy(b.data, b.len, &adv, &err) != 0)
			fail_msg("perm %zu: %s", t, err);
		assert_int_equal(adv.kind, BN_ADV_ADD);
		assert_string_equal(adv.consumer_id, CONN "/-1/1");
		assert_string_equal(adv.destination, "orders.eu");
		assert_true(adv.queue && adv.browser && adv.has_selector);
		assert_int_equal(adv.priority, -5);
		count++;
	}
	assert_int_equal(count, 720);

	/* RemoveInfo objectId members in all 24 orders. */
	for (t = 0; t < 24; t++) {
		size_t	avail[NI], na = NI, x = t;

		for (i = 0; i < NI; i++)
			avail[i] = i;
		bn_buf_reset(&b);
		bn_buf_addstr(&b, "{\"RemoveInfo\":{\"objectId\":{");
		for (i = 0; i < NI; i++) {
			k = x % na;
			x /= na;
			if (i > 0)
				bn_buf_addc(&b, ',');
			bn_buf_addstr(&b, idm[avail[k]]);
			memmove(&avail[k], &avail[k + 1],
			    (na - k - 1) * sizeof(avail[0]));
			na--;
		}
		bn_buf_addstr(&b, "}}}");
		err = NULL;
		if (parse_copy(b.data, b.len, &adv, &err) != 0)
			fail_msg("remove perm %zu: %s", t, err);
		assert_int_equal(adv.kind, BN_ADV_REMOVE);
		assert_string_equal(adv.consumer_id, CONN "/-1/1");
	}
	bn_buf_free(&b);
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

/* Builds a ConsumerInfo whose connectionId and destination have n bytes. */
static char *
long_body(size_t connlen, size_t destlen, const char *fill)
{
	struct bn_buf	b;
	size_t		i, fl = strlen(fill);

	memset(&b, 0, sizeof(b));
	bn_buf_addstr(&b, "{\"ConsumerInfo\":{\"consumerId\":{"
	    "\"connectionId\":\"");
	for (i = 0; i < connlen; i++)
		bn_buf_add(&b, fill, fl);
	bn_buf_addstr(&b, "\",\"sessionId\":-9223372036854775808,"
	    "\"value\":-9223372036854775808},\"destination\":{\"string\":\"");
	for (i = 0; i < destlen; i++)
		bn_buf_add(&b, fill, fl);
	bn_buf_addstr(&b, "\"}}}");
	bn_buf_addc(&b, '\0');
	return b.data;
}

static void
test_lengths(void **state)
{
	struct bn_advisory	 adv;
	const char		*err;
	char			*s;

	/* 255 and 511 bytes fit, the longest key included. */
	s = long_body(255, 511, "x");
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), 0);
	assert_int_equal(strlen(adv.connection_id), 255);
	assert_int_equal(strlen(adv.destination), 511);
	assert_int_equal(strlen(adv.consumer_id), 255 + 2 + 2 * 20);
	free(s);

	s = long_body(256, 1, "x");
	err = NULL;
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), -1);
	assert_string_equal(err, "connectionId too long");
	free(s);

	s = long_body(100000, 1, "x");
	err = NULL;
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), -1);
	assert_string_equal(err, "connectionId too long");
	free(s);

	s = long_body(1, 512, "x");
	err = NULL;
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), -1);
	assert_string_equal(err, "destination too long");
	free(s);

	/* Counted in decoded bytes: 170 * 3 = 510 fits, 171 * 3 does not. */
	s = long_body(1, 170, "\\u20ac");
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), 0);
	assert_int_equal(strlen(adv.destination), 510);
	free(s);
	s = long_body(1, 171, "\\u20ac");
	err = NULL;
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), -1);
	assert_string_equal(err, "destination too long");
	free(s);

	/* 127 four-byte characters fit in 511; 128 do not. */
	s = long_body(1, 127, "\xf0\x9f\x98\x80");
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), 0);
	free(s);
	s = long_body(1, 128, "\\ud83d\\ude00");
	err = NULL;
	assert_int_equal(parse_copy(s, strlen(s), &adv, &err), -1);
	assert_string_equal(err, "destination too long");
	free(s);
}

/* Objects and arrays nested 32 deep parse; 33 deep do not. */
static void
test_nesting(void **state)
{
	struct bn_advisory	 adv;
	struct bn_buf		 b;
	const char		*err;
	int			 depth, i;

	memset(&b, 0, sizeof(b));
	for (depth = 31; depth <= 34; depth++) {
		/* Outer object and ConsumerInfo are 2 levels. */
		bn_buf_reset(&b);
		bn_buf_addstr(&b, "{\"ConsumerInfo\":{" CID "," QDEST("q")
		    ",\"deep\":");
		for (i = 2; i < depth; i++)
			bn_buf_addstr(&b, i % 2 ? "[" : "{\"k\":");
		bn_buf_addstr(&b, "0");
		for (i = depth - 1; i >= 2; i--)
			bn_buf_addstr(&b, i % 2 ? "]" : "}");
		bn_buf_addstr(&b, "}}");
		err = NULL;
		if (depth <= 32)
			assert_int_equal(parse_copy(b.data, b.len, &adv, &err),
			    0);
		else {
			assert_int_equal(parse_copy(b.data, b.len, &adv, &err),
			    -1);
			assert_string_equal(err, "nesting deeper than 32");
		}
	}

	/* Arrays alone: 30 inside the two outer objects make 32. */
	for (depth = 30; depth <= 31; depth++) {
		bn_buf_reset(&b);
		bn_buf_addstr(&b, "{\"ConsumerInfo\":{" CID "," QDEST("q")
		    ",\"deep\":");
		for (i = 0; i < depth; i++)
			bn_buf_addc(&b, '[');
		for (i = 0; i < depth; i++)
			bn_buf_addc(&b, ']');
		bn_buf_addstr(&b, "}}");
		err = NULL;
		assert_int_equal(parse_copy(b.data, b.len, &adv, &err),
		    depth == 30 ? 0 : -1);
		if (depth == 31)
			assert_string_equal(err, "nesting deeper than 32");
	}

	/* A deep unclosed array is refused at 33, not recursed into. */
	bn_buf_reset(&b);
	for (i = 0; i < 100000; i++)
		bn_buf_addc(&b, '[');
	err = NULL;
	assert_int_equal(parse_copy(b.data, b.len, &adv, &err), -1);
	assert_string_equal(err, "body is not a JSON object");
	bn_buf_reset(&b);
	bn_buf_addstr(&b, "{\"a\":");
	for (i = 0; i < 100000; i++)
		bn_buf_addstr(&b, "{\"a\":");
	err = NULL;
	assert_int_equal(parse_copy(b.data, b.len, &adv, &err), -1);
	assert_string_equal(err, "nesting deeper than 32");
	bn_buf_free(&b);
}

/* On failure *out is untouched; err may be NULL; body may be NULL. */
static void
test_contract(void **state)
{
	struct bn_advisory	 adv, before;
	const char		*err = NULL;

	memset(&adv, 0x5a, sizeof(adv));
	before = adv;
	assert_int_equal(bn_advisory_parse("{\"RemoveInfo\":{}}", 17, &adv,
	    &err), -1);
	assert_string_equal(err, "RemoveInfo lacks objectId");
	assert_memory_equal(&adv, &before, sizeof(adv));
	assert_int_equal(bn_advisory_parse("{", 1, &adv, NULL), -1);
	assert_memory_equal(&adv, &before, sizeof(adv));
	err = NULL;
	assert_int_equal(bn_advisory_parse(NULL, 0, &adv, &err), -1);
	assert_string_equal(err, "empty body");

	/* Only len bytes count: the rest of the buffer is not looked at. */
	assert_int_equal(bn_advisory_parse(ADD_BODY "garbage",
	    strlen(ADD_BODY), &adv, &err), 0);
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
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_network_subscriptions),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_error_prefixes),
		cmocka_unit_test(test_permutations),
		cmocka_unit_test(test_same_key),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_contract),
		cmocka_unit_test(test_demand_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
