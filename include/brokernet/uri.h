/*
 * Parsing of the URIs users write in the config: endpoints, failover:,
 * static:, masterslave:, multicast:, listener URIs with options. Pure.
 * Every function returns 0 on success, -1 on error with a one-line reason
 * (without file:line) in err. Option names are matched case-sensitively,
 * as ActiveMQ does; an unknown option is an error naming the known ones.
 */
#ifndef BN_URI_H
#define BN_URI_H

#include <stddef.h>

struct bn_endpoint;
struct bn_failover;
struct bn_network_connector;
struct bn_transport_connector;

/* "scheme://host:port" (no path, no query); IPv6 as [::1]. */
int	bn_endpoint_parse(const char *, struct bn_endpoint *, char *err,
	    size_t errlen);
/*
 * "failover:(u1,u2)?opts", "failover:u1", or a plain "stomp://h:p" (a
 * one-element list). Fills f (defaults first). Schemes allowed: stomp, tcp.
 */
int	bn_failover_parse(const char *, struct bn_failover *, char *err,
	    size_t errlen);
/*
 * A networkConnector uri: "static:(tcp://h:p,...)?opts", "static:tcp://h:p",
 * "masterslave:(...)", "multicast://GROUP?opts". Sets discovery, peers,
 * group, interface and the reconnect options of nc.
 */
int	bn_connector_uri_parse(const char *, struct bn_network_connector *nc,
	    char *err, size_t errlen);
/* A transportConnector uri: "tcp://host:port?maximumConnections=N&..." */
int	bn_listener_uri_parse(const char *, struct bn_transport_connector *,
	    char *err, size_t errlen);

#endif /* BN_URI_H */
