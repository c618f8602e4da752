/*
 * Unit tests for bridge/siphash.c: the reference's first 128-bit test
 * vectors, and agreement with OpenSSL's SIPHASH MAC (size 16) on inputs of
 * every length from 0 to 64 and random keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "brokernet/siphash.h"

static void
key_from_bytes(const unsigned char b[16], uint64_t k[2])
{
	size_t	i;

	k[0] = k[1] = 0;
	for (i = 0; i < 8; i++) {
		k[0] |= (uint64_t)b[i] << (8 * i);
		k[1] |= (uint64_t)b[8 + i] << (8 * i);
	}
}

static void
to_bytes(const uint64_t h[2], unsigned char out[16])
{
	size_t	i;

	for (i = 0; i < 8; i++) {
		out[i] = (unsigned char)(h[0] >> (8 * i));
		out[8 + i] = (unsigned char)(h[1] >> (8 * i));
	}
}

/* vectors.h of the reference implementation, 128-bit, first lines */
static void
test_reference_vectors(void **state)
{
	static const unsigned char want[3][16] = {
		{ 0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6,
		  0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93 },
		{ 0xda, 0x87, 0xc1, 0xd8, 0x6b, 0x99, 0xaf, 0x44,
		  0x34, 0x76, 0x59, 0x11, 0x9b, 0x22, 0xfc, 0x45 },
		{ 0x81, 0x77, 0x22, 0x8d, 0xa4, 0xa4, 0x5d, 0xc7,
		  0xfc, 0xa3, 0x8b, 0xde, 0xf6, 0x0a, 0xff, 0xe4 },
	};
	unsigned char	kb[16], in[16], out[16];
	uint64_t	k[2], h[2];
	size_t		i;

	for (i = 0; i < 16; i++)
		kb[i] = in[i] = (unsigned char)i;
	key_from_bytes(kb, k);
	for (i = 0; i < 3; i++) {
		bn_siphash128(k, in, i, h);
		to_bytes(h, out);
		assert_memory_equal(out, want[i], 16);
	}
}

static void
openssl_siphash(const unsigned char key[16], const unsigned char *in,
    size_t len, unsigned char out[16])
{
	EVP_MAC		*mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	EVP_MAC_CTX	*ctx;
	size_t		 size = 16, outl = 0;
	OSSL_PARAM	 params[2];

	assert_non_null(mac);
	ctx = EVP_MAC_CTX_new(mac);
	assert_non_null(ctx);
	params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	params[1] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_MAC_init(ctx, key, 16, params), 1);
	assert_int_equal(EVP_MAC_update(ctx, in, len), 1);
	assert_int_equal(EVP_MAC_final(ctx, out, &outl, 16), 1);
	assert_int_equal(outl, 16);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
}

static void
test_agrees_with_openssl(void **state)
{
	unsigned char	kb[16], in[64], want[16], got[16];
	uint64_t	k[2], h[2];
	size_t		len, round;

	for (round = 0; round < 8; round++) {
		assert_int_equal(RAND_bytes(kb, sizeof(kb)), 1);
		assert_int_equal(RAND_bytes(in, sizeof(in)), 1);
		key_from_bytes(kb, k);
		for (len = 0; len <= sizeof(in); len++) {
			openssl_siphash(kb, in, len, want);
			bn_siphash128(k, in, len, h);
			to_bytes(h, got);
			if (memcmp(got, want, 16) != 0)
				fail_msg("length %zu differs from OpenSSL", len);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_vectors),
		cmocka_unit_test(test_agrees_with_openssl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
