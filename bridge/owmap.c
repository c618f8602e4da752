/*
 * OpenWire primitive maps (MarshallingSupport's format): a message's typed
 * properties, a MapMessage body, WireFormatInfo options; the same values
 * make StreamMessage bodies and lists. Reading is a bounded cursor that
 * hands out each entry's decoded value and its raw bytes, so a caller can
 * copy the entries it does not touch byte for byte and append its own.
 */
#include <stdio.h>
#include <string.h>

#include "brokernet/openwire.h"
#include "brokernet/util.h"

#define OWMAP_MAX_DEPTH	8

static uint32_t
owmap_be32(const uint8_t *q)
{
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | q[3];
}

static uint64_t
owmap_be64(const uint8_t *q)
{
	uint64_t v = 0;
	int	 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | q[i];
	return v;
}

int
bn_ow_map_open(struct bn_ow_map_iter *it, const uint8_t *p, size_t len,
    char *err, size_t errlen)
{
	int32_t	n;

	memset(it, 0, sizeof(*it));
	if (len < 4) {
		snprintf(err, errlen, "map: %zu bytes, no count", len);
		return -1;
	}
	n = (int32_t)owmap_be32(p);
	it->p = p + 4;
	it->end = p + len;
	if (n < 0) {
		it->null = true;
		n = 0;
	}
	/* Every entry takes at least 3 bytes (name length, type). */
	if ((size_t)n > (len - 4) / 3) {
		snprintf(err, errlen, "map: %d entries cannot fit in %zu bytes",
		    (int)n, len - 4);
		return -1;
	}
	it->left = (uint32_t)n;
	return 0;
}

void
bn_ow_map_open_nested(const struct bn_ow_map_iter *parent,
    const struct bn_ow_prim *v, struct bn_ow_map_iter *it)
{
	memset(it, 0, sizeof(*it));
	it->p = v->bytes.p;
	it->end = v->bytes.p + v->bytes.len;
	it->left = v->count;
	it->list = v->type == BN_OW_P_LIST;
	it->depth = (parent ? parent->depth : 0) + 1;
}

/* Reads one value at *pp (type byte first); 0 or -1 with err. */
static int
owmap_value(const uint8_t **pp, const uint8_t *end, struct bn_ow_prim *v,
    int depth, char *err, size_t errlen)
{
	const uint8_t	*p = *pp;
	size_t		 left = (size_t)(end - p), need = 0;
	struct bn_ow_map_iter sub;
	struct bn_ow_str name;
	struct bn_ow_prim sv;
	struct bn_ow_bytes raw;
	uint32_t	 n, i;
	int		 rc;

	memset(v, 0, sizeof(*v));
	if (left < 1) {
		snprintf(err, errlen, "map: value type past the end");
		return -1;
	}
	v->type = *p++;
	left--;
	switch (v->type) {
	case BN_OW_P_NULL:
		break;
	case BN_OW_P_BOOL:
	case BN_OW_P_BYTE:
		need = 1;
		break;
	case BN_OW_P_CHAR:
	case BN_OW_P_SHORT:
		need = 2;
		break;
	case BN_OW_P_INT:
	case BN_OW_P_FLOAT:
		need = 4;
		break;
	case BN_OW_P_LONG:
	case BN_OW_P_DOUBLE:
		need = 8;
		break;
	case BN_OW_P_STRING:
		if (left < 2)
			goto short_;
		need = 2 + ((size_t)p[0] << 8 | p[1]);
		break;
	case BN_OW_P_BYTES:
	case BN_OW_P_BIG_STRING:
	case BN_OW_P_MAP:
	case BN_OW_P_LIST:
		if (left < 4)
			goto short_;
		n = owmap_be32(p);
		if (n > 0x7fffffff) {
			if (v->type == BN_OW_P_MAP) {
				/* a null nested map: -1, kept in i */
				v->count = 0;
				v->i = -1;
				v->bytes.p = p + 4;
				need = 4;
				break;
			}
			snprintf(err, errlen, "map: negative length");
			return -1;
		}
		if (v->type == BN_OW_P_BYTES || v->type == BN_OW_P_BIG_STRING) {
			need = 4 + (size_t)n;
			break;
		}
		if (depth >= OWMAP_MAX_DEPTH) {
			snprintf(err, errlen, "map: nested deeper than %d",
			    OWMAP_MAX_DEPTH);
			return -1;
		}
		if ((size_t)n > (left - 4) / 1) {
			snprintf(err, errlen, "map: %u entries past the end", n);
			return -1;
		}
		v->count = n;
		v->bytes.p = p + 4;
		sub.p = p + 4;
		sub.end = end;
		sub.left = n;
		sub.list = v->type == BN_OW_P_LIST;
		sub.null = false;
		sub.depth = depth + 1;
		for (i = 0; i < n; i++) {
			rc = bn_ow_map_next(&sub, &name, &sv, &raw, err,
			    errlen);
			if (rc != 1)
				return -1;
		}
		v->bytes.len = (size_t)(sub.p - v->bytes.p);
		*pp = sub.p;
		return 0;
	default:
		snprintf(err, errlen, "map: unknown value type %u", v->type);
		return -1;
	}
	if (left < need)
		goto short_;
	switch (v->type) {
	case BN_OW_P_BOOL:
		v->i = p[0] != 0;
		break;
	case BN_OW_P_BYTE:
		v->i = (int8_t)p[0];
		break;
	case BN_OW_P_CHAR:
		v->i = (uint16_t)(p[0] << 8 | p[1]);
		break;
	case BN_OW_P_SHORT:
		v->i = (int16_t)(p[0] << 8 | p[1]);
		break;
	case BN_OW_P_INT:
		v->i = (int32_t)owmap_be32(p);
		break;
	case BN_OW_P_FLOAT: {
		uint32_t u = owmap_be32(p);

		memcpy(&v->f, &u, 4);
		break;
	}
	case BN_OW_P_LONG:
		v->i = (int64_t)owmap_be64(p);
		break;
	case BN_OW_P_DOUBLE: {
		uint64_t u = owmap_be64(p);

		memcpy(&v->d, &u, 8);
		break;
	}
	case BN_OW_P_STRING:
		v->bytes.p = p + 2;
		v->bytes.len = need - 2;
		break;
	case BN_OW_P_BYTES:
	case BN_OW_P_BIG_STRING:
		v->bytes.p = p + 4;
		v->bytes.len = need - 4;
		break;
	}
	*pp = p + need;
	return 0;
short_:
	snprintf(err, errlen, "map: value of type %u runs past the end",
	    v->type);
	return -1;
}

int
bn_ow_map_next(struct bn_ow_map_iter *it, struct bn_ow_str *name,
    struct bn_ow_prim *val, struct bn_ow_bytes *raw, char *err,
    size_t errlen)
{
	const uint8_t	*start = it->p, *p = it->p;
	size_t		 n;

	name->p = NULL;
	name->len = 0;
	if (it->left == 0) {
		if (it->depth == 0 && it->p != it->end) {
			snprintf(err, errlen, "map: %zu bytes after the last "
			    "entry", (size_t)(it->end - it->p));
			return -1;
		}
		return 0;
	}
	if (!it->list) {
		if (it->end - p < 2) {
			snprintf(err, errlen, "map: name length past the end");
			return -1;
		}
		n = (size_t)p[0] << 8 | p[1];
		p += 2;
		if ((size_t)(it->end - p) < n) {
			snprintf(err, errlen, "map: name runs past the end");
			return -1;
		}
		name->p = (const char *)p;
		name->len = n;
		p += n;
	}
	if (owmap_value(&p, it->end, val, it->depth, err, errlen) == -1)
		return -1;
	it->p = p;
	it->left--;
	raw->p = start;
	raw->len = (size_t)(p - start);
	return 1;
}

/* ---- writing */

size_t
bn_ow_map_begin(struct bn_buf *b)
{
	size_t	at = b->len;

	bn_buf_add(b, "\0\0\0\0", 4);
	return at;
}

void
bn_ow_map_end(struct bn_buf *b, size_t begin, uint32_t count)
{
	uint8_t	*q = (uint8_t *)b->data + begin;

	q[0] = (uint8_t)(count >> 24);
	q[1] = (uint8_t)(count >> 16);
	q[2] = (uint8_t)(count >> 8);
	q[3] = (uint8_t)count;
}

/* Appends n bytes; an empty range may have a NULL pointer. */
static void
owmap_add(struct bn_buf *b, const void *p, size_t n)
{
	if (n > 0)
		bn_buf_add(b, p, n);
}

static void
owmap_put_be(struct bn_buf *b, uint64_t v, int n)
{
	uint8_t	q[8];
	int	i;

	for (i = n - 1; i >= 0; i--) {
		q[i] = (uint8_t)v;
		v >>= 8;
	}
	bn_buf_add(b, q, (size_t)n);
}

int
bn_ow_prim_put(struct bn_buf *b, const struct bn_ow_prim *v)
{
	uint32_t u32;
	uint64_t u64;

	switch (v->type) {
	case BN_OW_P_STRING:
		if (v->bytes.len > 0xffff)
			return -1;
		break;
	case BN_OW_P_BYTES:
	case BN_OW_P_BIG_STRING:
	case BN_OW_P_MAP:
	case BN_OW_P_LIST:
		if (v->bytes.len > 0x7fffffff || v->count > 0x7fffffff)
			return -1;
		break;
	default:
		if (v->type > BN_OW_P_BIG_STRING)
			return -1;
	}
	bn_buf_add(b, &v->type, 1);
	switch (v->type) {
	case BN_OW_P_NULL:
		break;
	case BN_OW_P_BOOL:
		owmap_put_be(b, v->i != 0, 1);
		break;
	case BN_OW_P_BYTE:
		owmap_put_be(b, (uint64_t)v->i, 1);
		break;
	case BN_OW_P_CHAR:
	case BN_OW_P_SHORT:
		owmap_put_be(b, (uint64_t)v->i, 2);
		break;
	case BN_OW_P_INT:
		owmap_put_be(b, (uint64_t)v->i, 4);
		break;
	case BN_OW_P_LONG:
		owmap_put_be(b, (uint64_t)v->i, 8);
		break;
	case BN_OW_P_FLOAT:
		memcpy(&u32, &v->f, 4);
		owmap_put_be(b, u32, 4);
		break;
	case BN_OW_P_DOUBLE:
		memcpy(&u64, &v->d, 8);
		owmap_put_be(b, u64, 8);
		break;
	case BN_OW_P_STRING:
		owmap_put_be(b, v->bytes.len, 2);
		owmap_add(b, v->bytes.p, v->bytes.len);
		break;
	case BN_OW_P_BYTES:
	case BN_OW_P_BIG_STRING:
		owmap_put_be(b, v->bytes.len, 4);
		owmap_add(b, v->bytes.p, v->bytes.len);
		break;
	case BN_OW_P_MAP:
	case BN_OW_P_LIST:
		if (v->type == BN_OW_P_MAP && v->i == -1) {
			owmap_put_be(b, 0xffffffffu, 4);	/* null map */
			break;
		}
		owmap_put_be(b, v->count, 4);
		owmap_add(b, v->bytes.p, v->bytes.len);
		break;
	}
	return 0;
}

int
bn_ow_map_put(struct bn_buf *b, const char *name, size_t namelen,
    const struct bn_ow_prim *v)
{
	size_t	at = b->len;

	if (namelen > 0xffff)
		return -1;
	owmap_put_be(b, namelen, 2);
	owmap_add(b, name, namelen);
	if (bn_ow_prim_put(b, v) == -1) {
		b->len = at;
		return -1;
	}
	return 0;
}

void
bn_ow_map_put_raw(struct bn_buf *b, const struct bn_ow_bytes *raw)
{
	owmap_add(b, raw->p, raw->len);
}

struct bn_ow_prim
bn_ow_prim_int(uint8_t type, int64_t v)
{
	struct bn_ow_prim p;

	memset(&p, 0, sizeof(p));
	p.type = type;
	p.i = v;
	return p;
}

struct bn_ow_prim
bn_ow_prim_str(const char *s, size_t len)
{
	struct bn_ow_prim p;

	memset(&p, 0, sizeof(p));
	p.type = len > 0xffff ? BN_OW_P_BIG_STRING : BN_OW_P_STRING;
	p.bytes.p = (const uint8_t *)s;
	p.bytes.len = len;
	return p;
}

/*
 * Java's modified UTF-8 (DataOutput.writeUTF, and ActiveMQ's TextMessage
 * bodies) differs from UTF-8 in two ways: U+0000 is C0 80, and a
 * character above U+FFFF is its two UTF-16 surrogates, three bytes each.
 * Anything else, valid or not, is copied as it is.
 */
void
bn_ow_utf8_from_java(const uint8_t *p, size_t len, struct bn_buf *out)
{
	size_t		 i = 0, from = 0;
	uint32_t	 hi, lo, cp;
	uint8_t		 u[4];

	while (i < len) {
		if (p[i] == 0xc0 && i + 1 < len && p[i + 1] == 0x80) {
			bn_buf_add(out, p + from, i - from);
			bn_buf_add(out, "", 1);
			i += 2;
			from = i;
		} else if (p[i] == 0xed && i + 5 < len &&
		    (p[i + 1] & 0xf0) == 0xa0 && (p[i + 2] & 0xc0) == 0x80 &&
		    p[i + 3] == 0xed && (p[i + 4] & 0xf0) == 0xb0 &&
		    (p[i + 5] & 0xc0) == 0x80) {
			hi = ((uint32_t)(p[i + 1] & 0x0f) << 6) |
			    (p[i + 2] & 0x3f);
			lo = ((uint32_t)(p[i + 4] & 0x0f) << 6) |
			    (p[i + 5] & 0x3f);
			cp = 0x10000 + (hi << 10) + lo;
			u[0] = (uint8_t)(0xf0 | (cp >> 18));
			u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
			u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
			u[3] = (uint8_t)(0x80 | (cp & 0x3f));
			bn_buf_add(out, p + from, i - from);
			bn_buf_add(out, u, 4);
			i += 6;
			from = i;
		} else
			i++;
	}
	bn_buf_add(out, p + from, len - from);
}

/* A UTF-16 unit (a surrogate) as Java writes it: three bytes. */
static void
owmap_unit3(uint8_t *u, uint32_t v)
{
	u[0] = (uint8_t)(0xe0 | (v >> 12));
	u[1] = (uint8_t)(0x80 | ((v >> 6) & 0x3f));
	u[2] = (uint8_t)(0x80 | (v & 0x3f));
}

void
bn_ow_utf8_to_java(const uint8_t *p, size_t len, struct bn_buf *out)
{
	size_t		 i = 0, from = 0;
	uint32_t	 cp;
	uint8_t		 u[6];

	while (i < len) {
		if (p[i] == 0) {
			bn_buf_add(out, p + from, i - from);
			bn_buf_add(out, "\xc0\x80", 2);
			from = ++i;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4 && i + 3 < len &&
		    (p[i + 1] & 0xc0) == 0x80 && (p[i + 2] & 0xc0) == 0x80 &&
		    (p[i + 3] & 0xc0) == 0x80 &&
		    (cp = ((uint32_t)(p[i] & 0x07) << 18) |
		    ((uint32_t)(p[i + 1] & 0x3f) << 12) |
		    ((uint32_t)(p[i + 2] & 0x3f) << 6) | (p[i + 3] & 0x3f)) >=
		    0x10000 && cp <= 0x10ffff) {
			owmap_unit3(u, 0xd800 + ((cp - 0x10000) >> 10));
			owmap_unit3(u + 3, 0xdc00 + ((cp - 0x10000) & 0x3ff));
			bn_buf_add(out, p + from, i - from);
			bn_buf_add(out, u, 6);
			i += 4;
			from = i;
		} else
			i++;
	}
	bn_buf_add(out, p + from, len - from);
}
