/* TLS contexts and bufferevents for ssl:// links. */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>

#include "brokernet/config.h"
#include "brokernet/tls.h"

static void
tls_errstr(const char *what, const char *file, char *err, size_t errlen)
{
	unsigned long	e = ERR_get_error();
	char		buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s %s: %s", what, file ? file : "", e ? buf :
	    "failed");
	ERR_clear_error();
}

static SSL_CTX *
tls_ctx(const SSL_METHOD *m, char *err, size_t errlen)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(m)) == NULL) {
		tls_errstr("cannot create a TLS context", NULL, err, errlen);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	return ctx;
}

static int
tls_load_pair(SSL_CTX *ctx, const struct bn_config *c, char *err,
    size_t errlen)
{
	if (SSL_CTX_use_certificate_chain_file(ctx, c->ssl_cert) != 1) {
		tls_errstr("cannot load certificate", c->ssl_cert, err, errlen);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, c->ssl_key, SSL_FILETYPE_PEM) !=
	    1) {
		tls_errstr("cannot load private key", c->ssl_key, err, errlen);
		return -1;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_errstr("private key does not match", c->ssl_cert, err,
		    errlen);
		return -1;
	}
	return 0;
}

static int
tls_load_ca(SSL_CTX *ctx, const struct bn_config *c, char *err,
    size_t errlen)
{
	if (c->ssl_ca == NULL) {
		snprintf(err, errlen, "<sslContext> has no trustedCertificates");
		return -1;
	}
	if (SSL_CTX_load_verify_locations(ctx, c->ssl_ca, NULL) != 1) {
		tls_errstr("cannot load trusted certificates", c->ssl_ca, err,
		    errlen);
		return -1;
	}
	return 0;
}

void *
bn_tls_server_ctx(const struct bn_config *c, bool need_client_auth,
    char *err, size_t errlen)
{
	SSL_CTX	*ctx;

	if ((ctx = tls_ctx(TLS_server_method(), err, errlen)) == NULL)
		return NULL;
	if (tls_load_pair(ctx, c, err, errlen) == -1)
		goto fail;
	if (need_client_auth) {
		if (tls_load_ca(ctx, c, err, errlen) == -1)
			goto fail;
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void *
bn_tls_client_ctx(const struct bn_config *c, char *err, size_t errlen)
{
	SSL_CTX	*ctx;

	if ((ctx = tls_ctx(TLS_client_method(), err, errlen)) == NULL)
		return NULL;
	if (tls_load_ca(ctx, c, err, errlen) == -1)
		goto fail;
	if (c->ssl_cert != NULL && tls_load_pair(ctx, c, err, errlen) == -1)
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void
bn_tls_ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

struct bufferevent *
bn_tls_accept(struct event_base *base, void *ctx, int fd)
{
	struct bufferevent	*bev;
	SSL			*ssl;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev != NULL)
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

struct bufferevent *
bn_tls_connect(struct event_base *base, void *ctx, const char *host,
    bool verify_host)
{
	struct bufferevent	*bev;
	struct in6_addr		 a6;
	struct in_addr		 a4;
	SSL			*ssl;
	bool			 ip;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	ip = inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1;
	if (!ip)
		SSL_set_tlsext_host_name(ssl, host);
	if (verify_host) {
		if (ip)
			X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
			    host);
		else
			SSL_set1_host(ssl, host);
	}
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev != NULL)
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

const char *
bn_tls_error(struct bufferevent *bev, char *buf, size_t len)
{
	unsigned long	e;
	SSL		*ssl;

	if (bev == NULL || (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return NULL;
	if ((e = bufferevent_get_openssl_error(bev)) == 0)
		return NULL;
	ERR_error_string_n(e, buf, len);
	if (SSL_get_verify_result(ssl) != X509_V_OK) {
		size_t	n = strlen(buf);

		snprintf(buf + n, len - n, " (%s)", X509_verify_cert_error_string(
		    SSL_get_verify_result(ssl)));
	}
	return buf;
}

struct bufferevent *
bn_tls_or_plain(struct event_base *base, const struct bn_endpoint *ep,
    void *ctx, bool verify_host)
{
	if (!bn_endpoint_is_tls(ep))
		return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (ctx == NULL)
		return NULL;
	return bn_tls_connect(base, ctx, ep->host, verify_host);
}
