/*
 * The management endpoint's own helpers (bridge/status.c); its entry
 * points bn_status_start/stop/json/metrics are declared in daemon.h.
 */
#ifndef BN_STATUS_H
#define BN_STATUS_H

struct bn_buf;

/*
 * Appends v (NULL: nothing) as a Prometheus label value, without the
 * quotes around it: '\' becomes "\\", '"' becomes "\"" and a line feed
 * "\n", as the text exposition format asks; other bytes are copied.
 */
void	bn_status_label_escape(struct bn_buf *, const char *v);

#endif /* BN_STATUS_H */
