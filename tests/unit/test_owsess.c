/*
 * Unit tests for the OpenWire broker session, frames out (bridge/owsess.c,
 * owstate.c, owsend.c): frames in STOMP wire form go through
 * bn_owsess_out and what it writes is read back with the codec's decoder.
 * Covers the handshake and the heart-beat rule, SUBSCRIBE, ACK/NACK, SEND
 * (plain, native, re-entry), transactions, frames that cannot be
 * translated and keep-alives. The commands in: test_owin.c; the receipted
 * copy of a message a plain peer cannot take: test_owunf.c. Tests named
 * test_fixed_* keep the bugs the first run of these tests and of
 * fuzz_owsess found fixed.
 */
#include "owsess_fixture.h"

/* 1. The handshake: WireFormatInfo, connection, session, CONNECTED. */
static void
test_handshake(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD], wf;
	struct bn_buf	 pr = { 0 };
	struct bn_ow_prim v;
	struct bn_frame	*f;

	assert_int_equal(put(t, "CONNECT\naccept-version:1.2\nlogin:u\n"
	    "passcode:p\nclient-id:cid\nheart-beat:30000,0\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_WIREFORMAT_INFO);
	assert_memory_equal(c[0].u.wf.magic, "ActiveMQ", 8);
	assert_int_equal(c[0].u.wf.version, 12);
	assert_int_equal(map_get(&c[0].u.wf.props, "MaxInactivityDuration",
	    &v), 1);
	assert_true(v.type == BN_OW_P_LONG && v.i == 30000);
	assert_int_equal(map_get(&c[0].u.wf.props, "TightEncodingEnabled",
	    &v), 1);
	assert_true(v.type == BN_OW_P_BOOL && v.i == 0);

	bn_ow_wireformat_build(&wf, &pr, &fmt, 12000, 10000);
	assert_null(feed(t, &wf));
	assert_int_equal(decode_all(&t->reply, c, MAXCMD), 3);
	assert_int_equal(c[0].type, BN_OW_CONNECTION_INFO);
	assert_true(c[0].response_required);
	assert_true(str_is(&c[0].u.conn.user_name, "u"));
	assert_true(str_is(&c[0].u.conn.password, "p"));
	assert_true(str_is(&c[0].u.conn.client_id, "cid"));
	assert_int_equal(c[0].u.conn.connection_id.type, BN_OW_CONNECTION_ID);
	assert_int_equal(c[1].type, BN_OW_SESSION_INFO);
	assert_false(c[1].response_required);
	assert_true(c[1].u.session_id.value == 1);
	assert_int_equal(c[2].type, BN_OW_PRODUCER_INFO);
	assert_false(c[2].response_required);
	assert_true(c[2].u.producer.producer_id.session == 1 &&
	    c[2].u.producer.producer_id.value == 1);
	assert_true(c[0].command_id < c[1].command_id &&
	    c[1].command_id < c[2].command_id);

	/* the Response to ConnectionInfo; the broker's 12 s beat ours */
	f = response(t, BN_OW_RESPONSE, c[0].command_id);
	assert_non_null(f);
	assert_string_equal(f->command, "CONNECTED");
	assert_string_equal(bn_frame_get(f, "version"), "1.2");
	assert_string_equal(bn_frame_get(f, "heart-beat"), "4000,12000");
	assert_true(str_is(&c[0].u.conn.connection_id.str,
	    bn_frame_get(f, "session")));
	assert_true(str_is(&c[1].u.session_id.str, bn_frame_get(f,
	    "session")));
	/* the same Response again is no second CONNECTED */
	assert_null(response(t, BN_OW_RESPONSE, c[0].command_id));
	bn_frame_free(f);
	bn_buf_free(&pr);
}

/* The heart-beat: min(CONNECT's cx, broker's), as "third,whole". */
static void
test_heartbeat_rule(void **state)
{
	static const struct {
		const char	*connect;
		int64_t		 broker;
		int64_t		 ours;	/* our MaxInactivityDuration */
		const char	*hb;
	} cases[] = {
		{ "CONNECT\nheart-beat:30000,0\n\n", 60000, 30000,
		    "10000,30000" },
		{ "CONNECT\nheart-beat:30000,5000\n\n", 9000, 30000,
		    "3000,9000" },
		{ "CONNECT\nheart-beat:30000,0\n\n", 0, 30000, "0,0" },
		{ "CONNECT\nheart-beat:0,0\n\n", 30000, 0, "0,0" },
		{ "CONNECT\n\n", 30000, 0, "0,0" },
		{ "CONNECT\nheart-beat:junk\n\n", 30000, 0, "0,0" },
		{ "STOMP\nheart-beat:1000,1000\n\n", 30000, 1000, "333,1000" },
	};
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];
	struct bn_ow_prim v;
	struct bn_frame	*f;
	size_t		 i;

	for (i = 0; i < NELEM(cases); i++) {
		bn_owsess_reset(t->o);
		f = handshake(t, cases[i].connect, cases[i].broker,
		    fmt.max_frame);
		assert_string_equal(bn_frame_get(f, "heart-beat"),
		    cases[i].hb);
		bn_frame_free(f);
		assert_int_equal(put(t, cases[i].connect), 0);
		assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
		assert_int_equal(map_get(&c[0].u.wf.props,
		    "MaxInactivityDuration", &v), 1);
		assert_true(v.i == cases[i].ours);
	}
}

/* Refusals during the handshake. */
static void
test_handshake_refused(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD], wf;
	struct bn_buf	 pr = { 0 };
	struct bn_frame	*f;
	char		 err[256];
	size_t		 used;

	/* nothing but CONNECT before the session is up */
	assert_int_equal(put(t, "SUBSCRIBE\nid:1\ndestination:/queue/X\n"
	    "receipt:r0\n\n"), 1);
	assert_int_equal(t->out.len, 0);
	assert_local_error(t, "r0");
	/* a WireFormatInfo before ours went out, and one with a bad magic */
	bn_ow_wireformat_build(&wf, &pr, &fmt, 30000, 10000);
	bn_buf_reset(&t->scratch);
	assert_int_equal(bn_ow_encode(&t->scratch, &wf, &fmt, err,
	    sizeof(err)), 0);
	err[0] = '\0';
	assert_int_equal(bn_owsess_in(t->o, (uint8_t *)t->scratch.data,
	    t->scratch.len, &used, &t->reply, &f, err, sizeof(err)),
	    BN_PARSE_ERROR);
	assert_true(strlen(err) > 0 && f == NULL && t->reply.len == 0);
	assert_int_equal(put(t, "CONNECT\n\n"), 0);
	t->scratch.data[5 + 1] = 'X';	/* "ActiveMQ" -> "AXtiveMQ" */
	err[0] = '\0';
	assert_int_equal(bn_owsess_in(t->o, (uint8_t *)t->scratch.data,
	    t->scratch.len, &used, &t->reply, &f, err, sizeof(err)),
	    BN_PARSE_ERROR);
	assert_non_null(strstr(err, "magic"));
	/* an ExceptionResponse to ConnectionInfo: ERROR, not up */
	assert_null(feed(t, &wf));
	assert_int_equal(decode_all(&t->reply, c, MAXCMD), 3);
	f = response(t, BN_OW_EXCEPTION_RESPONSE, c[0].command_id);
	assert_string_equal(f->command, "ERROR");
	assert_null(bn_frame_get(f, "receipt-id"));
	assert_string_equal(bn_frame_get(f, "message"),
	    "javax.jms.JMSException: no way");
	bn_frame_free(f);
	assert_int_equal(put(t, "BEGIN\ntransaction:t\nreceipt:r1\n\n"), 1);
	assert_int_equal(t->out.len, 0);
	assert_local_error(t, "r1");
	bn_buf_free(&pr);
}

/* 2. SUBSCRIBE to ConsumerInfo; receipts; UNSUBSCRIBE. */
static void
test_subscribe(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];
	struct bn_ow_consumer_info *ci = &c[0].u.consumer;
	struct bn_frame	*f;
	int32_t		 cid;

	up(t);
	assert_int_equal(put(t, "SUBSCRIBE\nid:sub-a\ndestination:/queue/X\n"
	    "ack:client\nactivemq.prefetchSize:7\nactivemq.priority:-3\n"
	    "selector:color = 'red'\nactivemq.exclusive:true\n"
	    "receipt:r1\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_CONSUMER_INFO);
	assert_true(c[0].response_required);
	assert_int_equal(ci->destination.type, BN_OW_QUEUE);
	assert_true(str_is(&ci->destination.name, "X"));
	assert_int_equal(ci->prefetch, 7);
	assert_int_equal((int8_t)ci->priority, -3);
	assert_true(str_is(&ci->selector, "color = 'red'"));
	assert_true(ci->exclusive);
	assert_false(ci->no_local);
	assert_true(str_is(&ci->consumer_id.str, t->conn));
	assert_true(ci->consumer_id.session == 1 &&
	    ci->consumer_id.value == 1);
	cid = c[0].command_id;
	f = response(t, BN_OW_RESPONSE, cid);
	assert_string_equal(f->command, "RECEIPT");
	assert_string_equal(bn_frame_get(f, "receipt-id"), "r1");
	bn_frame_free(f);
	assert_null(response(t, BN_OW_RESPONSE, cid));	/* answered */

	/* defaults: prefetch 1000, no selector; a bad prefetch is ignored */
	assert_int_equal(put(t, "SUBSCRIBE\nid:sub-b\ndestination:/topic/T\n"
	    "activemq.prefetchSize:12x\nselector:\nreceipt:r2\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(ci->destination.type, BN_OW_TOPIC);
	assert_int_equal(ci->prefetch, 1000);
	assert_null(ci->selector.p);
	assert_true(ci->consumer_id.value == 2);
	f = response(t, BN_OW_EXCEPTION_RESPONSE, c[0].command_id);
	assert_string_equal(f->command, "ERROR");
	assert_string_equal(bn_frame_get(f, "receipt-id"), "r2");
	assert_string_equal(bn_frame_get(f, "message"),
	    "javax.jms.JMSException: no way");
	bn_frame_free(f);

	/* UNSUBSCRIBE: RemoveInfo; then its messages are dropped */
	assert_int_equal(put(t, "UNSUBSCRIBE\nid:sub-a\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_REMOVE_INFO);
	assert_int_equal(c[0].u.remove.object_id.type, BN_OW_CONSUMER_ID);
	assert_true(c[0].u.remove.object_id.value == 1);
	assert_null(deliver(t, 1, 1));
	assert_int_equal(put(t, "UNSUBSCRIBE\nid:sub-a\nreceipt:r3\n\n"), 1);
	assert_int_equal(t->out.len, 0);
	assert_local_error(t, "r3");

	/*
	 * With activemq.subscriptionName (as ActiveMQ's STOMP): only the
	 * RemoveSubscriptionInfo of that name and our client id, answered by
	 * the broker; no consumer of that id needs to exist.
	 */
	assert_int_equal(put(t, "UNSUBSCRIBE\nid:gone\nactivemq.subscriptionName:"
	    "brokernet.B/t\nreceipt:r4\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_REMOVE_SUBSCRIPTION_INFO);
	assert_true(c[0].response_required);
	assert_int_equal(c[0].u.remove_sub.subscription_name.len, 13);
	assert_memory_equal(c[0].u.remove_sub.subscription_name.p,
	    "brokernet.B/t", 13);
	assert_int_equal(c[0].u.remove_sub.connection_id.type,
	    BN_OW_CONNECTION_ID);
	assert_non_null(c[0].u.remove_sub.client_id.p);
	f = response(t, BN_OW_RESPONSE, c[0].command_id);
	assert_string_equal(f->command, "RECEIPT");
	assert_string_equal(bn_frame_get(f, "receipt-id"), "r4");
	bn_frame_free(f);
}

/* 4. ACK for ack:client: cumulative, with the count acked. */
static void
test_ack_client(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];
	struct bn_ow_ack *a = &c[0].u.ack;
	int64_t		 i;

	up(t);
	put(t, "SUBSCRIBE\nid:s1\ndestination:/queue/X\nack:client\n\n");
	for (i = 1; i <= 4; i++)
		bn_frame_free(deliver(t, 1, 10 + i));
	assert_int_equal(put(t, "ACK\nid:1-3\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_MESSAGE_ACK);
	assert_int_equal(a->ack_type, BN_OW_ACK_STANDARD);
	assert_int_equal(a->message_count, 3);
	assert_true(a->first_message_id.producer_seq == 11);
	assert_true(a->last_message_id.producer_seq == 13);
	assert_true(str_is(&a->last_message_id.producer.str, "ID:prod-1"));
	assert_true(a->consumer_id.value == 1);
	assert_true(str_is(&a->destination.name, "X"));
	assert_int_equal(a->transaction_id.type, 0);
	assert_false(c[0].response_required);
	/* 1..3 are gone: acking one of them again is refused */
	assert_int_equal(put(t, "ACK\nid:1-2\nreceipt:r1\n\n"), 1);
	assert_int_equal(t->out.len, 0);
	assert_local_error(t, "r1");
	/* the rest: one message */
	assert_int_equal(put(t, "ACK\nid:1-4\nreceipt:r2\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(a->message_count, 1);
	assert_true(a->first_message_id.producer_seq == 14 &&
	    a->last_message_id.producer_seq == 14);
	assert_true(c[0].response_required);
	/* tokens that name nothing */
	assert_int_equal(put(t, "ACK\nid:9-1\nreceipt:r3\n\n"), 1);
	assert_local_error(t, "r3");
	assert_int_equal(put(t, "ACK\nid:junk\nreceipt:r4\n\n"), 1);
	assert_local_error(t, "r4");
	assert_int_equal(put(t, "ACK\nreceipt:r5\n\n"), 1);
	assert_local_error(t, "r5");
}

/* client-individual acks one message; NACK is a poison ack. */
static void
test_ack_individual_nack(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];
	struct bn_ow_ack *a = &c[0].u.ack;
	int64_t		 i;

	up(t);
	put(t, "SUBSCRIBE\nid:s1\ndestination:/queue/X\n"
	    "ack:client-individual\n\n");
	put(t, "SUBSCRIBE\nid:s2\ndestination:/queue/X\nack:client\n\n");
	for (i = 1; i <= 3; i++)
		bn_frame_free(deliver(t, 1, i));
	bn_frame_free(deliver(t, 2, 50));
	bn_frame_free(deliver(t, 2, 51));
	assert_int_equal(put(t, "ACK\nid:1-2\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(a->ack_type, BN_OW_ACK_INDIVIDUAL);
	assert_int_equal(a->message_count, 1);
	assert_true(a->first_message_id.producer_seq == 2 &&
	    a->last_message_id.producer_seq == 2);
	/* 1 is still unacked */
	assert_int_equal(put(t, "NACK\nid:1-1\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(a->ack_type, BN_OW_ACK_POISON);
	assert_int_equal(a->message_count, 1);
	assert_true(a->first_message_id.producer_seq == 1 &&
	    a->last_message_id.producer_seq == 1);
	/* NACK on ack:client names one message, not a range */
	assert_int_equal(put(t, "NACK\nid:2-2\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(a->ack_type, BN_OW_ACK_POISON);
	assert_int_equal(a->message_count, 1);
	assert_true(a->consumer_id.value == 2);
	assert_true(a->first_message_id.producer_seq == 51);
	assert_int_equal(put(t, "ACK\nid:2-1\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_true(a->last_message_id.producer_seq == 50);
	assert_int_equal(a->message_count, 1);
}

/* 5. SEND of a plain frame: Text or Bytes message, headers as properties. */
static void
test_send_plain(void **state)
{
	static const char bytes_send[] = "SEND\ndestination:/topic/T\n"
	    "content-length:3\ncolor:blue\n\na\0b";
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];
	struct bn_ow_message *m = &c[0].u.msg;
	char		 tmp[200];
	int32_t		 cid;

	up(t);
	assert_int_equal(put(t, "SEND\ndestination:/queue/Q\n"
	    "amq-msg-type:text\npersistent:true\npriority:7\n"
	    "correlation-id:c9\ntype:jt\nexpires:1234\ncolor:red\n"
	    "receipt:r1\n\nhello"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_TEXT_MESSAGE);
	assert_true(c[0].response_required);
	assert_int_equal(m->destination.type, BN_OW_QUEUE);
	assert_true(str_is(&m->destination.name, "Q"));
	assert_int_equal(m->content.len, 9);
	assert_memory_equal(m->content.p, "\0\0\0\5hello", 9);
	assert_true(m->persistent);
	assert_int_equal(m->priority, 7);
	assert_true(m->expiration == 1234);
	assert_true(str_is(&m->correlation_id, "c9"));
	assert_true(str_is(&m->jms_type, "jt"));
	assert_true(m->timestamp > 0);
	assert_true(m->message_id.set);
	assert_true(str_is(&m->message_id.producer.str, t->conn));
	assert_true(m->message_id.producer_seq == 1);
	assert_true(str_is(&m->producer_id.str, t->conn));
	assert_true(prop_is(&m->properties, "color", "red"));
	assert_int_equal(map_get(&m->properties, "destination", NULL), 0);
	assert_int_equal(map_get(&m->properties, "amq-msg-type", NULL), 0);
	assert_int_equal(map_get(&m->properties, "receipt", NULL), 0);
	assert_int_equal(map_get(&m->properties, "priority", NULL), 0);
	cid = c[0].command_id;
	bn_frame_free(response(t, BN_OW_RESPONSE, cid));

	/* bytes, with a NUL; a second message id */
	bn_buf_reset(&t->out);
	assert_int_equal(bn_owsess_out(t->o, bytes_send, sizeof(bytes_send),
	    &t->out), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_BYTES_MESSAGE);
	assert_false(c[0].response_required);
	assert_int_equal(m->destination.type, BN_OW_TOPIC);
	assert_int_equal(m->content.len, 3);
	assert_memory_equal(m->content.p, "a\0b", 3);
	assert_false(m->persistent);
	assert_int_equal(m->priority, 4);
	assert_true(m->message_id.producer_seq == 2);
	assert_true(prop_is(&m->properties, "color", "blue"));
	assert_int_equal(map_get(&m->properties, "content-length", NULL), 0);

	/* a temporary queue is made once, as this connection's */
	snprintf(tmp, sizeof(tmp), "%s:1", t->conn);
	assert_int_equal(put(t, "SEND\ndestination:/temp-queue/r\n"
	    "reply-to:/temp-queue/r\n\nx"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 2);
	assert_int_equal(c[0].type, BN_OW_DESTINATION_INFO);
	assert_int_equal(c[0].u.dest.operation, BN_OW_DEST_ADD);
	assert_int_equal(c[0].u.dest.destination.type, BN_OW_TEMP_QUEUE);
	assert_true(str_is(&c[0].u.dest.destination.name, tmp));
	assert_true(str_is(&c[0].u.dest.connection_id.str, t->conn));
	assert_int_equal(c[1].type, BN_OW_BYTES_MESSAGE);
	assert_int_equal(c[1].u.msg.destination.type, BN_OW_TEMP_QUEUE);
	assert_true(str_is(&c[1].u.msg.destination.name, tmp));
	assert_int_equal(c[1].u.msg.reply_to.type, BN_OW_TEMP_QUEUE);
	assert_true(str_is(&c[1].u.msg.reply_to.name, tmp));
	assert_int_equal(map_get(&c[1].u.msg.properties, "reply-to", NULL),
	    0);
	assert_int_equal(put(t, "SEND\ndestination:/temp-queue/r\n\ny"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_true(str_is(&c[0].u.msg.destination.name, tmp));
	/* another name, another one */
	snprintf(tmp, sizeof(tmp), "%s:2", t->conn);
	assert_int_equal(put(t, "SEND\ndestination:/temp-topic/r\n\nz"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 2);
	assert_int_equal(c[0].u.dest.destination.type, BN_OW_TEMP_TOPIC);
	assert_true(str_is(&c[0].u.dest.destination.name, tmp));
}

/* A native SEND carries the message with the frame's destination. */
static void
test_send_native(void **state)
{
	static const struct {
		const char	*path;
		bool		 new_id;
	} paths[] = {
		{ ",A,B,", true }, { ",B,", true }, { ",A,BB,", false },
		{ "B,", false }, { ",B", false }, { ",A,", false },
	};
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD], d;
	struct bn_ow_message *m = &c[0].u.msg;
	struct bn_buf	 pr = { 0 }, body = { 0 }, wire = { 0 };
	struct bn_frame	*msg, *send;
	struct bn_ow_prim v;
	size_t		 i;

	up(t);
	native_text(t, &body, &pr, "payload", "pLong",
	    bn_ow_prim_int(BN_OW_P_LONG, 5), "brokernet_hops", "old");
	dispatch(&d, 1, BN_OW_TEXT_MESSAGE, &body, &pr, 21);
	d.u.dispatch.message.redelivery_counter = 2;
	d.u.dispatch.message.broker_path = (struct bn_ow_idarray){ true, 1,
	    { { BN_OW_BROKER_ID, { "ID:b", 4 }, 0, 0 } } };
	msg = feed(t, &d);
	for (i = 0; i < NELEM(paths); i++) {
		send = bn_frame_new("SEND");
		bn_frame_add_header(send, "destination", "/topic/Out");
		bn_frame_add_header(send, BN_OWSESS_NATIVE_HDR,
		    BN_OWSESS_NATIVE);
		bn_frame_add_header(send, "brokernet_path", paths[i].path);
		bn_frame_add_header(send, "color", "ignored");
		bn_frame_set_body(send, msg->body, msg->body_len);
		bn_buf_reset(&wire);
		bn_frame_serialize(send, &wire);
		bn_frame_free(send);
		bn_buf_reset(&t->out);
		assert_int_equal(bn_owsess_out(t->o, wire.data, wire.len,
		    &t->out), 0);
		assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
		assert_int_equal(c[0].type, BN_OW_TEXT_MESSAGE);
		assert_int_equal(m->destination.type, BN_OW_TOPIC);
		assert_true(str_is(&m->destination.name, "Out"));
		assert_int_equal(m->content.len, body.len);
		assert_memory_equal(m->content.p, body.data, body.len);
		assert_true(str_is(&m->producer_id.str, t->conn));
		assert_int_equal(m->redelivery_counter, 0);
		assert_false(m->broker_path.set);
		/* own typed properties kept, brokernet_* the frame's */
		assert_int_equal(map_get(&m->properties, "pLong", &v), 1);
		assert_true(v.type == BN_OW_P_LONG && v.i == 5);
		assert_true(prop_is(&m->properties, "brokernet_path",
		    paths[i].path));
		assert_int_equal(map_get(&m->properties, "brokernet_hops",
		    NULL), 0);
		assert_int_equal(map_get(&m->properties, "color", NULL), 0);
		if (paths[i].new_id) {
			assert_true(str_is(&m->message_id.producer.str,
			    t->conn));
		} else {
			assert_true(str_is(&m->message_id.producer.str,
			    "ID:prod-1"));
			assert_true(m->message_id.producer_seq == 21);
		}
	}
	/* another form, or a body that is not one whole message */
	assert_int_equal(put(t, "SEND\ndestination:/queue/Q\n"
	    "brokernet-native:openwire-11\nreceipt:r1\n\nxx"), 1);
	assert_int_equal(t->out.len, 0);
	assert_local_error(t, "r1");
	assert_int_equal(put(t, "SEND\ndestination:/queue/Q\n"
	    "brokernet-native:openwire-12\nreceipt:r2\n\nxx"), 1);
	assert_int_equal(t->out.len, 0);
	assert_local_error(t, "r2");
	bn_frame_free(msg);
	bn_buf_free(&pr);
	bn_buf_free(&body);
	bn_buf_free(&wire);
}

/* 6. BEGIN/COMMIT/ABORT, and SEND/ACK in a transaction. */
static void
test_transactions(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];
	struct bn_ow_transaction_info *x = &c[0].u.tx;

	up(t);
	assert_int_equal(put(t, "BEGIN\ntransaction:tx1\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_TRANSACTION_INFO);
	assert_int_equal(x->tx_type, BN_OW_TX_BEGIN);
	assert_int_equal(x->transaction_id.type, BN_OW_LOCAL_TRANSACTION_ID);
	assert_true(x->transaction_id.value == 1);
	assert_true(str_is(&x->transaction_id.connection.str, t->conn));
	assert_true(str_is(&x->connection_id.str, t->conn));
	assert_int_equal(put(t, "SEND\ndestination:/queue/Q\n"
	    "transaction:tx1\n\nm"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].u.msg.transaction_id.type,
	    BN_OW_LOCAL_TRANSACTION_ID);
	assert_true(c[0].u.msg.transaction_id.value == 1);
	assert_int_equal(map_get(&c[0].u.msg.properties, "transaction",
	    NULL), 0);
	put(t, "SUBSCRIBE\nid:s\ndestination:/queue/X\nack:client\n\n");
	bn_frame_free(deliver(t, 1, 1));
	assert_int_equal(put(t, "ACK\nid:1-1\ntransaction:tx1\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_true(c[0].u.ack.transaction_id.value == 1);
	assert_int_equal(put(t, "COMMIT\ntransaction:tx1\nreceipt:r\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(x->tx_type, BN_OW_TX_COMMIT_ONE_PHASE);
	assert_true(x->transaction_id.value == 1);
	assert_true(c[0].response_required);

	assert_int_equal(put(t, "BEGIN\ntransaction:tx2\n\n"), 0);
	assert_int_equal(put(t, "ABORT\ntransaction:tx2\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(x->tx_type, BN_OW_TX_ROLLBACK);
	assert_true(x->transaction_id.value == 2);
	/* ended ones, unknown ones, twice begun, no name */
	assert_int_equal(put(t, "COMMIT\ntransaction:tx1\nreceipt:a\n\n"), 1);
	assert_local_error(t, "a");
	assert_int_equal(put(t, "ABORT\ntransaction:tx2\nreceipt:b\n\n"), 1);
	assert_local_error(t, "b");
	assert_int_equal(put(t, "BEGIN\ntransaction:tx3\n\n"), 0);
	assert_int_equal(put(t, "BEGIN\ntransaction:tx3\nreceipt:c\n\n"), 1);
	assert_int_equal(t->out.len, 0);
	assert_local_error(t, "c");
	assert_int_equal(put(t, "BEGIN\nreceipt:d\n\n"), 1);
	assert_local_error(t, "d");
}

/* 7. Frames that cannot be translated: nothing out, an ERROR waits. */
static void
test_untranslatable(void **state)
{
	static const char *const frames[] = {
		"SEND\n\nbody",
		"SEND\ndestination:queue/no-slash\n\n",
		"SEND\ndestination:/queue/\n\n",
		"SEND\ndestination:/exchange/x\n\n",
		"FROB\n\n",
		"SUBSCRIBE\ndestination:/queue/X\n\n",
		"SUBSCRIBE\nid:x\n\n",
		"UNSUBSCRIBE\nid:nope\n\n",
		"ACK\nid:1-1\n\n",
		"COMMIT\ntransaction:none\n\n",
	};
	struct t	*t = *state;
	struct bn_frame	*f;
	const char	*nl;
	size_t		 i;

	up(t);
	for (i = 0; i < NELEM(frames); i++) {
		nl = strchr(frames[i], '\n');
		bn_buf_reset(&t->scratch);
		bn_buf_add(&t->scratch, frames[i], (size_t)(nl - frames[i]) +
		    1);
		bn_buf_addstr(&t->scratch, "receipt:R\n");
		bn_buf_addstr(&t->scratch, nl + 1);
		assert_int_equal(put(t, t->scratch.data), 1);
		assert_int_equal(t->out.len, 0);
		assert_local_error(t, "R");
		/* without a receipt: logged only */
		assert_int_equal(put(t, frames[i]), 0);
		assert_int_equal(t->out.len, 0);
		assert_null(bn_owsess_local(t->o));
	}
	/* two waiting, in order; a good frame between them goes out */
	assert_int_equal(put(t, "FROB\nreceipt:1\n\n"), 1);
	assert_int_equal(put(t, "BEGIN\ntransaction:t\n\n"), 1);
	assert_true(t->out.len > 0);
	assert_int_equal(put(t, "FROB\nreceipt:2\n\n"), 2);
	f = bn_owsess_local(t->o);
	assert_string_equal(bn_frame_get(f, "receipt-id"), "1");
	bn_frame_free(f);
	assert_local_error(t, "2");
}

/* Heart-beats and the broker's other commands. */
static void
test_keepalive(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD], k;
	struct bn_frame	*f;

	assert_int_equal(put(t, "\n"), 0);	/* before CONNECT: nothing */
	assert_int_equal(t->out.len, 0);
	up(t);
	bn_buf_reset(&t->out);
	assert_int_equal(bn_owsess_out(t->o, "\n\r\n", 3, &t->out), 0);
	assert_true(decode_all(&t->out, c, MAXCMD) >= 1);
	assert_int_equal(c[0].type, BN_OW_KEEP_ALIVE_INFO);
	assert_false(c[0].response_required);
	memset(&k, 0, sizeof(k));
	k.type = BN_OW_KEEP_ALIVE_INFO;
	assert_null(feed(t, &k));
	assert_int_equal(t->reply.len, 0);
	k.response_required = true;
	assert_null(feed(t, &k));
	assert_int_equal(decode_all(&t->reply, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_KEEP_ALIVE_INFO);
	assert_false(c[0].response_required);
	/* BrokerInfo and ShutdownInfo are not the session's */
	memset(&k, 0, sizeof(k));
	k.type = BN_OW_BROKER_INFO;
	k.u.broker.broker_name = (struct bn_ow_str){ "b", 1 };
	assert_null(feed(t, &k));
	assert_int_equal(t->reply.len, 0);
	/* a ConnectionError is an ERROR with its message */
	memset(&k, 0, sizeof(k));
	k.type = BN_OW_CONNECTION_ERROR;
	k.u.conn_error.error = (struct bn_ow_error){ true, { "E", 1 },
	    { "bye now", 7 } };
	f = feed(t, &k);
	assert_string_equal(f->command, "ERROR");
	assert_string_equal(bn_frame_get(f, "message"), "bye now");
	bn_frame_free(f);
	/* DISCONNECT: RemoveInfo of the connection */
	assert_int_equal(put(t, "DISCONNECT\nreceipt:bye\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_REMOVE_INFO);
	assert_int_equal(c[0].u.remove.object_id.type, BN_OW_CONNECTION_ID);
	f = response(t, BN_OW_RESPONSE, c[0].command_id);
	assert_string_equal(f->command, "RECEIPT");
	bn_frame_free(f);
}

/*
 * A SEND or ACK naming a transaction this session does not know (ended,
 * never begun, or begun before bn_owsess_reset) goes out with no
 * transaction at all (owsend.c bn_owsess_send, owsess.c ow_out_ack: a
 * NULL bn_owsess_tx is a null txid); ActiveMQ's STOMP refuses it
 * ("Invalid transaction id").
 */
static void
test_fixed_unknown_transaction(void **state)
{
	struct t	*t = *state;

	up(t);
	assert_int_equal(put(t, "SEND\ndestination:/queue/Q\n"
	    "transaction:nope\nreceipt:r\n\nm"), 1);
	assert_int_equal(t->out.len, 0);
	assert_local_error(t, "r");
}

/*
 * A frame that fails after bn_owsess_dest made a temporary destination
 * is rolled back (bn_owsess_out: out->len = before), DestinationInfo
 * included, but the destination stays in o->temps: later frames use a
 * destination the broker was never told of.
 */
static void
test_fixed_temp_rolled_back(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];

	up(t);
	assert_int_equal(put(t, "SEND\ndestination:/temp-queue/r\n"
	    "brokernet-native:bogus\n\nx"), 0);
	assert_int_equal(t->out.len, 0);
	assert_int_equal(put(t, "SEND\ndestination:/temp-queue/r\n\nx"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 2);
	assert_int_equal(c[0].type, BN_OW_DESTINATION_INFO);
}

/*
 * A SUBSCRIBE whose ConsumerInfo cannot be encoded (here: above the
 * broker's MaxFrameSize) is refused, but ow_out_subscribe has already
 * put its consumer on o->consumers: a later SUBSCRIBE with the same id
 * is a second consumer, and UNSUBSCRIBE removes the phantom (value 1),
 * not the one the broker has (value 2).
 */
static void
test_fixed_failed_subscribe_kept(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];
	int64_t		 v;
	size_t		 i;

	bn_frame_free(handshake(t, "CONNECT\n\n", 0, 1000));
	bn_buf_reset(&t->scratch);
	bn_buf_addstr(&t->scratch, "SUBSCRIBE\nid:s\ndestination:/queue/X\n"
	    "selector:");
	for (i = 0; i < 2000; i++)
		bn_buf_addc(&t->scratch, 'a');
	bn_buf_addstr(&t->scratch, "\n\n");
	assert_int_equal(put(t, t->scratch.data), 0);
	assert_int_equal(t->out.len, 0);
	put(t, "SUBSCRIBE\nid:s\ndestination:/queue/X\n\n");
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	v = c[0].u.consumer.consumer_id.value;
	put(t, "UNSUBSCRIBE\nid:s\n\n");
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_REMOVE_INFO);
	assert_true(c[0].u.remove.object_id.value == v);
}

/*
 * A repeated header: STOMP (and frame.h) say the first one wins, but
 * ow_props writes both entries and Java's map keeps the last.
 */
static void
test_fixed_repeated_header(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];

	up(t);
	put(t, "SEND\ndestination:/queue/Q\ncolor:red\ncolor:blue\n\nm");
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(map_get(&c[0].u.msg.properties, "color", NULL), 1);
	assert_true(prop_is(&c[0].u.msg.properties, "color", "red"));
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_handshake),
		T(test_heartbeat_rule),
		T(test_handshake_refused),
		T(test_subscribe),
		T(test_ack_client),
		T(test_ack_individual_nack),
		T(test_send_plain),
		T(test_send_native),
		T(test_transactions),
		T(test_untranslatable),
		T(test_keepalive),
		T(test_fixed_unknown_transaction),
		T(test_fixed_temp_rolled_back),
		T(test_fixed_failed_subscribe_kept),
		T(test_fixed_repeated_header),
	};

	/* owsess logs each refused frame; the assertions say enough */
	bn_log_init(-1, 0, "test_owsess");
	bn_ow_format_default(&fmt);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
