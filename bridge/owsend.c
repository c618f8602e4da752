/*
 * The OpenWire broker session, SEND (see include/brokernet/owsess.h): a
 * SEND frame to a message. A whole message (header brokernet-native) is
 * sent as it came, with the frame's destination and brokernet_*
 * properties (and, when asked, a new message id or an original
 * destination); a plain one becomes a Bytes or Text message (amq-msg-type)
 * whose properties are the frame's other headers, as ActiveMQ's STOMP
 * transport makes them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/openwire.h"
#include "brokernet/owsess.h"
#include "brokernet/owstate.h"
#include "brokernet/util.h"

/* Headers that are not properties of a message sent over STOMP. */
static bool
ow_is_stomp_header(const char *n)
{
	static const char *const h[] = {
		"destination", "transaction", "receipt", "content-length",
		"content-type", "persistent", "priority", "expires",
		"correlation-id", "reply-to", "type", "amq-msg-type",
		"message-id", "timestamp", "subscription", "ack", "redelivered",
		BN_OWSESS_NATIVE_HDR,
	};
	size_t	i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (strcmp(n, h[i]) == 0)
			return true;
	return false;
}

/*
 * The property map of a SEND: for a whole message (orig set) its own
 * entries but brokernet_*, then the frame's brokernet_* headers; for a
 * plain one every header that is no STOMP header, as a string.
 */
static int
ow_props(struct bn_owsess *o, const struct bn_frame *f,
    const struct bn_ow_bytes *orig, struct bn_buf *b, char *err,
    size_t errlen)
{
	struct bn_ow_map_iter	 it;
	struct bn_ow_str	 name;
	struct bn_ow_prim	 v;
	struct bn_ow_bytes	 raw;
	uint32_t		 n = 0;
	size_t			 at, i;
	int			 rc;

	bn_buf_reset(b);
	at = bn_ow_map_begin(b);
	if (orig != NULL && orig->p != NULL) {
		if (bn_ow_map_open(&it, orig->p, orig->len, err, errlen) == -1)
			return -1;
		while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
		    errlen)) == 1) {
			if (name.len >= 10 && memcmp(name.p, "brokernet_",
			    10) == 0)
				continue;
			bn_ow_map_put_raw(b, &raw);
			n++;
		}
		if (rc == -1)
			return -1;
	}
	for (i = 0; i < f->nheaders; i++) {
		const char	*hn = f->headers[i].name;
		const char	*hv = f->headers[i].value;

		if (orig != NULL ? strncmp(hn, "brokernet_", 10) != 0 :
		    ow_is_stomp_header(hn))
			continue;
		if (bn_frame_get(f, hn) != hv)
			continue;	/* a repeated header: the first counts */
		bn_buf_reset(&o->scratch3);
		bn_ow_utf8_to_java((const uint8_t *)hv, strlen(hv),
		    &o->scratch3);
		bn_buf_reset(&o->scratch4);
		bn_ow_utf8_to_java((const uint8_t *)hn, strlen(hn),
		    &o->scratch4);
		v = bn_ow_prim_str(o->scratch3.data, o->scratch3.len);
		if (bn_ow_map_put(b, o->scratch4.data, o->scratch4.len,
		    &v) == -1) {
			snprintf(err, errlen, "property %s: name too long", hn);
			return -1;
		}
		n++;
	}
	bn_ow_map_end(b, at, n);
	return 0;
}

/* Whether the message is back on a broker it was stored on before. */
static bool
ow_reentry(struct bn_owsess *o, const struct bn_frame *f)
{
	const char	*path = bn_frame_get(f, "brokernet_path");
	size_t		 n;
	const char	*p;

	if (o->self == NULL || o->self[0] == '\0' || path == NULL)
		return false;
	n = strlen(o->self);
	for (p = path; (p = strstr(p, o->self)) != NULL; p += n)
		if (p > path && p[-1] == ',' && p[n] == ',')
			return true;
	return false;
}

int
bn_owsess_send(struct bn_owsess *o, const struct bn_frame *f,
    const char *receipt, struct bn_buf *out, char *err, size_t errlen)
{
	struct bn_ow_cmd	 c, orig;
	struct bn_ow_message	*m = &c.u.msg;
	struct bn_ow_dest	 d;
	const char		*native = bn_frame_get(f, BN_OWSESS_NATIVE_HDR);
	const char		*v;
	uint64_t		 n;
	int64_t			 i64;
	size_t			 used;
	bool			 text;

	if (bn_owsess_dest(o, bn_frame_get(f, "destination"), &d, out) == -1) {
		snprintf(err, errlen, "SEND: no destination this session can "
		    "name");
		return -1;
	}
	memset(&c, 0, sizeof(c));
	if (native != NULL) {
		if (strcmp(native, BN_OWSESS_NATIVE) != 0) {
			snprintf(err, errlen, "SEND: body in form %s, not %s",
			    native, BN_OWSESS_NATIVE);
			return -1;
		}
		if (bn_ow_decode((const uint8_t *)f->body, f->body_len,
		    &o->mine, &orig, &used, err, errlen) != BN_PARSE_OK ||
		    used != f->body_len || orig.type < BN_OW_MESSAGE ||
		    orig.type > BN_OW_TEXT_MESSAGE) {
			if (err[0] == '\0')
				snprintf(err, errlen, "SEND: the body is not "
				    "one whole OpenWire message");
			return -1;
		}
		c = orig;
		if (ow_props(o, f, &orig.u.msg.properties, &o->scratch, err,
		    errlen) == -1)
			return -1;
		memset(&m->target_consumer_id, 0, sizeof(m->target_consumer_id));
		memset(&m->broker_path, 0, sizeof(m->broker_path));
		memset(&m->cluster, 0, sizeof(m->cluster));
		memset(&m->original_transaction_id, 0,
		    sizeof(m->original_transaction_id));
		m->redelivery_counter = 0;
		m->arrival = 0;
		m->broker_in_time = m->broker_out_time = 0;
		if ((v = bn_frame_get(f, "original-destination")) != NULL &&
		    bn_owsess_dest(o, v, &m->original_destination, out) == -1) {
			snprintf(err, errlen, "SEND: original-destination %s "
			    "is no destination", v);
			return -1;
		}
		if (ow_reentry(o, f) || bn_owsess_hdr_true(f,
		    BN_OWSESS_NEW_ID_HDR)) {
			memset(&m->message_id, 0, sizeof(m->message_id));
			m->message_id.set = true;
			m->message_id.producer = (struct bn_ow_id){
			    BN_OW_PRODUCER_ID, bn_owsess_str(o->conn_id), 1, 1 };
			m->message_id.producer_seq = ++o->next_seq;
		}
	} else {
		c.type = BN_OW_BYTES_MESSAGE;
		text = (v = bn_frame_get(f, "amq-msg-type")) != NULL &&
		    strcmp(v, "text") == 0;
		bn_buf_reset(&o->scratch2);
		if (text) {
			uint8_t	len[4];

			len[0] = (uint8_t)(f->body_len >> 24);
			len[1] = (uint8_t)(f->body_len >> 16);
			len[2] = (uint8_t)(f->body_len >> 8);
			len[3] = (uint8_t)f->body_len;
			c.type = BN_OW_TEXT_MESSAGE;
			bn_buf_add(&o->scratch2, len, 4);
			bn_ow_utf8_to_java((const uint8_t *)f->body,
			    f->body_len, &o->scratch2);
			/* the length is the Java form's */
			n = o->scratch2.len - 4;
			o->scratch2.data[0] = (char)(n >> 24);
			o->scratch2.data[1] = (char)(n >> 16);
			o->scratch2.data[2] = (char)(n >> 8);
			o->scratch2.data[3] = (char)n;
		} else
			bn_buf_add(&o->scratch2, f->body, f->body_len);
		m->content.p = (const uint8_t *)o->scratch2.data;
		m->content.len = o->scratch2.len;
		m->persistent = bn_owsess_hdr_true(f, "persistent");
		m->priority = 4;
		if ((v = bn_frame_get(f, "priority")) != NULL &&
		    bn_strtou64(v, 9, &n) == 0)
			m->priority = (uint8_t)n;
		if ((v = bn_frame_get(f, "expires")) != NULL &&
		    bn_strtoi64(v, 0, INT64_MAX, &i64) == 0)
			m->expiration = i64;
		m->correlation_id = bn_owsess_str(bn_frame_get(f, "correlation-id"));
		m->jms_type = bn_owsess_str(bn_frame_get(f, "type"));
		(void)bn_owsess_dest(o, bn_frame_get(f, "reply-to"), &m->reply_to,
		    out);
		m->timestamp = (int64_t)bn_wall_ms();
		m->message_id.set = true;
		m->message_id.producer = (struct bn_ow_id){ BN_OW_PRODUCER_ID,
		    bn_owsess_str(o->conn_id), 1, 1 };
		m->message_id.producer_seq = ++o->next_seq;
		if (ow_props(o, f, NULL, &o->scratch, err, errlen) == -1)
			return -1;
	}
	m->properties.p = (const uint8_t *)o->scratch.data;
	m->properties.len = o->scratch.len;
	m->producer_id = (struct bn_ow_id){ BN_OW_PRODUCER_ID,
	    bn_owsess_str(o->conn_id), 1, 1 };
	m->destination = d;
	if (bn_owsess_frame_tx(o, f, &m->transaction_id, err, errlen) == -1)
		return -1;
	return bn_owsess_emit(o, &c, receipt, out, err, errlen);
}
