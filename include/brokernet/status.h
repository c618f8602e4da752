/*
 * The management endpoint (bridge/status.c): /status (JSON), /metrics
 * (Prometheus text) and the topology page, served over HTTP. /status is
 * one jansson document made with jsonout.h; the modules that own a part of
 * it hand that part over as a json_t (bn_preflight_status,
 * bn_topic_status, bn_mdns_status).
 */
#ifndef BN_STATUS_H
#define BN_STATUS_H

struct bn_buf;
struct bn_daemon;

/* Starts the HTTP server of <management>, if configured (0 when not);
 * -1 (logged) when it cannot listen. */
int	 bn_status_start(struct bn_daemon *);
/* Stops the HTTP server, if any. */
void	 bn_status_stop(struct bn_daemon *);
/* Appends the /status document (JSON) to the buffer. */
void	 bn_status_json(struct bn_daemon *, struct bn_buf *);
/* Appends the /metrics text (Prometheus exposition format). */
void	 bn_status_metrics(struct bn_daemon *, struct bn_buf *);

/*
 * Appends v (NULL: nothing) as a Prometheus label value, without the
 * quotes around it: '\' becomes "\\", '"' becomes "\"" and a line feed
 * "\n", as the text exposition format asks; other bytes are copied.
 */
void	bn_status_label_escape(struct bn_buf *, const char *v);

#endif /* BN_STATUS_H */
