/*
 * Unit tests for bridge/fwdunf.c: the copy that keeps a message a plain
 * peer cannot take unchanged on its own broker, for each mode, queue or
 * topic, and the messages no copy can keep (not whole); over a stomp://
 * session, the NACK that dead-letters them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "brokernet/frame.h"
#include "brokernet/fwdunf.h"
#include "brokernet/owsess.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A MESSAGE as the OpenWire session gives a whole unfaithful one. */
static struct bn_frame *
unfaithful(const char *dest, const char *form)
{
	struct bn_frame	*f = bn_frame_new("MESSAGE");

	bn_frame_add_header(f, "subscription", "s1");
	bn_frame_add_header(f, "destination", dest);
	bn_frame_add_header(f, "message-id", "ID:p-1:1:1:7");
	bn_frame_add_header(f, "ack", "1-7");
	bn_frame_add_header(f, "persistent", "true");
	bn_frame_add_header(f, "color", "red");
	bn_frame_add_header(f, "brokernet_path", ",C,");
	bn_frame_add_header(f, "brokernet_unfaithful", "an older reason");
	if (form != NULL)
		bn_frame_add_header(f, BN_OWSESS_NATIVE_HDR, form);
	bn_frame_add_header(f, BN_OWSESS_UNFAITHFUL_HDR, "it is a MapMessage");
	bn_frame_set_body(f, "\0\1whole", 7);
	return f;
}

/* Exactly these headers, in this order (name, value pairs). */
static void
assert_headers(const struct bn_frame *f, const char *const *want, size_t n)
{
	size_t	i;

	if (f->nheaders != n / 2)
		fail_msg("%zu headers, want %zu", f->nheaders, n / 2);
	for (i = 0; i < n / 2; i++) {
		assert_string_equal(f->headers[i].name, want[2 * i]);
		assert_string_equal(f->headers[i].value, want[2 * i + 1]);
	}
}

/* deadLetter: ActiveMQ.DLQ, where it was, the same id; the reason. */
static void
test_dead_letter(void **state)
{
	static const char *const want[] = {
		"destination", "/queue/ActiveMQ.DLQ",
		"original-destination", "/queue/orders",
		BN_OWSESS_NATIVE_HDR, BN_OWSESS_NATIVE,
		"brokernet_unfaithful", "it is a MapMessage",
		"brokernet_path", ",C,",
	};
	static const char *const dests[] = { "/queue/orders", "/topic/orders" };
	struct bn_frame	*m, *c;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(dests); i++) {
		m = unfaithful(dests[i], BN_OWSESS_NATIVE);
		assert_int_equal(bn_unf_copy(m, BN_UNFAITHFUL_DEAD_LETTER, false, &c),
		    BN_UNF_COPY);
		assert_non_null(c);
		assert_string_equal(c->command, "SEND");
		assert_string_equal(bn_frame_get(c, "original-destination"),
		    dests[i]);
		if (i == 0)
			assert_headers(c, want, NELEM(want));
		assert_null(bn_frame_get(c, BN_OWSESS_NEW_ID_HDR));
		assert_int_equal(c->body_len, 7);
		assert_memory_equal(c->body, "\0\1whole", 7);
		bn_frame_free(c);
		bn_frame_free(m);
	}
}

/* keep: its own queue, a new id; a topic's message is not published
 * again (its subscribers here have it). */
static void
test_keep(void **state)
{
	static const char *const want[] = {
		"destination", "/queue/orders",
		BN_OWSESS_NEW_ID_HDR, "true",
		BN_OWSESS_NATIVE_HDR, BN_OWSESS_NATIVE,
		"brokernet_unfaithful", "it is a MapMessage",
		"brokernet_path", ",C,",
	};
	struct bn_frame	*m, *c;

	(void)state;
	m = unfaithful("/queue/orders", BN_OWSESS_NATIVE);
	assert_int_equal(bn_unf_copy(m, BN_UNFAITHFUL_KEEP, false, &c), BN_UNF_COPY);
	assert_headers(c, want, NELEM(want));
	assert_int_equal(c->body_len, 7);
	bn_frame_free(c);
	bn_frame_free(m);
	m = unfaithful("/topic/prices", BN_OWSESS_NATIVE);
	c = (struct bn_frame *)1;
	assert_int_equal(bn_unf_copy(m, BN_UNFAITHFUL_KEEP, false, &c),
	    BN_UNF_SETTLE);
	assert_null(c);
	bn_frame_free(m);
	assert_string_equal(bn_unf_done(BN_UNFAITHFUL_KEEP),
	    "kept on its broker");
	assert_string_equal(bn_unf_done(BN_UNFAITHFUL_DEAD_LETTER),
	    "dead-lettered");
}

/* No whole message, no copy: never acked in its place either. */
static void
test_not_whole(void **state)
{
	static const char *const forms[] = { NULL, "openwire-11", "" };
	struct bn_frame	*m, *c;
	size_t		 i;
	int		 mode;

	(void)state;
	for (i = 0; i < NELEM(forms); i++)
		for (mode = 0; mode < 2; mode++) {
			m = unfaithful("/queue/orders", forms[i]);
			c = (struct bn_frame *)1;
			assert_int_equal(bn_unf_copy(m,
			    (enum bn_unfaithful)mode, false, &c),
			    BN_UNF_REFUSE);
			assert_null(c);
			bn_frame_free(m);
		}
	/* without the reason it is no unfaithful message at all */
	m = bn_frame_new("MESSAGE");
	bn_frame_add_header(m, "destination", "/queue/orders");
	bn_frame_add_header(m, BN_OWSESS_NATIVE_HDR, BN_OWSESS_NATIVE);
	assert_int_equal(bn_unf_copy(m, BN_UNFAITHFUL_KEEP, false, &c),
	    BN_UNF_REFUSE);
	bn_frame_free(m);
}

/* A MESSAGE as ActiveMQ's STOMP gives it: body, then extra headers. */
static struct bn_frame *
stomp_message(const char *body, ...)
{
	struct bn_frame	*f = bn_frame_new("MESSAGE");
	const char	*n, *v;
	va_list		 ap;

	bn_frame_add_header(f, "subscription", "s1");
	bn_frame_add_header(f, "destination", "/queue/orders");
	bn_frame_add_header(f, "message-id", "ID:p-1:1:1:8");
	bn_frame_add_header(f, "ack", "ID:s-1-8");
	va_start(ap, body);
	while ((n = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		bn_frame_add_header(f, n, v);
	}
	va_end(ap);
	bn_frame_set_body(f, body, strlen(body));
	return f;
}

/* Over stomp:// the one copy is a NACK of the MESSAGE's ack id, any mode. */
static void
test_stomp_nack(void **state)
{
	static const char *const want[] = { "id", "ID:s-1-8" };
	struct bn_frame	*m, *c;
	int		 mode;

	(void)state;
	for (mode = 0; mode < 2; mode++) {
		m = stomp_message("", NULL);
		bn_frame_add_header(m, BN_OWSESS_UNFAITHFUL_HDR, "why");
		assert_int_equal(bn_unf_copy(m, (enum bn_unfaithful)mode, true,
		    &c), BN_UNF_NACK);
		assert_string_equal(c->command, "NACK");
		assert_headers(c, want, NELEM(want));
		assert_int_equal(c->body_len, 0);
		bn_frame_free(c);
		bn_frame_free(m);
	}
	/* with no ack id there is nothing to NACK: never acked either */
	m = stomp_message("", NULL);
	bn_frame_del_header(m, "ack");
	bn_frame_add_header(m, BN_OWSESS_UNFAITHFUL_HDR, "why");
	assert_int_equal(bn_unf_copy(m, BN_UNFAITHFUL_DEAD_LETTER, true, &c),
	    BN_UNF_REFUSE);
	assert_null(c);
	bn_frame_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dead_letter),
		cmocka_unit_test(test_keep),
		cmocka_unit_test(test_not_whole),
		cmocka_unit_test(test_stomp_nack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
