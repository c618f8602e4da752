/*
 * A link's agreed encodings (compact headers, zstd stream): handshake
 * negotiation and the glue between the link's bufferevent and the pure
 * codecs. See include/brokernet/linkz.h.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/evframe.h"
#include "brokernet/link.h"
#include "brokernet/linkhdr.h"
#include "brokernet/linkz.h"
#include "brokernet/log.h"
#include "brokernet/zlink.h"

struct bn_linkz {
	bool			 compact;
	bool			 zstd;
	bool			 on;		/* the handshake is through */
	bool			 flush_sched;
	struct bn_zenc		*enc;
	struct bn_zdec		*dec;
	struct evbuffer		*plain;		/* decompressed, unparsed */
	struct event		*flush_ev;
	struct bn_buf		 zout, zin;	/* scratch per direction */
	struct bn_linkhdr_state	 tx, rx;
	unsigned long long	 plain_out, plain_in;
	char			 why[160];
};

/* Whether the link's peer is on this host (127/8, ::1, v4-mapped). */
static bool
linkz_peer_loopback(struct bn_link *l)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	evutil_socket_t		fd;

	if (l->bev == NULL || (fd = bufferevent_getfd(l->bev)) < 0 ||
	    getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return false;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		const uint8_t	*a = s6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && a[12] == 127;
	}
	return false;
}

/* Whether comma-separated list s names feature f. */
static bool
linkz_has(const char *s, const char *f)
{
	size_t	fl = strlen(f), n;

	while (s != NULL && *s != '\0') {
		n = strcspn(s, ",");
		if (n == fl && strncmp(s, f, fl) == 0)
			return true;
		s += n;
		if (*s == ',')
			s++;
	}
	return false;
}

static void
linkz_flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_link	*l = arg;

	l->z->flush_sched = false;
	bn_linkz_flush(l);
}

static struct bn_linkz *
linkz_new(struct bn_link *l, bool compact, bool zstd)
{
	struct bn_linkz	*z = xcalloc(1, sizeof(*z));

	z->compact = compact;
	z->zstd = zstd;
	z->rx.next_seq = 1;
	if (zstd) {
		z->enc = bn_zenc_new();
		z->dec = bn_zdec_new();
		if ((z->plain = evbuffer_new()) == NULL)
			fatalx("out of memory");
		z->flush_ev = event_new(l->d->base, -1, 0, linkz_flush_cb, l);
	}
	return z;
}

void
bn_linkz_offer(struct bn_link *l, struct bn_frame *hello)
{
	int	want = l->nc->use_compression;

	/* not set: on towards other hosts, off on this one (README) */
	if (want < 0)
		want = !linkz_peer_loopback(l);
	bn_frame_add_header(hello, "features", want ? "compact,zstd" :
	    "compact");
	log_debug("link %s: offering %s", l->peer_addr, want ?
	    "compact,zstd" : "compact");
}

void
bn_linkz_choose(struct bn_link *l, const struct bn_frame *hello,
    struct bn_frame *welcome)
{
	const char	*offer = bn_frame_get(hello, "features");
	bool		 compact = linkz_has(offer, "compact");
	bool		 zstd = linkz_has(offer, "zstd");

	if (!compact && !zstd)
		return;
	l->z = linkz_new(l, compact, zstd);
	bn_frame_add_header(welcome, "features", bn_linkz_features(l));
}

int
bn_linkz_chosen(struct bn_link *l, const struct bn_frame *welcome,
    const char **err)
{
	const char	*got = bn_frame_get(welcome, "features");
	bool		 compact = linkz_has(got, "compact");
	bool		 zstd = linkz_has(got, "zstd");
	bool		 offered = l->nc->use_compression > 0 ||
			    (l->nc->use_compression < 0 &&
			    !linkz_peer_loopback(l));

	if (got == NULL || (!compact && !zstd))
		return 0;
	if (zstd && !offered) {
		*err = "bad BN_WELCOME: peer chose zstd, which was not offered";
		return -1;
	}
	l->z = linkz_new(l, compact, zstd);
	return 0;
}

void
bn_linkz_start(struct bn_link *l)
{
	if (l->z == NULL)
		return;
	l->z->on = true;
	log_info("link %s: encoding %s", l->peer, bn_linkz_features(l));
}

bool
bn_linkz_reading(const struct bn_link *l)
{
	return l->z != NULL && l->z->on && l->z->zstd;
}

const char *
bn_linkz_features(const struct bn_link *l)
{
	if (l->z == NULL)
		return "none";
	if (l->z->compact)
		return l->z->zstd ? "compact,zstd" : "compact";
	return l->z->zstd ? "zstd" : "none";
}

bool
bn_linkz_write(struct bn_link *l, const char *data, size_t len)
{
	struct bn_linkz	*z = l->z;
	const char	*err;

	if (z == NULL || !z->on || !z->zstd)
		return false;
	bn_buf_reset(&z->zout);
	if (bn_zenc_write(z->enc, data, len, false, &z->zout, &err) == -1)
		fatalx("link %s: compressor failed: %s", l->peer, err);
	if (z->zout.len > 0) {
		bufferevent_write(l->bev, z->zout.data, z->zout.len);
		l->bytes_out += z->zout.len;
	}
	z->plain_out += len;
	/* end of this burst: after the loop iteration's other callbacks */
	if (!z->flush_sched) {
		z->flush_sched = true;
		event_active(z->flush_ev, EV_TIMEOUT, 1);
	}
	return true;
}

void
bn_linkz_flush(struct bn_link *l)
{
	struct bn_linkz	*z = l->z;
	const char	*err;

	if (z == NULL || !z->on || !z->zstd || l->bev == NULL ||
	    !bn_zenc_pending(z->enc))
		return;
	bn_buf_reset(&z->zout);
	if (bn_zenc_write(z->enc, NULL, 0, true, &z->zout, &err) == -1)
		fatalx("link %s: compressor failed: %s", l->peer, err);
	bufferevent_write(l->bev, z->zout.data, z->zout.len);
	l->bytes_out += z->zout.len;
}

int
bn_linkz_read(struct bn_link *l, struct evbuffer *in,
    bool (*cb)(struct bn_frame *, void *), const char **err)
{
	struct bn_linkz		*z = l->z;
	enum bn_zdec_result	 r;
	const char		*zerr;
	size_t			 len, used;
	int			 rc;

	do {
		len = evbuffer_get_length(in);
		bn_buf_reset(&z->zin);
		r = bn_zdec_read(z->dec, len ? evbuffer_pullup(in, -1) :
		    (const unsigned char *)"", len, BN_LINKZ_STEP, &used,
		    &z->zin, &zerr);
		evbuffer_drain(in, used);
		if (r == BN_ZDEC_ERROR) {
			snprintf(z->why, sizeof(z->why), "compressed stream:"
			    " %s", zerr);
			*err = z->why;
			return -1;
		}
		evbuffer_add(z->plain, z->zin.data, z->zin.len);
		z->plain_in += z->zin.len;
		if (evbuffer_get_length(z->plain) > l->limits.max_frame_size +
		    BN_LINKZ_STEP) {
			*err = "more than maxFrameSize decompressed without a"
			    " complete frame (compression bomb?)";
			return -1;
		}
		rc = bn_evframe_read(z->plain, &l->limits, &l->cur, cb, l,
		    err);
		if (l->state == BN_LINK_CLOSED)
			return 1;
		if (rc == -1)
			return -1;
	} while (r == BN_ZDEC_FULL || evbuffer_get_length(in) > 0);
	return 0;
}

struct bn_linkhdr_state *
bn_linkz_tx(struct bn_link *l)
{
	return l->z != NULL && l->z->compact ? &l->z->tx : NULL;
}

struct bn_frame *
bn_linkz_decode(struct bn_link *l, struct bn_frame *f, const char **err)
{
	struct bn_frame	*m;

	if (l->z == NULL || !l->z->compact) {
		bn_frame_free(f);
		*err = "M frame on a link without the compact form";
		return NULL;
	}
	m = bn_linkhdr_decode(&l->z->rx, f, l->peer, err);
	bn_frame_free(f);
	return m;
}

void
bn_linkz_plain_bytes(const struct bn_link *l, unsigned long long *out,
    unsigned long long *in)
{
	*out = l->z != NULL && l->z->zstd ? l->z->plain_out : l->bytes_out;
	*in = l->z != NULL && l->z->zstd ? l->z->plain_in : l->bytes_in;
}

void
bn_linkz_free(struct bn_link *l)
{
	struct bn_linkz	*z = l->z;

	if (z == NULL)
		return;
	bn_zenc_free(z->enc);
	bn_zdec_free(z->dec);
	if (z->plain != NULL)
		evbuffer_free(z->plain);
	if (z->flush_ev != NULL)
		event_free(z->flush_ev);
	bn_buf_free(&z->zout);
	bn_buf_free(&z->zin);
	bn_linkhdr_state_clear(&z->tx);
	bn_linkhdr_state_clear(&z->rx);
	free(z);
	l->z = NULL;
}
