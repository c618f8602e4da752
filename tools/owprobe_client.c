/*
 * owprobe's blocking OpenWire client on the codec in bridge/openwire.c:
 * connect, handshake, requests answered by a Response, local
 * transactions, a consumer and its dispatches (held while a response is
 * awaited), acks, close; -d dumps every frame. Every wait is bounded
 * (10 s); every failure exits 1 with a reason.
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

#include "owprobe.h"

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

void
probe_die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "owprobe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

struct bn_ow_str
probe_str(const char *s)
{
	struct bn_ow_str r = { s, s ? strlen(s) : 0 };

	return r;
}

void
probe_connect(struct probe *p, const char *host, const char *port)
{
	struct addrinfo	 hints, *res, *ai;
	struct timeval	 tv = { 10, 0 };
	int		 one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		probe_die("%s:%s: %s", host, port, gai_strerror(rc));
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
		probe_die("connect %s:%s: %s", host, port, strerror(errno));
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
		probe_die("encode %s: %s", bn_ow_type_name(c->type), err);
	probe_dump(p, "out", out.data, out.len, c->type);
	while (off < out.len) {
		n = write(p->fd, out.data + off, out.len - off);
		if (n <= 0)
			probe_die("write: %s", strerror(errno));
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
			probe_die("decode: %s", err);
		if (rc == BN_PARSE_OK)
			break;
		n = read(p->fd, chunk, sizeof(chunk));
		if (n == 0)
			probe_die("the broker closed the connection");
		if (n < 0)
			probe_die("read: %s", errno == EAGAIN ? "timed out" :
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
		probe_die("decode copy: %s", err);
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
			probe_die("%s: broker answered %.*s: %.*s", what,
			    (int)c->u.resp.exception.class_name.len,
			    c->u.resp.exception.class_name.p,
			    (int)c->u.resp.exception.message.len,
			    c->u.resp.exception.message.p);
		if (c->type == BN_OW_MESSAGE_DISPATCH) {
			/* keep it for probe_next_message */
			if (p->pend_tail == sizeof(p->pend) / sizeof(p->pend[0]))
				probe_die("%s: too many dispatches queued",
				    what);
			p->pend[p->pend_tail] = p->hold;
			p->pend_len[p->pend_tail++] = p->hold_len;
			p->hold = NULL;
			continue;
		}
		if (c->type == BN_OW_CONNECTION_ERROR)
			probe_die("%s: ConnectionError %.*s", what,
			    (int)c->u.conn_error.error.message.len,
			    c->u.conn_error.error.message.p);
		if (c->type == BN_OW_RESPONSE &&
		    c->u.resp.correlation_id == id)
			return;
	}
}

void
probe_request(struct probe *p, struct bn_ow_cmd *c, const char *what)
{
	c->response_required = true;
	probe_send(p, c);
	probe_await(p, c->command_id, what);
}

void
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
		probe_die("negotiate: %s", err);
	p->fmt = agreed;
	printf("wireformat version %d max_frame %" PRIu64 "\n",
	    (int)agreed.version, agreed.max_frame);

	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(p->conn_id, sizeof(p->conn_id), "ID:owprobe-%d-%lld-1:1",
	    (int)getpid(), (long long)time(NULL));
	p->connection = (struct bn_ow_id){ BN_OW_CONNECTION_ID,
	    probe_str(p->conn_id), 0, 0 };
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_CONNECTION_INFO;
	c.u.conn.connection_id = p->connection;
	c.u.conn.client_id = probe_str(p->conn_id);
	c.u.conn.user_name = probe_str(user);
	c.u.conn.password = probe_str(pass);
	c.u.conn.manageable = false;
	probe_request(p, &c, "ConnectionInfo");

	p->session = (struct bn_ow_id){ BN_OW_SESSION_ID,
	    probe_str(p->conn_id), 0, 1 };
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_SESSION_INFO;
	c.u.session_id = p->session;
	probe_request(p, &c, "SessionInfo");

	p->producer = (struct bn_ow_id){ BN_OW_PRODUCER_ID,
	    probe_str(p->conn_id), 1, 1 };
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_PRODUCER_INFO;
	c.u.producer.producer_id = p->producer;
	probe_request(p, &c, "ProducerInfo");
}

struct bn_ow_txid
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

void
probe_subscribe_to(struct probe *p, uint8_t type, const char *name,
    int prefetch)
{
	struct bn_ow_cmd c;

	p->consumer = (struct bn_ow_id){ BN_OW_CONSUMER_ID,
	    probe_str(p->conn_id), 1, 1 };
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_CONSUMER_INFO;
	c.u.consumer.consumer_id = p->consumer;
	c.u.consumer.destination = (struct bn_ow_dest){ type, probe_str(name) };
	c.u.consumer.prefetch = prefetch;
	c.u.consumer.priority = 0;
	c.u.consumer.dispatch_async = true;
	probe_request(p, &c, "ConsumerInfo");
}

void
probe_subscribe(struct probe *p, const char *queue, int prefetch)
{
	probe_subscribe_to(p, BN_OW_QUEUE, queue, prefetch);
}

/* The next MessageDispatch for our consumer, with its frame held. */
struct bn_ow_message *
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
				probe_die("decode held dispatch: %s", err);
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

void
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

void
probe_ack(struct probe *p, const char *queue, const struct bn_ow_txid *tx,
    const struct bn_ow_message_id *first, const struct bn_ow_message_id *last,
    int count)
{
	struct bn_ow_cmd c;

	memset(&c, 0, sizeof(c));
	c.type = BN_OW_MESSAGE_ACK;
	c.u.ack.destination = (struct bn_ow_dest){ BN_OW_QUEUE,
	    probe_str(queue) };
	if (tx != NULL)
		c.u.ack.transaction_id = *tx;
	c.u.ack.consumer_id = p->consumer;
	c.u.ack.ack_type = BN_OW_ACK_STANDARD;
	c.u.ack.first_message_id = *first;
	c.u.ack.last_message_id = *last;
	c.u.ack.message_count = count;
	probe_request(p, &c, "MessageAck");
}

void
probe_hold_id(struct probe_held_id *h, const struct bn_ow_message_id *m)
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

