/*
 * What becomes of a message the broker session could not hand over
 * unchanged for a peer that stores plain messages (fwdunf.c; owsess.h,
 * "brokernet-unfaithful"): the copy that keeps it whole on its own broker,
 * in ActiveMQ.DLQ (unfaithful="deadLetter") or on its own queue (keep),
 * with the reason as its brokernet_unfaithful property. Pure: forward.c
 * sends the copy with a receipt and acks the original only once the broker
 * stored the copy; it calls nothing of forward.c.
 *
 * Over a stomp:// broker session the sidecar cannot see a message's class:
 * ActiveMQ's STOMP sends a Map, Object, Stream or plain Message with an
 * empty body and no content-length, as it sends an empty TextMessage. The
 * STOMP session flags such a MESSAGE (stompwire.h), and its "copy" is a
 * NACK: ActiveMQ then moves the original itself, whole, to ActiveMQ.DLQ.
 */
#ifndef BN_FWDUNF_H
#define BN_FWDUNF_H

#include <stdbool.h>

#include "brokernet/config.h"

struct bn_frame;

enum bn_unf_verdict {
	BN_UNF_COPY,	/* send *copy with a receipt, then ack the original */
	BN_UNF_SETTLE,	/* no copy to make: ack the original in its place */
	BN_UNF_REFUSE,	/* not whole (no copy can keep it): never ack it */
	BN_UNF_NACK	/* send *copy (a NACK) with a receipt; no ACK covers
			   the original, which the broker dead-letters */
};

/*
 * For msg, a MESSAGE with the brokernet-unfaithful header: with
 * BN_UNF_COPY *copy is the SEND to make, with BN_UNF_NACK the NACK (the
 * caller frees it); otherwise *copy is NULL. A topic's message is not
 * published again under keep: its local subscribers have their copies
 * already. stomp: the broker session is stomp:// (the message is not
 * whole; only a NACK keeps it, whatever mode says).
 */
enum bn_unf_verdict bn_unf_copy(const struct bn_frame *msg,
		    enum bn_unfaithful mode, bool stomp, struct bn_frame **copy);

/* What happened to such messages, for log lines: "dead-lettered", ... */
const char	*bn_unf_done(enum bn_unfaithful mode);

#endif /* BN_FWDUNF_H */
