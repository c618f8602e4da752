/*
 * AvahiPoll over a libevent event_base. avahi-client (through its D-Bus
 * glue) creates, updates and frees watches and timeouts at any moment,
 * including from inside their own callbacks: an object freed while its
 * callback runs is only marked dead and freed when the callback returns.
 */
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <sys/time.h>

#include <event2/event.h>

#include <avahi-common/watch.h>

#include "brokernet/avahipoll.h"
#include "brokernet/log.h"
#include "brokernet/util.h"

struct AvahiWatch {
	TAILQ_ENTRY(AvahiWatch)	 entry;
	struct bn_avahipoll	*ap;
	struct event		*ev;
	int			 fd;
	AvahiWatchEvent		 interest;
	AvahiWatchEvent		 revents;	/* valid in the callback */
	AvahiWatchCallback	 cb;
	void			*userdata;
	bool			 in_cb;
	bool			 dead;
};

struct AvahiTimeout {
	TAILQ_ENTRY(AvahiTimeout) entry;
	struct bn_avahipoll	*ap;
	struct event		*ev;
	AvahiTimeoutCallback	 cb;
	void			*userdata;
	bool			 in_cb;
	bool			 dead;
};

struct bn_avahipoll {
	struct event_base		*base;
	AvahiPoll			 api;
	TAILQ_HEAD(avahipoll_watchq, AvahiWatch) watches;
	TAILQ_HEAD(avahipoll_timeoutq, AvahiTimeout) timeouts;
};

static void
avahipoll_watch_destroy(AvahiWatch *w)
{
	TAILQ_REMOVE(&w->ap->watches, w, entry);
	event_free(w->ev);
	free(w);
}

static void
avahipoll_timeout_destroy(AvahiTimeout *t)
{
	TAILQ_REMOVE(&t->ap->timeouts, t, entry);
	event_free(t->ev);
	free(t);
}

static short
avahipoll_ev_flags(AvahiWatchEvent e)
{
	short	f = 0;

	if (e & AVAHI_WATCH_IN)
		f |= EV_READ;
	if (e & AVAHI_WATCH_OUT)
		f |= EV_WRITE;
	return f;
}

/*
 * libevent says only readable/writable; a zero-timeout poll() adds what
 * avahi (and D-Bus below it) also wants to know: error and hang-up.
 */
static AvahiWatchEvent
avahipoll_revents(int fd, AvahiWatchEvent interest, short what)
{
	struct pollfd	pfd;
	AvahiWatchEvent	e = 0;

	pfd.fd = fd;
	pfd.events = (short)(interest & (AVAHI_WATCH_IN | AVAHI_WATCH_OUT));
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) == 1)
		e = (AvahiWatchEvent)(pfd.revents & (POLLIN | POLLOUT |
		    POLLERR | POLLHUP));
	if (what & EV_READ)
		e |= AVAHI_WATCH_IN;
	if (what & EV_WRITE)
		e |= AVAHI_WATCH_OUT;
	return e & (interest | AVAHI_WATCH_ERR | AVAHI_WATCH_HUP);
}

static void
avahipoll_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	AvahiWatch	*w = arg;

	w->revents = avahipoll_revents(w->fd, w->interest, what);
	if (w->revents == 0)
		return;
	w->in_cb = true;
	w->cb(w, w->fd, w->revents, w->userdata);
	w->in_cb = false;
	w->revents = 0;
	if (w->dead)
		avahipoll_watch_destroy(w);
}

/* (Re)arms the event for the current interest; none leaves it idle. */
static void
avahipoll_watch_arm(AvahiWatch *w)
{
	short	f = avahipoll_ev_flags(w->interest);

	event_del(w->ev);
	if (f == 0)
		return;
	event_assign(w->ev, w->ap->base, w->fd, f | EV_PERSIST,
	    avahipoll_watch_cb, w);
	if (event_add(w->ev, NULL) == -1)
		log_warnx("avahipoll: cannot watch fd %d", w->fd);
}

static AvahiWatch *
avahipoll_watch_new(const AvahiPoll *api, int fd, AvahiWatchEvent event,
    AvahiWatchCallback cb, void *userdata)
{
	struct bn_avahipoll	*ap = api->userdata;
	AvahiWatch		*w;

	w = xcalloc(1, sizeof(*w));
	w->ap = ap;
	w->fd = fd;
	w->interest = event;
	w->cb = cb;
	w->userdata = userdata;
	w->ev = event_new(ap->base, fd, EV_PERSIST, avahipoll_watch_cb, w);
	if (w->ev == NULL) {
		free(w);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&ap->watches, w, entry);
	avahipoll_watch_arm(w);
	return w;
}

static void
avahipoll_watch_update(AvahiWatch *w, AvahiWatchEvent event)
{
	if (w->dead)
		return;
	w->interest = event;
	avahipoll_watch_arm(w);
}

static AvahiWatchEvent
avahipoll_watch_get_events(AvahiWatch *w)
{
	return w->revents;
}

static void
avahipoll_watch_free(AvahiWatch *w)
{
	if (w->in_cb) {
		/* Freed by avahipoll_watch_cb once the callback returns. */
		w->dead = true;
		event_del(w->ev);
		return;
	}
	avahipoll_watch_destroy(w);
}

/* avahi gives absolute gettimeofday() times; libevent wants a delay. */
static void
avahipoll_timeout_arm(AvahiTimeout *t, const struct timeval *abs)
{
	struct timeval	now, rel;

	event_del(t->ev);
	if (abs == NULL)
		return;
	gettimeofday(&now, NULL);
	timersub(abs, &now, &rel);
	if (rel.tv_sec < 0)
		timerclear(&rel);	/* in the past: now */
	if (event_add(t->ev, &rel) == -1)
		log_warnx("avahipoll: cannot arm a timer");
}

static void
avahipoll_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	AvahiTimeout	*t = arg;

	t->in_cb = true;
	t->cb(t, t->userdata);
	t->in_cb = false;
	if (t->dead)
		avahipoll_timeout_destroy(t);
}

static AvahiTimeout *
avahipoll_timeout_new(const AvahiPoll *api, const struct timeval *tv,
    AvahiTimeoutCallback cb, void *userdata)
{
	struct bn_avahipoll	*ap = api->userdata;
	AvahiTimeout		*t;

	t = xcalloc(1, sizeof(*t));
	t->ap = ap;
	t->cb = cb;
	t->userdata = userdata;
	t->ev = evtimer_new(ap->base, avahipoll_timeout_cb, t);
	if (t->ev == NULL) {
		free(t);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&ap->timeouts, t, entry);
	avahipoll_timeout_arm(t, tv);
	return t;
}

static void
avahipoll_timeout_update(AvahiTimeout *t, const struct timeval *tv)
{
	if (t->dead)
		return;
	avahipoll_timeout_arm(t, tv);
}

static void
avahipoll_timeout_free(AvahiTimeout *t)
{
	if (t->in_cb) {
		t->dead = true;
		event_del(t->ev);
		return;
	}
	avahipoll_timeout_destroy(t);
}

struct bn_avahipoll *
bn_avahipoll_new(struct event_base *base)
{
	struct bn_avahipoll	*ap;

	if (base == NULL)
		return NULL;
	ap = xcalloc(1, sizeof(*ap));
	ap->base = base;
	TAILQ_INIT(&ap->watches);
	TAILQ_INIT(&ap->timeouts);
	ap->api.userdata = ap;
	ap->api.watch_new = avahipoll_watch_new;
	ap->api.watch_update = avahipoll_watch_update;
	ap->api.watch_get_events = avahipoll_watch_get_events;
	ap->api.watch_free = avahipoll_watch_free;
	ap->api.timeout_new = avahipoll_timeout_new;
	ap->api.timeout_update = avahipoll_timeout_update;
	ap->api.timeout_free = avahipoll_timeout_free;
	return ap;
}

const struct AvahiPoll *
bn_avahipoll_get(struct bn_avahipoll *ap)
{
	return &ap->api;
}

/*
 * Everything using the adapter should be gone by now; whatever avahi left
 * behind is released so that nothing fires into freed memory.
 */
void
bn_avahipoll_free(struct bn_avahipoll *ap)
{
	AvahiWatch	*w;
	AvahiTimeout	*t;
	int		 n = 0;

	if (ap == NULL)
		return;
	while ((w = TAILQ_FIRST(&ap->watches)) != NULL) {
		avahipoll_watch_destroy(w);
		n++;
	}
	while ((t = TAILQ_FIRST(&ap->timeouts)) != NULL) {
		avahipoll_timeout_destroy(t);
		n++;
	}
	if (n > 0)
		log_debug("%s: released %d leftover watches/timeouts",
		    __func__, n);
	free(ap);
}
