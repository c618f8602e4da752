/*
 * The link handshake: BN_HELLO (dialer) and BN_WELCOME (acceptor), what
 * they carry and when they are acceptable. See include/brokernet/
 * handshake.h; link.c sends the frames and acts on the verdicts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/handshake.h"
#include "brokernet/link.h"
#include "brokernet/linkz.h"
#include "brokernet/log.h"
#include "brokernet/names.h"
#include "brokernet/owsess.h"
#include "brokernet/topic.h"

/* Comma-separated patterns of a filter list (for BN_HELLO). */
static void
handshake_list_str(const struct bn_dest_list *dl, struct bn_buf *b)
{
	size_t	i, n = 0;

	bn_buf_reset(b);
	for (i = 0; i < dl->n; i++) {
		if (n++ > 0)
			bn_buf_addc(b, ',');
		/* a <topic> entry travels as "/topic/pattern" (topic.h) */
		if (dl->items[i].topic)
			bn_buf_addstr(b, BN_TOPIC_PREFIX);
		bn_buf_addstr(b, dl->items[i].pattern);
	}
}

/* The dialer's BN_HELLO: its connector as the acceptor is to apply it. */
/*
 * Consumer pacing (pace.c) is offered with "pace:1": BN_PACE frames go only
 * to a peer that offered it (older peers close a link on an unknown frame).
 */
static void
handshake_pace_offer(struct bn_frame *f)
{
	bn_frame_add_header(f, "pace", "1");
}

static void
handshake_pace_peer(struct bn_link *l, const struct bn_frame *f)
{
	const char	*v = bn_frame_get(f, "pace");

	l->peer_pace = v != NULL && strcmp(v, "1") == 0;
}

/*
 * Whole OpenWire messages (owsess.h) are offered with "native:openwire-12"
 * by a sidecar whose broker session speaks OpenWire on every URI: it can
 * store such a message as it is. A sidecar forwards whole messages only
 * to a peer that offered it, and only if it speaks OpenWire itself.
 */
bool
bn_handshake_speaks_native(const struct bn_daemon *d)
{
	const struct bn_failover	*fo = &d->cfg->broker.failover;
	size_t				 i;

	for (i = 0; i < fo->nuris; i++)
		if (!bn_endpoint_is_openwire(&fo->uris[i]))
			return false;
	return fo->nuris > 0;
}

static void
handshake_native(struct bn_link *l, const struct bn_frame *peer,
    struct bn_frame *ours)
{
	const char	*v;

	if (peer != NULL) {
		v = bn_frame_get(peer, "native");
		l->peer_native = v != NULL &&
		    strcmp(v, BN_OWSESS_NATIVE) == 0 &&
		    bn_handshake_speaks_native(l->d);
	}
	if (ours != NULL && bn_handshake_speaks_native(l->d))
		bn_frame_add_header(ours, "native", BN_OWSESS_NATIVE);
}

struct bn_frame *
bn_handshake_hello(struct bn_link *l)
{
	const struct bn_network_connector	*nc = l->nc;
	struct bn_frame				*f;
	struct bn_buf				 b = { 0 };
	char					 num[32];

	f = bn_frame_new("BN_HELLO");
	bn_frame_add_header(f, "broker", l->d->self);
	bn_frame_add_header(f, "version", BN_LINK_VERSION);
	bn_frame_add_header(f, "connector", nc->name);
	bn_frame_add_header(f, "duplex", l->duplex ? "true" : "false");
	/* a duplex peer subscribes for us as we would */
	if (!nc->durable_topics)
		bn_frame_add_header(f, "durable-topics", "false");
	snprintf(num, sizeof(num), "%lld", (long long)nc->message_ttl);
	bn_frame_add_header(f, "message-ttl", num);
	snprintf(num, sizeof(num), "%lld", (long long)nc->consumer_ttl);
	bn_frame_add_header(f, "consumer-ttl", num);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)nc->prefetch);
	bn_frame_add_header(f, "prefetch", num);
	bn_frame_add_header(f, "decrease-priority",
	    nc->decrease_priority ? "true" : "false");
	bn_frame_add_header(f, "dynamic-only",
	    nc->dynamic_only ? "true" : "false");
	handshake_list_str(&nc->dynamic_include, &b);
	bn_frame_add_header(f, "dynamic-include", b.len ? b.data : "");
	handshake_list_str(&nc->static_include, &b);
	bn_frame_add_header(f, "static-include", b.len ? b.data : "");
	handshake_list_str(&nc->exclude, &b);
	bn_frame_add_header(f, "exclude", b.len ? b.data : "");
	if (nc->username != NULL)
		bn_frame_add_header(f, "login", nc->username);
	if (nc->password != NULL)
		bn_frame_add_header(f, "passcode", nc->password);
	if (l->d->cfg->management_uri != NULL)
		bn_frame_add_header(f, "mgmt", l->d->cfg->management_uri);
	bn_linkz_offer(l, f);
	handshake_pace_offer(f);
	handshake_native(l, NULL, f);
	bn_buf_free(&b);
	return f;
}

static void
handshake_parse_list(const char *s, struct bn_dest_list *dl)
{
	const char	*p = s, *comma;

	dl->n = 0;
	dl->items = NULL;
	if (s == NULL || *s == '\0')
		return;
	for (;;) {
		comma = strchr(p, ',');
		dl->items = xrealloc(dl->items, (dl->n + 1) *
		    sizeof(*dl->items));
		memset(&dl->items[dl->n], 0, sizeof(dl->items[0]));
		if (bn_topic_is(p)) {
			dl->items[dl->n].topic = true;
			p += BN_TOPIC_PREFIX_LEN;
		}
		dl->items[dl->n++].pattern = comma ?
		    xstrndup(p, (size_t)(comma - p)) : xstrdup(p);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

static int
handshake_hdr_ttl(const struct bn_frame *f, const char *name, int64_t *out)
{
	const char	*v = bn_frame_get(f, name);

	if (v == NULL) {
		*out = 1;
		return 0;
	}
	if (bn_strtoi64(v, -1, 1000, out) == -1)
		return -1;
	return 0;
}

/* The acceptor's view of the connector the dialer described. */
static struct bn_network_connector *
handshake_nc_from_hello(const struct bn_frame *f, const char **err)
{
	struct bn_network_connector	*nc;
	const char			*v;
	uint64_t			 u;

	if ((v = bn_frame_get(f, "connector")) != NULL &&
	    bn_name_check_str(v) != NULL) {
		*err = "bad connector name in BN_HELLO";
		return NULL;
	}
	nc = xcalloc(1, sizeof(*nc));
	nc->name = xstrdup(v != NULL ? v : "?");
	nc->uri = xstrdup("accepted");
	bn_reconnect_defaults(&nc->reconnect);
	nc->decrease_priority = true;
	nc->conduit = true;
	nc->durable_topics = true;
	nc->prefetch = 1000;
	if (handshake_hdr_ttl(f, "message-ttl", &nc->message_ttl) == -1 ||
	    handshake_hdr_ttl(f, "consumer-ttl", &nc->consumer_ttl) == -1) {
		*err = "bad TTL in BN_HELLO";
		goto fail;
	}
	nc->network_ttl = nc->message_ttl;
	if ((v = bn_frame_get(f, "duplex")) != NULL &&
	    bn_strtobool(v, &nc->duplex) == -1) {
		*err = "bad duplex in BN_HELLO";
		goto fail;
	}
	if ((v = bn_frame_get(f, "durable-topics")) != NULL &&
	    bn_strtobool(v, &nc->durable_topics) == -1) {
		*err = "bad durable-topics in BN_HELLO";
		goto fail;
	}
	if ((v = bn_frame_get(f, "decrease-priority")) != NULL &&
	    bn_strtobool(v, &nc->decrease_priority) == -1) {
		*err = "bad decrease-priority in BN_HELLO";
		goto fail;
	}
	if ((v = bn_frame_get(f, "dynamic-only")) != NULL &&
	    bn_strtobool(v, &nc->dynamic_only) == -1) {
		*err = "bad dynamic-only in BN_HELLO";
		goto fail;
	}
	if ((v = bn_frame_get(f, "prefetch")) != NULL) {
		if (bn_strtou64(v, 1000000, &u) == -1 || u == 0) {
			*err = "bad prefetch in BN_HELLO";
			goto fail;
		}
		nc->prefetch = u;
	}
	handshake_parse_list(bn_frame_get(f, "dynamic-include"),
	    &nc->dynamic_include);
	handshake_parse_list(bn_frame_get(f, "static-include"),
	    &nc->static_include);
	handshake_parse_list(bn_frame_get(f, "exclude"), &nc->exclude);
	return nc;
fail:
	bn_handshake_free_nc(nc);
	return NULL;
}

static bool
handshake_check_credentials(struct bn_daemon *d, const char *login,
    const char *passcode)
{
	size_t	i;
	bool	ok = false;

	if (!d->cfg->auth_enabled)
		return true;
	for (i = 0; i < d->cfg->nusers; i++) {
		bool	u = bn_secure_streq(d->cfg->users[i].username,
			    login ? login : "");
		bool	p = bn_secure_streq(d->cfg->users[i].password,
			    passcode ? passcode : "");

		ok |= u & p;
	}
	return ok;
}

/* An acceptor's connector (built from a BN_HELLO). */
void
bn_handshake_free_nc(struct bn_network_connector *nc)
{
	size_t	i;

	if (nc == NULL)
		return;
	free(nc->name);
	free(nc->uri);
	for (i = 0; i < nc->dynamic_include.n; i++)
		free(nc->dynamic_include.items[i].pattern);
	free(nc->dynamic_include.items);
	for (i = 0; i < nc->static_include.n; i++)
		free(nc->static_include.items[i].pattern);
	free(nc->static_include.items);
	for (i = 0; i < nc->exclude.n; i++)
		free(nc->exclude.items[i].pattern);
	free(nc->exclude.items);
	free(nc);
}

/* Acceptor: the BN_HELLO checks, in the order a refusal reports them. */
struct bn_network_connector *
bn_handshake_check_hello(struct bn_daemon *d, const char *peer_addr,
    const struct bn_frame *f, char *why, size_t whylen, bool *retry)
{
	const char			*peer = bn_frame_get(f, "broker");
	const char			*ver = bn_frame_get(f, "version");
	const char			*err = NULL;
	struct bn_network_connector	*nc;

	*retry = true;
	if ((err = bn_name_check_str(peer)) != NULL) {
		snprintf(why, whylen, "BN_HELLO without a valid broker"
		    " name: %s (%s)", err, BN_NAME_RULE);
		return NULL;
	}
	err = NULL;
	if (ver == NULL || strcmp(ver, BN_LINK_VERSION) != 0) {
		snprintf(why, whylen, "unsupported link version %s"
		    " (this sidecar speaks %s)", ver ? ver : "(none)",
		    BN_LINK_VERSION);
		return NULL;
	}
	if (strcmp(peer, d->self) == 0) {
		log_warnx("link %s: refused: peer is this broker (%s):"
		    " a connector points at its own sidecar", peer_addr,
		    peer);
		snprintf(why, whylen, "loop: link to itself refused");
		*retry = false;
		return NULL;
	}
	if (!handshake_check_credentials(d, bn_frame_get(f, "login"),
	    bn_frame_get(f, "passcode"))) {
		log_warnx("link %s (%s): refused: bad credentials for user"
		    " \"%s\"", peer, peer_addr, bn_frame_get(f, "login") ?
		    bn_frame_get(f, "login") : "");
		snprintf(why, whylen, "authentication failed");
		return NULL;
	}
	if ((nc = handshake_nc_from_hello(f, &err)) == NULL) {
		snprintf(why, whylen, "%s", err);
		return NULL;
	}
	return nc;
}

struct bn_frame *
bn_handshake_welcome(struct bn_link *l, const struct bn_frame *hello)
{
	struct bn_daemon	*d = l->d;
	struct bn_frame		*w;

	w = bn_frame_new("BN_WELCOME");
	bn_frame_add_header(w, "broker", d->self);
	bn_frame_add_header(w, "version", BN_LINK_VERSION);
	if (d->cfg->management_uri != NULL)
		bn_frame_add_header(w, "mgmt", d->cfg->management_uri);
	bn_linkz_choose(l, hello, w);
	handshake_pace_peer(l, hello);
	if (l->peer_pace)
		handshake_pace_offer(w);
	handshake_native(l, hello, w);
	return w;
}

/* Dialer: the acceptor answered; the encodings are agreed here. */
const char *
bn_handshake_check_welcome(struct bn_link *l, const struct bn_frame *f,
    char *why, size_t whylen, bool *retry)
{
	const char	*peer = bn_frame_get(f, "broker");
	const char	*ver = bn_frame_get(f, "version");
	const char	*err;

	*retry = true;
	if (peer == NULL || ver == NULL || strcmp(ver, BN_LINK_VERSION) != 0)
		return "bad BN_WELCOME (version or broker missing)";
	if ((err = bn_name_check_str(peer)) != NULL) {
		snprintf(why, whylen, "bad BN_WELCOME: broker name %s", err);
		return why;
	}
	if (bn_linkz_chosen(l, f, &err) == -1)
		return err;
	handshake_pace_peer(l, f);
	handshake_native(l, f, NULL);
	if (strcmp(peer, l->d->self) == 0) {
		*retry = false;
		return "loop: the peer is this broker; not retrying";
	}
	return NULL;
}
