/*
 * The state of one OpenWire broker session (struct bn_owsess), shared by
 * its files and no one else: owstate.c (the state's helpers), owsess.c
 * (frames out to commands, the handshake), owsend.c (SEND) and owin.c
 * (commands in to frames). Everyone else sees it opaque, via owsess.h.
 */
#ifndef BN_OWSTATE_H
#define BN_OWSTATE_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/openwire.h"
#include "brokernet/util.h"

struct bn_frame;

/* ActiveMQ's STOMP default prefetch when SUBSCRIBE names none. */
#define OW_PREFETCH_DEFAULT	1000

enum ow_ackmode { OW_ACK_AUTO, OW_ACK_CLIENT, OW_ACK_INDIVIDUAL };

/* A message id kept until its ack (the strings are ours). */
struct ow_unacked {
	TAILQ_ENTRY(ow_unacked) entry;
	uint64_t		 seq;
	struct bn_ow_message_id	 id;
	char			*conn;		/* id.producer.str */
	char			*text;		/* id.text_view */
};
TAILQ_HEAD(ow_unackq, ow_unacked);

struct ow_consumer {
	TAILQ_ENTRY(ow_consumer) entry;
	char			*sub_id;	/* the SUBSCRIBE's id */
	int64_t			 value;		/* ConsumerId value */
	uint8_t			 dtype;
	char			*dname;
	enum ow_ackmode		 ack;
	bool			 native;
	bool			 whole;		/* unfaithful ones whole */
	bool			 map_json;	/* jms-map-json bodies */
	uint64_t		 next_seq;
	struct ow_unackq	 unacked;	/* dispatch order */
};
TAILQ_HEAD(ow_consumerq, ow_consumer);

/* A STOMP transaction name and its LocalTransactionId value. */
struct ow_tx {
	TAILQ_ENTRY(ow_tx)	 entry;
	char			*name;
	int64_t			 value;
};
TAILQ_HEAD(ow_txq, ow_tx);

/* A command that asked for a Response, and the receipt it answers. */
struct ow_wait {
	TAILQ_ENTRY(ow_wait)	 entry;
	int32_t			 command_id;
	char			*receipt;
};
TAILQ_HEAD(ow_waitq, ow_wait);

struct ow_local {
	TAILQ_ENTRY(ow_local)	 entry;
	struct bn_frame		*frame;
};
TAILQ_HEAD(ow_localq, ow_local);

/* A STOMP temporary destination name and the one made for it. */
struct ow_temp {
	TAILQ_ENTRY(ow_temp)	 entry;
	uint8_t			 type;
	char			*name;
	char			*physical;
	int64_t			 seq;		/* the N of "conn:N" */
};
TAILQ_HEAD(ow_tempq, ow_temp);

enum ow_state {
	OW_IDLE = 0,		/* CONNECT not seen yet */
	OW_WF_SENT,		/* our WireFormatInfo out */
	OW_CONN_SENT,		/* ConnectionInfo out, Response awaited */
	OW_UP
};

struct bn_owsess {
	char			*name;
	char			*self;
	enum ow_state		 state;
	struct bn_ow_format	 mine, fmt;
	int64_t			 inactivity_ms;
	char			*login, *passcode, *client_id;
	char			 conn_id[160];
	int32_t			 next_cid;
	int32_t			 conn_cid;	/* ConnectionInfo's */
	int64_t			 next_consumer;
	int64_t			 next_tx;
	int64_t			 next_seq;	/* our producer's messages */
	uint64_t		 unfaithful;
	struct ow_consumerq	 consumers;
	struct ow_txq		 txs;
	struct ow_waitq		 waits;
	struct ow_tempq		 temps;
	int64_t			 next_temp;
	struct ow_localq	 local;
	size_t			 nlocal;
	struct bn_buf		 scratch;	/* property maps, bodies */
	struct bn_buf		 scratch2;
	struct bn_buf		 scratch3;	/* one property (owsend.c) */
	struct bn_buf		 scratch4;
};


/* owstate.c */
struct bn_ow_str	 bn_owsess_str(const char *);
/* Appends c; with receipt, the Response is awaited for it. */
int	bn_owsess_emit(struct bn_owsess *, struct bn_ow_cmd *,
	    const char *receipt, struct bn_buf *out, char *err, size_t errlen);
struct bn_ow_id	 bn_owsess_conn_id(struct bn_owsess *);
struct ow_consumer *bn_owsess_consumer(struct bn_owsess *, int64_t value);
struct bn_ow_id	 bn_owsess_consumer_id(struct bn_owsess *,
	    const struct ow_consumer *);
int	bn_owsess_dest(struct bn_owsess *, const char *stomp_dest,
	    struct bn_ow_dest *, struct bn_buf *out);
/* Forgets temporary destinations made after seq (their DestinationInfo
 * was not written). */
void	bn_owsess_temps_since(struct bn_owsess *, int64_t seq);
struct ow_tx	*bn_owsess_tx(struct bn_owsess *, const char *name);
struct bn_ow_txid bn_owsess_txid(struct bn_owsess *, const struct ow_tx *);
/* The frame's "transaction" header as an id (none: zero); -1 with err
 * for a transaction this session does not have open. */
int	bn_owsess_frame_tx(struct bn_owsess *, const struct bn_frame *,
	    struct bn_ow_txid *, char *err, size_t errlen);
bool	bn_owsess_hdr_true(const struct bn_frame *, const char *name);

/* owsess.c, for owin.c */
int	bn_owsess_handshake(struct bn_owsess *, const struct bn_ow_wireformat *,
	    struct bn_buf *reply, char *err, size_t errlen);
/* owsend.c: a SEND frame to a message command (into out). */
int	bn_owsess_send(struct bn_owsess *, const struct bn_frame *,
	    const char *receipt, struct bn_buf *out, char *err, size_t errlen);

#endif /* BN_OWSTATE_H */
