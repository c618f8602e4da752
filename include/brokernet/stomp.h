/*
 * The broker session: a client connection on libevent with ActiveMQ's
 * failover: transport semantics: a list of broker URIs tried in turn with
 * back-off, heart-beats, pipelined receipts, and SENDs that survive a
 * reconnect. Its interface is STOMP 1.2 frames whatever the wire: STOMP
 * (stomp://, stomp+ssl://) or OpenWire (tcp://, ssl://, translated by
 * owsess.h). Subscriptions are not replayed: owners re-create them in
 * on_connected.
 */
#ifndef BN_STOMP_H
#define BN_STOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/frame.h"

struct event_base;
struct bn_failover;
struct bn_stomp;

struct bn_stomp_opts {
	const char	*name;		/* for log lines, e.g. "broker" */
	const struct bn_failover *failover;	/* copied */
	const char	*login;		/* NULL: none */
	const char	*passcode;
	const char	*vhost;		/* CONNECT host header; NULL: "/" */
	const char	*client_id;	/* NULL: none (see NOTES.md) */
	const char	*self;		/* our broker's name (OpenWire) */
	void		*tls;		/* SSL_CTX for ssl://, stomp+ssl:// */
	bool		 tls_verify_host;
	uint64_t	 heartbeat_ms;	/* both directions; 0: off */
	size_t		 receipt_window;/* outstanding receipts; 0: 1000 */
	uint64_t	 connect_timeout_ms; /* TCP + CONNECTED; 0: 10000 */
	struct bn_frame_limits limits;	/* zeroed: defaults */
	/* over STOMP, flag a MESSAGE that may have lost its body
	 * (stompwire.h; stompEmptyBody="deadLetter") */
	bool		 flag_empty;
};

struct bn_stomp_cbs {
	/* CONNECTED arrived: (re)subscribe here. */
	void	(*connected)(struct bn_stomp *, void *arg);
	/* The session ended (reason); a reconnect follows unless given up. */
	void	(*disconnected)(struct bn_stomp *, const char *reason,
		    void *arg);
	/* A MESSAGE; the callee owns the frame and frees it. */
	void	(*message)(struct bn_stomp *, struct bn_frame *, void *arg);
	/* An ERROR frame that answers no pending receipt. */
	void	(*error)(struct bn_stomp *, const struct bn_frame *, void *arg);
	/* Room in the receipt window / output buffer again. */
	void	(*writable)(struct bn_stomp *, void *arg);
	/* maxReconnectAttempts used up: no more reconnects. */
	void	(*giveup)(struct bn_stomp *, void *arg);
};

/*
 * Called once per receipt-tracked frame: ok on RECEIPT; !ok with the ERROR
 * frame (or NULL when the connection was lost and the frame is not retried,
 * or the failover timeout expired).
 */
typedef void (*bn_stomp_receipt_cb)(struct bn_stomp *, void *ctx, bool ok,
    const struct bn_frame *error);

/*
 * RETRY frames that were on the wire when a session was lost are in doubt:
 * the broker may have stored them without the receipt reaching us. With a
 * doubt callback set, they are not re-sent blindly after the reconnect:
 * the callback is called once per such frame with its ctx, then once with
 * ctx NULL (end of list), and the owner settles each with
 * bn_stomp_resolve(). Without one, they are re-sent (at-least-once).
 */
typedef void (*bn_stomp_doubt_cb)(struct bn_stomp *, void *ctx, void *arg);
void		 bn_stomp_set_doubt_cb(struct bn_stomp *, bn_stomp_doubt_cb);
/* stored: complete it as receipted; !stored: send it again now. */
void		 bn_stomp_resolve(struct bn_stomp *, void *ctx, bool stored);

/* Flags for bn_stomp_send. */
#define BN_STOMP_RETRY	0x1	/* re-send after a reconnect until receipted */

/* Returns a new connection (not yet started); free with bn_stomp_free. */
struct bn_stomp	*bn_stomp_new(struct event_base *, const struct bn_stomp_opts *,
		    const struct bn_stomp_cbs *, void *arg);
/* Starts connecting (the first URI of the list, per the options). */
void		 bn_stomp_start(struct bn_stomp *);
/* Closes at once (no DISCONNECT). Pending receipts fail: their callbacks
 * run (ok=false) from inside this call. Accepts NULL. Never call it from
 * one of this connection's own callbacks. */
void		 bn_stomp_free(struct bn_stomp *);
/* DISCONNECT with a receipt, then close; done is called either way. */
void		 bn_stomp_disconnect(struct bn_stomp *, uint64_t timeout_ms,
		    void (*done)(struct bn_stomp *, void *), void *arg);
/* The next reconnect after a lost session waits ms instead of starting at
 * once (call it from the disconnected callback at the latest). */
void		 bn_stomp_hold(struct bn_stomp *, uint64_t ms);
/* Drops the current session (as if the broker went away) and fails over. */
void		 bn_stomp_reconnect(struct bn_stomp *, const char *reason);

bool		 bn_stomp_connected(const struct bn_stomp *);
/* CONNECTED's session header; NULL when not connected. */
const char	*bn_stomp_session(const struct bn_stomp *);
/* Whether the current or last connection speaks OpenWire (tcp://). */
bool		 bn_stomp_openwire(const struct bn_stomp *);
/* "stomp://host:port" of the current or last broker. */
const char	*bn_stomp_current_uri(const struct bn_stomp *);
/* Times the session was established (1 after the first CONNECTED). */
uint64_t	 bn_stomp_connects(const struct bn_stomp *);
/* Receipts outstanding. */
size_t		 bn_stomp_inflight(const struct bn_stomp *);
/* Whether another receipt-tracked send fits; when not, the writable
 * callback is armed and fires once there is room again. */
bool		 bn_stomp_can_send(struct bn_stomp *);
/*
 * Stops (pause) or resumes reading from the broker: back-pressure from
 * whoever takes what the broker delivers. Frames already read are still
 * delivered. Only a connected session pauses; a new session reads. While
 * paused, a silent broker is not detected (libevent times reads only
 * while reading).
 */
void		 bn_stomp_pause_read(struct bn_stomp *, bool pause);

/*
 * Sends a frame (SEND, ACK, NACK, BEGIN, COMMIT, ...). The frame stays the
 * caller's. With cb, a receipt header is added and cb is called exactly
 * once. With BN_STOMP_RETRY, an unreceipted frame is sent again after a
 * reconnect (ActiveMQ failover's message tracking); without it, a lost
 * connection fails the receipt. Returns -1 when not connected and the frame
 * cannot be queued (no RETRY), 0 otherwise.
 */
int		 bn_stomp_send(struct bn_stomp *, const struct bn_frame *,
		    int flags, bn_stomp_receipt_cb cb, void *ctx);
/*
 * Like bn_stomp_send, for one frame already in wire form (command line,
 * headers, blank line, body, NUL; no receipt header: it is added here).
 * Returns -1 also when wire has no command line.
 */
int		 bn_stomp_send_wire(struct bn_stomp *, const char *wire,
		    size_t len, int flags, bn_stomp_receipt_cb cb, void *ctx);
/*
 * Like bn_stomp_send, for a batch: prefix is the wire form of frames sent
 * as they are (e.g. BEGIN and SENDs in a transaction), last is the frame
 * that gets the receipt (e.g. COMMIT). With BN_STOMP_RETRY the whole batch
 * is sent again after a reconnect.
 */
int		 bn_stomp_send_batch(struct bn_stomp *, const char *prefix,
		    size_t prefixlen, const struct bn_frame *last, int flags,
		    bn_stomp_receipt_cb cb, void *ctx);
/* ACK inside transaction tx (NULL: none); BEGIN and COMMIT without a
 * receipt. */
int		 bn_stomp_ack_tx(struct bn_stomp *, const char *ack_id,
		    const char *tx);
int		 bn_stomp_begin(struct bn_stomp *, const char *tx);
int		 bn_stomp_commit(struct bn_stomp *, const char *tx);

/*
 * SEND a message without a body and without a receipt to dest, with
 * headers (name, value pairs, NULL-terminated); persistent or not.
 * Returns -1 when not connected.
 */
int		 bn_stomp_put(struct bn_stomp *, const char *dest,
		    bool persistent, const char *const *headers);
/* SUBSCRIBE id/destination/ack plus extra headers (may be NULL/0). */
int		 bn_stomp_subscribe(struct bn_stomp *, const char *id,
		    const char *dest, const char *ack,
		    const struct bn_header *extra, size_t nextra);
int		 bn_stomp_unsubscribe(struct bn_stomp *, const char *id);
/* ACK/NACK by the MESSAGE's ack header value. */
int		 bn_stomp_ack(struct bn_stomp *, const char *ack_id);
int		 bn_stomp_nack(struct bn_stomp *, const char *ack_id);

#endif /* BN_STOMP_H */
