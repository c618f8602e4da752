/*
 * Stream compression of a link's byte stream (zstd), one context per
 * direction so that what repeats across frames (header names, paths, JSON
 * keys) is compressed too. Pure: no I/O, no libevent; the link layer
 * (bridge/linkz.c) feeds it bytes and writes what it returns.
 *
 * Memory per link is bounded by the constants below: the compressor keeps
 * a 2^BN_ZLINK_WINDOW_LOG byte history, the decompressor refuses frames
 * that ask for a larger window and produces at most the caller's room per
 * call, so a peer controls neither allocation nor output size.
 */
#ifndef BN_ZLINK_H
#define BN_ZLINK_H

#include <stdbool.h>
#include <stddef.h>

struct bn_buf;

#define BN_ZLINK_LEVEL		1	/* zstd level: ~20 % of 1 KiB JSON */
#define BN_ZLINK_WINDOW_LOG	17	/* 128 KiB history per direction */

struct bn_zenc;
struct bn_zdec;

/* A compressor for one direction; never NULL (aborts on out-of-memory). */
struct bn_zenc	*bn_zenc_new(void);
/*
 * Compresses in[0..len) and appends what zstd emits to out. With flush,
 * ends the current block so that the peer can decode every byte given so
 * far. Returns 0, or -1 with *err (zstd failed; the stream is unusable).
 */
int	 bn_zenc_write(struct bn_zenc *, const void *in, size_t len, bool flush,
	    struct bn_buf *out, const char **err);
/* Whether bytes were given since the last flush. */
bool	 bn_zenc_pending(const struct bn_zenc *);
/* Bytes the compressor holds (context, window, buffers). */
size_t	 bn_zenc_mem(const struct bn_zenc *);
/* Accepts NULL. */
void	 bn_zenc_free(struct bn_zenc *);

enum bn_zdec_result {
	BN_ZDEC_DONE = 0,	/* all input used, all output given */
	BN_ZDEC_FULL,		/* room used up: call again (with what is left) */
	BN_ZDEC_ERROR		/* corrupt or oversized stream; *err says why */
};

/* A decompressor for one direction; never NULL. */
struct bn_zdec	*bn_zdec_new(void);
/*
 * Decompresses from in[0..len), appending at most room bytes to out;
 * *used is the input consumed. BN_ZDEC_FULL: output may be pending inside
 * the decompressor even when *used == len, so call again.
 */
enum bn_zdec_result bn_zdec_read(struct bn_zdec *, const void *in, size_t len,
	    size_t room, size_t *used, struct bn_buf *out, const char **err);
/* Bytes the decompressor holds. */
size_t	 bn_zdec_mem(const struct bn_zdec *);
/* Accepts NULL. */
void	 bn_zdec_free(struct bn_zdec *);

#endif /* BN_ZLINK_H */
