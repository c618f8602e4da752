/*
 * The daemon (daemon.c): struct bn_daemon, brokernetd's runtime state,
 * with the lists and tables every module reaches through it, the counters
 * of /status and /metrics, the sidecar's role, and daemon.c's calls. What
 * belongs to one module is in that module's header: link.h (struct
 * bn_link), dial.h, listen.h, forward.h (network subscriptions),
 * fwdhold.h, receive.h, status.h. The configuration stays in struct
 * bn_config; everything here is runtime.
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
#include "brokernet/lock.h"
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
struct bn_tsub;
struct bn_durables;
struct bn_mdns;
struct bn_endpoint;
struct bn_daemon;
struct bn_dialer;
struct bn_link;
struct bn_link_ops;
struct bn_linkz;
struct bn_mcast;
struct bn_recv;
struct bn_markers;
struct bn_lock;
struct bn_preflight;
struct bn_pace;
struct bn_pace_tx;

/* brokernet's private queues (never demand, never forwarded). */
#define BN_PRIVATE_PREFIX	"brokernet."
/* Private queue of commit markers: brokernet.commits.NAME. */
#define BN_MARKER_PREFIX	"brokernet.commits."
/* Private queue of the active-sidecar lock: brokernet.lock.NAME. */
#define BN_LOCK_PREFIX		"brokernet.lock."

/* The lists of the daemon's links (link.h), dialers and multicast
 * connectors (dial.h). */
TAILQ_HEAD(bn_linkq, bn_link);
TAILQ_HEAD(bn_dialerq, bn_dialer);
TAILQ_HEAD(bn_mcastq, bn_mcast);

/* Counters exported on /status and /metrics. */
struct bn_counters {
	uint64_t	forwarded;	/* messages sent over links */
	uint64_t	forward_acked;	/* ... and confirmed, acked on broker */
	uint64_t	received;	/* messages received from links */
	uint64_t	stored;		/* ... and stored on our broker */
	uint64_t	store_failed;
	/* could not travel unchanged (owsess.h): kept or dead-lettered
	 * instead (the copy stored, the original acked) */
	uint64_t	unfaithful;
	/* ... whose copy the broker refused: the original given back */
	uint64_t	unfaithful_refused;
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

struct bn_daemon {
	struct event_base	*base;
	const struct bn_link_ops *link_ops;	/* what links report to */
	struct bn_config	*cfg;
	const char		*self;
	struct bn_stomp		*cons;		/* advisories, subs, acks */
	struct bn_stomp		*prod;		/* SENDs of received messages */
	struct bn_lock		*lock;		/* on the prod session */
	char			*lock_queue;
	char			*client_id;	/* the consumer session's */
	struct bn_tsub		*tsub;		/* durable topic subs */
	char			*tsub_queue;
	struct bn_durables	*durables;	/* durable demand, kept */
	char			*durables_queue;
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
	struct bn_recv		*rx;		/* receive.c's */
	char			 boot_id[24];

	struct bn_hmap		 consumers;	/* consumer id -> queue */
	struct bn_linkq		 links;
	struct bn_linkq		 dead_links;	/* closed, freed from the loop */
	unsigned int		 link_pauses;	/* 1 << bn_link_pause_why */
	struct event		*link_reap_ev;
	uint64_t		 next_link_id;
	struct bn_dialerq	 dialers;
	struct bn_mcastq	 mcasts;
	struct bn_listener	*listeners;
	void			*tls_client;	/* SSL_CTX for ssl:// peers */
	void			*broker_tls;	/* SSL_CTX for an ssl:// broker */
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
/* Starts a graceful stop (SIGTERM). */
void	 bn_daemon_stop(struct bn_daemon *);

#endif /* BN_DAEMON_H */
