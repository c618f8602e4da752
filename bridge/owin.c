/*
 * The OpenWire broker session, inbound (see include/brokernet/owsess.h):
 * the broker's commands to the session's frames. A MessageDispatch is a
 * MESSAGE (whole, plain, or an advisory's JSON), a Response a RECEIPT, an
 * ExceptionResponse or ConnectionError an ERROR.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/openwire.h"
#include "brokernet/owsess.h"
#include "brokernet/owstate.h"
#include "brokernet/util.h"

static void
in_dest_str(const struct bn_ow_dest *d, struct bn_buf *b)
{
	bn_buf_addstr(b, d->type == BN_OW_TOPIC ? "/topic/" :
	    d->type == BN_OW_TEMP_QUEUE ? "/temp-queue/" :
	    d->type == BN_OW_TEMP_TOPIC ? "/temp-topic/" : "/queue/");
	bn_buf_add(b, d->name.p, d->name.len);
	bn_buf_addc(b, '\0');
	b->len--;
}

/* The text form of a message id, as ActiveMQ prints JMSMessageID. */
static void
in_msgid_str(const struct bn_ow_message_id *m, struct bn_buf *b)
{
	if (m->text_view.p != NULL)
		bn_buf_add(b, m->text_view.p, m->text_view.len);
	else {
		bn_buf_add(b, m->producer.str.p, m->producer.str.len);
		bn_buf_printf(b, ":%" PRId64 ":%" PRId64 ":%" PRId64,
		    m->producer.session, m->producer.value, m->producer_seq);
	}
	bn_buf_addc(b, '\0');
	b->len--;
}

static void
in_header(struct bn_frame *f, const char *name, const struct bn_buf *b)
{
	bn_frame_add_header(f, name, b->data != NULL ? b->data : "");
}

static void
in_header_n(struct bn_frame *f, const char *name, const char *p, size_t len)
{
	char	*v = xstrndup(p != NULL ? p : "", len);

	bn_frame_add_header(f, name, v);
	free(v);
}

/* The property's value as a string header value, or -1 (not a scalar). */
static int
in_prop_str(const struct bn_ow_prim *v, struct bn_buf *b)
{
	bn_buf_reset(b);
	switch (v->type) {
	case BN_OW_P_BOOL:
		bn_buf_addstr(b, v->i ? "true" : "false");
		break;
	case BN_OW_P_BYTE:
	case BN_OW_P_SHORT:
	case BN_OW_P_INT:
	case BN_OW_P_LONG:
		bn_buf_printf(b, "%" PRId64, v->i);
		break;
	case BN_OW_P_CHAR:
		bn_buf_addc(b, (char)v->i);
		break;
	case BN_OW_P_DOUBLE:
		bn_buf_printf(b, "%.17g", v->d);
		break;
	case BN_OW_P_FLOAT:
		bn_buf_printf(b, "%.9g", (double)v->f);
		break;
	case BN_OW_P_STRING:
	case BN_OW_P_BIG_STRING:
		bn_ow_utf8_from_java(v->bytes.p, v->bytes.len, b);
		if (memchr(b->data, '\0', b->len) != NULL)
			return -1;	/* U+0000: no header can carry it */
		break;
	default:
		return -1;
	}
	bn_buf_addc(b, '\0');
	b->len--;
	return 0;
}

/*
 * Properties as headers: all of them (only_net false) or the network's
 * own brokernet_* ones. Returns the reason a plain rendering changes the
 * message (a typed or non-scalar property), or NULL.
 */
static const char *
in_props(struct bn_owsess *o, const struct bn_ow_message *m,
    struct bn_frame *f, bool only_net)
{
	struct bn_ow_map_iter	 it;
	struct bn_ow_str	 name;
	struct bn_ow_prim	 v;
	struct bn_ow_bytes	 raw;
	const char		*why = NULL;
	char			 err[128], *n;
	int			 rc;

	if (m->properties.p == NULL)
		return NULL;
	if (bn_ow_map_open(&it, m->properties.p, m->properties.len, err,
	    sizeof(err)) == -1)
		return "its properties cannot be read";
	while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
	    sizeof(err))) == 1) {
		bool	net = name.len >= 10 &&
			    memcmp(name.p, "brokernet_", 10) == 0;

		if (only_net && !net)
			continue;
		if (name.len == 0) {
			/* no header can carry it (JMS refuses such names) */
			if (why == NULL)
				why = "a property has an empty name";
			continue;
		}
		if (v.type != BN_OW_P_STRING && v.type != BN_OW_P_BIG_STRING &&
		    !net && why == NULL)
			why = "a property is not a String";
		if (in_prop_str(&v, &o->scratch2) == -1) {
			if (why == NULL)
				why = "a property cannot be a header value "
				    "(a map, a list, or a U+0000 in it)";
			continue;
		}
		bn_buf_reset(&o->scratch);
		bn_ow_utf8_from_java((const uint8_t *)name.p, name.len,
		    &o->scratch);
		bn_buf_addc(&o->scratch, '\0');
		n = o->scratch.data;
		if (strlen(n) + 1 != o->scratch.len) {
			if (why == NULL)
				why = "a property name holds U+0000";
			continue;
		}
		bn_frame_add_header(f, n, o->scratch2.data);
	}
	if (rc == -1)
		return "its properties cannot be read";
	return why;
}

static json_t *
in_json_str(const struct bn_ow_str *s)
{
	json_t	*j;

	if (s->p == NULL)
		return json_null();
	j = json_stringn(s->p, s->len);
	return j != NULL ? j : json_string("?");
}

static json_t *
in_json_id(const struct bn_ow_id *id)
{
	json_t	*o = json_object();

	json_object_set_new(o, "@class", json_string("ConsumerId"));
	json_object_set_new(o, "connectionId", in_json_str(&id->str));
	json_object_set_new(o, "sessionId", json_integer(id->session));
	json_object_set_new(o, "value", json_integer(id->value));
	return o;
}

/*
 * An advisory's ConsumerInfo, RemoveInfo or RemoveSubscriptionInfo as the
 * JSON of ActiveMQ's jms-advisory-json transformation (the fields
 * advisory.c reads).
 */
static int
in_advisory_json(struct bn_owsess *o, const struct bn_ow_raw *ds,
    struct bn_frame *f)
{
	static const char *const klass[] = {
		[BN_OW_QUEUE - BN_OW_QUEUE] = "ActiveMQQueue",
		[BN_OW_TOPIC - BN_OW_QUEUE] = "ActiveMQTopic",
		[BN_OW_TEMP_QUEUE - BN_OW_QUEUE] = "ActiveMQTempQueue",
		[BN_OW_TEMP_TOPIC - BN_OW_QUEUE] = "ActiveMQTempTopic",
	};
	struct bn_ow_cmd	 c;
	json_t			*root, *in, *d;
	char			 err[128], *s;

	if (bn_ow_decode_nested(ds, &o->fmt, &c, err, sizeof(err)) == -1) {
		log_warnx("%s: advisory not read: %s", o->name, err);
		return -1;
	}
	root = json_object();
	in = json_object();
	if (c.type == BN_OW_CONSUMER_INFO) {
		const struct bn_ow_consumer_info *ci = &c.u.consumer;

		json_object_set_new(in, "consumerId",
		    in_json_id(&ci->consumer_id));
		d = json_object();
		if (ci->destination.type >= BN_OW_QUEUE &&
		    ci->destination.type <= BN_OW_TEMP_TOPIC)
			json_object_set_new(d, "@class", json_string(
			    klass[ci->destination.type - BN_OW_QUEUE]));
		json_object_set_new(d, "string",
		    in_json_str(&ci->destination.name));
		json_object_set_new(in, "destination", d);
		json_object_set_new(in, "browser", json_boolean(ci->browser));
		json_object_set_new(in, "priority",
		    json_integer((int8_t)ci->priority));
		json_object_set_new(in, "selector",
		    in_json_str(&ci->selector));
		json_object_set_new(in, "subscriptionName",
		    in_json_str(&ci->subscription_name));
		json_object_set_new(root, "ConsumerInfo", in);
	} else if (c.type == BN_OW_REMOVE_INFO &&
	    c.u.remove.object_id.type == BN_OW_CONSUMER_ID) {
		json_object_set_new(in, "objectId",
		    in_json_id(&c.u.remove.object_id));
		json_object_set_new(root, "RemoveInfo", in);
	} else if (c.type == BN_OW_REMOVE_SUBSCRIPTION_INFO) {
		/* a durable subscription was deleted */
		d = json_object();
		json_object_set_new(d, "value",
		    in_json_str(&c.u.remove_sub.connection_id.str));
		json_object_set_new(in, "connectionId", d);
		json_object_set_new(in, "clientId",
		    in_json_str(&c.u.remove_sub.client_id));
		json_object_set_new(in, "subscriptionName",
		    in_json_str(&c.u.remove_sub.subscription_name));
		json_object_set_new(root, "RemoveSubscriptionInfo", in);
	} else {
		json_decref(in);
		json_decref(root);
		return -1;	/* other advisories are not demand */
	}
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (s == NULL)
		return -1;
	bn_frame_set_body(f, s, strlen(s));
	free(s);
	return 0;
}

/*
 * A MapMessage body as ActiveMQ's jms-map-json transformation writes it:
 * {"map":{"entry":[{"string":NAME,"long":V}, ...]}} (a String value:
 * "string":[NAME,V]). Returns -1 for a map it cannot read.
 */
static int
in_map_json(const struct bn_ow_bytes *content, struct bn_frame *f)
{
	static const char *const tname[] = {
		[BN_OW_P_BOOL] = "boolean", [BN_OW_P_BYTE] = "byte",
		[BN_OW_P_CHAR] = "char", [BN_OW_P_SHORT] = "short",
		[BN_OW_P_INT] = "int", [BN_OW_P_LONG] = "long",
		[BN_OW_P_DOUBLE] = "double", [BN_OW_P_FLOAT] = "float",
	};
	struct bn_ow_map_iter	 it;
	struct bn_ow_str	 name;
	struct bn_ow_prim	 v;
	struct bn_ow_bytes	 raw;
	json_t			*entries, *e, *root;
	char			 err[128], *s;
	int			 rc;

	if (content->p == NULL || bn_ow_map_open(&it, content->p,
	    content->len, err, sizeof(err)) == -1)
		return -1;
	entries = json_array();
	while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
	    sizeof(err))) == 1) {
		e = json_object();
		if (v.type == BN_OW_P_STRING || v.type == BN_OW_P_BIG_STRING) {
			struct bn_ow_str sv = { (const char *)v.bytes.p,
			    v.bytes.len };

			json_object_set_new(e, "string", json_pack("[oo]",
			    in_json_str(&name), in_json_str(&sv)));
		} else if (v.type >= BN_OW_P_BOOL && v.type <= BN_OW_P_FLOAT) {
			json_object_set_new(e, "string", in_json_str(&name));
			json_object_set_new(e, tname[v.type],
			    v.type == BN_OW_P_BOOL ? json_boolean(v.i) :
			    v.type == BN_OW_P_DOUBLE ? json_real(v.d) :
			    v.type == BN_OW_P_FLOAT ? json_real(v.f) :
			    json_integer(v.i));
		} else {
			json_decref(e);
			continue;	/* bytes, nested maps: not demand data */
		}
		json_array_append_new(entries, e);
	}
	root = json_pack("{s:{s:o}}", "map", "entry", entries);
	s = rc == -1 || root == NULL ? NULL : json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (s == NULL)
		return -1;
	bn_frame_set_body(f, s, strlen(s));
	free(s);
	return 0;
}

/* The body as a STOMP client gets it; the reason it changes, or NULL. */
static const char *
in_plain_body(const struct ow_consumer *k, const struct bn_ow_message *m,
    struct bn_frame *f, struct bn_buf *b)
{
	const uint8_t	*p = m->content.p;
	size_t		 len = m->content.len;

	if (m->compressed && len > 0)
		return "its body is compressed";
	switch (m->type) {
	case BN_OW_TEXT_MESSAGE:
		if (p == NULL || len < 4)
			return "its text is null";	/* STOMP has only "" */
		bn_buf_reset(b);
		bn_ow_utf8_from_java(p + 4, len - 4, b);
		bn_frame_set_body(f, b->data, b->len);
		bn_frame_add_header(f, "amq-msg-type", "text");
		return NULL;
	case BN_OW_BYTES_MESSAGE:
		bn_frame_set_body(f, p, p != NULL ? len : 0);
		return NULL;
	case BN_OW_MESSAGE:
		/* a STOMP SEND makes a BytesMessage or a TextMessage of it */
		return "it is a plain Message (no body class in STOMP)";
	case BN_OW_MAP_MESSAGE:
		if (k->map_json && in_map_json(&m->content, f) == 0)
			return NULL;	/* asked for as JSON: not changed */
		return "it is a MapMessage";
	case BN_OW_OBJECT_MESSAGE:
		return "it is an ObjectMessage";
	default:
		return "it is a StreamMessage";
	}
}

/* The whole message as a body: re-sent as it is by a SEND. */
static int
in_native_body(struct bn_owsess *o, const struct bn_ow_message *m,
    struct bn_frame *f)
{
	struct bn_ow_cmd	 c;
	char			 err[128];

	memset(&c, 0, sizeof(c));
	c.type = m->type;
	c.u.msg = *m;
	c.u.msg.command_id = 0;
	c.u.msg.response_required = false;
	bn_buf_reset(&o->scratch);
	/* one allocation of the size needed (not doubled, see
	 * bn_buf_reserve_exact): the buffer is handed to the frame below */
	bn_buf_reserve_exact(&o->scratch, m->content.len + m->properties.len +
	    4096);
	if (bn_ow_encode(&o->scratch, &c, &o->mine, err, sizeof(err)) == -1) {
		log_warnx("%s: message not re-encoded: %s", o->name, err);
		return -1;
	}
	bn_frame_add_header(f, BN_OWSESS_NATIVE_HDR, BN_OWSESS_NATIVE);
	bn_frame_take_body(f, &o->scratch);	/* 64 KiB bodies: no copy */
	return 0;
}

static void
in_keep(struct ow_consumer *k, const struct bn_ow_message_id *id,
    uint64_t seq)
{
	struct ow_unacked	*u;

	u = xcalloc(1, sizeof(*u));
	u->seq = seq;
	u->id = *id;
	u->conn = xstrndup(id->producer.str.p, id->producer.str.len);
	u->id.producer.str.p = u->conn;
	if (id->text_view.p != NULL) {
		u->text = xstrndup(id->text_view.p, id->text_view.len);
		u->id.text_view.p = u->text;
	}
	TAILQ_INSERT_TAIL(&k->unacked, u, entry);
}

static struct bn_frame *
in_dispatch(struct bn_owsess *o, const struct bn_ow_dispatch *d,
    struct bn_buf *reply)
{
	const struct bn_ow_message	*m = &d->message;
	struct ow_consumer		*k;
	struct bn_frame			*f;
	struct bn_buf			*b = &o->scratch2;
	struct bn_ow_cmd		 c;
	const char			*why = NULL, *pwhy;
	char				 err[128];
	uint64_t			 seq;
	bool				 advisory;

	k = bn_owsess_consumer(o, d->consumer_id.value);
	if (k == NULL || !d->has_message)
		return NULL;	/* closed already, or the end of a browse */
	seq = ++k->next_seq;
	if (k->ack != OW_ACK_AUTO)
		in_keep(k, &m->message_id, seq);
	f = bn_frame_new("MESSAGE");
	bn_frame_add_header(f, "subscription", k->sub_id);
	bn_buf_reset(b);
	in_dest_str(m->destination.type != 0 ? &m->destination :
	    &d->destination, b);
	in_header(f, "destination", b);
	bn_buf_reset(b);
	in_msgid_str(&m->message_id, b);
	in_header(f, "message-id", b);
	bn_buf_reset(b);
	bn_buf_printf(b, "%" PRId64 "-%" PRIu64, k->value, seq);
	in_header(f, "ack", b);
	bn_frame_add_header(f, "persistent", m->persistent ? "true" :
	    "false");
	bn_buf_reset(b);
	bn_buf_printf(b, "%u", (unsigned)m->priority);
	in_header(f, "priority", b);
	bn_buf_reset(b);
	bn_buf_printf(b, "%" PRId64, m->expiration);
	in_header(f, "expires", b);
	bn_buf_reset(b);
	bn_buf_printf(b, "%" PRId64, m->timestamp);
	in_header(f, "timestamp", b);
	if (m->correlation_id.p != NULL)
		in_header_n(f, "correlation-id", m->correlation_id.p,
		    m->correlation_id.len);
	if (m->jms_type.p != NULL)
		in_header_n(f, "type", m->jms_type.p, m->jms_type.len);
	if (m->reply_to.type != 0) {
		bn_buf_reset(b);
		in_dest_str(&m->reply_to, b);
		in_header(f, "reply-to", b);
	}
	if (d->redelivery_counter > 0)
		bn_frame_add_header(f, "redelivered", "true");
	advisory = m->data_structure.type == BN_OW_CONSUMER_INFO ||
	    m->data_structure.type == BN_OW_REMOVE_INFO ||
	    m->data_structure.type == BN_OW_REMOVE_SUBSCRIPTION_INFO;
	pwhy = in_props(o, m, f, k->native && !advisory);
	/* the session's own headers: never a property's (a STOMP client's) */
	bn_frame_del_header(f, BN_OWSESS_UNFAITHFUL_HDR);
	bn_frame_del_header(f, BN_OWSESS_NATIVE_HDR);
	if (advisory)
		(void)in_advisory_json(o, &m->data_structure, f);
	else if (k->native) {
		if (in_native_body(o, m, f) == -1)
			why = "it cannot be re-encoded";
	} else if ((why = in_plain_body(k, m, f, &o->scratch)) == NULL)
		why = pwhy;
	if (why != NULL) {
		/*
		 * Flagged and counted; its owner decides what becomes of it
		 * (forward.c: re-sent whole, receipted, then acked). Asked
		 * for, the body is the whole message instead.
		 */
		o->unfaithful++;
		bn_frame_add_header(f, BN_OWSESS_UNFAITHFUL_HDR, why);
		if (k->whole && !k->native) {
			bn_frame_del_header(f, "amq-msg-type");
			if (in_native_body(o, m, f) == -1)
				bn_frame_set_body(f, "", 0);
		}
	}
	if (k->ack == OW_ACK_AUTO) {
		memset(&c, 0, sizeof(c));
		c.type = BN_OW_MESSAGE_ACK;
		c.u.ack.destination = d->destination;
		c.u.ack.consumer_id = d->consumer_id;
		c.u.ack.ack_type = BN_OW_ACK_STANDARD;
		c.u.ack.first_message_id = m->message_id;
		c.u.ack.last_message_id = m->message_id;
		c.u.ack.message_count = 1;
		if (bn_owsess_emit(o, &c, NULL, reply, err, sizeof(err)) == -1)
			log_warnx("%s: auto ack not sent: %s", o->name, err);
	}
	return f;
}

/* A Response or ExceptionResponse: CONNECTED, RECEIPT or ERROR. */
static struct bn_frame *
in_response(struct bn_owsess *o, const struct bn_ow_cmd *c)
{
	const struct bn_ow_error	*ex = c->type ==
				    BN_OW_EXCEPTION_RESPONSE ?
				    &c->u.resp.exception : NULL;
	struct ow_wait			*w;
	struct bn_frame			*f;
	struct bn_buf			*b = &o->scratch2;

	TAILQ_FOREACH(w, &o->waits, entry)
		if (w->command_id == c->u.resp.correlation_id)
			break;
	bn_buf_reset(b);
	if (ex != NULL) {
		bn_buf_add(b, ex->class_name.p, ex->class_name.len);
		bn_buf_addstr(b, ": ");
		bn_buf_add(b, ex->message.p, ex->message.len);
		bn_buf_addc(b, '\0');
		b->len--;
	}
	if (w == NULL) {
		if (ex == NULL)
			return NULL;
		f = bn_frame_new("ERROR");
		in_header(f, "message", b);
		return f;
	}
	TAILQ_REMOVE(&o->waits, w, entry);
	if (ex != NULL) {
		f = bn_frame_new("ERROR");
		if (strcmp(w->receipt, "connect") != 0)
			bn_frame_add_header(f, "receipt-id", w->receipt);
		in_header(f, "message", b);
	} else if (strcmp(w->receipt, "connect") == 0) {
		o->state = OW_UP;
		f = bn_frame_new("CONNECTED");
		bn_frame_add_header(f, "version", "1.2");
		bn_frame_add_header(f, "session", o->conn_id);
		/* the broker beats every third of it, and wants it from us */
		bn_buf_printf(b, "%" PRId64 ",%" PRId64, o->inactivity_ms / 3,
		    o->inactivity_ms);
		in_header(f, "heart-beat", b);
	} else {
		f = bn_frame_new("RECEIPT");
		bn_frame_add_header(f, "receipt-id", w->receipt);
	}
	free(w->receipt);
	free(w);
	return f;
}

enum bn_parse_result
bn_owsess_in(struct bn_owsess *o, const uint8_t *p, size_t len, size_t *used,
    struct bn_buf *reply, struct bn_frame **frame, char *err, size_t errlen)
{
	struct bn_ow_cmd	 c;
	enum bn_parse_result	 r;

	*frame = NULL;
	r = bn_ow_decode(p, len, &o->fmt, &c, used, err, errlen);
	if (r != BN_PARSE_OK)
		return r;
	switch (c.type) {
	case BN_OW_WIREFORMAT_INFO:
		if (bn_owsess_handshake(o, &c.u.wf, reply, err, errlen) == -1)
			return BN_PARSE_ERROR;
		break;
	case BN_OW_RESPONSE:
	case BN_OW_EXCEPTION_RESPONSE:
		*frame = in_response(o, &c);
		break;
	case BN_OW_CONNECTION_ERROR:
		*frame = bn_frame_new("ERROR");
		bn_buf_reset(&o->scratch2);
		bn_buf_add(&o->scratch2, c.u.conn_error.error.message.p,
		    c.u.conn_error.error.message.len);
		bn_buf_addc(&o->scratch2, '\0');
		bn_frame_add_header(*frame, "message", o->scratch2.data);
		break;
	case BN_OW_KEEP_ALIVE_INFO:
		if (c.response_required) {
			memset(&c, 0, sizeof(c));
			c.type = BN_OW_KEEP_ALIVE_INFO;
			if (bn_owsess_emit(o, &c, NULL, reply, err,
			    errlen) == -1)
				return BN_PARSE_ERROR;
		}
		break;
	case BN_OW_MESSAGE_DISPATCH:
		*frame = in_dispatch(o, &c.u.dispatch, reply);
		break;
	default:
		/* BrokerInfo, ConsumerControl, ProducerAck, ...: not ours */
		log_debug("%s: %s from broker ignored", o->name,
		    bn_ow_type_name(c.type));
		break;
	}
	return BN_PARSE_OK;
}
