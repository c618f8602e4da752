/*
 * A set kept with the broker (bset.c): string keys, each with a few
 * headers, stored as one persistent message per key in a private queue
 * ("brokernet.*"), held unacked by the active sidecar while the key lives
 * and acked when it is deleted. A sidecar that starts, restarts or takes
 * over reads the set back (up to a probe message it sends itself), so what
 * it must remember survives it without a dataDirectory.
 *
 * Used for the durable network subscriptions to topics (tsub.c) and the
 * durable subscriptions that are demand (durables.c). I/O on the store
 * session, which the daemon hands in; calls only the broker session.
 */
#ifndef BN_BSET_H
#define BN_BSET_H

#include <stdbool.h>
#include <stddef.h>

struct bn_bset;
struct bn_frame;
struct bn_stomp;

struct bn_bset_ops {
	/* An entry read from the broker that this run did not add. */
	void	(*found)(const char *key, const struct bn_frame *,
		    void *arg);
	/* The read is over: every entry on the broker was seen. */
	void	(*read)(size_t entries, void *arg);
};

/* sub_id: the subscription id on the store session (unique per set). */
struct bn_bset	*bn_bset_new(const char *sub_id, const char *queue,
		    const char *boot_id, const struct bn_bset_ops *,
		    void *arg);
void		 bn_bset_free(struct bn_bset *);
const char	*bn_bset_queue(const struct bn_bset *);

/* The store session holds the lock: read the set back, then keep it. */
void		 bn_bset_connected(struct bn_bset *,
		    struct bn_stomp *store);
/* The store session is gone (or the sidecar became a standby). */
void		 bn_bset_lost(struct bn_bset *);
bool		 bn_bset_reading(const struct bn_bset *);
bool		 bn_bset_is_theirs(const struct bn_bset *,
		    const struct bn_frame *);
void		 bn_bset_on_message(struct bn_bset *,
		    const struct bn_frame *);

/*
 * Keeps key on the broker with headers (name, value pairs, NULL-ended;
 * copied): written once, now or as soon as the store session allows.
 */
void		 bn_bset_add(struct bn_bset *, const char *key,
		    const char *const *headers);
/* Deletes key from the broker (now, or when its message comes back). */
void		 bn_bset_del(struct bn_bset *, const char *key);

#endif /* BN_BSET_H */
