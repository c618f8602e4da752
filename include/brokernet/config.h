/*
 * The configuration model: plain data loaded from the XML file described in
 * DESIGN.md (element and attribute names follow ActiveMQ's activemq.xml).
 * No runtime state lives here. The loader is in bridge/config.c (reading
 * the XML itself: bridge/xml.c); the helpers of endpoints and reconnect
 * policies are in bridge/endpoint.c, of failover policies in
 * bridge/failover.c (both shared with uri.c and the sessions).
 */
#ifndef BN_CONFIG_H
#define BN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* scheme://host:port; scheme is lower-case ("stomp", "tcp", "ssl", ...). */
struct bn_endpoint {
	char		*scheme;
	char		*host;		/* without brackets for IPv6 */
	uint16_t	 port;
};

/* Reconnect policy of a failover transport (ActiveMQ failover: names). */
struct bn_failover {
	struct bn_endpoint *uris;	/* in order given; >= 1 */
	size_t		 nuris;
	uint64_t	 initial_delay_ms;	/* initialReconnectDelay, 10 */
	uint64_t	 max_delay_ms;		/* maxReconnectDelay, 30000 */
	bool		 exponential;		/* useExponentialBackOff, true */
	double		 exponent;		/* reconnectDelayExponent, 2.0 */
	int64_t		 max_attempts;		/* maxReconnectAttempts, 0 =
						   forever (-1 also forever) */
	int64_t		 startup_max_attempts;	/* startupMaxReconnectAttempts,
						   0 = as max_attempts */
	bool		 randomize;		/* randomize, true */
	bool		 priority_backup;	/* priorityBackup, false */
	struct bn_endpoint *priority_uris;	/* priorityURIs; empty = the
						   first uri when
						   priorityBackup */
	size_t		 npriority;
	int64_t		 timeout_ms;		/* timeout, -1 = wait forever */
	double		 jitter;		/* jitter (brokernet), 0.0 */
};

/* Reconnect policy of static:/multicast: network connectors. */
struct bn_reconnect {
	uint64_t	 initial_delay_ms;	/* initialReconnectDelay, 1000 */
	uint64_t	 max_delay_ms;		/* maxReconnectDelay, 30000 */
	bool		 exponential;		/* useExponentialBackOff, true */
	double		 multiplier;		/* backOffMultiplier, 2.0 */
	int64_t		 max_attempts;		/* maxReconnectAttempts, 0 =
						   forever (-1 also forever) */
	double		 jitter;		/* jitter, 0.1 = +-10% */
};

enum bn_flavor {
	BN_FLAVOR_ACTIVEMQ = 0
};

/*
 * What becomes of a message the session in use cannot carry faithfully to
 * a peer (a MapMessage or typed properties for a peer on stomp://): never
 * forwarded changed, it is re-sent whole to ActiveMQ.DLQ (deadLetter) or to
 * its own destination (keep), where local consumers still get it and
 * links to such peers no longer take it (README "Broker session").
 */
enum bn_unfaithful {
	BN_UNFAITHFUL_DEAD_LETTER = 0,	/* unfaithful="deadLetter" (default) */
	BN_UNFAITHFUL_KEEP		/* unfaithful="keep" */
};

/*
 * Over a stomp:// broker session, a MESSAGE with an empty body and neither
 * content-length nor amq-msg-type: ActiveMQ's STOMP sends a Map, Object,
 * Stream or plain Message so, with no sign of its class, and an empty
 * TextMessage the same way. deadLetter: NACKed, so that ActiveMQ moves the
 * original, whole, to ActiveMQ.DLQ; forward: forwarded as an empty text.
 */
enum bn_stomp_empty {
	BN_STOMP_EMPTY_DEAD_LETTER = 0,	/* stompEmptyBody="deadLetter" */
	BN_STOMP_EMPTY_FORWARD		/* stompEmptyBody="forward" */
};

struct bn_broker_conf {
	char		*uri;		/* as written */
	struct bn_failover failover;	/* stomp://h:p -> a one-uri list */
	enum bn_flavor	 flavor;	/* flavor="activemq" (default) */
	char		*login;		/* NULL if absent */
	char		*passcode;
	uint64_t	 heartbeat_ms;	/* heartBeat, 10000; 0 = off */
	uint64_t	 receipt_window;/* receiptWindow, 1000 */
	enum bn_unfaithful unfaithful;	/* unfaithful, deadLetter */
	enum bn_stomp_empty stomp_empty;/* stompEmptyBody, deadLetter */
	int		 line;
};

/* A link listener: tcp://host:port?maximumConnections=&maxFrameSize= */
struct bn_transport_connector {
	char		*name;
	char		*uri;
	struct bn_endpoint listen;
	uint64_t	 max_connections;	/* maximumConnections, 1000 */
	uint64_t	 max_frame_size;	/* maxFrameSize, 104857600 */
	bool		 need_client_auth;	/* needClientAuth, false */
	int		 line;
};

/* One <queue physicalName="..."/> (or <topic .../>) filter entry. */
struct bn_dest_filter {
	char		*pattern;	/* ActiveMQ wildcards: . * > */
	bool		 topic;		/* <topic>; brokernet forwards queues */
	int		 line;
};

struct bn_dest_list {
	struct bn_dest_filter *items;
	size_t		 n;
};

enum bn_discovery {
	BN_DISC_STATIC = 0,	/* static:(tcp://h:p,...)?opts, or a bare
				   tcp://h:p, or masterslave:(...) */
	BN_DISC_MULTICAST	/* multicast://GROUP?opts */
};

struct bn_network_connector {
	char		*name;		/* name; unnamed ones get "NC", "NC1",
					   "NC2", ... skipping names in use */
	char		*uri;		/* as written */
	enum bn_discovery discovery;
	struct bn_endpoint *peers;	/* static: the list; dial in order */
	size_t		 npeers;
	bool		 masterslave;	/* masterslave:(...) spelling */
	char		*group;		/* multicast: the group, "default" */
	char		*interface;	/* multicast: ?interface=, or NULL */
	struct bn_reconnect reconnect;
	int64_t		 network_ttl;	/* networkTTL, 1; -1 = unlimited */
	int64_t		 message_ttl;	/* messageTTL, = networkTTL */
	int64_t		 consumer_ttl;	/* consumerTTL, = networkTTL */
	bool		 duplex;	/* duplex, false */
	bool		 dynamic_only;	/* dynamicOnly, false */
	bool		 decrease_priority; /* decreaseNetworkConsumerPriority,
					   true */
	uint64_t	 prefetch;	/* prefetchSize, 1000 (>= 1) */
	bool		 conduit;	/* conduitSubscriptions, true */
	/* durableTopicSubscriptions, true: network subscriptions to topics
	 * are durable (tsub.h) */
	bool		 durable_topics;
	char		*username;	/* userName, NULL if absent */
	char		*password;	/* password */
	uint64_t	 replay_delay_ms; /* replayDelay, 1000 */
	int		 use_compression; /* useCompression: 1, 0, or -1 when
					   not set (on for non-loopback peers) */
	struct bn_dest_list dynamic_include;	/* dynamicallyIncluded... */
	struct bn_dest_list static_include;	/* staticallyIncluded... */
	struct bn_dest_list exclude;		/* excludedDestinations */
	int		 line;
};

struct bn_auth_user {
	char		*username;
	char		*password;
	char		*groups;	/* groups="a,b" as written, NULL if
					   absent (kept, not used yet) */
	int		 line;
};

struct bn_config {
	char		*file;		/* path or the name given for strings */
	char		*name;		/* <brokernet name="A"> (required) */
	struct bn_broker_conf broker;	/* <broker> (required) */
	struct bn_transport_connector *listeners;
	size_t		 nlisteners;
	struct bn_network_connector *connectors;
	size_t		 nconnectors;
	char		*management_uri;	/* NULL when absent */
	struct bn_endpoint management;
	bool		 auth_enabled;	/* <simpleAuthenticationPlugin> seen */
	struct bn_auth_user *users;
	size_t		 nusers;
	uint64_t	 dup_window_count;	/* duplicateWindow, 100000 */
	uint64_t	 dup_window_age_ms;	/* duplicateWindowAge, 3600000 */
	/* offlineNetworkSubscriptionTimeout: how long a durable network
	 * subscription to a topic waits for its peer; 0: for ever */
	uint64_t	 tsub_offline_ms;	/* 86400000 */
	char		*state_dir;	/* dataDirectory, NULL = none */
	/* <sslContext>: PEM files for ssl:// links (NULL when absent) */
	char		*ssl_cert;	/* certificate (chain) */
	char		*ssl_key;	/* privateKey */
	char		*ssl_ca;	/* trustedCertificates: CA bundle */
	bool		 ssl_verify_host;	/* verifyHostname, true */
	int		 ssl_line;
};

/*
 * Load a config. On error returns NULL and writes "FILE:LINE: reason" into
 * err (errlen bytes). The result is freed with bn_config_free.
 */
struct bn_config *bn_config_load_file(const char *path, char *err,
	    size_t errlen);
/* Same from memory; name stands for the file name in messages. */
struct bn_config *bn_config_load_string(const char *xml, size_t len,
	    const char *name, char *err, size_t errlen);
/* Accepts NULL. */
void	 bn_config_free(struct bn_config *);

/* endpoint.c */
/* Sets every field of the struct to its ActiveMQ default. */
void	 bn_reconnect_defaults(struct bn_reconnect *);
void	 bn_endpoint_free(struct bn_endpoint *);
/* dst = a copy of src (free it with bn_endpoint_free). */
void	 bn_endpoint_copy(struct bn_endpoint *dst,
	    const struct bn_endpoint *src);
/* "scheme://host:port" ([host] for IPv6); the caller frees it. */
char	*bn_endpoint_str(const struct bn_endpoint *);
/* Over TLS: ssl:// (links, OpenWire) or stomp+ssl://. */
bool	 bn_endpoint_is_tls(const struct bn_endpoint *);
/* A broker URI that speaks OpenWire: tcp:// or ssl://. */
bool	 bn_endpoint_is_openwire(const struct bn_endpoint *);

/* failover.c */
/* Sets every field of the struct to its ActiveMQ default. */
void	 bn_failover_defaults(struct bn_failover *);
void	 bn_failover_free(struct bn_failover *);
/* dst = a deep copy of src (free it with bn_failover_free). */
void	 bn_failover_copy(struct bn_failover *dst,
	    const struct bn_failover *src);
/* Fills order (room for fo->nuris) with the uri indexes of one failover
 * cycle: priority URIs first, the rest shuffled if randomize; returns how
 * many. */
size_t	 bn_failover_plan(const struct bn_failover *, size_t *order);

#endif /* BN_CONFIG_H */
