/*
 * SipHash-2-4 with a 128-bit result (Aumasson and Bernstein's keyed hash):
 * the duplicate window keeps this fingerprint of each key instead of the
 * key, so a full window costs about 70 bytes a key, and a peer cannot
 * choose keys that collide without the process's random key. Pure.
 */
#ifndef BN_SIPHASH_H
#define BN_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* out[0], out[1]: the two 64-bit halves, as the reference's bytes read
 * little-endian. */
void	bn_siphash128(const uint64_t key[2], const void *data, size_t len,
	    uint64_t out[2]);

#endif /* BN_SIPHASH_H */
