/*
 * Forwarding under pacing (fwdpace.c): what a peer's report and the pace
 * timer do to the network subscriptions that feed it. Held messages go on
 * as far as the credit allows, a subscription that held too long pauses,
 * a paused (link, queue) is made again when the credit is back. Above
 * forward.c and fwdhold.c, which it calls; pace.c calls it only through
 * the struct bn_pace_ops it is given at bn_pace_init.
 */
#ifndef BN_FWDPACE_H
#define BN_FWDPACE_H

struct bn_pace_ops;

/* Pacing's calls into forwarding; the daemon gives it to bn_pace_init. */
extern const struct bn_pace_ops bn_fwdpace_ops;

#endif /* BN_FWDPACE_H */
