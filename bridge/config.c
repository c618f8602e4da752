/*
 * The config loader: the table of elements and attributes brokernet's
 * XML file may hold, each element's handler, which reads and checks the
 * attribute values into the model of config.h, the checks across
 * elements and the defaults (names, timeouts). Reading the XML itself
 * (libxml2, line numbers, the walker, typed attribute readers) is xml.c's;
 * endpoint, failover and reconnect defaults are endpoint.c's. Every error
 * is "FILE:LINE: reason".
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

#include <libxml/tree.h>

#include "brokernet/config.h"
#include "brokernet/names.h"
#include "brokernet/uri.h"
#include "brokernet/util.h"
#include "brokernet/xml.h"

static int	conf_root(struct bn_xml_state *, xmlNode *);
static int	conf_broker(struct bn_xml_state *, xmlNode *);
static int	conf_transport_connector(struct bn_xml_state *, xmlNode *);
static int	conf_network_connector(struct bn_xml_state *, xmlNode *);
static int	conf_dynamic(struct bn_xml_state *, xmlNode *);
static int	conf_static(struct bn_xml_state *, xmlNode *);
static int	conf_excluded(struct bn_xml_state *, xmlNode *);
static int	conf_queue(struct bn_xml_state *, xmlNode *);
static int	conf_topic(struct bn_xml_state *, xmlNode *);
static int	conf_management(struct bn_xml_state *, xmlNode *);
static int	conf_ssl(struct bn_xml_state *, xmlNode *);
static int	conf_auth_plugin(struct bn_xml_state *, xmlNode *);
static int	conf_auth_user(struct bn_xml_state *, xmlNode *);

static const char *const conf_no_attrs[] = { NULL };
static const char *const conf_root_attrs[] = { "name", "dataDirectory",
	"duplicateWindow", "duplicateWindowAge",
	"offlineNetworkSubscriptionTimeout", NULL };
static const char *const conf_broker_attrs[] = { "uri", "flavor", "login",
	"passcode", "heartBeat", "receiptWindow", "unfaithful", "stompEmptyBody",
	NULL };
static const char *const conf_tc_attrs[] = { "name", "uri", NULL };
static const char *const conf_nc_attrs[] = { "name", "uri", "networkTTL",
	"messageTTL", "consumerTTL", "duplex", "dynamicOnly",
	"decreaseNetworkConsumerPriority", "prefetchSize",
	"conduitSubscriptions", "userName", "password", "replayDelay",
	"useCompression", "durableTopicSubscriptions", NULL };
static const char *const conf_dest_attrs[] = { "physicalName", NULL };
static const char *const conf_mgmt_attrs[] = { "uri", NULL };
static const char *const conf_ssl_attrs[] = { "certificate", "privateKey",
    "trustedCertificates", "verifyHostname", NULL };
static const char *const conf_user_attrs[] = { "username", "password",
	"groups", NULL };

static const struct bn_xml_elem conf_dest_elems[] = {
	{ "queue", conf_dest_attrs, conf_queue, NULL, false },
	{ "topic", conf_dest_attrs, conf_topic, NULL, false },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct bn_xml_elem conf_nc_elems[] = {
	{ "dynamicallyIncludedDestinations", conf_no_attrs, conf_dynamic,
	    conf_dest_elems, true },
	{ "staticallyIncludedDestinations", conf_no_attrs, conf_static,
	    conf_dest_elems, true },
	{ "excludedDestinations", conf_no_attrs, conf_excluded,
	    conf_dest_elems, true },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct bn_xml_elem conf_ncs_elems[] = {
	{ "networkConnector", conf_nc_attrs, conf_network_connector,
	    conf_nc_elems, false },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct bn_xml_elem conf_tcs_elems[] = {
	{ "transportConnector", conf_tc_attrs, conf_transport_connector, NULL,
	    false },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct bn_xml_elem conf_users_elems[] = {
	{ "authenticationUser", conf_user_attrs, conf_auth_user, NULL, false },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct bn_xml_elem conf_auth_elems[] = {
	{ "users", conf_no_attrs, NULL, conf_users_elems, true },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct bn_xml_elem conf_plugins_elems[] = {
	{ "simpleAuthenticationPlugin", conf_no_attrs, conf_auth_plugin,
	    conf_auth_elems, true },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct bn_xml_elem conf_root_elems[] = {
	{ "broker", conf_broker_attrs, conf_broker, NULL, true },
	{ "transportConnectors", conf_no_attrs, NULL, conf_tcs_elems, true },
	{ "networkConnectors", conf_no_attrs, NULL, conf_ncs_elems, true },
	{ "management", conf_mgmt_attrs, conf_management, NULL, true },
	{ "sslContext", conf_ssl_attrs, conf_ssl, NULL, true },
	{ "plugins", conf_no_attrs, NULL, conf_plugins_elems, true },
	{ NULL, NULL, NULL, NULL, false }
};
static const struct bn_xml_elem conf_root_elem = {
	"brokernet", conf_root_attrs, conf_root, conf_root_elems, true
};

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

static int
conf_root(struct bn_xml_state *st, xmlNode *node)
{
	struct bn_config	*c = st->conf;

	if (bn_xml_str(st, node, "name", true, false, &c->name) == -1)
		return -1;
	if (bn_xml_name(st, node, c->name) == -1)
		return -1;
	if (bn_xml_str(st, node, "dataDirectory", false, true,
	    &c->state_dir) == -1 ||
	    bn_xml_u64(st, node, "duplicateWindow", 1, INT64_MAX,
	    &c->dup_window_count) == -1 ||
	    bn_xml_u64(st, node, "duplicateWindowAge", 1, INT64_MAX,
	    &c->dup_window_age_ms) == -1 ||
	    bn_xml_u64(st, node, "offlineNetworkSubscriptionTimeout", 0,
	    INT64_MAX, &c->tsub_offline_ms) == -1)
		return -1;
	return 0;
}

/* Spelled as config.h's enums count, for bn_xml_choice. */
static const char *const conf_flavors[] = { "activemq", NULL };
static const char *const conf_unfaithful[] = { "deadLetter", "keep", NULL };
static const char *const conf_stomp_empty[] = { "deadLetter", "forward",
	NULL };

static int
conf_broker(struct bn_xml_state *st, xmlNode *node)
{
	struct bn_broker_conf	*b = &st->conf->broker;
	char			 reason[512];
	int			 flavor = BN_FLAVOR_ACTIVEMQ;
	int			 unfaithful = BN_UNFAITHFUL_DEAD_LETTER;
	int			 stomp_empty = BN_STOMP_EMPTY_DEAD_LETTER;

	st->seen_broker = true;
	b->line = (int)bn_xml_line(node);
	if (bn_xml_str(st, node, "uri", true, true, &b->uri) == -1)
		return -1;
	if (bn_failover_parse(b->uri, &b->failover, reason,
	    sizeof(reason)) == -1)
		return bn_xml_err(st, bn_xml_uri_line(node), "bad uri on "
		    "<broker>: %s", reason);
	if (bn_xml_choice(st, node, "flavor", conf_flavors, &flavor) == -1 ||
	    bn_xml_choice(st, node, "unfaithful", conf_unfaithful,
	    &unfaithful) == -1 ||
	    bn_xml_choice(st, node, "stompEmptyBody", conf_stomp_empty,
	    &stomp_empty) == -1)
		return -1;
	b->flavor = (enum bn_flavor)flavor;
	b->unfaithful = (enum bn_unfaithful)unfaithful;
	b->stomp_empty = (enum bn_stomp_empty)stomp_empty;
	if (bn_xml_str(st, node, "login", false, false, &b->login) == -1 ||
	    bn_xml_secret(st, node, "passcode", false, &b->passcode) == -1 ||
	    bn_xml_u64(st, node, "heartBeat", 0, INT64_MAX,
	    &b->heartbeat_ms) == -1 ||
	    bn_xml_u64(st, node, "receiptWindow", 1, INT64_MAX,
	    &b->receipt_window) == -1)
		return -1;
	return 0;
}

static int
conf_transport_connector(struct bn_xml_state *st, xmlNode *node)
{
	struct bn_config		*c = st->conf;
	struct bn_transport_connector	*tc;
	char				 reason[512], buf[BN_XML_SNIP + 8];
	size_t				 i;

	c->listeners = xrealloc(c->listeners,
	    (c->nlisteners + 1) * sizeof(*c->listeners));
	tc = &c->listeners[c->nlisteners++];
	memset(tc, 0, sizeof(*tc));
	tc->line = (int)bn_xml_line(node);
	if (bn_xml_str(st, node, "name", false, true, &tc->name) == -1 ||
	    (tc->name != NULL && bn_xml_name(st, node, tc->name) == -1))
		return -1;
	for (i = 0; tc->name != NULL && i + 1 < c->nlisteners; i++)
		if (c->listeners[i].name != NULL &&
		    strcmp(c->listeners[i].name, tc->name) == 0)
			return bn_xml_err(st, bn_xml_attr_line(node,
			    bn_xml_attr_find(node, "name")), "duplicate "
			    "transportConnector name \"%s\" (first at line "
			    "%d)", bn_xml_snip(tc->name, buf, sizeof(buf)),
			    c->listeners[i].line);
	if (bn_xml_str(st, node, "uri", true, true, &tc->uri) == -1)
		return -1;
	if (bn_listener_uri_parse(tc->uri, tc, reason, sizeof(reason)) == -1)
		return bn_xml_err(st, bn_xml_uri_line(node), "bad uri on "
		    "<transportConnector>: %s", reason);
	return 0;
}

static int
conf_network_connector(struct bn_xml_state *st, xmlNode *node)
{
	struct bn_config		*c = st->conf;
	struct bn_network_connector	*nc;
	char				 reason[512], buf[BN_XML_SNIP + 8];
	size_t				 i;

	c->connectors = xrealloc(c->connectors,
	    (c->nconnectors + 1) * sizeof(*c->connectors));
	nc = &c->connectors[c->nconnectors++];
	memset(nc, 0, sizeof(*nc));
	st->nc = nc;
	nc->line = (int)bn_xml_line(node);
	bn_reconnect_defaults(&nc->reconnect);
	nc->network_ttl = nc->message_ttl = nc->consumer_ttl = 1;
	nc->decrease_priority = true;
	nc->prefetch = 1000;
	nc->conduit = true;
	nc->durable_topics = true;
	nc->replay_delay_ms = 1000;
	nc->use_compression = -1;

	if (bn_xml_str(st, node, "name", false, true, &nc->name) == -1 ||
	    (nc->name != NULL && bn_xml_name(st, node, nc->name) == -1))
		return -1;
	for (i = 0; nc->name != NULL && i + 1 < c->nconnectors; i++)
		if (c->connectors[i].name != NULL &&
		    strcmp(c->connectors[i].name, nc->name) == 0)
			return bn_xml_err(st, bn_xml_attr_line(node,
			    bn_xml_attr_find(node, "name")), "duplicate "
			    "networkConnector name \"%s\" (first at line %d)",
			    bn_xml_snip(nc->name, buf, sizeof(buf)),
			    c->connectors[i].line);
	if (bn_xml_str(st, node, "uri", true, true, &nc->uri) == -1)
		return -1;
	if (bn_connector_uri_parse(nc->uri, nc, reason, sizeof(reason)) == -1)
		return bn_xml_err(st, bn_xml_uri_line(node), "bad uri on "
		    "<networkConnector>: %s", reason);
	/* networkTTL sets both TTLs unless they are given: order is moot */
	if (bn_xml_ttl(st, node, "networkTTL", &nc->network_ttl) == -1)
		return -1;
	nc->message_ttl = nc->consumer_ttl = nc->network_ttl;
	if (bn_xml_ttl(st, node, "messageTTL", &nc->message_ttl) == -1 ||
	    bn_xml_ttl(st, node, "consumerTTL", &nc->consumer_ttl) == -1)
		return -1;
	if (bn_xml_bool(st, node, "duplex", &nc->duplex) == -1 ||
	    bn_xml_bool(st, node, "dynamicOnly", &nc->dynamic_only) == -1 ||
	    bn_xml_bool(st, node, "decreaseNetworkConsumerPriority",
	    &nc->decrease_priority) == -1 ||
	    bn_xml_u64(st, node, "prefetchSize", 1, INT32_MAX,
	    &nc->prefetch) == -1 ||
	    bn_xml_bool(st, node, "conduitSubscriptions", &nc->conduit) == -1 ||
	    bn_xml_bool(st, node, "durableTopicSubscriptions",
	    &nc->durable_topics) == -1 ||
	    bn_xml_str(st, node, "userName", false, true,
	    &nc->username) == -1 ||
	    bn_xml_secret(st, node, "password", false, &nc->password) == -1 ||
	    bn_xml_u64(st, node, "replayDelay", 0, INT64_MAX,
	    &nc->replay_delay_ms) == -1)
		return -1;
	if (bn_xml_attr_find(node, "useCompression") != NULL) {
		bool	on = false;

		if (bn_xml_bool(st, node, "useCompression", &on) == -1)
			return -1;
		nc->use_compression = on;
	}
	return 0;
}

static int
conf_dynamic(struct bn_xml_state *st, xmlNode *node)
{
	st->list = &st->nc->dynamic_include;
	return 0;
}

static int
conf_static(struct bn_xml_state *st, xmlNode *node)
{
	st->list = &st->nc->static_include;
	return 0;
}

static int
conf_excluded(struct bn_xml_state *st, xmlNode *node)
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
conf_dest(struct bn_xml_state *st, xmlNode *node, bool topic)
{
	struct bn_dest_list	*l = st->list;
	char			*pat = NULL, *gt, buf[BN_XML_SNIP + 8];
	long			 line;

	line = bn_xml_line(node);
	if (bn_xml_str(st, node, "physicalName", true, true, &pat) == -1)
		goto fail;
	line = bn_xml_attr_line(node, bn_xml_attr_find(node, "physicalName"));
	if (strchr(pat, ',') != NULL) {
		bn_xml_err(st, line, "bad physicalName \"%s\" on <%s>: "
		    "composite destinations are not supported, use one <%s> "
		    "per name",
		    bn_xml_snip(pat, buf, sizeof(buf)), node->name, node->name);
		goto fail;
	}
	for (gt = pat; (gt = strchr(gt, '>')) != NULL; gt++) {
		if ((gt == pat || gt[-1] == '.') && gt[1] == '.') {
			bn_xml_err(st, line, "bad physicalName \"%s\" on <%s>: "
			    "\">\" must be the last segment",
			    bn_xml_snip(pat, buf, sizeof(buf)), node->name);
			goto fail;
		}
	}
	l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
	l->items[l->n].pattern = pat;
	l->items[l->n].topic = topic;
	l->items[l->n].line = (int)bn_xml_line(node);
	l->n++;
	return 0;
fail:
	free(pat);
	return -1;
}

static int
conf_queue(struct bn_xml_state *st, xmlNode *node)
{
	return conf_dest(st, node, false);
}

static int
conf_topic(struct bn_xml_state *st, xmlNode *node)
{
	return conf_dest(st, node, true);
}

static int
conf_management(struct bn_xml_state *st, xmlNode *node)
{
	struct bn_config	*c = st->conf;
	char			 reason[512];

	if (bn_xml_str(st, node, "uri", true, true, &c->management_uri) == -1)
		return -1;
	if (bn_endpoint_parse(c->management_uri, &c->management, reason,
	    sizeof(reason)) == -1)
		return bn_xml_err(st, bn_xml_uri_line(node), "bad uri on "
		    "<management>: %s", reason);
	if (strcmp(c->management.scheme, "http") != 0)
		return bn_xml_err(st, bn_xml_uri_line(node), "bad uri on "
		    "<management>: scheme \"%s\" not allowed (allowed: http)",
		    c->management.scheme);
	return 0;
}

/* PEM files for ssl:// links; checked to exist when the daemon starts. */
static int
conf_ssl(struct bn_xml_state *st, xmlNode *node)
{
	struct bn_config	*c = st->conf;

	c->ssl_line = (int)bn_xml_line(node);
	if (bn_xml_str(st, node, "certificate", false, true,
	    &c->ssl_cert) == -1 ||
	    bn_xml_str(st, node, "privateKey", false, true,
	    &c->ssl_key) == -1 ||
	    bn_xml_str(st, node, "trustedCertificates", false, true,
	    &c->ssl_ca) == -1 ||
	    bn_xml_bool(st, node, "verifyHostname", &c->ssl_verify_host) == -1)
		return -1;
	if ((c->ssl_cert == NULL) != (c->ssl_key == NULL))
		return bn_xml_err(st, c->ssl_line, "<sslContext> needs both"
		    " certificate and privateKey, or neither");
	return 0;
}

/*
 * ssl:// listeners need a certificate; ssl:// peers and a broker URI over
 * TLS need trusted CAs.
 */
static int
conf_check_ssl(struct bn_xml_state *st)
{
	struct bn_config	*c = st->conf;
	size_t			 i, j;

	for (i = 0; i < c->broker.failover.nuris; i++)
		if (bn_endpoint_is_tls(&c->broker.failover.uris[i]) &&
		    c->ssl_ca == NULL)
			return bn_xml_err(st, c->broker.line, "%s:// on <broker>"
			    " needs <sslContext trustedCertificates=...>",
			    c->broker.failover.uris[i].scheme);
	for (i = 0; i < c->nlisteners; i++)
		if (bn_endpoint_is_tls(&c->listeners[i].listen) &&
		    c->ssl_cert == NULL)
			return bn_xml_err(st, c->listeners[i].line, "ssl:// on"
			    " <transportConnector> \"%s\" needs <sslContext"
			    " certificate=... privateKey=...>",
			    c->listeners[i].name);
	for (i = 0; i < c->nconnectors; i++)
		for (j = 0; j < c->connectors[i].npeers; j++)
			if (bn_endpoint_is_tls(&c->connectors[i].peers[j]) &&
			    c->ssl_ca == NULL)
				return bn_xml_err(st, c->connectors[i].line,
				    "ssl:// peer on <networkConnector> \"%s\""
				    " needs <sslContext trustedCertificates="
				    "...>", c->connectors[i].name);
	return 0;
}

static int
conf_auth_plugin(struct bn_xml_state *st, xmlNode *node)
{
	st->conf->auth_enabled = true;
	return 0;
}

static int
conf_auth_user(struct bn_xml_state *st, xmlNode *node)
{
	struct bn_config	*c = st->conf;
	struct bn_auth_user	*u;
	char			 buf[BN_XML_SNIP + 8];
	size_t			 i;

	c->users = xrealloc(c->users, (c->nusers + 1) * sizeof(*c->users));
	u = &c->users[c->nusers++];
	memset(u, 0, sizeof(*u));
	u->line = (int)bn_xml_line(node);
	if (bn_xml_str(st, node, "username", true, true, &u->username) == -1)
		return -1;
	for (i = 0; i + 1 < c->nusers; i++)
		if (strcmp(c->users[i].username, u->username) == 0)
			return bn_xml_err(st, bn_xml_attr_line(node,
			    bn_xml_attr_find(node, "username")), "duplicate "
			    "authenticationUser \"%s\" (first at line %d)",
			    bn_xml_snip(u->username, buf, sizeof(buf)),
			    c->users[i].line);
	if (bn_xml_secret(st, node, "password", true, &u->password) == -1 ||
	    bn_xml_str(st, node, "groups", false, false, &u->groups) == -1)
		return -1;
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

/* After the walk: what no single element can check, then the defaults. */
static int
conf_done(struct bn_xml_state *st, xmlNode *root)
{
	if (!st->seen_broker)
		return bn_xml_err(st, bn_xml_line(root), "missing <broker> in "
		    "<brokernet>");
	conf_default_names(st->conf);
	return conf_check_ssl(st);
}

static struct bn_config *
conf_load(const char *xml, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct bn_xml_state	 st;
	struct bn_config	*c;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	c = xcalloc(1, sizeof(*c));
	c->file = xstrdup(name != NULL ? name : "<string>");
	bn_failover_defaults(&c->broker.failover);
	c->broker.flavor = BN_FLAVOR_ACTIVEMQ;
	c->broker.heartbeat_ms = 10000;
	c->broker.receipt_window = 1000;
	c->broker.unfaithful = BN_UNFAITHFUL_DEAD_LETTER;
	c->broker.stomp_empty = BN_STOMP_EMPTY_DEAD_LETTER;
	c->dup_window_count = 100000;
	c->dup_window_age_ms = 3600000;
	c->tsub_offline_ms = 86400000;
	c->ssl_verify_host = true;

	memset(&st, 0, sizeof(st));
	st.conf = c;
	st.file = c->file;
	st.err = err;
	st.errlen = errlen;
	if (bn_xml_parse(&st, xml, len, &conf_root_elem, conf_done) == -1) {
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
	if (sb.st_size > BN_XML_MAX_SIZE) {
		conf_ioerr(err, errlen, "%s: file too large (more than %d "
		    "bytes)", path, BN_XML_MAX_SIZE);
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
