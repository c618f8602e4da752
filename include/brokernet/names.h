/*
 * The one rule for names: a broker's name (<brokernet name>, a peer's in
 * the link handshake or an mDNS TXT record), a network group's and a
 * connector's. Pure: no I/O, no allocation.
 *
 * A name is 1 to BN_NAME_MAX bytes of A-Z a-z 0-9 '_' '.' '-', nothing
 * else. Why exactly these, from where names go:
 *   - message paths ",A,B," that loop prevention matches with
 *     brokernet_path NOT LIKE '%,A,%' ESCAPE '!': no ',' (it would split
 *     or fake a hop), no quote (it would end the selector's literal), no
 *     '%' or '!' (LIKE wildcard, the escape character);
 *   - STOMP and link frame header values: no ':' , '\', CR, LF or NUL;
 *   - Prometheus label values and /status JSON: no '"', '\' or newline
 *     (they are escaped there too, but a name never needs it);
 *   - mDNS TXT records ("broker=NAME", "group=NAME"): no '=' and at most
 *     one DNS label's 63 bytes;
 *   - log lines: no whitespace or control characters that would forge or
 *     split a line.
 * Every broker name a config could give so far passes unchanged: the
 * config always took exactly this set.
 */
#ifndef BN_NAMES_H
#define BN_NAMES_H

#include <stddef.h>

#define BN_NAME_MAX	63

/* The allowed set in words, for error messages. */
#define BN_NAME_RULE	"1 to 63 of A-Z a-z 0-9 _ . -"

/*
 * Checks the len bytes at s (which need not be NUL-terminated and may hold
 * a NUL, which is refused). Returns NULL when they are a valid name, else
 * a static string saying why not (for the first offending byte), e.g.
 * "contains a comma"; the caller does not free it.
 */
const char	*bn_name_check(const char *s, size_t len);

/* bn_name_check on a C string; NULL counts as empty. */
const char	*bn_name_check_str(const char *s);

/*
 * Checks a path of len bytes: names joined by ',', as a demand advert's
 * "A,B" or a message's brokernet_path ",A,B,". One leading and one
 * trailing ',' are allowed, and "," alone is the empty path; an empty
 * element anywhere else is refused. Returns NULL or a static reason: the
 * first bad element's (as bn_name_check's) or "has an empty element".
 */
const char	*bn_name_path_check(const char *s, size_t len);

#endif /* BN_NAMES_H */
