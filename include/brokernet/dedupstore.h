/*
 * The duplicate window's state file, so that a restarted sidecar still
 * knows which messages it stored: an append-only log of "ts key" lines,
 * compacted from the in-memory window when it grows to twice its size.
 * Written before the stored-ack goes over the link; a process crash
 * loses nothing that write() accepted (an OS crash may: no fsync per
 * message, by choice).
 */
#ifndef BN_DEDUPSTORE_H
#define BN_DEDUPSTORE_H

#include <stdint.h>

struct bn_dedup;
struct bn_dedupstore;

/* Loads path into dd (unexpired entries) and opens it for appending.
 * Returns NULL with a logged reason on error. */
struct bn_dedupstore *bn_dedupstore_open(const char *path, struct bn_dedup *,
	    uint64_t now_ms);
/* Appends one stored key; compacts when the file has grown. */
void	bn_dedupstore_append(struct bn_dedupstore *, struct bn_dedup *,
	    uint64_t ts_ms, const char *key);
/* Accepts NULL. */
void	bn_dedupstore_close(struct bn_dedupstore *);

#endif /* BN_DEDUPSTORE_H */
