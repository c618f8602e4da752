/*
 * A string-keyed hash map (chained, power-of-two buckets). Pure. Keys are
 * copied; values are the caller's. Iteration order is unspecified and
 * differs between processes: keys are hashed with SipHash-2-4 under a
 * random key drawn (getrandom, via arc4random_buf) at the first hash.
 */
#ifndef BN_HMAP_H
#define BN_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bn_hmap_ent {
	struct bn_hmap_ent	*next;
	size_t			 hash;
	void			*value;
	char			 key[];
};

struct bn_hmap {
	struct bn_hmap_ent	**b;
	size_t			  nb;
	size_t			  n;
};

/*
 * Sets the hash key instead of a random one, for deterministic tests. Call
 * it before any map holds an entry: entries keep the hash they were put
 * with.
 */
void	 bn_hmap_seed(uint64_t k0, uint64_t k1);
/* The hash a key gets under the current key. */
size_t	 bn_hmap_hash(const char *key);

void	 bn_hmap_init(struct bn_hmap *);
/* Frees the entries (not the values). */
void	 bn_hmap_clear(struct bn_hmap *);
/* Frees every value with free(3), then the entries. */
void	 bn_hmap_clear_free(struct bn_hmap *);
/* The value for key, or NULL. */
void	*bn_hmap_get(const struct bn_hmap *, const char *key);
/* Sets key to value; returns the previous value or NULL. */
void	*bn_hmap_put(struct bn_hmap *, const char *key, void *value);
/* Removes key; returns its value or NULL. */
void	*bn_hmap_del(struct bn_hmap *, const char *key);
size_t	 bn_hmap_count(const struct bn_hmap *);

/* Iteration: for (e = bn_hmap_first(m, &i); e; e = bn_hmap_next(m, e, &i)) */
struct bn_hmap_ent *bn_hmap_first(const struct bn_hmap *, size_t *);
struct bn_hmap_ent *bn_hmap_next(const struct bn_hmap *, struct bn_hmap_ent *,
	    size_t *);

#endif /* BN_HMAP_H */
