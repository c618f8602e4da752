/*
 * The store session's commit markers, the duplicate window's durable copy
 * on the broker (the private queue brokernet.commits.NAME).
 *
 * Every store transaction carries a marker with the keys of its messages:
 * it exists if and only if the batch committed. Markers stay on the broker
 * while their keys are in the window (duplicateWindow, duplicateWindowAge;
 * the list is marks.c), so a sidecar that starts with an empty working
 * directory, on this host or another, rebuilds its window from the broker.
 *
 * A store session starts by reading every marker: an exclusive
 * subscription holds them all unacked, and a probe message sent behind them
 * says when the last one has arrived. Trimming ACKs markers that left the
 * window; merging turns many small markers into one, in one transaction.
 *
 * Owned by receive.c, which reports nothing back to: this module reports
 * upward through bn_markers_ops.
 */
#ifndef BN_MARKERS_H
#define BN_MARKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct bn_buf;
struct bn_dedup;
struct bn_frame;
struct bn_stomp;
struct bn_markers;

struct bn_markers_ops {
	/*
	 * The marker of batch tx is on the broker. Returns true when tx is
	 * a batch of this process (in doubt: now settled as stored; or
	 * awaiting its receipt): its keys are in the window already.
	 */
	bool	(*found)(void *arg, const char *tx);
	/* Every marker has been read: the window is complete. */
	void	(*recovered)(void *arg);
};

/*
 * queue: the marker queue's STOMP destination; boot_id: unique per process
 * (merged markers' names); dd: the window the markers' keys go to. All
 * must outlive the object. Returns the object (bn_markers_free frees).
 */
struct bn_markers *bn_markers_new(struct event_base *, const char *queue,
	    const char *boot_id, struct bn_dedup *dd,
	    const struct bn_markers_ops *, void *arg);
/* Accepts NULL. */
void	 bn_markers_free(struct bn_markers *);
/* A new store session st: reads every marker, then ops->recovered. */
void	 bn_markers_connected(struct bn_markers *, struct bn_stomp *st);
/* The store session is gone: ack ids and the read in progress with it. */
void	 bn_markers_lost(struct bn_markers *);
/* True for a MESSAGE of the marker subscription (subscription header). */
bool	 bn_markers_is_theirs(const struct bn_frame *);
/* Takes a MESSAGE for which bn_markers_is_theirs is true (not freed). */
void	 bn_markers_on_message(struct bn_markers *, const struct bn_frame *);
/*
 * Appends batch tx's marker SEND (in transaction tx, keys as its body) to
 * wire. Persistent when the batch holds a persistent message; a batch of
 * non-persistent messages gets a non-persistent marker: a broker restart
 * loses it with them, and the commit then needs no journal write.
 */
void	 bn_markers_wire(struct bn_markers *, const char *tx,
	    const struct bn_buf *keys, bool persistent, struct bn_buf *wire);
/*
 * A lone non-persistent message went as a plain SEND on st, outside any
 * transaction: its marker follows it on the same session, non-persistent
 * too (a broker restart loses both, a sidecar crash neither).
 */
void	 bn_markers_send_plain(struct bn_markers *, struct bn_stomp *st,
	    const char *tx, const struct bn_buf *keys);
/* Batch tx (nkeys keys) committed: its marker is on the broker. */
void	 bn_markers_committed(struct bn_markers *, const char *tx,
	    uint32_t nkeys);
/* True between a session's start and the end of its marker read. */
bool	 bn_markers_reading(const struct bn_markers *);

/* For /status and /metrics. */
size_t	 bn_markers_count(const struct bn_markers *);
uint64_t bn_markers_keys(const struct bn_markers *);
uint64_t bn_markers_restored(const struct bn_markers *);
uint64_t bn_markers_merges(const struct bn_markers *);

#endif /* BN_MARKERS_H */
