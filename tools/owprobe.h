/*
 * owprobe's shared declarations: the blocking OpenWire client
 * (tools/owprobe_client.c) and the printing of what it decoded
 * (owprobe_print.c), called by the commands in owprobe.c.
 */
#ifndef BN_OWPROBE_H
#define BN_OWPROBE_H

#include <stddef.h>
#include <stdint.h>

#include "brokernet/openwire.h"
#include "brokernet/util.h"

struct probe {
	int		 fd;
	struct bn_ow_format fmt;
	struct bn_buf	 in;	/* bytes received, not yet decoded */
	size_t		 in_off;
	int32_t		 next_id;
	char		 conn_id[96];
	struct bn_ow_id	 connection, session, producer, consumer;
	int64_t		 seq;
	int64_t		 txseq;
	/* the last command read; its pointers point into in */
	struct bn_ow_cmd cmd;
	uint8_t		*hold;	/* copy of the last frame (see probe_read) */
	size_t		 hold_len;
	/* dispatches that arrived while awaiting a response */
	uint8_t		*pend[1024];
	size_t		 pend_len[1024];
	size_t		 pend_head, pend_tail;
	const char	*dump_dir;	/* -d: every frame to a file */
	int		 dump_seq;
};

/* A message id's strings point into a frame we free: keep a copy. */
struct probe_held_id {
	char			 str[128];
	struct bn_ow_message_id	 id;
};

/* owprobe_client.c: every failure exits 1 with a reason (probe_die). */
void	 probe_die(const char *, ...)
	    __attribute__((noreturn, format(printf, 1, 2)));
/* An OpenWire string viewing s (NULL: none); s must outlive it. */
struct bn_ow_str probe_str(const char *s);
void	 probe_connect(struct probe *, const char *host, const char *port);
/* WireFormatInfo, then ConnectionInfo, SessionInfo, ProducerInfo. */
void	 probe_handshake(struct probe *, const char *user, const char *pass);
/* Sends c asking for a Response and waits for it; what names c. */
void	 probe_request(struct probe *, struct bn_ow_cmd *c, const char *what);
struct bn_ow_txid probe_tx(struct probe *, uint8_t what,
	    struct bn_ow_txid *);
void	 probe_subscribe_to(struct probe *, uint8_t type, const char *name,
	    int prefetch);
void	 probe_subscribe(struct probe *, const char *queue, int prefetch);
/* The next message for our consumer; valid until the next read. */
struct bn_ow_message *probe_next_message(struct probe *);
/* Acks first..last (count messages) on queue, in tx unless NULL. */
void	 probe_ack(struct probe *, const char *queue,
	    const struct bn_ow_txid *tx, const struct bn_ow_message_id *first,
	    const struct bn_ow_message_id *last, int count);
void	 probe_hold_id(struct probe_held_id *,
	    const struct bn_ow_message_id *);
/* RemoveInfo, ShutdownInfo, close. */
void	 probe_close(struct probe *);

/* owprobe_print.c: one line per message; a primitive map as " what.k=v". */
void	 print_map(const char *what, const struct bn_ow_bytes *);
void	 print_message(const struct bn_ow_message *);

#endif /* BN_OWPROBE_H */
