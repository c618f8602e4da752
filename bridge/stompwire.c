/*
 * STOMP frames in wire form, built without a struct bn_frame where that is
 * the hot path (ACK, BEGIN, COMMIT) or where a header goes into bytes
 * already serialised (the receipt of a queued frame), and the CONNECT
 * frame and CONNECTED's heart-beat header. Pure: no I/O.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/owsess.h"
#include "brokernet/stompwire.h"
#include "brokernet/util.h"

/* out = one frame's wire form with "receipt:rN" after the command. */
void
bn_stompwire_add_receipt(struct bn_buf *out, const char *wire, size_t len,
    uint64_t rid)
{
	const char	*nl;
	size_t		 cmdlen;

	nl = memchr(wire, '\n', len);
	cmdlen = (size_t)(nl - wire) + 1;
	bn_buf_reset(out);
	bn_buf_reserve(out, len + 32);
	bn_buf_add(out, wire, cmdlen);
	bn_buf_printf(out, "receipt:r%llu\n", (unsigned long long)rid);
	bn_buf_add(out, wire + cmdlen, len - cmdlen);
}

/* out = ACK or NACK (cmd) of ack_id, in transaction tx unless NULL. */
void
bn_stompwire_ack(struct bn_buf *out, const char *cmd, const char *ack_id,
    const char *tx)
{
	/* Hot path: build the wire form directly. */
	bn_buf_reset(out);
	bn_frame_wire_command(out, cmd);
	bn_frame_wire_header(out, "id", ack_id);
	if (tx != NULL)
		bn_frame_wire_header(out, "transaction", tx);
	bn_frame_wire_end(out, NULL, 0);
}

/* out = BEGIN or COMMIT (cmd) of transaction tx. */
void
bn_stompwire_tx(struct bn_buf *out, const char *cmd, const char *tx)
{
	bn_buf_reset(out);
	bn_frame_wire_command(out, cmd);
	bn_frame_wire_header(out, "transaction", tx);
	bn_frame_wire_end(out, NULL, 0);
}

struct bn_frame *
bn_stompwire_connect(const char *vhost, const char *login,
    const char *passcode, const char *client_id, uint64_t hb_ms)
{
	struct bn_frame	*f;
	char		 hb[64];

	f = bn_frame_new("CONNECT");
	bn_frame_add_header(f, "accept-version", "1.2");
	bn_frame_add_header(f, "host", vhost);
	if (login != NULL)
		bn_frame_add_header(f, "login", login);
	if (passcode != NULL)
		bn_frame_add_header(f, "passcode", passcode);
	if (client_id != NULL)
		bn_frame_add_header(f, "client-id", client_id);
	snprintf(hb, sizeof(hb), "%llu,%llu", (unsigned long long)hb_ms,
	    (unsigned long long)hb_ms);
	bn_frame_add_header(f, "heart-beat", hb);
	return f;
}

void
bn_stompwire_heartbeat(const char *hb, uint64_t *sx, uint64_t *sy)
{
	*sx = *sy = 0;
	if (hb != NULL) {
		const char	*comma = strchr(hb, ',');

		if (comma == NULL ||
		    bn_strntou64(hb, (size_t)(comma - hb), UINT32_MAX,
		    sx) == -1 || bn_strtou64(comma + 1, UINT32_MAX, sy) == -1)
			*sx = *sy = 0;
	}
}

void
bn_stompwire_hb_agree(uint64_t ours, uint64_t sx, uint64_t sy,
    bool openwire, uint64_t *send, uint64_t *grace)
{
	*send = (ours && sy) ? (openwire || ours < sy ? sy : ours) : 0;
	*grace = (ours && sx) ? (ours > sx ? ours : sx) * 2 + 1000 : 0;
}

/*
 * ActiveMQ's STOMP transport writes a TextMessage without content-length
 * and a BytesMessage with it; "amq-msg-type:text" keeps a text a text when
 * the message is sent on (a SEND always has content-length, which would
 * make a BytesMessage). The headers that only the OpenWire session sets
 * (owsess.h) can come from a STOMP broker only as a client's own headers:
 * taken for the session's, they would make a message look whole or
 * unfaithful, so they are dropped. ActiveMQ writes a Map, Object, Stream
 * or plain Message as it writes an empty text: no body, no content-length
 * (LegacyFrameTranslator), so an empty one is flagged.
 */
void
bn_stompwire_message_in(struct bn_frame *f, bool flag_empty)
{
	bn_frame_del_header(f, BN_OWSESS_NATIVE_HDR);
	bn_frame_del_header(f, BN_OWSESS_UNFAITHFUL_HDR);
	if (bn_frame_get(f, "content-length") == NULL &&
	    bn_frame_get(f, "amq-msg-type") == NULL) {
		if (flag_empty && f->body_len == 0)
			bn_frame_add_header(f, BN_OWSESS_UNFAITHFUL_HDR,
			    BN_STOMPWIRE_EMPTY_WHY);
		bn_frame_add_header(f, "amq-msg-type", "text");
	}
}
