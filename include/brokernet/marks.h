/*
 * The broker-held duplicate window: the commit markers this sidecar keeps
 * on its broker's private queue brokernet.commits.NAME, oldest first. A
 * marker holds the duplicate-window keys of one committed store
 * transaction. Markers stay on the broker until they fall out of the
 * window (duplicateWindow keys, duplicateWindowAge ms), so a sidecar that
 * starts with an empty working directory rebuilds its window by browsing
 * them. Removing one takes the ack id that the marker subscription
 * delivered it with; the queue is FIFO and so is this list, so the oldest
 * markers are the ones delivered (and held unacked) first.
 *
 * Pure bookkeeping: no I/O. receive.c sends the markers, browses them,
 * and ACKs what bn_marks_trim_next returns.
 */
#ifndef BN_MARKS_H
#define BN_MARKS_H

#include <stddef.h>
#include <stdint.h>

struct bn_buf;
struct bn_marks;

/* Markers of at most this many keys keep their body for merging. */
#define BN_MARKS_SMALL	64

/* A window of at most max_keys keys (>= 1) and max_age_ms (0: no age). */
struct bn_marks *bn_marks_new(uint64_t max_keys, uint64_t max_age_ms);
/* Accepts NULL. */
void	 bn_marks_free(struct bn_marks *);
/* Forgets every marker (a new store session rebuilds the list). */
void	 bn_marks_clear(struct bn_marks *);
/*
 * A marker known to be on the broker (committed, or seen by the browse),
 * appended as the newest. Returns 0 when added, 1 when tx was known.
 */
int	 bn_marks_add(struct bn_marks *, const char *tx, uint64_t ts_ms,
	    uint32_t nkeys);
/*
 * The marker subscription delivered tx with ack_id (copied) and body (its
 * keys, one a line; copied when the marker is small, for merging). An
 * unknown tx is appended first. Returns 0, or 1 when tx was unknown.
 */
int	 bn_marks_delivered(struct bn_marks *, const char *tx, uint64_t ts_ms,
	    uint32_t nkeys, const char *ack_id, const char *body, size_t len);
/*
 * Merging keeps the number of markers on the broker small (a browse or a
 * prefetch window must see them all): when more than high small markers
 * are held, takes up to n of the oldest of them out of the list (big
 * markers never trigger a merge: a merge of small ones that could not
 * make a big one would be merged again and again).
 * Their ack ids are stored in acks (an array of n; the caller frees each),
 * their bodies appended to keys; *ts_ms gets the newest one's time and
 * *nkeys the key count. Returns how many were taken (0: no merge due).
 */
size_t	 bn_marks_merge_pick(struct bn_marks *, size_t high, size_t n,
	    char **acks, struct bn_buf *keys, uint64_t *ts_ms, uint32_t *nkeys);
/*
 * The oldest marker when it is due for removal (the window holds more than
 * max_keys keys without it, or it is older than max_age_ms) and was
 * delivered: it leaves the list and its ack id is returned (the caller
 * frees it and ACKs it). NULL when none is due or the oldest is not
 * delivered yet.
 */
char	*bn_marks_trim_next(struct bn_marks *, uint64_t now_ms);
size_t	 bn_marks_count(const struct bn_marks *);
uint64_t bn_marks_keys(const struct bn_marks *);
/* Markers held unacked (delivered, not yet trimmed). */
size_t	 bn_marks_held(const struct bn_marks *);
/* Of those, the small ones (kept with their body, merge candidates). */
size_t	 bn_marks_held_small(const struct bn_marks *);

#endif /* BN_MARKS_H */
