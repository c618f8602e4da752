/*
 * The connectors that dial (dial.c): a dialer per static URI (or per
 * masterslave: list) with its back-off and redial, mDNS publishing and
 * browsing for multicast:// groups (the smaller broker name dials), and
 * applying a reloaded config's connectors and users (SIGHUP). Owns
 * d->dialers and d->mcasts; the links it makes are link.c's, which tells
 * a dialer its link closed through l->on_closed.
 */
#ifndef BN_DIAL_H
#define BN_DIAL_H

struct bn_config;
struct bn_daemon;

/* Starts every configured connector; -1 if one cannot start. */
int	 bn_dial_all(struct bn_daemon *);
/*
 * SIGHUP: applies the connectors of newcfg (added ones start, removed or
 * changed ones stop and their links close, unchanged ones keep their
 * links) and its users; moves them into the running config. newcfg is
 * left with the old ones and freed by the caller.
 */
void	 bn_dial_reconfigure(struct bn_daemon *, struct bn_config *newcfg);
/* Frees dialers and multicast connectors (at exit or as a standby). */
void	 bn_dial_free_all(struct bn_daemon *);

#endif /* BN_DIAL_H */
