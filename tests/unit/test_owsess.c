/*
 * Unit tests for the OpenWire broker session (bridge/owsess.c, owin.c,
 * owsend.c): frames in STOMP wire form go through bn_owsess_out and what
 * it writes is read back with the codec's decoder; broker commands built
 * with the codec's encoder go through bn_owsess_in and the frames and
 * replies it makes are checked field by field. Covers the handshake and
 * the heart-beat rule, SUBSCRIBE, MESSAGE (plain, native, advisory),
 * ACK/NACK, SEND (plain, native, re-entry), transactions, frames that
 * cannot be translated, short and bad broker bytes, reset, and messages
 * that cannot travel faithfully. Tests named known_* show bugs and are
 * skipped unless OWSESS_KNOWN_BUGS is set (see each one).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/openwire.h"
#include "brokernet/owsess.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXCMD		8

/* What owsess negotiates with a broker that offers the defaults. */
static struct bn_ow_format fmt;

static const struct bn_ow_id prod = { BN_OW_PRODUCER_ID, { "ID:prod-1", 9 },
    1, 1 };

/* One session under test and the bytes it wrote. */
struct t {
	struct bn_owsess *o;
	struct bn_buf	 out;		/* bn_owsess_out's commands */
	struct bn_buf	 reply;		/* bn_owsess_in's replies */
	struct bn_buf	 scratch;
	char		 conn[160];	/* ConnectionId: CONNECTED's session */
};

static int
setup(void **state)
{
	struct t	*t = xcalloc(1, sizeof(*t));

	t->o = bn_owsess_new("test", "B");
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct t	*t = *state;
	struct bn_frame	*f;

	while ((f = bn_owsess_local(t->o)) != NULL)
		bn_frame_free(f);
	bn_owsess_free(t->o);
	bn_buf_free(&t->out);
	bn_buf_free(&t->reply);
	bn_buf_free(&t->scratch);
	free(t);
	return 0;
}

static bool
str_is(const struct bn_ow_str *s, const char *want)
{
	return s->p != NULL && s->len == strlen(want) &&
	    memcmp(s->p, want, s->len) == 0;
}

/* A frame in wire form; the literal's NUL ends it. Returns nlocal. */
static size_t
put(struct t *t, const char *wire)
{
	bn_buf_reset(&t->out);
	return bn_owsess_out(t->o, wire, strlen(wire) + 1, &t->out);
}

/* Decodes all of b (it must be whole commands) into c; returns how many. */
static size_t
decode_all(const struct bn_buf *b, struct bn_ow_cmd *c, size_t max)
{
	char	err[256];
	size_t	off = 0, n = 0, used;

	while (off < b->len) {
		assert_true(n < max);
		assert_int_equal(bn_ow_decode((const uint8_t *)b->data + off,
		    b->len - off, &fmt, &c[n], &used, err, sizeof(err)),
		    BN_PARSE_OK);
		off += used;
		n++;
	}
	return n;
}

/* Feeds one encoded command; reply is reset first. */
static struct bn_frame *
feed(struct t *t, const struct bn_ow_cmd *c)
{
	struct bn_buf	 b = { 0 };
	struct bn_frame	*f;
	char		 err[256];
	size_t		 used;

	assert_int_equal(bn_ow_encode(&b, c, &fmt, err, sizeof(err)), 0);
	bn_buf_reset(&t->reply);
	assert_int_equal(bn_owsess_in(t->o, (uint8_t *)b.data, b.len, &used,
	    &t->reply, &f, err, sizeof(err)), BN_PARSE_OK);
	assert_int_equal(used, b.len);
	bn_buf_free(&b);
	return f;
}

static struct bn_frame *
response(struct t *t, uint8_t type, int32_t cid)
{
	struct bn_ow_cmd c;

	memset(&c, 0, sizeof(c));
	c.type = type;
	c.u.resp.correlation_id = cid;
	if (type == BN_OW_EXCEPTION_RESPONSE)
		c.u.resp.exception = (struct bn_ow_error){ true,
		    { "javax.jms.JMSException", 22 }, { "no way", 6 } };
	return feed(t, &c);
}

/* CONNECT, the broker's WireFormatInfo, the Response: CONNECTED. */
static struct bn_frame *
handshake(struct t *t, const char *connect, int64_t broker_ms,
    uint64_t max_frame)
{
	struct bn_ow_cmd c[MAXCMD], wf;
	struct bn_ow_format bf = fmt;
	struct bn_buf	 props = { 0 };
	struct bn_frame	*f;
	int32_t		 cid;

	assert_int_equal(put(t, connect), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].type, BN_OW_WIREFORMAT_INFO);
	bf.max_frame = max_frame;
	bn_ow_wireformat_build(&wf, &props, &bf, broker_ms);
	assert_null(feed(t, &wf));
	bn_buf_free(&props);
	assert_int_equal(decode_all(&t->reply, c, MAXCMD), 3);
	assert_int_equal(c[0].type, BN_OW_CONNECTION_INFO);
	cid = c[0].command_id;
	f = response(t, BN_OW_RESPONSE, cid);
	assert_non_null(f);
	assert_string_equal(f->command, "CONNECTED");
	assert_int_equal(t->reply.len, 0);
	snprintf(t->conn, sizeof(t->conn), "%s", bn_frame_get(f, "session"));
	return f;
}

static void
up(struct t *t)
{
	bn_frame_free(handshake(t, "CONNECT\nheart-beat:30000,0\n\n", 30000,
	    fmt.max_frame));
	bn_buf_reset(&t->out);
}

/* A string-keyed primitive map from name, value pairs (NULL ends). */
static void
props(struct bn_buf *b, const char *const *kv)
{
	struct bn_ow_prim v;
	size_t		 at;
	uint32_t	 n = 0;

	bn_buf_reset(b);
	at = bn_ow_map_begin(b);
	for (; kv[0] != NULL; kv += 2, n++) {
		v = bn_ow_prim_str(kv[1], strlen(kv[1]));
		assert_int_equal(bn_ow_map_put(b, kv[0], strlen(kv[0]), &v),
		    0);
	}
	bn_ow_map_end(b, at, n);
}

/* Looks a property up; returns the number of entries named so. */
static int
map_get(const struct bn_ow_bytes *m, const char *name, struct bn_ow_prim *v)
{
	struct bn_ow_map_iter it;
	struct bn_ow_prim x;
	struct bn_ow_str n;
	struct bn_ow_bytes raw;
	char		 err[128];
	int		 hits = 0;

	assert_int_equal(bn_ow_map_open(&it, m->p, m->len, err, sizeof(err)),
	    0);
	while (bn_ow_map_next(&it, &n, &x, &raw, err, sizeof(err)) == 1)
		if (str_is(&n, name) && hits++ == 0 && v != NULL)
			*v = x;
	return hits;
}

static bool
prop_is(const struct bn_ow_bytes *m, const char *name, const char *want)
{
	struct bn_ow_prim v;
	struct bn_ow_str s;

	if (map_get(m, name, &v) != 1 || v.type != BN_OW_P_STRING)
		return false;
	s.p = (const char *)v.bytes.p;
	s.len = v.bytes.len;
	return str_is(&s, want);
}

/* TextMessage content: writeUTF8's int length, then the bytes. */
static void
text(struct bn_buf *b, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);
	uint8_t	 len[4] = { n >> 24, n >> 16, n >> 8, n };

	bn_buf_reset(b);
	bn_buf_add(b, len, 4);
	bn_buf_add(b, s, n);
}

/* A MessageDispatch to consumer cons of a message from queue X. */
static void
dispatch(struct bn_ow_cmd *c, int64_t cons, uint8_t type,
    const struct bn_buf *content, const struct bn_buf *pr, int64_t seq)
{
	struct bn_ow_message *m = &c->u.dispatch.message;

	memset(c, 0, sizeof(*c));
	c->type = BN_OW_MESSAGE_DISPATCH;
	c->u.dispatch.consumer_id = (struct bn_ow_id){ BN_OW_CONSUMER_ID,
	    { "ID:us", 5 }, 1, cons };
	c->u.dispatch.destination = (struct bn_ow_dest){ BN_OW_QUEUE,
	    { "X", 1 } };
	c->u.dispatch.has_message = true;
	m->type = type;
	m->producer_id = prod;
	m->destination = c->u.dispatch.destination;
	m->message_id = (struct bn_ow_message_id){ true, { NULL, 0 }, prod,
	    seq, 100 + seq };
	m->persistent = true;
	m->priority = 4;
	m->timestamp = 1700000000000LL;
	if (content != NULL)
		m->content = (struct bn_ow_bytes){
		    (const uint8_t *)content->data, content->len };
	if (pr != NULL)
		m->properties = (struct bn_ow_bytes){
		    (const uint8_t *)pr->data, pr->len };
}

/* A TextMessage "hello" with seq to consumer cons: the MESSAGE. */
static struct bn_frame *
deliver(struct t *t, int64_t cons, int64_t seq)
{
	struct bn_ow_cmd c;

	text(&t->scratch, "hello");
	dispatch(&c, cons, BN_OW_TEXT_MESSAGE, &t->scratch, NULL, seq);
	return feed(t, &c);
}

static void
assert_local_error(struct t *t, const char *receipt)
{
	struct bn_frame	*f = bn_owsess_local(t->o);

	assert_non_null(f);
	assert_string_equal(f->command, "ERROR");
	assert_string_equal(bn_frame_get(f, "receipt-id"), receipt);
	assert_non_null(bn_frame_get(f, "message"));
	assert_true(strlen(bn_frame_get(f, "message")) > 0);
	bn_frame_free(f);
	assert_null(bn_owsess_local(t->o));
}

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

	bn_ow_wireformat_build(&wf, &pr, &fmt, 12000);
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
	bn_ow_wireformat_build(&wf, &pr, &fmt, 30000);
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
}

/* 3. MessageDispatch to a plain subscription: MESSAGE. */
static void
test_message_plain(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c, r[MAXCMD];
	struct bn_buf	 pr = { 0 }, body = { 0 };
	struct bn_frame	*f;
	static const char *const kv[] = { "color", "red", "brokernet_path",
	    ",A,", NULL };

	up(t);
	put(t, "SUBSCRIBE\nid:s1\ndestination:/queue/X\nack:client\n\n");
	text(&body, "hello");
	props(&pr, kv);
	dispatch(&c, 1, BN_OW_TEXT_MESSAGE, &body, &pr, 7);
	c.u.dispatch.message.correlation_id = (struct bn_ow_str){ "c-1", 3 };
	c.u.dispatch.message.jms_type = (struct bn_ow_str){ "ty", 2 };
	c.u.dispatch.message.reply_to = (struct bn_ow_dest){ BN_OW_TOPIC,
	    { "R", 1 } };
	c.u.dispatch.message.expiration = 99;
	c.u.dispatch.redelivery_counter = 1;
	f = feed(t, &c);
	assert_string_equal(f->command, "MESSAGE");
	assert_string_equal(bn_frame_get(f, "subscription"), "s1");
	assert_string_equal(bn_frame_get(f, "destination"), "/queue/X");
	assert_string_equal(bn_frame_get(f, "message-id"), "ID:prod-1:1:1:7");
	assert_string_equal(bn_frame_get(f, "ack"), "1-1");
	assert_string_equal(bn_frame_get(f, "persistent"), "true");
	assert_string_equal(bn_frame_get(f, "priority"), "4");
	assert_string_equal(bn_frame_get(f, "expires"), "99");
	assert_string_equal(bn_frame_get(f, "timestamp"), "1700000000000");
	assert_string_equal(bn_frame_get(f, "correlation-id"), "c-1");
	assert_string_equal(bn_frame_get(f, "type"), "ty");
	assert_string_equal(bn_frame_get(f, "reply-to"), "/topic/R");
	assert_string_equal(bn_frame_get(f, "redelivered"), "true");
	assert_string_equal(bn_frame_get(f, "amq-msg-type"), "text");
	assert_string_equal(bn_frame_get(f, "color"), "red");
	assert_string_equal(bn_frame_get(f, "brokernet_path"), ",A,");
	assert_null(bn_frame_get(f, BN_OWSESS_NATIVE_HDR));
	assert_null(bn_frame_get(f, "brokernet-unfaithful"));
	assert_int_equal(f->body_len, 5);
	assert_memory_equal(f->body, "hello", 5);
	assert_int_equal(t->reply.len, 0);	/* ack:client: no ack yet */
	bn_frame_free(f);

	/* a BytesMessage body is the bytes, NULs included */
	bn_buf_reset(&body);
	bn_buf_add(&body, "a\0b", 3);
	dispatch(&c, 1, BN_OW_BYTES_MESSAGE, &body, NULL, 8);
	f = feed(t, &c);
	assert_int_equal(f->body_len, 3);
	assert_memory_equal(f->body, "a\0b", 3);
	assert_null(bn_frame_get(f, "amq-msg-type"));
	assert_null(bn_frame_get(f, "redelivered"));
	assert_string_equal(bn_frame_get(f, "ack"), "1-2");
	bn_frame_free(f);

	/* ack:auto: the MessageAck goes out at once */
	put(t, "SUBSCRIBE\nid:s2\ndestination:/queue/X\n\n");
	f = deliver(t, 2, 9);
	assert_string_equal(bn_frame_get(f, "subscription"), "s2");
	bn_frame_free(f);
	assert_int_equal(decode_all(&t->reply, r, MAXCMD), 1);
	assert_int_equal(r[0].type, BN_OW_MESSAGE_ACK);
	assert_int_equal(r[0].u.ack.ack_type, BN_OW_ACK_STANDARD);
	assert_int_equal(r[0].u.ack.message_count, 1);
	assert_true(r[0].u.ack.consumer_id.value == 2);
	assert_true(r[0].u.ack.last_message_id.producer_seq == 9);
	assert_true(r[0].u.ack.first_message_id.producer_seq == 9);

	/* an unknown consumer, and the end of a browse: no frame */
	assert_null(deliver(t, 42, 10));
	assert_int_equal(t->reply.len, 0);
	dispatch(&c, 1, BN_OW_TEXT_MESSAGE, NULL, NULL, 1);
	c.u.dispatch.has_message = false;
	assert_null(feed(t, &c));
	bn_buf_free(&pr);
	bn_buf_free(&body);
}

/* A native subscription: the whole message as the body. */
static void
test_message_native(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c, back;
	struct bn_buf	 pr = { 0 }, body = { 0 };
	struct bn_ow_prim v;
	struct bn_frame	*f;
	char		 err[256];
	size_t		 at, used;

	up(t);
	put(t, "SUBSCRIBE\nid:n1\ndestination:/queue/X\nack:client\n"
	    "brokernet-native:true\n\n");
	text(&body, "caf\xc3\xa9");
	at = bn_ow_map_begin(&pr);
	v = bn_ow_prim_int(BN_OW_P_INT, 102);
	bn_ow_map_put(&pr, "pInt", 4, &v);
	v = bn_ow_prim_str(",A,", 3);
	bn_ow_map_put(&pr, "brokernet_path", 14, &v);
	bn_ow_map_end(&pr, at, 2);
	dispatch(&c, 1, BN_OW_TEXT_MESSAGE, &body, &pr, 3);
	f = feed(t, &c);
	assert_string_equal(f->command, "MESSAGE");
	assert_string_equal(bn_frame_get(f, BN_OWSESS_NATIVE_HDR),
	    BN_OWSESS_NATIVE);
	assert_string_equal(bn_frame_get(f, "brokernet_path"), ",A,");
	assert_null(bn_frame_get(f, "pInt"));	/* rides in the body */
	assert_null(bn_frame_get(f, "brokernet-unfaithful"));
	assert_int_equal(bn_owsess_unfaithful(t->o), 0);
	assert_int_equal(bn_ow_decode((uint8_t *)f->body, f->body_len, &fmt,
	    &back, &used, err, sizeof(err)), BN_PARSE_OK);
	assert_int_equal(used, f->body_len);
	assert_int_equal(back.type, BN_OW_TEXT_MESSAGE);
	assert_int_equal(back.u.msg.content.len, body.len);
	assert_memory_equal(back.u.msg.content.p, body.data, body.len);
	assert_int_equal(back.u.msg.properties.len, pr.len);
	assert_memory_equal(back.u.msg.properties.p, pr.data, pr.len);
	assert_true(back.u.msg.message_id.producer_seq == 3);
	assert_true(str_is(&back.u.msg.message_id.producer.str, "ID:prod-1"));
	assert_true(str_is(&back.u.msg.destination.name, "X"));
	assert_true(back.u.msg.persistent);
	assert_int_equal(t->reply.len, 0);
	bn_frame_free(f);
	bn_buf_free(&pr);
	bn_buf_free(&body);
}

/* An advisory's ConsumerInfo/RemoveInfo as jms-advisory-json. */
static void
test_advisory(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c, ci;
	struct bn_buf	 enc = { 0 };
	struct bn_frame	*f;
	char		 err[256];

	up(t);
	put(t, "SUBSCRIBE\nid:adv\n"
	    "destination:/topic/ActiveMQ.Advisory.Consumer.Queue.Y\n\n");
	memset(&ci, 0, sizeof(ci));
	ci.type = BN_OW_CONSUMER_INFO;
	ci.u.consumer.consumer_id = (struct bn_ow_id){ BN_OW_CONSUMER_ID,
	    { "ID:other", 8 }, 4, 5 };
	ci.u.consumer.destination = (struct bn_ow_dest){ BN_OW_QUEUE,
	    { "Y", 1 } };
	ci.u.consumer.selector = (struct bn_ow_str){ "a > 1", 5 };
	ci.u.consumer.priority = (uint8_t)-2;
	assert_int_equal(bn_ow_encode(&enc, &ci, &fmt, err, sizeof(err)), 0);
	dispatch(&c, 1, BN_OW_MESSAGE, NULL, NULL, 1);
	/* raw: after the size prefix and the type byte */
	c.u.dispatch.message.data_structure = (struct bn_ow_raw){
	    BN_OW_CONSUMER_INFO, 0, { (uint8_t *)enc.data + 5, enc.len - 5 } };
	f = feed(t, &c);
	assert_non_null(strstr(f->body, "\"ConsumerInfo\""));
	assert_non_null(strstr(f->body, "\"@class\":\"ActiveMQQueue\""));
	assert_non_null(strstr(f->body, "\"string\":\"Y\""));
	assert_non_null(strstr(f->body, "\"selector\":\"a > 1\""));
	assert_non_null(strstr(f->body, "\"priority\":-2"));
	assert_non_null(strstr(f->body, "\"connectionId\":\"ID:other\""));
	assert_null(bn_frame_get(f, "brokernet-unfaithful"));
	bn_frame_free(f);
	bn_buf_free(&enc);
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
	size_t		 i, at;

	up(t);
	put(t, "SUBSCRIBE\nid:n1\ndestination:/queue/X\nack:client\n"
	    "brokernet-native:true\n\n");
	text(&body, "payload");
	at = bn_ow_map_begin(&pr);
	v = bn_ow_prim_int(BN_OW_P_LONG, 5);
	bn_ow_map_put(&pr, "pLong", 5, &v);
	v = bn_ow_prim_str("old", 3);
	bn_ow_map_put(&pr, "brokernet_hops", 14, &v);
	bn_ow_map_end(&pr, at, 2);
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

/* Feeds p[0..len) from an exact-size heap copy (ASan sees overreads). */
static enum bn_parse_result
feed_raw(struct t *t, const void *p, size_t len, size_t *used,
    struct bn_frame **f, char *err, size_t errlen)
{
	enum bn_parse_result r;
	uint8_t		*copy = xmalloc(len > 0 ? len : 1);

	memcpy(copy, p, len);
	err[0] = '\0';
	bn_buf_reset(&t->reply);
	r = bn_owsess_in(t->o, copy, len, used, &t->reply, f, err, errlen);
	free(copy);
	return r;
}

/* 8. Every short prefix of a command is NEED_MORE and changes nothing. */
static void
test_broker_short(void **state)
{
	static const char *const kv[] = { "k", "v", NULL };
	struct t	*t = *state;
	struct bn_ow_cmd c[4];
	struct bn_buf	 b = { 0 }, pr = { 0 };
	struct bn_frame	*f;
	char		 err[256];
	size_t		 i, k, used;

	up(t);
	put(t, "SUBSCRIBE\nid:s\ndestination:/queue/X\nack:client\n\n");
	props(&pr, kv);
	text(&t->scratch, "short");
	dispatch(&c[0], 1, BN_OW_TEXT_MESSAGE, &t->scratch, &pr, 1);
	memset(&c[1], 0, sizeof(c[1]));
	c[1].type = BN_OW_EXCEPTION_RESPONSE;
	c[1].u.resp.correlation_id = 77;
	c[1].u.resp.exception = (struct bn_ow_error){ true, { "E", 1 },
	    { "m", 1 } };
	memset(&c[2], 0, sizeof(c[2]));
	c[2].type = BN_OW_KEEP_ALIVE_INFO;
	c[2].response_required = true;
	memset(&c[3], 0, sizeof(c[3]));
	c[3].type = BN_OW_RESPONSE;
	c[3].u.resp.correlation_id = 78;
	for (i = 0; i < NELEM(c); i++) {
		bn_buf_reset(&b);
		assert_int_equal(bn_ow_encode(&b, &c[i], &fmt, err,
		    sizeof(err)), 0);
		for (k = 0; k < b.len; k++) {
			assert_int_equal(feed_raw(t, b.data, k, &used, &f, err,
			    sizeof(err)), BN_PARSE_NEED_MORE);
			assert_null(f);
			assert_int_equal(t->reply.len, 0);
			assert_int_equal(used, k < 4 ? 0 : b.len);
		}
		assert_int_equal(feed_raw(t, b.data, b.len, &used, &f, err,
		    sizeof(err)), BN_PARSE_OK);
		if (i == 0)	/* the prefixes used no ack sequence */
			assert_string_equal(bn_frame_get(f, "ack"), "1-1");
		bn_frame_free(f);
	}
	bn_buf_free(&b);
	bn_buf_free(&pr);
}

/* Garbage is an ERROR with a reason; corrupted commands never crash. */
static void
test_broker_bad(void **state)
{
	static const struct {
		const char	*bytes;
		size_t		 len;
	} bad[] = {
		{ "\0\0\0\0", 4 },			/* size 0 */
		{ "\x7f\xff\xff\xff", 4 },		/* above MaxFrameSize */
		{ "\xff\xff\xff\xff", 4 },		/* negative */
		{ "\0\0\0\1\x63", 5 },			/* type 99 */
		{ "\0\0\0\1\x64", 5 },			/* a Queue */
		{ "\0\0\0\2\x1e\0", 6 },		/* Response, short */
		/* a Response with one byte left over */
		{ "\0\0\0\x0b\x1e\0\0\0\1\0\0\0\0\1\0", 15 },
		{ "\0\0\0\2\0\0", 6 },			/* null with a byte */
	};
	static const char *const kv[] = { "a", "b", "brokernet_path", ",A,",
	    NULL };
	struct t	*t = *state;
	struct bn_ow_cmd c;
	struct bn_buf	 b = { 0 }, pr = { 0 }, body = { 0 };
	struct bn_frame	*f;
	enum bn_parse_result r;
	char		 err[256];
	size_t		 i, used;
	uint8_t		 x;

	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(feed_raw(t, bad[i].bytes, bad[i].len, &used,
		    &f, err, sizeof(err)), BN_PARSE_ERROR);
		assert_true(strlen(err) > 0);
		assert_null(f);
		assert_int_equal(t->reply.len, 0);
	}
	/* every byte of a dispatch (to each kind of consumer) flipped */
	up(t);
	put(t, "SUBSCRIBE\nid:s1\ndestination:/queue/X\nack:client\n\n");
	put(t, "SUBSCRIBE\nid:s2\ndestination:/queue/X\n"
	    "brokernet-native:true\nack:client-individual\n\n");
	put(t, "SUBSCRIBE\nid:s3\ndestination:/queue/X\n\n");
	props(&pr, kv);
	text(&body, "some text");
	for (i = 0; i < 3 * 2 * 8; i++) {
		dispatch(&c, 1 + (int64_t)(i % 3), i % 2 ? BN_OW_MAP_MESSAGE :
		    BN_OW_TEXT_MESSAGE, &body, &pr, (int64_t)i);
		bn_buf_reset(&b);
		assert_int_equal(bn_ow_encode(&b, &c, &fmt, err, sizeof(err)),
		    0);
		for (used = 4; used < b.len; used++) {
			x = (uint8_t)b.data[used];
			b.data[used] ^= (char)(1u << (i / 6));
			r = feed_raw(t, b.data, b.len, &(size_t){ 0 }, &f, err,
			    sizeof(err));
			b.data[used] = (char)x;
			if (r == BN_PARSE_ERROR)
				assert_true(strlen(err) > 0);
			else
				assert_int_equal(r, BN_PARSE_OK);
			bn_frame_free(f);
		}
	}
	bn_buf_free(&b);
	bn_buf_free(&pr);
	bn_buf_free(&body);
}

/* bn_owsess_reset forgets consumers, transactions and receipts. */
static void
test_reset(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];
	struct bn_frame	*f;
	char		 old[160];
	int32_t		 cid;

	up(t);
	snprintf(old, sizeof(old), "%s", t->conn);
	put(t, "SUBSCRIBE\nid:s1\ndestination:/queue/X\nack:client\n"
	    "receipt:r1\n\n");
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	cid = c[0].command_id;
	put(t, "BEGIN\ntransaction:tx\n\n");
	bn_frame_free(deliver(t, 1, 1));
	bn_owsess_reset(t->o);
	/* down until the next handshake */
	assert_int_equal(put(t, "SEND\ndestination:/queue/Q\nreceipt:r\n\n"),
	    1);
	assert_int_equal(t->out.len, 0);
	assert_local_error(t, "r");
	assert_null(deliver(t, 1, 2));
	up(t);
	assert_true(strcmp(old, t->conn) != 0);
	assert_true(cid > 3);	/* not one of the new handshake's */
	assert_null(response(t, BN_OW_RESPONSE, cid));
	assert_null(deliver(t, 1, 3));
	assert_int_equal(put(t, "ACK\nid:1-1\nreceipt:a\n\n"), 1);
	assert_local_error(t, "a");
	assert_int_equal(put(t, "COMMIT\ntransaction:tx\nreceipt:b\n\n"), 1);
	assert_local_error(t, "b");
	/* the same names start afresh */
	assert_int_equal(put(t, "BEGIN\ntransaction:tx\n\n"), 0);
	assert_int_equal(put(t, "SUBSCRIBE\nid:s1\ndestination:/queue/X\n"
	    "ack:client\n\n"), 0);
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_true(c[0].u.consumer.consumer_id.value == 1);
	assert_true(str_is(&c[0].u.consumer.consumer_id.str, t->conn));
	f = deliver(t, 1, 4);
	assert_string_equal(bn_frame_get(f, "ack"), "1-1");
	bn_frame_free(f);
}

/* 9. What a plain subscription cannot carry is flagged and counted. */
static void
test_unfaithful(void **state)
{
	static const struct {
		int64_t		 cons;	/* 1 plain, 2 jms-map-json, 3 native */
		uint8_t		 type;
		int		 prop;	/* 0 strings, 1 an int, 2 an int net */
		bool		 compressed;
		const char	*why;	/* NULL: faithful */
	} cases[] = {
		{ 1, BN_OW_MAP_MESSAGE, 0, false, "it is a MapMessage" },
		{ 1, BN_OW_OBJECT_MESSAGE, 0, false, "it is an ObjectMessage" },
		{ 1, BN_OW_STREAM_MESSAGE, 0, false, "it is a StreamMessage" },
		{ 1, BN_OW_TEXT_MESSAGE, 1, false,
		    "a property is not a String" },
		{ 1, BN_OW_BYTES_MESSAGE, 0, true, "its body is compressed" },
		{ 1, BN_OW_TEXT_MESSAGE, 2, false, NULL },
		{ 1, BN_OW_MESSAGE, 0, false, NULL },
		{ 2, BN_OW_MAP_MESSAGE, 0, false, NULL },
		{ 2, BN_OW_MAP_MESSAGE, 1, false,
		    "a property is not a String" },
		{ 3, BN_OW_MAP_MESSAGE, 1, false, NULL },
		{ 3, BN_OW_OBJECT_MESSAGE, 0, false, NULL },
	};
	struct t	*t = *state;
	struct bn_ow_cmd c, r[MAXCMD];
	struct bn_buf	 pr = { 0 }, body = { 0 };
	struct bn_ow_prim v;
	struct bn_frame	*f;
	uint64_t	 count = 0;
	size_t		 i, at;

	up(t);
	put(t, "SUBSCRIBE\nid:p\ndestination:/queue/X\nack:client\n\n");
	put(t, "SUBSCRIBE\nid:j\ndestination:/queue/X\nack:client\n"
	    "transformation:jms-map-json\n\n");
	put(t, "SUBSCRIBE\nid:n\ndestination:/queue/X\nack:client\n"
	    "brokernet-native:true\n\n");
	for (i = 0; i < NELEM(cases); i++) {
		at = bn_ow_map_begin(&body);
		v = bn_ow_prim_int(BN_OW_P_INT, 1);
		bn_ow_map_put(&body, "a", 1, &v);
		bn_ow_map_end(&body, at, 1);
		bn_buf_reset(&pr);
		at = bn_ow_map_begin(&pr);
		v = bn_ow_prim_str("red", 3);
		bn_ow_map_put(&pr, "color", 5, &v);
		v = bn_ow_prim_int(BN_OW_P_INT, 7);
		if (cases[i].prop == 1)
			bn_ow_map_put(&pr, "pInt", 4, &v);
		else if (cases[i].prop == 2)
			bn_ow_map_put(&pr, "brokernet_hops", 14, &v);
		bn_ow_map_end(&pr, at, cases[i].prop ? 2 : 1);
		dispatch(&c, cases[i].cons, cases[i].type, &body, &pr,
		    (int64_t)i);
		c.u.dispatch.message.compressed = cases[i].compressed;
		f = feed(t, &c);
		assert_non_null(f);
		bn_buf_reset(&body);
		if (cases[i].why == NULL) {
			assert_null(bn_frame_get(f, "brokernet-unfaithful"));
			assert_int_equal(t->reply.len, 0);
			if (cases[i].cons == 2)
				assert_non_null(strstr(f->body,
				    "{\"map\":{\"entry\":[{\"string\":\"a\","
				    "\"int\":1}]}}"));
			assert_true(bn_owsess_unfaithful(t->o) == count);
			bn_frame_free(f);
			continue;
		}
		count++;
		assert_string_equal(bn_frame_get(f, "brokernet-unfaithful"),
		    cases[i].why);
		assert_true(bn_owsess_unfaithful(t->o) == count);
		/* a copy went to the DLQ, its reason a property */
		assert_int_equal(decode_all(&t->reply, r, MAXCMD), 1);
		assert_int_equal(r[0].type, cases[i].type);
		assert_true(str_is(&r[0].u.msg.destination.name,
		    "ActiveMQ.DLQ"));
		assert_true(str_is(&r[0].u.msg.original_destination.name,
		    "X"));
		assert_true(prop_is(&r[0].u.msg.properties,
		    "brokernet_unfaithful", cases[i].why));
		assert_true(prop_is(&r[0].u.msg.properties, "color", "red"));
		assert_int_equal(map_get(&r[0].u.msg.properties, "pInt", NULL),
		    cases[i].prop == 1);
		assert_true(r[0].u.msg.message_id.producer_seq == (int64_t)i);
		bn_frame_free(f);
	}
	bn_buf_free(&pr);
	bn_buf_free(&body);
}

/*
 * Known bugs: each test asserts the behaviour owsess should have and is
 * skipped unless OWSESS_KNOWN_BUGS is set in the environment, so the
 * suite stays green until bridge/ow*.c is fixed; then drop the skip.
 */
static bool
known_bug(void)
{
	if (getenv("OWSESS_KNOWN_BUGS") != NULL)
		return true;
	skip();
	return false;
}

/*
 * in_dead_letter's rule is "the send before the ack", but for ack:auto
 * in_dispatch writes the auto MessageAck first (owin.c, in_dispatch): a
 * drop between the two loses the message, acked but not dead-lettered.
 */
static void
known_auto_ack_before_dead_letter(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c, r[MAXCMD];

	if (!known_bug())
		return;
	up(t);
	put(t, "SUBSCRIBE\nid:a\ndestination:/queue/X\n\n");
	dispatch(&c, 1, BN_OW_MAP_MESSAGE, NULL, NULL, 1);
	bn_frame_free(feed(t, &c));
	assert_int_equal(decode_all(&t->reply, r, MAXCMD), 2);
	assert_int_equal(r[0].type, BN_OW_MAP_MESSAGE);	/* to the DLQ */
	assert_int_equal(r[1].type, BN_OW_MESSAGE_ACK);
}

/*
 * A SEND or ACK naming a transaction this session does not know (ended,
 * never begun, or begun before bn_owsess_reset) goes out with no
 * transaction at all (owsend.c bn_owsess_send, owsess.c ow_out_ack: a
 * NULL bn_owsess_tx is a null txid); ActiveMQ's STOMP refuses it
 * ("Invalid transaction id").
 */
static void
known_unknown_transaction(void **state)
{
	struct t	*t = *state;

	if (!known_bug())
		return;
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
known_temp_rolled_back(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];

	if (!known_bug())
		return;
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
known_failed_subscribe_kept(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];
	int64_t		 v;
	size_t		 i;

	if (!known_bug())
		return;
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
 * Text bodies: ActiveMQ stores a TextMessage in Java's modified UTF-8
 * (a character above U+FFFF as two 3-byte surrogates), and its STOMP
 * transport hands clients standard UTF-8. in_plain_body passes the
 * stored bytes on, so a plain subscription gets "\xed\xa0\xbd\xed\xb8
 * \x80" for U+1F600; owsend.c writes a SEND's UTF-8 as it is, which
 * Java's readUTF8 refuses ("malformed input") on getText().
 */
static void
known_text_not_utf8(void **state)
{
	static const char cesu[] = "\xed\xa0\xbd\xed\xb8\x80";
	static const char utf8[] = "\xf0\x9f\x98\x80";
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];
	struct bn_frame	*f;

	if (!known_bug())
		return;
	up(t);
	put(t, "SUBSCRIBE\nid:p\ndestination:/queue/X\nack:client\n\n");
	text(&t->scratch, cesu);
	dispatch(&c[0], 1, BN_OW_TEXT_MESSAGE, &t->scratch, NULL, 1);
	f = feed(t, &c[0]);
	assert_int_equal(f->body_len, 4);
	assert_memory_equal(f->body, utf8, 4);
	bn_frame_free(f);
	put(t, "SEND\ndestination:/queue/Q\namq-msg-type:text\n\n"
	    "\xf0\x9f\x98\x80");
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(c[0].u.msg.content.len, 4 + 6);
	assert_memory_equal(c[0].u.msg.content.p + 4, cesu, 6);
}

/*
 * A repeated header: STOMP (and frame.h) say the first one wins, but
 * ow_props writes both entries and Java's map keeps the last.
 */
static void
known_repeated_header(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD];

	if (!known_bug())
		return;
	up(t);
	put(t, "SEND\ndestination:/queue/Q\ncolor:red\ncolor:blue\n\nm");
	assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
	assert_int_equal(map_get(&c[0].u.msg.properties, "color", NULL), 1);
	assert_true(prop_is(&c[0].u.msg.properties, "color", "red"));
}

/*
 * Null strings from the broker reach memcpy(dst, NULL, 0), undefined
 * behaviour that aborts the ASan+UBSan build (bin/tests-san, and
 * brokernetd-san): a message without MessageId to an ack:client
 * subscription (xstrndup from in_keep, owin.c:402), without MessageId
 * or destination (bn_buf_add from in_msgid_str owin.c:39, in_dest_str
 * owin.c:27), an ExceptionResponse or ConnectionError whose exception
 * is null (owin.c:513, 515, 573). The plain build passes this test; the
 * sanitized one shows the bug.
 */
static void
known_null_strings(void **state)
{
	struct t	*t = *state;
	struct bn_ow_cmd c;
	struct bn_frame	*f;

	if (!known_bug())
		return;
	up(t);
	put(t, "SUBSCRIBE\nid:s\ndestination:/queue/X\nack:client\n\n");
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_MESSAGE_DISPATCH;
	c.u.dispatch.consumer_id.type = BN_OW_CONSUMER_ID;
	c.u.dispatch.consumer_id.value = 1;
	c.u.dispatch.has_message = true;
	c.u.dispatch.message.type = BN_OW_BYTES_MESSAGE;
	f = feed(t, &c);
	assert_non_null(bn_frame_get(f, "message-id"));
	bn_frame_free(f);
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_EXCEPTION_RESPONSE;
	c.u.resp.correlation_id = 999;
	f = feed(t, &c);
	assert_string_equal(f->command, "ERROR");
	bn_frame_free(f);
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_CONNECTION_ERROR;
	f = feed(t, &c);
	assert_string_equal(f->command, "ERROR");
	bn_frame_free(f);
}

/*
 * A String property with an empty name (any OpenWire producer can send
 * one; JMS refuses it) becomes a MESSAGE header named "" (in_props,
 * owin.c:132), which bn_frame_parse refuses ("empty header name"): sent
 * on over a link (forward.c, plain subscriptions) the peer's parser
 * drops the frame. Found by fuzz_owsess.
 */
static void
known_empty_property_name(void **state)
{
	static const char *const kv[] = { "", "v", "ok", "w", NULL };
	struct t	*t = *state;
	struct bn_ow_cmd c;
	struct bn_frame	*f, *back = NULL;
	struct bn_frame_limits lim;
	const char	*perr;
	size_t		 used, need;

	if (!known_bug())
		return;
	up(t);
	put(t, "SUBSCRIBE\nid:p\ndestination:/queue/X\nack:client\n\n");
	props(&t->scratch, kv);
	dispatch(&c, 1, BN_OW_BYTES_MESSAGE, NULL, &t->scratch, 1);
	f = feed(t, &c);
	assert_string_equal(bn_frame_get(f, "ok"), "w");
	bn_buf_reset(&t->out);
	bn_frame_serialize(f, &t->out);
	bn_frame_free(f);
	bn_frame_limits_default(&lim);
	assert_int_equal(bn_frame_parse(t->out.data, t->out.len, &lim, &back,
	    &used, &need, NULL, &perr), BN_PARSE_OK);
	bn_frame_free(back);
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
		T(test_message_plain),
		T(test_message_native),
		T(test_advisory),
		T(test_ack_client),
		T(test_ack_individual_nack),
		T(test_send_plain),
		T(test_send_native),
		T(test_transactions),
		T(test_untranslatable),
		T(test_keepalive),
		T(test_broker_short),
		T(test_broker_bad),
		T(test_reset),
		T(test_unfaithful),
		T(known_auto_ack_before_dead_letter),
		T(known_unknown_transaction),
		T(known_temp_rolled_back),
		T(known_failed_subscribe_kept),
		T(known_text_not_utf8),
		T(known_repeated_header),
		T(known_null_strings),
		T(known_empty_property_name),
	};

	/* owsess logs each refused frame; the assertions say enough */
	bn_log_init(-1, 0, "test_owsess");
	bn_ow_format_default(&fmt);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
