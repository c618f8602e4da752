/*
 * zstd streaming for link byte streams: see include/brokernet/zlink.h.
 */
#include <stdlib.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "brokernet/util.h"
#include "brokernet/zlink.h"

struct bn_zenc {
	ZSTD_CCtx	*cctx;
	bool		 pending;
};

struct bn_zdec {
	ZSTD_DCtx	*dctx;
};

struct bn_zenc *
bn_zenc_new(void)
{
	struct bn_zenc	*z = xcalloc(1, sizeof(*z));

	if ((z->cctx = ZSTD_createCCtx()) == NULL)
		abort();
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel,
	    BN_ZLINK_LEVEL);
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_windowLog, BN_ZLINK_WINDOW_LOG);
	/* one endless frame: no per-frame checksum or size to wait for */
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 0);
	return z;
}

/* Runs the compressor until it took all of in (and, with flush, emitted
 * everything), appending its output to out. */
int
bn_zenc_write(struct bn_zenc *z, const void *in, size_t len, bool flush,
    struct bn_buf *out, const char **err)
{
	ZSTD_inBuffer	 ib = { in, len, 0 };
	ZSTD_outBuffer	 ob;
	size_t		 left, chunk = ZSTD_CStreamOutSize();

	if (len > 0)
		z->pending = true;
	if (!flush && len == 0)
		return 0;
	for (;;) {
		bn_buf_reserve(out, chunk);
		ob.dst = out->data + out->len;
		ob.size = chunk;
		ob.pos = 0;
		left = ZSTD_compressStream2(z->cctx, &ob, &ib,
		    flush ? ZSTD_e_flush : ZSTD_e_continue);
		if (ZSTD_isError(left)) {
			*err = ZSTD_getErrorName(left);
			return -1;
		}
		out->len += ob.pos;
		if (flush ? left == 0 : ib.pos == ib.size)
			break;
	}
	if (flush)
		z->pending = false;
	return 0;
}

bool
bn_zenc_pending(const struct bn_zenc *z)
{
	return z->pending;
}

size_t
bn_zenc_mem(const struct bn_zenc *z)
{
	return ZSTD_sizeof_CCtx(z->cctx);
}

void
bn_zenc_free(struct bn_zenc *z)
{
	if (z == NULL)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z);
}

struct bn_zdec *
bn_zdec_new(void)
{
	struct bn_zdec	*z = xcalloc(1, sizeof(*z));

	if ((z->dctx = ZSTD_createDCtx()) == NULL)
		abort();
	/* a peer may not make us hold a larger history than we send with */
	ZSTD_DCtx_setParameter(z->dctx, ZSTD_d_windowLogMax,
	    BN_ZLINK_WINDOW_LOG);
	return z;
}

enum bn_zdec_result
bn_zdec_read(struct bn_zdec *z, const void *in, size_t len, size_t room,
    size_t *used, struct bn_buf *out, const char **err)
{
	ZSTD_inBuffer	 ib = { in, len, 0 };
	ZSTD_outBuffer	 ob;
	size_t		 r, before_in, before_out;

	*used = 0;
	if (room == 0)
		return BN_ZDEC_FULL;
	bn_buf_reserve(out, room);
	ob.dst = out->data + out->len;
	ob.size = room;
	ob.pos = 0;
	for (;;) {
		before_in = ib.pos;
		before_out = ob.pos;
		r = ZSTD_decompressStream(z->dctx, &ob, &ib);
		if (ZSTD_isError(r)) {
			*used = ib.pos;
			out->len += ob.pos;
			*err = ZSTD_getErrorCode(r) ==
			    ZSTD_error_frameParameter_windowTooLarge ?
			    "compressed stream asks for a window above the"
			    " 128 KiB limit" : ZSTD_getErrorName(r);
			return BN_ZDEC_ERROR;
		}
		/* a full output buffer may hide more: the caller calls again */
		if (ob.pos == ob.size)
			break;
		/* zstd stops at a frame's end: go on with the next one */
		if (ib.pos == ib.size)
			break;
		if (ib.pos == before_in && ob.pos == before_out) {
			*used = ib.pos;
			out->len += ob.pos;
			*err = "decompressor stalled on its input";
			return BN_ZDEC_ERROR;
		}
	}
	*used = ib.pos;
	out->len += ob.pos;
	return ob.pos == ob.size ? BN_ZDEC_FULL : BN_ZDEC_DONE;
}

size_t
bn_zdec_mem(const struct bn_zdec *z)
{
	return ZSTD_sizeof_DCtx(z->dctx);
}

void
bn_zdec_free(struct bn_zdec *z)
{
	if (z == NULL)
		return;
	ZSTD_freeDCtx(z->dctx);
	free(z);
}
