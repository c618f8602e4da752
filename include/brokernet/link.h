/*
 * A sidecar-to-sidecar link (link.c): one connection framed like STOMP
 * 1.2 with its state machine (connecting, handshake, up, closed), frames
 * in and out, output watermarks, heart-beats, batched stored-acks, and
 * the one teardown path, bn_link_close. Frames for other modules go up
 * through struct bn_link_ops (router.c); adverts we send are advert.h's. What the
 * handshake frames carry is handshake.h's; who dials and who listens is
 * dial.h's and listen.h's. struct bn_link is here; the forwarding,
 * receiving and pacing modules read its fields.
 */
#ifndef BN_LINK_H
#define BN_LINK_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/forward.h"
#include "brokernet/frame.h"
#include "brokernet/hmap.h"
#include "brokernet/util.h"

struct event;
struct bufferevent;
struct bn_daemon;
struct bn_dialer;
struct bn_linkz;
struct bn_listener;
struct bn_network_connector;

/* Link protocol version spoken in BN_HELLO/BN_WELCOME. */
#define BN_LINK_VERSION		"1"
/* Most demand entries one peer may advertise on a link. */
#define BN_LINK_MAX_ADVERTS	100000
/* A handshake must complete within this. */
#define BN_LINK_HANDSHAKE_MS	10000
/* Until then a frame may be at most this long (a BN_HELLO is small). */
#define BN_LINK_HANDSHAKE_FRAME_MAX	(1024u * 1024)
/* Link heart-beat interval; a peer silent for 3x is dropped. */
#define BN_LINK_HEARTBEAT_MS	2000
/*
 * A link whose unsent output exceeds HIGH stops the broker session that
 * feeds the network subscriptions until every link is below LOW again:
 * prefetchSize x message size would otherwise sit in our buffers.
 */
#define BN_LINK_OUT_HIGH	(8u * 1024 * 1024)
#define BN_LINK_OUT_LOW		(2u * 1024 * 1024)

enum bn_link_state {
	BN_LINK_CONNECTING = 0,	/* dialer: TCP connect in progress */
	BN_LINK_HANDSHAKE,	/* HELLO sent (dialer) or awaited (acceptor) */
	BN_LINK_UP,
	BN_LINK_CLOSED
};

/* One link, from bn_link_new until bn_link_close frees it. */
struct bn_link {
	TAILQ_ENTRY(bn_link)	 entry;		/* in d->links */
	struct bn_daemon	*d;
	uint64_t		 id;
	bool			 dialer;
	struct bn_dialer	*dl;		/* dialer side */
	/* dialer side: told once the link is freed (dial.c) */
	void			(*on_closed)(struct bn_dialer *,
				    const char *reason, bool was_up);
	struct bn_listener	*ls;		/* acceptor side */
	struct bufferevent	*bev;
	enum bn_link_state	 state;
	char			*peer;		/* peer broker name */
	char			*peer_addr;	/* host:port */
	char			*connector;	/* connector name */
	char			*peer_mgmt;	/* peer's management URI */
	struct bn_network_connector *nc;	/* options of this link */
	bool			 duplex;	/* both sides forward */
	bool			 own_nc;	/* acceptor: nc built from HELLO */
	bool			 we_forward;
	bool			 they_forward;
	uint64_t		 since_ms;	/* wall clock, ms since epoch */
	struct event		*hs_timer;
	struct event		*hb_timer;
	struct event		*ack_ev;	/* flushes batched acks */
	uint64_t		 last_write_ms;
	struct bn_frame_cursor	 cur;		/* the reader's parse */
	size_t			 max_frame;	/* once up (maxFrameSize) */
	struct bn_frame_limits	 limits;
	struct bn_hmap		 adverts;	/* queue -> "hops path" sent */
	struct bn_hmap		 remote;	/* queues the peer advertised */
	/* topics it withdrew only while its broker was away (held:true) */
	struct bn_hmap		 remote_held;
	struct bn_fwd_subq	 subs;
	struct bn_hmap		 subs_by_dest;
	struct bn_inflightq	 inflight;
	uint64_t		 ninflight;
	uint64_t		 next_seq;
	struct bn_buf		 acks;		/* "1,2,3" to send */
	struct bn_buf		 out;		/* scratch for serialising */
	uint64_t		 msgs_out, msgs_in, acks_in, acks_out;
	uint64_t		 bytes_out, bytes_in;
	uint64_t		 rx_pending;	/* received, not yet stored */
	bool			 read_paused;
	bool			 out_high;	/* output above BN_LINK_OUT_HIGH */
	struct bn_linkz		*z;		/* agreed encodings, or NULL */
	bool			 peer_pace;	/* peer speaks BN_PACE */
	/* both ends speak OpenWire: the link carries whole messages */
	bool			 peer_native;
	bool			 pace_on;	/* ... and reports its backlog */
	struct bn_hmap		 pace_tx;	/* queue -> bn_pace_tx */
};

/*
 * What a link reports to the modules above it (router.c): the link is a
 * transport and calls nobody else. Frames after the handshake that are
 * not the link's own (MESSAGE, decoded M, ACK, DEMAND, NODEMAND, BN_PACE)
 * go to frame, which owns them and returns false when it closed the link.
 */
struct bn_link_ops {
	/* The handshake is done and the link is up. */
	void	(*up)(struct bn_link *);
	bool	(*frame)(struct bn_link *, struct bn_frame *);
	/* The link is closing: out of the list, its fields still intact. */
	void	(*closed)(struct bn_link *);
	/* A link's output went above BN_LINK_OUT_HIGH (on), or every link
	 * is below BN_LINK_OUT_LOW again (off): deliveries should wait. */
	void	(*congested)(struct bn_daemon *, bool on);
};

/*
 * A new link on bev (owned by the link from now on), to or from addr
 * ("host:port"), in the daemon's list with its handshake timer running.
 * The caller sets the side (dialer or acceptor) and state.
 */
struct bn_link *bn_link_new(struct bn_daemon *, struct bufferevent *,
	    const char *addr);
/* Closes the link with a reason (logged once); it is freed from the loop
 * (bn_link_reap), so a caller still holding it sees BN_LINK_CLOSED. */
void	 bn_link_close(struct bn_link *, const char *reason);
/* Frees the closed links now (the loop does it; also at exit). */
void	 bn_link_reap(struct bn_daemon *);
/* Sends ERROR with reason (retry:false unless retry) and closes. */
void	 bn_link_refuse(struct bn_link *, const char *reason, bool retry);
/* Serialises f and writes it on the link. */
void	 bn_link_send_frame(struct bn_link *, const struct bn_frame *);
/* The peer's broker name, else its address, for log lines. */
const char *bn_link_name(const struct bn_link *);
/* Queues a stored-ack for seq (batched per loop iteration). */
void	 bn_link_queue_ack(struct bn_link *, uint64_t seq);
/* The link with that id, or NULL (it closed). */
struct bn_link *bn_link_find(struct bn_daemon *, uint64_t id);
/* Writes a serialised frame on the link. */
void	 bn_link_write(struct bn_link *, const char *, size_t);
/*
 * Why links stop being read (broker back-pressure). Each reason is set and
 * lifted by its owner alone; links read again when none is left.
 */
enum bn_link_pause_why {
	BN_LINK_PAUSE_STORE = 0,	/* the store session's output is full */
	BN_LINK_PAUSE_PARKED,		/* recovery parked as much as it may */
};
void	 bn_link_pause(struct bn_daemon *, enum bn_link_pause_why, bool on);
/* Closes every link, saying BYE with reason (stop the dialers first). */
void	 bn_link_shutdown_all(struct bn_daemon *, const char *reason);

#endif /* BN_LINK_H */
