/*
 * Unit tests for the OpenWire codec (bridge/openwire.c, owenc.c), command
 * by command: every command, filled with non-default values, survives
 * encode/decode; every truncation and a set of corruptions of every
 * command are refused with a reason naming the command; nesting is
 * bounded.
 */
#include "openwire_fixture.h"

/* A command of this type with every field set to something non-default. */
static void
fill(uint8_t type, struct bn_ow_cmd *c)
{
	static const uint8_t raw_filter[] = { 0x01, 0x7c, 0x01, 0x00, 0x02,
	    'b', '1', 0, 0, 0, 5, 0, 0, 0, 1 };
	struct bn_ow_id	 conn = { BN_OW_CONNECTION_ID, { "ID:c-1", 6 }, 0, 0 };
	struct bn_ow_id	 prod = { BN_OW_PRODUCER_ID, { "ID:c-1", 6 }, 2, 3 };
	struct bn_ow_id	 cons = { BN_OW_CONSUMER_ID, { "ID:c-1", 6 }, 4, 5 };
	struct bn_ow_id	 broker = { BN_OW_BROKER_ID, { "ID:broker-a", 11 }, 0,
			    0 };
	struct bn_ow_dest q = { BN_OW_QUEUE, { "orders", 6 } };
	struct bn_ow_dest t = { BN_OW_TEMP_TOPIC, { "ID:tmp-1", 8 } };
	struct bn_ow_txid tx = { BN_OW_LOCAL_TRANSACTION_ID, 77, conn };
	struct bn_ow_message_id mid = { true, { NULL, 0 }, prod, 9, 1234 };
	struct bn_ow_message *m;

	memset(c, 0, sizeof(*c));
	c->type = type;
	c->command_id = 4242;
	c->response_required = true;
	switch (type) {
	case BN_OW_WIREFORMAT_INFO:
		memcpy(c->u.wf.magic, "ActiveMQ", 8);
		c->u.wf.version = 12;
		c->u.wf.props.p = (const uint8_t *)"\0\0\0\0";
		c->u.wf.props.len = 4;
		c->command_id = 0;
		c->response_required = false;
		break;
	case BN_OW_BROKER_INFO:
		c->u.broker.broker_id = broker;
		c->u.broker.broker_url = (struct bn_ow_str){ "tcp://h:1", 9 };
		c->u.broker.peers.type = 1;
		c->u.broker.peers.count = 0;
		c->u.broker.broker_name = (struct bn_ow_str){ "a", 1 };
		c->u.broker.master = c->u.broker.duplex = true;
		c->u.broker.connection_id = 31;
		c->u.broker.network_props = (struct bn_ow_str){ "x=y", 3 };
		break;
	case BN_OW_CONNECTION_INFO:
		c->u.conn.connection_id = conn;
		c->u.conn.client_id = (struct bn_ow_str){ "cid", 3 };
		c->u.conn.password = (struct bn_ow_str){ "pw", 2 };
		c->u.conn.user_name = (struct bn_ow_str){ "user", 4 };
		c->u.conn.broker_path.set = true;
		c->u.conn.broker_path.n = 2;
		c->u.conn.broker_path.v[0] = broker;
		c->u.conn.broker_path.v[1] = broker;
		c->u.conn.manageable = c->u.conn.fault_tolerant = true;
		c->u.conn.client_ip = (struct bn_ow_str){ "tcp://1", 7 };
		break;
	case BN_OW_SESSION_INFO:
		c->u.session_id = (struct bn_ow_id){ BN_OW_SESSION_ID,
		    { "ID:c-1", 6 }, 0, 8 };
		break;
	case BN_OW_PRODUCER_INFO:
		c->u.producer.producer_id = prod;
		c->u.producer.destination = q;
		c->u.producer.dispatch_async = true;
		c->u.producer.window_size = 65536;
		break;
	case BN_OW_CONSUMER_INFO: {
		struct bn_ow_consumer_info *ci = &c->u.consumer;

		ci->consumer_id = cons;
		ci->destination = (struct bn_ow_dest){ BN_OW_TOPIC,
		    { "prices.>", 8 } };
		ci->prefetch = 500;
		ci->max_pending = -1;
		ci->dispatch_async = true;
		ci->selector = (struct bn_ow_str){ "price > 5", 9 };
		ci->subscription_name = (struct bn_ow_str){ "sub", 3 };
		ci->client_id = (struct bn_ow_str){ "cid", 3 };
		ci->no_local = ci->exclusive = true;
		ci->priority = 127;
		ci->broker_path.set = true;
		ci->broker_path.n = 1;
		ci->broker_path.v[0] = broker;
		ci->additional_predicate.type = BN_OW_NETWORK_BRIDGE_FILTER;
		ci->additional_predicate.raw.p = raw_filter;
		ci->additional_predicate.raw.len = sizeof(raw_filter);
		ci->network_subscription = true;
		ci->network_consumer_path.set = true;
		ci->network_consumer_path.n = 1;
		ci->network_consumer_path.v[0] = cons;
		break;
	}
	case BN_OW_TRANSACTION_INFO:
		c->u.tx.connection_id = conn;
		c->u.tx.transaction_id = tx;
		c->u.tx.tx_type = BN_OW_TX_COMMIT_ONE_PHASE;
		break;
	case BN_OW_DESTINATION_INFO:
		c->u.dest.connection_id = conn;
		c->u.dest.destination = t;
		c->u.dest.operation = BN_OW_DEST_REMOVE;
		c->u.dest.timeout = 1000;
		break;
	case BN_OW_KEEP_ALIVE_INFO:
	case BN_OW_SHUTDOWN_INFO:
		break;
	case BN_OW_REMOVE_INFO:
		c->u.remove.object_id = cons;
		c->u.remove.last_delivered_seq = -2;
		break;
	case BN_OW_REMOVE_SUBSCRIPTION_INFO:
		c->u.remove_sub.connection_id = conn;
		c->u.remove_sub.subscription_name =
		    (struct bn_ow_str){ "brokernet.B/t", 13 };
		c->u.remove_sub.client_id = (struct bn_ow_str){ "cid", 3 };
		break;
	case BN_OW_CONTROL_COMMAND:
		c->u.control_command = (struct bn_ow_str){ "shutdown", 8 };
		break;
	case BN_OW_CONNECTION_ERROR:
		c->u.conn_error.error.set = true;
		c->u.conn_error.error.class_name = (struct bn_ow_str){
		    "java.io.IOException", 19 };
		c->u.conn_error.error.message = (struct bn_ow_str){ "gone", 4 };
		c->u.conn_error.connection_id = conn;
		break;
	case BN_OW_CONSUMER_CONTROL:
		c->u.control.destination = q;
		c->u.control.consumer_id = cons;
		c->u.control.prefetch = 10;
		c->u.control.close = c->u.control.stop = true;
		break;
	case BN_OW_CONNECTION_CONTROL:
		c->u.cc.fault_tolerant = c->u.cc.rebalance = true;
		c->u.cc.connected_brokers = (struct bn_ow_str){ "tcp://a", 7 };
		c->u.cc.reconnect_to = (struct bn_ow_str){ "tcp://b", 7 };
		c->u.cc.token = (struct bn_ow_bytes){ (const uint8_t *)"tk", 2 };
		break;
	case BN_OW_PRODUCER_ACK:
		c->u.producer_ack.producer_id = prod;
		c->u.producer_ack.size = 1024;
		break;
	case BN_OW_MESSAGE_PULL:
		c->u.pull.consumer_id = cons;
		c->u.pull.destination = q;
		c->u.pull.timeout = 5;
		c->u.pull.correlation_id = (struct bn_ow_str){ "c", 1 };
		c->u.pull.message_id = mid;
		break;
	case BN_OW_MESSAGE_DISPATCH:
		c->u.dispatch.consumer_id = cons;
		c->u.dispatch.destination = q;
		c->u.dispatch.has_message = true;
		c->u.dispatch.redelivery_counter = 2;
		m = &c->u.dispatch.message;
		m->type = BN_OW_STREAM_MESSAGE;
		m->command_id = 17;
		goto message;
	case BN_OW_MESSAGE_ACK:
		c->u.ack.destination = q;
		c->u.ack.transaction_id = tx;
		c->u.ack.consumer_id = cons;
		c->u.ack.ack_type = BN_OW_ACK_POISON;
		c->u.ack.first_message_id = mid;
		c->u.ack.last_message_id = mid;
		c->u.ack.last_message_id.producer_seq = 12;
		c->u.ack.message_count = 4;
		c->u.ack.poison_cause.set = true;
		c->u.ack.poison_cause.class_name = (struct bn_ow_str){
		    "java.lang.Throwable", 19 };
		c->u.ack.poison_cause.message = (struct bn_ow_str){ "bad", 3 };
		break;
	case BN_OW_MESSAGE:
	case BN_OW_BYTES_MESSAGE:
	case BN_OW_MAP_MESSAGE:
	case BN_OW_OBJECT_MESSAGE:
	case BN_OW_STREAM_MESSAGE:
	case BN_OW_TEXT_MESSAGE:
		m = &c->u.msg;
		m->type = type;
		m->command_id = c->command_id;
		m->response_required = true;
message:
		m->producer_id = prod;
		m->destination = q;
		m->transaction_id = tx;
		m->original_destination = t;
		m->message_id = mid;
		m->message_id.text_view = (struct bn_ow_str){ "ID:x", 4 };
		m->original_transaction_id = tx;
		m->group_id = (struct bn_ow_str){ "grp", 3 };
		m->group_seq = 3;
		m->correlation_id = (struct bn_ow_str){ "corr", 4 };
		m->persistent = true;
		m->expiration = 1700000000000LL;
		m->priority = 9;
		m->reply_to = t;
		m->timestamp = 1690000000000LL;
		m->jms_type = (struct bn_ow_str){ "jt", 2 };
		m->content = (struct bn_ow_bytes){ (const uint8_t *)"\0\0\0\2hi",
		    6 };
		m->properties = (struct bn_ow_bytes){ (const uint8_t *)
		    "\0\0\0\1\0\1k\5\0\0\0\7", 12 };
		m->data_structure.type = BN_OW_QUEUE;
		m->data_structure.raw = (struct bn_ow_bytes){ (const uint8_t *)
		    "\1\0\2ab", 5 };
		m->target_consumer_id = cons;
		m->compressed = true;
		m->redelivery_counter = 1;
		m->broker_path.set = true;
		m->broker_path.n = 1;
		m->broker_path.v[0] = broker;
		m->arrival = 5;
		m->user_id = (struct bn_ow_str){ "u", 1 };
		m->received_by_df_bridge = m->droppable = true;
		m->cluster.set = true;
		m->broker_in_time = 10;
		m->broker_out_time = 11;
		m->jmsx_group_first = true;
		break;
	case BN_OW_RESPONSE:
		c->u.resp.correlation_id = 99;
		break;
	case BN_OW_EXCEPTION_RESPONSE:
		c->u.resp.correlation_id = 98;
		c->u.resp.exception.set = true;
		c->u.resp.exception.class_name = (struct bn_ow_str){
		    "javax.jms.InvalidClientIDException", 34 };
		c->u.resp.exception.message = (struct bn_ow_str){ "in use", 6 };
		break;
	default:
		fail_msg("no filler for type %u", type);
	}
}

static const uint8_t all_types[] = {
	BN_OW_WIREFORMAT_INFO, BN_OW_BROKER_INFO, BN_OW_CONNECTION_INFO,
	BN_OW_SESSION_INFO, BN_OW_CONSUMER_INFO, BN_OW_PRODUCER_INFO,
	BN_OW_TRANSACTION_INFO, BN_OW_DESTINATION_INFO, BN_OW_KEEP_ALIVE_INFO,
	BN_OW_SHUTDOWN_INFO, BN_OW_REMOVE_INFO, BN_OW_REMOVE_SUBSCRIPTION_INFO,
	BN_OW_CONTROL_COMMAND,
	BN_OW_CONNECTION_ERROR, BN_OW_CONSUMER_CONTROL,
	BN_OW_CONNECTION_CONTROL, BN_OW_PRODUCER_ACK, BN_OW_MESSAGE_PULL,
	BN_OW_MESSAGE_DISPATCH, BN_OW_MESSAGE_ACK, BN_OW_MESSAGE,
	BN_OW_BYTES_MESSAGE, BN_OW_MAP_MESSAGE, BN_OW_OBJECT_MESSAGE,
	BN_OW_STREAM_MESSAGE, BN_OW_TEXT_MESSAGE, BN_OW_RESPONSE,
	BN_OW_EXCEPTION_RESPONSE
};

/*
 * encode -> decode -> encode gives the same bytes (the encoder writes every
 * field, so any field lost in decoding would change them), with and without
 * stack traces; spot checks of decoded fields.
 */
static void
test_roundtrip_every_command(void **state)
{
	struct bn_ow_format fmt;
	struct bn_ow_cmd c, d;
	struct bn_buf	 a = { 0 }, b = { 0 };
	char		 err[256];
	size_t		 i, used;
	int		 trace;

	for (trace = 0; trace < 2; trace++) {
		bn_ow_format_default(&fmt);
		fmt.stack_trace = trace;
		for (i = 0; i < NELEM(all_types); i++) {
			fill(all_types[i], &c);
			bn_buf_reset(&a);
			bn_buf_reset(&b);
			if (bn_ow_encode(&a, &c, &fmt, err, sizeof(err)) != 0)
				fail_msg("%s: %s", bn_ow_type_name(c.type),
				    err);
			assert_int_equal(bn_ow_decode((uint8_t *)a.data, a.len,
			    &fmt, &d, &used, err, sizeof(err)), BN_PARSE_OK);
			assert_int_equal(used, a.len);
			assert_int_equal(d.type, c.type);
			assert_int_equal(d.command_id, c.command_id);
			assert_int_equal(d.response_required,
			    c.response_required);
			assert_int_equal(bn_ow_encode(&b, &d, &fmt, err,
			    sizeof(err)), 0);
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.data, b.data, a.len);
		}
	}
	fill(BN_OW_CONSUMER_INFO, &c);
	bn_buf_reset(&a);
	assert_int_equal(bn_ow_encode(&a, &c, &fmt, err, sizeof(err)), 0);
	assert_int_equal(bn_ow_decode((uint8_t *)a.data, a.len, &fmt, &d,
	    &used, err, sizeof(err)), BN_PARSE_OK);
	assert_true(str_is(&d.u.consumer.selector, "price > 5"));
	assert_true(str_is(&d.u.consumer.subscription_name, "sub"));
	assert_true(d.u.consumer.no_local && d.u.consumer.exclusive);
	assert_true(d.u.consumer.network_subscription);
	assert_int_equal(d.u.consumer.priority, 127);
	assert_int_equal(d.u.consumer.prefetch, 500);
	assert_int_equal(d.u.consumer.destination.type, BN_OW_TOPIC);
	assert_int_equal(d.u.consumer.network_consumer_path.n, 1);
	assert_int_equal(d.u.consumer.network_consumer_path.v[0].value, 5);
	assert_int_equal(d.u.consumer.network_consumer_path.v[0].session, 4);
	{
		struct bn_ow_cmd f;

		assert_int_equal(bn_ow_decode_nested(
		    &d.u.consumer.additional_predicate, &fmt, &f, err,
		    sizeof(err)), 0);
		assert_int_equal(f.type, BN_OW_NETWORK_BRIDGE_FILTER);
	}

	fill(BN_OW_REMOVE_SUBSCRIPTION_INFO, &c);
	bn_buf_reset(&a);
	assert_int_equal(bn_ow_encode(&a, &c, &fmt, err, sizeof(err)), 0);
	assert_int_equal(bn_ow_decode((uint8_t *)a.data, a.len, &fmt, &d,
	    &used, err, sizeof(err)), BN_PARSE_OK);
	assert_true(str_is(&d.u.remove_sub.subscription_name,
	    "brokernet.B/t"));
	assert_true(str_is(&d.u.remove_sub.client_id, "cid"));
	assert_int_equal(d.u.remove_sub.connection_id.type,
	    BN_OW_CONNECTION_ID);

	fill(BN_OW_MESSAGE_DISPATCH, &c);
	bn_buf_reset(&a);
	assert_int_equal(bn_ow_encode(&a, &c, &fmt, err, sizeof(err)), 0);
	assert_int_equal(bn_ow_decode((uint8_t *)a.data, a.len, &fmt, &d,
	    &used, err, sizeof(err)), BN_PARSE_OK);
	assert_int_equal(d.u.dispatch.message.type, BN_OW_STREAM_MESSAGE);
	assert_int_equal(d.u.dispatch.message.command_id, 17);
	assert_int_equal(d.u.dispatch.message.expiration, 1700000000000LL);
	assert_int_equal(d.u.dispatch.message.broker_out_time, 11);
	assert_int_equal(d.u.dispatch.message.message_id.broker_seq, 1234);
	assert_int_equal(d.u.dispatch.message.transaction_id.value, 77);
	assert_true(str_is(&d.u.dispatch.message.group_id, "grp"));
	assert_true(d.u.dispatch.message.compressed);
	assert_int_equal(d.u.dispatch.message.content.len, 6);
	assert_true(d.u.dispatch.message.cluster.set);
	assert_int_equal(d.u.dispatch.message.cluster.n, 0);

	fill(BN_OW_EXCEPTION_RESPONSE, &c);
	bn_buf_reset(&a);
	assert_int_equal(bn_ow_encode(&a, &c, &fmt, err, sizeof(err)), 0);
	assert_int_equal(bn_ow_decode((uint8_t *)a.data, a.len, &fmt, &d,
	    &used, err, sizeof(err)), BN_PARSE_OK);
	assert_int_equal(d.u.resp.correlation_id, 98);
	assert_true(str_is(&d.u.resp.exception.class_name,
	    "javax.jms.InvalidClientIDException"));
	assert_true(str_is(&d.u.resp.exception.message, "in use"));
	bn_buf_free(&a);
	bn_buf_free(&b);
}

/* Rewrites the size prefix of frame f (len bytes) to len - 4. */
static void
set_size(uint8_t *f, size_t len)
{
	size_t	s = len - 4;

	f[0] = (uint8_t)(s >> 24);
	f[1] = (uint8_t)(s >> 16);
	f[2] = (uint8_t)(s >> 8);
	f[3] = (uint8_t)s;
}

/*
 * For every command: every prefix of the frame is NEED_MORE; the frame cut
 * short with a matching size prefix is an ERROR naming the command (no
 * read past the cut: ASan in make unit-san); one byte too many is an
 * ERROR ("left over"); a size above the maximum is an ERROR.
 */
static void
test_truncated_every_command(void **state)
{
	struct bn_ow_format fmt;
	struct bn_ow_cmd c, d;
	struct bn_buf	 a = { 0 };
	char		 err[256];
	size_t		 i, k, used;
	uint8_t		*cut;
	enum bn_parse_result rc;

	bn_ow_format_default(&fmt);
	for (i = 0; i < NELEM(all_types); i++) {
		fill(all_types[i], &c);
		bn_buf_reset(&a);
		assert_int_equal(bn_ow_encode(&a, &c, &fmt, err, sizeof(err)),
		    0);
		for (k = 0; k < a.len; k++) {
			rc = bn_ow_decode((uint8_t *)a.data, k, &fmt, &d,
			    &used, err, sizeof(err));
			assert_int_equal(rc, BN_PARSE_NEED_MORE);
		}
		/* cut after the type byte: the body is short */
		for (k = 5; k < a.len; k++) {
			if (c.type == BN_OW_KEEP_ALIVE_INFO ||
			    c.type == BN_OW_SHUTDOWN_INFO)
				break;
			cut = xmalloc(k);
			memcpy(cut, a.data, k);
			set_size(cut, k);
			err[0] = '\0';
			rc = bn_ow_decode(cut, k, &fmt, &d, &used, err,
			    sizeof(err));
			if (rc != BN_PARSE_ERROR)
				fail_msg("%s cut to %zu bytes: not an error",
				    bn_ow_type_name(c.type), k);
			assert_non_null(strstr(err, k == 5 &&
			    c.type != BN_OW_WIREFORMAT_INFO ?
			    bn_ow_type_name(c.type) : "."));
			free(cut);
		}
		/* one byte too many inside the frame */
		cut = xmalloc(a.len + 1);
		memcpy(cut, a.data, a.len);
		cut[a.len] = 0;
		set_size(cut, a.len + 1);
		assert_int_equal(bn_ow_decode(cut, a.len + 1, &fmt, &d, &used,
		    err, sizeof(err)), BN_PARSE_ERROR);
		assert_non_null(strstr(err, "left over"));
		assert_non_null(strstr(err, bn_ow_type_name(c.type)));
		free(cut);
	}
	fmt.max_frame = 16;
	fill(BN_OW_TEXT_MESSAGE, &c);
	bn_buf_reset(&a);
	assert_int_equal(bn_ow_encode(&a, &c, &fmt, err, sizeof(err)), -1);
	assert_int_equal(a.len, 0);
	bn_ow_format_default(&fmt);
	assert_int_equal(bn_ow_encode(&a, &c, &fmt, err, sizeof(err)), 0);
	fmt.max_frame = 16;
	assert_int_equal(bn_ow_decode((uint8_t *)a.data, 4, &fmt, &d, &used,
	    err, sizeof(err)), BN_PARSE_ERROR);
	assert_non_null(strstr(err, "size"));
	bn_buf_free(&a);
}

static void
expect_error(const uint8_t *f, size_t len, const char *needle)
{
	struct bn_ow_format fmt;
	struct bn_ow_cmd d;
	char		 err[256] = "";
	size_t		 used;

	bn_ow_format_default(&fmt);
	assert_int_equal(bn_ow_decode(f, len, &fmt, &d, &used, err,
	    sizeof(err)), BN_PARSE_ERROR);
	if (strstr(err, needle) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, needle);
}

/* Corruptions a session must refuse with a reason it can log. */
static void
test_corrupt(void **state)
{
	/* DataArrayResponse (15): not supported */
	static const uint8_t unsupported[] = { 0, 0, 0, 6, 15, 0, 0, 0, 1, 0 };
	/* a LocalTransactionId (111) as a frame: not a command */
	static const uint8_t notcmd[] = { 0, 0, 0, 10, 111, 0, 0, 0, 0, 0, 0,
	    0, 1, 0 };
	/* SessionInfo whose sessionId is an XA... no: a topic */
	static const uint8_t wrongid[] = { 0, 0, 0, 12, 4, 0, 0, 0, 1, 0,
	    1, 101, 1, 0, 1, 'x' };
	/* TransactionInfo with an XATransactionId (112) */
	static const uint8_t xa[] = { 0, 0, 0, 10, 7, 0, 0, 0, 1, 0, 0, 1,
	    112, 0 };
	/* Response with a negative frame size */
	static const uint8_t negsize[] = { 0xff, 0xff, 0xff, 0xf0, 30 };
	/* ConsumerInfo: string length past the end */
	static const uint8_t longstr[] = { 0, 0, 0, 12, 5, 0, 0, 0, 1, 0,
	    1, 122, 1, 0xff, 0xff, 'a' };
	/* ConnectionInfo whose brokerPath has a negative count */
	static const uint8_t negarr[] = { 0, 0, 0, 14, 3, 0, 0, 0, 1, 0,
	    0, 0, 0, 0, 1, 0x80, 0, 0 };
	/* MessageDispatch carrying a Response instead of a message */
	static const uint8_t badmsg[] = { 0, 0, 0, 10, 21, 0, 0, 0, 1, 0,
	    0, 0, 1, 30 };

	expect_error(unsupported, sizeof(unsupported), "data type 15");
	expect_error(notcmd, sizeof(notcmd), "not a command");
	expect_error(wrongid, sizeof(wrongid), "SessionInfo.sessionId");
	expect_error(xa, sizeof(xa), "LocalTransactionId");
	expect_error(negsize, sizeof(negsize), "size");
	expect_error(longstr, sizeof(longstr), "ConsumerInfo.consumerId");
	expect_error(negarr, sizeof(negarr), "ConnectionInfo.brokerPath");
	expect_error(badmsg, sizeof(badmsg), "MessageDispatch.message");
}

/* A nested dataStructure deeper than the bound is refused, not recursed. */
static void
test_nesting_bounded(void **state)
{
	struct bn_buf	 f = { 0 };
	uint8_t		 hdr[] = { 0, 0, 0, 0, 23, 0, 0, 0, 1, 0 };
	/* Message fields up to dataStructure, all null/zero */
	static const uint8_t before[] = {
	    0, 0, 0, 0, 0, 0,			/* 4 cached + msgid + txid */
	    0, 0, 0, 0, 0,			/* groupID, groupSequence */
	    0, 0,				/* correlationId, persistent */
	    0, 0, 0, 0, 0, 0, 0, 0, 0,		/* expiration, priority */
	    0, 0, 0, 0, 0, 0, 0, 0, 0,		/* replyTo, timestamp */
	    0, 0, 0 };				/* type, content, props */
	int		 i;

	bn_buf_add(&f, hdr, sizeof(hdr));
	for (i = 0; i < 8; i++) {
		bn_buf_add(&f, before, sizeof(before));
		bn_buf_add(&f, "\1\27\0\0\0\1\0", 7);	/* a nested Message */
	}
	set_size((uint8_t *)f.data, f.len);
	expect_error((uint8_t *)f.data, f.len, "nested more than");
	bn_buf_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_every_command),
		cmocka_unit_test(test_truncated_every_command),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_nesting_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
