/*
 * The receiving side's duplicate window: keys of messages already stored
 * on our broker (origin broker, origin message id, path at arrival),
 * bounded by count and age. Pure: the state file is in dedupstore.c.
 */
#ifndef BN_DEDUP_H
#define BN_DEDUP_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/hmap.h"

struct bn_dedup_waiter {
	uint64_t	link;
	uint64_t	seq;
};

enum bn_dedup_state {
	BN_DEDUP_STORING = 1,	/* SEND issued, receipt pending */
	BN_DEDUP_STORED		/* receipted */
};

struct bn_dedup_ent {
	TAILQ_ENTRY(bn_dedup_ent) entry;	/* oldest first */
	enum bn_dedup_state	 state;
	uint64_t		 ts_ms;		/* when received (wall clock):
						   keeps the FIFO in order */
	struct bn_dedup_waiter	*waiters;	/* duplicates waiting for the
						   first copy's receipt */
	size_t			 nwaiters;
	char			*key;		/* points into the hmap */
};
TAILQ_HEAD(bn_dedup_q, bn_dedup_ent);

struct bn_dedup {
	struct bn_hmap		map;		/* key -> struct bn_dedup_ent */
	struct bn_dedup_q	fifo;
	size_t			max_count;
	uint64_t		max_age_ms;
	uint64_t		suppressed;	/* duplicates seen */
	uint64_t		evicted;
};

void	 bn_dedup_init(struct bn_dedup *, size_t max_count, uint64_t max_age_ms);
void	 bn_dedup_free(struct bn_dedup *);
/* The entry for key, or NULL (expired entries are evicted first). */
struct bn_dedup_ent *bn_dedup_get(struct bn_dedup *, const char *key,
	    uint64_t now_ms);
/* Adds key in state (must not exist); evicts by count. */
struct bn_dedup_ent *bn_dedup_add(struct bn_dedup *, const char *key,
	    enum bn_dedup_state, uint64_t now_ms);
/* Removes key (a store that failed). */
void	 bn_dedup_del(struct bn_dedup *, const char *key);
/* Evicts stored entries older than max_age (in-progress ones stay). */
void	 bn_dedup_expire(struct bn_dedup *, uint64_t now_ms);
/* Remembers a duplicate that waits for the first copy's receipt. */
void	 bn_dedup_wait(struct bn_dedup_ent *, uint64_t link, uint64_t seq);
size_t	 bn_dedup_count(const struct bn_dedup *);

/* Builds the key "origin|origin_id|path" into out (size n); -1 if absent
 * or too long. */
int	 bn_dedup_key(const char *origin, const char *origin_id,
	    const char *path, char *out, size_t n);

#endif /* BN_DEDUP_H */
