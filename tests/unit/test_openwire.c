/*
 * Unit tests for the OpenWire codec (bridge/openwire.c, owenc.c, owmap.c),
 * on frames from real peers: frames captured from ActiveMQ 5.17.2 and its
 * JMS client (and an advisory the broker sent owprobe) decode and encode
 * back to the same bytes and carry the fields the JMS program set; the
 * WireFormatInfo negotiation ends in loose encoding or a clear refusal.
 * Every command is in test_openwire_commands.c, the primitive map in
 * test_openwire_map.c.
 */
#include "openwire_fixture.h"

/* Captured on loopback from ActiveMQ 5.17.2 and its JMS client (loose
 * encoding, no cache, stack traces on); see tests/fuzz/openwire-seeds. */
static const struct golden {
	const char	*what;
	int		 type;
	const char	*hex;
} goldens[] = {
	{ "broker WireFormatInfo", BN_OW_WIREFORMAT_INFO,
	    "00000152014163746976654d510000000c01000001400000000d001153746163"
	    "6b5472616365456e61626c65640101000f506c6174666f726d44657461696c73"
	    "0900044a617661000c4361636865456e61626c6564010100115463704e6f4465"
	    "6c6179456e61626c65640101001253697a6550726566697844697361626c6564"
	    "01000009436163686553697a650500000400000c50726f76696465724e616d65"
	    "0900084163746976654d5100145469676874456e636f64696e67456e61626c65"
	    "640101000c4d61784672616d6553697a65067fffffffffffffff00154d617849"
	    "6e61637469766974794475726174696f6e06000000000000753000204d617849"
	    "6e61637469766974794475726174696f6e496e6974616c44656c617906000000"
	    "000000271000134d61784672616d6553697a65456e61626c65640101000f5072"
	    "6f766964657256657273696f6e090006352e31372e32" },
	{ "broker BrokerInfo", BN_OW_BROKER_INFO,
	    "00000057020000000000017c01001d49443a766d2d34323632392d3137393632"
	    "31393731333234392d303a3101001773746f6d703a2f2f3132372e302e302e31"
	    "3a3435393639000100026f77000000000000000000000000000000" },
	{ "broker ConnectionControl", BN_OW_CONNECTION_CONTROL,
	    "0000001312000000000000000000000100000100000000" },
	{ "JMS client ConnectionInfo", BN_OW_CONNECTION_INFO,
	    "00000051030000000101017801001d49443a766d2d33353735352d3137393632"
	    "32303035303138342d313a3101001d49443a766d2d33353735352d3137393632"
	    "32303035303138342d303a31000000000101000000" },
	{ "JMS client SessionInfo", BN_OW_SESSION_INFO,
	    "00000030040000000300017901001d49443a766d2d33353735352d3137393632"
	    "32303035303138342d313a310000000000000001" },
	{ "JMS client ProducerInfo", BN_OW_PRODUCER_INFO,
	    "0000004a060000000401017b01001d49443a766d2d33353735352d3137393632"
	    "32303035303138342d313a310000000000000001000000000000000101640100"
	    "076f772e6a636170000000000000" },
	{ "JMS client ConsumerInfo", BN_OW_CONSUMER_INFO,
	    "0000007a050000000401017a01001d49443a766d2d34323133392d3137393632"
	    "32303035313331342d313a310000000000000001000000000000000100016401"
	    "00076f772e6a636170000003e800000000010001001d49443a766d2d34323133"
	    "392d313739363232303035313331342d303a310000000000000000000000" },
	{ "JMS client TextMessage", BN_OW_TEXT_MESSAGE,
	    "000001781c0000000700017b01001d49443a766d2d33353735352d3137393632"
	    "32303035303138342d313a310000000000000001000000000000000101640100"
	    "076f772e6a6361700000016e00017b01001d49443a766d2d33353735352d3137"
	    "39363232303035303138342d313a310000000000000001000000000000000100"
	    "000000000000030000000000000000000000000000010006636f72722d320000"
	    "000000000000000200000001a2370edc85010006747970652d32010000001b00"
	    "00001774657874203220636166c3a920e4b8ad20eda0bdedb880010000007800"
	    "0000090005704c6f6e670600000002540be4020005704279746502fe00057042"
	    "6f6f6c0101000770537472696e670900057374722032000770446f75626c6507"
	    "400c000000000000000670466c6f617408409000000005696e64657805000000"
	    "02000470496e74050000006600067053686f7274040020000000000000000000"
	    "00000000000000000000000000000000000000000000000000000000" },
	{ "JMS client MapMessage", BN_OW_MAP_MESSAGE,
	    "000001c6190000000b00017b01001d49443a766d2d33353735352d3137393632"
	    "32303035303138342d313a310000000000000001000000000000000101640100"
	    "076f772e6a6361700000016e00017b01001d49443a766d2d33353735352d3137"
	    "39363232303035303138342d313a310000000000000001000000000000000100"
	    "000000000000070000000000000000000000000000010006636f72722d360000"
	    "0000000000000006016401000d6f77636865636b2e7265706c79000001a2370e"
	    "dcf6010006747970652d3601000000580000000a00016202090001730900056d"
	    "6170203600016303007800016407400a000000000000000166083f0000000001"
	    "6804fffe00016905000000060001790a0000000301020300017a010100016c06"
	    "00000100000000000100000078000000090005704c6f6e670600000002540be4"
	    "060005704279746502fa000570426f6f6c0101000770537472696e6709000573"
	    "74722036000770446f75626c6507401e000000000000000670466c6f61740841"
	    "0800000005696e6465780500000006000470496e74050000006a00067053686f"
	    "7274040024000000000000000000000000000000000000000000000000000000"
	    "00000000000000000000" },
	{ "broker MessageDispatch", BN_OW_MESSAGE_DISPATCH,
	    "000001a2150000000000017a01001d49443a766d2d34323133392d3137393632"
	    "32303035313331342d313a310000000000000001000000000000000101640100"
	    "076f772e6a63617001170000000601017b01001d49443a766d2d33353735352d"
	    "313739363232303035303138342d313a31000000000000000100000000000000"
	    "0101640100076f772e6a6361700000016e00017b01001d49443a766d2d333537"
	    "35352d313739363232303035303138342d313a31000000000000000100000000"
	    "000000010000000000000002000000000000004c000000000000010006636f72"
	    "722d3101000001a2371804270100000001a2370edc67010006747970652d3100"
	    "0100000078000000090005704c6f6e670600000002540be40100057042797465"
	    "02ff000570426f6f6c0100000770537472696e67090005737472203100077044"
	    "6f75626c65074004000000000000000670466c6f617408406000000005696e64"
	    "65780500000001000470496e74050000006500067053686f727404001f000000"
	    "0000000000000000000000000000010000000001a2370edc78000001a2370ee0"
	    "fd0000000000" },
	{ "JMS client MessageAck", BN_OW_MESSAGE_ACK,
	    "000000d516000000050001640100076f772e6a63617000017a01001d49443a76"
	    "6d2d34323133392d313739363232303035313331342d313a3100000000000000"
	    "01000000000000000102016e00017b01001d49443a766d2d33353735352d3137"
	    "39363232303035303138342d313a310000000000000001000000000000000100"
	    "00000000000002000000000000004c016e00017b01001d49443a766d2d333537"
	    "35352d313739363232303035303138342d313a31000000000000000100000000"
	    "000000010000000000000002000000000000004c0000000100" },
	{ "JMS client RemoveInfo", BN_OW_REMOVE_INFO,
	    "000000400c0000001100017a01001d49443a766d2d33353735352d3137393632"
	    "32303035303138342d313a31ffffffffffffffff0000000000000001ffffffff"
	    "fffffffe" },
	{ "broker Response", BN_OW_RESPONSE,
	    "0000000a1e000000000000000001" },
	{ "broker advisory MessageDispatch", BN_OW_MESSAGE_DISPATCH,
	    "00000247150000000000017a01001f49443a6f7770726f62652d33323431392d"
	    "313739363232303434382d313a31000000000000000100000000000000010165"
	    "0100264163746976654d512e41647669736f72792e436f6e73756d65722e5175"
	    "6575652e6f7761647601170000000000017b01001d49443a766d2d3432363239"
	    "2d313739363231393731333234392d313a310000000000000000000000000000"
	    "000001650100264163746976654d512e41647669736f72792e436f6e73756d65"
	    "722e51756575652e6f776164760000016e00017b01001d49443a766d2d343236"
	    "32392d313739363231393731333234392d313a31000000000000000000000000"
	    "00000000000000000000003e000000000000008c000000000000000000000000"
	    "000000000000000000000000000001000841647669736f727900010000008800"
	    "000004000f6f726967696e42726f6b657255524c0900157463703a2f2f6c6f63"
	    "616c686f73743a3531363935000d636f6e73756d6572436f756e740500000001"
	    "000e6f726967696e42726f6b6572496409001d49443a766d2d34323632392d31"
	    "3739363231393731333234392d303a3100106f726967696e42726f6b65724e61"
	    "6d650900026f7701050000000c01017a01001f49443a6f7770726f62652d3332"
	    "3432352d313739363232303434382d313a310000000000000001000000000000"
	    "00010001640100056f7761647600000064000000000100000000000000000000"
	    "00000000000000000000000000000000000000000000000001a23714f0d40000"
	    "01a23714f0d50000000000" },
};

static uint8_t *
unhex(const char *hex, size_t *len)
{
	size_t	 n = strlen(hex) / 2, i;
	uint8_t	*b = xmalloc(n + 1);
	unsigned v;

	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		b[i] = (uint8_t)v;
	}
	*len = n;
	return b;
}

static void
fmt_java(struct bn_ow_format *f)
{
	bn_ow_format_default(f);
	f->stack_trace = true;	/* what the JMS client negotiates */
}

/*
 * Every golden frame: decodes with used == its length, has the expected
 * type, encodes to the same bytes; every prefix is NEED_MORE; a following
 * frame's bytes are not used.
 */
static void
test_golden_roundtrip(void **state)
{
	struct bn_ow_format fmt;
	struct bn_ow_cmd cmd;
	struct bn_buf	 out = { 0 };
	char		 err[256];
	size_t		 i, len, used, k;
	uint8_t		*b, *two;

	fmt_java(&fmt);
	for (i = 0; i < NELEM(goldens); i++) {
		b = unhex(goldens[i].hex, &len);
		assert_int_equal(bn_ow_decode(b, len, &fmt, &cmd, &used, err,
		    sizeof(err)), BN_PARSE_OK);
		assert_int_equal(used, len);
		assert_int_equal(cmd.type, goldens[i].type);
		bn_buf_reset(&out);
		assert_int_equal(bn_ow_encode(&out, &cmd, &fmt, err,
		    sizeof(err)), 0);
		assert_int_equal(out.len, len);
		assert_memory_equal(out.data, b, len);
		for (k = 0; k < len; k++)
			assert_int_equal(bn_ow_decode(b, k, &fmt, &cmd, &used,
			    err, sizeof(err)), BN_PARSE_NEED_MORE);
		two = xmalloc(2 * len);
		memcpy(two, b, len);
		memcpy(two + len, b, len);
		assert_int_equal(bn_ow_decode(two, 2 * len - 1, &fmt, &cmd,
		    &used, err, sizeof(err)), BN_PARSE_OK);
		assert_int_equal(used, len);
		free(two);
		free(b);
	}
	bn_buf_free(&out);
}

static void
decode_golden_what(int type, const char *what, struct bn_ow_cmd *cmd,
    uint8_t **keep)
{
	struct bn_ow_format fmt;
	char		 err[256];
	size_t		 i, len, used;

	fmt_java(&fmt);
	for (i = 0; i < NELEM(goldens); i++)
		if (goldens[i].type == type && (what == NULL ||
		    strcmp(goldens[i].what, what) == 0))
			break;
	assert_true(i < NELEM(goldens));
	*keep = unhex(goldens[i].hex, &len);
	assert_int_equal(bn_ow_decode(*keep, len, &fmt, cmd, &used, err,
	    sizeof(err)), BN_PARSE_OK);
}

static void
decode_golden(int type, struct bn_ow_cmd *cmd, uint8_t **keep)
{
	decode_golden_what(type, NULL, cmd, keep);
}

/* The fields of the captured frames, as the JMS program set them. */
static void
test_golden_fields(void **state)
{
	struct bn_ow_cmd c;
	struct bn_ow_format mine, agreed;
	struct bn_ow_prim v;
	char		 err[256];
	uint8_t		*b;

	decode_golden(BN_OW_WIREFORMAT_INFO, &c, &b);
	assert_memory_equal(c.u.wf.magic, "ActiveMQ", 8);
	assert_int_equal(c.u.wf.version, 12);
	assert_true(map_get(&c.u.wf.props, "TightEncodingEnabled", &v));
	assert_int_equal(v.type, BN_OW_P_BOOL);
	assert_int_equal(v.i, 1);	/* the broker prefers tight... */
	bn_ow_format_default(&mine);
	assert_int_equal(bn_ow_negotiate(&mine, &c.u.wf, &agreed, err,
	    sizeof(err)), 0);
	assert_false(agreed.tight);	/* ...and gets loose from us */
	assert_false(agreed.cache);
	assert_int_equal(agreed.version, 12);
	free(b);

	decode_golden(BN_OW_CONSUMER_INFO, &c, &b);
	assert_int_equal(c.u.consumer.destination.type, BN_OW_QUEUE);
	assert_true(str_is(&c.u.consumer.destination.name, "ow.jcap"));
	assert_int_equal(c.u.consumer.prefetch, 1000);
	assert_int_equal(c.u.consumer.consumer_id.type, BN_OW_CONSUMER_ID);
	assert_null(c.u.consumer.selector.p);
	assert_false(c.u.consumer.no_local);
	free(b);

	decode_golden(BN_OW_TEXT_MESSAGE, &c, &b);
	assert_true(str_is(&c.u.msg.correlation_id, "corr-2"));
	assert_true(str_is(&c.u.msg.jms_type, "type-2"));
	assert_false(c.u.msg.persistent);
	assert_int_equal(c.u.msg.priority, 2);
	assert_true(c.u.msg.message_id.set);
	assert_int_equal(c.u.msg.message_id.producer_seq, 3);
	assert_true(str_is(&c.u.msg.destination.name, "ow.jcap"));
	/* writeUTF8: int length, then the text in modified UTF-8 (the
	 * emoji as two 3-byte surrogates) */
	assert_int_equal(c.u.msg.content.len, 4 + 23);
	assert_memory_equal(c.u.msg.content.p, "\0\0\0\x17", 4);
	assert_memory_equal(c.u.msg.content.p + 4, "text 2 caf\xc3\xa9", 12);
	assert_true(map_get(&c.u.msg.properties, "pInt", &v));
	assert_int_equal(v.type, BN_OW_P_INT);
	assert_int_equal(v.i, 102);
	assert_true(map_get(&c.u.msg.properties, "pLong", &v));
	assert_int_equal(v.type, BN_OW_P_LONG);
	assert_int_equal(v.i, 10000000002LL);
	assert_true(map_get(&c.u.msg.properties, "pFloat", &v));
	assert_int_equal(v.type, BN_OW_P_FLOAT);
	assert_true(v.f == 4.5f);
	assert_true(map_get(&c.u.msg.properties, "pByte", &v));
	assert_int_equal(v.type, BN_OW_P_BYTE);
	assert_int_equal(v.i, -2);
	free(b);

	decode_golden(BN_OW_MAP_MESSAGE, &c, &b);
	assert_true(map_get(&c.u.msg.content, "c", &v));
	assert_int_equal(v.type, BN_OW_P_CHAR);
	assert_int_equal(v.i, 'x');
	assert_true(map_get(&c.u.msg.content, "y", &v));
	assert_int_equal(v.type, BN_OW_P_BYTES);
	assert_int_equal(v.bytes.len, 3);
	free(b);

	decode_golden(BN_OW_MESSAGE_DISPATCH, &c, &b);
	assert_true(c.u.dispatch.has_message);
	assert_int_equal(c.u.dispatch.consumer_id.type, BN_OW_CONSUMER_ID);
	assert_true(str_is(&c.u.dispatch.destination.name, "ow.jcap"));
	assert_true(str_is(&c.u.dispatch.message.correlation_id, "corr-1"));
	assert_true(c.u.dispatch.message.persistent);
	assert_true(c.u.dispatch.message.broker_in_time > 0);
	free(b);

	/* An advisory: the ConsumerInfo rides as the message's dataStructure */
	decode_golden_what(BN_OW_MESSAGE_DISPATCH,
	    "broker advisory MessageDispatch", &c, &b);
	assert_true(str_is(&c.u.dispatch.destination.name,
	    "ActiveMQ.Advisory.Consumer.Queue.owadv"));
	assert_int_equal(c.u.dispatch.destination.type, BN_OW_TOPIC);
	assert_int_equal(c.u.dispatch.message.data_structure.type,
	    BN_OW_CONSUMER_INFO);
	{
		struct bn_ow_format fmt;
		struct bn_ow_cmd n;

		fmt_java(&fmt);
		assert_int_equal(bn_ow_decode_nested(
		    &c.u.dispatch.message.data_structure, &fmt, &n, err,
		    sizeof(err)), 0);
		assert_int_equal(n.type, BN_OW_CONSUMER_INFO);
		assert_true(str_is(&n.u.consumer.destination.name, "owadv"));
		assert_int_equal(n.u.consumer.prefetch, 100);
		assert_true(map_get(&c.u.dispatch.message.properties,
		    "consumerCount", &v));
		assert_true(v.type == BN_OW_P_INT && v.i == 1);
	}
	free(b);

	decode_golden(BN_OW_MESSAGE_ACK, &c, &b);
	assert_true(c.u.ack.first_message_id.set);
	assert_true(c.u.ack.last_message_id.set);
	assert_int_equal(c.u.ack.message_count, 1);
	assert_true(str_is(&c.u.ack.destination.name, "ow.jcap"));
	free(b);
}

/* The WireFormatInfo exchange: ours is loose; refusals are explained. */
static void
test_negotiate(void **state)
{
	struct bn_ow_format mine, out;
	struct bn_ow_cmd c, d;
	struct bn_buf	 props = { 0 }, f = { 0 };
	struct bn_ow_prim v;
	struct bn_ow_wireformat peer;
	char		 err[256];
	size_t		 used;

	bn_ow_format_default(&mine);
	bn_ow_wireformat_build(&c, &props, &mine, 30000, 10000);
	assert_int_equal(bn_ow_encode(&f, &c, &mine, err, sizeof(err)), 0);
	assert_int_equal(bn_ow_decode((uint8_t *)f.data, f.len, &mine, &d,
	    &used, err, sizeof(err)), BN_PARSE_OK);
	assert_true(map_get(&d.u.wf.props, "TightEncodingEnabled", &v));
	assert_true(v.type == BN_OW_P_BOOL && v.i == 0);
	assert_true(map_get(&d.u.wf.props, "CacheEnabled", &v));
	assert_true(v.type == BN_OW_P_BOOL && v.i == 0);
	assert_true(map_get(&d.u.wf.props, "MaxInactivityDuration", &v));
	assert_true(v.type == BN_OW_P_LONG && v.i == 30000);
	assert_int_equal(bn_ow_negotiate(&mine, &d.u.wf, &out, err,
	    sizeof(err)), 0);
	assert_false(out.tight);

	peer = d.u.wf;
	peer.version = 11;
	assert_int_equal(bn_ow_negotiate(&mine, &peer, &out, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "version 11"));
	peer = d.u.wf;
	peer.magic[0] = 'X';
	assert_int_equal(bn_ow_negotiate(&mine, &peer, &out, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "magic"));
	/* a peer on a newer version: we both speak 12 */
	peer = d.u.wf;
	peer.version = 13;
	assert_int_equal(bn_ow_negotiate(&mine, &peer, &out, err,
	    sizeof(err)), 0);
	assert_int_equal(out.version, 12);
	/* a smaller MaxFrameSize from the peer wins */
	mine.max_frame = 1000000;
	bn_ow_wireformat_build(&c, &props, &mine, 30000, 10000);
	bn_ow_format_default(&mine);
	assert_int_equal(bn_ow_negotiate(&mine, &c.u.wf, &out, err,
	    sizeof(err)), 0);
	assert_int_equal(out.max_frame, 1000000);
	/* a codec asked for tight encoding refuses to run */
	mine.tight = true;
	assert_int_equal(bn_ow_decode((uint8_t *)f.data, f.len, &mine, &d,
	    &used, err, sizeof(err)), BN_PARSE_ERROR);
	bn_buf_free(&props);
	bn_buf_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_roundtrip),
		cmocka_unit_test(test_golden_fields),
		cmocka_unit_test(test_negotiate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
