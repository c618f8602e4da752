/*
 * bnbench --body json: message bodies that look like an application's
 * JSON order events (ids, timestamps, customers, amounts, nested items,
 * free text), derived from the seq alone with an LCG so that a consumer in
 * another process regenerates and checks every byte, and padded (or cut)
 * to exactly the requested size. Varied per message, repetitive across
 * messages the way real events are: what stream compression is about.
 * Header-only: included by tools/bnbench.c only.
 */
#ifndef BN_BENCHBODY_H
#define BN_BENCHBODY_H

#include <stdint.h>
#include <string.h>

#include "brokernet/util.h"

#define BB_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static uint32_t
bb_next(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

/* Fills p[0..n) with the JSON body of seq. */
static void
bench_json_fill(uint64_t seq, unsigned char *p, size_t n)
{
	static const char *const first[] = { "Alice", "Bo", "Carla",
	    "Dmitri", "Eve", "Farid", "Grace", "Hiro", "Ines", "Jonas" };
	static const char *const last[] = { "Martin", "Chen", "Diaz",
	    "Ivanov", "Okafor", "Schmidt", "Rossi", "Tanaka", "Silva",
	    "Novak" };
	static const char *const cities[] = { "Rotterdam", "Lyon", "Porto",
	    "Gdansk", "Leipzig", "Bilbao", "Turin", "Ghent" };
	static const char *const products[] = { "USB-C cable 2m",
	    "Wireless mouse", "27in monitor", "Laptop stand",
	    "Mechanical keyboard", "Noise cancelling headphones",
	    "Webcam 1080p", "Desk lamp", "Docking station", "HDMI adapter" };
	static const char *const words[] = { "please", "deliver", "to", "the",
	    "back", "door", "after", "5pm", "call", "before", "arrival", "gift",
	    "wrap", "leave", "with", "neighbour", "fragile", "handle", "care" };
	static const char *const status[] = { "CREATED", "PAID", "PACKED",
	    "SHIPPED" };
	struct bn_buf	 b = { 0 };
	uint32_t	 x = (uint32_t)(seq * 2654435761ULL + 0x7f4a7c15ULL);
	unsigned	 i, items;
	size_t		 room;

	/* mix the seed (murmur3's finaliser): neighbouring seqs differ */
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;

	bn_buf_printf(&b, "{\"eventType\":\"order.%s\",\"eventId\":\""
	    "%08x-%04x-4%03x-%04x-%012llx\",\"orderId\":\"ORD-%07u\","
	    "\"occurredAt\":\"2026-12-%02uT%02u:%02u:%02u.%03uZ\","
	    "\"customer\":{\"customerId\":\"C%06u\",\"name\":\"%s %s\","
	    "\"email\":\"%s.%s@example.com\",\"loyaltyTier\":\"%s\"},",
	    status[bb_next(&x) % BB_NELEM(status)],
	    bb_next(&x) << 8 | (bb_next(&x) & 0xff),
	    bb_next(&x) & 0xffff, bb_next(&x) & 0xfff, bb_next(&x) & 0xffff,
	    (unsigned long long)bb_next(&x) << 24 | bb_next(&x),
	    (unsigned)(1000000 + seq % 9000000), 1 + bb_next(&x) % 28,
	    bb_next(&x) % 24, bb_next(&x) % 60, bb_next(&x) % 60,
	    bb_next(&x) % 1000, bb_next(&x) % 1000000,
	    first[bb_next(&x) % BB_NELEM(first)],
	    last[bb_next(&x) % BB_NELEM(last)],
	    first[bb_next(&x) % BB_NELEM(first)],
	    last[bb_next(&x) % BB_NELEM(last)],
	    bb_next(&x) % 3 ? "STANDARD" : "GOLD");
	bn_buf_addstr(&b, "\"items\":[");
	items = 2 + bb_next(&x) % 4;
	for (i = 0; i < items; i++)
		bn_buf_printf(&b, "%s{\"lineId\":%u,\"sku\":\"SKU-%05u\","
		    "\"description\":\"%s\",\"quantity\":%u,\"unitPrice\":"
		    "{\"amount\":\"%u.%02u\",\"currency\":\"EUR\"},"
		    "\"warehouse\":\"WH-%02u\"}", i ? "," : "", i + 1,
		    bb_next(&x) % 100000,
		    products[bb_next(&x) % BB_NELEM(products)],
		    1 + bb_next(&x) % 5, bb_next(&x) % 900,
		    bb_next(&x) % 100, bb_next(&x) % 12);
	bn_buf_printf(&b, "],\"shipping\":{\"method\":\"%s\",\"address\":"
	    "{\"street\":\"%u Harbour Road\",\"city\":\"%s\",\"postalCode\":"
	    "\"%04u\",\"country\":\"EU\"}},\"payment\":{\"method\":\"CARD\","
	    "\"last4\":\"%04u\",\"authorized\":true},\"total\":{\"amount\":"
	    "\"%u.%02u\",\"currency\":\"EUR\"},\"note\":\"",
	    bb_next(&x) % 2 ? "EXPRESS" : "STANDARD", 1 + bb_next(&x) % 300,
	    cities[bb_next(&x) % BB_NELEM(cities)], bb_next(&x) % 10000,
	    bb_next(&x) % 10000, bb_next(&x) % 5000, bb_next(&x) % 100);
	/* free text up to the size, then the closing quote and brace */
	while (b.len + 2 < n) {
		const char	*w = words[bb_next(&x) % BB_NELEM(words)];

		room = n - 2 - b.len;
		bn_buf_add(&b, w, strlen(w) < room ? strlen(w) : room);
		if (b.len + 2 < n)
			bn_buf_addc(&b, ' ');
	}
	bn_buf_addstr(&b, "\"}");
	memcpy(p, b.data, n < b.len ? n : b.len);
	bn_buf_free(&b);
}

#endif /* BN_BENCHBODY_H */
