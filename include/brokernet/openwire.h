/*
 * OpenWire codec (ActiveMQ's native wire format), version 12, loose
 * encoding without the marshal cache: the format a client gets when its
 * WireFormatInfo says TightEncodingEnabled=false and CacheEnabled=false.
 * Pure: no I/O, no libevent. The decoder is stateless and incremental like
 * the STOMP frame codec: handed the bytes buffered so far it returns one
 * command and the bytes used, or NEED_MORE, or ERROR with a reason naming
 * the command and field. Decoding is in place: every string and byte range
 * in a decoded command points into the caller's buffer, which must outlive
 * the command. Nothing is allocated while decoding.
 *
 * A message's body and its marshalled property map are opaque byte ranges
 * so a session can forward them untouched; bn_ow_map_* reads and writes the
 * primitive map format (typed properties, MapMessage bodies) separately.
 * bridge/openwire.c decodes commands, bridge/owenc.c encodes them and
 * negotiates the format, bridge/owmap.c reads and writes primitive maps.
 */
#ifndef BN_OPENWIRE_H
#define BN_OPENWIRE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brokernet/frame.h"	/* enum bn_parse_result */

struct bn_buf;

/* Data structure types (CommandTypes.java). */
enum {
	BN_OW_NULL = 0,
	BN_OW_WIREFORMAT_INFO = 1,
	BN_OW_BROKER_INFO = 2,
	BN_OW_CONNECTION_INFO = 3,
	BN_OW_SESSION_INFO = 4,
	BN_OW_CONSUMER_INFO = 5,
	BN_OW_PRODUCER_INFO = 6,
	BN_OW_TRANSACTION_INFO = 7,
	BN_OW_DESTINATION_INFO = 8,
	BN_OW_REMOVE_SUBSCRIPTION_INFO = 9,
	BN_OW_KEEP_ALIVE_INFO = 10,
	BN_OW_SHUTDOWN_INFO = 11,
	BN_OW_REMOVE_INFO = 12,
	BN_OW_CONTROL_COMMAND = 14,
	BN_OW_CONNECTION_ERROR = 16,
	BN_OW_CONSUMER_CONTROL = 17,
	BN_OW_CONNECTION_CONTROL = 18,
	BN_OW_PRODUCER_ACK = 19,
	BN_OW_MESSAGE_PULL = 20,
	BN_OW_MESSAGE_DISPATCH = 21,
	BN_OW_MESSAGE_ACK = 22,
	BN_OW_MESSAGE = 23,
	BN_OW_BYTES_MESSAGE = 24,
	BN_OW_MAP_MESSAGE = 25,
	BN_OW_OBJECT_MESSAGE = 26,
	BN_OW_STREAM_MESSAGE = 27,
	BN_OW_TEXT_MESSAGE = 28,
	BN_OW_RESPONSE = 30,
	BN_OW_EXCEPTION_RESPONSE = 31,
	BN_OW_NETWORK_BRIDGE_FILTER = 91,
	BN_OW_QUEUE = 100,
	BN_OW_TOPIC = 101,
	BN_OW_TEMP_QUEUE = 102,
	BN_OW_TEMP_TOPIC = 103,
	BN_OW_MESSAGE_ID = 110,
	BN_OW_LOCAL_TRANSACTION_ID = 111,
	BN_OW_CONNECTION_ID = 120,
	BN_OW_SESSION_ID = 121,
	BN_OW_CONSUMER_ID = 122,
	BN_OW_PRODUCER_ID = 123,
	BN_OW_BROKER_ID = 124
};

#define BN_OW_VERSION		12
#define BN_OW_MAX_PATH		32	/* brokerPath/cluster entries kept */
#define BN_OW_MAX_FRAME_DEFAULT	(100u * 1024 * 1024)

/* MessageAck.ackType */
enum {
	BN_OW_ACK_DELIVERED = 0,
	BN_OW_ACK_POISON = 1,
	BN_OW_ACK_STANDARD = 2,
	BN_OW_ACK_REDELIVERED = 3,
	BN_OW_ACK_INDIVIDUAL = 4,
	BN_OW_ACK_UNMATCHED = 5,
	BN_OW_ACK_EXPIRED = 6
};

/* TransactionInfo.type */
enum {
	BN_OW_TX_BEGIN = 0,
	BN_OW_TX_PREPARE = 1,
	BN_OW_TX_COMMIT_ONE_PHASE = 2,
	BN_OW_TX_COMMIT_TWO_PHASE = 3,
	BN_OW_TX_ROLLBACK = 4,
	BN_OW_TX_RECOVER = 5,
	BN_OW_TX_FORGET = 6,
	BN_OW_TX_END = 7
};

/* DestinationInfo.operationType */
enum { BN_OW_DEST_ADD = 0, BN_OW_DEST_REMOVE = 1 };

/* A string (Java modified UTF-8, not NUL-terminated); p == NULL is null. */
struct bn_ow_str {
	const char	*p;
	size_t		 len;
};

/* A byte sequence; p == NULL is null. */
struct bn_ow_bytes {
	const uint8_t	*p;
	size_t		 len;
};

/*
 * Any of ConnectionId, SessionId, ProducerId, ConsumerId, BrokerId
 * (type 0 is a null object). str is the value of a ConnectionId/BrokerId
 * and the connectionId of the others; value is the SessionId/ProducerId/
 * ConsumerId value; session the sessionId of a ProducerId/ConsumerId.
 */
struct bn_ow_id {
	uint8_t		 type;
	struct bn_ow_str str;
	int64_t		 session;
	int64_t		 value;
};

/* ActiveMQQueue/Topic/TempQueue/TempTopic; type 0 is null. */
struct bn_ow_dest {
	uint8_t		 type;
	struct bn_ow_str name;
};

struct bn_ow_message_id {
	bool		 set;
	struct bn_ow_str text_view;
	struct bn_ow_id	 producer;
	int64_t		 producer_seq;
	int64_t		 broker_seq;
};

/* LocalTransactionId only (XA is refused); type 0 is null. */
struct bn_ow_txid {
	uint8_t		 type;
	int64_t		 value;
	struct bn_ow_id	 connection;
};

/* An array of nested ids (brokerPath, cluster, networkConsumerPath). */
struct bn_ow_idarray {
	bool		 set;
	uint16_t	 n;
	struct bn_ow_id	 v[BN_OW_MAX_PATH];
};

/*
 * A nested object kept as its marshalled bytes (a message's dataStructure,
 * ConsumerInfo's additionalPredicate, BrokerInfo's peers): raw starts after
 * the type byte (or after the array count for arrays) and is re-emitted as
 * is. bn_ow_decode_nested() decodes one.
 */
struct bn_ow_raw {
	uint8_t		 type;	/* 0: null; arrays: 1 when present */
	uint16_t	 count;	/* arrays only */
	struct bn_ow_bytes raw;
};

/* A Throwable: class name and message; the stack trace is skipped. */
struct bn_ow_error {
	bool		 set;
	struct bn_ow_str class_name;
	struct bn_ow_str message;
};

struct bn_ow_wireformat {
	uint8_t		 magic[8];
	int32_t		 version;
	struct bn_ow_bytes props;	/* a primitive map */
};

struct bn_ow_broker_info {
	struct bn_ow_id	 broker_id;
	struct bn_ow_str broker_url;
	struct bn_ow_raw peers;		/* BrokerInfo[] */
	struct bn_ow_str broker_name;
	bool		 slave, master, fault_tolerant, duplex, network;
	int64_t		 connection_id;
	struct bn_ow_str upload_url;
	struct bn_ow_str network_props;
};

struct bn_ow_connection_info {
	struct bn_ow_id	 connection_id;
	struct bn_ow_str client_id, password, user_name;
	struct bn_ow_idarray broker_path;
	bool		 broker_master_connector, manageable, client_master;
	bool		 fault_tolerant, failover_reconnect;
	struct bn_ow_str client_ip;
};

struct bn_ow_producer_info {
	struct bn_ow_id	 producer_id;
	struct bn_ow_dest destination;
	struct bn_ow_idarray broker_path;
	bool		 dispatch_async;
	int32_t		 window_size;
};

struct bn_ow_consumer_info {
	struct bn_ow_id	 consumer_id;
	bool		 browser;
	struct bn_ow_dest destination;
	int32_t		 prefetch;
	int32_t		 max_pending;
	bool		 dispatch_async;
	struct bn_ow_str selector, client_id, subscription_name;
	bool		 no_local, exclusive, retroactive;
	uint8_t		 priority;
	struct bn_ow_idarray broker_path;
	struct bn_ow_raw additional_predicate;
	bool		 network_subscription, optimized_ack, no_range_acks;
	struct bn_ow_idarray network_consumer_path;
};

struct bn_ow_remove_info {
	struct bn_ow_id	 object_id;
	int64_t		 last_delivered_seq;
};

/* Deletes the durable subscription (client id, name) of a connection. */
struct bn_ow_remove_sub_info {
	struct bn_ow_id	 connection_id;
	struct bn_ow_str subscription_name, client_id;
};

/*
 * ActiveMQMessage and its subtypes (type 23..28). command_id and
 * response_required are the message's own: bn_ow_encode() writes the
 * command's fields for a top-level message and these for one nested in a
 * MessageDispatch; bn_ow_decode() fills both.
 */
struct bn_ow_message {
	uint8_t		 type;
	int32_t		 command_id;
	bool		 response_required;
	struct bn_ow_id	 producer_id;
	struct bn_ow_dest destination;
	struct bn_ow_txid transaction_id;
	struct bn_ow_dest original_destination;
	struct bn_ow_message_id message_id;
	struct bn_ow_txid original_transaction_id;
	struct bn_ow_str group_id;
	int32_t		 group_seq;
	struct bn_ow_str correlation_id;
	bool		 persistent;
	int64_t		 expiration;
	uint8_t		 priority;
	struct bn_ow_dest reply_to;
	int64_t		 timestamp;
	struct bn_ow_str jms_type;
	struct bn_ow_bytes content;
	struct bn_ow_bytes properties;	/* a primitive map, or null */
	struct bn_ow_raw data_structure;
	struct bn_ow_id	 target_consumer_id;
	bool		 compressed;
	int32_t		 redelivery_counter;
	struct bn_ow_idarray broker_path;
	int64_t		 arrival;
	struct bn_ow_str user_id;
	bool		 received_by_df_bridge, droppable;
	struct bn_ow_idarray cluster;
	int64_t		 broker_in_time, broker_out_time;
	bool		 jmsx_group_first;
};

struct bn_ow_dispatch {
	struct bn_ow_id	 consumer_id;
	struct bn_ow_dest destination;
	bool		 has_message;	/* false: null (end of a browse) */
	struct bn_ow_message message;
	int32_t		 redelivery_counter;
};

struct bn_ow_ack {
	struct bn_ow_dest destination;
	struct bn_ow_txid transaction_id;
	struct bn_ow_id	 consumer_id;
	uint8_t		 ack_type;
	struct bn_ow_message_id first_message_id, last_message_id;
	int32_t		 message_count;
	struct bn_ow_error poison_cause;
};

struct bn_ow_transaction_info {
	struct bn_ow_id	 connection_id;
	struct bn_ow_txid transaction_id;
	uint8_t		 tx_type;
};

struct bn_ow_consumer_control {
	struct bn_ow_dest destination;
	bool		 close;
	struct bn_ow_id	 consumer_id;
	int32_t		 prefetch;
	bool		 flush, start, stop;
};

struct bn_ow_destination_info {
	struct bn_ow_id	 connection_id;
	struct bn_ow_dest destination;
	uint8_t		 operation;
	int64_t		 timeout;
	struct bn_ow_idarray broker_path;
};

/* What a broker tells a client about its cluster (failover hints). */
struct bn_ow_connection_control {
	bool		 close, exit, fault_tolerant, resume, suspend;
	struct bn_ow_str connected_brokers, reconnect_to;
	bool		 rebalance;
	struct bn_ow_bytes token;
};

struct bn_ow_message_pull {
	struct bn_ow_id	 consumer_id;
	struct bn_ow_dest destination;
	int64_t		 timeout;
	struct bn_ow_str correlation_id;
	struct bn_ow_message_id message_id;
};

/* One command. type selects the member of u. */
struct bn_ow_cmd {
	uint8_t		 type;
	int32_t		 command_id;
	bool		 response_required;
	union {
		struct bn_ow_wireformat wf;
		struct bn_ow_broker_info broker;
		struct bn_ow_connection_info conn;
		struct bn_ow_id	 session_id;		/* SessionInfo */
		struct bn_ow_producer_info producer;
		struct bn_ow_consumer_info consumer;
		struct bn_ow_remove_info remove;
		struct bn_ow_remove_sub_info remove_sub;
		struct bn_ow_message msg;		/* 23..28 */
		struct bn_ow_dispatch dispatch;
		struct bn_ow_ack ack;
		struct bn_ow_transaction_info tx;
		struct {
			int32_t		 correlation_id;
			struct bn_ow_error exception;	/* Exception- only */
		} resp;				/* (Exception)Response */
		struct {
			struct bn_ow_error error;
			struct bn_ow_id connection_id;
		} conn_error;				/* ConnectionError */
		struct bn_ow_consumer_control control;
		struct bn_ow_destination_info dest;
		struct bn_ow_connection_control cc;
		struct {
			struct bn_ow_id producer_id;
			int32_t	 size;
		} producer_ack;				/* ProducerAck */
		struct bn_ow_message_pull pull;
		struct bn_ow_str control_command;	/* ControlCommand */
	} u;
};

/* The negotiated format both sides use after the WireFormatInfo exchange. */
struct bn_ow_format {
	int32_t		 version;
	bool		 stack_trace;	/* throwables carry stack traces */
	bool		 tight;		/* unsupported; must be false */
	bool		 cache;		/* unsupported; must be false */
	bool		 size_prefix_disabled;	/* unsupported; must be false */
	uint64_t	 max_frame;	/* bytes after the size prefix */
};

/* Version 12, loose, no cache, size prefix, no stack traces, 100 MiB. */
void	bn_ow_format_default(struct bn_ow_format *);

/* The name of a data structure type ("ConsumerInfo"), or "unknown". */
const char *bn_ow_type_name(int type);

/*
 * Decodes one size-prefixed command from p[0..len). OK: *cmd filled (its
 * pointers point into p), *used the frame's bytes. NEED_MORE: *used is the
 * total length needed when known (else 0). ERROR: err names the command
 * and field. A frame whose body does not end exactly at the size is an
 * error; so is a size above fmt->max_frame.
 */
enum bn_parse_result bn_ow_decode(const uint8_t *p, size_t len,
	    const struct bn_ow_format *fmt, struct bn_ow_cmd *cmd, size_t *used,
	    char *err, size_t errlen);

/*
 * Decodes a nested object kept raw (struct bn_ow_raw of a single object)
 * into *cmd; returns 0, or -1 with err set. Only the command types above.
 */
int	bn_ow_decode_nested(const struct bn_ow_raw *, const struct bn_ow_format *,
	    struct bn_ow_cmd *cmd, char *err, size_t errlen);

/*
 * Appends cmd as one size-prefixed frame to out. Returns 0, or -1 with err
 * set (a string over 65535 bytes, a type it cannot write, a frame above
 * fmt->max_frame); out is then left as it was.
 */
int	bn_ow_encode(struct bn_buf *out, const struct bn_ow_cmd *cmd,
	    const struct bn_ow_format *fmt, char *err, size_t errlen);

/*
 * The client's WireFormatInfo for fmt (magic, version, and the options
 * map: TightEncodingEnabled, CacheEnabled, SizePrefixDisabled false,
 * StackTraceEnabled, TcpNoDelayEnabled, MaxInactivityDuration (ms),
 * MaxInactivityDurationInitalDelay, MaxFrameSize). The broker neither
 * checks nor sends keep-alives during the initial delay, the lower of
 * initial_delay_ms and its own (10 s by default). Props go into *props,
 * which must outlive cmd.
 */
void	bn_ow_wireformat_build(struct bn_ow_cmd *cmd, struct bn_buf *props,
	    const struct bn_ow_format *fmt, int64_t max_inactivity_ms,
	    int64_t initial_delay_ms);

/*
 * Negotiates from the peer's WireFormatInfo: the smaller version and max
 * frame size, the AND of the booleans. Fails (-1, err) on a bad magic, a
 * version below 12, or a result this codec cannot speak (tight encoding,
 * cache, no size prefix). *out is the format for every later frame.
 */
int	bn_ow_negotiate(const struct bn_ow_format *mine,
	    const struct bn_ow_wireformat *peer, struct bn_ow_format *out,
	    char *err, size_t errlen);

/*
 * The codec's error text, "CMD.FIELD: message", into err (size errlen;
 * nothing when err is NULL); for the reader (openwire.c) and the writer
 * (owenc.c).
 */
void	bn_ow_verr(char *err, size_t errlen, const char *cmd,
	    const char *field, const char *fmt, va_list ap);

/* ---- Primitive maps (bridge/owmap.c): typed properties and map bodies */

enum {
	BN_OW_P_NULL = 0,
	BN_OW_P_BOOL = 1,
	BN_OW_P_BYTE = 2,
	BN_OW_P_CHAR = 3,
	BN_OW_P_SHORT = 4,
	BN_OW_P_INT = 5,
	BN_OW_P_LONG = 6,
	BN_OW_P_DOUBLE = 7,
	BN_OW_P_FLOAT = 8,
	BN_OW_P_STRING = 9,
	BN_OW_P_BYTES = 10,
	BN_OW_P_MAP = 11,
	BN_OW_P_LIST = 12,
	BN_OW_P_BIG_STRING = 13
};

/*
 * One value. i holds bool/byte/char/short/int/long, d a double, f a float;
 * bytes the string (modified UTF-8), byte array, or for a map/list the
 * marshalled entries after the count (count entries); walk those with
 * bn_ow_map_open_nested().
 */
struct bn_ow_prim {
	uint8_t		 type;
	int64_t		 i;
	double		 d;
	float		 f;
	struct bn_ow_bytes bytes;
	uint32_t	 count;
};

/* A cursor over a map's (or list's) entries; it points into the bytes. */
struct bn_ow_map_iter {
	const uint8_t	*p, *end;
	uint32_t	 left;
	bool		 list;	/* entries have no names */
	bool		 null;	/* the map was marshalled as null (-1) */
	int		 depth;
};

/*
 * Opens a marshalled primitive map (the int count, then entries); bytes
 * beyond the map are an error. Returns 0, or -1 with err set.
 */
int	bn_ow_map_open(struct bn_ow_map_iter *, const uint8_t *, size_t,
	    char *err, size_t errlen);
/* Opens a nested map or list value returned by bn_ow_map_next(). */
void	bn_ow_map_open_nested(const struct bn_ow_map_iter *parent,
	    const struct bn_ow_prim *, struct bn_ow_map_iter *);
/*
 * The next entry: 1 with *name (lists: null), *val and the entry's raw
 * bytes *raw (name included) for copying untouched; 0 at the end; -1 with
 * err on malformed input (every length is checked, nesting is bounded).
 */
int	bn_ow_map_next(struct bn_ow_map_iter *, struct bn_ow_str *name,
	    struct bn_ow_prim *val, struct bn_ow_bytes *raw, char *err,
	    size_t errlen);

/* Writing: begin (count placeholder), add entries, end patches the count. */
size_t	bn_ow_map_begin(struct bn_buf *);
int	bn_ow_map_put(struct bn_buf *, const char *name, size_t namelen,
	    const struct bn_ow_prim *);
/* Appends a value alone (list entries, StreamMessage bodies). */
int	bn_ow_prim_put(struct bn_buf *, const struct bn_ow_prim *);
void	bn_ow_map_put_raw(struct bn_buf *, const struct bn_ow_bytes *raw);
void	bn_ow_map_end(struct bn_buf *, size_t begin, uint32_t count);

/* Convenience constructors for a value. */
struct bn_ow_prim bn_ow_prim_int(uint8_t type, int64_t);
struct bn_ow_prim bn_ow_prim_str(const char *, size_t);

/*
 * Text between Java's modified UTF-8 (OpenWire strings, TextMessage
 * bodies: U+0000 as C0 80, characters above U+FFFF as two 3-byte
 * surrogates) and UTF-8 (STOMP), appended to out. Bytes that are neither
 * are copied unchanged.
 */
void	bn_ow_utf8_from_java(const uint8_t *, size_t, struct bn_buf *out);
void	bn_ow_utf8_to_java(const uint8_t *, size_t, struct bn_buf *out);

#endif
