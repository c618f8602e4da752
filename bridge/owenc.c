/*
 * OpenWire v12 loose-encoding writer, the mirror of bridge/openwire.c's
 * reader (same field order, from ActiveMQ's v12 marshallers), plus the
 * WireFormatInfo exchange: building the client's options and negotiating
 * the common format from the broker's, and the type names both sides use
 * in errors. Writing appends to a bn_buf with a sticky error; on failure
 * the buffer is cut back to where it was.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "brokernet/openwire.h"
#include "brokernet/util.h"

struct ow_wr {
	struct bn_buf	*b;
	const struct bn_ow_format *fmt;
	const char	*cmd;
	char		*err;
	size_t		 errlen;
	bool		 failed;
};

void
bn_ow_verr(char *err, size_t errlen, const char *cmd, const char *field,
    const char *fmt, va_list ap)
{
	char	msg[160];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s.%s: %s", cmd, field, msg);
}

static void
ow_wfail(struct ow_wr *w, const char *field, const char *fmt, ...)
{
	va_list	ap;

	if (w->failed)
		return;
	w->failed = true;
	va_start(ap, fmt);
	bn_ow_verr(w->err, w->errlen, w->cmd, field, fmt, ap);
	va_end(ap);
}

static const struct {
	int		 type;
	const char	*name;
} ow_names[] = {
	{ BN_OW_NULL, "null" },
	{ BN_OW_WIREFORMAT_INFO, "WireFormatInfo" },
	{ BN_OW_BROKER_INFO, "BrokerInfo" },
	{ BN_OW_CONNECTION_INFO, "ConnectionInfo" },
	{ BN_OW_SESSION_INFO, "SessionInfo" },
	{ BN_OW_CONSUMER_INFO, "ConsumerInfo" },
	{ BN_OW_PRODUCER_INFO, "ProducerInfo" },
	{ BN_OW_TRANSACTION_INFO, "TransactionInfo" },
	{ BN_OW_DESTINATION_INFO, "DestinationInfo" },
	{ BN_OW_REMOVE_SUBSCRIPTION_INFO, "RemoveSubscriptionInfo" },
	{ BN_OW_KEEP_ALIVE_INFO, "KeepAliveInfo" },
	{ BN_OW_SHUTDOWN_INFO, "ShutdownInfo" },
	{ BN_OW_REMOVE_INFO, "RemoveInfo" },
	{ BN_OW_CONTROL_COMMAND, "ControlCommand" },
	{ BN_OW_CONNECTION_CONTROL, "ConnectionControl" },
	{ BN_OW_PRODUCER_ACK, "ProducerAck" },
	{ BN_OW_MESSAGE_PULL, "MessagePull" },
	{ BN_OW_CONNECTION_ERROR, "ConnectionError" },
	{ BN_OW_CONSUMER_CONTROL, "ConsumerControl" },
	{ BN_OW_MESSAGE_DISPATCH, "MessageDispatch" },
	{ BN_OW_MESSAGE_ACK, "MessageAck" },
	{ BN_OW_MESSAGE, "ActiveMQMessage" },
	{ BN_OW_BYTES_MESSAGE, "ActiveMQBytesMessage" },
	{ BN_OW_MAP_MESSAGE, "ActiveMQMapMessage" },
	{ BN_OW_OBJECT_MESSAGE, "ActiveMQObjectMessage" },
	{ BN_OW_STREAM_MESSAGE, "ActiveMQStreamMessage" },
	{ BN_OW_TEXT_MESSAGE, "ActiveMQTextMessage" },
	{ BN_OW_RESPONSE, "Response" },
	{ BN_OW_EXCEPTION_RESPONSE, "ExceptionResponse" },
	{ BN_OW_NETWORK_BRIDGE_FILTER, "NetworkBridgeFilter" },
	{ BN_OW_QUEUE, "ActiveMQQueue" },
	{ BN_OW_TOPIC, "ActiveMQTopic" },
	{ BN_OW_TEMP_QUEUE, "ActiveMQTempQueue" },
	{ BN_OW_TEMP_TOPIC, "ActiveMQTempTopic" },
	{ BN_OW_MESSAGE_ID, "MessageId" },
	{ BN_OW_LOCAL_TRANSACTION_ID, "LocalTransactionId" },
	{ BN_OW_CONNECTION_ID, "ConnectionId" },
	{ BN_OW_SESSION_ID, "SessionId" },
	{ BN_OW_CONSUMER_ID, "ConsumerId" },
	{ BN_OW_PRODUCER_ID, "ProducerId" },
	{ BN_OW_BROKER_ID, "BrokerId" },
};

const char *
bn_ow_type_name(int type)
{
	size_t	i;

	for (i = 0; i < sizeof(ow_names) / sizeof(ow_names[0]); i++)
		if (ow_names[i].type == type)
			return ow_names[i].name;
	return "unknown";
}

void
bn_ow_format_default(struct bn_ow_format *f)
{
	memset(f, 0, sizeof(*f));
	f->version = BN_OW_VERSION;
	f->max_frame = BN_OW_MAX_FRAME_DEFAULT;
}

/* Appends n bytes; an empty range may have a NULL pointer. */
static void
ow_wraw_bytes(struct ow_wr *w, const void *p, size_t n)
{
	if (n > 0)
		bn_buf_add(w->b, p, n);
}

static void
ow_w8(struct ow_wr *w, uint8_t v)
{
	bn_buf_add(w->b, &v, 1);
}

static void
ow_wbool(struct ow_wr *w, bool v)
{
	ow_w8(w, v ? 1 : 0);
}

static void
ow_w16(struct ow_wr *w, uint16_t v)
{
	uint8_t	q[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	bn_buf_add(w->b, q, 2);
}

static void
ow_w32(struct ow_wr *w, int32_t v)
{
	uint32_t u = (uint32_t)v;
	uint8_t	 q[4] = { (uint8_t)(u >> 24), (uint8_t)(u >> 16),
		    (uint8_t)(u >> 8), (uint8_t)u };

	bn_buf_add(w->b, q, 4);
}

static void
ow_w64(struct ow_wr *w, int64_t v)
{
	uint64_t u = (uint64_t)v;
	uint8_t	 q[8];
	int	 i;

	for (i = 7; i >= 0; i--) {
		q[i] = (uint8_t)u;
		u >>= 8;
	}
	bn_buf_add(w->b, q, 8);
}

static void
ow_wstr(struct ow_wr *w, const char *field, const struct bn_ow_str *s)
{
	ow_wbool(w, s->p != NULL);
	if (s->p == NULL)
		return;
	if (s->len > 0xffff) {
		ow_wfail(w, field, "string of %zu bytes (writeUTF allows "
		    "65535)", s->len);
		return;
	}
	ow_w16(w, (uint16_t)s->len);
	ow_wraw_bytes(w, s->p, s->len);
}

static void
ow_wbytes(struct ow_wr *w, const char *field, const struct bn_ow_bytes *b)
{
	ow_wbool(w, b->p != NULL);
	if (b->p == NULL)
		return;
	if (b->len > 0x7fffffff) {
		ow_wfail(w, field, "%zu bytes is too long", b->len);
		return;
	}
	ow_w32(w, (int32_t)b->len);
	ow_wraw_bytes(w, b->p, b->len);
}

static void
ow_wid(struct ow_wr *w, const char *field, const struct bn_ow_id *id)
{
	ow_wbool(w, id->type != 0);
	if (id->type == 0)
		return;
	ow_w8(w, id->type);
	switch (id->type) {
	case BN_OW_CONNECTION_ID:
	case BN_OW_BROKER_ID:
		ow_wstr(w, field, &id->str);
		break;
	case BN_OW_SESSION_ID:
		ow_wstr(w, field, &id->str);
		ow_w64(w, id->value);
		break;
	case BN_OW_PRODUCER_ID:
		ow_wstr(w, field, &id->str);
		ow_w64(w, id->value);
		ow_w64(w, id->session);
		break;
	case BN_OW_CONSUMER_ID:
		ow_wstr(w, field, &id->str);
		ow_w64(w, id->session);
		ow_w64(w, id->value);
		break;
	default:
		ow_wfail(w, field, "type %u is not an id", id->type);
	}
}

static void
ow_wdest(struct ow_wr *w, const char *field, const struct bn_ow_dest *d)
{
	ow_wbool(w, d->type != 0);
	if (d->type == 0)
		return;
	if (d->type < BN_OW_QUEUE || d->type > BN_OW_TEMP_TOPIC) {
		ow_wfail(w, field, "type %u is not a destination", d->type);
		return;
	}
	ow_w8(w, d->type);
	ow_wstr(w, field, &d->name);
}

static void
ow_wmsgid(struct ow_wr *w, const char *field,
    const struct bn_ow_message_id *m)
{
	ow_wbool(w, m->set);
	if (!m->set)
		return;
	ow_w8(w, BN_OW_MESSAGE_ID);
	ow_wstr(w, field, &m->text_view);
	ow_wid(w, field, &m->producer);
	ow_w64(w, m->producer_seq);
	ow_w64(w, m->broker_seq);
}

static void
ow_wtxid(struct ow_wr *w, const char *field, const struct bn_ow_txid *t)
{
	ow_wbool(w, t->type != 0);
	if (t->type == 0)
		return;
	if (t->type != BN_OW_LOCAL_TRANSACTION_ID) {
		ow_wfail(w, field, "only LocalTransactionId is supported");
		return;
	}
	ow_w8(w, t->type);
	ow_w64(w, t->value);
	ow_wid(w, field, &t->connection);
}

static void
ow_widarray(struct ow_wr *w, const char *field,
    const struct bn_ow_idarray *a)
{
	uint16_t i;

	ow_wbool(w, a->set);
	if (!a->set)
		return;
	if (a->n > BN_OW_MAX_PATH) {
		ow_wfail(w, field, "%u entries (at most %d)", a->n,
		    BN_OW_MAX_PATH);
		return;
	}
	ow_w16(w, a->n);
	for (i = 0; i < a->n; i++)
		ow_wid(w, field, &a->v[i]);
}

static void
ow_wraw(struct ow_wr *w, const struct bn_ow_raw *x)
{
	ow_wbool(w, x->type != 0);
	if (x->type == 0)
		return;
	ow_w8(w, x->type);
	ow_wraw_bytes(w, x->raw.p, x->raw.len);
}

static void
ow_wraw_array(struct ow_wr *w, const struct bn_ow_raw *x)
{
	ow_wbool(w, x->type != 0);
	if (x->type == 0)
		return;
	ow_w16(w, x->count);
	ow_wraw_bytes(w, x->raw.p, x->raw.len);
}

/* Without stack traces (the format negotiated): class and message only. */
static void
ow_werror(struct ow_wr *w, const char *field, const struct bn_ow_error *e)
{
	ow_wbool(w, e->set);
	if (!e->set)
		return;
	ow_wstr(w, field, &e->class_name);
	ow_wstr(w, field, &e->message);
	if (w->fmt->stack_trace) {
		ow_w16(w, 0);		/* no stack trace elements */
		ow_wbool(w, false);	/* no cause */
	}
}

static void
ow_wmessage(struct ow_wr *w, const struct bn_ow_message *m)
{
	ow_wid(w, "producerId", &m->producer_id);
	ow_wdest(w, "destination", &m->destination);
	ow_wtxid(w, "transactionId", &m->transaction_id);
	ow_wdest(w, "originalDestination", &m->original_destination);
	ow_wmsgid(w, "messageId", &m->message_id);
	ow_wtxid(w, "originalTransactionId", &m->original_transaction_id);
	ow_wstr(w, "groupID", &m->group_id);
	ow_w32(w, m->group_seq);
	ow_wstr(w, "correlationId", &m->correlation_id);
	ow_wbool(w, m->persistent);
	ow_w64(w, m->expiration);
	ow_w8(w, m->priority);
	ow_wdest(w, "replyTo", &m->reply_to);
	ow_w64(w, m->timestamp);
	ow_wstr(w, "type", &m->jms_type);
	ow_wbytes(w, "content", &m->content);
	ow_wbytes(w, "marshalledProperties", &m->properties);
	ow_wraw(w, &m->data_structure);
	ow_wid(w, "targetConsumerId", &m->target_consumer_id);
	ow_wbool(w, m->compressed);
	ow_w32(w, m->redelivery_counter);
	ow_widarray(w, "brokerPath", &m->broker_path);
	ow_w64(w, m->arrival);
	ow_wstr(w, "userID", &m->user_id);
	ow_wbool(w, m->received_by_df_bridge);
	ow_wbool(w, m->droppable);
	ow_widarray(w, "cluster", &m->cluster);
	ow_w64(w, m->broker_in_time);
	ow_w64(w, m->broker_out_time);
	ow_wbool(w, m->jmsx_group_first);
}

static bool
ow_is_message(uint8_t type)
{
	return type >= BN_OW_MESSAGE && type <= BN_OW_TEXT_MESSAGE;
}

/* The type byte and body of cmd. */
static void
ow_wr_body(struct ow_wr *w, const struct bn_ow_cmd *c)
{
	w->cmd = bn_ow_type_name(c->type);
	ow_w8(w, c->type);
	if (c->type == BN_OW_NULL)
		return;
	if (c->type != BN_OW_WIREFORMAT_INFO) {
		ow_w32(w, c->command_id);
		ow_wbool(w, c->response_required);
	}
	switch (c->type) {
	case BN_OW_WIREFORMAT_INFO:
		bn_buf_add(w->b, c->u.wf.magic, 8);
		ow_w32(w, c->u.wf.version);
		ow_wbytes(w, "marshalledProperties", &c->u.wf.props);
		break;
	case BN_OW_BROKER_INFO: {
		const struct bn_ow_broker_info *b = &c->u.broker;

		ow_wid(w, "brokerId", &b->broker_id);
		ow_wstr(w, "brokerURL", &b->broker_url);
		ow_wraw_array(w, &b->peers);
		ow_wstr(w, "brokerName", &b->broker_name);
		ow_wbool(w, b->slave);
		ow_wbool(w, b->master);
		ow_wbool(w, b->fault_tolerant);
		ow_wbool(w, b->duplex);
		ow_wbool(w, b->network);
		ow_w64(w, b->connection_id);
		ow_wstr(w, "brokerUploadUrl", &b->upload_url);
		ow_wstr(w, "networkProperties", &b->network_props);
		break;
	}
	case BN_OW_CONNECTION_INFO: {
		const struct bn_ow_connection_info *ci = &c->u.conn;

		ow_wid(w, "connectionId", &ci->connection_id);
		ow_wstr(w, "clientId", &ci->client_id);
		ow_wstr(w, "password", &ci->password);
		ow_wstr(w, "userName", &ci->user_name);
		ow_widarray(w, "brokerPath", &ci->broker_path);
		ow_wbool(w, ci->broker_master_connector);
		ow_wbool(w, ci->manageable);
		ow_wbool(w, ci->client_master);
		ow_wbool(w, ci->fault_tolerant);
		ow_wbool(w, ci->failover_reconnect);
		ow_wstr(w, "clientIp", &ci->client_ip);
		break;
	}
	case BN_OW_SESSION_INFO:
		ow_wid(w, "sessionId", &c->u.session_id);
		break;
	case BN_OW_PRODUCER_INFO:
		ow_wid(w, "producerId", &c->u.producer.producer_id);
		ow_wdest(w, "destination", &c->u.producer.destination);
		ow_widarray(w, "brokerPath", &c->u.producer.broker_path);
		ow_wbool(w, c->u.producer.dispatch_async);
		ow_w32(w, c->u.producer.window_size);
		break;
	case BN_OW_CONSUMER_INFO: {
		const struct bn_ow_consumer_info *ci = &c->u.consumer;

		ow_wid(w, "consumerId", &ci->consumer_id);
		ow_wbool(w, ci->browser);
		ow_wdest(w, "destination", &ci->destination);
		ow_w32(w, ci->prefetch);
		ow_w32(w, ci->max_pending);
		ow_wbool(w, ci->dispatch_async);
		ow_wstr(w, "selector", &ci->selector);
		ow_wstr(w, "clientId", &ci->client_id);
		ow_wstr(w, "subscriptionName", &ci->subscription_name);
		ow_wbool(w, ci->no_local);
		ow_wbool(w, ci->exclusive);
		ow_wbool(w, ci->retroactive);
		ow_w8(w, ci->priority);
		ow_widarray(w, "brokerPath", &ci->broker_path);
		ow_wraw(w, &ci->additional_predicate);
		ow_wbool(w, ci->network_subscription);
		ow_wbool(w, ci->optimized_ack);
		ow_wbool(w, ci->no_range_acks);
		ow_widarray(w, "networkConsumerPath",
		    &ci->network_consumer_path);
		break;
	}
	case BN_OW_TRANSACTION_INFO:
		ow_wid(w, "connectionId", &c->u.tx.connection_id);
		ow_wtxid(w, "transactionId", &c->u.tx.transaction_id);
		ow_w8(w, c->u.tx.tx_type);
		break;
	case BN_OW_DESTINATION_INFO:
		ow_wid(w, "connectionId", &c->u.dest.connection_id);
		ow_wdest(w, "destination", &c->u.dest.destination);
		ow_w8(w, c->u.dest.operation);
		ow_w64(w, c->u.dest.timeout);
		ow_widarray(w, "brokerPath", &c->u.dest.broker_path);
		break;
	case BN_OW_KEEP_ALIVE_INFO:
	case BN_OW_SHUTDOWN_INFO:
		break;
	case BN_OW_REMOVE_INFO:
		ow_wid(w, "objectId", &c->u.remove.object_id);
		ow_w64(w, c->u.remove.last_delivered_seq);
		break;
	case BN_OW_REMOVE_SUBSCRIPTION_INFO:
		ow_wid(w, "connectionId", &c->u.remove_sub.connection_id);
		ow_wstr(w, "subcriptionName",
		    &c->u.remove_sub.subscription_name);
		ow_wstr(w, "clientId", &c->u.remove_sub.client_id);
		break;
	case BN_OW_CONNECTION_ERROR:
		ow_werror(w, "exception", &c->u.conn_error.error);
		ow_wid(w, "connectionId", &c->u.conn_error.connection_id);
		break;
	case BN_OW_CONSUMER_CONTROL:
		ow_wdest(w, "destination", &c->u.control.destination);
		ow_wbool(w, c->u.control.close);
		ow_wid(w, "consumerId", &c->u.control.consumer_id);
		ow_w32(w, c->u.control.prefetch);
		ow_wbool(w, c->u.control.flush);
		ow_wbool(w, c->u.control.start);
		ow_wbool(w, c->u.control.stop);
		break;
	case BN_OW_CONTROL_COMMAND:
		ow_wstr(w, "command", &c->u.control_command);
		break;
	case BN_OW_CONNECTION_CONTROL: {
		const struct bn_ow_connection_control *cc = &c->u.cc;

		ow_wbool(w, cc->close);
		ow_wbool(w, cc->exit);
		ow_wbool(w, cc->fault_tolerant);
		ow_wbool(w, cc->resume);
		ow_wbool(w, cc->suspend);
		ow_wstr(w, "connectedBrokers", &cc->connected_brokers);
		ow_wstr(w, "reconnectTo", &cc->reconnect_to);
		ow_wbool(w, cc->rebalance);
		ow_wbytes(w, "token", &cc->token);
		break;
	}
	case BN_OW_PRODUCER_ACK:
		ow_wid(w, "producerId", &c->u.producer_ack.producer_id);
		ow_w32(w, c->u.producer_ack.size);
		break;
	case BN_OW_MESSAGE_PULL:
		ow_wid(w, "consumerId", &c->u.pull.consumer_id);
		ow_wdest(w, "destination", &c->u.pull.destination);
		ow_w64(w, c->u.pull.timeout);
		ow_wstr(w, "correlationId", &c->u.pull.correlation_id);
		ow_wmsgid(w, "messageId", &c->u.pull.message_id);
		break;
	case BN_OW_MESSAGE_DISPATCH: {
		const struct bn_ow_dispatch *d = &c->u.dispatch;

		ow_wid(w, "consumerId", &d->consumer_id);
		ow_wdest(w, "destination", &d->destination);
		ow_wbool(w, d->has_message);
		if (d->has_message) {
			if (!ow_is_message(d->message.type)) {
				ow_wfail(w, "message", "type %u is not a "
				    "message", d->message.type);
				break;
			}
			ow_w8(w, d->message.type);
			ow_w32(w, d->message.command_id);
			ow_wbool(w, d->message.response_required);
			ow_wmessage(w, &d->message);
		}
		ow_w32(w, d->redelivery_counter);
		break;
	}
	case BN_OW_MESSAGE_ACK: {
		const struct bn_ow_ack *a = &c->u.ack;

		ow_wdest(w, "destination", &a->destination);
		ow_wtxid(w, "transactionId", &a->transaction_id);
		ow_wid(w, "consumerId", &a->consumer_id);
		ow_w8(w, a->ack_type);
		ow_wmsgid(w, "firstMessageId", &a->first_message_id);
		ow_wmsgid(w, "lastMessageId", &a->last_message_id);
		ow_w32(w, a->message_count);
		ow_werror(w, "poisonCause", &a->poison_cause);
		break;
	}
	case BN_OW_MESSAGE:
	case BN_OW_BYTES_MESSAGE:
	case BN_OW_MAP_MESSAGE:
	case BN_OW_OBJECT_MESSAGE:
	case BN_OW_STREAM_MESSAGE:
	case BN_OW_TEXT_MESSAGE:
		ow_wmessage(w, &c->u.msg);
		break;
	case BN_OW_RESPONSE:
		ow_w32(w, c->u.resp.correlation_id);
		break;
	case BN_OW_EXCEPTION_RESPONSE:
		ow_w32(w, c->u.resp.correlation_id);
		ow_werror(w, "exception", &c->u.resp.exception);
		break;
	default:
		ow_wfail(w, "type", "cannot write data type %u", c->type);
	}
}

int
bn_ow_encode(struct bn_buf *out, const struct bn_ow_cmd *cmd,
    const struct bn_ow_format *fmt, char *err, size_t errlen)
{
	struct ow_wr	w = { out, fmt, "frame", err, errlen, false };
	size_t		start = out->len;
	size_t		size;
	uint8_t		*q;

	if (fmt->tight || fmt->cache || fmt->size_prefix_disabled) {
		snprintf(err, errlen, "frame: only loose encoding without "
		    "cache and with a size prefix is supported");
		return -1;
	}
	ow_w32(&w, 0);
	ow_wr_body(&w, cmd);
	size = out->len - start - 4;
	if (!w.failed && (size > fmt->max_frame || size > 0x7fffffff))
		ow_wfail(&w, "size", "frame of %zu bytes is above the "
		    "maximum %llu", size, (unsigned long long)fmt->max_frame);
	if (w.failed) {
		out->len = start;
		return -1;
	}
	q = (uint8_t *)out->data + start;
	q[0] = (uint8_t)(size >> 24);
	q[1] = (uint8_t)(size >> 16);
	q[2] = (uint8_t)(size >> 8);
	q[3] = (uint8_t)size;
	return 0;
}

/* ---- the WireFormatInfo exchange */

static const uint8_t ow_magic[8] = { 'A', 'c', 't', 'i', 'v', 'e', 'M', 'Q' };

static void
ow_put_bool(struct bn_buf *b, const char *name, bool v)
{
	struct bn_ow_prim p = bn_ow_prim_int(BN_OW_P_BOOL, v);

	(void)bn_ow_map_put(b, name, strlen(name), &p);
}

static void
ow_put_long(struct bn_buf *b, const char *name, int64_t v)
{
	struct bn_ow_prim p = bn_ow_prim_int(BN_OW_P_LONG, v);

	(void)bn_ow_map_put(b, name, strlen(name), &p);
}

void
bn_ow_wireformat_build(struct bn_ow_cmd *cmd, struct bn_buf *props,
    const struct bn_ow_format *fmt, int64_t max_inactivity_ms,
    int64_t initial_delay_ms)
{
	size_t	begin;

	memset(cmd, 0, sizeof(*cmd));
	cmd->type = BN_OW_WIREFORMAT_INFO;
	memcpy(cmd->u.wf.magic, ow_magic, 8);
	cmd->u.wf.version = fmt->version;
	bn_buf_reset(props);
	begin = bn_ow_map_begin(props);
	ow_put_bool(props, "TightEncodingEnabled", false);
	ow_put_bool(props, "CacheEnabled", false);
	ow_put_bool(props, "SizePrefixDisabled", false);
	ow_put_bool(props, "StackTraceEnabled", fmt->stack_trace);
	ow_put_bool(props, "TcpNoDelayEnabled", true);
	ow_put_long(props, "MaxInactivityDuration", max_inactivity_ms);
	ow_put_long(props, "MaxInactivityDurationInitalDelay",
	    initial_delay_ms);
	ow_put_long(props, "MaxFrameSize", (int64_t)fmt->max_frame);
	bn_ow_map_end(props, begin, 8);
	cmd->u.wf.props.p = (const uint8_t *)props->data;
	cmd->u.wf.props.len = props->len;
}

static bool
ow_name_is(const struct bn_ow_str *s, const char *name)
{
	return s->p != NULL && s->len == strlen(name) &&
	    memcmp(s->p, name, s->len) == 0;
}

int
bn_ow_negotiate(const struct bn_ow_format *mine,
    const struct bn_ow_wireformat *peer, struct bn_ow_format *out,
    char *err, size_t errlen)
{
	struct bn_ow_map_iter it;
	struct bn_ow_str name;
	struct bn_ow_prim v;
	struct bn_ow_bytes raw;
	bool		 tight = false, cache = false, noprefix = false;
	bool		 trace = false;
	int		 rc;

	if (memcmp(peer->magic, ow_magic, 8) != 0) {
		snprintf(err, errlen, "WireFormatInfo.magic: not ActiveMQ");
		return -1;
	}
	*out = *mine;
	out->version = peer->version < mine->version ? peer->version :
	    mine->version;
	if (out->version < BN_OW_VERSION) {
		snprintf(err, errlen, "WireFormatInfo.version: the peer speaks "
		    "version %d, this codec only %d", (int)peer->version,
		    BN_OW_VERSION);
		return -1;
	}
	if (peer->props.p != NULL) {
		if (bn_ow_map_open(&it, peer->props.p, peer->props.len, err,
		    errlen) == -1)
			return -1;
		while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
		    errlen)) == 1) {
			if (ow_name_is(&name, "TightEncodingEnabled"))
				tight = v.type == BN_OW_P_BOOL && v.i;
			else if (ow_name_is(&name, "CacheEnabled"))
				cache = v.type == BN_OW_P_BOOL && v.i;
			else if (ow_name_is(&name, "SizePrefixDisabled"))
				noprefix = v.type == BN_OW_P_BOOL && v.i;
			else if (ow_name_is(&name, "StackTraceEnabled"))
				trace = v.type == BN_OW_P_BOOL && v.i;
			else if (ow_name_is(&name, "MaxFrameSize") &&
			    v.type == BN_OW_P_LONG && v.i > 0 &&
			    (uint64_t)v.i < out->max_frame)
				out->max_frame = (uint64_t)v.i;
		}
		if (rc == -1)
			return -1;
	}
	out->tight = tight && mine->tight;
	out->cache = cache && mine->cache;
	out->size_prefix_disabled = noprefix && mine->size_prefix_disabled;
	out->stack_trace = trace && mine->stack_trace;
	if (out->tight || out->cache || out->size_prefix_disabled) {
		snprintf(err, errlen, "WireFormatInfo: negotiated tight "
		    "encoding, cache or no size prefix; unsupported");
		return -1;
	}
	return 0;
}
