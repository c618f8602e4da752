/*
 * The OpenWire broker session (see include/brokernet/owsess.h): frames of
 * the session interface to OpenWire commands and back.
 */
#include <sys/queue.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/openwire.h"
#include "brokernet/owsess.h"
#include "brokernet/owstate.h"
#include "brokernet/util.h"

/* Connections made by this process: each gets its own ConnectionId. */
static uint64_t ow_connections;

struct bn_owsess *
bn_owsess_new(const char *name, const char *self)
{
	struct bn_owsess	*o;

	o = xcalloc(1, sizeof(*o));
	o->name = xstrdup(name);
	o->self = self != NULL ? xstrdup(self) : NULL;
	TAILQ_INIT(&o->consumers);
	TAILQ_INIT(&o->txs);
	TAILQ_INIT(&o->waits);
	TAILQ_INIT(&o->temps);
	TAILQ_INIT(&o->local);
	bn_ow_format_default(&o->mine);
	o->fmt = o->mine;
	return o;
}

static void
ow_unacked_free(struct ow_unacked *u)
{
	free(u->conn);
	free(u->text);
	free(u);
}

static void
ow_consumer_free(struct bn_owsess *o, struct ow_consumer *c)
{
	struct ow_unacked	*u;

	TAILQ_REMOVE(&o->consumers, c, entry);
	while ((u = TAILQ_FIRST(&c->unacked)) != NULL) {
		TAILQ_REMOVE(&c->unacked, u, entry);
		ow_unacked_free(u);
	}
	free(c->sub_id);
	free(c->dname);
	free(c);
}

void
bn_owsess_reset(struct bn_owsess *o)
{
	struct ow_tx	*t;
	struct ow_wait	*w;
	struct ow_temp	*tmp;

	while (!TAILQ_EMPTY(&o->consumers))
		ow_consumer_free(o, TAILQ_FIRST(&o->consumers));
	while ((t = TAILQ_FIRST(&o->txs)) != NULL) {
		TAILQ_REMOVE(&o->txs, t, entry);
		free(t->name);
		free(t);
	}
	while ((w = TAILQ_FIRST(&o->waits)) != NULL) {
		TAILQ_REMOVE(&o->waits, w, entry);
		free(w->receipt);
		free(w);
	}
	while ((tmp = TAILQ_FIRST(&o->temps)) != NULL) {
		TAILQ_REMOVE(&o->temps, tmp, entry);
		free(tmp->name);
		free(tmp->physical);
		free(tmp);
	}
	o->state = OW_IDLE;
	o->fmt = o->mine;
}

void
bn_owsess_free(struct bn_owsess *o)
{
	struct ow_local	*l;

	if (o == NULL)
		return;
	bn_owsess_reset(o);
	while ((l = TAILQ_FIRST(&o->local)) != NULL) {
		TAILQ_REMOVE(&o->local, l, entry);
		bn_frame_free(l->frame);
		free(l);
	}
	free(o->login);
	free(o->passcode);
	free(o->client_id);
	free(o->name);
	free(o->self);
	bn_buf_free(&o->scratch);
	bn_buf_free(&o->scratch2);
	bn_buf_free(&o->scratch3);
	bn_buf_free(&o->scratch4);
	free(o);
}

uint64_t
bn_owsess_unfaithful(const struct bn_owsess *o)
{
	return o->unfaithful;
}

struct bn_frame *
bn_owsess_local(struct bn_owsess *o)
{
	struct ow_local	*l;
	struct bn_frame	*f;

	if ((l = TAILQ_FIRST(&o->local)) == NULL)
		return NULL;
	TAILQ_REMOVE(&o->local, l, entry);
	o->nlocal--;
	f = l->frame;
	free(l);
	return f;
}

/* An ERROR frame made here, for the receipt of a frame not sent. */
static void
ow_local_error(struct bn_owsess *o, const char *receipt, const char *why)
{
	struct ow_local	*l;

	if (receipt == NULL)
		return;
	l = xmalloc(sizeof(*l));
	l->frame = bn_frame_new("ERROR");
	bn_frame_add_header(l->frame, "receipt-id", receipt);
	bn_frame_add_header(l->frame, "message", why);
	TAILQ_INSERT_TAIL(&o->local, l, entry);
	o->nlocal++;
}

static struct ow_consumer *
ow_consumer_by_sub(struct bn_owsess *o, const char *sub)
{
	struct ow_consumer	*c;

	TAILQ_FOREACH(c, &o->consumers, entry)
		if (sub != NULL && strcmp(c->sub_id, sub) == 0)
			return c;
	return NULL;
}

/* ---- out: frames to commands */

static int
ow_out_connect(struct bn_owsess *o, const struct bn_frame *f,
    struct bn_buf *out, char *err, size_t errlen)
{
	struct bn_ow_cmd c;
	struct bn_buf	 props = { 0 };
	const char	*hb = bn_frame_get(f, "heart-beat");
	uint64_t	 cx = 0;
	int		 rc;

	free(o->login);
	free(o->passcode);
	free(o->client_id);
	o->login = bn_frame_get(f, "login") ?
	    xstrdup(bn_frame_get(f, "login")) : NULL;
	o->passcode = bn_frame_get(f, "passcode") ?
	    xstrdup(bn_frame_get(f, "passcode")) : NULL;
	o->client_id = bn_frame_get(f, "client-id") ?
	    xstrdup(bn_frame_get(f, "client-id")) : NULL;
	/* "cx,cy": we send every cx; the broker may drop us after that */
	if (hb != NULL)
		(void)bn_strntou64(hb, strcspn(hb, ","), UINT32_MAX, &cx);
	o->inactivity_ms = (int64_t)cx;
	/* unique among every session of the process, like a JMS client's */
	snprintf(o->conn_id, sizeof(o->conn_id), "ID:brokernet-%s-%d-%lld-%"
	    PRIu64 ":1", o->self != NULL ? o->self : "sidecar", (int)getpid(),
	    (long long)time(NULL), ++ow_connections);
	o->next_cid = 0;
	o->next_consumer = 0;
	o->next_tx = 0;
	o->next_seq = 0;
	/*
	 * No initial delay: the broker's keep-alives start at once, so an idle
	 * session is not taken for a dead one in its first 10 s.
	 */
	bn_ow_wireformat_build(&c, &props, &o->mine, o->inactivity_ms, 0);
	rc = bn_ow_encode(out, &c, &o->mine, err, errlen);
	bn_buf_free(&props);
	o->state = OW_WF_SENT;
	return rc;
}

/*
 * The broker checks for our commands every min(ours, its own)
 * MaxInactivityDuration (0: never) and writes a KeepAliveInfo after a
 * third of it without other output.
 */
static void
ow_broker_inactivity(struct bn_owsess *o, const struct bn_ow_wireformat *wf)
{
	struct bn_ow_map_iter	 it;
	struct bn_ow_str	 name;
	struct bn_ow_prim	 v;
	struct bn_ow_bytes	 raw;
	char			 err[128];

	if (wf->props.p == NULL || bn_ow_map_open(&it, wf->props.p,
	    wf->props.len, err, sizeof(err)) == -1)
		return;
	while (bn_ow_map_next(&it, &name, &v, &raw, err, sizeof(err)) == 1)
		if (name.len == 21 && memcmp(name.p, "MaxInactivityDuration",
		    21) == 0 && v.type == BN_OW_P_LONG && v.i >= 0 &&
		    v.i < o->inactivity_ms)
			o->inactivity_ms = v.i;
}

/* The broker's WireFormatInfo: agree, then open connection and session. */
int
bn_owsess_handshake(struct bn_owsess *o, const struct bn_ow_wireformat *wf,
    struct bn_buf *reply, char *err, size_t errlen)
{
	struct bn_ow_cmd c;

	if (o->state != OW_WF_SENT) {
		snprintf(err, errlen, "WireFormatInfo out of turn");
		return -1;
	}
	if (bn_ow_negotiate(&o->mine, wf, &o->fmt, err, errlen) == -1)
		return -1;
	ow_broker_inactivity(o, wf);
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_CONNECTION_INFO;
	c.u.conn.connection_id = bn_owsess_conn_id(o);
	c.u.conn.client_id = bn_owsess_str(o->client_id != NULL ? o->client_id :
	    o->conn_id);
	c.u.conn.user_name = bn_owsess_str(o->login);
	c.u.conn.password = bn_owsess_str(o->passcode);
	if (bn_owsess_emit(o, &c, "connect", reply, err, errlen) == -1)
		return -1;
	o->conn_cid = c.command_id;
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_SESSION_INFO;
	c.u.session_id = (struct bn_ow_id){ BN_OW_SESSION_ID,
	    bn_owsess_str(o->conn_id), 0, 1 };
	if (bn_owsess_emit(o, &c, NULL, reply, err, errlen) == -1)
		return -1;
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_PRODUCER_INFO;
	c.u.producer.producer_id = (struct bn_ow_id){ BN_OW_PRODUCER_ID,
	    bn_owsess_str(o->conn_id), 1, 1 };
	if (bn_owsess_emit(o, &c, NULL, reply, err, errlen) == -1)
		return -1;
	o->state = OW_CONN_SENT;
	return 0;
}

static int
ow_out_subscribe(struct bn_owsess *o, const struct bn_frame *f,
    const char *receipt, struct bn_buf *out, char *err, size_t errlen)
{
	struct bn_ow_cmd	 c;
	struct ow_consumer	*k;
	const char		*id = bn_frame_get(f, "id");
	const char		*ack = bn_frame_get(f, "ack");
	const char		*v;
	struct bn_ow_dest	 d;
	uint64_t		 n;
	int64_t			 prio;

	if (id == NULL || bn_owsess_dest(o, bn_frame_get(f, "destination"), &d,
	    out) == -1) {
		snprintf(err, errlen, "SUBSCRIBE: no id or destination this "
		    "session can name");
		return -1;
	}
	if (ow_consumer_by_sub(o, id) != NULL) {
		/* as ActiveMQ's STOMP: one subscription per id */
		snprintf(err, errlen, "SUBSCRIBE: id %s is in use", id);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_CONSUMER_INFO;
	c.u.consumer.destination = d;
	c.u.consumer.prefetch = OW_PREFETCH_DEFAULT;
	if ((v = bn_frame_get(f, "activemq.prefetchSize")) != NULL &&
	    bn_strtou64(v, INT32_MAX, &n) == 0)
		c.u.consumer.prefetch = (int32_t)n;
	if ((v = bn_frame_get(f, "activemq.priority")) != NULL &&
	    bn_strtoi64(v, -128, 127, &prio) == 0)
		c.u.consumer.priority = (uint8_t)(int8_t)prio;
	c.u.consumer.selector = bn_owsess_str(bn_frame_get(f, "selector"));
	if (c.u.consumer.selector.len == 0)
		c.u.consumer.selector.p = NULL;
	c.u.consumer.subscription_name =
	    bn_owsess_str(bn_frame_get(f, "activemq.subscriptionName"));
	c.u.consumer.exclusive = bn_owsess_hdr_true(f, "activemq.exclusive");
	c.u.consumer.no_local = bn_owsess_hdr_true(f, "activemq.noLocal");
	c.u.consumer.retroactive = bn_owsess_hdr_true(f, "activemq.retroactive");
	c.u.consumer.dispatch_async = true;
	k = xcalloc(1, sizeof(*k));
	k->sub_id = xstrdup(id);
	k->value = ++o->next_consumer;
	k->dtype = d.type;
	k->dname = xstrndup(d.name.p, d.name.len);
	k->ack = ack == NULL || strcmp(ack, "auto") == 0 ? OW_ACK_AUTO :
	    strcmp(ack, "client") == 0 ? OW_ACK_CLIENT : OW_ACK_INDIVIDUAL;
	k->native = bn_owsess_hdr_true(f, BN_OWSESS_NATIVE_HDR);
	k->whole = (v = bn_frame_get(f, BN_OWSESS_UNFAITHFUL_HDR)) != NULL &&
	    strcmp(v, BN_OWSESS_WHOLE) == 0;
	k->map_json = (v = bn_frame_get(f, "transformation")) != NULL &&
	    strcmp(v, "jms-map-json") == 0;
	TAILQ_INIT(&k->unacked);
	TAILQ_INSERT_TAIL(&o->consumers, k, entry);
	c.u.consumer.consumer_id = bn_owsess_consumer_id(o, k);
	if (bn_owsess_emit(o, &c, receipt, out, err, errlen) == -1) {
		/* the broker never hears of it: nor do we keep it */
		ow_consumer_free(o, k);
		return -1;
	}
	return 0;
}

static int
ow_out_unsubscribe(struct bn_owsess *o, const struct bn_frame *f,
    const char *receipt, struct bn_buf *out, char *err, size_t errlen)
{
	struct bn_ow_cmd	 c;
	struct ow_consumer	*k;
	const char		*durable;
	int			 rc;

	/*
	 * As ActiveMQ's STOMP: with activemq.subscriptionName, UNSUBSCRIBE
	 * deletes that durable subscription of our client id (its subscriber
	 * must be detached first) and nothing else.
	 */
	if ((durable = bn_frame_get(f, "activemq.subscriptionName")) != NULL) {
		memset(&c, 0, sizeof(c));
		c.type = BN_OW_REMOVE_SUBSCRIPTION_INFO;
		c.u.remove_sub.connection_id = bn_owsess_conn_id(o);
		c.u.remove_sub.subscription_name = bn_owsess_str(durable);
		c.u.remove_sub.client_id = bn_owsess_str(o->client_id != NULL ?
		    o->client_id : o->conn_id);
		return bn_owsess_emit(o, &c, receipt, out, err, errlen);
	}
	if ((k = ow_consumer_by_sub(o, bn_frame_get(f, "id"))) == NULL) {
		snprintf(err, errlen, "UNSUBSCRIBE: no subscription %s",
		    bn_frame_get(f, "id") ? bn_frame_get(f, "id") : "(none)");
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_REMOVE_INFO;
	c.u.remove.object_id = bn_owsess_consumer_id(o, k);
	c.u.remove.last_delivered_seq = -1;
	rc = bn_owsess_emit(o, &c, receipt, out, err, errlen);
	ow_consumer_free(o, k);
	return rc;
}

/*
 * The ack token of a MESSAGE: "consumer-seq". ACK by token: ack:client
 * acks every message dispatched up to it (one MessageAck with the count
 * the broker checks), client-individual that one.
 */
static int
ow_out_ack(struct bn_owsess *o, const struct bn_frame *f, bool nack,
    const char *receipt, struct bn_buf *out, char *err, size_t errlen)
{
	struct bn_ow_cmd	 c;
	struct ow_consumer	*k;
	struct ow_unacked	*u, *first = NULL, *next;
	const char		*id = bn_frame_get(f, "id");
	const char		*dash;
	uint64_t		 cv, seq;
	int32_t			 count = 0;
	int			 rc;

	if (id == NULL || (dash = strchr(id, '-')) == NULL ||
	    bn_strntou64(id, (size_t)(dash - id), INT64_MAX, &cv) == -1 ||
	    bn_strtou64(dash + 1, UINT64_MAX, &seq) == -1 ||
	    (k = bn_owsess_consumer(o, (int64_t)cv)) == NULL) {
		snprintf(err, errlen, "%s: unknown ack id %s", nack ? "NACK" :
		    "ACK", id ? id : "(none)");
		return -1;
	}
	TAILQ_FOREACH(u, &k->unacked, entry)
		if (u->seq == seq)
			break;
	if (u == NULL) {
		snprintf(err, errlen, "%s: %s was acked already or is from an"
		    " earlier session", nack ? "NACK" : "ACK", id);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_MESSAGE_ACK;
	c.u.ack.destination = (struct bn_ow_dest){ k->dtype, bn_owsess_str(k->dname) };
	if (bn_owsess_frame_tx(o, f, &c.u.ack.transaction_id, err,
	    errlen) == -1)
		return -1;
	c.u.ack.consumer_id = bn_owsess_consumer_id(o, k);
	if (k->ack == OW_ACK_CLIENT && !nack) {
		first = TAILQ_FIRST(&k->unacked);
		TAILQ_FOREACH(next, &k->unacked, entry) {
			count++;
			if (next == u)
				break;
		}
		c.u.ack.ack_type = BN_OW_ACK_STANDARD;
		c.u.ack.first_message_id = first->id;
	} else {
		count = 1;
		c.u.ack.ack_type = nack ? BN_OW_ACK_POISON :
		    BN_OW_ACK_INDIVIDUAL;
		c.u.ack.first_message_id = u->id;
	}
	c.u.ack.last_message_id = u->id;
	c.u.ack.message_count = count;
	rc = bn_owsess_emit(o, &c, receipt, out, err, errlen);
	if (first != NULL) {
		while ((next = TAILQ_FIRST(&k->unacked)) != u) {
			TAILQ_REMOVE(&k->unacked, next, entry);
			ow_unacked_free(next);
		}
	}
	TAILQ_REMOVE(&k->unacked, u, entry);
	ow_unacked_free(u);
	return rc;
}

static int
ow_out_tx(struct bn_owsess *o, const struct bn_frame *f, uint8_t what,
    const char *receipt, struct bn_buf *out, char *err, size_t errlen)
{
	struct bn_ow_cmd c;
	const char	*name = bn_frame_get(f, "transaction");
	struct ow_tx	*t = bn_owsess_tx(o, name);
	int		 rc;

	if (name == NULL || (what == BN_OW_TX_BEGIN) != (t == NULL)) {
		snprintf(err, errlen, "%s: transaction %s %s", f->command,
		    name ? name : "(none)", t == NULL ? "not begun" :
		    "begun already");
		return -1;
	}
	if (t == NULL) {
		t = xmalloc(sizeof(*t));
		t->name = xstrdup(name);
		t->value = ++o->next_tx;
		TAILQ_INSERT_TAIL(&o->txs, t, entry);
	}
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_TRANSACTION_INFO;
	c.u.tx.connection_id = bn_owsess_conn_id(o);
	c.u.tx.transaction_id = bn_owsess_txid(o, t);
	c.u.tx.tx_type = what;
	rc = bn_owsess_emit(o, &c, receipt, out, err, errlen);
	if (what != BN_OW_TX_BEGIN) {
		TAILQ_REMOVE(&o->txs, t, entry);
		free(t->name);
		free(t);
	}
	return rc;
}

static int
ow_out_frame(struct bn_owsess *o, const struct bn_frame *f,
    struct bn_buf *out, char *err, size_t errlen)
{
	const char	*cmd = f->command;
	const char	*receipt = bn_frame_get(f, "receipt");
	struct bn_ow_cmd c;

	if (strcmp(cmd, "CONNECT") == 0 || strcmp(cmd, "STOMP") == 0)
		return ow_out_connect(o, f, out, err, errlen);
	if (o->state != OW_UP) {
		snprintf(err, errlen, "%s before the session is up", cmd);
		return -1;
	}
	if (strcmp(cmd, "SEND") == 0)
		return bn_owsess_send(o, f, receipt, out, err, errlen);
	if (strcmp(cmd, "ACK") == 0 || strcmp(cmd, "NACK") == 0)
		return ow_out_ack(o, f, cmd[0] == 'N', receipt, out, err,
		    errlen);
	if (strcmp(cmd, "BEGIN") == 0)
		return ow_out_tx(o, f, BN_OW_TX_BEGIN, receipt, out, err,
		    errlen);
	if (strcmp(cmd, "COMMIT") == 0)
		return ow_out_tx(o, f, BN_OW_TX_COMMIT_ONE_PHASE, receipt, out,
		    err, errlen);
	if (strcmp(cmd, "ABORT") == 0)
		return ow_out_tx(o, f, BN_OW_TX_ROLLBACK, receipt, out, err,
		    errlen);
	if (strcmp(cmd, "SUBSCRIBE") == 0)
		return ow_out_subscribe(o, f, receipt, out, err, errlen);
	if (strcmp(cmd, "UNSUBSCRIBE") == 0)
		return ow_out_unsubscribe(o, f, receipt, out, err, errlen);
	if (strcmp(cmd, "DISCONNECT") == 0) {
		memset(&c, 0, sizeof(c));
		c.type = BN_OW_REMOVE_INFO;
		c.u.remove.object_id = bn_owsess_conn_id(o);
		c.u.remove.last_delivered_seq = -1;
		return bn_owsess_emit(o, &c, receipt, out, err, errlen);
	}
	snprintf(err, errlen, "%s: no OpenWire command for it", cmd);
	return -1;
}

size_t
bn_owsess_out(struct bn_owsess *o, const char *wire, size_t len,
    struct bn_buf *out)
{
	struct bn_frame_limits	 lim;
	struct bn_frame		*f;
	struct bn_ow_cmd	 c;
	const char		*perr;
	char			 err[256];
	size_t			 used, need, before;
	int64_t			 temps;
	bool			 beat;

	bn_frame_limits_default(&lim);
	lim.max_frame_size = SIZE_MAX / 2;
	while (len > 0) {
		f = NULL;
		beat = false;
		if (bn_frame_parse(wire, len, &lim, &f, &used, &need, &beat,
		    &perr) != BN_PARSE_OK) {
			log_warnx("%s: cannot translate %zu bytes: %s", o->name,
			    len, perr != NULL ? perr : "incomplete frame");
			break;
		}
		wire += used;
		len -= used;
		if (f == NULL) {
			if (beat && o->state == OW_UP) {
				memset(&c, 0, sizeof(c));
				c.type = BN_OW_KEEP_ALIVE_INFO;
				(void)bn_owsess_emit(o, &c, NULL, out, err,
				    sizeof(err));
			}
			continue;
		}
		err[0] = '\0';
		before = out->len;
		temps = o->next_temp;
		if (ow_out_frame(o, f, out, err, sizeof(err)) == -1) {
			/* nothing of it is written, no temporary made */
			out->len = before;
			bn_owsess_temps_since(o, temps);
			log_warnx("%s: %s not sent: %s", o->name, f->command,
			    err);
			ow_local_error(o, bn_frame_get(f, "receipt"), err);
		}
		bn_frame_free(f);
	}
	return o->nlocal;
}
