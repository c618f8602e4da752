/*
 * Forwarding (forward.c): the network subscriptions on our broker that
 * feed each link (struct bn_fwd_sub, one per link and queue or static
 * pattern), the messages sent over a link awaiting the peer's stored-ack
 * (struct bn_inflight), and the broker acks once the peer stored them.
 */
#ifndef BN_FORWARD_H
#define BN_FORWARD_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/util.h"

struct bn_daemon;
struct bn_frame;
struct bn_link;
struct bn_pace_tx;

/* A message sent over a link, waiting for the peer's stored-ack. */
struct bn_inflight {
	TAILQ_ENTRY(bn_inflight) entry;		/* the link's, by seq */
	TAILQ_ENTRY(bn_inflight) sub_entry;	/* the subscription's */
	uint64_t		 seq;
	struct bn_fwd_sub	*sub;
	uint64_t		 broker_gen;	/* broker session it came on */
	bool			 acked;		/* the peer stored it */
	/* an unfaithful one's copy awaits its receipt (never on the link:
	 * seq UINT64_MAX); with sub NULL, fwd_copied frees it */
	bool			 copying;
	/* NACKed (the broker dead-letters it): no ACK may name it */
	bool			 nacked;
	char			 ack_id[];	/* the broker's ack header */
};
TAILQ_HEAD(bn_inflightq, bn_inflight);

/* One network subscription on the local broker, feeding one link. */
struct bn_fwd_sub {
	TAILQ_ENTRY(bn_fwd_sub)	 entry;		/* in the link's list */
	struct bn_link		*link;
	char			*dest;		/* queue or static pattern */
	bool			 is_static;
	bool			 is_replay;	/* stranded messages only */
	bool			 unfaithful_logged;
	char			 id[24];	/* STOMP subscription id */
	uint32_t		 hops;		/* demand hops (0: static) */
	int			 priority;
	bool			 subscribed;	/* on the current session */
	bool			 draining;	/* demand gone: finish, drop */
	uint64_t		 inflight;
	uint64_t		 forwarded;
	uint64_t		 held;		/* not forwarded while draining */
	struct bn_inflightq	 pending;	/* in dispatch order */
	struct bn_buf		 ack_last;	/* cumulative ACK to send */
	SLIST_ENTRY(bn_fwd_sub)	 touched_entry;	/* in one ACK frame's list */
	bool			 ack_touched;	/* ... and on that list */
	struct bn_pace_tx	*pace;		/* the link's, for dest */
	/* dispatched, waiting for credit (pace.h), in dispatch order */
	struct bn_frame		**hold;
	size_t			 nhold, hold_head, hold_cap;
	uint64_t		 hold_ms;	/* since (monotonic) */
};
TAILQ_HEAD(bn_fwd_subq, bn_fwd_sub);

/* Creates, keeps or drains the subscription of link for q. */
void	 bn_fwd_sync(struct bn_link *, const char *q);
/* Static includes of the link (at link up / broker reconnect). */
void	 bn_fwd_sync_static(struct bn_link *);
/* Re-creates every subscription after a broker reconnect. */
void	 bn_fwd_resubscribe_all(struct bn_daemon *);
/* Marks every subscription unsubscribed (broker session lost). */
void	 bn_fwd_broker_lost(struct bn_daemon *);
/* A MESSAGE from the broker for a network subscription. */
void	 bn_fwd_on_broker_message(struct bn_daemon *, struct bn_frame *);
/*
 * s's confirmed head (messages stored by the peer, or settled here) is
 * acked on our broker with one cumulative ACK; a draining s that has
 * nothing more in flight goes (and is made again if demand came back).
 * s may be freed. fwdack.c's, and forward.c's own.
 */
void	 bn_fwd_settled(struct bn_fwd_sub *);
/* Drops every subscription and in-flight entry of a closing link. */
void	 bn_fwd_link_closed(struct bn_link *);
/* Starts the periodic stranded-message check. */
void	 bn_fwd_start(struct bn_daemon *);
/* Stops taking new messages (graceful stop). */
void	 bn_fwd_quiesce(struct bn_daemon *);
uint64_t bn_fwd_total_inflight(struct bn_daemon *);
/* Sends broker message f of s over s's link; takes f. Also fwdpace.c's,
 * for what s held (fwdhold.h). */
void	 bn_fwd_send(struct bn_fwd_sub *, struct bn_frame *);
/* Pacing: s drains and drops; bn_fwd_sync makes it again when the credit
 * is back (pace.h). */
void	 bn_fwd_pause(struct bn_fwd_sub *);

#endif /* BN_FORWARD_H */
