/*
 * Receiving (receive.c): messages from links stored on our broker in
 * batched transactions, acked over the link once stored; the store
 * session's in-doubt batches, recovery and loss. Its state is struct
 * bn_recv, opaque outside receive.c (the daemon holds a pointer).
 */
#ifndef BN_RECEIVE_H
#define BN_RECEIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bn_daemon;
struct bn_markers;
struct bn_frame;
struct bn_link;
struct bn_stomp;

/* A MESSAGE from a link: store it on our broker (batched in a
 * transaction), then ack it over the link. Takes the frame. */
int	 bn_recv_on_link_message(struct bn_link *, struct bn_frame *);
/* The store session: in-doubt batches, browse results, session loss. */
void	 bn_recv_doubt(struct bn_stomp *, void *ctx, void *arg);
void	 bn_recv_on_store_message(struct bn_daemon *, struct bn_frame *);
void	 bn_recv_store_lost(struct bn_daemon *);
void	 bn_recv_store_connected(struct bn_daemon *);
void	 bn_recv_link_closed(struct bn_daemon *, uint64_t link);
/* A standby now: batches in doubt are left to the active sidecar. */
void	 bn_recv_abandon(struct bn_daemon *);
void	 bn_recv_init(struct bn_daemon *);
void	 bn_recv_free(struct bn_daemon *);
/* The commit markers on the broker (markers.h), for /status. */
struct bn_markers *bn_recv_markers(const struct bn_daemon *);
/* Whether the duplicate window is still being read (links' MESSAGEs wait). */
bool	 bn_recv_recovering(const struct bn_daemon *);
/* MESSAGEs waiting for that read. */
size_t	 bn_recv_nparked(const struct bn_daemon *);

#endif /* BN_RECEIVE_H */
