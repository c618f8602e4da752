/*
 * Unit tests for discovery/avahipoll.c: the AvahiPoll adapter over
 * libevent, driven through the AvahiPoll function table exactly as
 * avahi-client drives it. No sleeping: the loop is pumped with bounded
 * event_base_loopexit() runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>
#include <cmocka.h>

#include <event2/event.h>

#include <avahi-common/watch.h>

#include "brokernet/avahipoll.h"
#include "brokernet/util.h"

struct fixture {
	struct event_base	*base;
	struct bn_avahipoll	*ap;
	const AvahiPoll		*api;
	int			 p[2];	/* a pipe: p[0] read end, p[1] write */
};

/* What callbacks saw. */
struct seen {
	const AvahiPoll	*api;
	int		 calls;
	int		 fd;
	AvahiWatchEvent	 event;
	AvahiWatchEvent	 got_events;	/* watch_get_events() in the cb */
	uint64_t	 at_ms;
	bool		 free_self;
	bool		 noread;	/* watch: leave the data */
	bool		 rearm;		/* timeout: re-arm itself once */
	AvahiWatch	*w;
	AvahiTimeout	*t;
	AvahiWatch	*victim;	/* watch: free this one in the cb */
};

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof(*f));

	f->base = event_base_new();
	assert_non_null(f->base);
	f->ap = bn_avahipoll_new(f->base);
	assert_non_null(f->ap);
	f->api = bn_avahipoll_get(f->ap);
	assert_int_equal(pipe(f->p), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	bn_avahipoll_free(f->ap);
	event_base_free(f->base);
	close(f->p[0]);
	close(f->p[1]);
	free(f);
	return 0;
}

/* Runs the loop for at most ms milliseconds. */
static void
pump(struct fixture *f, int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(f->base, &tv);
	event_base_dispatch(f->base);
}

/* Runs the loop until cond or ms elapsed, in short slices. */
static void
pump_until(struct fixture *f, const int *counter, int want, int ms)
{
	uint64_t	end = bn_now_ms() + (uint64_t)ms;

	while (*counter < want && bn_now_ms() < end)
		pump(f, 10);
}

static void
watch_cb(AvahiWatch *w, int fd, AvahiWatchEvent event, void *userdata)
{
	struct seen	*s = userdata;
	char		 buf[64];

	s->calls++;
	s->fd = fd;
	s->event = event;
	s->got_events = s->api->watch_get_events(w);
	if ((event & AVAHI_WATCH_IN) && !s->noread)
		(void)read(fd, buf, sizeof(buf));
	if (s->free_self) {
		s->api->watch_free(w);
		s->w = NULL;
	}
	if (s->victim != NULL) {
		s->api->watch_free(s->victim);
		s->victim = NULL;
	}
}

static void
timeout_cb(AvahiTimeout *t, void *userdata)
{
	struct seen	*s = userdata;
	struct timeval	 tv;

	s->calls++;
	s->at_ms = bn_now_ms();
	if (s->rearm) {
		s->rearm = false;
		gettimeofday(&tv, NULL);
		tv.tv_usec += 20000;
		if (tv.tv_usec >= 1000000) {
			tv.tv_sec++;
			tv.tv_usec -= 1000000;
		}
		s->api->timeout_update(t, &tv);
	}
	if (s->free_self) {
		s->api->timeout_free(t);
		s->t = NULL;
	}
}

/* Absolute time now + ms, as avahi passes it. */
static struct timeval
in_ms(int ms)
{
	struct timeval	now, d = { ms / 1000, (ms % 1000) * 1000 }, r;

	gettimeofday(&now, NULL);
	timeradd(&now, &d, &r);
	return r;
}

static void
test_watch_readable(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { .api = f->api };
	AvahiWatch	*w;

	w = f->api->watch_new(f->api, f->p[0], AVAHI_WATCH_IN, watch_cb, &s);
	assert_non_null(w);
	pump(f, 20);
	assert_int_equal(s.calls, 0);		/* nothing to read yet */
	assert_int_equal(write(f->p[1], "x", 1), 1);
	pump_until(f, &s.calls, 1, 1000);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.fd, f->p[0]);
	assert_int_equal(s.event, AVAHI_WATCH_IN);
	assert_int_equal(s.got_events, AVAHI_WATCH_IN);
	assert_int_equal(f->api->watch_get_events(w), 0);	/* outside cb */
	pump(f, 20);
	assert_int_equal(s.calls, 1);		/* drained: quiet again */
	f->api->watch_free(w);
}

static void
test_watch_hangup(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { .api = f->api };
	AvahiWatch	*w;

	w = f->api->watch_new(f->api, f->p[0], AVAHI_WATCH_IN, watch_cb, &s);
	close(f->p[1]);
	f->p[1] = dup(f->p[0]);		/* keep teardown's close() valid */
	pump_until(f, &s.calls, 1, 1000);
	assert_true(s.calls >= 1);
	assert_true(s.event & AVAHI_WATCH_HUP);
	f->api->watch_free(w);
}

static void
test_watch_update(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { .api = f->api };
	AvahiWatch	*w;

	/* The write end of an empty pipe is writable, but we ask nothing. */
	w = f->api->watch_new(f->api, f->p[1], 0, watch_cb, &s);
	pump(f, 20);
	assert_int_equal(s.calls, 0);
	f->api->watch_update(w, AVAHI_WATCH_OUT);
	pump_until(f, &s.calls, 1, 1000);
	assert_true(s.calls >= 1);
	assert_int_equal(s.event, AVAHI_WATCH_OUT);
	assert_int_equal(s.got_events, AVAHI_WATCH_OUT);
	/* Interest switched to readable: the write end never is. */
	f->api->watch_update(w, AVAHI_WATCH_IN);
	s.calls = 0;
	pump(f, 30);
	assert_int_equal(s.calls, 0);
	f->api->watch_free(w);

	/* And on the read end: off, data arrives, nothing; on, it fires. */
	memset(&s, 0, sizeof(s));
	s.api = f->api;
	w = f->api->watch_new(f->api, f->p[0], AVAHI_WATCH_IN, watch_cb, &s);
	f->api->watch_update(w, 0);
	assert_int_equal(write(f->p[1], "y", 1), 1);
	pump(f, 30);
	assert_int_equal(s.calls, 0);
	f->api->watch_update(w, AVAHI_WATCH_IN);
	pump_until(f, &s.calls, 1, 1000);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.event, AVAHI_WATCH_IN);
	f->api->watch_free(w);
}

static void
test_watch_free_in_callback(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { .api = f->api, .free_self = true };
	struct seen	 other = { .api = f->api };
	AvahiWatch	*w2;

	/* Two watches on one fd: the first frees itself, the second lives. */
	s.w = f->api->watch_new(f->api, f->p[0], AVAHI_WATCH_IN, watch_cb, &s);
	w2 = f->api->watch_new(f->api, f->p[0], AVAHI_WATCH_IN, watch_cb,
	    &other);
	other.noread = true;		/* do not read: keep the fd readable */
	assert_int_equal(write(f->p[1], "zz", 2), 2);
	pump_until(f, &s.calls, 1, 1000);
	assert_int_equal(s.calls, 1);
	assert_null(s.w);
	pump(f, 30);
	assert_int_equal(s.calls, 1);		/* never again */
	assert_true(other.calls >= 1);
	f->api->watch_free(w2);
}

static void
test_watch_free_other_in_callback(void **state)
{
	struct fixture	*f = *state;
	struct seen	 a = { .api = f->api }, b = { .api = f->api };
	AvahiWatch	*wa, *wb;
	int		 bcalls;

	/*
	 * Both watches are ready in the same loop pass; a's callback frees
	 * b. Whichever ran first, b must never run after being freed (ASan
	 * would see it). Nobody reads, so the fd stays readable.
	 */
	wa = f->api->watch_new(f->api, f->p[0], AVAHI_WATCH_IN, watch_cb, &a);
	wb = f->api->watch_new(f->api, f->p[0], AVAHI_WATCH_IN, watch_cb, &b);
	a.noread = b.noread = true;
	a.victim = wb;
	assert_int_equal(write(f->p[1], "q", 1), 1);
	pump_until(f, &a.calls, 1, 1000);
	assert_null(a.victim);
	bcalls = b.calls;
	assert_true(bcalls <= 1);
	pump(f, 30);
	assert_true(a.calls > 1);		/* level-triggered, still ready */
	assert_int_equal(b.calls, bcalls);
	f->api->watch_free(wa);
}

static void
test_timeout_fires_on_time(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { .api = f->api };
	struct timeval	 tv = in_ms(100);
	uint64_t	 t0 = bn_now_ms();
	AvahiTimeout	*t;

	t = f->api->timeout_new(f->api, &tv, timeout_cb, &s);
	assert_non_null(t);
	pump(f, 50);
	assert_int_equal(s.calls, 0);
	pump_until(f, &s.calls, 1, 1000);
	assert_int_equal(s.calls, 1);
	assert_true(s.at_ms - t0 >= 95);
	assert_true(s.at_ms - t0 < 300);
	pump(f, 150);
	assert_int_equal(s.calls, 1);		/* one-shot */
	f->api->timeout_free(t);
}

static void
test_timeout_past_and_rearm(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { .api = f->api, .rearm = true };
	struct timeval	 past = { 0, 0 };	/* D-Bus glue: "dispatch now" */
	AvahiTimeout	*t;

	t = f->api->timeout_new(f->api, &past, timeout_cb, &s);
	pump_until(f, &s.calls, 1, 500);
	assert_int_equal(s.calls, 1);
	/* The callback re-armed itself 20 ms ahead. */
	pump_until(f, &s.calls, 2, 500);
	assert_int_equal(s.calls, 2);
	pump(f, 50);
	assert_int_equal(s.calls, 2);
	f->api->timeout_free(t);
}

static void
test_timeout_update_null_disarms(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { .api = f->api };
	struct timeval	 tv = in_ms(30);
	AvahiTimeout	*t;

	t = f->api->timeout_new(f->api, &tv, timeout_cb, &s);
	f->api->timeout_update(t, NULL);
	pump(f, 100);
	assert_int_equal(s.calls, 0);
	/* Created disarmed, then armed. */
	f->api->timeout_free(t);
	t = f->api->timeout_new(f->api, NULL, timeout_cb, &s);
	pump(f, 30);
	assert_int_equal(s.calls, 0);
	tv = in_ms(10);
	f->api->timeout_update(t, &tv);
	pump_until(f, &s.calls, 1, 500);
	assert_int_equal(s.calls, 1);
	/* Moved later: fires at the new time, not the old. */
	tv = in_ms(40);
	f->api->timeout_update(t, &tv);
	tv = in_ms(200);
	f->api->timeout_update(t, &tv);
	pump(f, 100);
	assert_int_equal(s.calls, 1);
	f->api->timeout_free(t);
}

static void
test_timeout_free_in_callback(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { .api = f->api, .free_self = true,
			    .rearm = true };
	struct timeval	 tv = in_ms(5);

	/* Re-armed and then freed in one callback: must not fire again. */
	s.t = f->api->timeout_new(f->api, &tv, timeout_cb, &s);
	pump_until(f, &s.calls, 1, 500);
	assert_int_equal(s.calls, 1);
	assert_null(s.t);
	pump(f, 60);
	assert_int_equal(s.calls, 1);
}

static void
test_free_adapter_with_leftovers(void **state)
{
	struct fixture	*f = *state;
	struct seen	 s = { .api = f->api };
	struct timeval	 tv = in_ms(10);

	/* Teardown frees the adapter; leftovers must not leak or fire. */
	(void)f->api->watch_new(f->api, f->p[0], AVAHI_WATCH_IN, watch_cb, &s);
	(void)f->api->timeout_new(f->api, &tv, timeout_cb, &s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watch_readable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_watch_hangup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_watch_update, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_watch_free_in_callback,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_watch_free_other_in_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_fires_on_time,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_past_and_rearm,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_timeout_update_null_disarms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_free_in_callback,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_free_adapter_with_leftovers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
