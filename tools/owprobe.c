/*
 * owprobe: a small blocking OpenWire client on the codec in
 * bridge/openwire.c, to prove it against a real ActiveMQ broker.
 *
 *   owprobe [-H host] -p port selftest QUEUE
 *	handshake, ConnectionInfo/SessionInfo/ProducerInfo, one message of
 *	each JMS class with typed properties sent in a local transaction,
 *	then a consumer takes them back, acks, and prints what it decoded.
 *   owprobe [-H host] -p port [-a] relay SRC DST COUNT
 *	consumes COUNT messages from queue SRC and sends each to queue DST
 *	with its class, body, properties and message id untouched (-a: adds
 *	a brokernet_via string property, the rest byte for byte), acking
 *	and sending in one local transaction. -s turns every typed property
 *	into a string, as a STOMP hop does (a negative control: the JMS check
 *	must see it).
 *   owprobe [-H host] -p port watch TOPIC COUNT
 *	prints COUNT messages from a topic (advisories) with the command
 *	nested in each (ConsumerInfo, RemoveInfo...) decoded.
 *   -d DIR writes every frame sent and received to DIR/NNN-in|out-Type.bin.
 *
 * Prints one line per decoded message; exits 0 on success, 1 with a
 * reason on stderr. Every wait is bounded (10 s).
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "brokernet/openwire.h"
#include "brokernet/util.h"

struct probe {
	int		 fd;
	struct bn_ow_format fmt;
	struct bn_buf	 in;	/* bytes received, not yet decoded */
	size_t		 in_off;
	int32_t		 next_id;
	char		 conn_id[96];
	struct bn_ow_id	 connection, session, producer, consumer;
	int64_t		 seq;
	int64_t		 txseq;
	/* the last command read; its pointers point into in */
	struct bn_ow_cmd cmd;
	uint8_t		*hold;	/* copy of the last frame (see probe_read) */
	size_t		 hold_len;
	/* dispatches that arrived while awaiting a response */
	uint8_t		*pend[1024];
	size_t		 pend_len[1024];
	size_t		 pend_head, pend_tail;
	const char	*dump_dir;	/* -d: every frame to a file */
	int		 dump_seq;
};

/* -d DIR: writes one frame to DIR/NNN-{in,out}-Type.bin. */
static void
probe_dump(struct probe *p, const char *dir, const void *frame, size_t len,
    int type)
{
	char	 path[512];
	FILE	*f;

	if (p->dump_dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%03d-%s-%s.bin", p->dump_dir,
	    p->dump_seq++, dir, bn_ow_type_name(type));
	if ((f = fopen(path, "wb")) == NULL)
		return;
	fwrite(frame, 1, len, f);
	fclose(f);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "owprobe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static struct bn_ow_str
S(const char *s)
{
	struct bn_ow_str r = { s, s ? strlen(s) : 0 };

	return r;
}

static void
probe_connect(struct probe *p, const char *host, const char *port)
{
	struct addrinfo	 hints, *res, *ai;
	struct timeval	 tv = { 10, 0 };
	int		 one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		die("%s:%s: %s", host, port, gai_strerror(rc));
	p->fd = -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		p->fd = socket(ai->ai_family, ai->ai_socktype, 0);
		if (p->fd == -1)
			continue;
		if (connect(p->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(p->fd);
		p->fd = -1;
	}
	freeaddrinfo(res);
	if (p->fd == -1)
		die("connect %s:%s: %s", host, port, strerror(errno));
	setsockopt(p->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void
probe_send(struct probe *p, struct bn_ow_cmd *c)
{
	struct bn_buf	 out = { 0 };
	char		 err[256];
	size_t		 off = 0;
	ssize_t		 n;

	if (c->type != BN_OW_WIREFORMAT_INFO)
		c->command_id = p->next_id++;
	if (bn_ow_encode(&out, c, &p->fmt, err, sizeof(err)) == -1)
		die("encode %s: %s", bn_ow_type_name(c->type), err);
	probe_dump(p, "out", out.data, out.len, c->type);
	while (off < out.len) {
		n = write(p->fd, out.data + off, out.len - off);
		if (n <= 0)
			die("write: %s", strerror(errno));
		off += (size_t)n;
	}
	bn_buf_free(&out);
}

/*
 * Reads the next command into p->cmd. The frame's bytes are copied to
 * p->hold so the decoded pointers stay valid until the next read.
 */
static struct bn_ow_cmd *
probe_read(struct probe *p)
{
	char		 err[256], chunk[65536];
	size_t		 used;
	ssize_t		 n;
	enum bn_parse_result rc;

	for (;;) {
		rc = bn_ow_decode((const uint8_t *)p->in.data + p->in_off,
		    p->in.len - p->in_off, &p->fmt, &p->cmd, &used, err,
		    sizeof(err));
		if (rc == BN_PARSE_ERROR)
			die("decode: %s", err);
		if (rc == BN_PARSE_OK)
			break;
		n = read(p->fd, chunk, sizeof(chunk));
		if (n == 0)
			die("the broker closed the connection");
		if (n < 0)
			die("read: %s", errno == EAGAIN ? "timed out" :
			    strerror(errno));
		if (p->in_off > 0) {
			memmove(p->in.data, p->in.data + p->in_off,
			    p->in.len - p->in_off);
			p->in.len -= p->in_off;
			p->in_off = 0;
		}
		bn_buf_add(&p->in, chunk, (size_t)n);
	}
	/* Keep the frame apart from the buffer, then decode the copy. */
	free(p->hold);
	p->hold = xmalloc(used);
	p->hold_len = used;
	memcpy(p->hold, p->in.data + p->in_off, used);
	p->in_off += used;
	if (bn_ow_decode(p->hold, used, &p->fmt, &p->cmd, &used, err,
	    sizeof(err)) != BN_PARSE_OK)
		die("decode copy: %s", err);
	probe_dump(p, "in", p->hold, used, p->cmd.type);
	return &p->cmd;
}

/* Reads until the Response to command id; answers keep-alives. */
static void
probe_await(struct probe *p, int32_t id, const char *what)
{
	struct bn_ow_cmd *c, ka;

	for (;;) {
		c = probe_read(p);
		if (c->type == BN_OW_KEEP_ALIVE_INFO) {
			if (c->response_required) {
				memset(&ka, 0, sizeof(ka));
				ka.type = BN_OW_KEEP_ALIVE_INFO;
				probe_send(p, &ka);
			}
			continue;
		}
		if (c->type == BN_OW_EXCEPTION_RESPONSE &&
		    c->u.resp.correlation_id == id)
			die("%s: broker answered %.*s: %.*s", what,
			    (int)c->u.resp.exception.class_name.len,
			    c->u.resp.exception.class_name.p,
			    (int)c->u.resp.exception.message.len,
			    c->u.resp.exception.message.p);
		if (c->type == BN_OW_MESSAGE_DISPATCH) {
			/* keep it for probe_next_message */
			if (p->pend_tail == sizeof(p->pend) / sizeof(p->pend[0]))
				die("%s: too many dispatches queued", what);
			p->pend[p->pend_tail] = p->hold;
			p->pend_len[p->pend_tail++] = p->hold_len;
			p->hold = NULL;
			continue;
		}
		if (c->type == BN_OW_CONNECTION_ERROR)
			die("%s: ConnectionError %.*s", what,
			    (int)c->u.conn_error.error.message.len,
			    c->u.conn_error.error.message.p);
		if (c->type == BN_OW_RESPONSE &&
		    c->u.resp.correlation_id == id)
			return;
	}
}

static void
probe_request(struct probe *p, struct bn_ow_cmd *c, const char *what)
{
	c->response_required = true;
	probe_send(p, c);
	probe_await(p, c->command_id, what);
}

static void
probe_handshake(struct probe *p, const char *user, const char *pass)
{
	struct bn_ow_format mine, agreed;
	struct bn_ow_cmd c, *r;
	struct bn_buf	 props = { 0 };
	char		 err[256], host[64];

	bn_ow_format_default(&mine);
	p->fmt = mine;
	bn_ow_wireformat_build(&c, &props, &mine, 30000, 10000);
	probe_send(p, &c);
	bn_buf_free(&props);
	do
		r = probe_read(p);
	while (r->type != BN_OW_WIREFORMAT_INFO);
	if (bn_ow_negotiate(&mine, &r->u.wf, &agreed, err, sizeof(err)) == -1)
		die("negotiate: %s", err);
	p->fmt = agreed;
	printf("wireformat version %d max_frame %" PRIu64 "\n",
	    (int)agreed.version, agreed.max_frame);

	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(p->conn_id, sizeof(p->conn_id), "ID:owprobe-%d-%lld-1:1",
	    (int)getpid(), (long long)time(NULL));
	p->connection = (struct bn_ow_id){ BN_OW_CONNECTION_ID,
	    S(p->conn_id), 0, 0 };
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_CONNECTION_INFO;
	c.u.conn.connection_id = p->connection;
	c.u.conn.client_id = S(p->conn_id);
	c.u.conn.user_name = S(user);
	c.u.conn.password = S(pass);
	c.u.conn.manageable = false;
	probe_request(p, &c, "ConnectionInfo");

	p->session = (struct bn_ow_id){ BN_OW_SESSION_ID, S(p->conn_id), 0,
	    1 };
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_SESSION_INFO;
	c.u.session_id = p->session;
	probe_request(p, &c, "SessionInfo");

	p->producer = (struct bn_ow_id){ BN_OW_PRODUCER_ID, S(p->conn_id), 1,
	    1 };
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_PRODUCER_INFO;
	c.u.producer.producer_id = p->producer;
	probe_request(p, &c, "ProducerInfo");
}

static struct bn_ow_txid
probe_tx(struct probe *p, uint8_t what, struct bn_ow_txid *tx)
{
	struct bn_ow_cmd c;

	if (what == BN_OW_TX_BEGIN) {
		tx->type = BN_OW_LOCAL_TRANSACTION_ID;
		tx->value = ++p->txseq;
		tx->connection = p->connection;
	}
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_TRANSACTION_INFO;
	c.u.tx.connection_id = p->connection;
	c.u.tx.transaction_id = *tx;
	c.u.tx.tx_type = what;
	probe_request(p, &c, "TransactionInfo");
	return *tx;
}

static void
probe_subscribe_to(struct probe *p, uint8_t type, const char *name,
    int prefetch)
{
	struct bn_ow_cmd c;

	p->consumer = (struct bn_ow_id){ BN_OW_CONSUMER_ID, S(p->conn_id), 1,
	    1 };
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_CONSUMER_INFO;
	c.u.consumer.consumer_id = p->consumer;
	c.u.consumer.destination = (struct bn_ow_dest){ type, S(name) };
	c.u.consumer.prefetch = prefetch;
	c.u.consumer.priority = 0;
	c.u.consumer.dispatch_async = true;
	probe_request(p, &c, "ConsumerInfo");
}

static void
probe_subscribe(struct probe *p, const char *queue, int prefetch)
{
	probe_subscribe_to(p, BN_OW_QUEUE, queue, prefetch);
}

/* The next MessageDispatch for our consumer, with its frame held. */
static struct bn_ow_message *
probe_next_message(struct probe *p)
{
	struct bn_ow_cmd *c, ka;
	char		 err[256];
	size_t		 used;

	for (;;) {
		if (p->pend_head < p->pend_tail) {
			free(p->hold);
			p->hold = p->pend[p->pend_head];
			p->hold_len = p->pend_len[p->pend_head++];
			if (bn_ow_decode(p->hold, p->hold_len, &p->fmt, &p->cmd,
			    &used, err, sizeof(err)) != BN_PARSE_OK)
				die("decode held dispatch: %s", err);
			c = &p->cmd;
		} else
			c = probe_read(p);
		if (c->type == BN_OW_KEEP_ALIVE_INFO && c->response_required) {
			memset(&ka, 0, sizeof(ka));
			ka.type = BN_OW_KEEP_ALIVE_INFO;
			probe_send(p, &ka);
		}
		if (c->type == BN_OW_MESSAGE_DISPATCH &&
		    c->u.dispatch.has_message)
			return &c->u.dispatch.message;
	}
}

static void
probe_close(struct probe *p)
{
	struct bn_ow_cmd c;

	memset(&c, 0, sizeof(c));
	c.type = BN_OW_REMOVE_INFO;
	c.u.remove.object_id = p->connection;
	probe_request(p, &c, "RemoveInfo");
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_SHUTDOWN_INFO;
	probe_send(p, &c);
	close(p->fd);
}

static void
print_value(const struct bn_ow_prim *v)
{
	switch (v->type) {
	case BN_OW_P_NULL:
		printf("null");
		break;
	case BN_OW_P_BOOL:
		printf("boolean:%s", v->i ? "true" : "false");
		break;
	case BN_OW_P_BYTE:
		printf("byte:%" PRId64, v->i);
		break;
	case BN_OW_P_CHAR:
		printf("char:%" PRId64, v->i);
		break;
	case BN_OW_P_SHORT:
		printf("short:%" PRId64, v->i);
		break;
	case BN_OW_P_INT:
		printf("int:%" PRId64, v->i);
		break;
	case BN_OW_P_LONG:
		printf("long:%" PRId64, v->i);
		break;
	case BN_OW_P_FLOAT:
		printf("float:%g", (double)v->f);
		break;
	case BN_OW_P_DOUBLE:
		printf("double:%g", v->d);
		break;
	case BN_OW_P_STRING:
	case BN_OW_P_BIG_STRING:
		printf("string:%.*s%s", v->bytes.len > 40 ? 40 :
		    (int)v->bytes.len, (const char *)v->bytes.p,
		    v->bytes.len > 40 ? "..." : "");
		break;
	case BN_OW_P_BYTES:
		printf("bytes[%zu]", v->bytes.len);
		break;
	case BN_OW_P_MAP:
		printf("map[%u]", v->count);
		break;
	case BN_OW_P_LIST:
		printf("list[%u]", v->count);
		break;
	}
}

/* Prints a primitive map (properties or a MapMessage body). */
static void
print_map(const char *what, const struct bn_ow_bytes *b)
{
	struct bn_ow_map_iter it;
	struct bn_ow_str name;
	struct bn_ow_prim v;
	struct bn_ow_bytes raw;
	char		 err[128];
	int		 rc;

	if (b->p == NULL)
		return;
	if (bn_ow_map_open(&it, b->p, b->len, err, sizeof(err)) == -1)
		die("%s: %s", what, err);
	while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
	    sizeof(err))) == 1) {
		printf(" %s.%.*s=", what, (int)name.len, name.p);
		print_value(&v);
	}
	if (rc == -1)
		die("%s: %s", what, err);
}

static void
print_message(const struct bn_ow_message *m)
{
	const struct bn_ow_id *pid = &m->message_id.producer;

	printf("%s id=%.*s:%" PRId64 ":%" PRId64 ":%" PRId64
	    " persistent=%d priority=%u",
	    bn_ow_type_name(m->type), (int)pid->str.len, pid->str.p,
	    pid->session, pid->value, m->message_id.producer_seq,
	    m->persistent, m->priority);
	if (m->correlation_id.p)
		printf(" correlation=%.*s", (int)m->correlation_id.len,
		    m->correlation_id.p);
	if (m->jms_type.p)
		printf(" type=%.*s", (int)m->jms_type.len, m->jms_type.p);
	printf(" content=%zu%s", m->content.len,
	    m->compressed ? "(compressed)" : "");
	if (m->type == BN_OW_TEXT_MESSAGE && !m->compressed &&
	    m->content.len >= 4)
		printf(" text=%.*s", (int)m->content.len - 4,
		    (const char *)m->content.p + 4);
	if (m->type == BN_OW_MAP_MESSAGE && !m->compressed)
		print_map("body", &m->content);
	print_map("prop", &m->properties);
	printf("\n");
}

static void
ack_all(struct probe *p, const char *queue, const struct bn_ow_txid *tx,
    const struct bn_ow_message_id *first, const struct bn_ow_message_id *last,
    int count)
{
	struct bn_ow_cmd c;

	memset(&c, 0, sizeof(c));
	c.type = BN_OW_MESSAGE_ACK;
	c.u.ack.destination = (struct bn_ow_dest){ BN_OW_QUEUE, S(queue) };
	if (tx != NULL)
		c.u.ack.transaction_id = *tx;
	c.u.ack.consumer_id = p->consumer;
	c.u.ack.ack_type = BN_OW_ACK_STANDARD;
	c.u.ack.first_message_id = *first;
	c.u.ack.last_message_id = *last;
	c.u.ack.message_count = count;
	probe_request(p, &c, "MessageAck");
}

/* A message id's strings point into a frame we free: keep a copy. */
struct held_id {
	char			 str[128];
	struct bn_ow_message_id	 id;
};

static void
hold_id(struct held_id *h, const struct bn_ow_message_id *m)
{
	size_t	n = m->producer.str.len < sizeof(h->str) - 1 ?
		    m->producer.str.len : sizeof(h->str) - 1;

	h->id = *m;
	h->id.text_view.p = NULL;
	h->id.text_view.len = 0;
	memcpy(h->str, m->producer.str.p ? m->producer.str.p : "", n);
	h->str[n] = '\0';
	h->id.producer.str.p = h->str;
	h->id.producer.str.len = n;
}

static int
cmd_selftest(struct probe *p, const char *queue)
{
	static const uint8_t types[] = { BN_OW_MESSAGE, BN_OW_TEXT_MESSAGE,
	    BN_OW_BYTES_MESSAGE, BN_OW_MAP_MESSAGE, BN_OW_OBJECT_MESSAGE,
	    BN_OW_STREAM_MESSAGE };
	/* Java serialization of the String "owprobe" */
	static const uint8_t object[] = { 0xac, 0xed, 0x00, 0x05, 0x74, 0x00,
	    0x07, 'o', 'w', 'p', 'r', 'o', 'b', 'e' };
	const size_t	 ntypes = sizeof(types);
	struct bn_ow_cmd c;
	struct bn_ow_txid tx;
	struct bn_buf	 props = { 0 }, body = { 0 };
	struct bn_ow_prim v;
	struct held_id	 first, last;
	size_t		 i, at;
	const char	*text = "hello from owprobe";

	probe_tx(p, BN_OW_TX_BEGIN, &tx);
	for (i = 0; i < ntypes; i++) {
		bn_buf_reset(&props);
		bn_buf_reset(&body);
		at = bn_ow_map_begin(&props);
		v = bn_ow_prim_str("s", 1);
		bn_ow_map_put(&props, "pString", 7, &v);
		v = bn_ow_prim_int(BN_OW_P_INT, 7);
		bn_ow_map_put(&props, "pInt", 4, &v);
		v = bn_ow_prim_int(BN_OW_P_LONG, -1234567890123LL);
		bn_ow_map_put(&props, "pLong", 5, &v);
		v = bn_ow_prim_int(BN_OW_P_BOOL, 1);
		bn_ow_map_put(&props, "pBool", 5, &v);
		v = bn_ow_prim_int(BN_OW_P_BYTE, -5);
		bn_ow_map_put(&props, "pByte", 5, &v);
		v = bn_ow_prim_int(BN_OW_P_SHORT, 300);
		bn_ow_map_put(&props, "pShort", 6, &v);
		v = bn_ow_prim_int(BN_OW_P_DOUBLE, 0);
		v.d = 2.5;
		bn_ow_map_put(&props, "pDouble", 7, &v);
		v = bn_ow_prim_int(BN_OW_P_FLOAT, 0);
		v.f = 1.25f;
		bn_ow_map_put(&props, "pFloat", 6, &v);
		v = bn_ow_prim_int(BN_OW_P_INT, (int64_t)i);
		bn_ow_map_put(&props, "index", 5, &v);
		bn_ow_map_end(&props, at, 9);

		switch (types[i]) {
		case BN_OW_TEXT_MESSAGE: {
			uint8_t n[4] = { 0, 0, 0, (uint8_t)strlen(text) };

			bn_buf_add(&body, n, 4);
			bn_buf_addstr(&body, text);
			break;
		}
		case BN_OW_BYTES_MESSAGE:
			bn_buf_add(&body, "\x00\x01\x02\xff", 4);
			break;
		case BN_OW_MAP_MESSAGE:
			at = bn_ow_map_begin(&body);
			v = bn_ow_prim_str("v", 1);
			bn_ow_map_put(&body, "k", 1, &v);
			v = bn_ow_prim_int(BN_OW_P_LONG, 42);
			bn_ow_map_put(&body, "n", 1, &v);
			bn_ow_map_end(&body, at, 2);
			break;
		case BN_OW_OBJECT_MESSAGE:
			bn_buf_add(&body, object, sizeof(object));
			break;
		case BN_OW_STREAM_MESSAGE:
			v = bn_ow_prim_int(BN_OW_P_INT, 1);
			bn_ow_prim_put(&body, &v);
			v = bn_ow_prim_str("two", 3);
			bn_ow_prim_put(&body, &v);
			break;
		}
		memset(&c, 0, sizeof(c));
		c.type = types[i];
		c.u.msg.type = types[i];
		c.u.msg.producer_id = p->producer;
		c.u.msg.destination = (struct bn_ow_dest){ BN_OW_QUEUE,
		    S(queue) };
		c.u.msg.transaction_id = tx;
		c.u.msg.message_id.set = true;
		c.u.msg.message_id.producer = p->producer;
		c.u.msg.message_id.producer_seq = ++p->seq;
		c.u.msg.persistent = i % 2 == 0;
		c.u.msg.priority = (uint8_t)(4 + i % 3);
		c.u.msg.timestamp = (int64_t)time(NULL) * 1000;
		c.u.msg.correlation_id = S("corr-owprobe");
		c.u.msg.jms_type = S("owprobe-type");
		if (body.len > 0 || types[i] != BN_OW_MESSAGE) {
			c.u.msg.content.p = (const uint8_t *)(body.data ?
			    body.data : "");
			c.u.msg.content.len = body.len;
		}
		c.u.msg.properties.p = (const uint8_t *)props.data;
		c.u.msg.properties.len = props.len;
		probe_request(p, &c, bn_ow_type_name(types[i]));
	}
	probe_tx(p, BN_OW_TX_COMMIT_ONE_PHASE, &tx);
	printf("sent %zu messages in transaction %" PRId64 "\n", ntypes,
	    tx.value);

	probe_subscribe(p, queue, 100);
	for (i = 0; i < ntypes; i++) {
		struct bn_ow_message *m = probe_next_message(p);

		print_message(m);
		if (i == 0)
			hold_id(&first, &m->message_id);
		hold_id(&last, &m->message_id);
	}
	ack_all(p, queue, NULL, &first.id, &last.id, (int)ntypes);
	printf("received and acked %zu messages\n", ntypes);
	bn_buf_free(&props);
	bn_buf_free(&body);
	probe_close(p);
	return 0;
}

/*
 * Copies the properties with brokernet_via appended, the rest untouched;
 * stringify (-s, a negative control for the JMS check) turns every typed
 * value into a string as a STOMP hop does.
 */
static void
add_via(const struct bn_ow_bytes *in, struct bn_buf *out, bool stringify)
{
	char		 num[64];
	struct bn_ow_map_iter it;
	struct bn_ow_str name;
	struct bn_ow_prim v;
	struct bn_ow_bytes raw;
	char		 err[128];
	uint32_t	 n = 0;
	size_t		 at;
	int		 rc;

	bn_buf_reset(out);
	at = bn_ow_map_begin(out);
	if (in->p != NULL) {
		if (bn_ow_map_open(&it, in->p, in->len, err, sizeof(err)) == -1)
			die("properties: %s", err);
		while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
		    sizeof(err))) == 1) {
			n++;
			if (!stringify || v.type < BN_OW_P_BOOL ||
			    v.type > BN_OW_P_FLOAT) {
				bn_ow_map_put_raw(out, &raw);
				continue;
			}
			if (v.type == BN_OW_P_BOOL)
				snprintf(num, sizeof(num), "%s",
				    v.i ? "true" : "false");
			else if (v.type == BN_OW_P_FLOAT)
				snprintf(num, sizeof(num), "%g", (double)v.f);
			else if (v.type == BN_OW_P_DOUBLE)
				snprintf(num, sizeof(num), "%g", v.d);
			else
				snprintf(num, sizeof(num), "%" PRId64, v.i);
			v = bn_ow_prim_str(num, strlen(num));
			bn_ow_map_put(out, name.p, name.len, &v);
		}
		if (rc == -1)
			die("properties: %s", err);
	}
	v = bn_ow_prim_str("owprobe", 7);
	bn_ow_map_put(out, "brokernet_via", 13, &v);
	bn_ow_map_end(out, at, n + 1);
}

static int
cmd_relay(struct probe *p, const char *src, const char *dst, int count,
    bool via, bool stringify)
{
	struct bn_ow_cmd c;
	struct bn_ow_txid tx;
	struct bn_buf	 props = { 0 };
	struct held_id	 first, last;
	int		 i;

	probe_subscribe(p, src, count);
	probe_tx(p, BN_OW_TX_BEGIN, &tx);
	for (i = 0; i < count; i++) {
		struct bn_ow_message *m = probe_next_message(p);

		print_message(m);
		if (i == 0)
			hold_id(&first, &m->message_id);
		hold_id(&last, &m->message_id);
		memset(&c, 0, sizeof(c));
		c.type = m->type;
		c.u.msg = *m;
		c.u.msg.producer_id = p->producer;
		c.u.msg.destination = (struct bn_ow_dest){ BN_OW_QUEUE,
		    S(dst) };
		c.u.msg.transaction_id = tx;
		c.u.msg.target_consumer_id.type = 0;
		c.u.msg.redelivery_counter = 0;
		if (via || stringify) {
			add_via(&m->properties, &props, stringify);
			c.u.msg.properties.p = (const uint8_t *)props.data;
			c.u.msg.properties.len = props.len;
		}
		probe_request(p, &c, "relay send");
	}
	ack_all(p, src, &tx, &first.id, &last.id, count);
	probe_tx(p, BN_OW_TX_COMMIT_ONE_PHASE, &tx);
	printf("relayed %d messages from %s to %s\n", count, src, dst);
	bn_buf_free(&props);
	probe_close(p);
	return 0;
}

/*
 * Prints COUNT messages from a topic (advisories): the nested command of
 * each decoded from its raw dataStructure.
 */
static int
cmd_watch(struct probe *p, const char *topic, int count)
{
	struct bn_ow_cmd nested;
	const struct bn_ow_id *id;
	char		 err[256];
	int		 i;

	probe_subscribe_to(p, BN_OW_TOPIC, topic, count);
	printf("subscribed to %s\n", topic);
	for (i = 0; i < count; i++) {
		struct bn_ow_message *m = probe_next_message(p);

		printf("%s on %.*s", bn_ow_type_name(m->type),
		    (int)m->destination.name.len, m->destination.name.p);
		if (m->data_structure.type != 0) {
			if (bn_ow_decode_nested(&m->data_structure, &p->fmt,
			    &nested, err, sizeof(err)) == -1)
				die("dataStructure: %s", err);
			printf(" dataStructure=%s",
			    bn_ow_type_name(nested.type));
			if (nested.type == BN_OW_CONSUMER_INFO) {
				id = &nested.u.consumer.consumer_id;
				printf(" consumer=%.*s:%" PRId64 ":%" PRId64
				    " destination=%.*s prefetch=%d",
				    (int)id->str.len, id->str.p, id->session,
				    id->value,
				    (int)nested.u.consumer.destination.name.len,
				    nested.u.consumer.destination.name.p,
				    (int)nested.u.consumer.prefetch);
			}
			if (nested.type == BN_OW_REMOVE_INFO) {
				id = &nested.u.remove.object_id;
				printf(" removed=%s %.*s:%" PRId64 ":%" PRId64,
				    bn_ow_type_name(id->type),
				    (int)id->str.len, id->str.p, id->session,
				    id->value);
			}
		}
		print_map(" prop", &m->properties);
		printf("\n");
	}
	probe_close(p);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: owprobe [-H host] -p port [-u user -w pass] "
	    "selftest QUEUE\n"
	    "       owprobe [-H host] -p port [-a] [-s] [-d DIR] relay SRC DST "
	    "COUNT\n"
	    "       owprobe [-H host] -p port watch TOPIC COUNT\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct probe	 p;
	const char	*host = "127.0.0.1", *port = NULL;
	const char	*user = NULL, *pass = NULL;
	bool		 via = false, stringify = false;
	uint64_t	 count;
	int		 ch;

	memset(&p, 0, sizeof(p));
	p.next_id = 1;
	while ((ch = getopt(argc, argv, "H:p:u:w:ad:s")) != -1) {
		switch (ch) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'w':
			pass = optarg;
			break;
		case 'a':
			via = true;
			break;
		case 'd':
			p.dump_dir = optarg;
			break;
		case 's':
			stringify = true;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (port == NULL || argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	probe_connect(&p, host, port);
	probe_handshake(&p, user, pass);
	if (strcmp(argv[0], "selftest") == 0 && argc == 2)
		return cmd_selftest(&p, argv[1]);
	if (strcmp(argv[0], "relay") == 0 && argc == 4) {
		if (bn_strtou64(argv[3], 100000, &count) == -1 || count == 0)
			usage();
		return cmd_relay(&p, argv[1], argv[2], (int)count, via,
		    stringify);
	}
	if (strcmp(argv[0], "watch") == 0 && argc == 3) {
		if (bn_strtou64(argv[2], 100000, &count) == -1 || count == 0)
			usage();
		return cmd_watch(&p, argv[1], (int)count);
	}
	usage();
	return 2;
}
