/* SipHash-2-4, 128-bit output (see siphash.h). */
#include <string.h>

#include "brokernet/siphash.h"

#define SIP_ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

static void
sip_rounds(uint64_t v[4], int n)
{
	while (n-- > 0) {
		v[0] += v[1];
		v[1] = SIP_ROTL(v[1], 13);
		v[1] ^= v[0];
		v[0] = SIP_ROTL(v[0], 32);
		v[2] += v[3];
		v[3] = SIP_ROTL(v[3], 16);
		v[3] ^= v[2];
		v[0] += v[3];
		v[3] = SIP_ROTL(v[3], 21);
		v[3] ^= v[0];
		v[2] += v[1];
		v[1] = SIP_ROTL(v[1], 17);
		v[1] ^= v[2];
		v[2] = SIP_ROTL(v[2], 32);
	}
}

static uint64_t
sip_le64(const unsigned char *p, size_t n)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void
bn_siphash128(const uint64_t key[2], const void *data, size_t len,
    uint64_t out[2])
{
	const unsigned char	*p = data;
	uint64_t		 v[4], m;
	size_t			 left = len;

	v[0] = 0x736f6d6570736575ULL ^ key[0];
	v[1] = 0x646f72616e646f6dULL ^ key[1] ^ 0xee;
	v[2] = 0x6c7967656e657261ULL ^ key[0];
	v[3] = 0x7465646279746573ULL ^ key[1];
	for (; left >= 8; left -= 8, p += 8) {
		m = sip_le64(p, 8);
		v[3] ^= m;
		sip_rounds(v, 2);
		v[0] ^= m;
	}
	m = sip_le64(p, left) | (uint64_t)len << 56;
	v[3] ^= m;
	sip_rounds(v, 2);
	v[0] ^= m;
	v[2] ^= 0xee;
	sip_rounds(v, 4);
	out[0] = v[0] ^ v[1] ^ v[2] ^ v[3];
	v[1] ^= 0xdd;
	sip_rounds(v, 4);
	out[1] = v[0] ^ v[1] ^ v[2] ^ v[3];
}
