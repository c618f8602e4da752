/*
 * What a paced network subscription holds for credit (fwdhold.c): the
 * messages dispatched to it while the peer's consumers have no room
 * (pace.h), in dispatch order, until the credit lets them go. Below
 * forward.c, which holds and drops; it asks pace.c for the credit and
 * calls nothing of forward.c or fwdpace.c (which lets them go and pauses
 * what held too long).
 */
#ifndef BN_FWDHOLD_H
#define BN_FWDHOLD_H

struct bn_frame;
struct bn_fwd_sub;

/* Keeps f (dispatched to s, taken) until the credit lets it go. */
void	 bn_hold_add(struct bn_fwd_sub *, struct bn_frame *);
/* Forgets the held messages (unacked: the broker gives them to others once
 * the subscription goes; it must not be wanted again, see fwd_want). */
void	 bn_hold_drop(struct bn_fwd_sub *);
/* The first held message when it may go now (credit, link up, not
 * draining), out of the hold and the caller's; else NULL. */
struct bn_frame *bn_hold_next(struct bn_fwd_sub *);

#endif /* BN_FWDHOLD_H */
