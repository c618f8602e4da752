/*
 * The JMS selector of a network subscription (bridge/selector.c), pure:
 * which messages a sidecar may take from its broker for one peer. It
 * starts with BN_NETSUB_SELECTOR_HEAD (advisory.h), so sidecars recognise
 * each other's network subscriptions, and keeps back messages whose
 * brokernet_path already holds the peer or whose brokernet_hops reached
 * messageTTL; replay (a stranded message going back where it came from)
 * takes exactly those the first keeps back for the path. Towards a peer
 * that cannot take every message unchanged, with unfaithful="keep", it
 * also leaves out the messages kept on this broker for that reason.
 */
#ifndef BN_SELECTOR_H
#define BN_SELECTOR_H

#include <stdbool.h>
#include <stdint.h>

struct bn_buf;

/* What leaves out a message kept for want of a faithful peer. */
#define BN_SELECTOR_NOT_KEPT	"brokernet_unfaithful IS NULL"

/*
 * Appends the selector for peer (ttl: messageTTL; < 0 or > 64: none;
 * kept: leave out messages that carry brokernet_unfaithful).
 */
void	bn_selector_netsub(const char *peer, int64_t ttl, bool replay,
	    bool kept, struct bn_buf *);

#endif /* BN_SELECTOR_H */
