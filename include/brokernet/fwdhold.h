/*
 * What a paced network subscription holds for credit (fwdhold.c): the
 * messages dispatched to it while the peer's consumers have no room
 * (pace.h), released as reports come, paused when held too long.
 */
#ifndef BN_FWDHOLD_H
#define BN_FWDHOLD_H

#include <stdbool.h>

struct bn_daemon;
struct bn_frame;
struct bn_fwd_sub;
struct bn_link;

void	 bn_hold_add(struct bn_fwd_sub *, struct bn_frame *);
/* Forgets the held messages (unacked: the broker gives them to others once
 * the subscription goes; it must not be wanted again, see fwd_want). */
void	 bn_hold_drop(struct bn_fwd_sub *);
/* A report for q came: held messages go on as far as the credit allows;
 * a paused (link, q) resumes when it may. */
void	 bn_hold_release(struct bn_link *, const char *q);
/* Pauses what held too long, resumes what may; true while any holds or
 * waits. */
bool	 bn_hold_tick(struct bn_daemon *);

#endif /* BN_FWDHOLD_H */
