/*
 * A sidecar-to-sidecar link (link.c): one connection framed like STOMP
 * 1.2 with its state machine (connecting, handshake, up, closed), frames
 * in and out, output watermarks, heart-beats, batched stored-acks, demand
 * adverts both ways, and the one teardown path, bn_link_close. What the
 * handshake frames carry is handshake.h's; who dials and who listens is
 * dial.h's and listen.h's. struct bn_link itself is in daemon.h (the
 * forwarding and receiving modules read its fields).
 */
#ifndef BN_LINK_H
#define BN_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bufferevent;
struct bn_daemon;
struct bn_link;

/* Link protocol version spoken in BN_HELLO/BN_WELCOME. */
#define BN_LINK_VERSION		"1"
/* Most demand entries one peer may advertise on a link. */
#define BN_LINK_MAX_ADVERTS	100000
/* A handshake must complete within this. */
#define BN_LINK_HANDSHAKE_MS	10000
/* Link heart-beat interval; a peer silent for 3x is dropped. */
#define BN_LINK_HEARTBEAT_MS	2000
/*
 * A link whose unsent output exceeds HIGH stops the broker session that
 * feeds the network subscriptions until every link is below LOW again:
 * prefetchSize x message size would otherwise sit in our buffers.
 */
#define BN_LINK_OUT_HIGH	(8u * 1024 * 1024)
#define BN_LINK_OUT_LOW		(2u * 1024 * 1024)

/*
 * A new link on bev (owned by the link from now on), to or from addr
 * ("host:port"), in the daemon's list with its handshake timer running.
 * The caller sets the side (dialer or acceptor) and state.
 */
struct bn_link *bn_link_new(struct bn_daemon *, struct bufferevent *,
	    const char *addr);
/* Closes the link with a reason (logged once) and frees it. */
void	 bn_link_close(struct bn_link *, const char *reason);
/* Sends ERROR with reason (retry:false unless retry) and closes. */
void	 bn_link_refuse(struct bn_link *, const char *reason, bool retry);
/* Brings the link's demand advert for q up to date. */
void	 bn_link_advert_sync(struct bn_link *, const char *q);
/* Sends every advert (link up). */
void	 bn_link_advert_all(struct bn_link *);
/* Queues a stored-ack for seq (batched per loop iteration). */
void	 bn_link_queue_ack(struct bn_link *, uint64_t seq);
/* The link with that id, or NULL (it closed). */
struct bn_link *bn_link_find(struct bn_daemon *, uint64_t id);
/* Writes a serialised frame on the link. */
void	 bn_link_write(struct bn_link *, const char *, size_t);
/* Pauses/resumes reading from every link (broker back-pressure). */
void	 bn_link_pause_all(struct bn_daemon *, bool pause);
/* Stops every dialer and closes every link, saying BYE with reason. */
void	 bn_link_shutdown_all(struct bn_daemon *, const char *reason);

#endif /* BN_LINK_H */
