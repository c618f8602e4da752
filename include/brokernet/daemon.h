/*
 * brokernetd's runtime state, shared by the daemon's modules: daemon.c (the
 * broker session and local demand), link.c, handshake.c, dial.c and
 * listen.c (sidecar links, listeners, dialers: link.h and its siblings),
 * forward.c (network subscriptions and message transfer), fwdhold.c and
 * pace.c (consumer pacing) and status.c (/status, /metrics).
 * The configuration stays in struct bn_config; everything here is runtime.
 */
#ifndef BN_DAEMON_H
#define BN_DAEMON_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>

#include "brokernet/backoff.h"
#include "brokernet/dedup.h"
#include "brokernet/demand.h"
#include "brokernet/frame.h"
#include "brokernet/hmap.h"
#include "brokernet/util.h"

struct event;
struct event_base;
struct evconnlistener;
struct evhttp;
struct bufferevent;
struct bn_config;
struct bn_network_connector;
struct bn_transport_connector;
struct bn_stomp;
struct bn_mdns;
struct bn_endpoint;
struct bn_daemon;
struct bn_link;
struct bn_linkz;
struct bn_recv_batch;
struct bn_markers;
struct bn_lock;
struct bn_preflight;
struct recv_parked;
struct bn_pace;
struct bn_pace_tx;

/* brokernet's private queues (never demand, never forwarded). */
#define BN_PRIVATE_PREFIX	"brokernet."
/* Private queue of commit markers: brokernet.commits.NAME. */
#define BN_MARKER_PREFIX	"brokernet.commits."
/* Private queue of the active-sidecar lock: brokernet.lock.NAME. */
#define BN_LOCK_PREFIX		"brokernet.lock."

/* A message sent over a link, waiting for the peer's stored-ack. */
struct bn_inflight {
	TAILQ_ENTRY(bn_inflight) entry;		/* the link's, by seq */
	TAILQ_ENTRY(bn_inflight) sub_entry;	/* the subscription's */
	uint64_t		 seq;
	struct bn_fwd_sub	*sub;
	uint64_t		 broker_gen;	/* broker session it came on */
	bool			 acked;		/* the peer stored it */
	char			 ack_id[];	/* the broker's ack header */
};
TAILQ_HEAD(bn_inflightq, bn_inflight);

/* One network subscription on the local broker, feeding one link. */
struct bn_fwd_sub {
	TAILQ_ENTRY(bn_fwd_sub)	 entry;		/* in the link's list */
	struct bn_link		*link;
	char			*dest;		/* queue or static pattern */
	bool			 is_static;
	bool			 is_replay;	/* stranded messages only */
	char			 id[24];	/* STOMP subscription id */
	uint32_t		 hops;		/* demand hops (0: static) */
	int			 priority;
	bool			 subscribed;	/* on the current session */
	bool			 draining;	/* demand gone: finish, drop */
	uint64_t		 inflight;
	uint64_t		 forwarded;
	uint64_t		 held;		/* not forwarded while draining */
	struct bn_inflightq	 pending;	/* in dispatch order */
	struct bn_buf		 ack_last;	/* cumulative ACK to send */
	SLIST_ENTRY(bn_fwd_sub)	 touched_entry;	/* in one ACK frame's list */
	bool			 ack_touched;	/* ... and on that list */
	struct bn_pace_tx	*pace;		/* the link's, for dest */
	/* dispatched, waiting for credit (pace.h), in dispatch order */
	struct bn_frame		**hold;
	size_t			 nhold, hold_head, hold_cap;
	uint64_t		 hold_ms;	/* since (monotonic) */
};
TAILQ_HEAD(bn_fwd_subq, bn_fwd_sub);

enum bn_link_state {
	BN_LINK_CONNECTING = 0,	/* dialer: TCP connect in progress */
	BN_LINK_HANDSHAKE,	/* HELLO sent (dialer) or awaited (acceptor) */
	BN_LINK_UP,
	BN_LINK_CLOSED
};

/* A static dialer: one per static URI, or per masterslave: list. */
struct bn_dialer {
	TAILQ_ENTRY(bn_dialer)	 entry;
	struct bn_daemon	*d;
	struct bn_network_connector *nc;
	struct bn_endpoint	*eps;		/* owned copies, dial order */
	size_t			 neps;
	size_t			 cur;
	bool			 discovered;	/* found by mDNS: duplex */
	bool			 gone;		/* its mDNS service went away */
	char			*peer_name;	/* discovered: the broker */
	struct bn_backoff	 backoff;
	struct event		*timer;
	struct bn_link		*link;		/* current, or NULL */
	bool			 stopped;	/* refused for good */
	char			*last_error;
	uint64_t		 attempts;
};
TAILQ_HEAD(bn_dialerq, bn_dialer);

/* A multicast:// connector: its mDNS publisher/browser. */
struct bn_mcast {
	TAILQ_ENTRY(bn_mcast)	 entry;
	struct bn_daemon	*d;
	struct bn_network_connector *nc;
	struct bn_mdns		*mdns;
};
TAILQ_HEAD(bn_mcastq, bn_mcast);

struct bn_listener {
	struct bn_daemon	*d;
	struct bn_transport_connector *tc;
	struct evconnlistener	*el;
	uint64_t		 nconns;
	uint64_t		 refused;
	struct bn_frame_limits	 limits;
	void			*tls;		/* SSL_CTX for ssl://, or NULL */
};

struct bn_link {
	TAILQ_ENTRY(bn_link)	 entry;
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
	size_t			 need;
	struct bn_frame_limits	 limits;
	struct bn_hmap		 adverts;	/* queue -> "hops path" sent */
	struct bn_hmap		 remote;	/* queues the peer advertised */
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
	bool			 pace_on;	/* ... and reports its backlog */
	struct bn_hmap		 pace_tx;	/* queue -> bn_pace_tx */
};
TAILQ_HEAD(bn_linkq, bn_link);

/* Counters exported on /status and /metrics. */
struct bn_counters {
	uint64_t	forwarded;	/* messages sent over links */
	uint64_t	forward_acked;	/* ... and confirmed, acked on broker */
	uint64_t	received;	/* messages received from links */
	uint64_t	stored;		/* ... and stored on our broker */
	uint64_t	store_failed;
	uint64_t	links_accepted;
	uint64_t	links_refused;
	uint64_t	link_errors;
	uint64_t	advisories;
	uint64_t	adverts_sent;
	uint64_t	adverts_received;
	uint64_t	broker_connects;
	uint64_t	stale_acks;	/* link acks for an earlier session */
	uint64_t	duplicates;	/* received again, acked, not stored */
	uint64_t	doubt_found;	/* in doubt, found stored: not resent */
	uint64_t	doubt_resent;	/* in doubt, not stored: resent */
	uint64_t	store_batches;	/* transactions committed */
	uint64_t	stored_plain;	/* stored by a SEND of its own */
};

/* One active sidecar per broker (lock.c): what this one is now. */
enum bn_role {
	BN_ROLE_STANDBY = 0,	/* no listener, no dialer, no subscription */
	BN_ROLE_ACTIVE,		/* holds the lock */
	BN_ROLE_SUSPENDED	/* was active, lost its store session: keeps
				   its links but forwards and stores nothing
				   until it holds the lock again */
};

struct bn_daemon {
	struct event_base	*base;
	struct bn_config	*cfg;
	const char		*self;
	struct bn_stomp		*cons;		/* advisories, subs, acks */
	struct bn_stomp		*prod;		/* SENDs of received messages */
	struct bn_lock		*lock;		/* on the prod session */
	char			*lock_queue;
	enum bn_role		 role;
	uint64_t		 role_since_ms;	/* wall clock */
	char			*role_reason;
	uint64_t		 role_changes;
	struct event		*lock_wait_ev;	/* suspended: lock not back */
	bool			 adv_subscribed;
	bool			 broker_up;	/* cons session established */
	struct bn_preflight	*pf;		/* checks the cons session */
	uint64_t		 broker_gen;	/* bumped per cons session */
	char			*own_sessions[8];/* ours, newest first */
	struct bn_demand	 demand;
	struct bn_dedup		 dedup;		/* receive-side window */
	struct bn_hmap		 doubt;		/* tx -> batch in doubt */
	struct bn_hmap		 pending_tx;	/* tx -> batch awaiting receipt */
	TAILQ_HEAD(, recv_parked) parked;	/* arrived during recovery */
	size_t			 nparked;
	size_t			 parked_bytes;
	bool			 recovering;	/* markers not read yet */
	char			 boot_id[24];
	char			*marker_queue;
	struct bn_markers	*markers;	/* the window's broker copy */
	struct bn_recv_batch	*rx_batch;	/* open store transaction */
	struct event		*rx_batch_ev;	/* commits it */
	uint64_t		 next_tx;

	struct bn_hmap		 consumers;	/* consumer id -> queue */
	struct bn_linkq		 links;
	uint64_t		 next_link_id;
	struct bn_dialerq	 dialers;
	struct bn_mcastq	 mcasts;
	struct bn_listener	*listeners;
	void			*tls_client;	/* SSL_CTX for ssl:// peers */
	size_t			 nlisteners;
	struct bn_hmap		 subs_by_id;	/* STOMP sub id -> fwd sub */
	uint64_t		 next_sub;
	struct evhttp		*http;
	struct bn_counters	 c;
	uint64_t		 started_ms;
	bool			 stopping;
	uint64_t		 stop_deadline;
	struct event		*stop_timer;
	struct event		*replay_timer;
	struct bn_pace		*pace;		/* consumer pacing (pace.c) */
	struct event		*sigs[4];
	int			 exit_code;
};

/* daemon.c */
struct bn_daemon *bn_daemon_new(struct event_base *, struct bn_config *);
int	 bn_daemon_start(struct bn_daemon *);
void	 bn_daemon_free(struct bn_daemon *);
/* Re-evaluates what every link should be told about queue q. */
void	 bn_daemon_queue_changed(struct bn_daemon *, const char *q);
/* Calls bn_daemon_queue_changed for each NUL-separated name in buf. */
void	 bn_daemon_queues_changed(struct bn_daemon *, const struct bn_buf *);
/* Starts a graceful stop (SIGTERM). */
void	 bn_daemon_stop(struct bn_daemon *);
/* "active", "standby" or "suspended". */
const char *bn_daemon_role_name(enum bn_role);

/* forward.c */
/* Creates, keeps or drains the subscription of link for q. */
void	 bn_fwd_sync(struct bn_link *, const char *q);
/* Static includes of the link (at link up / broker reconnect). */
void	 bn_fwd_sync_static(struct bn_link *);
/* Re-creates every subscription after a broker reconnect. */
void	 bn_fwd_resubscribe_all(struct bn_daemon *);
/* Marks every subscription unsubscribed (broker session lost). */
void	 bn_fwd_broker_lost(struct bn_daemon *);
/* A MESSAGE from the broker for a network subscription. */
void	 bn_fwd_on_broker_message(struct bn_daemon *, struct bn_frame *);
/* True for headers that belong to one delivery (ack, message-id, ...). */
bool	 bn_fwd_is_delivery_header(const char *);
/* Appends the headers of f that travel on, escaped, each as "\nname:value";
 * hop: leave out brokernet_path and brokernet_hops too. */
void	 bn_fwd_wire_headers(const struct bn_frame *, bool hop, struct bn_buf *);
/* An ACK from a link: ack those messages on our broker. */
int	 bn_fwd_on_link_ack(struct bn_link *, const char *ids);
/* Drops every subscription and in-flight entry of a closing link. */
void	 bn_fwd_link_closed(struct bn_link *);
/* Starts the periodic stranded-message check. */
void	 bn_fwd_start(struct bn_daemon *);
/* Stops taking new messages (graceful stop). */
void	 bn_fwd_quiesce(struct bn_daemon *);
uint64_t bn_fwd_total_inflight(struct bn_daemon *);
/* Sends broker message f of s over s's link; takes f. */
void	 bn_fwd_send(struct bn_fwd_sub *, struct bn_frame *);
/* Pacing: s drains and drops; bn_fwd_sync makes it again when the credit
 * is back (pace.h). */
void	 bn_fwd_pause(struct bn_fwd_sub *);

/* fwdhold.c: what a paced subscription holds for credit. */
void	 bn_hold_add(struct bn_fwd_sub *, struct bn_frame *);
/* Forgets the held messages (unacked: the broker gives them to others once
 * the subscription goes; it must not be wanted again, see fwd_want). */
void	 bn_hold_drop(struct bn_fwd_sub *);
/* A report for q came: held messages go on as far as the credit allows;
 * a paused (link, q) resumes when it may. */
void	 bn_hold_release(struct bn_link *, const char *q);
/* Pauses what held too long, resumes what may; true while any holds or
 * waits. */
bool	 bn_hold_tick(struct bn_daemon *);

/* receive.c */
/* A MESSAGE from a link: store it on our broker (batched in a
 * transaction), then ack it over the link. Takes the frame. */
int	 bn_recv_on_link_message(struct bn_link *, struct bn_frame *);
/* The store session: in-doubt batches, browse results, session loss. */
void	 bn_recv_doubt(struct bn_stomp *, void *ctx, void *arg);
void	 bn_recv_on_store_message(struct bn_daemon *, struct bn_frame *);
void	 bn_recv_store_lost(struct bn_daemon *);
void	 bn_recv_store_connected(struct bn_daemon *);
void	 bn_recv_link_closed(struct bn_daemon *, uint64_t link);
/* A standby now: batches in doubt are left to the active sidecar. */
void	 bn_recv_abandon(struct bn_daemon *);
void	 bn_recv_init(struct bn_daemon *);
void	 bn_recv_free(struct bn_daemon *);

/* status.c */
int	 bn_status_start(struct bn_daemon *);
void	 bn_status_stop(struct bn_daemon *);
void	 bn_status_json(struct bn_daemon *, struct bn_buf *);
void	 bn_status_metrics(struct bn_daemon *, struct bn_buf *);

#endif /* BN_DAEMON_H */
