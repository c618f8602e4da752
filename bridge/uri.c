/*
 * Parsing of the URIs written in the config: endpoints, failover:, static:,
 * masterslave:, multicast: and listener URIs with their options. Pure: no
 * I/O, no libxml2, no libevent.
 *
 * Ownership: on success the output struct receives freshly allocated
 * strings and arrays; pointers it held before are overwritten, not freed, so
 * pass a zeroed (or defaulted) struct. On error nothing stays allocated and
 * the owned pointers the function sets are NULL.
 *
 * Option values are taken verbatim (no %-decoding): every value accepted is
 * a number, a boolean, an interface name or a list of endpoints, none of
 * which needs escaping. An option given twice is an error (ActiveMQ would
 * silently keep one of them).
 */
#include <ctype.h>
#include <float.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "brokernet/config.h"
#include "brokernet/uri.h"
#include "brokernet/util.h"

#define URI_HOST_MAX	255	/* a DNS name fits in 253 */
#define URI_GROUP_MAX	63	/* fits a DNS-SD TXT value and a label */
#define URI_IFNAME_MAX	15	/* IFNAMSIZ - 1 on Linux */
#define URI_SNIP	128	/* longest piece of input quoted in errors */

enum uri_opt_type {
	OPT_U64,	/* integer imin..INT64_MAX */
	OPT_I64,	/* -1 or an integer 0..INT64_MAX */
	OPT_DOUBLE,	/* a finite number dmin..dmax */
	OPT_BOOL,	/* true or false */
	OPT_ENDPOINTS,	/* a comma-separated list of endpoints */
	OPT_IFNAME	/* a network interface name */
};

/* One option of a URI query; off (and off2) locate it in the target. */
struct uri_opt {
	const char		*name;
	enum uri_opt_type	 type;
	size_t			 off;
	size_t			 off2;	/* OPT_ENDPOINTS: count */
	int64_t			 imin;
	double			 dmin;
	double			 dmax;
};

static const char *const uri_failover_schemes[] = { "tcp", "ssl", "stomp",
    "stomp+ssl", NULL };
static const char *const uri_peer_schemes[] = { "tcp", "ssl", NULL };
static const char *const uri_listen_schemes[] = { "tcp", "ssl", NULL };

#define FO(m)	offsetof(struct bn_failover, m)
static const struct uri_opt uri_failover_opts[] = {
	{ "initialReconnectDelay", OPT_U64, FO(initial_delay_ms), 0, 0, 0, 0 },
	{ "maxReconnectDelay", OPT_U64, FO(max_delay_ms), 0, 0, 0, 0 },
	{ "useExponentialBackOff", OPT_BOOL, FO(exponential), 0, 0, 0, 0 },
	{ "reconnectDelayExponent", OPT_DOUBLE, FO(exponent), 0, 0, 1.0,
	    DBL_MAX },
	{ "maxReconnectAttempts", OPT_I64, FO(max_attempts), 0, 0, 0, 0 },
	{ "startupMaxReconnectAttempts", OPT_I64, FO(startup_max_attempts), 0,
	    0, 0, 0 },
	{ "randomize", OPT_BOOL, FO(randomize), 0, 0, 0, 0 },
	{ "priorityBackup", OPT_BOOL, FO(priority_backup), 0, 0, 0, 0 },
	{ "priorityURIs", OPT_ENDPOINTS, FO(priority_uris), FO(npriority), 0,
	    0, 0 },
	{ "timeout", OPT_I64, FO(timeout_ms), 0, 0, 0, 0 },
	{ "jitter", OPT_DOUBLE, FO(jitter), 0, 0, 0.0, 1.0 },
	{ NULL, OPT_U64, 0, 0, 0, 0, 0 }
};
#undef FO

#define NC(m)	offsetof(struct bn_network_connector, m)
/* static: and masterslave: options; multicast adds interface (last). */
static const struct uri_opt uri_discovery_opts[] = {
	{ "initialReconnectDelay", OPT_U64, NC(reconnect.initial_delay_ms), 0,
	    0, 0, 0 },
	{ "maxReconnectDelay", OPT_U64, NC(reconnect.max_delay_ms), 0, 0, 0,
	    0 },
	{ "useExponentialBackOff", OPT_BOOL, NC(reconnect.exponential), 0, 0,
	    0, 0 },
	{ "backOffMultiplier", OPT_DOUBLE, NC(reconnect.multiplier), 0, 0,
	    1.0, DBL_MAX },
	{ "maxReconnectAttempts", OPT_I64, NC(reconnect.max_attempts), 0, 0,
	    0, 0 },
	{ "jitter", OPT_DOUBLE, NC(reconnect.jitter), 0, 0, 0.0, 1.0 },
	{ "interface", OPT_IFNAME, NC(interface), 0, 0, 0, 0 },
	{ NULL, OPT_U64, 0, 0, 0, 0, 0 }
};
#undef NC
#define URI_STATIC_NOPTS	6	/* all but interface */
#define URI_MCAST_NOPTS		7

#define TC(m)	offsetof(struct bn_transport_connector, m)
static const struct uri_opt uri_listener_opts[] = {
	{ "maximumConnections", OPT_U64, TC(max_connections), 0, 1, 0, 0 },
	{ "maxFrameSize", OPT_U64, TC(max_frame_size), 0, 1, 0, 0 },
	{ "needClientAuth", OPT_BOOL, TC(need_client_auth), 0, 0, 0, 0 },
	{ NULL, OPT_U64, 0, 0, 0, 0, 0 }
};
#undef TC

static int	uri_err(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Errors quote the input: its control characters show as '?'. */
static int
uri_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;
	char	*p;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		for (p = err; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -1;
}

/* Length to print of a piece of input, so that errors stay one short line. */
static int
uri_snip(size_t len)
{
	return len > URI_SNIP ? URI_SNIP : (int)len;
}

static bool
uri_host_char(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_';
}

static bool
uri_ip6_char(int c)
{
	return isalnum(c) || c == ':' || c == '.' || c == '%' || c == '-' ||
	    c == '_';
}

/*
 * Parses "scheme://host:port" from s[0..len): the callers cut endpoints out
 * of lists and queries, so the input is not NUL-terminated.
 */
static int
uri_endpoint(const char *s, size_t len, struct bn_endpoint *ep, char *err,
    size_t errlen)
{
	const char	*end = s + len, *p, *host, *hend, *port;
	size_t		 i, slen, hlen;
	uint64_t	 v;
	int		 n = uri_snip(len);

	ep->scheme = ep->host = NULL;
	ep->port = 0;
	for (p = s; p < end && *p != ':'; p++)
		;
	slen = (size_t)(p - s);
	if (slen == 0 || end - p < 3 || memcmp(p, "://", 3) != 0)
		return uri_err(err, errlen,
		    "\"%.*s\": expected scheme://host:port", n, s);
	if (!isalpha((unsigned char)s[0]))
		return uri_err(err, errlen, "\"%.*s\": bad scheme", n, s);
	for (i = 1; i < slen; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			return uri_err(err, errlen, "\"%.*s\": bad scheme", n,
			    s);
	}
	host = p + 3;
	if (host < end && *host == '[') {
		host++;
		if ((hend = memchr(host, ']', (size_t)(end - host))) == NULL)
			return uri_err(err, errlen,
			    "\"%.*s\": missing \"]\" after IPv6 address", n, s);
		hlen = (size_t)(hend - host);
		if (hlen == 0 || memchr(host, ':', hlen) == NULL)
			return uri_err(err, errlen,
			    "\"%.*s\": bad IPv6 address", n, s);
		for (i = 0; i < hlen; i++) {
			if (!uri_ip6_char((unsigned char)host[i]))
				return uri_err(err, errlen,
				    "\"%.*s\": bad IPv6 address", n, s);
		}
		p = hend + 1;
	} else {
		for (p = host; p < end && *p != ':'; p++) {
			if (!uri_host_char((unsigned char)*p))
				return uri_err(err, errlen,
				    "\"%.*s\": bad character '%c' in host", n,
				    s, isprint((unsigned char)*p) ? *p : '?');
		}
		hlen = (size_t)(p - host);
		if (hlen == 0)
			return uri_err(err, errlen, "\"%.*s\": missing host",
			    n, s);
	}
	if (hlen > URI_HOST_MAX)
		return uri_err(err, errlen, "\"%.*s\": host too long", n, s);
	if (p == end || *p != ':')
		return uri_err(err, errlen, "\"%.*s\": missing port", n, s);
	port = ++p;
	while (p < end && isdigit((unsigned char)*p))
		p++;
	if (p < end)
		return uri_err(err, errlen, "\"%.*s\": unexpected \"%.*s\" "
		    "after the port", n, s, uri_snip((size_t)(end - p)), p);
	if (bn_strntou64(port, (size_t)(p - port), 65535, &v) == -1 ||
	    v == 0)
		return uri_err(err, errlen,
		    "\"%.*s\": port must be 1..65535", n, s);
	ep->scheme = xstrndup(s, slen);
	for (i = 0; i < slen; i++)
		ep->scheme[i] = (char)tolower((unsigned char)ep->scheme[i]);
	ep->host = xstrndup(host, hlen);
	ep->port = (uint16_t)v;
	return 0;
}

static bool
uri_scheme_allowed(const char *scheme, const char *const *allowed)
{
	for (; *allowed != NULL; allowed++)
		if (strcmp(scheme, *allowed) == 0)
			return true;
	return false;
}

/* Writes "a, b, c" into buf. */
static void
uri_names(const char *const *names, char *buf, size_t len)
{
	size_t	used = 0;
	int	n;

	buf[0] = '\0';
	for (; *names != NULL && used < len; names++) {
		n = snprintf(buf + used, len - used, "%s%s",
		    used ? ", " : "", *names);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* An endpoint whose scheme must be one of allowed. */
static int
uri_endpoint_in(const char *s, size_t len, const char *const *allowed,
    struct bn_endpoint *ep, char *err, size_t errlen)
{
	char	names[64];

	if (uri_endpoint(s, len, ep, err, errlen) == -1)
		return -1;
	if (!uri_scheme_allowed(ep->scheme, allowed)) {
		uri_names(allowed, names, sizeof(names));
		uri_err(err, errlen, "\"%.*s\": scheme \"%s\" not allowed "
		    "(allowed: %s)", uri_snip(len), s, ep->scheme, names);
		bn_endpoint_free(ep);
		return -1;
	}
	return 0;
}

static void
uri_endpoints_free(struct bn_endpoint *eps, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		bn_endpoint_free(&eps[i]);
	free(eps);
}

/*
 * Parses the comma-separated list s[0..len) into a new array. With nodup,
 * the same scheme://host:port twice is an error (two links to one peer).
 */
static int
uri_endpoint_list(const char *s, size_t len, const char *const *allowed,
    bool nodup, struct bn_endpoint **out, size_t *nout, char *err,
    size_t errlen)
{
	struct bn_endpoint	*eps = NULL, ep;
	const char		*p = s, *end = s + len, *comma;
	size_t			 n = 0, i, elen;

	*out = NULL;
	*nout = 0;
	if (len == 0)
		return uri_err(err, errlen, "empty URI list");
	for (;;) {
		comma = memchr(p, ',', (size_t)(end - p));
		elen = (size_t)((comma != NULL ? comma : end) - p);
		if (elen == 0) {
			uri_err(err, errlen, "empty URI in list \"%.*s\"",
			    uri_snip(len), s);
			goto fail;
		}
		if (uri_endpoint_in(p, elen, allowed, &ep, err, errlen) == -1)
			goto fail;
		for (i = 0; nodup && i < n; i++) {
			if (strcmp(eps[i].scheme, ep.scheme) == 0 &&
			    strcmp(eps[i].host, ep.host) == 0 &&
			    eps[i].port == ep.port) {
				uri_err(err, errlen, "\"%.*s\": listed twice",
				    uri_snip(elen), p);
				bn_endpoint_free(&ep);
				goto fail;
			}
		}
		eps = xrealloc(eps, (n + 1) * sizeof(*eps));
		eps[n++] = ep;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*out = eps;
	*nout = n;
	return 0;
fail:
	uri_endpoints_free(eps, n);
	return -1;
}

static bool
uri_ifname_ok(const char *s)
{
	size_t	i, len = strlen(s);

	if (len == 0 || len > URI_IFNAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_.:-", s[i]) ==
		    NULL)
			return false;
	return true;
}

/* Stores one option value into the target struct; 0 or -1. */
static int
uri_opt_set(const struct uri_opt *o, const char *val, void *target, char *err,
    size_t errlen)
{
	char		*base = target;
	uint64_t	 u;
	int64_t		 i;
	double		 d;
	bool		 b;
	int		 n = uri_snip(strlen(val));

	switch (o->type) {
	case OPT_U64:
		if (bn_strtou64(val, INT64_MAX, &u) == -1 ||
		    u < (uint64_t)o->imin)
			return uri_err(err, errlen, "bad value \"%.*s\" for "
			    "option %s (expected an integer >= %lld)", n, val,
			    o->name, (long long)o->imin);
		memcpy(base + o->off, &u, sizeof(u));
		break;
	case OPT_I64:
		if (bn_strtoi64(val, -1, INT64_MAX, &i) == -1)
			return uri_err(err, errlen, "bad value \"%.*s\" for "
			    "option %s (expected -1 or an integer >= 0)", n,
			    val, o->name);
		memcpy(base + o->off, &i, sizeof(i));
		break;
	case OPT_DOUBLE:
		if (bn_strtod(val, o->dmin, o->dmax, &d) == -1) {
			if (o->dmax == DBL_MAX)
				return uri_err(err, errlen, "bad value "
				    "\"%.*s\" for option %s (expected a "
				    "number >= %g)", n, val, o->name, o->dmin);
			return uri_err(err, errlen, "bad value \"%.*s\" for "
			    "option %s (expected a number from %g to %g)", n,
			    val, o->name, o->dmin, o->dmax);
		}
		memcpy(base + o->off, &d, sizeof(d));
		break;
	case OPT_BOOL:
		if (bn_strtobool(val, &b) == -1)
			return uri_err(err, errlen, "bad value \"%.*s\" for "
			    "option %s (expected true or false)", n, val,
			    o->name);
		memcpy(base + o->off, &b, sizeof(b));
		break;
	case OPT_ENDPOINTS: {
		struct bn_endpoint	*eps;
		size_t			 neps;

		if (uri_endpoint_list(val, strlen(val), uri_failover_schemes,
		    false, &eps, &neps, err, errlen) == -1)
			return -1;
		memcpy(base + o->off, &eps, sizeof(eps));
		memcpy(base + o->off2, &neps, sizeof(neps));
		break;
	}
	case OPT_IFNAME: {
		char	*copy;

		if (!uri_ifname_ok(val))
			return uri_err(err, errlen, "bad value \"%.*s\" for "
			    "option %s (expected an interface name)", n, val,
			    o->name);
		copy = xstrdup(val);
		memcpy(base + o->off, &copy, sizeof(copy));
		break;
	}
	}
	return 0;
}

/*
 * Applies the query q ("a=1&b=2", without the '?') to target using the
 * first nopts entries of tab. Anything it allocated stays in target, for
 * the caller's free on error.
 */
static int
uri_options(const char *q, const struct uri_opt *tab, size_t nopts,
    void *target, char *err, size_t errlen)
{
	char		*copy, *rest, *item, *eq;
	char		 names[512];
	const char	*list[16];
	uint32_t	 seen = 0;
	size_t		 i;
	int		 rv = -1;

	rest = copy = xstrdup(q);
	while ((item = strsep(&rest, "&")) != NULL) {
		if (*item == '\0') {
			uri_err(err, errlen, "empty option in \"?%.*s\"",
			    uri_snip(strlen(q)), q);
			goto out;
		}
		if ((eq = strchr(item, '=')) == NULL) {
			uri_err(err, errlen, "option \"%.*s\" has no value",
			    uri_snip(strlen(item)), item);
			goto out;
		}
		*eq++ = '\0';
		for (i = 0; i < nopts; i++)
			if (strcmp(tab[i].name, item) == 0)
				break;
		if (i == nopts) {
			for (i = 0; i < nopts && i + 1 < sizeof(list) /
			    sizeof(list[0]); i++)
				list[i] = tab[i].name;
			list[i] = NULL;
			uri_names(list, names, sizeof(names));
			uri_err(err, errlen, "unknown option \"%.*s\" "
			    "(allowed: %s)", uri_snip(strlen(item)), item,
			    names);
			goto out;
		}
		if (seen & (UINT32_C(1) << i)) {
			uri_err(err, errlen, "option %s given twice",
			    tab[i].name);
			goto out;
		}
		seen |= UINT32_C(1) << i;
		if (uri_opt_set(&tab[i], eq, target, err, errlen) == -1)
			goto out;
	}
	rv = 0;
out:
	free(copy);
	return rv;
}

/*
 * Splits what follows "failover:" or "static:" into the endpoint list and
 * the query: "(a,b)?q", "(a,b)" or "a?q", "a". *query is NULL when there is
 * no '?'.
 */
static int
uri_composite(const char *whole, const char *p, const char **list,
    size_t *listlen, const char **query, char *err, size_t errlen)
{
	const char	*e;
	int		 n = uri_snip(strlen(whole));

	if (*p == '(') {
		if ((e = strchr(p, ')')) == NULL)
			return uri_err(err, errlen, "\"%.*s\": missing \")\"",
			    n, whole);
		*list = p + 1;
		*listlen = (size_t)(e - p - 1);
		e++;
		if (*e == '\0')
			*query = NULL;
		else if (*e == '?')
			*query = e + 1;
		else
			return uri_err(err, errlen, "\"%.*s\": unexpected "
			    "\"%.*s\" after \")\"", n, whole,
			    uri_snip(strlen(e)), e);
	} else {
		e = strchr(p, '?');
		*list = p;
		*listlen = e != NULL ? (size_t)(e - p) : strlen(p);
		*query = e != NULL ? e + 1 : NULL;
	}
	if (*listlen == 0)
		return uri_err(err, errlen, "\"%.*s\": empty URI list", n,
		    whole);
	return 0;
}

/* True when s starts with prefix, ignoring case (URI schemes). */
static bool
uri_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int
bn_endpoint_parse(const char *s, struct bn_endpoint *ep, char *err,
    size_t errlen)
{
	if (s == NULL) {
		ep->scheme = ep->host = NULL;
		ep->port = 0;
		return uri_err(err, errlen, "missing URI");
	}
	return uri_endpoint(s, strlen(s), ep, err, errlen);
}

/*
 * "failover:(u1,u2)?opts", "failover://(...)" (as ActiveMQ tolerates),
 * "failover:u1?opts" (the options are the failover transport's: endpoints
 * take none) or a plain "stomp://h:p" with every option at its default.
 */
int
bn_failover_parse(const char *s, struct bn_failover *f, char *err,
    size_t errlen)
{
	struct bn_failover	 t;
	const char		*p, *list, *query = NULL;
	size_t			 listlen;

	bn_failover_defaults(&t);
	if (s == NULL) {
		uri_err(err, errlen, "missing URI");
		goto fail;
	}
	if (uri_prefix(s, "failover:")) {
		p = s + strlen("failover:");
		if (strncmp(p, "//(", 3) == 0)
			p += 2;
		if (uri_composite(s, p, &list, &listlen, &query, err,
		    errlen) == -1)
			goto fail;
	} else {
		list = s;
		listlen = strlen(s);
		if (listlen == 0) {
			uri_err(err, errlen, "empty URI");
			goto fail;
		}
		/* a comma would make this a list: say so, not "bad port" */
		if (memchr(list, ',', listlen) != NULL) {
			uri_err(err, errlen, "\"%.*s\": a list of URIs needs "
			    "failover:(...)", uri_snip(listlen), s);
			goto fail;
		}
	}
	if (uri_endpoint_list(list, listlen, uri_failover_schemes, false,
	    &t.uris, &t.nuris, err, errlen) == -1)
		goto fail;
	if (query != NULL && uri_options(query, uri_failover_opts,
	    sizeof(uri_failover_opts) / sizeof(uri_failover_opts[0]) - 1, &t,
	    err, errlen) == -1)
		goto fail;
	*f = t;
	return 0;
fail:
	bn_failover_free(&t);
	bn_failover_defaults(f);
	return -1;
}

/* Group names end up in DNS-SD TXT records and log lines. */
static bool
uri_group_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > URI_GROUP_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/*
 * static:(tcp://h:p,...)?opts, static:tcp://h:p?opts, static://(...),
 * masterslave:(m,s)?opts (at least two URIs, dialled in order), a bare
 * tcp://h:p (defaults, no options) and multicast://GROUP?opts.
 */
int
bn_connector_uri_parse(const char *s, struct bn_network_connector *nc,
    char *err, size_t errlen)
{
	struct bn_network_connector	 t;
	const char			*p, *list, *query = NULL, *q;
	size_t				 listlen, nopts;

	memset(&t, 0, sizeof(t));
	bn_reconnect_defaults(&t.reconnect);
	t.discovery = BN_DISC_STATIC;
	if (s == NULL || *s == '\0') {
		uri_err(err, errlen, "empty URI");
		goto fail;
	}
	if (uri_prefix(s, "multicast://")) {
		t.discovery = BN_DISC_MULTICAST;
		p = s + strlen("multicast://");
		q = strchr(p, '?');
		listlen = q != NULL ? (size_t)(q - p) : strlen(p);
		if (listlen == 0)
			t.group = xstrdup("default");
		else if (!uri_group_ok(p, listlen)) {
			uri_err(err, errlen, "\"%.*s\": bad group \"%.*s\" "
			    "(expected 1 to %d of A-Z a-z 0-9 _ . -)",
			    uri_snip(strlen(s)), s, uri_snip(listlen), p,
			    URI_GROUP_MAX);
			goto fail;
		} else
			t.group = xstrndup(p, listlen);
		query = q != NULL ? q + 1 : NULL;
		nopts = URI_MCAST_NOPTS;
	} else if (uri_prefix(s, "static:") || uri_prefix(s, "masterslave:")) {
		t.masterslave = uri_prefix(s, "masterslave:");
		p = strchr(s, ':') + 1;
		if (strncmp(p, "//(", 3) == 0)
			p += 2;
		if (uri_composite(s, p, &list, &listlen, &query, err,
		    errlen) == -1)
			goto fail;
		if (uri_endpoint_list(list, listlen, uri_peer_schemes, true,
		    &t.peers, &t.npeers, err, errlen) == -1)
			goto fail;
		if (t.masterslave && t.npeers < 2) {
			uri_err(err, errlen, "\"%.*s\": masterslave: needs "
			    "at least two URIs", uri_snip(strlen(s)), s);
			goto fail;
		}
		nopts = URI_STATIC_NOPTS;
	} else if ((p = strchr(s, ':')) != NULL && strncmp(p, "://", 3) == 0) {
		if (uri_endpoint_list(s, strlen(s), uri_peer_schemes, true,
		    &t.peers, &t.npeers, err, errlen) == -1)
			goto fail;
		if (t.npeers != 1) {
			uri_err(err, errlen, "\"%.*s\": a list of URIs needs "
			    "static:(...)", uri_snip(strlen(s)), s);
			goto fail;
		}
		nopts = 0;
	} else {
		uri_err(err, errlen, "\"%.*s\": expected static:(...), "
		    "masterslave:(...) or multicast://GROUP",
		    uri_snip(strlen(s)), s);
		goto fail;
	}
	if (query != NULL && uri_options(query, uri_discovery_opts, nopts, &t,
	    err, errlen) == -1)
		goto fail;
	nc->discovery = t.discovery;
	nc->peers = t.peers;
	nc->npeers = t.npeers;
	nc->masterslave = t.masterslave;
	nc->group = t.group;
	nc->interface = t.interface;
	nc->reconnect = t.reconnect;
	return 0;
fail:
	uri_endpoints_free(t.peers, t.npeers);
	free(t.group);
	free(t.interface);
	nc->peers = NULL;
	nc->npeers = 0;
	nc->group = NULL;
	nc->interface = NULL;
	return -1;
}

int
bn_listener_uri_parse(const char *s, struct bn_transport_connector *tc,
    char *err, size_t errlen)
{
	struct bn_transport_connector	 t;
	const char			*q;

	memset(&t, 0, sizeof(t));
	t.max_connections = 1000;
	t.max_frame_size = 104857600;
	if (s == NULL || *s == '\0') {
		uri_err(err, errlen, "empty URI");
		goto fail;
	}
	q = strchr(s, '?');
	if (uri_endpoint_in(s, q != NULL ? (size_t)(q - s) : strlen(s),
	    uri_listen_schemes, &t.listen, err, errlen) == -1)
		goto fail;
	if (q != NULL && uri_options(q + 1, uri_listener_opts,
	    sizeof(uri_listener_opts) / sizeof(uri_listener_opts[0]) - 1, &t,
	    err, errlen) == -1)
		goto fail;
	tc->listen = t.listen;
	tc->max_connections = t.max_connections;
	tc->max_frame_size = t.max_frame_size;
	tc->need_client_auth = t.need_client_auth;
	return 0;
fail:
	bn_endpoint_free(&t.listen);
	tc->listen.scheme = tc->listen.host = NULL;
	tc->listen.port = 0;
	return -1;
}
