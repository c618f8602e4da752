/*
 * The OpenWire broker session (bridge/owsess.c): what the broker-session
 * interface (stomp.h) sends and receives, spoken to ActiveMQ in OpenWire
 * instead of STOMP. Pure: no I/O, no libevent.
 *
 * The session interface is frame-shaped (SUBSCRIBE, SEND, ACK, BEGIN,
 * COMMIT, MESSAGE, RECEIPT, ERROR with their STOMP 1.2 headers); this
 * module translates those frames to OpenWire commands and the broker's
 * commands back to frames, so forward, receive, markers, the lock and
 * the advisories never see which protocol is in use:
 * - out: the bytes the session writes (one or more frames in wire form,
 *   or heart-beat EOLs) become commands: CONNECT the WireFormatInfo (the
 *   broker's answer brings ConnectionInfo, SessionInfo, ProducerInfo and,
 *   once ConnectionInfo is answered, a CONNECTED frame), SUBSCRIBE a
 *   ConsumerInfo, ACK a MessageAck (cumulative for ack:client, individual
 *   for client-individual, sent by us at once for ack:auto), BEGIN/
 *   COMMIT/ABORT a TransactionInfo, SEND a message, an EOL a KeepAliveInfo;
 *   a receipt header asks for a Response, which comes back as RECEIPT
 *   (an ExceptionResponse as ERROR with the receipt-id).
 * - in: a MessageDispatch becomes a MESSAGE. A subscription made with the
 *   header "brokernet-native:true" gets the message whole: the body is the
 *   marshalled OpenWire message (header "brokernet-native: openwire-12"),
 *   so class, body, typed properties and JMSMessageID travel untouched; a
 *   SEND carrying such a body sends that message, with the destination
 *   and brokernet_* properties of the frame. Other subscriptions get the
 *   body as a STOMP client would (Text, Bytes), properties as string
 *   headers, and an advisory's ConsumerInfo/RemoveInfo as the JSON that
 *   ActiveMQ's "jms-advisory-json" transformation gives (advisory.c).
 * - a message that such a plain MESSAGE would change (a MapMessage, a typed
 *   property, ...) carries the header "brokernet-unfaithful: REASON" and is
 *   counted; the session sends nothing for it on its own. A subscription
 *   made with "brokernet-unfaithful:whole" gets such a message whole
 *   instead (as a native one), so that its owner can send it on unchanged
 *   (forward.c: kept or dead-lettered, receipted before the ack). A SEND of
 *   a whole message may carry "original-destination: /queue/X" (set as
 *   ActiveMQ sets it on what it dead-letters) and "brokernet-new-id:true"
 *   (a new message id: the broker that stored it would take the old one
 *   for a duplicate).
 */
#ifndef BN_OWSESS_H
#define BN_OWSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/frame.h"

struct bn_buf;
struct bn_owsess;

/* The value of the "brokernet-native" header of a whole-message body. */
#define BN_OWSESS_NATIVE	"openwire-12"
#define BN_OWSESS_NATIVE_HDR	"brokernet-native"
/* MESSAGE: why the plain form would change it; SUBSCRIBE: "whole". */
#define BN_OWSESS_UNFAITHFUL_HDR "brokernet-unfaithful"
#define BN_OWSESS_WHOLE		"whole"
/* SEND of a whole message: "true" gives it a new message id. */
#define BN_OWSESS_NEW_ID_HDR	"brokernet-new-id"

/*
 * name: for log lines; self: this sidecar's broker name (a message whose
 * brokernet_path already holds it gets a new message id: it is back on a
 * broker whose store may remember the old one). Free with bn_owsess_free.
 */
struct bn_owsess *bn_owsess_new(const char *name, const char *self);
void		 bn_owsess_free(struct bn_owsess *);
/* A new connection: forgets consumers, transactions, receipts. */
void		 bn_owsess_reset(struct bn_owsess *);

/*
 * Translates wire[0..len) (frames in wire form, or EOLs) to OpenWire
 * commands appended to out. A frame that cannot be translated is logged;
 * when it asked for a receipt, an ERROR frame for it waits in
 * bn_owsess_local(). Returns the number of such frames waiting.
 */
size_t		 bn_owsess_out(struct bn_owsess *, const char *wire, size_t len,
		    struct bn_buf *out);
/* The next frame made here (an ERROR for an untranslatable frame), or
 * NULL; the caller frees it. */
struct bn_frame	*bn_owsess_local(struct bn_owsess *);

/*
 * Decodes one command from p[0..len). OK: *used bytes consumed, *frame a
 * frame for the session (or NULL), and commands to answer with (the
 * handshake, keep-alives, auto acks) appended to reply. NEED_MORE: feed
 * more (*used: the total needed when known, else 0). ERROR: err says why
 * (the session is lost).
 */
enum bn_parse_result bn_owsess_in(struct bn_owsess *, const uint8_t *p,
		    size_t len, size_t *used, struct bn_buf *reply,
		    struct bn_frame **frame, char *err, size_t errlen);

/* Messages this session could not pass on faithfully (counted). */
uint64_t	 bn_owsess_unfaithful(const struct bn_owsess *);

#endif /* BN_OWSESS_H */
