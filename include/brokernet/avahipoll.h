/*
 * An AvahiPoll implementation over a libevent event_base: watches become
 * events on the file descriptor, timeouts become timers (avahi gives
 * absolute times; libevent wants relative ones). avahi may free a watch or
 * timeout from inside its own callback; the adapter copes.
 */
#ifndef BN_AVAHIPOLL_H
#define BN_AVAHIPOLL_H

struct event_base;
struct AvahiPoll;
struct bn_avahipoll;

/* A new adapter; its AvahiPoll is bn_avahipoll_get(). Free after every
 * avahi object that uses it. */
struct bn_avahipoll	*bn_avahipoll_new(struct event_base *);
const struct AvahiPoll	*bn_avahipoll_get(struct bn_avahipoll *);
void			 bn_avahipoll_free(struct bn_avahipoll *);

#endif /* BN_AVAHIPOLL_H */
