/*
 * Unit tests for the pure parts of the broker session's wire
 * (bridge/stompwire.c): CONNECTED's heart-beat header, the heart-beats
 * both sides agree on (STOMP's rule, and OpenWire's limit), and the
 * amq-msg-type mark that keeps a text a text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/owsess.h"
#include "brokernet/stompwire.h"

static void
test_heartbeat_header(void **state)
{
	static const struct {
		const char	*hb;
		uint64_t	 sx, sy;
	} cases[] = {
		{ "1000,2000", 1000, 2000 },
		{ "0,0", 0, 0 },
		{ "666,2000", 666, 2000 },
		{ NULL, 0, 0 },
		{ "", 0, 0 },
		{ "1000", 0, 0 },
		{ "x,1", 0, 0 },
		{ "1,x", 0, 0 },
		{ "99999999999,1", 0, 0 },
	};
	uint64_t	sx, sy;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sx = sy = 77;
		bn_stompwire_heartbeat(cases[i].hb, &sx, &sy);
		assert_int_equal(sx, cases[i].sx);
		assert_int_equal(sy, cases[i].sy);
	}
}

static void
test_hb_agree(void **state)
{
	static const struct {
		uint64_t	 ours, sx, sy;
		bool		 ow;
		uint64_t	 send, grace;
	} cases[] = {
		/* STOMP: the larger of what each side asks */
		{ 10000, 10000, 10000, false, 10000, 21000 },
		{ 2000, 5000, 8000, false, 8000, 11000 },
		{ 10000, 5000, 8000, false, 10000, 21000 },
		/* OpenWire: the broker's limit, lower than ours, is kept */
		{ 10000, 1333, 4000, true, 4000, 21000 },
		{ 2000, 666, 2000, true, 2000, 5000 },
		/* off on either side */
		{ 0, 1000, 1000, false, 0, 0 },
		{ 10000, 0, 0, true, 0, 0 },
		{ 10000, 0, 5000, false, 10000, 0 },
	};
	uint64_t	send, grace;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bn_stompwire_hb_agree(cases[i].ours, cases[i].sx, cases[i].sy,
		    cases[i].ow, &send, &grace);
		assert_int_equal(send, cases[i].send);
		assert_int_equal(grace, cases[i].grace);
	}
}

static void
test_mark_text(void **state)
{
	struct bn_frame	*f;

	(void)state;
	f = bn_frame_new("MESSAGE");
	bn_frame_set_body(f, "hi", 2);
	bn_stompwire_message_in(f, true);
	assert_string_equal(bn_frame_get(f, "amq-msg-type"), "text");
	bn_stompwire_message_in(f, true);
	assert_int_equal(f->nheaders, 1);
	bn_frame_free(f);
	/* a BytesMessage comes with content-length: not marked */
	f = bn_frame_new("MESSAGE");
	bn_frame_add_header(f, "content-length", "3");
	bn_stompwire_message_in(f, true);
	assert_null(bn_frame_get(f, "amq-msg-type"));
	bn_frame_free(f);
	/* a mark already there is kept */
	f = bn_frame_new("MESSAGE");
	bn_frame_add_header(f, "amq-msg-type", "bytes");
	bn_stompwire_message_in(f, true);
	assert_string_equal(bn_frame_get(f, "amq-msg-type"), "bytes");
	assert_int_equal(f->nheaders, 1);
	bn_frame_free(f);
}

/*
 * Empty, with neither content-length nor amq-msg-type: a Map, Object,
 * Stream or plain Message whose body ActiveMQ's STOMP dropped, or an empty
 * text; flagged with the reason (and marked text) when the session flags
 * them (stompEmptyBody="deadLetter"), only marked text otherwise. An empty
 * BytesMessage (content-length:0) and a declared text are not flagged.
 */
static void
test_empty_flagged(void **state)
{
	struct bn_frame	*f;

	(void)state;
	f = bn_frame_new("MESSAGE");
	bn_frame_add_header(f, "priority", "4");
	bn_stompwire_message_in(f, true);
	assert_string_equal(bn_frame_get(f, BN_OWSESS_UNFAITHFUL_HDR),
	    BN_STOMPWIRE_EMPTY_WHY);
	assert_string_equal(bn_frame_get(f, "amq-msg-type"), "text");
	/* a second pass takes its own mark for a declared text */
	bn_stompwire_message_in(f, true);
	assert_null(bn_frame_get(f, BN_OWSESS_UNFAITHFUL_HDR));
	bn_frame_free(f);
	/* stompEmptyBody="forward": marked text only */
	f = bn_frame_new("MESSAGE");
	bn_stompwire_message_in(f, false);
	assert_null(bn_frame_get(f, BN_OWSESS_UNFAITHFUL_HDR));
	assert_string_equal(bn_frame_get(f, "amq-msg-type"), "text");
	bn_frame_free(f);
	f = bn_frame_new("MESSAGE");
	bn_frame_add_header(f, "content-length", "0");
	bn_stompwire_message_in(f, true);
	assert_null(bn_frame_get(f, BN_OWSESS_UNFAITHFUL_HDR));
	bn_frame_free(f);
	f = bn_frame_new("MESSAGE");
	bn_frame_add_header(f, "amq-msg-type", "text");
	bn_stompwire_message_in(f, true);
	assert_null(bn_frame_get(f, BN_OWSESS_UNFAITHFUL_HDR));
	bn_frame_free(f);
	f = bn_frame_new("MESSAGE");
	bn_frame_set_body(f, "x", 1);
	bn_stompwire_message_in(f, true);
	assert_null(bn_frame_get(f, BN_OWSESS_UNFAITHFUL_HDR));
	bn_frame_free(f);
}

/* A STOMP client's headers never pass for the OpenWire session's own. */
static void
test_session_headers(void **state)
{
	struct bn_frame	*f;

	(void)state;
	f = bn_frame_new("MESSAGE");
	bn_frame_add_header(f, "content-length", "3");
	bn_frame_add_header(f, BN_OWSESS_UNFAITHFUL_HDR, "forged");
	bn_frame_add_header(f, "color", "red");
	bn_frame_add_header(f, BN_OWSESS_NATIVE_HDR, BN_OWSESS_NATIVE);
	bn_frame_add_header(f, BN_OWSESS_UNFAITHFUL_HDR, "again");
	bn_stompwire_message_in(f, true);
	assert_null(bn_frame_get(f, BN_OWSESS_UNFAITHFUL_HDR));
	assert_null(bn_frame_get(f, BN_OWSESS_NATIVE_HDR));
	assert_string_equal(bn_frame_get(f, "color"), "red");
	assert_int_equal(f->nheaders, 2);
	bn_frame_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heartbeat_header),
		cmocka_unit_test(test_hb_agree),
		cmocka_unit_test(test_mark_text),
		cmocka_unit_test(test_empty_flagged),
		cmocka_unit_test(test_session_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
