/*
 * Unit tests for bridge/advisory.c, consumer advisory JSON bodies, over a
 * table: each body parses to its consumer or fails with its reason; every
 * prefix of a good body is truncated JSON, a bad body's prefixes are read
 * only within their length. Member order, lengths and nesting are in
 * test_advisory_json.c; what a consumer is in test_advisory_consumer.c.
 */
#include "advisory_fixture.h"

/* A RemoveInfo for the table, with the given objectId members. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_error_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
