/*
 * Consumer-paced forwarding (pace.c): a sidecar takes messages for a peer
 * only about as fast as that peer's consumers take them, plus a window.
 *
 * Receiving side: for each queue that links fill, the sidecar asks its
 * broker's statistics plugin (ActiveMQ.Statistics.Destination.Q, reply as
 * JSON on a temporary queue of the store session) how many messages wait
 * undispatched (size - inflightCount), and tells each link that fills the
 * queue: BN_PACE destination, backlog, stored (how many of that link's
 * messages for the queue it had stored when it asked). Without the plugin
 * (no answer to a probe) it logs the setting to add, once, and reports
 * nothing: the sender then forwards as before. With it, it announces that
 * on each link (BN_PACE on:1) before any report.
 *
 * Sending side: per (link, queue) it counts what it sent; the peer's
 * backlog plus what it sent since the report is the estimate, and the
 * credit is the window minus it. Only a queue that someone else could
 * consume here (a local consumer, or another link's demand) is paced: a
 * single path never waits. Out of credit, a subscription holds what the
 * broker dispatched; a report with credit sends it on; no credit within
 * BN_PACE_HOLD_MS, it is paused (drained, unsubscribed: the broker gives
 * the held messages to other consumers) and made again, with the credit as
 * its prefetch, when the backlog fell under half the window. Acks on the
 * source still follow the peer's store, never its consumption.
 *
 * Pacing is below forwarding: it keeps the credit and calls none of
 * forward.c, fwdhold.c and fwdpace.c. A report and its timer go up through
 * struct bn_pace_ops (fwdpace.c's), set at bn_pace_init.
 */
#ifndef BN_PACE_H
#define BN_PACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bn_daemon;
struct bn_link;
struct bn_frame;

/* Undispatched messages a paced peer may have per queue (its consumers'
 * prefetch comes on top). */
#define BN_PACE_WINDOW		20
/* A queue that links fill is asked about at most this often ... */
#define BN_PACE_POLL_MIN_MS	10
/* ... and, while it has a backlog or a paused sender, at least this. */
#define BN_PACE_POLL_IDLE_MS	50
/* No answer to an asked statistics request in this long: ask again. */
#define BN_PACE_REPLY_MS	1000
/* The plugin probe: no answer within this, pacing is off. */
#define BN_PACE_PROBE_MS	3000
/* A subscription holds messages at most this long before it pauses. */
#define BN_PACE_HOLD_MS		100
/* A queue nobody filled or asked about for this long is forgotten. */
#define BN_PACE_IDLE_FORGET_MS	5000
/* The store session's subscription for statistics replies. */
#define BN_PACE_SUB_ID		"bnpace"
#define BN_PACE_REPLY_TO	"/temp-queue/bnpace"
#define BN_PACE_PROBE_ID	"bnpace-probe"
/* What a broker needs in activemq.xml's <broker> for pacing. */
#define BN_PACE_SETTING		"<plugins><statisticsBrokerPlugin/></plugins>"

/* The sender's view of one (link, queue). */
struct bn_pace_tx {
	uint64_t	sent;		/* forwarded on the link for the queue */
	uint64_t	rep_stored;	/* the peer had stored, at its report */
	uint64_t	rep_backlog;	/* undispatched there, at its report */
	bool		reported;	/* a report came (since want) */
	bool		want;		/* the peer was asked to report */
	uint64_t	rep_ms;		/* when (monotonic) */
	bool		paused;		/* subscriptions dropped for credit */
	uint64_t	pauses;
};

/* Pure. */
/* window - (backlog + sent since the report); backlog 0 before one. */
int64_t	 bn_pace_credit(const struct bn_pace_tx *, uint64_t window);
/* A paused sender resumes at this credit (hysteresis: half the window). */
bool	 bn_pace_may_resume(const struct bn_pace_tx *, uint64_t window);
/*
 * Reads size and inflightCount from a statistics reply in jms-map-json
 * form ({"map":{"entry":[{"string":"size","long":5},...]}}). Returns -1
 * when either is missing.
 */
int	 bn_pace_parse_stats(const char *body, size_t len, uint64_t *size,
	    uint64_t *inflight);

/*
 * What pacing tells the forwarding above it (fwdpace.c): pace.c owns the
 * credit, not the subscriptions that wait for it.
 */
struct bn_pace_ops {
	/* A report for q came on the link: its credit changed. */
	void	(*credit)(struct bn_link *, const char *q);
	/* The pace timer ran: true while subscriptions still wait on it
	 * (messages held, a (link, queue) paused), to run it again soon. */
	bool	(*tick)(struct bn_daemon *);
};

/* Daemon side. */
/* The daemon's pacing (d->pace, freed by bn_pace_free); ops stays the
 * caller's. */
void	 bn_pace_init(struct bn_daemon *, const struct bn_pace_ops *);
void	 bn_pace_free(struct bn_daemon *);
/* The store session is up: subscribe for replies, probe for the plugin. */
void	 bn_pace_store_connected(struct bn_daemon *);
void	 bn_pace_store_lost(struct bn_daemon *);
/* A MESSAGE on the store session: true (and frees it) when it is ours. */
bool	 bn_pace_on_store_message(struct bn_daemon *, struct bn_frame *);
/* Receiving: a message of link for dest is stored (or was a duplicate). */
void	 bn_pace_stored(struct bn_daemon *, uint64_t link, const char *dest);
void	 bn_pace_link_closed(struct bn_daemon *, uint64_t link);
/* A link is up: tell the peer whether our backlog is reported. */
void	 bn_pace_link_up(struct bn_link *);

/* For /status and /metrics: "unknown", "probing", "on" or "off" (no
 * plugin), and the receiving side's counts. */
const char *bn_pace_state(const struct bn_daemon *);
void	 bn_pace_counts(const struct bn_daemon *, uint64_t *requests,
	    uint64_t *replies, uint64_t *reports);

/* A BN_PACE frame from the peer; false when it closed the link. */
bool	 bn_pace_on_frame(struct bn_link *, const struct bn_frame *);

/* Sending: the state of (link, q), made on first use; freed with the
 * link. */
struct bn_pace_tx *bn_pace_tx(struct bn_link *, const char *q);
void	 bn_pace_tx_free_all(struct bn_link *);
/* Whether q is paced on link now (a report, and someone else to take). */
bool	 bn_pace_active(struct bn_link *, const char *q);
/* Whether a subscription of link for q with pace state t (NULL: not
 * paced, static or a topic) may forward one more message now. */
bool	 bn_pace_may_send(struct bn_link *, const char *q,
	    const struct bn_pace_tx *);
/* The prefetch a new subscription of link for q gets. */
uint64_t bn_pace_prefetch(struct bn_link *, const char *q, uint64_t prefetch);
/* Whether the subscription of link for q waits for credit (clears the
 * pause when the credit is back). */
bool	 bn_pace_paused(struct bn_link *, const char *q);
/* Runs the pace timer soon (a subscription holds messages). */
void	 bn_pace_kick(struct bn_daemon *);

#endif /* BN_PACE_H */
