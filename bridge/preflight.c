/*
 * Broker preflight (see include/brokernet/preflight.h): a probe consumer
 * whose advisory must come back, a one-line diagnosis with its fix, a
 * back-off between failed checks, and the "preflight" object of /status.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <jansson.h>

#include "brokernet/advisory.h"
#include "brokernet/backoff.h"
#include "brokernet/frame.h"
#include "brokernet/jsonout.h"
#include "brokernet/log.h"
#include "brokernet/preflight.h"
#include "brokernet/stomp.h"
#include "brokernet/util.h"

#define PF_ADV_TOPIC	"/topic/ActiveMQ.Advisory.Consumer.Queue."
#define PF_JSON		"jms-advisory-json"
/*
 * Sessions in a row closed at the SUBSCRIBE before the cause is named: one
 * may be a broker that went away (or our own reconnect) at that moment.
 */
#define PF_DROPS	2

enum pf_state {
	PF_WAITING = 0,		/* no broker session */
	PF_PROBING,		/* probe sent, advisory awaited */
	PF_OK,			/* the probe's advisory arrived */
	PF_FAILED		/* a check failed; another one is due */
};

struct bn_preflight {
	const struct bn_preflight_ops *ops;
	void			*arg;
	char			*queue;		/* brokernet.preflight.NAME */
	char			*adv_dest;	/* its advisory topic */
	char			*probe_dest;	/* /queue/... */
	char			*uri;		/* broker, for log lines */
	enum pf_state		 state;
	enum bn_preflight_problem problem;	/* of the last result */
	enum bn_preflight_problem logged;	/* last one logged */
	char			*detail;	/* broker's ERROR message */
	bool			 ever_ok;
	int			 receipts_due;	/* SUBSCRIBEs not answered */
	bool			 dropped;	/* lost before its receipt */
	int			 drops;		/* ... sessions in a row */
	bool			 subscribed;	/* probe subscriptions open */
	struct bn_backoff	 backoff;
	uint64_t		 checks;
	uint64_t		 failures;
	uint64_t		 last_ms;	/* wall clock of last result */
	uint64_t		 retry_ms;	/* delay of the pending retry */

	/* the libevent/bn_stomp ops of bn_preflight_new */
	struct event_base	*base;
	struct event		*timer;
	struct bn_stomp		*stomp;
};

static const struct {
	enum bn_preflight_problem	 p;
	const char			*text;
	const char			*fix;
} pf_texts[] = {
	{ BN_PF_DROPPED,
	    "broker dropped the advisory subscription (no ERROR frame): it"
	    " cannot turn advisories into JSON for STOMP",
	    "install libxstream-java and libjettison-java and link"
	    " /usr/share/java/xstream.jar, jettison.jar and xpp3.jar into"
	    " the broker's lib/, or use the upstream ActiveMQ tarball"
	    " (lib/optional has them); then restart the broker" },
	{ BN_PF_REFUSED,
	    "broker refused the advisory subscription or the probe consumer",
	    "grant this login read and admin on topic ActiveMQ.Advisory.>"
	    " and on queue brokernet.preflight.> (authorizationPlugin)" },
	{ BN_PF_NO_RECEIPT,
	    "broker did not answer the advisory subscription in time",
	    "check the broker's log and load; the check is retried" },
	{ BN_PF_NO_ADVISORY,
	    "broker sent no consumer advisory for a probe consumer",
	    "set advisorySupport=\"true\" (the default) on <broker> in"
	    " activemq.xml and restart the broker" },
	{ BN_PF_BAD_ADVISORY,
	    "broker sent a consumer advisory brokernet cannot read",
	    "use ActiveMQ Classic 5.x with transformation jms-advisory-json;"
	    " report the broker version" },
};

/* The row of pf_texts for p, or -1 (BN_PF_NONE). */
static int
pf_text_row(enum bn_preflight_problem p)
{
	size_t	i;

	for (i = 0; i < sizeof(pf_texts) / sizeof(pf_texts[0]); i++)
		if (pf_texts[i].p == p)
			return (int)i;
	return -1;
}

const char *
bn_preflight_problem_text(enum bn_preflight_problem p)
{
	int	i = pf_text_row(p);

	return i < 0 ? NULL : pf_texts[i].text;
}

const char *
bn_preflight_fix_text(enum bn_preflight_problem p)
{
	int	i = pf_text_row(p);

	return i < 0 ? NULL : pf_texts[i].fix;
}

static double
pf_rand01(void)
{
	return (double)(arc4random() & 0xffffff) / (double)0x1000000;
}

struct bn_preflight *
bn_preflight_new_ops(const char *name, const struct bn_preflight_ops *ops,
    void *arg)
{
	struct bn_preflight	*pf;

	pf = xcalloc(1, sizeof(*pf));
	pf->ops = ops;
	pf->arg = arg != NULL ? arg : pf;
	xasprintf(&pf->queue, "%s%s", BN_PREFLIGHT_PREFIX, name);
	xasprintf(&pf->adv_dest, "%s%s", PF_ADV_TOPIC, pf->queue);
	xasprintf(&pf->probe_dest, "/queue/%s", pf->queue);
	bn_backoff_init(&pf->backoff, BN_PREFLIGHT_BACKOFF_MS,
	    BN_PREFLIGHT_BACKOFF_MAX_MS, true, 2.0, 0.1, 0);
	return pf;
}

void
bn_preflight_free(struct bn_preflight *pf)
{
	if (pf == NULL)
		return;
	if (pf->timer != NULL)
		event_free(pf->timer);
	free(pf->queue);
	free(pf->adv_dest);
	free(pf->probe_dest);
	free(pf->uri);
	free(pf->detail);
	free(pf);
}

static void
pf_close_probe(struct bn_preflight *pf)
{
	if (!pf->subscribed)
		return;
	pf->subscribed = false;
	pf->ops->unsubscribe(pf->arg, BN_PREFLIGHT_ADV_ID);
	pf->ops->unsubscribe(pf->arg, BN_PREFLIGHT_PROBE_ID);
}

static void
pf_probe(struct bn_preflight *pf)
{
	pf->state = PF_PROBING;
	pf->checks++;
	pf->dropped = false;
	pf->receipts_due = 2;
	pf->subscribed = true;
	pf->ops->arm(pf->arg, BN_PREFLIGHT_TIMEOUT_MS);
	/*
	 * The probe consumer follows at once, no round trip in between; it
	 * has a receipt too, so that a login not allowed to read the probe
	 * queue is told apart from a broker without advisories.
	 */
	if (pf->ops->subscribe(pf->arg, BN_PREFLIGHT_ADV_ID, pf->adv_dest,
	    PF_JSON, true) == -1 || pf->ops->subscribe(pf->arg,
	    BN_PREFLIGHT_PROBE_ID, pf->probe_dest, NULL, true) == -1)
		log_debug("preflight: %s: probe not sent", pf->uri);
}

/*
 * A check failed: say so once per kind of problem (a repeat goes to the
 * debug log), then retry after the back-off: on this session when it is
 * still up, else by holding the reconnect.
 */
static void
pf_fail(struct bn_preflight *pf, enum bn_preflight_problem p,
    bool session_up)
{
	int64_t	delay;

	pf->state = PF_FAILED;
	pf->problem = p;
	pf->failures++;
	pf->last_ms = bn_wall_ms();
	delay = bn_backoff_next(&pf->backoff, pf_rand01());
	pf->retry_ms = delay < 0 ? BN_PREFLIGHT_BACKOFF_MAX_MS :
	    (uint64_t)delay;
	if (pf->logged != p) {
		log_warnx("preflight: %s: %s%s%s; fix: %s (retrying with"
		    " back-off)", pf->uri ? pf->uri : "?",
		    bn_preflight_problem_text(p), pf->detail ? ": " : "",
		    pf->detail ? pf->detail : "", bn_preflight_fix_text(p));
		pf->logged = p;
	} else
		log_debug("preflight: %s: still %s; next check in"
		    " %llu ms", pf->uri ? pf->uri : "?",
		    bn_preflight_problem_text(p),
		    (unsigned long long)pf->retry_ms);
	if (session_up) {
		pf_close_probe(pf);
		pf->ops->arm(pf->arg, pf->retry_ms);
	} else {
		pf->subscribed = false;
		pf->ops->hold(pf->arg, pf->retry_ms);
	}
}

static void
pf_pass(struct bn_preflight *pf)
{
	pf->ops->arm(pf->arg, 0);
	pf_close_probe(pf);
	if (pf->problem != BN_PF_NONE)
		log_info("preflight: %s: consumer advisories arrive now;"
		    " the earlier problem is gone",
		    pf->uri ? pf->uri : "?");
	else if (!pf->ever_ok)
		log_info("preflight: %s: consumer advisories in JSON"
		    " arrive", pf->uri ? pf->uri : "?");
	pf->state = PF_OK;
	pf->problem = BN_PF_NONE;
	pf->logged = BN_PF_NONE;
	pf->ever_ok = true;
	pf->last_ms = bn_wall_ms();
	pf->retry_ms = 0;
	free(pf->detail);
	pf->detail = NULL;
	bn_backoff_reset(&pf->backoff);
}

void
bn_preflight_sub_result(struct bn_preflight *pf, bool ok,
    const char *error_msg)
{
	if (pf->state != PF_PROBING || pf->receipts_due == 0)
		return;
	pf->receipts_due--;
	if (ok) {
		if (pf->receipts_due == 0)
			pf->drops = 0;
		return;
	}
	if (error_msg == NULL) {
		/* decided in bn_preflight_disconnected, which follows */
		pf->dropped = true;
		return;
	}
	free(pf->detail);
	pf->detail = xstrdup(error_msg);
	pf->ops->arm(pf->arg, 0);
	pf_fail(pf, BN_PF_REFUSED, true);
}

void
bn_preflight_timer(struct bn_preflight *pf)
{
	if (pf->state == PF_FAILED) {
		pf_probe(pf);
		return;
	}
	if (pf->state != PF_PROBING)
		return;
	free(pf->detail);
	pf->detail = NULL;
	pf_fail(pf, pf->receipts_due > 0 ? BN_PF_NO_RECEIPT :
	    BN_PF_NO_ADVISORY, true);
}

bool
bn_preflight_on_message(struct bn_preflight *pf, struct bn_frame *f)
{
	const char		*sub = bn_frame_get(f, "subscription");
	struct bn_advisory	 adv;
	const char		*err = NULL;

	if (sub == NULL || strcmp(sub, BN_PREFLIGHT_ADV_ID) != 0)
		return false;
	if (pf->state == PF_PROBING) {
		if (bn_advisory_parse(f->body, f->body_len, &adv, &err) ==
		    -1) {
			free(pf->detail);
			pf->detail = xstrdup(err);
			pf->ops->arm(pf->arg, 0);
			pf_fail(pf, BN_PF_BAD_ADVISORY, true);
		} else if (adv.kind == BN_ADV_ADD && adv.queue &&
		    strcmp(adv.destination, pf->queue) == 0)
			pf_pass(pf);
	}
	bn_frame_free(f);
	return true;
}

static void
pf_start(struct bn_preflight *pf, const char *uri)
{
	free(pf->uri);
	pf->uri = xstrdup(uri);
	pf->subscribed = false;
	pf_probe(pf);
}

void
bn_preflight_disconnected(struct bn_preflight *pf)
{
	int64_t	delay;

	pf->ops->arm(pf->arg, 0);
	if (pf->state == PF_PROBING && pf->dropped &&
	    ++pf->drops < PF_DROPS) {
		delay = bn_backoff_next(&pf->backoff, pf_rand01());
		pf->retry_ms = delay < 0 ? BN_PREFLIGHT_BACKOFF_MAX_MS :
		    (uint64_t)delay;
		log_debug("preflight: %s: session closed at the advisory"
		    " SUBSCRIBE; reconnecting in %llu ms", pf->uri ? pf->uri :
		    "?", (unsigned long long)pf->retry_ms);
		pf->ops->hold(pf->arg, pf->retry_ms);
	} else if (pf->state == PF_PROBING && pf->dropped) {
		free(pf->detail);
		pf->detail = NULL;
		pf_fail(pf, BN_PF_DROPPED, false);
	}
	pf->stomp = NULL;
	pf->subscribed = false;
	pf->receipts_due = 0;
	pf->dropped = false;
	pf->state = PF_WAITING;
}

bool
bn_preflight_ok(const struct bn_preflight *pf)
{
	return pf->ever_ok && pf->problem == BN_PF_NONE;
}

enum bn_preflight_problem
bn_preflight_problem(const struct bn_preflight *pf)
{
	return pf->problem;
}

uint64_t
bn_preflight_checks(const struct bn_preflight *pf)
{
	return pf->checks;
}

uint64_t
bn_preflight_failures(const struct bn_preflight *pf)
{
	return pf->failures;
}

json_t *
bn_preflight_status(const struct bn_preflight *pf)
{
	static const char *const states[] = { "waiting", "probing", "ok",
	    "failed" };
	const char	*text = bn_preflight_problem_text(pf->problem);
	json_t		*o = bn_json_obj();
	char		*s = NULL;

	bn_json_set(o, "ok", json_boolean(bn_preflight_ok(pf)));
	bn_json_set(o, "state", bn_json_str(states[pf->state]));
	if (text != NULL && pf->detail != NULL)
		xasprintf(&s, "%s: %s", text, pf->detail);
	bn_json_set(o, "problem", bn_json_str(s != NULL ? s : text));
	free(s);
	bn_json_set(o, "fix", bn_json_str(bn_preflight_fix_text(pf->problem)));
	bn_json_set(o, "checks", bn_json_u64(pf->checks));
	bn_json_set(o, "failures", bn_json_u64(pf->failures));
	bn_json_set(o, "last_ms", bn_json_u64(pf->last_ms));
	bn_json_set(o, "retry_in_ms", bn_json_u64(pf->state == PF_FAILED ||
	    pf->state == PF_WAITING ? pf->retry_ms : 0));
	return o;
}

/* ---- ops over a bn_stomp session and libevent ---- */

static void
pf_stomp_receipt(struct bn_stomp *s, void *ctx, bool ok,
    const struct bn_frame *error)
{
	const char	*msg = NULL;

	if (!ok && error != NULL) {
		msg = bn_frame_get(error, "message");
		if (msg == NULL)
			msg = "";
	}
	bn_preflight_sub_result(ctx, ok, msg);
}

static int
pf_stomp_subscribe(void *arg, const char *id, const char *dest,
    const char *transformation, bool receipt)
{
	struct bn_preflight	*pf = arg;
	struct bn_frame		*f;
	struct bn_header	 h[] = {
		{ "transformation", (char *)transformation },
	};
	int			 rc;

	if (pf->stomp == NULL)
		return -1;
	if (!receipt)
		return bn_stomp_subscribe(pf->stomp, id, dest, "auto", h,
		    transformation != NULL ? 1 : 0);
	f = bn_frame_new("SUBSCRIBE");
	bn_frame_add_header(f, "id", id);
	bn_frame_add_header(f, "destination", dest);
	bn_frame_add_header(f, "ack", "auto");
	if (transformation != NULL)
		bn_frame_add_header(f, "transformation", transformation);
	rc = bn_stomp_send(pf->stomp, f, 0, pf_stomp_receipt, pf);
	bn_frame_free(f);
	return rc;
}

static void
pf_stomp_unsubscribe(void *arg, const char *id)
{
	struct bn_preflight	*pf = arg;

	if (pf->stomp != NULL)
		bn_stomp_unsubscribe(pf->stomp, id);
}

static void
pf_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct bn_preflight	*pf = arg;

	/* a session that is closing (graceful stop) is not judged */
	if (pf->stomp != NULL && bn_stomp_connected(pf->stomp))
		bn_preflight_timer(pf);
}

static void
pf_stomp_arm(void *arg, uint64_t ms)
{
	struct bn_preflight	*pf = arg;
	struct timeval		 tv;

	event_del(pf->timer);
	if (ms == 0)
		return;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
	evtimer_add(pf->timer, &tv);
}

static void
pf_stomp_hold(void *arg, uint64_t ms)
{
	struct bn_preflight	*pf = arg;

	if (pf->stomp != NULL)
		bn_stomp_hold(pf->stomp, ms);
}

static const struct bn_preflight_ops pf_stomp_ops = {
	.subscribe = pf_stomp_subscribe,
	.unsubscribe = pf_stomp_unsubscribe,
	.arm = pf_stomp_arm,
	.hold = pf_stomp_hold,
};

struct bn_preflight *
bn_preflight_new(struct event_base *base, const char *name)
{
	struct bn_preflight	*pf;

	pf = bn_preflight_new_ops(name, &pf_stomp_ops, NULL);
	pf->base = base;
	pf->timer = evtimer_new(base, pf_timer_cb, pf);
	return pf;
}

void
bn_preflight_connected(struct bn_preflight *pf, struct bn_stomp *s,
    const char *uri)
{
	pf->stomp = s;
	pf_start(pf, uri);
}
