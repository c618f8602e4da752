/*
 * Regression tests for defects fuzz_link (tests/fuzz/fuzz_link.c) found in
 * the link code. Each builds a daemon with bn_daemon_new, never started:
 * no broker session (d->cons and d->prod are NULL, d->broker_up false, the
 * store side in recovery), a listener set up by hand, no socket bound. The
 * peer is the other end of a bufferevent pair or of a real socketpair; the
 * loop is pumped with a bounded event_base_loopexit, never a sleep.
 *
 * BUG (fixed by the recovery parking in bridge/receive.c, test kept): a
 * MESSAGE after a good BN_HELLO opened a store batch, and at the end of the
 * loop iteration recv_flush handed it to bn_stomp_send_batch(d->prod, ...)
 * with d->prod == NULL: SIGSEGV in stomp_may_queue (now bn_stompsend_may_queue, bridge/stompsend.c). Input:
 * tests/fuzz/crashes/link-message-without-broker-session.
 *
 * BUG (fixed in fwdack.c, test_ack_last_seq): a link ACK of the largest
 * seq looped for ever.
 *
 * BUG (open): while the store session is recovering (before it ever
 * connected, or after it was lost) every link MESSAGE is parked in
 * d->parked, with no bound and no back-pressure, and parked frames outlive
 * their link until recovery ends. A peer makes the sidecar hold as much
 * memory as it sends. Input: tests/fuzz/crashes/link-oom-parked-messages
 * (fuzz-build/fuzz_link -runs=300000 -rss_limit_mb=1024 FILE).
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/link.h"
#include "brokernet/listen.h"
#include "brokernet/log.h"
#include "brokernet/receive.h"
#include "brokernet/util.h"


static const char test_xml[] =
    "<brokernet name=\"B\">\n"
    "  <broker uri=\"stomp://127.0.0.1:1\"/>\n"
    "  <transportConnectors>\n"
    "    <transportConnector name=\"link\" uri=\"tcp://127.0.0.1:1\"/>\n"
    "  </transportConnectors>\n"
    "</brokernet>\n";

#define HELLO	"BN_HELLO\nbroker:A\nversion:1\nconnector:to-B\n" \
		"duplex:false\n\n"
#define MESSAGE	"MESSAGE\nseq:1\ndestination:/queue/orders.eu\n" \
		"brokernet_origin:A\nbrokernet_origin_id:ID:a-1\n" \
		"brokernet_path:,A,\nbrokernet_hops:1\n\nhello"

enum transport { T_PAIR, T_SOCKETPAIR };

struct env {
	enum transport		 t;
	struct event_base	*base;
	struct bn_config	*cfg;
	struct bn_daemon	*d;
	struct bufferevent	*peer;		/* T_PAIR: our end */
	int			 fd;		/* T_SOCKETPAIR: our end */
	struct bn_buf		 rx;		/* what the daemon sent */
	struct bn_buf		 tx;		/* what a test sends */
};

static void
peer_read_cb(struct bufferevent *bev, void *arg)
{
	struct env	*e = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 len = evbuffer_get_length(in);

	bn_buf_add(&e->rx, evbuffer_pullup(in, -1), len);
	evbuffer_drain(in, len);
}

static void
peer_event_cb(struct bufferevent *bev, short what, void *arg)
{
}

/* Runs the loop for 100 ms of callbacks, then collects the reply. */
static void
pump(struct env *e)
{
	struct timeval	tv = { 0, 100000 };
	char		buf[4096];
	ssize_t		n;

	event_base_loopexit(e->base, &tv);
	event_base_dispatch(e->base);
	if (e->t == T_SOCKETPAIR)
		while ((n = read(e->fd, buf, sizeof(buf))) > 0)
			bn_buf_add(&e->rx, buf, (size_t)n);
}

/* A few loop iterations without waiting. */
static void
pump_nowait(struct env *e)
{
	int	i;

	for (i = 0; i < 4; i++)
		event_base_loop(e->base, EVLOOP_NONBLOCK);
}

/*
 * Sends bytes as the dialing peer. On a socketpair a daemon that stops
 * reading fills the socket buffer: then it gives up after a bounded number
 * of rounds. Returns how many bytes went out.
 */
static size_t
peer_feed(struct env *e, const char *p, size_t len)
{
	size_t	off = 0;
	ssize_t	n;
	int	idle = 0;

	if (e->t == T_PAIR) {
		assert_int_equal(bufferevent_write(e->peer, p, len), 0);
		pump_nowait(e);
		return len;
	}
	while (off < len && idle < 1000) {
		n = write(e->fd, p + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			idle = 0;
		} else {
			assert_true(n == -1 && (errno == EAGAIN ||
			    errno == EWOULDBLOCK));
			idle++;
		}
		pump_nowait(e);
	}
	return off;
}

/* Sends a frame (a NUL ends it) as the dialing peer. */
static void
peer_send(struct env *e, const char *frame)
{
	size_t	len = strlen(frame) + 1;

	assert_int_equal(peer_feed(e, frame, len), len);
}

/* n link MESSAGEs with seq from first, bodies of body bytes. */
static void
messages(struct bn_buf *b, uint64_t first, size_t n, size_t body)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		bn_buf_printf(b, "MESSAGE\nseq:%llu\ndestination:/queue/q\n"
		    "brokernet_origin:A\nbrokernet_origin_id:ID:a-%llu\n"
		    "brokernet_path:,A,\nbrokernet_hops:1\n\n",
		    (unsigned long long)(first + i),
		    (unsigned long long)(first + i));
		for (j = 0; j < body; j++)
			bn_buf_addc(b, 'x');
		bn_buf_add(b, "", 1);
	}
}

/* Whether the daemon sent a frame with this command. */
static bool
sent(const struct env *e, const char *cmd)
{
	size_t	off = 0, n = strlen(cmd);

	while (off < e->rx.len) {
		while (off < e->rx.len && (e->rx.data[off] == '\n' ||
		    e->rx.data[off] == '\r'))
			off++;	/* heart-beats */
		if (e->rx.len - off > n && memcmp(e->rx.data + off, cmd,
		    n) == 0 && e->rx.data[off + n] == '\n')
			return true;
		while (off < e->rx.len && e->rx.data[off] != '\0')
			off++;
		off++;
	}
	return false;
}

static int
setup(void **state, enum transport t)
{
	struct env		*e;
	struct bufferevent	*bev, *pair[2];
	char			 err[512];
	int			 fds[2];

	e = xcalloc(1, sizeof(*e));
	e->t = t;
	e->fd = -1;
	e->base = event_base_new();
	assert_non_null(e->base);
	e->cfg = bn_config_load_string(test_xml, strlen(test_xml), "test.xml",
	    err, sizeof(err));
	assert_non_null(e->cfg);
	e->d = bn_daemon_new(e->base, e->cfg);
	assert_non_null(e->d);
	/* What bn_listen_start sets up, without binding. */
	e->d->listeners = xcalloc(1, sizeof(*e->d->listeners));
	e->d->nlisteners = 1;
	e->d->listeners[0].d = e->d;
	e->d->listeners[0].tc = &e->cfg->listeners[0];
	if (t == T_PAIR) {
		assert_int_equal(bufferevent_pair_new(e->base,
		    BEV_OPT_DEFER_CALLBACKS, pair), 0);
		bev = pair[0];
		e->peer = pair[1];
		bufferevent_setcb(e->peer, peer_read_cb, NULL, peer_event_cb,
		    e);
		bufferevent_enable(e->peer, EV_READ | EV_WRITE);
	} else {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
		assert_int_equal(evutil_make_socket_nonblocking(fds[0]), 0);
		assert_int_equal(evutil_make_socket_nonblocking(fds[1]), 0);
		bev = bufferevent_socket_new(e->base, fds[0],
		    BEV_OPT_CLOSE_ON_FREE);
		assert_non_null(bev);
		e->fd = fds[1];
	}
	assert_non_null(bn_listen_accept_bev(&e->d->listeners[0], bev,
	    "test:1"));
	*state = e;
	return 0;
}

static int
setup_pair(void **state)
{
	return setup(state, T_PAIR);
}

static int
setup_socketpair(void **state)
{
	return setup(state, T_SOCKETPAIR);
}

static int
teardown(void **state)
{
	struct env	*e = *state;

	bn_link_shutdown_all(e->d, "test done");
	pump(e);
	if (e->peer != NULL)
		bufferevent_free(e->peer);
	if (e->fd != -1)
		close(e->fd);
	bn_daemon_free(e->d);
	bn_config_free(e->cfg);
	event_base_free(e->base);
	bn_buf_free(&e->rx);
	bn_buf_free(&e->tx);
	free(e);
	return 0;
}

/*
 * BUG: a MESSAGE while the daemon has no broker session. It cannot be
 * stored, so it must not be acked; the daemon must not crash.
 */
static void
test_message_without_broker_session(void **state)
{
	struct env	*e = *state;

	assert_null(e->d->prod);
	assert_false(e->d->broker_up);
	peer_send(e, HELLO);
	pump(e);
	assert_true(sent(e, "BN_WELCOME"));
	peer_send(e, MESSAGE);
	pump(e);	/* crashed here: recv_flush with d->prod == NULL */
	pump(e);
	assert_false(sent(e, "ACK"));
	assert_int_equal(e->d->c.stored, 0);
}

/*
 * BUG (open): the MESSAGEs of a link that closed stay parked until the
 * store session recovers, although they are dropped then anyway (their
 * sender did not get an ack and resends them). Links that come, send and
 * go pile them up without bound.
 */
static void
test_parked_released_with_link(void **state)
{
	struct env	*e = *state;
	struct bn_buf	*b = &e->tx;

	assert_true(bn_recv_recovering(e->d));
	peer_send(e, HELLO);
	pump(e);
	assert_true(sent(e, "BN_WELCOME"));
	messages(b, 1, 100, 100);
	bn_buf_printf(b, "BYE\nreason:done\n\n");
	bn_buf_add(b, "", 1);
	assert_int_equal(peer_feed(e, b->data, b->len), b->len);
	pump(e);
	assert_true(TAILQ_EMPTY(&e->d->links));
	assert_false(sent(e, "ACK"));
	assert_int_equal(bn_recv_nparked(e->d), 0);
}

/*
 * BUG (open): one live link in recovery. The peer sends 2000 messages of
 * 1 KB: the sidecar must stop reading (back-pressure) or refuse them at
 * some point rather than hold all of them.
 */
static void
test_parking_bounded(void **state)
{
	struct env	*e = *state;
	struct bn_buf	*b = &e->tx;
	struct bn_link	*l;

	assert_true(bn_recv_recovering(e->d));
	peer_send(e, HELLO);
	pump(e);
	assert_true(sent(e, "BN_WELCOME"));
	messages(b, 1, 2000, 1024);
	(void)peer_feed(e, b->data, b->len);
	pump(e);
	l = TAILQ_FIRST(&e->d->links);
	assert_true((l != NULL && l->read_paused) || bn_recv_nparked(e->d) < 2000);
	assert_false(sent(e, "ACK"));
}

/*
 * Back-pressure has one owner per reason: lifting the store session's
 * pause must not lift the parking limit's (it once did: one flag, two
 * owners). A paused link reads nothing; it reads what waited once the
 * last reason is gone.
 */
static void
test_pause_reasons(void **state)
{
	struct env	*e = *state;
	struct bn_buf	*b = &e->tx;
	struct bn_link	*l;

	peer_send(e, HELLO);
	pump(e);
	assert_true(sent(e, "BN_WELCOME"));
	l = TAILQ_FIRST(&e->d->links);
	assert_non_null(l);
	assert_false(l->read_paused);
	bn_link_pause(e->d, BN_LINK_PAUSE_STORE, true);
	bn_link_pause(e->d, BN_LINK_PAUSE_PARKED, true);
	assert_true(l->read_paused);
	bn_link_pause(e->d, BN_LINK_PAUSE_STORE, false);
	assert_true(l->read_paused);
	messages(b, 1, 3, 16);
	(void)peer_feed(e, b->data, b->len);
	pump(e);
	assert_int_equal(bn_recv_nparked(e->d), 0);
	bn_link_pause(e->d, BN_LINK_PAUSE_PARKED, false);
	assert_false(l->read_paused);
	pump(e);
	/* no store session: what the link read waits parked */
	assert_int_equal(bn_recv_nparked(e->d), 3);
}

/*
 * BUG (fixed in fwdack.c): "ACK ids:18446744073709551615", or a range
 * ending there, looped for ever: the loop over seq..last wrapped to 0.
 * The largest seq is refused as not in flight: the link is closed.
 */
static void
test_ack_last_seq(void **state)
{
	struct env	*e = *state;

	peer_send(e, HELLO);
	pump(e);
	assert_true(sent(e, "BN_WELCOME"));
	assert_false(TAILQ_EMPTY(&e->d->links));
	peer_send(e, "ACK\nids:18446744073709551615\n\n");
	pump(e);	/* never came back */
	assert_true(TAILQ_EMPTY(&e->d->links));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		{ "message_without_broker_session/pair",
		    test_message_without_broker_session, setup_pair, teardown,
		    NULL },
		{ "message_without_broker_session/socketpair",
		    test_message_without_broker_session, setup_socketpair,
		    teardown, NULL },
		{ "parked_released_with_link/pair",
		    test_parked_released_with_link, setup_pair, teardown,
		    NULL },
		{ "parked_released_with_link/socketpair",
		    test_parked_released_with_link, setup_socketpair, teardown,
		    NULL },
		{ "parking_bounded/pair", test_parking_bounded, setup_pair,
		    teardown, NULL },
		{ "parking_bounded/socketpair", test_parking_bounded,
		    setup_socketpair, teardown, NULL },
		{ "pause_reasons/pair", test_pause_reasons, setup_pair,
		    teardown, NULL },
		{ "pause_reasons/socketpair", test_pause_reasons,
		    setup_socketpair, teardown, NULL },
		{ "ack_last_seq/pair", test_ack_last_seq, setup_pair,
		    teardown, NULL },
		{ "ack_last_seq/socketpair", test_ack_last_seq,
		    setup_socketpair, teardown, NULL },
	};

	bn_log_init(BN_LOG_QUIET, 0, "test_link_fuzzfound");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
