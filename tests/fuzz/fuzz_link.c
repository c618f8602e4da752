/*
 * libFuzzer harness for the link protocol as an acceptor sees it: the
 * input is what a dialing peer sends (BN_HELLO, then DEMAND, NODEMAND,
 * MESSAGE, ACK, BYE, heart-beats or garbage), delivered over a
 * bufferevent pair to a daemon built with bn_daemon_new and never started:
 * no broker session (d->cons and d->prod are NULL, d->broker_up is false),
 * no socket bound, no dialer.
 *
 * The first input byte picks the setup, the rest is the byte stream:
 *   bits 0-1  split the stream into 1, 2, 4 or 8 writes, with the event
 *             loop pumped after each
 *   bit 2     the daemon with <simpleAuthenticationPlugin> (user "net",
 *             password "net-secret") instead of the open one
 *   bit 3     pair without BEV_OPT_DEFER_CALLBACKS (callbacks run inside
 *             bufferevent_write, as nested as they get)
 *   bit 4     the peer closes its end (EOF) before the daemon shuts down
 *
 * Besides the sanitizers it checks what the peer relies on: every byte the
 * daemon sends parses as complete frames; the first is BN_WELCOME or
 * ERROR; BN_WELCOME comes at most once; nothing follows ERROR or BYE; an
 * ERROR has a message. After each input every link is closed and the
 * listener's connection count is back at zero; the demand table and the
 * counters may carry over. The daemons are freed at exit, so
 * LeakSanitizer sees everything.
 *
 * Without a store session the daemon stays in recovery and parks every
 * MESSAGE until then (bridge/receive.c), beyond the life of its link: the
 * harness grows with them, and long runs end in libFuzzer's out-of-memory
 * report. That is the daemon's doing; see tests/fuzz/crashes/README.
 *
 * FUZZ_LINK_LOG=1 (info) .. 3 (trace) turns the daemon's log on.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/frame.h"
#include "brokernet/link.h"
#include "brokernet/listen.h"
#include "brokernet/log.h"
#include "brokernet/util.h"
#include "brokernet/zlink.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_PUMPS	8	/* loop iterations after each write */

/* Both sides' config up to their difference: no users, or one. */
#define FUZZ_XML_HEAD \
    "<brokernet name=\"B\">\n" \
    "  <broker uri=\"stomp://127.0.0.1:1\"/>\n" \
    "  <transportConnectors>\n" \
    "    <transportConnector name=\"link\"\n" \
    "        uri=\"tcp://127.0.0.1:1?maxFrameSize=65536\"/>\n" \
    "  </transportConnectors>\n"

static const char fuzz_xml_open[] =
    FUZZ_XML_HEAD
    "</brokernet>\n";

static const char fuzz_xml_auth[] =
    FUZZ_XML_HEAD
    "  <plugins>\n"
    "    <simpleAuthenticationPlugin>\n"
    "      <users>\n"
    "        <authenticationUser username=\"net\""
    " password=\"net-secret\"/>\n"
    "      </users>\n"
    "    </simpleAuthenticationPlugin>\n"
    "  </plugins>\n"
    "</brokernet>\n";

struct fuzz_side {
	struct bn_config	*cfg;
	struct bn_daemon	*d;
};

static struct event_base	*fuzz_base;
static struct fuzz_side		 fuzz_sides[2];	/* open, auth */

static void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_link: %s\n", what);
		abort();
	}
}

static void
fuzz_side_init(struct fuzz_side *s, const char *xml)
{
	char	err[512];

	s->cfg = bn_config_load_string(xml, strlen(xml), "fuzz.xml", err,
	    sizeof(err));
	if (s->cfg == NULL) {
		fprintf(stderr, "fuzz_link: config: %s\n", err);
		abort();
	}
	fuzz_check(s->cfg->nlisteners == 1, "config without one listener");
	s->d = bn_daemon_new(fuzz_base, s->cfg);
	fuzz_check(s->d != NULL, "bn_daemon_new failed");
	/* What bn_listen_start sets up, without binding a socket. */
	s->d->listeners = xcalloc(1, sizeof(*s->d->listeners));
	s->d->nlisteners = 1;
	s->d->listeners[0].d = s->d;
	s->d->listeners[0].tc = &s->cfg->listeners[0];
}

static void
fuzz_pump(int n)
{
	while (n-- > 0)
		event_base_loop(fuzz_base, EVLOOP_NONBLOCK);
}

/* Closes what is left and frees both daemons (atexit, before LSan). */
static void
fuzz_fini(void)
{
	struct timeval	tv = { 3, 0 };
	size_t		i;

	for (i = 0; i < 2; i++)
		if (fuzz_sides[i].d != NULL)
			bn_link_shutdown_all(fuzz_sides[i].d, "fuzz exit");
	fuzz_pump(FUZZ_PUMPS);
	/* Connections still flushing a goodbye give up after 2 s. */
	if (event_base_get_num_events(fuzz_base,
	    EVENT_BASE_COUNT_ADDED) > 0) {
		event_base_loopexit(fuzz_base, &tv);
		event_base_dispatch(fuzz_base);
	}
	for (i = 0; i < 2; i++) {
		bn_daemon_free(fuzz_sides[i].d);
		fuzz_sides[i].d = NULL;
		bn_config_free(fuzz_sides[i].cfg);
		fuzz_sides[i].cfg = NULL;
	}
	event_base_free(fuzz_base);
	fuzz_base = NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*v = getenv("FUZZ_LINK_LOG");

	/* Below BN_LOG_QUIET even warnings stay quiet. */
	bn_log_init(v != NULL ? atoi(v) : -1, 0, "fuzz_link");
	fuzz_base = event_base_new();
	fuzz_check(fuzz_base != NULL, "event_base_new failed");
	fuzz_side_init(&fuzz_sides[0], fuzz_xml_open);
	fuzz_side_init(&fuzz_sides[1], fuzz_xml_auth);
	atexit(fuzz_fini);
	return 0;
}

/* The dialing peer: keeps what the daemon sends, for fuzz_check_reply. */
static void
fuzz_peer_read_cb(struct bufferevent *bev, void *arg)
{
	struct bn_buf	*rx = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 len = evbuffer_get_length(in);

	bn_buf_add(rx, evbuffer_pullup(in, -1), len);
	evbuffer_drain(in, len);
}

static void
fuzz_peer_event_cb(struct bufferevent *bev, short what, void *arg)
{
}

/* What the daemon sent must make sense to a dialer. */
static void
fuzz_check_reply(const struct bn_buf *rx)
{
	enum bn_parse_result	 r;
	struct bn_frame		*f;
	const char		*err, *cmd, *buf = rx->data, *feat;
	size_t			 off = 0, used, need, len = rx->len;
	bool			 hb, ended = false, zstd = false;
	int			 nframes = 0, nwelcome = 0;
	struct bn_buf		 plain = { 0 };

	while (off < len) {
		if (zstd) {
			/* after a BN_WELCOME with zstd the rest is compressed */
			struct bn_zdec		*z = bn_zdec_new();
			enum bn_zdec_result	 zr;
			size_t			 zoff = off, zused;

			do {
				zr = bn_zdec_read(z, buf + zoff, len - zoff,
				    65536, &zused, &plain, &err);
				fuzz_check(zr != BN_ZDEC_ERROR,
				    "daemon sent a bad compressed stream");
				zoff += zused;
			} while (zr == BN_ZDEC_FULL || zoff < len);
			bn_zdec_free(z);
			buf = plain.data;
			len = plain.len;
			off = 0;
			zstd = false;
			continue;
		}
		r = bn_frame_parse(buf + off, len - off, NULL, &f,
		    &used, &need, &hb, &err);
		fuzz_check(r != BN_PARSE_ERROR, "daemon sent a bad frame");
		fuzz_check(r != BN_PARSE_NEED_MORE,
		    "daemon sent an incomplete frame");
		off += used;
		if (f == NULL)
			continue;	/* heart-beat */
		cmd = f->command;
		fuzz_check(!ended, "daemon sent a frame after ERROR or BYE");
		if (nframes++ == 0)
			fuzz_check(strcmp(cmd, "BN_WELCOME") == 0 ||
			    strcmp(cmd, "ERROR") == 0,
			    "first frame is not BN_WELCOME or ERROR");
		if (strcmp(cmd, "BN_WELCOME") == 0) {
			fuzz_check(++nwelcome == 1, "BN_WELCOME twice");
			fuzz_check(bn_frame_get(f, "broker") != NULL &&
			    strcmp(bn_frame_get(f, "broker"), "B") == 0,
			    "BN_WELCOME without our broker name");
			fuzz_check(bn_frame_get(f, "version") != NULL,
			    "BN_WELCOME without a version");
			feat = bn_frame_get(f, "features");
			zstd = feat != NULL && strstr(feat, "zstd") != NULL;
		} else if (strcmp(cmd, "ERROR") == 0) {
			fuzz_check(bn_frame_get(f, "message") != NULL,
			    "ERROR without a message");
			ended = true;
		} else if (strcmp(cmd, "BYE") == 0)
			ended = true;
		else
			fuzz_check(strcmp(cmd, "DEMAND") == 0 ||
			    strcmp(cmd, "NODEMAND") == 0 ||
			    strcmp(cmd, "ACK") == 0 || strcmp(cmd, "M") == 0,
			    "daemon sent an unknown frame");
		bn_frame_free(f);
	}
	bn_buf_free(&plain);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bufferevent	*pair[2];
	struct bn_buf		 rx = { 0 };
	struct bn_daemon	*d;
	struct bn_listener	*ls;
	size_t			 nchunks, chunk, off, n;
	uint8_t			 mode;

	if (size == 0)
		return 0;
	mode = data[0];
	data++;
	size--;
	d = fuzz_sides[(mode & 4) ? 1 : 0].d;
	ls = &d->listeners[0];
	fuzz_check(TAILQ_EMPTY(&d->links) && ls->nconns == 0,
	    "links left over from the previous input");

	fuzz_check(bufferevent_pair_new(fuzz_base, (mode & 8) ? 0 :
	    BEV_OPT_DEFER_CALLBACKS, pair) == 0, "bufferevent_pair_new");
	bufferevent_setcb(pair[1], fuzz_peer_read_cb, NULL, fuzz_peer_event_cb,
	    &rx);
	bufferevent_enable(pair[1], EV_READ | EV_WRITE);
	/* From here the link owns pair[0], whatever happens to it. */
	(void)bn_listen_accept_bev(ls, pair[0], "fuzz:1");

	nchunks = (size_t)1 << (mode & 3);
	chunk = size / nchunks + 1;
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		bufferevent_write(pair[1], data + off, n);
		fuzz_pump(FUZZ_PUMPS);
	}
	fuzz_pump(FUZZ_PUMPS);

	if (mode & 16) {
		/* The peer hangs up: the link sees EOF. */
		bufferevent_flush(pair[1], EV_WRITE, BEV_FINISHED);
		fuzz_pump(FUZZ_PUMPS);
	}
	bn_link_shutdown_all(d, "fuzz done");
	/* Goodbyes reach the peer, detached connections are freed. */
	fuzz_pump(FUZZ_PUMPS);
	fuzz_check(TAILQ_EMPTY(&d->links), "a link survived shutdown");
	fuzz_check(ls->nconns == 0, "listener connection count leaked");
	fuzz_check_reply(&rx);
	bufferevent_free(pair[1]);
	fuzz_pump(1);
	bn_buf_free(&rx);
	return 0;
}
