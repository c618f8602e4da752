/*
 * The router (router.c): hands a link's frames to forward, receive, pacing
 * and the demand table, and tells every link and subscription when demand
 * for a queue changed. It is the link's struct bn_link_ops.
 */
#ifndef BN_ROUTER_H
#define BN_ROUTER_H

struct bn_buf;
struct bn_daemon;
struct bn_link_ops;

/* What links report; the daemon gives it to every link. */
extern const struct bn_link_ops bn_router_link_ops;

/* Re-evaluates what every link should be told about queue q, and what
 * its subscriptions should take. */
void	 bn_router_queue_changed(struct bn_daemon *, const char *q);
/* The same for each NUL-separated name in buf. */
void	 bn_router_queues_changed(struct bn_daemon *, const struct bn_buf *);

#endif /* BN_ROUTER_H */
