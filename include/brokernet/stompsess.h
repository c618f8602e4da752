/*
 * The state of one STOMP session (struct bn_stomp), shared by the two
 * files of the STOMP client and no one else: stomp.c (connection,
 * failover, dispatch, the public calls of stomp.h) and stompsend.c (the
 * writer and the receipt FIFO). Everyone else sees it opaque, via stomp.h.
 */
#ifndef BN_STOMPSESS_H
#define BN_STOMPSESS_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/backoff.h"
#include "brokernet/config.h"
#include "brokernet/frame.h"
#include "brokernet/stomp.h"
#include "brokernet/util.h"

struct event;
struct event_base;
struct bufferevent;
struct bn_owsess;

/* Output above HIGH: bn_stomp_can_send says no until it is below LOW. */
#define BN_STOMP_OUT_HIGH	(8u * 1024 * 1024)
#define BN_STOMP_OUT_LOW	(1u * 1024 * 1024)

enum stomp_state {
	ST_IDLE = 0,		/* not started */
	ST_CONNECTING,		/* TCP connect or CONNECT sent */
	ST_UP,			/* CONNECTED received */
	ST_CLOSING,		/* DISCONNECT sent */
	ST_WAIT,		/* back-off timer before the next try */
	ST_GIVENUP
};

struct stomp_pending {
	TAILQ_ENTRY(stomp_pending) entry;
	uint64_t		 rid;
	bn_stomp_receipt_cb	 cb;
	void			*ctx;
	int			 flags;
	char			*wire;		/* RETRY only */
	size_t			 wirelen;
	bool			 sent;		/* on the current session */
	bool			 doubt;		/* sent on a lost session */
};
TAILQ_HEAD(stomp_pendq, stomp_pending);

struct bn_stomp {
	struct event_base	*base;
	char			*name;
	struct bn_failover	 fo;
	char			*login;
	char			*passcode;
	char			*vhost;
	char			*client_id;
	uint64_t		 hb_ms;
	size_t			 window;
	uint64_t		 connect_timeout_ms;
	void			*tls;		/* the owner's SSL_CTX, or NULL */
	bool			 tls_verify_host;
	bool			 flag_empty;	/* opts' */
	struct bn_frame_limits	 limits;
	struct bn_stomp_cbs	 cbs;
	void			*arg;

	enum stomp_state	 state;
	struct bufferevent	*bev;
	uint64_t		 generation;	/* bumped per session */
	struct event		*timer;		/* connect timeout/back-off */
	struct event		*hb_timer;	/* our heart-beats */
	struct event		*fo_timer;	/* failover timeout */
	struct bn_backoff	 backoff;
	bool			 refused;	/* this try: connection refused */
	bool			 cycle_refused;	/* so was every try this cycle */
	bool			 probing;	/* this cycle is an extra probe */
	uint64_t		 down_since_ms;	/* the outage began */
	uint64_t		 due_ms;	/* next counted attempt */
	bool			 ever_connected;
	uint64_t		 connects;
	size_t			*order;		/* uri indexes, this cycle */
	size_t			 norder;
	size_t			 cur;		/* position in order */
	char			*cur_uri;
	char			*session;
	uint64_t		 send_hb_ms;
	uint64_t		 last_write_ms;
	struct bn_frame_cursor	 parse;		/* the reader's parse */

	struct stomp_pendq	 pending;
	size_t			 npending;	/* sent, awaiting receipt */
	size_t			 nqueued;	/* RETRY, not yet sent */
	uint64_t		 next_rid;
	bool			 want_writable;
	bool			 read_paused;	/* bn_stomp_pause_read */
	uint64_t		 hold_ms;	/* bn_stomp_hold */
	bn_stomp_doubt_cb	 doubt_cb;
	struct bn_buf		 scratch;
	struct bn_buf		 scratch2;

	/* OpenWire (tcp:// URIs): bridge/stompow.c */
	char			*self;		/* this sidecar's broker name */
	bool			 ow_on;		/* this session speaks it */
	struct bn_owsess	*ow;
	struct event		*ow_ev;		/* frames made by owsess.c */
	struct bn_buf		 ow_out;
	bool			(*ow_deliver)(struct bn_frame *, void *);

	uint64_t		 disc_rid;
	void			(*disc_done)(struct bn_stomp *, void *);
	void			*disc_arg;
};

struct evbuffer;

/* stomp.c: hands one frame to the session (false: the session ended). */
bool	bn_stomp_deliver(struct bn_frame *, void *stomp);

/*
 * stompow.c: the OpenWire wire under the session. Decoded frames go to
 * deliver (stomp.c's bn_stomp_deliver, given here so that stompow.c
 * calls nothing of stomp.c).
 */
void	bn_stompow_start(struct bn_stomp *, const struct bn_endpoint *,
	    bool (*deliver)(struct bn_frame *, void *));
void	bn_stompow_free(struct bn_stomp *);
void	bn_stompow_write(struct bn_stomp *, const char *wire, size_t len);
/* -1 with err set: bad input; the caller ends the session. */
int	bn_stompow_read(struct bn_stomp *, struct evbuffer *, char *err,
	    size_t errlen);

#endif /* BN_STOMPSESS_H */
