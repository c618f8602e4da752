/*
 * TLS for links (ssl://) and the broker session (ssl://, stomp+ssl://)
 * through libevent's OpenSSL bufferevents. Contexts are built from
 * <sslContext> (PEM certificate, private key, trusted CAs).
 */
#ifndef BN_TLS_H
#define BN_TLS_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct bufferevent;
struct bn_config;
struct bn_endpoint;

/* Opaque SSL_CTX. NULL on error, with a reason in err. Free with
 * bn_tls_ctx_free. need_client_auth: peers must present a certificate
 * signed by the trusted CAs. */
void	*bn_tls_server_ctx(const struct bn_config *, bool need_client_auth,
	    char *err, size_t errlen);
/* Verifies servers against the trusted CAs; presents our certificate
 * when one is configured. */
void	*bn_tls_client_ctx(const struct bn_config *, char *err, size_t errlen);
void	 bn_tls_ctx_free(void *);
/* A bufferevent that runs the server side of a handshake on fd. */
struct bufferevent *bn_tls_accept(struct event_base *, void *ctx, int fd);
/* A bufferevent (not yet connected) for a client handshake with host,
 * checking the certificate names host when verify_host. */
struct bufferevent *bn_tls_connect(struct event_base *, void *ctx,
	    const char *host, bool verify_host);
/* A bufferevent (not yet connected) for ep: a TLS client one when its
 * scheme names ssl (NULL without ctx), else a plain one. */
struct bufferevent *bn_tls_or_plain(struct event_base *,
	    const struct bn_endpoint *ep, void *ctx, bool verify_host);
/* The last TLS error of bev as text, or NULL when there is none. */
const char *bn_tls_error(struct bufferevent *, char *buf, size_t len);

#endif /* BN_TLS_H */
