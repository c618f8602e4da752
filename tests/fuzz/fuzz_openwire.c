/*
 * libFuzzer harness for the OpenWire codec (bridge/openwire.c, owenc.c,
 * owmap.c). The input is a stream of size-prefixed frames, decoded with
 * and without stack traces in throwables. For every command: the prefix
 * one byte short is NEED_MORE; encode, decode and encode again give the
 * same bytes and the same frame length; nested objects kept raw decode;
 * the property map and a MapMessage body, walked entry by entry and copied
 * raw, give the same bytes back; a stream body walks as list values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/openwire.h"
#include "brokernet/util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_openwire: %s\n", what);
		abort();
	}
}

/* Walks a map, copies every entry raw, and checks the copy is identical. */
static void
map_copy(const struct bn_ow_bytes *b)
{
	struct bn_ow_map_iter it, sub;
	struct bn_ow_str name;
	struct bn_ow_prim v, sv;
	struct bn_ow_bytes raw, sraw;
	struct bn_buf	 out = { 0 };
	char		 err[256];
	uint32_t	 n = 0;
	size_t		 at;
	int		 rc;

	if (b->p == NULL)
		return;
	if (bn_ow_map_open(&it, b->p, b->len, err, sizeof(err)) == -1)
		return;
	at = bn_ow_map_begin(&out);
	while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
	    sizeof(err))) == 1) {
		bn_ow_map_put_raw(&out, &raw);
		n++;
		if (v.type == BN_OW_P_MAP || v.type == BN_OW_P_LIST) {
			bn_ow_map_open_nested(&it, &v, &sub);
			while (bn_ow_map_next(&sub, &name, &sv, &sraw, err,
			    sizeof(err)) == 1)
				;
		}
		/* a value rewritten by the writer reads back the same */
		if (v.type != BN_OW_P_MAP && v.type != BN_OW_P_LIST) {
			struct bn_buf	 one = { 0 };
			struct bn_ow_map_iter it2;
			struct bn_ow_prim v2;
			struct bn_ow_bytes raw2;
			size_t		 a2 = bn_ow_map_begin(&one);

			check(bn_ow_map_put(&one, name.p, name.len, &v) == 0,
			    "map_put failed on a decoded value");
			bn_ow_map_end(&one, a2, 1);
			check(bn_ow_map_open(&it2, (uint8_t *)one.data,
			    one.len, err, sizeof(err)) == 0, "reopen");
			check(bn_ow_map_next(&it2, &name, &v2, &raw2, err,
			    sizeof(err)) == 1, "reread");
			check(v2.type == v.type && v2.i == v.i &&
			    v2.bytes.len == v.bytes.len &&
			    memcmp(&v2.f, &v.f, sizeof(v.f)) == 0 &&
			    memcmp(&v2.d, &v.d, sizeof(v.d)) == 0,
			    "value changed in a rewrite");
			bn_buf_free(&one);
		}
	}
	if (rc == 0 && !it.null) {
		bn_ow_map_end(&out, at, n);
		check(out.len == b->len && memcmp(out.data, b->p, b->len) == 0,
		    "map raw copy differs");
	}
	bn_buf_free(&out);
}

/* A StreamMessage body: values one after another. */
static void
stream_walk(const struct bn_ow_bytes *b)
{
	struct bn_ow_map_iter it;
	struct bn_ow_prim v;
	struct bn_ow_str name;
	struct bn_ow_bytes raw;
	char		 err[256];

	if (b->p == NULL)
		return;
	memset(&it, 0, sizeof(it));
	it.p = b->p;
	it.end = b->p + b->len;
	it.left = (uint32_t)b->len;
	it.list = true;
	it.depth = 1;
	while (it.p < it.end &&
	    bn_ow_map_next(&it, &name, &v, &raw, err, sizeof(err)) == 1)
		;
}

static void
message_checks(const struct bn_ow_message *m, const struct bn_ow_format *fmt)
{
	struct bn_ow_cmd nested;
	char		 err[256];

	map_copy(&m->properties);
	if (m->type == BN_OW_MAP_MESSAGE)
		map_copy(&m->content);
	if (m->type == BN_OW_STREAM_MESSAGE)
		stream_walk(&m->content);
	if (m->data_structure.type != 0)
		check(bn_ow_decode_nested(&m->data_structure, fmt, &nested,
		    err, sizeof(err)) == 0, "raw dataStructure does not decode");
}

static void
run(const uint8_t *data, size_t size, const struct bn_ow_format *fmt)
{
	struct bn_ow_cmd cmd, again;
	struct bn_buf	 a = { 0 }, b = { 0 };
	char		 err[256];
	size_t		 used, used2, off = 0;
	enum bn_parse_result rc;

	while (off < size) {
		rc = bn_ow_decode(data + off, size - off, fmt, &cmd, &used,
		    err, sizeof(err));
		if (rc != BN_PARSE_OK)
			break;
		check(used > 4 && used <= size - off, "bad used");
		check(bn_ow_decode(data + off, used - 1, fmt, &again, &used2,
		    err, sizeof(err)) == BN_PARSE_NEED_MORE,
		    "short prefix not NEED_MORE");
		bn_buf_reset(&a);
		bn_buf_reset(&b);
		check(bn_ow_encode(&a, &cmd, fmt, err, sizeof(err)) == 0,
		    "encode of a decoded command failed");
		check(a.len <= used, "encoding grew");
		check(bn_ow_decode((uint8_t *)a.data, a.len, fmt, &again,
		    &used2, err, sizeof(err)) == BN_PARSE_OK,
		    "re-decode failed");
		check(used2 == a.len, "re-decode length");
		check(again.type == cmd.type, "type changed");
		check(bn_ow_encode(&b, &again, fmt, err, sizeof(err)) == 0,
		    "second encode failed");
		check(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
		    "encodings differ");
		if (cmd.type >= BN_OW_MESSAGE && cmd.type <= BN_OW_TEXT_MESSAGE)
			message_checks(&cmd.u.msg, fmt);
		if (cmd.type == BN_OW_MESSAGE_DISPATCH &&
		    cmd.u.dispatch.has_message)
			message_checks(&cmd.u.dispatch.message, fmt);
		if (cmd.type == BN_OW_WIREFORMAT_INFO) {
			struct bn_ow_format mine, out;

			bn_ow_format_default(&mine);
			(void)bn_ow_negotiate(&mine, &cmd.u.wf, &out, err,
			    sizeof(err));
			map_copy(&cmd.u.wf.props);
		}
		off += used;
	}
	bn_buf_free(&a);
	bn_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bn_ow_format fmt;
	uint8_t		*copy;

	/* An exact-size heap copy so ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	bn_ow_format_default(&fmt);
	run(copy, size, &fmt);
	fmt.stack_trace = true;
	fmt.max_frame = 4096;
	run(copy, size, &fmt);
	free(copy);
	return 0;
}
