/*
 * How a forwarded message's headers travel on a link. Pure: no I/O.
 *
 * Long form (link version 1, every peer understands it): a MESSAGE frame
 * with seq, destination, the message's headers and brokernet_origin,
 * brokernet_origin_id, brokernet_path, brokernet_hops spelled out.
 *
 * Compact form (feature "compact", agreed in the handshake): command "M",
 * link-only one-letter header names, and what the receiver can derive is
 * left out:
 *   (seq)  not sent: the n-th M frame on a link has seq n
 *   d:Q    destination /queue/Q (D: a destination without that prefix)
 *   p:P    path before the sender; absent = ","; the receiver appends
 *          "SENDER," (the sender is always the path's last broker)
 *   o:O    origin; absent = the path's first broker
 *   h:N    hops; absent = the number of brokers on the path
 *   i:N:S  origin id = first N chars of the previous origin id on this
 *          link + S; absent = no origin id
 *   e r t P y c x R   expires priority timestamp persistent type
 *          content-type correlation-id reply-to
 *   ~NAME  a message header whose name is one character or starts with ~
 * Other message headers travel as they are. The receiver rebuilds the long
 * form, so the headers stored on its broker are exactly those of DESIGN.md.
 */
#ifndef BN_LINKHDR_H
#define BN_LINKHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bn_buf;
struct bn_frame;

/* One direction's compact-form memory (sender or receiver). */
struct bn_linkhdr_state {
	char		*last_oid;	/* previous origin id, or NULL */
	uint64_t	 next_seq;	/* receiver: seq of the next M frame */
};

/* The network's headers of a message on its way from self. */
struct bn_linkhdr_net {
	const char	*self;		/* the sender's broker name */
	const char	*origin;	/* brokernet_origin */
	const char	*origin_id;	/* brokernet_origin_id, or NULL */
	const char	*prev_path;	/* path before self, e.g. "," or ",A," */
	uint64_t	 hops;		/* brokernet_hops to write */
};

/* Starts a link message frame (st NULL: long form). */
void	bn_linkhdr_begin(struct bn_buf *, const struct bn_linkhdr_state *st,
	    uint64_t seq, const char *dest);
/* Appends one of the message's own headers. */
void	bn_linkhdr_add(struct bn_buf *, const struct bn_linkhdr_state *st,
	    const char *name, const char *value);
/* Appends the network's headers, content-length, body and the NUL. */
void	bn_linkhdr_end(struct bn_buf *, struct bn_linkhdr_state *st,
	    const struct bn_linkhdr_net *, const char *body, size_t len);

/*
 * Rebuilds the long-form MESSAGE frame of compact frame m received from
 * peer. Returns the new frame (caller frees; m is left to the caller), or
 * NULL with *err naming what is wrong with m.
 */
struct bn_frame	*bn_linkhdr_decode(struct bn_linkhdr_state *,
	    const struct bn_frame *m, const char *peer, const char **err);

/* Appends ids ("3,4,5,9") as ranges ("3-5,9"); ids stay as they are. */
void	bn_linkhdr_ack_ranges(const char *ids, size_t len, struct bn_buf *out);

/* Frees what the state holds and zeroes it. */
void	bn_linkhdr_state_clear(struct bn_linkhdr_state *);

#endif /* BN_LINKHDR_H */
