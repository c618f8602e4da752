/*
 * ActiveMQ consumer advisories (jms-advisory-json bodies).
 *
 * A small strict JSON scanner: it walks the body once, decodes the few
 * strings it keeps into fixed buffers and validates and skips everything
 * else. No allocation; recursion is bounded by ADV_MAXDEPTH; every read is
 * checked against the body length, which need not be NUL-terminated.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "brokernet/advisory.h"
#include "brokernet/util.h"

#define ADV_MAXDEPTH	32	/* objects and arrays, the outer one is 1 */
#define ADV_KEYMAX	64	/* longer keys are never ones we know */
#define ADV_CLASSMAX	64	/* "@class" values we compare */

struct adv_json {
	const char	*buf;
	size_t		 len;
	size_t		 off;
	int		 depth;
	const char	*err;
};

/* A consumerId (ConsumerInfo) or objectId (RemoveInfo). */
struct adv_id {
	char		 conn[sizeof(((struct bn_advisory *)0)->connection_id)];
	char		 klass[ADV_CLASSMAX];
	int64_t		 session;
	int64_t		 value;
	const char	*bad;		/* first non-number sessionId/value */
	bool		 has_conn;
	bool		 has_class;
	bool		 has_session;
	bool		 has_value;
};

/* Everything gathered from one body, checked once it is all read. */
struct adv_state {
	struct bn_advisory	 adv;	/* kind 0 until an advisory is seen */
	struct adv_id		 id;
	bool			 has_id;
	bool			 has_dest;
	bool			 has_name;	/* destination "string" */
};

/* connectionId, '/', two int64 in decimal and a NUL always fit the key. */
_Static_assert(sizeof(((struct bn_advisory *)0)->consumer_id) >=
    sizeof(((struct bn_advisory *)0)->connection_id) + 2 * 21,
    "consumer_id too small for connectionId/sessionId/value");

static int	advisory_value_skip(struct adv_json *);

/* Records the first reason only: the innermost failure is the precise one. */
static int
advisory_fail(struct adv_json *j, const char *reason)
{
	if (j->err == NULL)
		j->err = reason;
	return -1;
}

/* Skips JSON whitespace; returns the next byte, or -1 at end of body. */
static int
advisory_peek(struct adv_json *j)
{
	char	c;

	while (j->off < j->len) {
		c = j->buf[j->off];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return (unsigned char)c;
		j->off++;
	}
	return -1;
}

static int
advisory_expect(struct adv_json *j, char want, const char *reason)
{
	int	c;

	if ((c = advisory_peek(j)) == -1)
		return advisory_fail(j, "truncated JSON");
	if (c != (unsigned char)want)
		return advisory_fail(j, reason);
	j->off++;
	return 0;
}

static bool
advisory_keyis(const char *key, size_t keylen, const char *name)
{
	return keylen == strlen(name) && memcmp(key, name, keylen) == 0;
}

/*
 * Appends k bytes to a decoded string while they fit with room for the
 * NUL; *n counts every byte so the caller can tell the string was too
 * long. Once one append does not fit no later one does, since *n only
 * grows, so the kept prefix never has holes.
 */
static void
advisory_put(char *dst, size_t cap, size_t *n, const void *p, size_t k)
{
	if (dst != NULL && *n + k < cap)
		memcpy(dst + *n, p, k);
	*n += k;
}

static int
advisory_hex4(struct adv_json *j, uint32_t *out)
{
	uint32_t	v = 0;
	size_t		i;
	char		c;

	if (j->len - j->off < 4)
		return advisory_fail(j, "truncated JSON");
	for (i = 0; i < 4; i++) {
		c = j->buf[j->off + i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return advisory_fail(j, "bad \\u escape");
	}
	j->off += 4;
	*out = v;
	return 0;
}

/* Called after "\u": one code point, joining a surrogate pair. */
static int
advisory_unicode(struct adv_json *j, uint32_t *cp)
{
	uint32_t	hi, lo;

	if (advisory_hex4(j, &hi) == -1)
		return -1;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return advisory_fail(j, "lone low surrogate in \\u escape");
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
		return 0;
	}
	if (j->len - j->off < 2)
		return advisory_fail(j, "truncated JSON");
	if (j->buf[j->off] != '\\' || j->buf[j->off + 1] != 'u')
		return advisory_fail(j, "lone high surrogate in \\u escape");
	j->off += 2;
	if (advisory_hex4(j, &lo) == -1)
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff)
		return advisory_fail(j, "lone high surrogate in \\u escape");
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

static size_t
advisory_utf8_encode(uint32_t cp, unsigned char *b)
{
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | (cp >> 18));
	b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Length of the well-formed UTF-8 sequence at the cursor (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or -1.
 */
static int
advisory_utf8_check(struct adv_json *j, size_t *k)
{
	const unsigned char	*s = (const unsigned char *)j->buf + j->off;
	size_t			 avail = j->len - j->off, need, i;
	uint32_t		 cp, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return advisory_fail(j, "invalid UTF-8 in string");
	if (avail < need)
		return advisory_fail(j, "truncated JSON");
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return advisory_fail(j, "invalid UTF-8 in string");
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return advisory_fail(j, "invalid UTF-8 in string");
	*k = need;
	return 0;
}

/*
 * Decodes the string at the cursor (which must be at '"') into dst, at
 * most cap - 1 bytes and a NUL; dst may be NULL to validate and skip.
 * *lenp gets the whole decoded length: >= cap means it did not fit.
 */
static int
advisory_string(struct adv_json *j, char *dst, size_t cap, size_t *lenp)
{
	unsigned char	 b[4], c;
	uint32_t	 cp;
	size_t		 n = 0, k;

	if (advisory_expect(j, '"', "expected a string") == -1)
		return -1;
	for (;;) {
		if (j->off >= j->len)
			return advisory_fail(j, "truncated JSON");
		c = (unsigned char)j->buf[j->off];
		if (c == '"') {
			j->off++;
			break;
		}
		if (c < 0x20)
			return advisory_fail(j, "control character in string");
		if (c >= 0x80) {
			if (advisory_utf8_check(j, &k) == -1)
				return -1;
			advisory_put(dst, cap, &n, j->buf + j->off, k);
			j->off += k;
			continue;
		}
		j->off++;
		if (c != '\\') {
			advisory_put(dst, cap, &n, &c, 1);
			continue;
		}
		if (j->off >= j->len)
			return advisory_fail(j, "truncated JSON");
		c = (unsigned char)j->buf[j->off++];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u':
			if (advisory_unicode(j, &cp) == -1)
				return -1;
			k = advisory_utf8_encode(cp, b);
			advisory_put(dst, cap, &n, b, k);
			continue;
		default:
			return advisory_fail(j, "bad escape in string");
		}
		advisory_put(dst, cap, &n, &c, 1);
	}
	if (dst != NULL && cap > 0)
		dst[n < cap ? n : cap - 1] = '\0';
	if (lenp != NULL)
		*lenp = n;
	return 0;
}

/*
 * A string value kept in a fixed buffer: too long or holding an escaped
 * NUL (which a C string cannot carry) is an error.
 */
static int
advisory_string_field(struct adv_json *j, char *dst, size_t cap,
    const char *toolong)
{
	size_t	n;

	if (advisory_string(j, dst, cap, &n) == -1)
		return -1;
	if (n >= cap)
		return advisory_fail(j, toolong);
	if (strlen(dst) != n)
		return advisory_fail(j, "NUL character in string");
	return 0;
}

/*
 * Scans a number with the RFC 8259 grammar; *isint is false when it has
 * a fraction or exponent. [*startp, *startp + *nlenp) is its text.
 */
static int
advisory_number(struct adv_json *j, bool *isint, const char **startp,
    size_t *nlenp)
{
	size_t	start = j->off, digits;

	*isint = true;
	if (j->off < j->len && j->buf[j->off] == '-')
		j->off++;
	if (j->off >= j->len)
		return advisory_fail(j, "truncated JSON");
	if (j->buf[j->off] == '0')
		j->off++;
	else if (j->buf[j->off] >= '1' && j->buf[j->off] <= '9') {
		while (j->off < j->len && j->buf[j->off] >= '0' &&
		    j->buf[j->off] <= '9')
			j->off++;
	} else
		return advisory_fail(j, "bad number");
	if (j->off < j->len && j->buf[j->off] == '.') {
		*isint = false;
		j->off++;
		for (digits = 0; j->off < j->len && j->buf[j->off] >= '0' &&
		    j->buf[j->off] <= '9'; digits++)
			j->off++;
		if (digits == 0)
			return advisory_fail(j, j->off >= j->len ?
			    "truncated JSON" : "bad number");
	}
	if (j->off < j->len && (j->buf[j->off] == 'e' ||
	    j->buf[j->off] == 'E')) {
		*isint = false;
		j->off++;
		if (j->off < j->len && (j->buf[j->off] == '+' ||
		    j->buf[j->off] == '-'))
			j->off++;
		for (digits = 0; j->off < j->len && j->buf[j->off] >= '0' &&
		    j->buf[j->off] <= '9'; digits++)
			j->off++;
		if (digits == 0)
			return advisory_fail(j, j->off >= j->len ?
			    "truncated JSON" : "bad number");
	}
	if (startp != NULL)
		*startp = j->buf + start;
	if (nlenp != NULL)
		*nlenp = j->off - start;
	return 0;
}

/* An integer value within [min, max], checked with bn_strntou64. */
static int
advisory_int(struct adv_json *j, int64_t min, int64_t max, int64_t *out)
{
	const char	*s;
	uint64_t	 u;
	int64_t		 v;
	size_t		 n;
	bool		 isint, neg;
	int		 c;

	c = advisory_peek(j);
	if (c == -1)
		return advisory_fail(j, "truncated JSON");
	if (c != '-' && (c < '0' || c > '9'))
		return advisory_fail(j, "expected an integer");
	if (advisory_number(j, &isint, &s, &n) == -1)
		return -1;
	if (!isint)
		return advisory_fail(j, "expected an integer");
	neg = s[0] == '-';
	if (neg) {
		s++;
		n--;
	}
	if (bn_strntou64(s, n, neg ? (uint64_t)INT64_MAX + 1 :
	    (uint64_t)INT64_MAX, &u) == -1)
		return advisory_fail(j, "integer out of range");
	if (neg)
		v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	else
		v = (int64_t)u;
	if (v < min || v > max)
		return advisory_fail(j, "integer out of range");
	*out = v;
	return 0;
}

/* "true", "false" or "null" at the cursor, whichever lit names. */
static int
advisory_literal(struct adv_json *j, const char *lit)
{
	size_t	n = strlen(lit);

	if (j->len - j->off < n) {
		if (memcmp(j->buf + j->off, lit, j->len - j->off) == 0)
			return advisory_fail(j, "truncated JSON");
		return advisory_fail(j, "unexpected character");
	}
	if (memcmp(j->buf + j->off, lit, n) != 0)
		return advisory_fail(j, "unexpected character");
	j->off += n;
	return 0;
}

static int
advisory_bool(struct adv_json *j, bool *out)
{
	int	c;

	c = advisory_peek(j);
	if (c == 't') {
		*out = true;
		return advisory_literal(j, "true");
	}
	if (c == 'f') {
		*out = false;
		return advisory_literal(j, "false");
	}
	if (c == -1)
		return advisory_fail(j, "truncated JSON");
	return advisory_fail(j, "expected true or false");
}

/* Consumes '{' or '[' and counts the nesting. */
static int
advisory_open(struct adv_json *j, char open, const char *reason)
{
	if (advisory_expect(j, open, reason) == -1)
		return -1;
	if (++j->depth > ADV_MAXDEPTH)
		return advisory_fail(j, "nesting deeper than 32");
	return 0;
}

/*
 * The step between members of an object (close '}') or elements of an
 * array (close ']'): 0 after the closing character, 1 when another one
 * follows (a ',' consumed unless it is the first), -1 on error.
 */
static int
advisory_next(struct adv_json *j, bool *first, int close)
{
	int	c;

	if ((c = advisory_peek(j)) == -1)
		return advisory_fail(j, "truncated JSON");
	if (c == close) {
		j->off++;
		j->depth--;
		return 0;
	}
	if (!*first) {
		if (c != ',')
			return advisory_fail(j, close == '}' ?
			    "expected ',' or '}'" : "expected ',' or ']'");
		j->off++;
	}
	*first = false;
	return 1;
}

/*
 * Steps to the next member of an object opened with advisory_open.
 * Returns 1 with the cursor on the value and the key decoded into key
 * (*keylen >= ADV_KEYMAX means "too long to be one we know"), 0 after
 * the closing '}', -1 on error. *first starts true.
 */
static int
advisory_member(struct adv_json *j, bool *first, char *key, size_t *keylen)
{
	int	c, r;

	if ((r = advisory_next(j, first, '}')) != 1)
		return r;
	if ((c = advisory_peek(j)) == -1)
		return advisory_fail(j, "truncated JSON");
	if (c != '"')
		return advisory_fail(j, "expected a string key");
	if (advisory_string(j, key, ADV_KEYMAX, keylen) == -1)
		return -1;
	if (advisory_expect(j, ':', "expected ':'") == -1)
		return -1;
	return 1;
}

/* Like advisory_member for arrays: 1 when an element follows. */
static int
advisory_element(struct adv_json *j, bool *first)
{
	return advisory_next(j, first, ']');
}

/* Validates and skips any value; recursion is bounded by ADV_MAXDEPTH. */
static int
advisory_value_skip(struct adv_json *j)
{
	char	key[ADV_KEYMAX];
	size_t	keylen;
	bool	first = true, isint;
	int	c, r;

	switch ((c = advisory_peek(j))) {
	case -1:
		return advisory_fail(j, "truncated JSON");
	case '{':
		if (advisory_open(j, '{', "expected '{'") == -1)
			return -1;
		while ((r = advisory_member(j, &first, key, &keylen)) == 1)
			if (advisory_value_skip(j) == -1)
				return -1;
		return r;
	case '[':
		if (advisory_open(j, '[', "expected '['") == -1)
			return -1;
		while ((r = advisory_element(j, &first)) == 1)
			if (advisory_value_skip(j) == -1)
				return -1;
		return r;
	case '"':
		return advisory_string(j, NULL, 0, NULL);
	case 't':
		return advisory_literal(j, "true");
	case 'f':
		return advisory_literal(j, "false");
	case 'n':
		return advisory_literal(j, "null");
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return advisory_number(j, &isint, NULL, NULL);
		return advisory_fail(j, "unexpected character");
	}
}

/*
 * sessionId or value of an id. A number must be an integer in range at
 * once; any other JSON value is skipped and remembered, because the ids
 * of other classes (a ConnectionId's value is a string) must fail as
 * "not a ConsumerId", which is only known at the end of the object.
 */
static int
advisory_id_int(struct adv_json *j, struct adv_id *id, int64_t *out,
    const char *reason)
{
	int	c;

	c = advisory_peek(j);
	if (c == '-' || (c >= '0' && c <= '9'))
		return advisory_int(j, INT64_MIN, INT64_MAX, out);
	if (id->bad == NULL)
		id->bad = reason;
	return advisory_value_skip(j);
}

/* consumerId of a ConsumerInfo or objectId of a RemoveInfo. */
static int
advisory_id(struct adv_json *j, struct adv_id *id, const char *notobj)
{
	char	key[ADV_KEYMAX];
	size_t	keylen;
	bool	first = true;
	int	r;

	if (advisory_open(j, '{', notobj) == -1)
		return -1;
	while ((r = advisory_member(j, &first, key, &keylen)) == 1) {
		if (advisory_keyis(key, keylen, "connectionId")) {
			if (id->has_conn)
				return advisory_fail(j, "duplicate key");
			id->has_conn = true;
			if (advisory_string_field(j, id->conn, sizeof(id->conn),
			    "connectionId too long") == -1)
				return -1;
		} else if (advisory_keyis(key, keylen, "@class")) {
			if (id->has_class)
				return advisory_fail(j, "duplicate key");
			id->has_class = true;
			if (advisory_string_field(j, id->klass,
			    sizeof(id->klass), "@class too long") == -1)
				return -1;
		} else if (advisory_keyis(key, keylen, "sessionId")) {
			if (id->has_session)
				return advisory_fail(j, "duplicate key");
			id->has_session = true;
			if (advisory_id_int(j, id, &id->session,
			    "sessionId is not an integer") == -1)
				return -1;
		} else if (advisory_keyis(key, keylen, "value")) {
			if (id->has_value)
				return advisory_fail(j, "duplicate key");
			id->has_value = true;
			if (advisory_id_int(j, id, &id->value,
			    "value is not an integer") == -1)
				return -1;
		} else if (advisory_value_skip(j) == -1)
			return -1;
	}
	return r;
}

/* destination of a ConsumerInfo: {"@class":..., "string":...}. */
static int
advisory_destination(struct adv_json *j, struct adv_state *st)
{
	char	key[ADV_KEYMAX], klass[ADV_CLASSMAX] = "";
	size_t	keylen;
	bool	first = true, has_class = false;
	int	r;

	if (advisory_open(j, '{', "destination is not an object") == -1)
		return -1;
	while ((r = advisory_member(j, &first, key, &keylen)) == 1) {
		if (advisory_keyis(key, keylen, "@class")) {
			if (has_class)
				return advisory_fail(j, "duplicate key");
			has_class = true;
			if (advisory_string_field(j, klass, sizeof(klass),
			    "@class too long") == -1)
				return -1;
		} else if (advisory_keyis(key, keylen, "string")) {
			if (st->has_name)
				return advisory_fail(j, "duplicate key");
			st->has_name = true;
			if (advisory_string_field(j, st->adv.destination,
			    sizeof(st->adv.destination),
			    "destination too long") == -1)
				return -1;
		} else if (advisory_value_skip(j) == -1)
			return -1;
	}
	st->adv.queue = strcmp(klass, "ActiveMQQueue") == 0;
	return r;
}

/*
 * ActiveMQ's STOMP transport puts this before a subscription's selector
 * (measured on 5.17.2: "convert_string_expressions:brokernet_marker ...").
 */
#define ADV_SEL_CONVERT	"convert_string_expressions:"

/* The ConsumerInfo object: a null or "" selector counts as none. */
static int
advisory_consumer_info(struct adv_json *j, struct adv_state *st)
{
	char	key[ADV_KEYMAX];
	size_t	keylen, n;
	int64_t	prio;
	bool	first = true, has_browser = false, has_prio = false;
	bool	has_sel = false;
	int	r;

	if (advisory_open(j, '{', "ConsumerInfo is not an object") == -1)
		return -1;
	while ((r = advisory_member(j, &first, key, &keylen)) == 1) {
		if (advisory_keyis(key, keylen, "consumerId")) {
			if (st->has_id)
				return advisory_fail(j, "duplicate key");
			st->has_id = true;
			if (advisory_id(j, &st->id,
			    "consumerId is not an object") == -1)
				return -1;
		} else if (advisory_keyis(key, keylen, "destination")) {
			if (st->has_dest)
				return advisory_fail(j, "duplicate key");
			st->has_dest = true;
			if (advisory_destination(j, st) == -1)
				return -1;
		} else if (advisory_keyis(key, keylen, "browser")) {
			if (has_browser)
				return advisory_fail(j, "duplicate key");
			has_browser = true;
			if (advisory_bool(j, &st->adv.browser) == -1)
				return -1;
		} else if (advisory_keyis(key, keylen, "priority")) {
			if (has_prio)
				return advisory_fail(j, "duplicate key");
			has_prio = true;
			if (advisory_int(j, INT8_MIN, INT8_MAX, &prio) == -1)
				return -1;
			st->adv.priority = (int)prio;
		} else if (advisory_keyis(key, keylen, "selector")) {
			if (has_sel)
				return advisory_fail(j, "duplicate key");
			has_sel = true;
			if (advisory_peek(j) == 'n') {
				if (advisory_literal(j, "null") == -1)
					return -1;
			} else {
				char	 head[sizeof(ADV_SEL_CONVERT) +
					    sizeof(BN_NETSUB_SELECTOR_HEAD)];
				char	*h = head;

				if (advisory_string(j, head, sizeof(head),
				    &n) == -1)
					return -1;
				st->adv.has_selector = n > 0;
				/* STOMP's selectors carry a prefix of its own */
				if (strncmp(h, ADV_SEL_CONVERT,
				    sizeof(ADV_SEL_CONVERT) - 1) == 0)
					h += sizeof(ADV_SEL_CONVERT) - 1;
				st->adv.network = strncmp(h,
				    BN_NETSUB_SELECTOR_HEAD,
				    sizeof(BN_NETSUB_SELECTOR_HEAD) - 1) == 0;
			}
		} else if (advisory_value_skip(j) == -1)
			return -1;
	}
	return r;
}

/* The RemoveInfo object: only objectId matters. */
static int
advisory_remove_info(struct adv_json *j, struct adv_state *st)
{
	char	key[ADV_KEYMAX];
	size_t	keylen;
	bool	first = true;
	int	r;

	if (advisory_open(j, '{', "RemoveInfo is not an object") == -1)
		return -1;
	while ((r = advisory_member(j, &first, key, &keylen)) == 1) {
		if (advisory_keyis(key, keylen, "objectId")) {
			if (st->has_id)
				return advisory_fail(j, "duplicate key");
			st->has_id = true;
			if (advisory_id(j, &st->id,
			    "objectId is not an object") == -1)
				return -1;
		} else if (advisory_value_skip(j) == -1)
			return -1;
	}
	return r;
}

/*
 * Checks across fields, made only once the whole body is known to be
 * well-formed JSON, so that a truncated body always says so. Returns
 * NULL or the reason.
 */
static const char *
advisory_check(struct adv_state *st)
{
	struct adv_id	*id = &st->id;
	bool		 add = st->adv.kind == BN_ADV_ADD;

	if (st->adv.kind == 0)
		return "not a ConsumerInfo or RemoveInfo";
	if (!st->has_id)
		return add ? "ConsumerInfo lacks consumerId" :
		    "RemoveInfo lacks objectId";
	if (!add && (!id->has_class || strcmp(id->klass, "ConsumerId") != 0))
		return "RemoveInfo objectId is not a ConsumerId";
	if (id->bad != NULL)
		return id->bad;
	if (!id->has_conn || !id->has_session || !id->has_value)
		return add ? "consumerId lacks connectionId, sessionId or value" :
		    "objectId lacks connectionId, sessionId or value";
	if (id->conn[0] == '\0')
		return "empty connectionId";
	if (add && !st->has_dest)
		return "ConsumerInfo lacks destination";
	if (add && !st->has_name)
		return "destination lacks string";
	if (add && st->adv.destination[0] == '\0')
		return "empty destination";
	return NULL;
}

/*
 * The outer object must hold exactly one ConsumerInfo or RemoveInfo;
 * other members are skipped. The result is built in a local and copied
 * out only on success.
 */
int
bn_advisory_parse(const char *body, size_t len, struct bn_advisory *out,
    const char **err)
{
	struct adv_json		 j;
	struct adv_state	 st;
	char			 key[ADV_KEYMAX];
	const char		*reason;
	size_t			 keylen;
	int			 r, n;
	bool			 first = true;

	memset(&j, 0, sizeof(j));
	memset(&st, 0, sizeof(st));
	j.buf = body;
	j.len = body == NULL ? 0 : len;

	if (advisory_peek(&j) == -1) {
		advisory_fail(&j, "empty body");
		goto fail;
	}
	if (advisory_open(&j, '{', "body is not a JSON object") == -1)
		goto fail;
	while ((r = advisory_member(&j, &first, key, &keylen)) == 1) {
		if (advisory_keyis(key, keylen, "ConsumerInfo")) {
			if (st.adv.kind != 0) {
				advisory_fail(&j, "more than one advisory");
				goto fail;
			}
			st.adv.kind = BN_ADV_ADD;
			if (advisory_consumer_info(&j, &st) == -1)
				goto fail;
		} else if (advisory_keyis(key, keylen, "RemoveInfo")) {
			if (st.adv.kind != 0) {
				advisory_fail(&j, "more than one advisory");
				goto fail;
			}
			st.adv.kind = BN_ADV_REMOVE;
			if (advisory_remove_info(&j, &st) == -1)
				goto fail;
		} else if (advisory_value_skip(&j) == -1)
			goto fail;
	}
	if (r == -1)
		goto fail;
	if (advisory_peek(&j) != -1) {
		advisory_fail(&j, "trailing garbage after JSON");
		goto fail;
	}
	if ((reason = advisory_check(&st)) != NULL) {
		advisory_fail(&j, reason);
		goto fail;
	}
	memcpy(st.adv.connection_id, st.id.conn, sizeof(st.adv.connection_id));
	n = snprintf(st.adv.consumer_id, sizeof(st.adv.consumer_id),
	    "%s/%" PRId64 "/%" PRId64, st.id.conn, st.id.session,
	    st.id.value);
	/* Cannot happen (see the _Static_assert); kept as a last guard. */
	if (n < 0 || (size_t)n >= sizeof(st.adv.consumer_id)) {
		advisory_fail(&j, "consumerId too long");
		goto fail;
	}
	*out = st.adv;
	return 0;

fail:
	if (err != NULL)
		*err = j.err != NULL ? j.err : "malformed advisory";
	return -1;
}
