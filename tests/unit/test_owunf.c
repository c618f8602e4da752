/*
 * Unit tests for the OpenWire broker session's part in settling a message
 * a plain peer cannot take unchanged (owsess.h, "brokernet-unfaithful";
 * forward.c and fwdunf.c make and send the copy): the message comes whole
 * and the session writes nothing for it; the copy asks for a Response,
 * which comes back as the RECEIPT that lets the owner's ACK go, or as an
 * ERROR for that receipt. On the fixture of test_owsess.c and test_owin.c.
 */
#include "owsess_fixture.h"

/* SENDs f (a frame) as the session's owner would; returns nlocal. */
static size_t
put_frame(struct t *t, const struct bn_frame *f)
{
	struct bn_buf	wire = { 0 };
	size_t		n;

	bn_frame_serialize(f, &wire);
	bn_buf_reset(&t->out);
	n = bn_owsess_out(t->o, wire.data, wire.len, &t->out);
	bn_buf_free(&wire);
	return n;
}

/*
 * A message a plain peer cannot take, as forward.c settles it: the whole
 * message comes to a "brokernet-unfaithful:whole" subscription and the
 * session writes nothing for it; the owner's copy (kept: its own queue,
 * a new id; dead-lettered: ActiveMQ.DLQ, the original destination) asks
 * for a Response, and only the RECEIPT lets the owner's ACK go. An
 * ExceptionResponse is an ERROR for that receipt: no ACK.
 */
static void
test_copy_receipted(void **state)
{
	static const struct {
		const char	*dest;
		bool		 keep;
		bool		 ok;
	} copies[] = {
		{ "/queue/X", true, true },
		{ "/queue/ActiveMQ.DLQ", false, true },
		{ "/queue/X", true, false },
		{ "/queue/ActiveMQ.DLQ", false, false },
	};
	struct t	*t = *state;
	struct bn_ow_cmd c[MAXCMD], d;
	struct bn_ow_message *m = &c[0].u.msg;
	struct bn_buf	 pr = { 0 }, body = { 0 };
	struct bn_frame	*msg, *copy, *f;
	struct bn_ow_prim v;
	const char	*why;
	char		 rid[8];
	size_t		 i;

	up(t);
	put(t, "SUBSCRIBE\nid:w\ndestination:/queue/X\nack:client\n"
	    "brokernet-unfaithful:whole\n\n");
	map_body(&body);
	red_props(&pr, "pInt");
	for (i = 0; i < NELEM(copies); i++) {
		dispatch(&d, 1, BN_OW_MAP_MESSAGE, &body, &pr,
		    (int64_t)(20 + i));
		msg = feed(t, &d);
		assert_int_equal(t->reply.len, 0);	/* no copy, no ack */
		why = bn_frame_get(msg, BN_OWSESS_UNFAITHFUL_HDR);
		assert_non_null(why);
		copy = bn_frame_new("SEND");
		bn_frame_add_header(copy, "destination", copies[i].dest);
		bn_frame_add_header(copy, BN_OWSESS_NATIVE_HDR,
		    BN_OWSESS_NATIVE);
		bn_frame_add_header(copy, "brokernet_unfaithful", why);
		if (copies[i].keep)
			bn_frame_add_header(copy, BN_OWSESS_NEW_ID_HDR, "true");
		else
			bn_frame_add_header(copy, "original-destination",
			    "/queue/X");
		snprintf(rid, sizeof(rid), "r%zu", i);
		bn_frame_add_header(copy, "receipt", rid);
		bn_frame_set_body(copy, msg->body, msg->body_len);
		assert_int_equal(put_frame(t, copy), 0);
		bn_frame_free(copy);
		/* one command: the copy, waiting for its Response */
		assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
		assert_int_equal(c[0].type, BN_OW_MAP_MESSAGE);
		assert_true(c[0].response_required);
		assert_true(str_is(&m->destination.name, copies[i].dest + 7));
		assert_int_equal(m->content.len, body.len);
		assert_true(prop_is(&m->properties, "brokernet_unfaithful",
		    "it is a MapMessage"));
		assert_true(prop_is(&m->properties, "color", "red"));
		assert_int_equal(map_get(&m->properties, "pInt", &v), 1);
		assert_true(v.type == BN_OW_P_INT && v.i == 7);
		if (copies[i].keep) {
			/* its broker would take the old id for a duplicate */
			assert_true(str_is(&m->message_id.producer.str,
			    t->conn));
			assert_int_equal(m->original_destination.type, 0);
		} else {
			assert_true(str_is(&m->message_id.producer.str,
			    "ID:prod-1"));
			assert_true(m->message_id.producer_seq ==
			    (int64_t)(20 + i));
			assert_true(str_is(&m->original_destination.name,
			    "X"));
		}
		f = response(t, copies[i].ok ? BN_OW_RESPONSE :
		    BN_OW_EXCEPTION_RESPONSE, c[0].command_id);
		assert_non_null(f);
		assert_int_equal(t->reply.len, 0);
		assert_string_equal(f->command, copies[i].ok ? "RECEIPT" :
		    "ERROR");
		assert_string_equal(bn_frame_get(f, "receipt-id"), rid);
		if (!copies[i].ok)
			assert_string_equal(bn_frame_get(f, "message"),
			    "javax.jms.JMSException: no way");
		bn_frame_free(f);
		bn_frame_free(msg);
		if (!copies[i].ok)
			continue;	/* not acked: given back on unsubscribe */
		/* then, and only then, the owner's ACK */
		snprintf(rid, sizeof(rid), "1-%zu", i + 1);
		f = bn_frame_new("ACK");
		bn_frame_add_header(f, "id", rid);
		assert_int_equal(put_frame(t, f), 0);
		bn_frame_free(f);
		assert_int_equal(decode_all(&t->out, c, MAXCMD), 1);
		assert_int_equal(c[0].type, BN_OW_MESSAGE_ACK);
		assert_true(c[0].u.ack.last_message_id.producer_seq ==
		    (int64_t)(20 + i));
	}
	/* an original destination that names none: refused, not written */
	dispatch(&d, 1, BN_OW_MAP_MESSAGE, &body, &pr, 30);
	msg = feed(t, &d);
	copy = bn_frame_new("SEND");
	bn_frame_add_header(copy, "destination", "/queue/ActiveMQ.DLQ");
	bn_frame_add_header(copy, BN_OWSESS_NATIVE_HDR, BN_OWSESS_NATIVE);
	bn_frame_add_header(copy, "original-destination", "nowhere");
	bn_frame_add_header(copy, "receipt", "r9");
	bn_frame_set_body(copy, msg->body, msg->body_len);
	assert_int_equal(put_frame(t, copy), 1);
	assert_int_equal(t->out.len, 0);
	assert_local_error(t, "r9");
	bn_frame_free(copy);
	bn_frame_free(msg);
	bn_buf_free(&pr);
	bn_buf_free(&body);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_copy_receipted),
	};

	/* owsess logs each refused frame; the assertions say enough */
	bn_log_init(-1, 0, "test_owunf");
	bn_ow_format_default(&fmt);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
