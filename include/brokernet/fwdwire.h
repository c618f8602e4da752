/*
 * What of a broker's message travels on (fwdwire.c): the link message
 * forward.c writes for a message it forwards, and the headers of one
 * delivery (ack, message-id, ...) that never travel, a rule receive.c
 * shares. Calls nothing of forward.c or receive.c.
 */
#ifndef BN_FWDWIRE_H
#define BN_FWDWIRE_H

#include <stdbool.h>
#include <stdint.h>

struct bn_buf;
struct bn_frame;
struct bn_link;

/* True for headers that belong to one delivery (ack, message-id, ...). */
bool	 bn_fwd_is_delivery_header(const char *);
/* Appends the headers of f that travel on, escaped, each as "\nname:value";
 * hop: leave out brokernet_path and brokernet_hops too. */
void	 bn_fwd_wire_headers(const struct bn_frame *, bool hop, struct bn_buf *);
/* Writes into l->out the link message for broker frame f (seq, dest), long
 * or compact as the link agreed (linkhdr.h). */
void	 bn_fwd_wire(struct bn_link *, const struct bn_frame *, uint64_t seq,
	    const char *dest);

#endif /* BN_FWDWIRE_H */
