/*
 * bnzbench: CPU cost of link compression alone (bridge/zlink.c), without
 * brokers or sockets: N messages of SIZE bytes (bnbench's JSON order events
 * or its incompressible pattern) go through one compressor, flushed after
 * every BURST messages as a link flushes after each event-loop iteration,
 * and back through one decompressor. Prints key=value lines: microseconds
 * of CPU per message per side and compressed bytes per message.
 *
 *   bnzbench [--count N] [--size BYTES] [--burst M] [--body json|random]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "brokernet/util.h"
#include "brokernet/zlink.h"

#include "benchbody.h"

static double
zb_cpu(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
zb_random(uint64_t seq, unsigned char *p, size_t n)
{
	uint32_t	x = (uint32_t)(seq * 2654435761ULL + 0x5bd1e995ULL);
	size_t		i;

	for (i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		p[i] = (unsigned char)(x >> 24);
	}
}

int
main(int argc, char **argv)
{
	uint64_t		 count = 100000, size = 1024, burst = 1, i, k;
	bool			 json = true;
	struct bn_zenc		*enc = bn_zenc_new();
	struct bn_zdec		*dec = bn_zdec_new();
	struct bn_buf		 z = { 0 }, out = { 0 };
	unsigned char		*msgs;
	const char		*err = NULL;
	double			 t0, tc = 0, td = 0;
	size_t			 used, off, zbytes = 0;
	enum bn_zdec_result	 r;
	int			 a;

	for (a = 1; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--count") == 0 &&
		    bn_strtou64(argv[a + 1], 100000000, &count) == 0 && count)
			continue;
		if (strcmp(argv[a], "--size") == 0 &&
		    bn_strtou64(argv[a + 1], 1 << 20, &size) == 0 && size)
			continue;
		if (strcmp(argv[a], "--burst") == 0 &&
		    bn_strtou64(argv[a + 1], 100000, &burst) == 0 && burst)
			continue;
		if (strcmp(argv[a], "--body") == 0 && (strcmp(argv[a + 1],
		    "json") == 0 || strcmp(argv[a + 1], "random") == 0)) {
			json = strcmp(argv[a + 1], "json") == 0;
			continue;
		}
		fprintf(stderr, "usage: bnzbench [--count N] [--size BYTES]"
		    " [--burst M] [--body json|random]\n");
		return 2;
	}
	if (a != argc) {
		fprintf(stderr, "bnzbench: %s needs a value\n", argv[a]);
		return 2;
	}
	/* bodies made first: only the codec is timed */
	msgs = xmalloc(size * 1000);
	for (k = 0; k < 1000; k++)
		(json ? bench_json_fill : zb_random)(k, msgs + k * size, size);
	for (i = 0; i < count; i += burst) {
		bn_buf_reset(&z);
		t0 = zb_cpu();
		for (k = i; k < i + burst && k < count; k++)
			if (bn_zenc_write(enc, msgs + (k % 1000) * size, size,
			    false, &z, &err) == -1)
				goto fail;
		if (bn_zenc_write(enc, NULL, 0, true, &z, &err) == -1)
			goto fail;
		tc += zb_cpu() - t0;
		zbytes += z.len;
		t0 = zb_cpu();
		off = 0;
		do {
			bn_buf_reset(&out);
			r = bn_zdec_read(dec, z.data + off, z.len - off, 65536,
			    &used, &out, &err);
			if (r == BN_ZDEC_ERROR)
				goto fail;
			off += used;
		} while (r == BN_ZDEC_FULL || off < z.len);
		td += zb_cpu() - t0;
	}
	printf("count=%llu\nsize=%llu\nburst=%llu\nbody=%s\n",
	    (unsigned long long)count, (unsigned long long)size,
	    (unsigned long long)burst, json ? "json" : "random");
	printf("compress_us_per_msg=%.2f\ndecompress_us_per_msg=%.2f\n",
	    tc * 1e6 / (double)count, td * 1e6 / (double)count);
	printf("bytes_per_msg=%.1f\nratio=%.3f\n", (double)zbytes /
	    (double)count, (double)zbytes / (double)(count * size));
	printf("compressor_bytes=%zu\ndecompressor_bytes=%zu\n",
	    bn_zenc_mem(enc), bn_zdec_mem(dec));
	return 0;
fail:
	fprintf(stderr, "bnzbench: %s\n", err);
	return 1;
}
