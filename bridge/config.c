/*
 * The config loader: libxml2 builds a tree (no network, no entity
 * expansion, entity declarations refused), then a walker checks every
 * element and attribute name against a table and calls the element's
 * handler, which reads and checks the attribute values into the model of
 * config.h. Every error is "FILE:LINE: reason".
 *
 * Line numbers: libxml2 stamps an element with the line where its start tag
 * ends, which for the multi-line <networkConnector .../> tags of real
 * configs is not where the reader looks. A thin wrapper around the SAX2
 * start-element callback stores the line of the tag's '<' in the node's
 * _private field and the line of each attribute name in the attribute's;
 * xmlGetLineNo stays the fallback (and is used for text nodes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "brokernet/config.h"
#include "brokernet/names.h"
#include "brokernet/uri.h"
#include "brokernet/util.h"

#define CONF_MAX_SIZE	(16 * 1024 * 1024)	/* configs: a few KB */
#define CONF_SNIP	60			/* longest value quoted */

struct conf_state {
	struct bn_config		*conf;
	const char			*file;
	char				*err;
	size_t				 errlen;
	struct bn_network_connector	*nc;	/* being filled */
	struct bn_dest_list		*list;	/* being filled */
	bool				 seen_broker;
	/* parser: the first error, an entity declaration */
	bool				 xml_failed;
	long				 xml_line;
	char				 xml_msg[256];
	bool				 entity_seen;
	long				 entity_line;
	char				 entity_name[64];
};

/* One element: its attributes, its handler and the children it may have. */
struct conf_elem {
	const char		*name;
	const char *const	*attrs;	/* allowed, NULL-terminated */
	int			(*handler)(struct conf_state *, xmlNode *);
	const struct conf_elem	*children;	/* NULL: none */
	bool			 once;	/* at most one per parent */
};

static int	conf_err(struct conf_state *, long, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int	conf_root(struct conf_state *, xmlNode *);
static int	conf_broker(struct conf_state *, xmlNode *);
static int	conf_transport_connector(struct conf_state *, xmlNode *);
static int	conf_network_connector(struct conf_state *, xmlNode *);
static int	conf_dynamic(struct conf_state *, xmlNode *);
static int	conf_static(struct conf_state *, xmlNode *);
static int	conf_excluded(struct conf_state *, xmlNode *);
static int	conf_queue(struct conf_state *, xmlNode *);
static int	conf_topic(struct conf_state *, xmlNode *);
static int	conf_management(struct conf_state *, xmlNode *);
static int	conf_ssl(struct conf_state *, xmlNode *);
static int	conf_auth_plugin(struct conf_state *, xmlNode *);
static int	conf_auth_user(struct conf_state *, xmlNode *);

static const char *const conf_no_attrs[] = { NULL };
static const char *const conf_root_attrs[] = { "name", "dataDirectory",
	"duplicateWindow", "duplicateWindowAge", NULL };
static const char *const conf_broker_attrs[] = { "uri", "flavor", "login",
	"passcode", "heartBeat", "receiptWindow", NULL };
static const char *const conf_tc_attrs[] = { "name", "uri", NULL };
static const char *const conf_nc_attrs[] = { "name", "uri", "networkTTL",
	"messageTTL", "consumerTTL", "duplex", "dynamicOnly",
	"decreaseNetworkConsumerPriority", "prefetchSize",
	"conduitSubscriptions", "userName", "password", "replayDelay",
	"useCompression", NULL };
static const char *const conf_dest_attrs[] = { "physicalName", NULL };
static const char *const conf_mgmt_attrs[] = { "uri", NULL };
static const char *const conf_ssl_attrs[] = { "certificate", "privateKey",
    "trustedCertificates", "verifyHostname", NULL };
static const char *const conf_user_attrs[] = { "username", "password",
	"groups", NULL };

static const struct conf_elem conf_dest_elems[] = {
	{ "queue", conf_dest_attrs, conf_queue, NULL, false },
	{ "topic", conf_dest_attrs, conf_topic, NULL, false },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct conf_elem conf_nc_elems[] = {
	{ "dynamicallyIncludedDestinations", conf_no_attrs, conf_dynamic,
	    conf_dest_elems, true },
	{ "staticallyIncludedDestinations", conf_no_attrs, conf_static,
	    conf_dest_elems, true },
	{ "excludedDestinations", conf_no_attrs, conf_excluded,
	    conf_dest_elems, true },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct conf_elem conf_ncs_elems[] = {
	{ "networkConnector", conf_nc_attrs, conf_network_connector,
	    conf_nc_elems, false },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct conf_elem conf_tcs_elems[] = {
	{ "transportConnector", conf_tc_attrs, conf_transport_connector, NULL,
	    false },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct conf_elem conf_users_elems[] = {
	{ "authenticationUser", conf_user_attrs, conf_auth_user, NULL, false },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct conf_elem conf_auth_elems[] = {
	{ "users", conf_no_attrs, NULL, conf_users_elems, true },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct conf_elem conf_plugins_elems[] = {
	{ "simpleAuthenticationPlugin", conf_no_attrs, conf_auth_plugin,
	    conf_auth_elems, true },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct conf_elem conf_root_elems[] = {
	{ "broker", conf_broker_attrs, conf_broker, NULL, true },
	{ "transportConnectors", conf_no_attrs, NULL, conf_tcs_elems, true },
	{ "networkConnectors", conf_no_attrs, NULL, conf_ncs_elems, true },
	{ "management", conf_mgmt_attrs, conf_management, NULL, true },
	{ "sslContext", conf_ssl_attrs, conf_ssl, NULL, true },
	{ "plugins", conf_no_attrs, NULL, conf_plugins_elems, true },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct conf_elem conf_root_elem = {
	"brokernet", conf_root_attrs, conf_root, conf_root_elems, true
};

void
bn_failover_defaults(struct bn_failover *f)
{
	memset(f, 0, sizeof(*f));
	f->uris = NULL;
	f->nuris = 0;
	f->initial_delay_ms = 10;
	f->max_delay_ms = 30000;
	f->exponential = true;
	f->exponent = 2.0;
	f->max_attempts = 0;
	f->startup_max_attempts = 0;
	f->randomize = true;
	f->priority_backup = false;
	f->priority_uris = NULL;
	f->npriority = 0;
	f->timeout_ms = -1;
	f->jitter = 0.0;
}

void
bn_reconnect_defaults(struct bn_reconnect *r)
{
	memset(r, 0, sizeof(*r));
	r->initial_delay_ms = 1000;
	r->max_delay_ms = 30000;
	r->exponential = true;
	r->multiplier = 2.0;
	r->max_attempts = 0;
	r->jitter = 0.1;
}

void
bn_endpoint_free(struct bn_endpoint *ep)
{
	if (ep == NULL)
		return;
	free(ep->scheme);
	free(ep->host);
	ep->scheme = ep->host = NULL;
	ep->port = 0;
}

void
bn_failover_free(struct bn_failover *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nuris; i++)
		bn_endpoint_free(&f->uris[i]);
	free(f->uris);
	f->uris = NULL;
	f->nuris = 0;
	for (i = 0; i < f->npriority; i++)
		bn_endpoint_free(&f->priority_uris[i]);
	free(f->priority_uris);
	f->priority_uris = NULL;
	f->npriority = 0;
}

static void
conf_dest_list_free(struct bn_dest_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->items[i].pattern);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void
bn_config_free(struct bn_config *conf)
{
	struct bn_network_connector	*nc;
	size_t				 i, j;

	if (conf == NULL)
		return;
	free(conf->file);
	free(conf->name);
	free(conf->broker.uri);
	bn_failover_free(&conf->broker.failover);
	free(conf->broker.login);
	free(conf->broker.passcode);
	for (i = 0; i < conf->nlisteners; i++) {
		free(conf->listeners[i].name);
		free(conf->listeners[i].uri);
		bn_endpoint_free(&conf->listeners[i].listen);
	}
	free(conf->listeners);
	for (i = 0; i < conf->nconnectors; i++) {
		nc = &conf->connectors[i];
		free(nc->name);
		free(nc->uri);
		for (j = 0; j < nc->npeers; j++)
			bn_endpoint_free(&nc->peers[j]);
		free(nc->peers);
		free(nc->group);
		free(nc->interface);
		free(nc->username);
		free(nc->password);
		conf_dest_list_free(&nc->dynamic_include);
		conf_dest_list_free(&nc->static_include);
		conf_dest_list_free(&nc->exclude);
	}
	free(conf->connectors);
	free(conf->management_uri);
	bn_endpoint_free(&conf->management);
	for (i = 0; i < conf->nusers; i++) {
		free(conf->users[i].username);
		free(conf->users[i].password);
		free(conf->users[i].groups);
	}
	free(conf->users);
	free(conf->state_dir);
	free(conf->ssl_cert);
	free(conf->ssl_key);
	free(conf->ssl_ca);
	free(conf);
}

/* "FILE:LINE: message", one line whatever the input held. */
static int
conf_err(struct conf_state *st, long line, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	if (st->err == NULL || st->errlen == 0)
		return -1;
	n = snprintf(st->err, st->errlen, "%s:%ld: ", st->file, line);
	if (n >= 0 && (size_t)n < st->errlen) {
		va_start(ap, fmt);
		vsnprintf(st->err + n, st->errlen - (size_t)n, fmt, ap);
		va_end(ap);
		for (p = st->err + n; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -1;
}

/* Copies at most CONF_SNIP bytes of s into buf, controls as '?'. */
static const char *
conf_snip(const char *s, char *buf, size_t len)
{
	size_t	n, i;

	n = strnlen(s, CONF_SNIP + 1);
	for (i = 0; i < n && i < CONF_SNIP && i + 4 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	if (i < n && i + 4 <= len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* Writes "a, b, c" (or "none") into buf. */
static void
conf_names(const char *const *names, char *buf, size_t len)
{
	size_t	used = 0;
	int	n;

	snprintf(buf, len, "none");
	for (; *names != NULL && used < len; names++) {
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
		    *names);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* The line of the element's '<' (see the top of the file). */
static long
conf_line(const xmlNode *node)
{
	intptr_t	l = (intptr_t)node->_private;

	return l > 0 ? (long)l : xmlGetLineNo(node);
}

static xmlAttr *
conf_attr_find(xmlNode *node, const char *name)
{
	xmlAttr	*a;

	for (a = node->properties; a != NULL; a = a->next)
		if (a->ns == NULL && strcmp((const char *)a->name, name) == 0)
			return a;
	return NULL;
}

static long
conf_attr_line(xmlNode *node, xmlAttr *a)
{
	intptr_t	l = a != NULL ? (intptr_t)a->_private : 0;

	return l > 0 ? (long)l : conf_line(node);
}

/* The value of attribute a as a malloc'd string. */
static char *
conf_attr_value(xmlNode *node, xmlAttr *a)
{
	xmlChar	*v;
	char	*s;

	v = xmlNodeListGetString(node->doc, a->children, 1);
	s = xstrdup(v != NULL ? (const char *)v : "");
	xmlFree(v);
	return s;
}

/*
 * A string attribute into *out (which must be NULL). Absent: error when
 * required, else *out stays NULL. Empty: error when nonempty.
 */
static int
conf_str(struct conf_state *st, xmlNode *node, const char *name,
    bool required, bool nonempty, char **out)
{
	xmlAttr	*a;

	if ((a = conf_attr_find(node, name)) == NULL) {
		if (required)
			return conf_err(st, conf_line(node), "<%s> needs a %s "
			    "attribute", node->name, name);
		return 0;
	}
	*out = conf_attr_value(node, a);
	if (nonempty && **out == '\0')
		return conf_err(st, conf_attr_line(node, a), "empty %s on "
		    "<%s>", name, node->name);
	return 0;
}

/* An unsigned integer attribute min..max; absent leaves *out alone. */
/*
 * A secret: the attribute's value, or "${env:NAME}" (an environment
 * variable) or "${file:PATH}" (a file's first line), so that passwords
 * need not sit in the XML. The value itself is never put in an error.
 */
static int
conf_secret(struct conf_state *st, xmlNode *node, const char *name,
    bool required, char **out)
{
	xmlAttr		*a;
	char		*v, *ref, *end;
	long		 line;

	if (conf_str(st, node, name, required, false, out) == -1)
		return -1;
	if (*out == NULL || strncmp(*out, "${", 2) != 0)
		return 0;
	a = conf_attr_find(node, name);
	line = conf_attr_line(node, a);
	v = *out;
	*out = NULL;
	if ((end = strchr(v, '}')) == NULL || end[1] != '\0') {
		free(v);
		return conf_err(st, line, "%s on <%s>: unterminated ${...}",
		    name, node->name);
	}
	*end = '\0';
	ref = v + 2;
	if (strncmp(ref, "env:", 4) == 0) {
		const char	*e = getenv(ref + 4);

		if (e == NULL) {
			conf_err(st, line, "%s on <%s>: environment variable "
			    "%s is not set", name, node->name, ref + 4);
			free(v);
			return -1;
		}
		*out = xstrdup(e);
	} else if (strncmp(ref, "file:", 5) == 0) {
		FILE	*f;
		char	 buf[1024];
		size_t	 n;

		if ((f = fopen(ref + 5, "r")) == NULL) {
			conf_err(st, line, "%s on <%s>: cannot read %s: %s",
			    name, node->name, ref + 5, strerror(errno));
			free(v);
			return -1;
		}
		n = fgets(buf, sizeof(buf), f) != NULL ? strcspn(buf, "\r\n") :
		    0;
		fclose(f);
		*out = xstrndup(buf, n);
	} else {
		conf_err(st, line, "%s on <%s>: unknown reference \"${%s}\" "
		    "(allowed: ${env:NAME}, ${file:PATH})", name, node->name,
		    ref);
		free(v);
		return -1;
	}
	free(v);
	return 0;
}

static int
conf_u64(struct conf_state *st, xmlNode *node, const char *name,
    uint64_t min, uint64_t max, uint64_t *out)
{
	xmlAttr		*a;
	char		*v, buf[CONF_SNIP + 8];
	uint64_t	 u;
	int		 rv = 0;

	if ((a = conf_attr_find(node, name)) == NULL)
		return 0;
	v = conf_attr_value(node, a);
	if (bn_strtou64(v, max, &u) == -1 || u < min) {
		if (max == INT64_MAX)
			rv = conf_err(st, conf_attr_line(node, a), "bad value "
			    "\"%s\" for %s on <%s> (expected an integer >= "
			    "%llu)", conf_snip(v, buf, sizeof(buf)), name,
			    node->name, (unsigned long long)min);
		else
			rv = conf_err(st, conf_attr_line(node, a), "bad value "
			    "\"%s\" for %s on <%s> (expected an integer from "
			    "%llu to %llu)", conf_snip(v, buf, sizeof(buf)),
			    name, node->name, (unsigned long long)min,
			    (unsigned long long)max);
	} else
		*out = u;
	free(v);
	return rv;
}

/* A TTL: -1 (unlimited) or 0..; absent leaves *out alone. */
static int
conf_ttl(struct conf_state *st, xmlNode *node, const char *name, int64_t *out)
{
	xmlAttr	*a;
	char	*v, buf[CONF_SNIP + 8];
	int64_t	 i;
	int	 rv = 0;

	if ((a = conf_attr_find(node, name)) == NULL)
		return 0;
	v = conf_attr_value(node, a);
	if (bn_strtoi64(v, -1, INT64_MAX, &i) == -1)
		rv = conf_err(st, conf_attr_line(node, a), "bad value \"%s\" "
		    "for %s on <%s> (expected -1 for unlimited or an integer "
		    ">= 0)", conf_snip(v, buf, sizeof(buf)), name, node->name);
	else
		*out = i;
	free(v);
	return rv;
}

static int
conf_bool(struct conf_state *st, xmlNode *node, const char *name, bool *out)
{
	xmlAttr	*a;
	char	*v, buf[CONF_SNIP + 8];
	int	 rv = 0;

	if ((a = conf_attr_find(node, name)) == NULL)
		return 0;
	v = conf_attr_value(node, a);
	if (bn_strtobool(v, out) == -1)
		rv = conf_err(st, conf_attr_line(node, a), "bad value \"%s\" "
		    "for %s on <%s> (expected true or false)",
		    conf_snip(v, buf, sizeof(buf)), name, node->name);
	free(v);
	return rv;
}

/* The line for an error about the uri attribute. */
static long
conf_uri_line(xmlNode *node)
{
	return conf_attr_line(node, conf_attr_find(node, "uri"));
}

/*
 * Broker and connector names travel in link handshakes, message paths,
 * metrics labels and TXT records: one rule for all (names.h).
 */
static int
conf_name(struct conf_state *st, xmlNode *node, const char *name)
{
	const char	*why;
	char		 buf[CONF_SNIP + 8];

	if ((why = bn_name_check_str(name)) == NULL)
		return 0;
	return conf_err(st, conf_attr_line(node, conf_attr_find(node, "name")),
	    "bad name \"%s\" on <%s>: %s (expected " BN_NAME_RULE ")",
	    conf_snip(name, buf, sizeof(buf)), node->name, why);
}

static int
conf_root(struct conf_state *st, xmlNode *node)
{
	struct bn_config	*c = st->conf;

	if (conf_str(st, node, "name", true, false, &c->name) == -1)
		return -1;
	if (conf_name(st, node, c->name) == -1)
		return -1;
	if (conf_str(st, node, "dataDirectory", false, true,
	    &c->state_dir) == -1 ||
	    conf_u64(st, node, "duplicateWindow", 1, INT64_MAX,
	    &c->dup_window_count) == -1 ||
	    conf_u64(st, node, "duplicateWindowAge", 1, INT64_MAX,
	    &c->dup_window_age_ms) == -1)
		return -1;
	return 0;
}

static int
conf_broker(struct conf_state *st, xmlNode *node)
{
	struct bn_broker_conf	*b = &st->conf->broker;
	char			*flavor = NULL, buf[CONF_SNIP + 8];
	char			 reason[512];
	int			 rv = -1;

	st->seen_broker = true;
	b->line = (int)conf_line(node);
	if (conf_str(st, node, "uri", true, true, &b->uri) == -1)
		goto out;
	if (bn_failover_parse(b->uri, &b->failover, reason,
	    sizeof(reason)) == -1) {
		conf_err(st, conf_uri_line(node), "bad uri on <broker>: %s",
		    reason);
		goto out;
	}
	if (conf_str(st, node, "flavor", false, false, &flavor) == -1)
		goto out;
	if (flavor != NULL && strcmp(flavor, "activemq") != 0) {
		conf_err(st, conf_attr_line(node, conf_attr_find(node,
		    "flavor")), "bad value \"%s\" for flavor on <broker> "
		    "(allowed: activemq)", conf_snip(flavor, buf, sizeof(buf)));
		goto out;
	}
	b->flavor = BN_FLAVOR_ACTIVEMQ;
	if (conf_str(st, node, "login", false, false, &b->login) == -1 ||
	    conf_secret(st, node, "passcode", false, &b->passcode) == -1 ||
	    conf_u64(st, node, "heartBeat", 0, INT64_MAX,
	    &b->heartbeat_ms) == -1 ||
	    conf_u64(st, node, "receiptWindow", 1, INT64_MAX,
	    &b->receipt_window) == -1)
		goto out;
	rv = 0;
out:
	free(flavor);
	return rv;
}

static int
conf_transport_connector(struct conf_state *st, xmlNode *node)
{
	struct bn_config		*c = st->conf;
	struct bn_transport_connector	*tc;
	char				 reason[512], buf[CONF_SNIP + 8];
	size_t				 i;

	c->listeners = xrealloc(c->listeners,
	    (c->nlisteners + 1) * sizeof(*c->listeners));
	tc = &c->listeners[c->nlisteners++];
	memset(tc, 0, sizeof(*tc));
	tc->line = (int)conf_line(node);
	if (conf_str(st, node, "name", false, true, &tc->name) == -1 ||
	    (tc->name != NULL && conf_name(st, node, tc->name) == -1))
		return -1;
	for (i = 0; tc->name != NULL && i + 1 < c->nlisteners; i++)
		if (c->listeners[i].name != NULL &&
		    strcmp(c->listeners[i].name, tc->name) == 0)
			return conf_err(st, conf_attr_line(node,
			    conf_attr_find(node, "name")), "duplicate "
			    "transportConnector name \"%s\" (first at line "
			    "%d)", conf_snip(tc->name, buf, sizeof(buf)),
			    c->listeners[i].line);
	if (conf_str(st, node, "uri", true, true, &tc->uri) == -1)
		return -1;
	if (bn_listener_uri_parse(tc->uri, tc, reason, sizeof(reason)) == -1)
		return conf_err(st, conf_uri_line(node), "bad uri on "
		    "<transportConnector>: %s", reason);
	return 0;
}

static int
conf_network_connector(struct conf_state *st, xmlNode *node)
{
	struct bn_config		*c = st->conf;
	struct bn_network_connector	*nc;
	char				 reason[512], buf[CONF_SNIP + 8];
	size_t				 i;

	c->connectors = xrealloc(c->connectors,
	    (c->nconnectors + 1) * sizeof(*c->connectors));
	nc = &c->connectors[c->nconnectors++];
	memset(nc, 0, sizeof(*nc));
	st->nc = nc;
	nc->line = (int)conf_line(node);
	bn_reconnect_defaults(&nc->reconnect);
	nc->network_ttl = nc->message_ttl = nc->consumer_ttl = 1;
	nc->decrease_priority = true;
	nc->prefetch = 1000;
	nc->conduit = true;
	nc->replay_delay_ms = 1000;
	nc->use_compression = -1;

	if (conf_str(st, node, "name", false, true, &nc->name) == -1 ||
	    (nc->name != NULL && conf_name(st, node, nc->name) == -1))
		return -1;
	for (i = 0; nc->name != NULL && i + 1 < c->nconnectors; i++)
		if (c->connectors[i].name != NULL &&
		    strcmp(c->connectors[i].name, nc->name) == 0)
			return conf_err(st, conf_attr_line(node,
			    conf_attr_find(node, "name")), "duplicate "
			    "networkConnector name \"%s\" (first at line %d)",
			    conf_snip(nc->name, buf, sizeof(buf)),
			    c->connectors[i].line);
	if (conf_str(st, node, "uri", true, true, &nc->uri) == -1)
		return -1;
	if (bn_connector_uri_parse(nc->uri, nc, reason, sizeof(reason)) == -1)
		return conf_err(st, conf_uri_line(node), "bad uri on "
		    "<networkConnector>: %s", reason);
	/* networkTTL sets both TTLs unless they are given: order is moot */
	if (conf_ttl(st, node, "networkTTL", &nc->network_ttl) == -1)
		return -1;
	nc->message_ttl = nc->consumer_ttl = nc->network_ttl;
	if (conf_ttl(st, node, "messageTTL", &nc->message_ttl) == -1 ||
	    conf_ttl(st, node, "consumerTTL", &nc->consumer_ttl) == -1)
		return -1;
	if (conf_bool(st, node, "duplex", &nc->duplex) == -1 ||
	    conf_bool(st, node, "dynamicOnly", &nc->dynamic_only) == -1 ||
	    conf_bool(st, node, "decreaseNetworkConsumerPriority",
	    &nc->decrease_priority) == -1 ||
	    conf_u64(st, node, "prefetchSize", 1, INT32_MAX,
	    &nc->prefetch) == -1 ||
	    conf_bool(st, node, "conduitSubscriptions", &nc->conduit) == -1 ||
	    conf_str(st, node, "userName", false, true, &nc->username) == -1 ||
	    conf_secret(st, node, "password", false, &nc->password) == -1 ||
	    conf_u64(st, node, "replayDelay", 0, INT64_MAX,
	    &nc->replay_delay_ms) == -1)
		return -1;
	if (conf_attr_find(node, "useCompression") != NULL) {
		bool	on = false;

		if (conf_bool(st, node, "useCompression", &on) == -1)
			return -1;
		nc->use_compression = on;
	}
	return 0;
}

static int
conf_dynamic(struct conf_state *st, xmlNode *node)
{
	st->list = &st->nc->dynamic_include;
	return 0;
}

static int
conf_static(struct conf_state *st, xmlNode *node)
{
	st->list = &st->nc->static_include;
	return 0;
}

static int
conf_excluded(struct conf_state *st, xmlNode *node)
{
	st->list = &st->nc->exclude;
	return 0;
}

/*
 * A destination filter. '>' matches the rest of a name, so it may only be
 * the last segment; a comma would be an ActiveMQ composite destination,
 * which brokernet does not take apart: one element per name instead.
 */
static int
conf_dest(struct conf_state *st, xmlNode *node, bool topic)
{
	struct bn_dest_list	*l = st->list;
	char			*pat = NULL, *gt, buf[CONF_SNIP + 8];
	long			 line;

	line = conf_line(node);
	if (conf_str(st, node, "physicalName", true, true, &pat) == -1)
		goto fail;
	line = conf_attr_line(node, conf_attr_find(node, "physicalName"));
	if (strchr(pat, ',') != NULL) {
		conf_err(st, line, "bad physicalName \"%s\" on <%s>: composite "
		    "destinations are not supported, use one <%s> per name",
		    conf_snip(pat, buf, sizeof(buf)), node->name, node->name);
		goto fail;
	}
	for (gt = pat; (gt = strchr(gt, '>')) != NULL; gt++) {
		if ((gt == pat || gt[-1] == '.') && gt[1] == '.') {
			conf_err(st, line, "bad physicalName \"%s\" on <%s>: "
			    "\">\" must be the last segment",
			    conf_snip(pat, buf, sizeof(buf)), node->name);
			goto fail;
		}
	}
	l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n].pattern = pat;
	l->items[l->n].topic = topic;
	l->items[l->n].line = (int)conf_line(node);
	l->n++;
	return 0;
fail:
	free(pat);
	return -1;
}

static int
conf_queue(struct conf_state *st, xmlNode *node)
{
	return conf_dest(st, node, false);
}

static int
conf_topic(struct conf_state *st, xmlNode *node)
{
	return conf_dest(st, node, true);
}

static int
conf_management(struct conf_state *st, xmlNode *node)
{
	struct bn_config	*c = st->conf;
	char			 reason[512];

	if (conf_str(st, node, "uri", true, true, &c->management_uri) == -1)
		return -1;
	if (bn_endpoint_parse(c->management_uri, &c->management, reason,
	    sizeof(reason)) == -1)
		return conf_err(st, conf_uri_line(node), "bad uri on "
		    "<management>: %s", reason);
	if (strcmp(c->management.scheme, "http") != 0)
		return conf_err(st, conf_uri_line(node), "bad uri on "
		    "<management>: scheme \"%s\" not allowed (allowed: http)",
		    c->management.scheme);
	return 0;
}

/* PEM files for ssl:// links; checked to exist when the daemon starts. */
static int
conf_ssl(struct conf_state *st, xmlNode *node)
{
	struct bn_config	*c = st->conf;

	c->ssl_line = (int)conf_line(node);
	if (conf_str(st, node, "certificate", false, true, &c->ssl_cert) == -1 ||
	    conf_str(st, node, "privateKey", false, true, &c->ssl_key) == -1 ||
	    conf_str(st, node, "trustedCertificates", false, true,
	    &c->ssl_ca) == -1 ||
	    conf_bool(st, node, "verifyHostname", &c->ssl_verify_host) == -1)
		return -1;
	if ((c->ssl_cert == NULL) != (c->ssl_key == NULL))
		return conf_err(st, c->ssl_line, "<sslContext> needs both"
		    " certificate and privateKey, or neither");
	return 0;
}

/* ssl:// listeners need a certificate; ssl:// peers need trusted CAs. */
static int
conf_check_ssl(struct conf_state *st)
{
	struct bn_config	*c = st->conf;
	size_t			 i, j;

	for (i = 0; i < c->nlisteners; i++)
		if (strcmp(c->listeners[i].listen.scheme, "ssl") == 0 &&
		    c->ssl_cert == NULL)
			return conf_err(st, c->listeners[i].line, "ssl:// on"
			    " <transportConnector> \"%s\" needs <sslContext"
			    " certificate=... privateKey=...>",
			    c->listeners[i].name);
	for (i = 0; i < c->nconnectors; i++)
		for (j = 0; j < c->connectors[i].npeers; j++)
			if (strcmp(c->connectors[i].peers[j].scheme,
			    "ssl") == 0 && c->ssl_ca == NULL)
				return conf_err(st, c->connectors[i].line,
				    "ssl:// peer on <networkConnector> \"%s\""
				    " needs <sslContext trustedCertificates="
				    "...>", c->connectors[i].name);
	return 0;
}

static int
conf_auth_plugin(struct conf_state *st, xmlNode *node)
{
	st->conf->auth_enabled = true;
	return 0;
}

static int
conf_auth_user(struct conf_state *st, xmlNode *node)
{
	struct bn_config	*c = st->conf;
	struct bn_auth_user	*u;
	char			 buf[CONF_SNIP + 8];
	size_t			 i;

	c->users = xrealloc(c->users, (c->nusers + 1) * sizeof(*c->users));
	u = &c->users[c->nusers++];
	memset(u, 0, sizeof(*u));
	u->line = (int)conf_line(node);
	if (conf_str(st, node, "username", true, true, &u->username) == -1)
		return -1;
	for (i = 0; i + 1 < c->nusers; i++)
		if (strcmp(c->users[i].username, u->username) == 0)
			return conf_err(st, conf_attr_line(node,
			    conf_attr_find(node, "username")), "duplicate "
			    "authenticationUser \"%s\" (first at line %d)",
			    conf_snip(u->username, buf, sizeof(buf)),
			    c->users[i].line);
	if (conf_secret(st, node, "password", true, &u->password) == -1 ||
	    conf_str(st, node, "groups", false, false, &u->groups) == -1)
		return -1;
	return 0;
}

static bool
conf_allowed(const char *const *names, const char *name)
{
	for (; *names != NULL; names++)
		if (strcmp(*names, name) == 0)
			return true;
	return false;
}

static const struct conf_elem *
conf_child(const struct conf_elem *children, const char *name)
{
	for (; children != NULL && children->name != NULL; children++)
		if (strcmp(children->name, name) == 0)
			return children;
	return NULL;
}

/*
 * The line of a stray text node. libxml2 stamps text with the line where
 * it ends; step back over the newlines after its last non-blank character.
 */
static long
conf_text_line(const xmlNode *text, const xmlNode *parent)
{
	const char	*s = (const char *)text->content, *p;
	long		 line = xmlGetLineNo(text);

	if (line <= 0 || s == NULL)
		return conf_line(parent);
	for (p = s + strlen(s); p > s && strchr(" \t\r\n", p[-1]) != NULL; p--)
		if (p[-1] == '\n')
			line--;
	return line > 0 ? line : conf_line(parent);
}

/* Checks node against e, calls its handler, then walks its children. */
static int
conf_walk(struct conf_state *st, xmlNode *node, const struct conf_elem *e)
{
	const struct conf_elem	*ce;
	xmlAttr			*a;
	xmlNode			*c, *prev;
	char			 names[1024], aname[128];

	for (a = node->properties; a != NULL; a = a->next) {
		if (a->ns == NULL && conf_allowed(e->attrs,
		    (const char *)a->name))
			continue;
		if (a->ns != NULL && a->ns->prefix != NULL)
			snprintf(aname, sizeof(aname), "%s:%s", a->ns->prefix,
			    a->name);
		else
			snprintf(aname, sizeof(aname), "%s", a->name);
		conf_names(e->attrs, names, sizeof(names));
		return conf_err(st, conf_attr_line(node, a), "unknown "
		    "attribute \"%s\" on <%s> (allowed: %s)", aname,
		    node->name, names);
	}
	if (e->handler != NULL && e->handler(st, node) == -1)
		return -1;
	for (c = node->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_ELEMENT_NODE:
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (xmlIsBlankNode(c))
				continue;
			return conf_err(st, conf_text_line(c, node),
			    "unexpected text in <%s>", node->name);
		case XML_COMMENT_NODE:
		case XML_PI_NODE:
			continue;
		default:
			return conf_err(st, conf_line(node), "unexpected "
			    "content in <%s>", node->name);
		}
		if ((ce = conf_child(e->children, (const char *)c->name)) ==
		    NULL) {
			const char	*list[16];
			size_t		 i = 0;

			for (ce = e->children; ce != NULL &&
			    ce->name != NULL && i + 1 < 16; ce++)
				list[i++] = ce->name;
			list[i] = NULL;
			conf_names(list, names, sizeof(names));
			return conf_err(st, conf_line(c), "unknown element "
			    "<%s> in <%s> (allowed: %s)", c->name, node->name,
			    names);
		}
		for (prev = node->children; ce->once && prev != c;
		    prev = prev->next) {
			if (prev->type == XML_ELEMENT_NODE &&
			    xmlStrEqual(prev->name, c->name))
				return conf_err(st, conf_line(c), "duplicate "
				    "<%s> in <%s> (first at line %ld)",
				    c->name, node->name, conf_line(prev));
		}
		if (conf_walk(st, c, ce) == -1)
			return -1;
	}
	return 0;
}

/*
 * Default connector names, ActiveMQ's "NC" made unique: the unnamed ones
 * get, in document order, the first of "NC", "NC1", "NC2", ... that no
 * connector (named or already defaulted) has. Transport connectors follow
 * the same rule with "TC".
 */
static char *
conf_default_name(const char *prefix, bool (*taken)(struct bn_config *,
    const char *), struct bn_config *c, unsigned *next)
{
	char	*name;

	for (;; (*next)++) {
		if (*next == 0)
			name = xstrdup(prefix);
		else
			xasprintf(&name, "%s%u", prefix, *next);
		if (!taken(c, name)) {
			(*next)++;
			return name;
		}
		free(name);
	}
}

static bool
conf_nc_taken(struct bn_config *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nconnectors; i++)
		if (c->connectors[i].name != NULL &&
		    strcmp(c->connectors[i].name, name) == 0)
			return true;
	return false;
}

static bool
conf_tc_taken(struct bn_config *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nlisteners; i++)
		if (c->listeners[i].name != NULL &&
		    strcmp(c->listeners[i].name, name) == 0)
			return true;
	return false;
}

static void
conf_default_names(struct bn_config *c)
{
	unsigned	next;
	size_t		i;

	for (i = 0, next = 0; i < c->nconnectors; i++)
		if (c->connectors[i].name == NULL)
			c->connectors[i].name = conf_default_name("NC",
			    conf_nc_taken, c, &next);
	for (i = 0, next = 0; i < c->nlisteners; i++)
		if (c->listeners[i].name == NULL)
			c->listeners[i].name = conf_default_name("TC",
			    conf_tc_taken, c, &next);
}

/* Keeps the first error libxml2 reports; nothing goes to stderr. */
static void
conf_xml_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct conf_state	*st = ctxt->_private;
	size_t			 n;

	if (st == NULL || st->xml_failed || e == NULL ||
	    e->level < XML_ERR_ERROR)
		return;
	st->xml_failed = true;
	st->xml_line = e->line > 0 ? e->line : 1;
	snprintf(st->xml_msg, sizeof(st->xml_msg), "%s",
	    e->message != NULL ? e->message : "malformed XML");
	/* some messages span lines ("...encoding !\nBytes: ..."): one line */
	for (n = 0; st->xml_msg[n] != '\0'; n++)
		if ((unsigned char)st->xml_msg[n] < 0x20)
			st->xml_msg[n] = ' ';
	while (n > 0 && st->xml_msg[n - 1] == ' ')
		st->xml_msg[--n] = '\0';
}

/* DTD entities are refused: note the first one and stop parsing. */
static void
conf_xml_entity(void *ctx, const xmlChar *name, int type,
    const xmlChar *publicId, const xmlChar *systemId, xmlChar *content)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct conf_state	*st = ctxt->_private;

	if (!st->entity_seen) {
		st->entity_seen = true;
		st->entity_line = ctxt->input != NULL ? ctxt->input->line : 1;
		conf_snip(name != NULL ? (const char *)name : "",
		    st->entity_name, sizeof(st->entity_name));
	}
	xmlStopParser(ctxt);
}

static bool
conf_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Stamps each attribute of node with the line of its name, from the raw
 * start tag p..end (p at '<', line its line). The tag is well-formed here;
 * anything unexpected just stops the stamping.
 */
static void
conf_stamp_attrs(xmlNode *node, const xmlChar *p, const xmlChar *end,
    long line)
{
	const xmlChar	*name;
	xmlAttr		*a;
	size_t		 nlen, plen;
	long		 aline;
	xmlChar		 q;

	for (p++; p < end && !conf_blank(*p) && *p != '/' && *p != '>'; p++)
		;
	for (;;) {
		for (; p < end && conf_blank(*p); p++)
			if (*p == '\n')
				line++;
		if (p >= end || *p == '/' || *p == '>')
			return;
		name = p;
		aline = line;
		while (p < end && !conf_blank(*p) && *p != '=')
			p++;
		nlen = (size_t)(p - name);
		for (; p < end && conf_blank(*p); p++)
			if (*p == '\n')
				line++;
		if (p >= end || *p != '=')
			return;
		for (p++; p < end && conf_blank(*p); p++)
			if (*p == '\n')
				line++;
		if (p >= end || (*p != '"' && *p != '\''))
			return;
		for (q = *p++; p < end && *p != q; p++)
			if (*p == '\n')
				line++;
		if (p++ >= end)
			return;
		for (a = node->properties; a != NULL; a = a->next) {
			if (a->_private != NULL)
				continue;
			plen = a->ns != NULL && a->ns->prefix != NULL ?
			    (size_t)xmlStrlen(a->ns->prefix) : 0;
			if (plen == 0 ? (nlen == (size_t)xmlStrlen(a->name) &&
			    memcmp(name, a->name, nlen) == 0) :
			    (nlen == plen + 1 + (size_t)xmlStrlen(a->name) &&
			    memcmp(name, a->ns->prefix, plen) == 0 &&
			    name[plen] == ':' &&
			    memcmp(name + plen + 1, a->name, nlen - plen - 1) ==
			    0)) {
				a->_private = (void *)(intptr_t)aline;
				break;
			}
		}
	}
}

/*
 * SAX2 start-element wrapper: the tag was parsed and the input points at
 * its closing '>' (or "/>"), so the '<' is the last one before it (none
 * can occur inside a tag) and its line is the current one minus the
 * newlines in between.
 */
static void
conf_xml_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	xmlParserInputPtr	 in = ctxt->input;
	xmlNodePtr		 parent = ctxt->node;
	const xmlChar		*lt, *p;
	long			 line;

	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
	    namespaces, nb_attributes, nb_defaulted, attributes);
	if (ctxt->node == NULL || ctxt->node == parent || in == NULL ||
	    in->base == NULL || in->cur == NULL || in->cur < in->base)
		return;
	for (lt = in->cur; lt > in->base && *lt != '<'; lt--)
		;
	if (*lt != '<')
		return;
	line = in->line;
	for (p = lt; p < in->cur; p++)
		if (*p == '\n')
			line--;
	if (line < 1)
		return;
	ctxt->node->_private = (void *)(intptr_t)line;
	conf_stamp_attrs(ctxt->node, lt, in->cur, line);
}

/* Parses xml[0..len) into st->conf. */
static int
conf_parse(struct conf_state *st, const char *xml, size_t len)
{
	xmlParserCtxtPtr	 ctxt = NULL;
	xmlDocPtr		 doc = NULL;
	xmlNode			*root;
	int			 rv = -1;

	xmlInitParser();
	if (len == 0)
		return conf_err(st, 1, "Document is empty");
	if (len > CONF_MAX_SIZE)
		return conf_err(st, 1, "file too large (more than %d bytes)",
		    CONF_MAX_SIZE);
	if ((ctxt = xmlCreateMemoryParserCtxt(xml, (int)len)) == NULL)
		return conf_err(st, 1, "cannot create an XML parser");
	/* no XML_PARSE_NOENT: entities are never expanded */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
	ctxt->_private = st;
	ctxt->sax->serror = conf_xml_error;
	ctxt->sax->entityDecl = conf_xml_entity;
	ctxt->sax->startElementNs = conf_xml_start;
	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (st->entity_seen) {
		conf_err(st, st->entity_line, "entity declarations are not "
		    "allowed (\"%s\")", st->entity_name);
		goto out;
	}
	if (st->xml_failed) {
		conf_err(st, st->xml_line, "%s", st->xml_msg);
		goto out;
	}
	if (doc == NULL || !ctxt->wellFormed) {
		conf_err(st, 1, "malformed XML");
		goto out;
	}
	if ((root = xmlDocGetRootElement(doc)) == NULL) {
		conf_err(st, 1, "no root element");
		goto out;
	}
	if (strcmp((const char *)root->name, conf_root_elem.name) != 0) {
		conf_err(st, conf_line(root), "unknown root element <%s> "
		    "(expected <brokernet>)", root->name);
		goto out;
	}
	if (conf_walk(st, root, &conf_root_elem) == -1)
		goto out;
	if (!st->seen_broker) {
		conf_err(st, conf_line(root), "missing <broker> in "
		    "<brokernet>");
		goto out;
	}
	conf_default_names(st->conf);
	if (conf_check_ssl(st) == -1)
		goto out;
	rv = 0;
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rv;
}

static struct bn_config *
conf_load(const char *xml, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct conf_state	 st;
	struct bn_config	*c;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	c = xcalloc(1, sizeof(*c));
	c->file = xstrdup(name != NULL ? name : "<string>");
	bn_failover_defaults(&c->broker.failover);
	c->broker.flavor = BN_FLAVOR_ACTIVEMQ;
	c->broker.heartbeat_ms = 10000;
	c->broker.receipt_window = 1000;
	c->dup_window_count = 100000;
	c->dup_window_age_ms = 3600000;
	c->ssl_verify_host = true;

	memset(&st, 0, sizeof(st));
	st.conf = c;
	st.file = c->file;
	st.err = err;
	st.errlen = errlen;
	if (conf_parse(&st, xml, len) == -1) {
		bn_config_free(c);
		return NULL;
	}
	return c;
}

struct bn_config *
bn_config_load_string(const char *xml, size_t len, const char *name,
    char *err, size_t errlen)
{
	return conf_load(xml, xml != NULL ? len : 0, name, err, errlen);
}

static void	conf_ioerr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* "PATH: reason": I/O errors have no line. */
static void
conf_ioerr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Reads the file whole (bounded), so that I/O errors read as such. */
struct bn_config *
bn_config_load_file(const char *path, char *err, size_t errlen)
{
	struct bn_config	*c = NULL;
	struct stat		 sb;
	char			*buf = NULL;
	size_t			 len = 0;
	ssize_t			 n;
	int			 fd;

	if (path == NULL) {
		conf_ioerr(err, errlen, "no config file given");
		return NULL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		conf_ioerr(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == -1) {
		conf_ioerr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		conf_ioerr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (sb.st_size > CONF_MAX_SIZE) {
		conf_ioerr(err, errlen, "%s: file too large (more than %d "
		    "bytes)", path, CONF_MAX_SIZE);
		goto out;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	while (len <= (size_t)sb.st_size) {
		n = read(fd, buf + len, (size_t)sb.st_size + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			conf_ioerr(err, errlen, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > (size_t)sb.st_size) {
		conf_ioerr(err, errlen, "%s: file changed while reading", path);
		goto out;
	}
	c = conf_load(buf, len, path, err, errlen);
out:
	free(buf);
	close(fd);
	return c;
}
