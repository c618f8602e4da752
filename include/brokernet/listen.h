/*
 * The listeners for links (listen.c): one per <transportConnector>, plain
 * TCP or TLS, with its connection limit. Owns d->listeners; an accepted
 * connection becomes a link in handshake (link.h).
 */
#ifndef BN_LISTEN_H
#define BN_LISTEN_H

#include <stdint.h>

#include "brokernet/frame.h"

struct bufferevent;
struct evconnlistener;
struct bn_daemon;
struct bn_link;
struct bn_transport_connector;

/* One <transportConnector>: d->listeners[i] for cfg->listeners[i]. */
struct bn_listener {
	struct bn_daemon	*d;
	struct bn_transport_connector *tc;
	struct evconnlistener	*el;
	uint64_t		 nconns;
	uint64_t		 refused;
	struct bn_frame_limits	 limits;
	void			*tls;		/* SSL_CTX for ssl://, or NULL */
};

/* Binds every configured listener; -1 (logged) if one cannot. */
int	 bn_listen_start(struct bn_daemon *);
/* Closes every listener (a standby listens on nothing). */
void	 bn_listen_stop(struct bn_daemon *);
/*
 * Takes an accepted connection (any bufferevent: a socket, TLS, or a pair
 * in tests and fuzzing) as a link in handshake. Returns the link, or NULL
 * when it was refused (and is being closed).
 */
struct bn_link *bn_listen_accept_bev(struct bn_listener *,
	    struct bufferevent *, const char *addr);

#endif /* BN_LISTEN_H */
