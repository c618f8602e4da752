/*
 * The peer's stored-acks (fwdack.c): what an ACK frame from a link does to
 * the messages forwarded over it. Called by the router; calls forward.c.
 */
#ifndef BN_FWDACK_H
#define BN_FWDACK_H

struct bn_link;

/*
 * ids: "7,9-12" (seqs and ranges, each in flight on l). Marks them stored
 * and acks on our broker what that settles. Returns -1 (l closed, with the
 * reason) for ids that are not that.
 */
int	 bn_fwd_on_link_ack(struct bn_link *, const char *ids);

#endif /* BN_FWDACK_H */
