/*
 * What a STOMP session sends (stompsend.c): the one writer of the
 * session's bytes, and the FIFO of receipt-tracked frames with its
 * counters (npending: sent, awaiting a receipt; nqueued: RETRY frames not
 * sent on this session). RETRY frames are queued while there is no
 * session, failed after failover's timeout, re-sent on the next session or
 * reported in doubt. stomp.c calls these; they call nothing of stomp.c
 * (only the owner's receipt and doubt callbacks).
 */
#ifndef BN_STOMPSEND_H
#define BN_STOMPSEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/stomp.h"

struct bn_frame;
struct bn_stomp;
struct stomp_pending;

/* Writes bytes on the session (nothing when there is no connection). */
void	 bn_stompsend_write(struct bn_stomp *, const char *wire, size_t len);
/* Serialises f into s->scratch and writes it. */
void	 bn_stompsend_frame(struct bn_stomp *, const struct bn_frame *);
/* s->scratch = the wire form of f with receipt rid. */
void	 bn_stompsend_with_receipt(struct bn_stomp *, const struct bn_frame *,
	    uint64_t rid);
/* Whether a frame with these flags and cb may be sent or queued now. */
bool	 bn_stompsend_may_queue(const struct bn_stomp *, int flags,
	    bn_stomp_receipt_cb);
/* Writes (session up) or queues the bytes in s->scratch under receipt
 * rid; cb is called once with the outcome. Returns 0. */
int	 bn_stompsend_track(struct bn_stomp *, uint64_t rid, int flags,
	    bn_stomp_receipt_cb, void *ctx);
/* The session was lost: fails every pending frame (all), or only those
 * without RETRY (the sent RETRY ones become in doubt). */
void	 bn_stompsend_fail(struct bn_stomp *, bool all);
/* Starts failover's timeout for queued frames, unless running or off. */
void	 bn_stompsend_arm_fo_timer(struct bn_stomp *);
/* New session: sends every RETRY frame not yet sent on it, in order. */
void	 bn_stompsend_replay(struct bn_stomp *);
/* Hands the owner every in-doubt frame, then the end marker. */
void	 bn_stompsend_report_doubt(struct bn_stomp *);
/* bn_stomp_resolve (stomp.h). */
void	 bn_stompsend_resolve(struct bn_stomp *, void *ctx, bool stored);
/* The sent frame awaiting receipt "rN", or NULL. */
struct stomp_pending *bn_stompsend_find(struct bn_stomp *, const char *rid);
/* Its receipt (ok) or ERROR (err) came: calls its callback, frees it. */
void	 bn_stompsend_complete(struct bn_stomp *, struct stomp_pending *,
	    bool ok, const struct bn_frame *err);
/* Calls the owner's writable callback if it was armed (bn_stomp_can_send)
 * and the receipt window and output buffer have room again. */
void	 bn_stompsend_maybe_writable(struct bn_stomp *);
/* Writes ACK or NACK (cmd) of ack_id, in transaction tx unless NULL;
 * -1 when the session is not up or ack_id is NULL. */
int	 bn_stompsend_ack(struct bn_stomp *, const char *cmd,
	    const char *ack_id, const char *tx);
/* Writes BEGIN or COMMIT (cmd) of tx; -1 when the session is not up. */
int	 bn_stompsend_tx(struct bn_stomp *, const char *cmd, const char *tx);

#endif /* BN_STOMPSEND_H */
