/*
 * The link handshake (handshake.c): what BN_HELLO and BN_WELCOME carry and
 * when they are acceptable.
 *
 *   dialer -> BN_HELLO    broker, version, connector, duplex, TTLs, filters,
 *                         prefetch, priority rule, login/passcode, mgmt,
 *                         encodings (linkz.h), pacing (pace.h)
 *   acceptor -> BN_WELCOME broker, version, mgmt, encodings, pacing
 *                         (or ERROR message[, retry:false])
 *
 * Owns the frames' contents, the acceptor's connector built from a HELLO
 * (the dialer's settings as the acceptor applies them) and the check of
 * the peer's credentials against <simpleAuthenticationPlugin>. link.c
 * sends, receives and acts on the verdicts; nothing here writes to or
 * closes a link.
 */
#ifndef BN_HANDSHAKE_H
#define BN_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>

struct bn_daemon;
struct bn_frame;
struct bn_link;
struct bn_network_connector;

/* The dialer's BN_HELLO for l's connector; offers encodings and pacing.
 * The caller frees it. */
struct bn_frame *bn_handshake_hello(struct bn_link *);
/* Whether our broker session speaks OpenWire on every URI. */
struct bn_daemon;
bool		 bn_handshake_speaks_native(const struct bn_daemon *);
/*
 * Acceptor: checks BN_HELLO f from peer_addr (broker name, version, not
 * ourselves, credentials, settings). Returns the connector it describes
 * (free it with bn_handshake_free_nc), or NULL with the refusal in why and
 * *retry false when the dialer should give up.
 */
struct bn_network_connector *bn_handshake_check_hello(struct bn_daemon *,
	    const char *peer_addr, const struct bn_frame *f, char *why,
	    size_t whylen, bool *retry);
/* Acceptor: the BN_WELCOME answering hello on l; agrees on encodings and
 * pacing. The caller frees it. */
struct bn_frame *bn_handshake_welcome(struct bn_link *,
	    const struct bn_frame *hello);
/*
 * Dialer: checks BN_WELCOME f and takes the encodings it chose. Returns
 * NULL, or why the link must close (in why or a constant); *retry false
 * when dialing again is pointless.
 */
const char *bn_handshake_check_welcome(struct bn_link *,
	    const struct bn_frame *f, char *why, size_t whylen, bool *retry);
/* Frees a connector from bn_handshake_check_hello; NULL is fine. */
void	 bn_handshake_free_nc(struct bn_network_connector *);

#endif /* BN_HANDSHAKE_H */
