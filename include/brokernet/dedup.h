/*
 * The receiving side's duplicate window: messages already stored on our
 * broker, keyed by (origin broker, origin message id, path at arrival),
 * bounded by count and age. Pure. Its durable copy is the commit markers
 * on the broker (markers.c).
 *
 * The window keeps a keyed 128-bit fingerprint of each key (SipHash-2-4
 * with a random key per process), not the key: a full window of 100,000
 * keys costs about 5.9 MB whatever the key length (48-byte entries from
 * slabs, no malloc header each, and the buckets), and a peer cannot make
 * keys collide without that random key. The rare duplicates that wait for
 * a first copy's receipt are kept apart, not in every entry.
 */
#ifndef BN_DEDUP_H
#define BN_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bn_dedup_waiter {
	uint64_t	link;
	uint64_t	seq;
};

enum bn_dedup_state {
	BN_DEDUP_GONE = 0,	/* deleted: waits in the FIFO to be freed */
	BN_DEDUP_STORING,	/* SEND issued, receipt pending */
	BN_DEDUP_STORED		/* receipted */
};

struct bn_dedup_ent {
	struct bn_dedup_ent	*fifo_next;	/* oldest first; free list */
	struct bn_dedup_ent	*hash_next;
	uint64_t		 h[2];		/* the key's fingerprint */
	uint64_t		 ts_ms;		/* when received (wall clock):
						   keeps the FIFO in order */
	uint8_t			 state;		/* enum bn_dedup_state */
	bool			 waited;	/* has waiters (dd->wait) */
};

/* A duplicate waiting for entry e's receipt. */
struct bn_dedup_wait {
	struct bn_dedup_ent	*e;
	struct bn_dedup_waiter	 w;
};

struct bn_dedup_slab;

struct bn_dedup {
	struct bn_dedup_ent	**b;		/* hash buckets */
	size_t			  nb;
	size_t			  n;		/* live entries */
	struct bn_dedup_ent	 *head, *tail;	/* FIFO, deleted ones too */
	struct bn_dedup_slab	 *slabs;	/* where entries live */
	struct bn_dedup_ent	 *free_ents;	/* unused ones in slabs */
	struct bn_dedup_wait	 *wait;		/* in arrival order */
	size_t			  nwait, capwait;
	uint64_t		  key[2];	/* the fingerprints' key */
	size_t			  max_count;
	uint64_t		  max_age_ms;
	uint64_t		  suppressed;	/* duplicates seen */
	uint64_t		  evicted;
};

/* A window of max_count keys (0 counts as 1), max_age_ms (0: no bound). */
void	 bn_dedup_init(struct bn_dedup *, size_t max_count, uint64_t max_age_ms);
void	 bn_dedup_free(struct bn_dedup *);
/* The entry for key, or NULL (expired entries are evicted first). */
struct bn_dedup_ent *bn_dedup_get(struct bn_dedup *, const char *key,
	    uint64_t now_ms);
/* The entry for key, or NULL, without expiring anything. */
struct bn_dedup_ent *bn_dedup_find(const struct bn_dedup *, const char *key);
/* Adds key in state (must not exist); evicts by count. */
struct bn_dedup_ent *bn_dedup_add(struct bn_dedup *, const char *key,
	    enum bn_dedup_state, uint64_t now_ms);
/* Removes key (a store that failed). */
void	 bn_dedup_del(struct bn_dedup *, const char *key);
/* Evicts stored entries older than max_age (in-progress ones stay). */
void	 bn_dedup_expire(struct bn_dedup *, uint64_t now_ms);
/* Remembers a duplicate that waits for the first copy's receipt. */
void	 bn_dedup_wait(struct bn_dedup *, struct bn_dedup_ent *, uint64_t link,
	    uint64_t seq);
/* The duplicates waiting for e, in arrival order, into *out (the caller
 * frees it; NULL when none); they no longer wait. Returns their number. */
size_t	 bn_dedup_take_waiters(struct bn_dedup *, struct bn_dedup_ent *,
	    struct bn_dedup_waiter **out);
size_t	 bn_dedup_count(const struct bn_dedup *);
/* Bytes the window allocated: slabs, buckets, waiters. */
size_t	 bn_dedup_bytes(const struct bn_dedup *);
/* key's fingerprint in this window (tests compare entries with it). */
void	 bn_dedup_fingerprint(const struct bn_dedup *, const char *key,
	    uint64_t h[2]);

/* Builds the key "origin|origin_id|path" into out (size n); -1 if absent
 * or too long. */
int	 bn_dedup_key(const char *origin, const char *origin_id,
	    const char *path, char *out, size_t n);

#endif /* BN_DEDUP_H */
