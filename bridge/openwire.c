/*
 * OpenWire v12 loose-encoding codec: frames, commands and the data
 * structures inside them (see include/brokernet/openwire.h). The field
 * order of every command follows ActiveMQ's v12 marshallers. Reading uses
 * a cursor with a sticky error: every read checks the bytes left, the first
 * failure is kept with the command and field it concerns, later reads
 * return zeros, and the caller checks once. Writing mirrors reading.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "brokernet/openwire.h"

#define OW_MAX_DEPTH	4	/* nested commands inside a message */

struct ow_rd {
	const uint8_t	*p, *end;
	const struct bn_ow_format *fmt;
	const char	*cmd;
	char		*err;
	size_t		 errlen;
	int		 depth;
	bool		 failed;
};

static void ow_rd_cmd(struct ow_rd *, uint8_t, struct bn_ow_cmd *);

/* ---- reading */

static void
ow_fail(struct ow_rd *r, const char *field, const char *fmt, ...)
{
	va_list	ap;

	if (r->failed)
		return;
	r->failed = true;
	va_start(ap, fmt);
	bn_ow_verr(r->err, r->errlen, r->cmd, field, fmt, ap);
	va_end(ap);
}

/* n bytes at the cursor, or NULL (and the error) when fewer are left. */
static const uint8_t *
ow_take(struct ow_rd *r, const char *field, size_t n)
{
	const uint8_t	*q;

	if (r->failed)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		ow_fail(r, field, "needs %zu bytes, %zu left in the frame", n,
		    (size_t)(r->end - r->p));
		return NULL;
	}
	q = r->p;
	r->p += n;
	return q;
}

static uint8_t
ow_u8(struct ow_rd *r, const char *field)
{
	const uint8_t	*q = ow_take(r, field, 1);

	return q ? q[0] : 0;
}

static bool
ow_bool(struct ow_rd *r, const char *field)
{
	return ow_u8(r, field) != 0;
}

static uint16_t
ow_u16(struct ow_rd *r, const char *field)
{
	const uint8_t	*q = ow_take(r, field, 2);

	return q ? (uint16_t)(q[0] << 8 | q[1]) : 0;
}

static int32_t
ow_i32(struct ow_rd *r, const char *field)
{
	const uint8_t	*q = ow_take(r, field, 4);

	if (q == NULL)
		return 0;
	return (int32_t)((uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | q[3]);
}

static int64_t
ow_i64(struct ow_rd *r, const char *field)
{
	const uint8_t	*q = ow_take(r, field, 8);
	uint64_t	 v = 0;
	int		 i;

	if (q == NULL)
		return 0;
	for (i = 0; i < 8; i++)
		v = v << 8 | q[i];
	return (int64_t)v;
}

/* looseUnmarshalString: a present flag, then writeUTF (u16 length). */
static struct bn_ow_str
ow_str(struct ow_rd *r, const char *field)
{
	struct bn_ow_str s = { NULL, 0 };
	uint16_t	 n;

	if (!ow_bool(r, field))
		return s;
	n = ow_u16(r, field);
	s.p = (const char *)ow_take(r, field, n);
	s.len = s.p ? n : 0;
	return s;
}

/* looseUnmarshalByteSequence: a present flag, an int length, the bytes. */
static struct bn_ow_bytes
ow_bytes(struct ow_rd *r, const char *field)
{
	struct bn_ow_bytes b = { NULL, 0 };
	int32_t		 n;

	if (!ow_bool(r, field))
		return b;
	n = ow_i32(r, field);
	if (n < 0) {
		ow_fail(r, field, "negative length %d", (int)n);
		return b;
	}
	b.p = ow_take(r, field, (size_t)n);
	b.len = b.p ? (size_t)n : 0;
	return b;
}

/* A nested object's header: 0 for null, else its type byte. */
static uint8_t
ow_nested(struct ow_rd *r, const char *field)
{
	if (!ow_bool(r, field))
		return 0;
	return ow_u8(r, field);
}

static void
ow_id_body(struct ow_rd *r, const char *field, uint8_t type,
    struct bn_ow_id *id)
{
	memset(id, 0, sizeof(*id));
	id->type = type;
	switch (type) {
	case BN_OW_CONNECTION_ID:
	case BN_OW_BROKER_ID:
		id->str = ow_str(r, field);
		break;
	case BN_OW_SESSION_ID:
		id->str = ow_str(r, field);
		id->value = ow_i64(r, field);
		break;
	case BN_OW_PRODUCER_ID:
		id->str = ow_str(r, field);
		id->value = ow_i64(r, field);
		id->session = ow_i64(r, field);
		break;
	case BN_OW_CONSUMER_ID:
		id->str = ow_str(r, field);
		id->session = ow_i64(r, field);
		id->value = ow_i64(r, field);
		break;
	default:
		ow_fail(r, field, "type %u (%s) is not an id", type,
		    bn_ow_type_name(type));
	}
}

/* A nested id of type want (0: any id type). */
static void
ow_id(struct ow_rd *r, const char *field, uint8_t want, struct bn_ow_id *id)
{
	uint8_t	type = ow_nested(r, field);

	memset(id, 0, sizeof(*id));
	if (type == 0 || r->failed)
		return;
	if (want != 0 && type != want) {
		ow_fail(r, field, "expected %s, got type %u (%s)",
		    bn_ow_type_name(want), type, bn_ow_type_name(type));
		return;
	}
	ow_id_body(r, field, type, id);
}

static void
ow_dest(struct ow_rd *r, const char *field, struct bn_ow_dest *d)
{
	uint8_t	type = ow_nested(r, field);

	memset(d, 0, sizeof(*d));
	if (type == 0 || r->failed)
		return;
	if (type < BN_OW_QUEUE || type > BN_OW_TEMP_TOPIC) {
		ow_fail(r, field, "type %u (%s) is not a destination", type,
		    bn_ow_type_name(type));
		return;
	}
	d->type = type;
	d->name = ow_str(r, field);
}

static void
ow_msgid(struct ow_rd *r, const char *field, struct bn_ow_message_id *m)
{
	uint8_t	type = ow_nested(r, field);

	memset(m, 0, sizeof(*m));
	if (type == 0 || r->failed)
		return;
	if (type != BN_OW_MESSAGE_ID) {
		ow_fail(r, field, "expected MessageId, got type %u", type);
		return;
	}
	m->set = true;
	m->text_view = ow_str(r, field);
	ow_id(r, field, BN_OW_PRODUCER_ID, &m->producer);
	m->producer_seq = ow_i64(r, field);
	m->broker_seq = ow_i64(r, field);
}

static void
ow_txid(struct ow_rd *r, const char *field, struct bn_ow_txid *t)
{
	uint8_t	type = ow_nested(r, field);

	memset(t, 0, sizeof(*t));
	if (type == 0 || r->failed)
		return;
	if (type != BN_OW_LOCAL_TRANSACTION_ID) {
		ow_fail(r, field, "type %u (%s) is not supported (only "
		    "LocalTransactionId)", type, bn_ow_type_name(type));
		return;
	}
	t->type = type;
	t->value = ow_i64(r, field);
	ow_id(r, field, BN_OW_CONNECTION_ID, &t->connection);
}

static void
ow_idarray(struct ow_rd *r, const char *field, uint8_t want,
    struct bn_ow_idarray *a)
{
	int16_t	n;
	int	i;

	a->set = ow_bool(r, field);
	a->n = 0;
	if (!a->set || r->failed)
		return;
	n = (int16_t)ow_u16(r, field);
	if (n < 0 || n > BN_OW_MAX_PATH) {
		ow_fail(r, field, "%d entries (at most %d)", n,
		    BN_OW_MAX_PATH);
		return;
	}
	for (i = 0; i < n && !r->failed; i++)
		ow_id(r, field, want, &a->v[i]);
	a->n = (uint16_t)n;
}

/* Skips one nested object's body of this type, parsing it fully. */
static void
ow_skip_body(struct ow_rd *r, const char *field, uint8_t type)
{
	struct bn_ow_cmd scratch;
	const char	*saved = r->cmd;

	if (r->depth >= OW_MAX_DEPTH) {
		ow_fail(r, field, "nested more than %d deep", OW_MAX_DEPTH);
		return;
	}
	r->depth++;
	ow_rd_cmd(r, type, &scratch);
	r->depth--;
	r->cmd = saved;
}

/* A nested object kept as raw bytes (after its type byte). */
static void
ow_raw(struct ow_rd *r, const char *field, struct bn_ow_raw *x)
{
	const uint8_t	*start;

	memset(x, 0, sizeof(*x));
	x->type = ow_nested(r, field);
	if (x->type == 0 || r->failed)
		return;
	start = r->p;
	ow_skip_body(r, field, x->type);
	x->raw.p = start;
	x->raw.len = (size_t)(r->p - start);
}

/* An array of nested objects kept raw (after the count). */
static void
ow_raw_array(struct ow_rd *r, const char *field, struct bn_ow_raw *x)
{
	const uint8_t	*start;
	int16_t		 n;
	int		 i;
	uint8_t		 type;

	memset(x, 0, sizeof(*x));
	if (!ow_bool(r, field))
		return;
	x->type = 1;
	n = (int16_t)ow_u16(r, field);
	if (n < 0) {
		ow_fail(r, field, "negative count %d", n);
		return;
	}
	start = r->p;
	for (i = 0; i < n && !r->failed; i++) {
		type = ow_nested(r, field);
		if (type != 0)
			ow_skip_body(r, field, type);
	}
	x->count = (uint16_t)n;
	x->raw.p = start;
	x->raw.len = (size_t)(r->p - start);
}

/* looseUnmarsalThrowable: class, message, [stack trace, cause]. */
static void
ow_error(struct ow_rd *r, const char *field, struct bn_ow_error *e, int depth)
{
	struct bn_ow_error cause;
	int16_t		 n;
	int		 i;

	memset(e, 0, sizeof(*e));
	if (!ow_bool(r, field))
		return;
	e->set = true;
	e->class_name = ow_str(r, field);
	e->message = ow_str(r, field);
	if (!r->fmt->stack_trace || r->failed)
		return;
	if (depth >= OW_MAX_DEPTH * 4) {
		ow_fail(r, field, "causes nested too deep");
		return;
	}
	n = (int16_t)ow_u16(r, field);
	if (n < 0) {
		ow_fail(r, field, "negative stack trace length");
		return;
	}
	for (i = 0; i < n && !r->failed; i++) {
		(void)ow_str(r, field);
		(void)ow_str(r, field);
		(void)ow_str(r, field);
		(void)ow_i32(r, field);
	}
	ow_error(r, field, &cause, depth + 1);
}

static void
ow_rd_message(struct ow_rd *r, struct bn_ow_message *m)
{
	m->producer_id = (struct bn_ow_id){ 0 };
	ow_id(r, "producerId", BN_OW_PRODUCER_ID, &m->producer_id);
	ow_dest(r, "destination", &m->destination);
	ow_txid(r, "transactionId", &m->transaction_id);
	ow_dest(r, "originalDestination", &m->original_destination);
	ow_msgid(r, "messageId", &m->message_id);
	ow_txid(r, "originalTransactionId", &m->original_transaction_id);
	m->group_id = ow_str(r, "groupID");
	m->group_seq = ow_i32(r, "groupSequence");
	m->correlation_id = ow_str(r, "correlationId");
	m->persistent = ow_bool(r, "persistent");
	m->expiration = ow_i64(r, "expiration");
	m->priority = ow_u8(r, "priority");
	ow_dest(r, "replyTo", &m->reply_to);
	m->timestamp = ow_i64(r, "timestamp");
	m->jms_type = ow_str(r, "type");
	m->content = ow_bytes(r, "content");
	m->properties = ow_bytes(r, "marshalledProperties");
	ow_raw(r, "dataStructure", &m->data_structure);
	ow_id(r, "targetConsumerId", BN_OW_CONSUMER_ID, &m->target_consumer_id);
	m->compressed = ow_bool(r, "compressed");
	m->redelivery_counter = ow_i32(r, "redeliveryCounter");
	ow_idarray(r, "brokerPath", BN_OW_BROKER_ID, &m->broker_path);
	m->arrival = ow_i64(r, "arrival");
	m->user_id = ow_str(r, "userID");
	m->received_by_df_bridge = ow_bool(r, "recievedByDFBridge");
	m->droppable = ow_bool(r, "droppable");
	ow_idarray(r, "cluster", BN_OW_BROKER_ID, &m->cluster);
	m->broker_in_time = ow_i64(r, "brokerInTime");
	m->broker_out_time = ow_i64(r, "brokerOutTime");
	m->jmsx_group_first = ow_bool(r, "JMSXGroupFirstForConsumer");
}

static bool
ow_is_message(uint8_t type)
{
	return type >= BN_OW_MESSAGE && type <= BN_OW_TEXT_MESSAGE;
}

/* Is this a command (commandId + responseRequired first)? */
static bool
ow_is_command(uint8_t type)
{
	return type >= BN_OW_BROKER_INFO && type <= BN_OW_EXCEPTION_RESPONSE;
}

/* The body of a data structure of this type (after the type byte). */
static void
ow_rd_cmd(struct ow_rd *r, uint8_t type, struct bn_ow_cmd *c)
{
	const uint8_t	*q;
	struct bn_ow_id	 scratch_id;
	struct bn_ow_message_id scratch_mid;
	struct bn_ow_txid scratch_tx;

	const char	*parent = r->cmd;

	memset(c, 0, sizeof(*c));
	c->type = type;
	r->cmd = bn_ow_type_name(type);
	if (ow_is_command(type)) {
		c->command_id = ow_i32(r, "commandId");
		c->response_required = ow_bool(r, "responseRequired");
	}
	switch (type) {
	case BN_OW_WIREFORMAT_INFO:
		q = ow_take(r, "magic", 8);
		if (q != NULL)
			memcpy(c->u.wf.magic, q, 8);
		c->u.wf.version = ow_i32(r, "version");
		c->u.wf.props = ow_bytes(r, "marshalledProperties");
		break;
	case BN_OW_BROKER_INFO:
		ow_id(r, "brokerId", BN_OW_BROKER_ID, &c->u.broker.broker_id);
		c->u.broker.broker_url = ow_str(r, "brokerURL");
		ow_raw_array(r, "peerBrokerInfos", &c->u.broker.peers);
		c->u.broker.broker_name = ow_str(r, "brokerName");
		c->u.broker.slave = ow_bool(r, "slaveBroker");
		c->u.broker.master = ow_bool(r, "masterBroker");
		c->u.broker.fault_tolerant = ow_bool(r, "faultTolerant");
		c->u.broker.duplex = ow_bool(r, "duplexConnection");
		c->u.broker.network = ow_bool(r, "networkConnection");
		c->u.broker.connection_id = ow_i64(r, "connectionId");
		c->u.broker.upload_url = ow_str(r, "brokerUploadUrl");
		c->u.broker.network_props = ow_str(r, "networkProperties");
		break;
	case BN_OW_CONNECTION_INFO:
		ow_id(r, "connectionId", BN_OW_CONNECTION_ID,
		    &c->u.conn.connection_id);
		c->u.conn.client_id = ow_str(r, "clientId");
		c->u.conn.password = ow_str(r, "password");
		c->u.conn.user_name = ow_str(r, "userName");
		ow_idarray(r, "brokerPath", BN_OW_BROKER_ID,
		    &c->u.conn.broker_path);
		c->u.conn.broker_master_connector =
		    ow_bool(r, "brokerMasterConnector");
		c->u.conn.manageable = ow_bool(r, "manageable");
		c->u.conn.client_master = ow_bool(r, "clientMaster");
		c->u.conn.fault_tolerant = ow_bool(r, "faultTolerant");
		c->u.conn.failover_reconnect = ow_bool(r, "failoverReconnect");
		c->u.conn.client_ip = ow_str(r, "clientIp");
		break;
	case BN_OW_SESSION_INFO:
		ow_id(r, "sessionId", BN_OW_SESSION_ID, &c->u.session_id);
		break;
	case BN_OW_PRODUCER_INFO:
		ow_id(r, "producerId", BN_OW_PRODUCER_ID,
		    &c->u.producer.producer_id);
		ow_dest(r, "destination", &c->u.producer.destination);
		ow_idarray(r, "brokerPath", BN_OW_BROKER_ID,
		    &c->u.producer.broker_path);
		c->u.producer.dispatch_async = ow_bool(r, "dispatchAsync");
		c->u.producer.window_size = ow_i32(r, "windowSize");
		break;
	case BN_OW_CONSUMER_INFO: {
		struct bn_ow_consumer_info *ci = &c->u.consumer;

		ow_id(r, "consumerId", BN_OW_CONSUMER_ID, &ci->consumer_id);
		ci->browser = ow_bool(r, "browser");
		ow_dest(r, "destination", &ci->destination);
		ci->prefetch = ow_i32(r, "prefetchSize");
		ci->max_pending = ow_i32(r, "maximumPendingMessageLimit");
		ci->dispatch_async = ow_bool(r, "dispatchAsync");
		ci->selector = ow_str(r, "selector");
		ci->client_id = ow_str(r, "clientId");
		ci->subscription_name = ow_str(r, "subscriptionName");
		ci->no_local = ow_bool(r, "noLocal");
		ci->exclusive = ow_bool(r, "exclusive");
		ci->retroactive = ow_bool(r, "retroactive");
		ci->priority = ow_u8(r, "priority");
		ow_idarray(r, "brokerPath", BN_OW_BROKER_ID, &ci->broker_path);
		ow_raw(r, "additionalPredicate", &ci->additional_predicate);
		ci->network_subscription = ow_bool(r, "networkSubscription");
		ci->optimized_ack = ow_bool(r, "optimizedAcknowledge");
		ci->no_range_acks = ow_bool(r, "noRangeAcks");
		ow_idarray(r, "networkConsumerPath", BN_OW_CONSUMER_ID,
		    &ci->network_consumer_path);
		break;
	}
	case BN_OW_TRANSACTION_INFO:
		ow_id(r, "connectionId", BN_OW_CONNECTION_ID,
		    &c->u.tx.connection_id);
		ow_txid(r, "transactionId", &c->u.tx.transaction_id);
		c->u.tx.tx_type = ow_u8(r, "type");
		break;
	case BN_OW_DESTINATION_INFO:
		ow_id(r, "connectionId", BN_OW_CONNECTION_ID,
		    &c->u.dest.connection_id);
		ow_dest(r, "destination", &c->u.dest.destination);
		c->u.dest.operation = ow_u8(r, "operationType");
		c->u.dest.timeout = ow_i64(r, "timeout");
		ow_idarray(r, "brokerPath", BN_OW_BROKER_ID,
		    &c->u.dest.broker_path);
		break;
	case BN_OW_KEEP_ALIVE_INFO:
	case BN_OW_SHUTDOWN_INFO:
		break;
	case BN_OW_REMOVE_INFO:
		ow_id(r, "objectId", 0, &c->u.remove.object_id);
		c->u.remove.last_delivered_seq =
		    ow_i64(r, "lastDeliveredSequenceId");
		break;
	case BN_OW_REMOVE_SUBSCRIPTION_INFO:
		ow_id(r, "connectionId", BN_OW_CONNECTION_ID,
		    &c->u.remove_sub.connection_id);
		c->u.remove_sub.subscription_name =
		    ow_str(r, "subcriptionName");
		c->u.remove_sub.client_id = ow_str(r, "clientId");
		break;
	case BN_OW_CONNECTION_ERROR:
		ow_error(r, "exception", &c->u.conn_error.error, 0);
		ow_id(r, "connectionId", BN_OW_CONNECTION_ID,
		    &c->u.conn_error.connection_id);
		break;
	case BN_OW_CONSUMER_CONTROL:
		ow_dest(r, "destination", &c->u.control.destination);
		c->u.control.close = ow_bool(r, "close");
		ow_id(r, "consumerId", BN_OW_CONSUMER_ID,
		    &c->u.control.consumer_id);
		c->u.control.prefetch = ow_i32(r, "prefetch");
		c->u.control.flush = ow_bool(r, "flush");
		c->u.control.start = ow_bool(r, "start");
		c->u.control.stop = ow_bool(r, "stop");
		break;
	case BN_OW_CONTROL_COMMAND:
		c->u.control_command = ow_str(r, "command");
		break;
	case BN_OW_CONNECTION_CONTROL: {
		struct bn_ow_connection_control *cc = &c->u.cc;

		cc->close = ow_bool(r, "close");
		cc->exit = ow_bool(r, "exit");
		cc->fault_tolerant = ow_bool(r, "faultTolerant");
		cc->resume = ow_bool(r, "resume");
		cc->suspend = ow_bool(r, "suspend");
		cc->connected_brokers = ow_str(r, "connectedBrokers");
		cc->reconnect_to = ow_str(r, "reconnectTo");
		cc->rebalance = ow_bool(r, "rebalanceConnection");
		cc->token = ow_bytes(r, "token");
		break;
	}
	case BN_OW_PRODUCER_ACK:
		ow_id(r, "producerId", BN_OW_PRODUCER_ID,
		    &c->u.producer_ack.producer_id);
		c->u.producer_ack.size = ow_i32(r, "size");
		break;
	case BN_OW_MESSAGE_PULL:
		ow_id(r, "consumerId", BN_OW_CONSUMER_ID,
		    &c->u.pull.consumer_id);
		ow_dest(r, "destination", &c->u.pull.destination);
		c->u.pull.timeout = ow_i64(r, "timeout");
		c->u.pull.correlation_id = ow_str(r, "correlationId");
		ow_msgid(r, "messageId", &c->u.pull.message_id);
		break;
	case BN_OW_MESSAGE_DISPATCH: {
		struct bn_ow_dispatch *d = &c->u.dispatch;
		uint8_t		 mt;
		const char	*saved = r->cmd;

		ow_id(r, "consumerId", BN_OW_CONSUMER_ID, &d->consumer_id);
		ow_dest(r, "destination", &d->destination);
		mt = ow_nested(r, "message");
		if (mt != 0 && !r->failed) {
			if (!ow_is_message(mt)) {
				ow_fail(r, "message", "type %u (%s) is not a "
				    "supported message", mt,
				    bn_ow_type_name(mt));
				break;
			}
			d->has_message = true;
			d->message.type = mt;
			r->cmd = bn_ow_type_name(mt);
			d->message.command_id = ow_i32(r, "commandId");
			d->message.response_required =
			    ow_bool(r, "responseRequired");
			ow_rd_message(r, &d->message);
			r->cmd = saved;
		}
		d->redelivery_counter = ow_i32(r, "redeliveryCounter");
		break;
	}
	case BN_OW_MESSAGE_ACK: {
		struct bn_ow_ack *a = &c->u.ack;

		ow_dest(r, "destination", &a->destination);
		ow_txid(r, "transactionId", &a->transaction_id);
		ow_id(r, "consumerId", BN_OW_CONSUMER_ID, &a->consumer_id);
		a->ack_type = ow_u8(r, "ackType");
		ow_msgid(r, "firstMessageId", &a->first_message_id);
		ow_msgid(r, "lastMessageId", &a->last_message_id);
		a->message_count = ow_i32(r, "messageCount");
		ow_error(r, "poisonCause", &a->poison_cause, 0);
		break;
	}
	case BN_OW_MESSAGE:
	case BN_OW_BYTES_MESSAGE:
	case BN_OW_MAP_MESSAGE:
	case BN_OW_OBJECT_MESSAGE:
	case BN_OW_STREAM_MESSAGE:
	case BN_OW_TEXT_MESSAGE:
		c->u.msg.type = type;
		c->u.msg.command_id = c->command_id;
		c->u.msg.response_required = c->response_required;
		ow_rd_message(r, &c->u.msg);
		break;
	case BN_OW_RESPONSE:
		c->u.resp.correlation_id = ow_i32(r, "correlationId");
		break;
	case BN_OW_EXCEPTION_RESPONSE:
		c->u.resp.correlation_id = ow_i32(r, "correlationId");
		ow_error(r, "exception", &c->u.resp.exception, 0);
		break;
	/* Data structures met only nested (kept raw by the caller). */
	case BN_OW_NETWORK_BRIDGE_FILTER:
		ow_id(r, "networkBrokerId", BN_OW_BROKER_ID, &scratch_id);
		(void)ow_i32(r, "messageTTL");
		(void)ow_i32(r, "consumerTTL");
		break;
	case BN_OW_QUEUE:
	case BN_OW_TOPIC:
	case BN_OW_TEMP_QUEUE:
	case BN_OW_TEMP_TOPIC:
		(void)ow_str(r, "physicalName");
		break;
	case BN_OW_MESSAGE_ID:
		(void)ow_str(r, "textView");
		ow_id(r, "producerId", BN_OW_PRODUCER_ID, &scratch_mid.producer);
		(void)ow_i64(r, "producerSequenceId");
		(void)ow_i64(r, "brokerSequenceId");
		break;
	case BN_OW_LOCAL_TRANSACTION_ID:
		scratch_tx.value = ow_i64(r, "value");
		ow_id(r, "connectionId", BN_OW_CONNECTION_ID,
		    &scratch_tx.connection);
		break;
	case BN_OW_CONNECTION_ID:
	case BN_OW_SESSION_ID:
	case BN_OW_CONSUMER_ID:
	case BN_OW_PRODUCER_ID:
	case BN_OW_BROKER_ID:
		ow_id_body(r, "value", type, &scratch_id);
		break;
	default:
		r->cmd = r->depth > 0 ? parent : "frame";
		ow_fail(r, "type", "data type %u (%s) is not supported",
		    type, bn_ow_type_name(type));
	}
}

/* Decodes one whole frame body (type byte onwards) of exactly len bytes. */
static enum bn_parse_result
ow_decode_body(const uint8_t *p, size_t len, const struct bn_ow_format *fmt,
    struct bn_ow_cmd *cmd, char *err, size_t errlen)
{
	struct ow_rd	r = { p, p + len, fmt, "frame", err, errlen, 0, false };
	uint8_t		type;

	type = ow_u8(&r, "type");
	if (r.failed)
		return BN_PARSE_ERROR;
	if (type == BN_OW_NULL) {
		memset(cmd, 0, sizeof(*cmd));
		if (len != 1)
			ow_fail(&r, "type", "null command with %zu more bytes",
			    len - 1);
		return r.failed ? BN_PARSE_ERROR : BN_PARSE_OK;
	}
	if (type != BN_OW_WIREFORMAT_INFO && !ow_is_command(type)) {
		ow_fail(&r, "type", "data type %u (%s) is not a command", type,
		    bn_ow_type_name(type));
		return BN_PARSE_ERROR;
	}
	ow_rd_cmd(&r, type, cmd);
	if (!r.failed && r.p != r.end)
		ow_fail(&r, "end", "%zu bytes left over after the last field",
		    (size_t)(r.end - r.p));
	return r.failed ? BN_PARSE_ERROR : BN_PARSE_OK;
}

enum bn_parse_result
bn_ow_decode(const uint8_t *p, size_t len, const struct bn_ow_format *fmt,
    struct bn_ow_cmd *cmd, size_t *used, char *err, size_t errlen)
{
	uint32_t	size;

	*used = 0;
	if (fmt->tight || fmt->cache || fmt->size_prefix_disabled) {
		snprintf(err, errlen, "frame: only loose encoding without "
		    "cache and with a size prefix is supported");
		return BN_PARSE_ERROR;
	}
	if (len < 4)
		return BN_PARSE_NEED_MORE;
	size = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	if (size == 0 || size > 0x7fffffffu || size > fmt->max_frame) {
		snprintf(err, errlen, "frame: size %u is outside 1..%llu",
		    size, (unsigned long long)fmt->max_frame);
		return BN_PARSE_ERROR;
	}
	if (len - 4 < size) {
		*used = (size_t)size + 4;
		return BN_PARSE_NEED_MORE;
	}
	if (ow_decode_body(p + 4, size, fmt, cmd, err, errlen) != BN_PARSE_OK)
		return BN_PARSE_ERROR;
	*used = (size_t)size + 4;
	return BN_PARSE_OK;
}

int
bn_ow_decode_nested(const struct bn_ow_raw *x, const struct bn_ow_format *fmt,
    struct bn_ow_cmd *cmd, char *err, size_t errlen)
{
	struct ow_rd	r = { x->raw.p, x->raw.p + x->raw.len, fmt, "nested",
			    err, errlen, 1, false };

	if (x->type == 0 || x->raw.p == NULL) {
		snprintf(err, errlen, "nested: null object");
		return -1;
	}
	ow_rd_cmd(&r, x->type, cmd);
	if (!r.failed && r.p != r.end)
		ow_fail(&r, "end", "%zu bytes left over",
		    (size_t)(r.end - r.p));
	return r.failed ? -1 : 0;
}
