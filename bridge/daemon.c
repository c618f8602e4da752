/*
 * The daemon: two STOMP sessions to the local broker (one consumes
 * advisories and network subscriptions, one stores messages that arrive
 * over links), the local demand learned from consumer advisories, the
 * role (one active sidecar per broker, any number of standbys: the lock
 * is lock.c, on the store session), and the graceful stop.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "brokernet/advisory.h"
#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/dial.h"
#include "brokernet/durables.h"
#include "brokernet/filter.h"
#include "brokernet/forward.h"
#include "brokernet/fwdpace.h"
#include "brokernet/link.h"
#include "brokernet/listen.h"
#include "brokernet/lock.h"
#include "brokernet/log.h"
#include "brokernet/pace.h"
#include "brokernet/preflight.h"
#include "brokernet/receive.h"
#include "brokernet/router.h"
#include "brokernet/status.h"
#include "brokernet/stomp.h"
#include "brokernet/tls.h"
#include "brokernet/tsub.h"

#define ADVISORY_SUB_ID		"adv"
/* queue and topic consumers (topic.h names the topics' demand) */
#define ADVISORY_TOPIC	"/topic/ActiveMQ.Advisory.Consumer.>"
#define STOP_GRACE_MS		5000
/*
 * A suspended sidecar whose store session is back and that does not hold
 * the lock again within this is a standby: another sidecar took over.
 */
#define LOCK_WAIT_MS		2000

/* Every role change is logged once, with its reason. */
static void
daemon_set_role(struct bn_daemon *d, enum bn_role r, const char *why)
{
	if (d->role == r)
		return;
	log_info("role: %s -> %s: %s", bn_lock_role_name(d->role),
	    bn_lock_role_name(r), why);
	d->role = r;
	d->role_since_ms = bn_wall_ms();
	free(d->role_reason);
	d->role_reason = xstrdup(why);
	d->role_changes++;
}

static struct bn_stomp *daemon_broker_session(struct bn_daemon *,
		    const char *, const struct bn_stomp_cbs *, const char *);

/* Durable subscriptions read back from the broker are demand again. */
static void
daemon_durables_changed(const struct bn_buf *changed, void *arg)
{
	bn_router_queues_changed(arg, changed);
}

static bool
daemon_is_own(struct bn_daemon *d, const char *connection_id)
{
	size_t	i;

	for (i = 0; i < sizeof(d->own_sessions) / sizeof(d->own_sessions[0]);
	    i++)
		if (d->own_sessions[i] != NULL &&
		    strcmp(d->own_sessions[i], connection_id) == 0)
			return true;
	return false;
}

static void
daemon_remember_session(struct bn_daemon *d, const char *session)
{
	size_t	n = sizeof(d->own_sessions) / sizeof(d->own_sessions[0]);

	free(d->own_sessions[n - 1]);
	memmove(&d->own_sessions[1], &d->own_sessions[0],
	    (n - 1) * sizeof(d->own_sessions[0]));
	d->own_sessions[0] = xstrdup(session);
}

/* One consumer advisory: count consumers that are not ours, by id. */
static void
daemon_on_advisory(struct bn_daemon *d, struct bn_frame *f)
{
	struct bn_advisory	 adv;
	struct bn_buf		 changed = { 0 };
	const char		*err;
	char			*q;
	uint32_t		 n;

	d->c.advisories++;
	if (bn_advisory_parse(f->body, f->body_len, &adv, &err) == -1) {
		log_warnx("broker: ignoring advisory %s: %s",
		    bn_frame_get(f, "message-id") ? bn_frame_get(f,
		    "message-id") : "?", err);
		return;
	}
	if (daemon_is_own(d, adv.connection_id))
		return;
	/* durable topic subscriptions stay demand while offline */
	if (bn_durables_advisory(d->durables, &adv, bn_advisory_topic_of(
	    bn_frame_get(f, "destination")), &changed)) {
		bn_router_queues_changed(d, &changed);
		bn_buf_free(&changed);
		return;
	}
	if (adv.kind == BN_ADV_ADD) {
		/*
		 * Another sidecar's network subscription (a standby's
		 * predecessor, or another network on this broker) and our
		 * private queues are never local demand.
		 */
		if (adv.network || strncmp(adv.destination, BN_PRIVATE_PREFIX,
		    strlen(BN_PRIVATE_PREFIX)) == 0)
			return;
		if (adv.demand[0] == '\0' || adv.browser ||
		    bn_hmap_get(&d->consumers, adv.consumer_id) != NULL)
			return;
		bn_hmap_put(&d->consumers, adv.consumer_id,
		    xstrdup(adv.demand));
		n = bn_demand_local_add(&d->demand, adv.demand, 1);
		log_debug("demand: %s: local consumer added (%u)",
		    adv.demand, n);
		if (n == 1) {
			log_info("demand: %s has local consumers",
			    adv.demand);
			bn_router_queue_changed(d, adv.demand);
		}
		return;
	}
	if ((q = bn_hmap_del(&d->consumers, adv.consumer_id)) == NULL)
		return;
	n = bn_demand_local_add(&d->demand, q, -1);
	log_debug("demand: %s: local consumer removed (%u)", q, n);
	if (n == 0) {
		log_info("demand: %s has no local consumers", q);
		bn_router_queue_changed(d, q);
	}
	free(q);
}

static void
daemon_clear_consumers(struct bn_daemon *d)
{
	struct bn_buf		 changed = { 0 };

	bn_hmap_clear_free(&d->consumers);
	bn_hmap_init(&d->consumers);
	bn_demand_local_clear(&d->demand, &changed);
	bn_router_queues_changed(d, &changed);
	bn_buf_free(&changed);
}

/*
 * The active sidecar learns demand from the consumer advisories. They are
 * read on the store session, not beside the network subscriptions: a
 * freshly started broker's first advisory conversion (XStream) holds up
 * its connection's dispatch for 0.3-0.4 s (measured), which after a
 * master/slave failover delayed the first forwarded message by as much.
 * Demand counts while both sessions are up: the consumer session's loss
 * withdraws it, and its return replays it.
 */
static void
daemon_adv_subscribe(struct bn_daemon *d)
{
	struct bn_header	 h[] = {
		{ "transformation", "jms-advisory-json" },
	};

	if (!d->broker_up || d->adv_subscribed || d->role != BN_ROLE_ACTIVE ||
	    !bn_stomp_connected(d->prod))
		return;
	/* The broker replays one ConsumerInfo per existing consumer. */
	if (bn_stomp_subscribe(d->prod, ADVISORY_SUB_ID, ADVISORY_TOPIC,
	    "auto", h, sizeof(h) / sizeof(h[0])) == 0)
		d->adv_subscribed = true;
}

/* Demand stops counting (a session went): withdrawn from peers. */
static void
daemon_adv_drop(struct bn_daemon *d)
{
	if (d->adv_subscribed && bn_stomp_connected(d->prod))
		bn_stomp_unsubscribe(d->prod, ADVISORY_SUB_ID);
	d->adv_subscribed = false;
	daemon_clear_consumers(d);
}

static void
daemon_cons_connected(struct bn_stomp *s, void *arg)
{
	struct bn_daemon	*d = arg;

	d->broker_up = true;
	d->broker_gen++;
	d->c.broker_connects++;
	daemon_remember_session(d, bn_stomp_session(s));
	if (d->role != BN_ROLE_ACTIVE)
		return;
	if (!d->stopping)
		bn_fwd_resubscribe_all(d);
	daemon_adv_subscribe(d);
}

static void
daemon_cons_disconnected(struct bn_stomp *s, const char *reason, void *arg)
{
	struct bn_daemon	*d = arg;

	d->broker_up = false;
	log_warnx("broker: session lost (%s); withdrawing demand from peers",
	    reason);
	bn_fwd_broker_lost(d);
	daemon_adv_drop(d);
}

static void
daemon_cons_message(struct bn_stomp *s, struct bn_frame *f, void *arg)
{
	bn_fwd_on_broker_message(arg, f);
}

static void
daemon_giveup(struct bn_stomp *s, void *arg)
{
	struct bn_daemon	*d = arg;

	log_warnx("broker: no more reconnect attempts; stopping");
	d->exit_code = 1;
	bn_daemon_stop(d);
}

static void
daemon_prod_writable(struct bn_stomp *s, void *arg)
{
	bn_link_pause(arg, BN_LINK_PAUSE_STORE, false);
}

/* The consumer session: network subscriptions, the active sidecar's. */
static void
daemon_cons_open(struct bn_daemon *d)
{
	struct bn_stomp_cbs	 cc;

	memset(&cc, 0, sizeof(cc));
	cc.connected = daemon_cons_connected;
	cc.disconnected = daemon_cons_disconnected;
	cc.message = daemon_cons_message;
	cc.giveup = daemon_giveup;
	d->cons = daemon_broker_session(d, "broker", &cc, d->client_id);
	bn_tsub_consumer(d->tsub, d->cons);
	bn_stomp_start(d->cons);
}

/*
 * Closes it at once: its network subscriptions end with it, and its
 * client id is free for the sidecar that takes the lock next.
 */
static void
daemon_cons_close(struct bn_daemon *d, const char *why)
{
	struct bn_stomp	*cons = d->cons;

	if (cons == NULL)
		return;
	if (d->broker_up)
		daemon_cons_disconnected(cons, why, d);
	d->cons = NULL;
	bn_tsub_consumer(d->tsub, NULL);
	bn_stomp_free(cons);
}

/* The lock is ours: become (again) the active sidecar. */
static void
daemon_lock_acquired(void *arg)
{
	struct bn_daemon	*d = arg;
	enum bn_role		 was = d->role;

	if (d->stopping)
		return;
	evtimer_del(d->lock_wait_ev);
	daemon_set_role(d, BN_ROLE_ACTIVE, was == BN_ROLE_SUSPENDED ?
	    "holds the lock again after its broker session came back" :
	    "took the lock on the broker");
	/* First the duplicate window, from the broker's markers. */
	bn_recv_store_connected(d);
	bn_tsub_connected(d->tsub, d->prod);
	bn_durables_connected(d->durables, d->prod);
	if (was == BN_ROLE_STANDBY) {
		if (bn_listen_start(d) == -1 || bn_dial_all(d) == -1) {
			log_warnx("role: cannot start listeners or connectors;"
			    " stopping");
			d->exit_code = 1;
			bn_daemon_stop(d);
			return;
		}
	}
	/*
	 * The consumer session (with the sidecar's client id, which its
	 * durable subscriptions belong to) is the active sidecar's only: its
	 * connected callback subscribes.
	 */
	if (d->cons == NULL) {
		daemon_cons_open(d);
		return;
	}
	if (d->broker_up && !d->stopping)
		bn_fwd_resubscribe_all(d);
	daemon_adv_subscribe(d);
}

static const struct bn_lock_ops daemon_lock_ops = {
	.acquired = daemon_lock_acquired,
};

/* Links, listeners and dialers go: another sidecar is active. */
static void
daemon_lock_wait_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_daemon	*d = arg;

	if (d->role != BN_ROLE_SUSPENDED || d->stopping)
		return;
	daemon_set_role(d, BN_ROLE_STANDBY, "another sidecar holds the lock");
	bn_recv_abandon(d);
	bn_tsub_lost(d->tsub);
	bn_durables_lost(d->durables);
	bn_dial_stop_all(d);
	bn_link_shutdown_all(d, "sidecar became a standby");
	bn_dial_free_all(d);
	bn_listen_stop(d);
}

static void
daemon_prod_message(struct bn_stomp *s, struct bn_frame *f, void *arg)
{
	struct bn_daemon	*d = arg;
	const char		*sub = bn_frame_get(f, "subscription");

	/* the preflight probes the advisories where they are read */
	if (bn_preflight_on_message(d->pf, f))
		return;
	if (bn_lock_is_theirs(f))
		bn_lock_on_message(d->lock, f);
	else if (bn_tsub_is_theirs(d->tsub, f))
		bn_tsub_on_message(d->tsub, f);
	else if (bn_durables_is_theirs(d->durables, f))
		bn_durables_on_message(d->durables, f);
	else if (sub != NULL && strcmp(sub, ADVISORY_SUB_ID) == 0)
		daemon_on_advisory(d, f);
	else {
		bn_recv_on_store_message(d, f);
		return;		/* it takes the frame */
	}
	bn_frame_free(f);
}

/*
 * The store session is gone, and the lock with it: an active sidecar stops
 * forwarding at once (its network subscriptions go with a new consumer
 * session), before any other sidecar can take the lock.
 */
static void
daemon_prod_disconnected(struct bn_stomp *s, const char *reason, void *arg)
{
	struct bn_daemon	*d = arg;

	bn_preflight_disconnected(d->pf);
	bn_lock_lost(d->lock);
	bn_recv_store_lost(d);
	bn_tsub_lost(d->tsub);
	bn_durables_lost(d->durables);
	/* its advisory subscription went with it */
	d->adv_subscribed = false;
	daemon_clear_consumers(d);
	if (d->role != BN_ROLE_ACTIVE)
		return;
	daemon_set_role(d, BN_ROLE_SUSPENDED, "store session lost; forwarding"
	    " stops until it holds the lock again");
	daemon_cons_close(d, "store session lost");
}

static void
daemon_prod_connected(struct bn_stomp *s, void *arg)
{
	struct bn_daemon	*d = arg;
	struct timeval		 tv = { LOCK_WAIT_MS / 1000,
				    (LOCK_WAIT_MS % 1000) * 1000 };

	daemon_remember_session(d, bn_stomp_session(s));
	bn_preflight_connected(d->pf, s, bn_stomp_current_uri(s));
	bn_lock_connected(d->lock, s);
	if (d->role == BN_ROLE_SUSPENDED)
		evtimer_add(d->lock_wait_ev, &tv);
}

struct bn_daemon *
bn_daemon_new(struct event_base *base, struct bn_config *cfg)
{
	struct bn_daemon	*d;

	d = xcalloc(1, sizeof(*d));
	d->link_ops = &bn_router_link_ops;
	d->base = base;
	d->cfg = cfg;
	d->self = cfg->name;
	bn_demand_init(&d->demand);
	bn_dedup_init(&d->dedup, (size_t)cfg->dup_window_count,
	    cfg->dup_window_age_ms);
	bn_hmap_init(&d->consumers);
	bn_hmap_init(&d->subs_by_id);
	/* pacing's reports and timer go up to forwarding (pace.h) */
	bn_pace_init(d, &bn_fwdpace_ops);
	bn_recv_init(d);
	xasprintf(&d->lock_queue, "/queue/%s%s", BN_LOCK_PREFIX, d->self);
	d->lock = bn_lock_new(d->lock_queue, d->boot_id, &daemon_lock_ops, d);
	d->role = BN_ROLE_STANDBY;
	d->role_since_ms = bn_wall_ms();
	d->role_reason = xstrdup("starting: waiting for the lock on the"
	    " broker");
	if ((d->lock_wait_ev = evtimer_new(base, daemon_lock_wait_cb,
	    d)) == NULL)
		fatalx("daemon: cannot create the lock timer");
	TAILQ_INIT(&d->links);
	TAILQ_INIT(&d->dead_links);
	TAILQ_INIT(&d->dialers);
	TAILQ_INIT(&d->mcasts);
	d->next_link_id = 1;
	d->next_sub = 1;
	d->started_ms = bn_now_ms();
	d->pf = bn_preflight_new(base, cfg->name);
	/* the standbys share it: the durable subscriptions are resumed */
	xasprintf(&d->client_id, "%s%s", BN_PRIVATE_PREFIX, d->self);
	xasprintf(&d->tsub_queue, "/queue/%stopicsubs.%s", BN_PRIVATE_PREFIX,
	    d->self);
	d->tsub = bn_tsub_new(base, d->tsub_queue, d->boot_id,
	    cfg->tsub_offline_ms);
	xasprintf(&d->durables_queue, "/queue/%sdurables.%s",
	    BN_PRIVATE_PREFIX, d->self);
	d->durables = bn_durables_new(d->durables_queue, d->boot_id,
	    &d->demand, daemon_durables_changed, d);
	return d;
}

static struct bn_stomp *
daemon_broker_session(struct bn_daemon *d, const char *name,
    const struct bn_stomp_cbs *cbs, const char *client_id)
{
	struct bn_stomp_opts	o;

	memset(&o, 0, sizeof(o));
	o.name = name;
	o.failover = &d->cfg->broker.failover;
	o.login = d->cfg->broker.login;
	o.passcode = d->cfg->broker.passcode;
	o.client_id = client_id;
	o.self = d->self;
	o.tls = d->broker_tls;
	o.tls_verify_host = d->cfg->ssl_verify_host;
	o.heartbeat_ms = d->cfg->broker.heartbeat_ms;
	o.receipt_window = d->cfg->broker.receipt_window;
	o.flag_empty = d->cfg->broker.stomp_empty ==
	    BN_STOMP_EMPTY_DEAD_LETTER;
	return bn_stomp_new(d->base, &o, cbs, d);
}

/* Sections that the running daemon cannot change without a restart. */
static void
daemon_reload_warn(const struct bn_config *o, const struct bn_config *n)
{
	size_t	i;
	bool	lst = o->nlisteners != n->nlisteners;

	for (i = 0; !lst && i < o->nlisteners; i++)
		lst = strcmp(o->listeners[i].uri, n->listeners[i].uri) != 0;
	if (strcmp(o->name, n->name) != 0)
		log_warnx("reload: the broker name changed; restart to apply");
	if (strcmp(o->broker.uri, n->broker.uri) != 0 ||
	    (o->broker.login == NULL) != (n->broker.login == NULL) ||
	    (o->broker.login && strcmp(o->broker.login, n->broker.login)) ||
	    o->broker.stomp_empty != n->broker.stomp_empty)
		log_warnx("reload: <broker> changed; restart to apply");
	if (lst)
		log_warnx("reload: <transportConnectors> changed; restart to"
		    " apply");
	if ((o->management_uri == NULL) != (n->management_uri == NULL) ||
	    (o->management_uri && strcmp(o->management_uri,
	    n->management_uri) != 0))
		log_warnx("reload: <management> changed; restart to apply");
}

/* SIGHUP: network connectors and users take effect; the rest waits. */
static void
daemon_reload(struct bn_daemon *d)
{
	struct bn_config	*n;
	char			 err[1024];

	log_info("SIGHUP: reloading %s", d->cfg->file);
	if ((n = bn_config_load_file(d->cfg->file, err, sizeof(err))) ==
	    NULL) {
		log_warnx("reload: %s; keeping the running configuration",
		    err);
		return;
	}
	daemon_reload_warn(d->cfg, n);
	bn_dial_reconfigure(d, n);
	/* A standby takes the new connectors but dials nothing. */
	if (d->role == BN_ROLE_STANDBY)
		bn_dial_free_all(d);
	bn_config_free(n);
}

static void
daemon_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct bn_daemon	*d = arg;

	if (sig == SIGHUP) {
		daemon_reload(d);
		return;
	}
	log_info("signal %d: stopping", (int)sig);
	bn_daemon_stop(d);
}

int
bn_daemon_start(struct bn_daemon *d)
{
	struct bn_stomp_cbs	 pc;
	int			 sigs[] = { SIGTERM, SIGINT, SIGHUP };
	char			 err[512];
	size_t			 i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		d->sigs[i] = evsignal_new(d->base, sigs[i], daemon_signal_cb,
		    d);
		evsignal_add(d->sigs[i], NULL);
	}
	if (d->cfg->state_dir != NULL)
		log_info("dataDirectory %s is not needed: the duplicate window"
		    " is kept on the broker (commit markers); nothing is"
		    " written there", d->cfg->state_dir);
	if (bn_status_start(d) == -1)
		return -1;
	for (i = 0; i < d->cfg->broker.failover.nuris; i++)
		if (bn_endpoint_is_tls(&d->cfg->broker.failover.uris[i]) &&
		    d->broker_tls == NULL &&
		    (d->broker_tls = bn_tls_client_ctx(d->cfg, err,
		    sizeof(err))) == NULL) {
			log_warnx("broker %s: %s", d->cfg->broker.uri, err);
			return -1;
		}
	/* Listeners and dialers start when this sidecar takes the lock. */
	memset(&pc, 0, sizeof(pc));
	pc.connected = daemon_prod_connected;
	pc.message = daemon_prod_message;
	pc.disconnected = daemon_prod_disconnected;
	pc.writable = daemon_prod_writable;
	pc.giveup = daemon_giveup;
	d->prod = daemon_broker_session(d, "broker-store", &pc, NULL);
	bn_stomp_set_doubt_cb(d->prod, bn_recv_doubt);
	bn_stomp_start(d->prod);
	bn_fwd_start(d);
	log_info("brokernetd %s: broker %s, %zu listener(s), %zu connector(s)",
	    d->self, d->cfg->broker.uri, d->cfg->nlisteners,
	    d->cfg->nconnectors);
	return 0;
}

static void
daemon_stopped(struct bn_stomp *s, void *arg)
{
	struct bn_daemon	*d = arg;

	if ((s == d->cons || s == d->prod) &&
	    (d->cons == NULL || !bn_stomp_connected(d->cons)) &&
	    (d->prod == NULL || !bn_stomp_connected(d->prod)))
		event_base_loopexit(d->base, NULL);
}

/* Waits (bounded) for in-flight messages both ways, then closes all. */
static void
daemon_stop_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_daemon	*d = arg;
	uint64_t		 out = bn_fwd_total_inflight(d);
	uint64_t		 in = bn_stomp_inflight(d->prod);
	struct timeval		 tv = { 0, 50000 };

	if ((out > 0 || in > 0) && bn_now_ms() < d->stop_deadline) {
		evtimer_add(d->stop_timer, &tv);
		return;
	}
	if (out > 0 || in > 0)
		log_warnx("stop: %llu sent and %llu received messages still"
		    " unconfirmed; the brokers will redeliver them",
		    (unsigned long long)out, (unsigned long long)in);
	bn_dial_stop_all(d);
	bn_link_shutdown_all(d, "sidecar stopping");
	bn_status_stop(d);
	if (d->cons != NULL)
		bn_stomp_disconnect(d->cons, 2000, daemon_stopped, d);
	bn_stomp_disconnect(d->prod, 2000, daemon_stopped, d);
}

void
bn_daemon_stop(struct bn_daemon *d)
{
	struct timeval	tv = { 0, 0 };

	if (d->stopping)
		return;
	d->stopping = true;
	d->stop_deadline = bn_now_ms() + STOP_GRACE_MS;
	bn_fwd_quiesce(d);
	d->stop_timer = evtimer_new(d->base, daemon_stop_tick, d);
	evtimer_add(d->stop_timer, &tv);
}

void
bn_daemon_free(struct bn_daemon *d)
{
	size_t			 i;

	if (d == NULL)
		return;
	bn_dial_stop_all(d);
	bn_link_shutdown_all(d, "sidecar exiting");
	bn_link_reap(d);
	if (d->link_reap_ev != NULL)
		event_free(d->link_reap_ev);
	bn_dial_free_all(d);
	bn_listen_stop(d);
	bn_status_stop(d);
	bn_stomp_free(d->cons);
	bn_stomp_free(d->prod);
	bn_tsub_free(d->tsub);
	bn_durables_free(d->durables);
	free(d->durables_queue);
	free(d->client_id);
	bn_tls_ctx_free(d->broker_tls);
	bn_preflight_free(d->pf);
	bn_hmap_clear_free(&d->consumers);
	bn_hmap_clear(&d->subs_by_id);
	bn_recv_free(d);
	bn_pace_free(d);
	bn_lock_free(d->lock);
	free(d->lock_queue);
	free(d->tsub_queue);
	free(d->role_reason);
	if (d->lock_wait_ev != NULL)
		event_free(d->lock_wait_ev);
	bn_demand_free(&d->demand);
	bn_dedup_free(&d->dedup);
	for (i = 0; i < sizeof(d->own_sessions) / sizeof(d->own_sessions[0]);
	    i++)
		free(d->own_sessions[i]);
	for (i = 0; i < sizeof(d->sigs) / sizeof(d->sigs[0]); i++)
		if (d->sigs[i] != NULL)
			event_free(d->sigs[i]);
	if (d->stop_timer != NULL)
		event_free(d->stop_timer);
	if (d->replay_timer != NULL)
		event_free(d->replay_timer);

	free(d);
}
