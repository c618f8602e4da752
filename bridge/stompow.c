/*
 * A broker session over OpenWire (tcp:// URIs): the session of stomp.c
 * with bridge/owsess.c between it and the socket. What the session writes
 * is translated before it reaches the bufferevent; what the broker sends
 * is decoded one command at a time and handed to the session's dispatch
 * as frames. Frames owsess.c makes itself (an ERROR for a frame it could
 * not translate) are delivered from the loop, never from inside a write.
 */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "brokernet/owsess.h"
#include "brokernet/stompsess.h"
#include "brokernet/util.h"

static void
stompow_local_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_stomp	*s = arg;
	struct bn_frame	*f;
	uint64_t	 gen = s->generation;

	while (s->ow != NULL && (f = bn_owsess_local(s->ow)) != NULL) {
		if (!s->ow_deliver(f, s) || s->generation != gen)
			return;
	}
}

bool
bn_stomp_openwire(const struct bn_stomp *s)
{
	return s->ow_on;
}

void
bn_stompow_start(struct bn_stomp *s, const struct bn_endpoint *ep,
    bool (*deliver)(struct bn_frame *, void *))
{
	s->ow_on = bn_endpoint_is_openwire(ep);
	s->ow_deliver = deliver;
	if (!s->ow_on)
		return;
	if (s->ow == NULL) {
		s->ow = bn_owsess_new(s->name, s->self);
		s->ow_ev = event_new(s->base, -1, 0, stompow_local_cb, s);
	}
	bn_owsess_reset(s->ow);
}

void
bn_stompow_free(struct bn_stomp *s)
{
	if (s->ow_ev != NULL)
		event_free(s->ow_ev);
	bn_owsess_free(s->ow);
	bn_buf_free(&s->ow_out);
	s->ow = NULL;
	s->ow_ev = NULL;
}

void
bn_stompow_write(struct bn_stomp *s, const char *wire, size_t len)
{
	bn_buf_reset(&s->ow_out);
	if (bn_owsess_out(s->ow, wire, len, &s->ow_out) > 0)
		event_active(s->ow_ev, 0, 0);
	if (s->ow_out.len > 0)
		bufferevent_write(s->bev, s->ow_out.data, s->ow_out.len);
}

/* Decodes what the broker sent; -1 with err set on input that ends the
 * session. */
int
bn_stompow_read(struct bn_stomp *s, struct evbuffer *in, char *err,
    size_t errlen)
{
	struct bn_frame		*f;
	enum bn_parse_result	 r;
	uint64_t		 gen = s->generation;
	size_t			 len, used, want = 4;
	uint8_t			*p;

	while ((len = evbuffer_get_length(in)) >= want) {
		/* a size prefix, then that many bytes: pull up one command */
		p = evbuffer_pullup(in, (ev_ssize_t)want);
		bn_buf_reset(&s->ow_out);
		r = bn_owsess_in(s->ow, p, want, &used, &s->ow_out, &f, err,
		    errlen);
		if (r == BN_PARSE_ERROR)
			return -1;
		if (r == BN_PARSE_NEED_MORE) {
			if (used <= want) {
				snprintf(err, errlen, "command of unknown "
				    "length");
				return -1;
			}
			want = used;
			continue;
		}
		evbuffer_drain(in, used);
		want = 4;
		if (s->ow_out.len > 0)
			bufferevent_write(s->bev, s->ow_out.data,
			    s->ow_out.len);
		if (f != NULL && (!s->ow_deliver(f, s) ||
		    s->generation != gen))
			return 0;	/* the session went while dispatching */
	}
	return 0;
}
