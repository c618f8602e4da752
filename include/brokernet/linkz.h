/*
 * A link's optional encodings, agreed in the handshake: "compact" (short
 * message headers, include/brokernet/linkhdr.h) and "zstd" (the byte
 * stream compressed both ways, include/brokernet/zlink.h). This is the
 * libevent glue between those pure modules and link.c:
 *
 *   dialer   BN_HELLO   features:compact[,zstd]   what it offers
 *   acceptor BN_WELCOME features:...              what it chose (a subset)
 *
 * A peer without the header (link version 1 as first released) gets
 * neither. Compression starts right after each side's handshake frame:
 * the acceptor compresses what follows its BN_WELCOME, the dialer what
 * follows its BN_HELLO once the BN_WELCOME arrived. Output is flushed at
 * the end of each event-loop iteration that wrote (one burst), so latency
 * does not grow at low load; TLS links compress before encrypting (the
 * compressed bytes are what goes into the TLS bufferevent).
 */
#ifndef BN_LINKZ_H
#define BN_LINKZ_H

#include <stdbool.h>
#include <stddef.h>

struct evbuffer;
struct bn_frame;
struct bn_link;
struct bn_linkhdr_state;

/* Decompressed bytes produced between two frame-parser runs. */
#define BN_LINKZ_STEP	65536

/* Dialer: adds the features header to its BN_HELLO. */
void	bn_linkz_offer(struct bn_link *, struct bn_frame *hello);
/* Acceptor: chooses from the peer's BN_HELLO, tells it in the BN_WELCOME. */
void	bn_linkz_choose(struct bn_link *, const struct bn_frame *hello,
	    struct bn_frame *welcome);
/* Dialer: takes the acceptor's choice; -1 with *err if it chose what was
 * not offered. */
int	bn_linkz_chosen(struct bn_link *, const struct bn_frame *welcome,
	    const char **err);
/* Both: the handshake frame is through; compress from here on. */
void	bn_linkz_start(struct bn_link *);
/* Whether the link's input is compressed. */
bool	bn_linkz_reading(const struct bn_link *);
/* Whether the link compresses ("zstd") and the agreed features, for
 * /status ("none", "compact", "compact,zstd"). */
const char *bn_linkz_features(const struct bn_link *);
/*
 * Compresses and writes to the link's bufferevent when compression is on
 * (counting wire bytes in bytes_out) and returns true; false when off (the
 * caller writes the bytes itself).
 */
bool	bn_linkz_write(struct bn_link *, const char *, size_t);
/* Writes out what the compressor holds (before a flush-then-close). */
void	bn_linkz_flush(struct bn_link *);
/*
 * Decompresses everything in `in` in steps of BN_LINKZ_STEP bytes and
 * hands each complete frame to cb (as bn_evframe_read does). Returns 0, 1
 * when the link went away inside cb (do not touch it), or -1 with *err
 * (corrupt stream, or more than maxFrameSize decompressed without a
 * complete frame: a compression bomb).
 */
int	bn_linkz_read(struct bn_link *, struct evbuffer *in,
	    bool (*cb)(struct bn_frame *, void *), const char **err);
/* The compact form's state for messages we send / receive; NULL when the
 * link uses the long form. */
struct bn_linkhdr_state *bn_linkz_tx(struct bn_link *);
/*
 * A compact "M" frame f back to its long MESSAGE form (f is freed).
 * NULL with *err when f is malformed or compact was not agreed.
 */
struct bn_frame *bn_linkz_decode(struct bn_link *, struct bn_frame *f,
	    const char **err);
/* Bytes before compression / after decompression, for /status. */
void	bn_linkz_plain_bytes(const struct bn_link *, unsigned long long *out,
	    unsigned long long *in);
/* Frees the link's encoding state (accepts a link without any). */
void	bn_linkz_free(struct bn_link *);

#endif /* BN_LINKZ_H */
