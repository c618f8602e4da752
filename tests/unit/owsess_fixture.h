/*
 * What tests/unit/test_owsess.c (frames out) and test_owin.c (commands
 * in) share: a session under test with the bytes it wrote, the broker's
 * side of the handshake, and builders for broker commands, all on the
 * OpenWire codec (no I/O).
 */
#ifndef OWSESS_FIXTURE_H
#define OWSESS_FIXTURE_H

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

static inline int
setup(void **state)
{
	struct t	*t = xcalloc(1, sizeof(*t));

	t->o = bn_owsess_new("test", "B");
	*state = t;
	return 0;
}

static inline int
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

static inline bool
str_is(const struct bn_ow_str *s, const char *want)
{
	return s->p != NULL && s->len == strlen(want) &&
	    memcmp(s->p, want, s->len) == 0;
}

/* A frame in wire form; the literal's NUL ends it. Returns nlocal. */
static inline size_t
put(struct t *t, const char *wire)
{
	bn_buf_reset(&t->out);
	return bn_owsess_out(t->o, wire, strlen(wire) + 1, &t->out);
}

/* Decodes all of b (it must be whole commands) into c; returns how many. */
static inline size_t
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
static inline struct bn_frame *
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

static inline struct bn_frame *
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
static inline struct bn_frame *
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
	bn_ow_wireformat_build(&wf, &props, &bf, broker_ms, 10000);
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

static inline void
up(struct t *t)
{
	bn_frame_free(handshake(t, "CONNECT\nheart-beat:30000,0\n\n", 30000,
	    fmt.max_frame));
	bn_buf_reset(&t->out);
}

/* A string-keyed primitive map from name, value pairs (NULL ends). */
static inline void
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

/* A MapMessage body of one int entry, a = 1. */
static inline void
map_body(struct bn_buf *b)
{
	struct bn_ow_prim v = bn_ow_prim_int(BN_OW_P_INT, 1);
	size_t		 at;

	bn_buf_reset(b);
	at = bn_ow_map_begin(b);
	bn_ow_map_put(b, "a", 1, &v);
	bn_ow_map_end(b, at, 1);
}

/* Properties color = "red" and, when typed is set, typed = int 7. */
static inline void
red_props(struct bn_buf *b, const char *typed)
{
	struct bn_ow_prim v = bn_ow_prim_str("red", 3);
	size_t		 at;

	bn_buf_reset(b);
	at = bn_ow_map_begin(b);
	bn_ow_map_put(b, "color", 5, &v);
	v = bn_ow_prim_int(BN_OW_P_INT, 7);
	if (typed != NULL)
		bn_ow_map_put(b, typed, strlen(typed), &v);
	bn_ow_map_end(b, at, typed != NULL ? 2 : 1);
}

/* Looks a property up; returns the number of entries named so. */
static inline int
map_get(const struct bn_ow_bytes *m, const char *name, struct bn_ow_prim *v)
{
	struct bn_ow_map_iter it;
	struct bn_ow_prim x;
	struct bn_ow_str n;
	struct bn_ow_bytes raw;
	char		 err[128];
	int		 hits = 0;

	if (v != NULL)
		memset(v, 0, sizeof(*v));
	assert_int_equal(bn_ow_map_open(&it, m->p, m->len, err, sizeof(err)),
	    0);
	while (bn_ow_map_next(&it, &n, &x, &raw, err, sizeof(err)) == 1)
		if (str_is(&n, name) && hits++ == 0 && v != NULL)
			*v = x;
	return hits;
}

static inline bool
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
static inline void
text(struct bn_buf *b, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);
	uint8_t	 len[4] = { n >> 24, n >> 16, n >> 8, n };

	bn_buf_reset(b);
	bn_buf_add(b, len, 4);
	bn_buf_add(b, s, n);
}

/* A MessageDispatch to consumer cons of a message from queue X. */
static inline void
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
static inline struct bn_frame *
deliver(struct t *t, int64_t cons, int64_t seq)
{
	struct bn_ow_cmd c;

	text(&t->scratch, "hello");
	dispatch(&c, cons, BN_OW_TEXT_MESSAGE, &t->scratch, NULL, seq);
	return feed(t, &c);
}

static inline void
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

/*
 * A native subscription (id n1, /queue/X, ack:client), a TextMessage body
 * and a property map of one typed property and one brokernet_* String.
 */
static inline void
native_text(struct t *t, struct bn_buf *body, struct bn_buf *pr,
    const char *s, const char *name, struct bn_ow_prim v, const char *net,
    const char *netv)
{
	struct bn_ow_prim nv = bn_ow_prim_str(netv, strlen(netv));
	size_t		 at;

	put(t, "SUBSCRIBE\nid:n1\ndestination:/queue/X\nack:client\n"
	    "brokernet-native:true\n\n");
	text(body, s);
	at = bn_ow_map_begin(pr);
	bn_ow_map_put(pr, name, strlen(name), &v);
	bn_ow_map_put(pr, net, strlen(net), &nv);
	bn_ow_map_end(pr, at, 2);
}

#endif /* OWSESS_FIXTURE_H */
