/*
 * Network subscription selectors (see include/brokernet/selector.h).
 * Pure: no I/O.
 */
#include <stdbool.h>
#include <stdint.h>

#include "brokernet/advisory.h"
#include "brokernet/selector.h"
#include "brokernet/util.h"

/* Appends s quoted for a JMS selector LIKE pattern (escape char '!'). */
static void
selector_like_quote(struct bn_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			bn_buf_addstr(b, "''");
		else if (*s == '%' || *s == '_' || *s == '!') {
			bn_buf_addc(b, '!');
			bn_buf_addc(b, *s);
		} else
			bn_buf_addc(b, *s);
	}
}

/*
 * The selector of a network subscription towards peer: never to a broker
 * already on the message's path, never beyond messageTTL hops, and with
 * kept set never a message this network kept on its broker because a peer
 * could not take it unchanged (brokernet_unfaithful). The network's
 * properties are strings (STOMP headers are), so hops are matched as
 * strings.
 */
void
bn_selector_netsub(const char *peer, int64_t ttl, bool replay, bool kept,
    struct bn_buf *b)
{
	int64_t	i;

	/*
	 * Never commit markers (a static include may be a wildcard); the
	 * head also tells other sidecars on this broker that this is a
	 * network subscription, not demand.
	 */
	bn_buf_addstr(b, BN_NETSUB_SELECTOR_HEAD);
	/* replay: exactly the messages the normal selector keeps back */
	bn_buf_addstr(b, replay ? "brokernet_path IS NOT NULL AND"
	    " (brokernet_path LIKE '%," : "(brokernet_path IS NULL OR"
	    " brokernet_path NOT LIKE '%,");
	selector_like_quote(b, peer);
	bn_buf_addstr(b, ",%' ESCAPE '!'");
	if (ttl < 0 || ttl > 64)
		bn_buf_addc(b, ')');
	else if (ttl <= 1)
		bn_buf_addstr(b, replay ? " OR brokernet_hops IS NOT NULL)" :
		    ") AND brokernet_hops IS NULL");
	else {
		bn_buf_addstr(b, replay ? " OR brokernet_hops NOT IN (" :
		    ") AND (brokernet_hops IS NULL OR brokernet_hops IN (");
		for (i = 1; i < ttl; i++)
			bn_buf_printf(b, "%s'%lld'", i > 1 ? "," : "",
			    (long long)i);
		bn_buf_addstr(b, "))");
	}
	/* every OR above is in parentheses: this AND holds for all */
	if (kept)
		bn_buf_addstr(b, " AND " BN_SELECTOR_NOT_KEPT);
}
