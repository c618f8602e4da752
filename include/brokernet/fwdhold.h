/*
 * What a paced network subscription holds for credit (fwdhold.c): the
 * messages dispatched to it while the peer's consumers have no room
 * (pace.h), released as reports come, paused when held too long. Reports
 * and the pace timer come through bn_hold_pace_ops: pace.c does not call
 * this module by name.
 */
#ifndef BN_FWDHOLD_H
#define BN_FWDHOLD_H

struct bn_frame;
struct bn_fwd_sub;
struct bn_pace_ops;

void	 bn_hold_add(struct bn_fwd_sub *, struct bn_frame *);
/* Forgets the held messages (unacked: the broker gives them to others once
 * the subscription goes; it must not be wanted again, see fwd_want). */
void	 bn_hold_drop(struct bn_fwd_sub *);
/* Pacing's calls (pace.h): a report lets held messages go as far as the
 * credit allows and a paused (link, queue) resume; the pace timer pauses
 * what held too long. The daemon gives it to bn_pace_init. */
extern const struct bn_pace_ops bn_hold_pace_ops;

#endif /* BN_FWDHOLD_H */
