/*
 * The listeners for links: one per <transportConnector>, plain TCP or
 * TLS, each with its maximumConnections. See include/brokernet/listen.h.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/link.h"
#include "brokernet/listen.h"
#include "brokernet/log.h"
#include "brokernet/tls.h"

static void
listen_accept_cb(struct evconnlistener *el, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct bn_listener	*ls = arg;
	struct bn_daemon	*d = ls->d;
	struct bufferevent	*bev;
	char			 host[INET6_ADDRSTRLEN] = "?", addr[80];
	int			 one = 1;
	uint16_t		 port = 0;

	if (sa->sa_family == AF_INET) {
		struct sockaddr_in	*sin = (struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
	}
	snprintf(addr, sizeof(addr), "%s:%u", host, port);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (ls->tls != NULL)
		bev = bn_tls_accept(d->base, ls->tls, fd);
	else
		bev = bufferevent_socket_new(d->base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		log_warnx("listener %s: cannot set up %s", ls->tc->name, addr);
		evutil_closesocket(fd);
		return;
	}
	bn_listen_accept_bev(ls, bev, addr);
}

struct bn_link *
bn_listen_accept_bev(struct bn_listener *ls, struct bufferevent *bev,
    const char *addr)
{
	struct bn_daemon	*d = ls->d;
	struct bn_link		*l;

	l = bn_link_new(d, bev, addr);
	l->max_frame = (size_t)ls->tc->max_frame_size;
	if (l->limits.max_frame_size > l->max_frame)
		l->limits.max_frame_size = l->max_frame;
	l->state = BN_LINK_HANDSHAKE;
	if (d->stopping) {
		bn_link_refuse(l, "sidecar stopping", true);
		return NULL;
	}
	if (ls->nconns >= ls->tc->max_connections) {
		char	why[128];

		ls->refused++;
		snprintf(why, sizeof(why), "too many connections on %s"
		    " (maximumConnections=%llu)", ls->tc->name,
		    (unsigned long long)ls->tc->max_connections);
		log_warnx("listener %s: refused %s: %s", ls->tc->name, addr,
		    why);
		bn_link_refuse(l, why, true);
		return NULL;
	}
	/* Counted only once admitted: bn_link_close gives the slot back. */
	l->ls = ls;
	ls->nconns++;
	log_debug("listener %s: connection from %s", ls->tc->name, addr);
	return l;
}

int
bn_listen_start(struct bn_daemon *d)
{
	struct bn_config	*cfg = d->cfg;
	size_t			 i;

	d->listeners = xcalloc(cfg->nlisteners ? cfg->nlisteners : 1,
	    sizeof(*d->listeners));
	d->nlisteners = cfg->nlisteners;
	for (i = 0; i < cfg->nlisteners; i++) {
		struct bn_listener		*ls = &d->listeners[i];
		struct bn_transport_connector	*tc = &cfg->listeners[i];
		struct evutil_addrinfo		 hints, *ai = NULL;
		char				 port[8];
		int				 rc;

		ls->d = d;
		ls->tc = tc;
		if (bn_endpoint_is_tls(&tc->listen)) {
			char	err[512];

			ls->tls = bn_tls_server_ctx(cfg, tc->need_client_auth,
			    err, sizeof(err));
			if (ls->tls == NULL) {
				log_warnx("listener %s: %s", tc->name, err);
				return -1;
			}
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = EVUTIL_AI_PASSIVE;
		snprintf(port, sizeof(port), "%u", tc->listen.port);
		if ((rc = evutil_getaddrinfo(tc->listen.host, port, &hints,
		    &ai)) != 0) {
			log_warnx("listener %s: cannot resolve %s: %s",
			    tc->name, tc->listen.host, evutil_gai_strerror(rc));
			return -1;
		}
		ls->el = evconnlistener_new_bind(d->base, listen_accept_cb, ls,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
		    ai->ai_addr, (int)ai->ai_addrlen);
		evutil_freeaddrinfo(ai);
		if (ls->el == NULL) {
			log_warn("listener %s: cannot listen on %s:%u",
			    tc->name, tc->listen.host, tc->listen.port);
			return -1;
		}
		log_info("listener %s: accepting links on %s:%u", tc->name,
		    tc->listen.host, tc->listen.port);
		if (!cfg->auth_enabled && strcmp(tc->listen.host,
		    "127.0.0.1") != 0 && strcmp(tc->listen.host, "::1") != 0 &&
		    strcmp(tc->listen.host, "localhost") != 0)
			log_warnx("listener %s: bound to %s without"
			    " <simpleAuthenticationPlugin>: any peer is"
			    " accepted", tc->name, tc->listen.host);
	}
	return 0;
}

void
bn_listen_stop(struct bn_daemon *d)
{
	size_t	i;

	for (i = 0; i < d->nlisteners; i++) {
		if (d->listeners[i].el != NULL)
			evconnlistener_free(d->listeners[i].el);
		bn_tls_ctx_free(d->listeners[i].tls);
	}
	free(d->listeners);
	d->listeners = NULL;
	d->nlisteners = 0;
}
