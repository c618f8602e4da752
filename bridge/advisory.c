/*
 * ActiveMQ consumer advisories (jms-advisory-json bodies), read with
 * jansson.
 *
 * jansson parses the body (strict RFC 8259, UTF-8, duplicate keys
 * refused, len bytes only); this file picks the few fields it needs out
 * of the tree and checks them. A refusal carries a short reason: jansson's
 * error is mapped onto the reasons this module always gave ("truncated
 * JSON" whenever the body merely stops early, so a cut-off body says so).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "brokernet/advisory.h"
#include "brokernet/topic.h"
#include "brokernet/util.h"

#define ADV_MAXDEPTH	32	/* objects and arrays, the outer one is 1 */
#define ADV_CLASSMAX	64	/* "@class" values we compare */

/* A consumerId (ConsumerInfo) or objectId (RemoveInfo). */
struct adv_id {
	const char	*conn;
	const char	*klass;
	int64_t		 session;
	int64_t		 value;
	const char	*bad;		/* first non-number sessionId/value */
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

static bool
advisory_isalpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
advisory_isnum(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
	    c == 'e' || c == 'E';
}

static bool
advisory_ishex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * jansson's "invalid token" ends at pos: a number gone wrong ("-", "1.",
 * "1e+"), a word that is not true/false/null, or a stray byte. At the end
 * of the body a number or a beginning of a literal is only cut short.
 */
static const char *
advisory_token_reason(const char *b, size_t len, size_t pos)
{
	static const char *const lits[] = { "true", "false", "null" };
	size_t	k, i;

	for (k = pos; k > 0 && advisory_isnum(b[k - 1]); k--)
		;
	if (k < pos && (b[k] == '-' || (b[k] >= '0' && b[k] <= '9')))
		return pos >= len ? "truncated JSON" : "bad number";
	for (k = pos; k > 0 && advisory_isalpha(b[k - 1]); k--)
		;
	if (pos >= len && k < pos)
		for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++)
			if (pos - k < strlen(lits[i]) &&
			    memcmp(b + k, lits[i], pos - k) == 0)
				return "truncated JSON";
	return "unexpected character";
}

/* "invalid escape" just after the offending byte at pos - 1. */
static const char *
advisory_escape_reason(const char *b, size_t pos)
{
	size_t	j;

	if (pos == 0)
		return "bad escape in string";
	for (j = pos - 1; j > 0 && pos - 1 - j < 4 && advisory_ishex(b[j - 1]);
	    j--)
		;
	if (j >= 2 && b[j - 1] == 'u' && b[j - 2] == '\\')
		return "bad \\u escape";
	return "bad escape in string";
}

/*
 * jansson reads UTF-8 a character at a time: a lead byte whose sequence
 * would run past the body is a cut-off body, anything else is bad UTF-8.
 */
static const char *
advisory_utf8_reason(const char *b, size_t len, size_t pos)
{
	unsigned char	c = pos < len ? (unsigned char)b[pos] : 0;
	size_t		need = 0, i;

	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	if (need == 0 || pos + need <= len)
		return "invalid UTF-8 in string";
	for (i = pos + 1; i < len; i++)
		if (((unsigned char)b[i] & 0xc0) != 0x80)
			return "invalid UTF-8 in string";
	return "truncated JSON";
}

/* "invalid Unicode '\uD800'" (or a pair): which surrogate was alone. */
static const char *
advisory_surrogate_reason(const char *text)
{
	unsigned int	v;

	if (sscanf(text, "invalid Unicode '\\u%4x", &v) == 1 &&
	    v >= 0xdc00 && v <= 0xdfff)
		return "lone low surrogate in \\u escape";
	return "lone high surrogate in \\u escape";
}

static bool
advisory_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * jansson stops a duplicate key right after reading it: a second
 * ConsumerInfo or RemoveInfo is "more than one advisory", as a
 * ConsumerInfo and a RemoveInfo are.
 */
static const char *
advisory_dup_reason(const char *b, size_t pos)
{
	static const char *const kinds[] = { "\"ConsumerInfo\"",
	    "\"RemoveInfo\"" };
	size_t	i, n;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		n = strlen(kinds[i]);
		if (pos >= n && memcmp(b + pos - n, kinds[i], n) == 0)
			return "more than one advisory";
	}
	return "duplicate key";
}

/* The reason for a body jansson refused. */
static const char *
advisory_json_reason(const json_error_t *e, const char *b, size_t len)
{
	static const struct {
		const char	*jansson;	/* start of its message */
		const char	*reason;
	} syntax[] = {
		{ "control character", "control character in string" },
		{ "unexpected newline", "control character in string" },
		{ "invalid Unicode escape", "bad \\u escape" },
		{ "string or '}' expected", "expected a string key" },
		{ "':' expected", "expected ':'" },
		{ "'}' expected", "expected ',' or '}'" },
		{ "']' expected", "expected ',' or ']'" },
		{ "unexpected token", "unexpected character" },
	};
	size_t	pos = (size_t)e->position, i;

	switch (json_error_code(e)) {
	case json_error_premature_end_of_input:
		return "truncated JSON";
	case json_error_invalid_utf8:
		return advisory_utf8_reason(b, len, pos);
	case json_error_stack_overflow:
		return "nesting deeper than 32";
	case json_error_duplicate_key:
		return advisory_dup_reason(b, pos);
	case json_error_end_of_input_expected:
		return "trailing garbage after JSON";
	case json_error_numeric_overflow:
		return advisory_starts(e->text, "real") ? "bad number" :
		    "integer out of range";
	case json_error_null_byte_in_key:
		return "NUL character in string";
	case json_error_out_of_memory:
		return "out of memory";
	default:
		break;
	}
	if (advisory_starts(e->text, "invalid token"))
		return advisory_token_reason(b, len, pos);
	/* Anything else that stopped at the end only lacked the rest. */
	if (pos >= len)
		return "truncated JSON";
	if (advisory_starts(e->text, "invalid escape"))
		return advisory_escape_reason(b, pos);
	if (advisory_starts(e->text, "invalid Unicode '"))
		return advisory_surrogate_reason(e->text);
	for (i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++)
		if (advisory_starts(e->text, syntax[i].jansson))
			return syntax[i].reason;
	return "malformed JSON";
}

/* Nesting of v, the outer container counting 1; stops past the limit. */
static int
advisory_depth(json_t *v, int depth)
{
	const char	*k;
	json_t		*c;
	size_t		 i;
	int		 d, max = depth;

	if (!json_is_object(v) && !json_is_array(v))
		return depth - 1;
	if (depth > ADV_MAXDEPTH)
		return depth;
	if (json_is_object(v)) {
		json_object_foreach(v, k, c)
			if ((d = advisory_depth(c, depth + 1)) > max &&
			    (max = d) > ADV_MAXDEPTH)
				break;
	} else
		json_array_foreach(v, i, c)
			if ((d = advisory_depth(c, depth + 1)) > max &&
			    (max = d) > ADV_MAXDEPTH)
				break;
	return max;
}

/*
 * A string that must fit a buffer of cap bytes, copied to dst unless it
 * is NULL: NULL or the reason. A C string cannot carry a NUL, so an
 * escaped one is refused.
 */
static const char *
advisory_string(json_t *v, char *dst, size_t cap, const char *toolong)
{
	size_t	n;

	if (!json_is_string(v))
		return "expected a string";
	n = json_string_length(v);
	if (n >= cap)
		return toolong;
	if (strlen(json_string_value(v)) != n)
		return "NUL character in string";
	if (dst != NULL)
		memcpy(dst, json_string_value(v), n + 1);
	return NULL;
}

/* An integer within [min, max]. */
static const char *
advisory_int(json_t *v, int64_t min, int64_t max, int64_t *out)
{
	json_int_t	i;

	if (!json_is_integer(v))
		return "expected an integer";
	i = json_integer_value(v);
	if (i < min || i > max)
		return "integer out of range";
	*out = i;
	return NULL;
}

/*
 * sessionId or value of an id. A number must be an integer at once; any
 * other JSON value is remembered, because the ids of other classes (a
 * ConnectionId's value is a string) must fail as "not a ConsumerId",
 * which is only known once the whole id is read.
 */
static const char *
advisory_id_int(json_t *v, struct adv_id *id, int64_t *out,
    const char *reason)
{
	if (json_is_number(v))
		return advisory_int(v, INT64_MIN, INT64_MAX, out);
	if (id->bad == NULL)
		id->bad = reason;
	return NULL;
}

/* consumerId of a ConsumerInfo or objectId of a RemoveInfo. */
static const char *
advisory_id(json_t *o, struct adv_id *id, const char *notobj)
{
	const char	*k, *why = NULL;
	json_t		*v;

	if (!json_is_object(o))
		return notobj;
	/* Both point into the tree, which outlives every use of them. */
	json_object_foreach(o, k, v) {
		if (strcmp(k, "connectionId") == 0) {
			why = advisory_string(v, NULL,
			    sizeof(((struct bn_advisory *)0)->connection_id),
			    "connectionId too long");
			id->conn = json_string_value(v);
		} else if (strcmp(k, "@class") == 0) {
			why = advisory_string(v, NULL, ADV_CLASSMAX,
			    "@class too long");
			id->klass = json_string_value(v);
		} else if (strcmp(k, "sessionId") == 0) {
			id->has_session = true;
			why = advisory_id_int(v, id, &id->session,
			    "sessionId is not an integer");
		} else if (strcmp(k, "value") == 0) {
			id->has_value = true;
			why = advisory_id_int(v, id, &id->value,
			    "value is not an integer");
		}
		if (why != NULL)
			return why;
	}
	return NULL;
}

/* destination of a ConsumerInfo: {"@class":..., "string":...}. */
static const char *
advisory_destination(json_t *o, struct adv_state *st)
{
	char		 klass[ADV_CLASSMAX] = "";
	const char	*k, *why = NULL;
	json_t		*v;

	if (!json_is_object(o))
		return "destination is not an object";
	json_object_foreach(o, k, v) {
		if (strcmp(k, "@class") == 0)
			why = advisory_string(v, klass, sizeof(klass),
			    "@class too long");
		else if (strcmp(k, "string") == 0) {
			st->has_name = true;
			why = advisory_string(v, st->adv.destination,
			    sizeof(st->adv.destination),
			    "destination too long");
		}
		if (why != NULL)
			return why;
	}
	st->adv.queue = strcmp(klass, "ActiveMQQueue") == 0;
	st->adv.topic = strcmp(klass, "ActiveMQTopic") == 0;
	return NULL;
}

/*
 * ActiveMQ's STOMP transport puts this before a subscription's selector
 * (measured on 5.17.2: "convert_string_expressions:brokernet_marker ...").
 */
#define ADV_SEL_CONVERT	"convert_string_expressions:"

/* A null or "" selector counts as none. */
static const char *
advisory_selector(json_t *v, struct bn_advisory *adv)
{
	const char	*s;

	if (json_is_null(v))
		return NULL;
	if (!json_is_string(v))
		return "expected a string";
	s = json_string_value(v);
	adv->has_selector = json_string_length(v) > 0;
	/* STOMP's selectors carry a prefix of its own */
	if (advisory_starts(s, ADV_SEL_CONVERT))
		s += sizeof(ADV_SEL_CONVERT) - 1;
	adv->network = advisory_starts(s, BN_NETSUB_SELECTOR_HEAD);
	return NULL;
}

/* The ConsumerInfo object. */
static const char *
advisory_consumer_info(json_t *o, struct adv_state *st)
{
	const char	*k, *why = NULL;
	json_t		*v;
	int64_t		 prio;

	if (!json_is_object(o))
		return "ConsumerInfo is not an object";
	json_object_foreach(o, k, v) {
		if (strcmp(k, "consumerId") == 0) {
			st->has_id = true;
			why = advisory_id(v, &st->id,
			    "consumerId is not an object");
		} else if (strcmp(k, "destination") == 0) {
			st->has_dest = true;
			why = advisory_destination(v, st);
		} else if (strcmp(k, "browser") == 0) {
			if (!json_is_boolean(v))
				why = "expected true or false";
			st->adv.browser = json_is_true(v);
		} else if (strcmp(k, "priority") == 0) {
			if ((why = advisory_int(v, INT8_MIN, INT8_MAX,
			    &prio)) == NULL)
				st->adv.priority = (int)prio;
		} else if (strcmp(k, "selector") == 0)
			why = advisory_selector(v, &st->adv);
		else if (strcmp(k, "subscriptionName") == 0 &&
		    !json_is_null(v))
			why = advisory_string(v, st->adv.subscription,
			    sizeof(st->adv.subscription),
			    "subscriptionName too long");
		if (why != NULL)
			return why;
	}
	return NULL;
}

/* The RemoveInfo object: only objectId matters. */
static const char *
advisory_remove_info(json_t *o, struct adv_state *st)
{
	json_t	*v;

	if (!json_is_object(o))
		return "RemoveInfo is not an object";
	if ((v = json_object_get(o, "objectId")) == NULL)
		return NULL;
	st->has_id = true;
	return advisory_id(v, &st->id, "objectId is not an object");
}

/*
 * The RemoveSubscriptionInfo object: connectionId {"value":...}, clientId,
 * subscriptionName; the rest is skipped.
 */
static const char *
advisory_remove_sub(json_t *o, struct adv_state *st)
{
	const char	*k, *why = NULL;
	json_t		*v, *c;

	if (!json_is_object(o))
		return "RemoveSubscriptionInfo is not an object";
	json_object_foreach(o, k, v) {
		if (strcmp(k, "clientId") == 0)
			why = advisory_string(v, st->adv.client_id,
			    sizeof(st->adv.client_id), "clientId too long");
		else if (strcmp(k, "subscriptionName") == 0)
			why = advisory_string(v, st->adv.subscription,
			    sizeof(st->adv.subscription),
			    "subscriptionName too long");
		else if (strcmp(k, "connectionId") == 0) {
			if (!json_is_object(v) ||
			    (c = json_object_get(v, "value")) == NULL)
				why = "connectionId lacks value";
			else
				why = advisory_string(c,
				    st->adv.connection_id,
				    sizeof(st->adv.connection_id),
				    "connectionId too long");
		}
		if (why != NULL)
			return why;
	}
	if (st->adv.subscription[0] == '\0')
		return "RemoveSubscriptionInfo lacks subscriptionName";
	return NULL;
}

/* Checks across fields, once every field is known. NULL or the reason. */
static const char *
advisory_check(struct adv_state *st)
{
	struct adv_id	*id = &st->id;
	bool		 add = st->adv.kind == BN_ADV_ADD;

	if (st->adv.kind == 0)
		return "not a ConsumerInfo or RemoveInfo";
	if (st->adv.kind == BN_ADV_REMOVE_SUB)
		return NULL;	/* advisory_remove_sub checked it */
	if (!st->has_id)
		return add ? "ConsumerInfo lacks consumerId" :
		    "RemoveInfo lacks objectId";
	if (!add && (id->klass == NULL || strcmp(id->klass, "ConsumerId") != 0))
		return "RemoveInfo objectId is not a ConsumerId";
	if (id->bad != NULL)
		return id->bad;
	if (id->conn == NULL || !id->has_session || !id->has_value)
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

/* The outer object: exactly one ConsumerInfo or RemoveInfo. */
static const char *
advisory_root(json_t *root, struct adv_state *st)
{
	const char	*k, *why = NULL;
	json_t		*v;

	json_object_foreach(root, k, v) {
		if (strcmp(k, "ConsumerInfo") != 0 &&
		    strcmp(k, "RemoveInfo") != 0 &&
		    strcmp(k, "RemoveSubscriptionInfo") != 0)
			continue;
		if (st->adv.kind != 0)
			return "more than one advisory";
		if (strcmp(k, "ConsumerInfo") == 0) {
			st->adv.kind = BN_ADV_ADD;
			why = advisory_consumer_info(v, st);
		} else if (strcmp(k, "RemoveSubscriptionInfo") == 0) {
			st->adv.kind = BN_ADV_REMOVE_SUB;
			why = advisory_remove_sub(v, st);
		} else {
			st->adv.kind = BN_ADV_REMOVE;
			why = advisory_remove_info(v, st);
		}
		if (why != NULL)
			return why;
	}
	return advisory_check(st);
}

/*
 * The result is built in a local and copied out only on success. jansson
 * would take any JSON value; the body must be an object, which is known
 * from its first byte, so an array nested 100,000 deep is not parsed.
 */
int
bn_advisory_parse(const char *body, size_t len, struct bn_advisory *out,
    const char **err)
{
	struct adv_state	 st;
	json_error_t		 jerr;
	json_t			*root = NULL;
	const char		*reason = NULL;
	size_t			 i;
	int			 n;

	memset(&st, 0, sizeof(st));
	if (body == NULL)
		len = 0;
	for (i = 0; i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\n' || body[i] == '\r'); i++)
		;
	if (i == len) {
		reason = "empty body";
		goto fail;
	}
	if (body[i] != '{') {
		reason = "body is not a JSON object";
		goto fail;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	if (root == NULL) {
		reason = advisory_json_reason(&jerr, body, len);
		goto fail;
	}
	if (advisory_depth(root, 1) > ADV_MAXDEPTH) {
		reason = "nesting deeper than 32";
		goto fail;
	}
	if ((reason = advisory_root(root, &st)) != NULL)
		goto fail;
	if (st.adv.kind == BN_ADV_REMOVE_SUB)
		goto done;
	/* advisory_string checked the length and the NULs */
	memcpy(st.adv.connection_id, st.id.conn, strlen(st.id.conn) + 1);
	n = snprintf(st.adv.consumer_id, sizeof(st.adv.consumer_id),
	    "%s/%" PRId64 "/%" PRId64, st.id.conn, st.id.session,
	    st.id.value);
	/* Cannot happen (see the _Static_assert); kept as a last guard. */
	if (n < 0 || (size_t)n >= sizeof(st.adv.consumer_id)) {
		reason = "consumerId too long";
		goto fail;
	}
	if (st.adv.kind == BN_ADV_ADD && st.adv.queue)
		memcpy(st.adv.demand, st.adv.destination,
		    strlen(st.adv.destination) + 1);
	else if (st.adv.kind == BN_ADV_ADD && st.adv.topic &&
	    !bn_topic_is_system(st.adv.destination))
		snprintf(st.adv.demand, sizeof(st.adv.demand), "%s%s",
		    BN_TOPIC_PREFIX, st.adv.destination);
done:
	json_decref(root);
	*out = st.adv;
	return 0;

fail:
	json_decref(root);
	if (err != NULL)
		*err = reason != NULL ? reason : "malformed advisory";
	return -1;
}

#define ADV_TOPIC_ADVISORY	"/topic/ActiveMQ.Advisory.Consumer.Topic."

const char *
bn_advisory_topic_of(const char *dest)
{
	size_t	n = sizeof(ADV_TOPIC_ADVISORY) - 1;

	if (dest == NULL || strncmp(dest, ADV_TOPIC_ADVISORY, n) != 0 ||
	    dest[n] == '\0')
		return NULL;
	return dest + n;
}
