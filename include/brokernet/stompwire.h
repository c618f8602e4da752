/*
 * STOMP frames in wire form (stompwire.c), pure: the frames the client
 * builds by hand (ACK/NACK, BEGIN/COMMIT: the hot path), the receipt
 * header put into an already serialised frame, the CONNECT frame, and
 * CONNECTED's heart-beat header. The codec itself is frame.h's.
 */
#ifndef BN_STOMPWIRE_H
#define BN_STOMPWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bn_buf;
struct bn_frame;

/* out = wire (one frame, with a command line) with "receipt:rN" added
 * after the command line. */
void	 bn_stompwire_add_receipt(struct bn_buf *out, const char *wire,
	    size_t len, uint64_t rid);
/* out = ACK or NACK (cmd) of ack_id, in transaction tx unless NULL. */
void	 bn_stompwire_ack(struct bn_buf *out, const char *cmd,
	    const char *ack_id, const char *tx);
/* out = BEGIN or COMMIT (cmd) of transaction tx. */
void	 bn_stompwire_tx(struct bn_buf *out, const char *cmd, const char *tx);
/* CONNECT for STOMP 1.2 with heart-beat hb_ms both ways (login, passcode,
 * client_id: NULL for none). The caller frees it. */
struct bn_frame *bn_stompwire_connect(const char *vhost, const char *login,
	    const char *passcode, const char *client_id, uint64_t hb_ms);
/* CONNECTED's heart-beat header "sx,sy" (NULL: absent); both 0 when
 * absent or malformed. */
void	 bn_stompwire_heartbeat(const char *hb, uint64_t *sx, uint64_t *sy);
/*
 * The agreed heart-beats for ours (ms, 0: off) and CONNECTED's sx,sy:
 * *send, how often we must send (max(ours, sy); over OpenWire sy, the
 * broker's limit, which is at most ours); *grace, how long the broker may
 * stay silent before it counts as gone (0: forever).
 */
void	 bn_stompwire_hb_agree(uint64_t ours, uint64_t sx, uint64_t sy,
	    bool openwire, uint64_t *send, uint64_t *grace);

/* A MESSAGE from a STOMP broker for the session's owners: without
 * content-length it was a TextMessage (says so); headers only the OpenWire
 * session sets (owsess.h) are dropped. One that is also empty may have been
 * a Map, Object, Stream or plain Message whose body ActiveMQ's STOMP
 * dropped: with flag_empty (stompEmptyBody="deadLetter") it gets the
 * brokernet-unfaithful header with that reason (BN_STOMPWIRE_EMPTY_WHY),
 * as the OpenWire session flags what it cannot carry, and forward.c
 * NACKs it. */
#define BN_STOMPWIRE_EMPTY_WHY	"its body class cannot be seen over STOMP " \
	"(an empty body without content-length: a Map, Object, Stream or " \
	"plain Message, or an empty TextMessage)"

void	bn_stompwire_message_in(struct bn_frame *, bool flag_empty);

#endif /* BN_STOMPWIRE_H */
