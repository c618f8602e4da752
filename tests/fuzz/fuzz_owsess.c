/*
 * libFuzzer harness for the OpenWire broker session (bridge/owsess.c,
 * owin.c, owsend.c). Each input drives one session: a valid handshake
 * first (CONNECT, the broker's WireFormatInfo and the Response to
 * ConnectionInfo, built with the codec's encoder), five subscriptions,
 * a transaction, then the input's chunks, each either frames the session
 * writes (bn_owsess_out) or bytes from the broker (bn_owsess_in, as one
 * growing stream), until the session reports ERROR.
 *
 * Input: a mode byte, then chunks of [dir][len hi][len lo][len bytes]
 * (dir bit 0: 0 out, 1 in; a short last chunk takes what is left).
 * Mode bits:
 *   0-2  what subscription 1 is (ConsumerId value 1, the value captured
 *        broker dispatches carry): ack:client, client-individual, native,
 *        auto, jms-map-json, native auto, native client-individual, a
 *        topic with a selector; 2..5 are auto, native, individual and
 *        jms-map-json
 *   3    the broker's MaxFrameSize is 4096 (encoding refusals)
 *   4    no self name (bn_owsess_new(..., NULL))
 *   5    no feedback: MESSAGEs are not acked and sent on
 *   6-7  broker bytes handed over 1, 7 or 64 bytes at a time, or whole
 *
 * Besides the sanitizers it checks: everything written to the broker
 * decodes, command by command; a frame made
 * from broker bytes serializes and parses back; a MESSAGE has its
 * subscription, message-id, destination and ack headers; a native body
 * decodes as one whole message; ERROR comes with a reason; frames waiting
 * in bn_owsess_local are ERRORs with a receipt-id; after
 * bn_owsess_reset the handshake works again. With feedback on, every
 * MESSAGE is ACKed or NACKed by its token and sent on (native bodies
 * whole), so ACK and SEND see what the session itself made.
 *
 * FUZZ_OWSESS_LOG=0..3 turns the session's log on.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/openwire.h"
#include "brokernet/owsess.h"
#include "brokernet/util.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fz {
	struct bn_owsess	*o;
	struct bn_ow_format	 fmt;	/* the broker's (the handshake's) */
	struct bn_ow_format	 any;	/* reads all the session may write */
	struct bn_buf		 out;	/* commands to the broker */
	struct bn_buf		 in;	/* broker bytes not used yet */
	struct bn_buf		 wire;
	size_t			 need;	/* in.len NEED_MORE asked for */
	uint8_t			 mode;
	unsigned		 nmsg;
	bool			 lost;
};


static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_owsess: %s\n", what);
		abort();
	}
}

/* Everything in b is whole commands in the negotiated format. */
static void
check_commands(const struct fz *z, const struct bn_buf *b)
{
	struct bn_ow_cmd c;
	char		 err[256];
	size_t		 off = 0, used;

	while (off < b->len) {
		if (bn_ow_decode((const uint8_t *)b->data + off, b->len - off,
		    &z->any, &c, &used, err, sizeof(err)) != BN_PARSE_OK) {
			fprintf(stderr, "fuzz_owsess: wrote a bad command at "
			    "%zu of %zu: %s\n", off, b->len, err);
			abort();
		}
		off += used;
	}
}

static void
drain_local(struct fz *z)
{
	struct bn_frame	*f;

	while ((f = bn_owsess_local(z->o)) != NULL) {
		check(strcmp(f->command, "ERROR") == 0, "local, not ERROR");
		check(bn_frame_get(f, "receipt-id") != NULL,
		    "local ERROR without receipt-id");
		check(bn_frame_get(f, "message") != NULL,
		    "local ERROR without message");
		bn_frame_free(f);
	}
}

/* Frames (wire form) to the session; what it writes is checked. */
static void
out(struct fz *z, const char *p, size_t len)
{
	char	*copy = xmalloc(len > 0 ? len : 1);

	memcpy(copy, p, len);
	bn_buf_reset(&z->out);
	(void)bn_owsess_out(z->o, copy, len, &z->out);
	free(copy);
	check_commands(z, &z->out);
	drain_local(z);
}

static void
out_str(struct fz *z, const char *s)
{
	out(z, s, strlen(s) + 1);
}

static void
out_frame(struct fz *z, const struct bn_frame *f)
{
	bn_buf_reset(&z->wire);
	bn_frame_serialize(f, &z->wire);
	out(z, z->wire.data, z->wire.len);
}

/* A frame from the session: well formed; fed back when asked. */
static void
on_frame(struct fz *z, struct bn_frame *f)
{
	struct bn_frame_limits lim;
	struct bn_frame	*back = NULL, *s;
	struct bn_ow_cmd c;
	const char	*perr, *ack, *native;
	char		 err[256];
	size_t		 used, need, i;

	bn_buf_reset(&z->wire);
	bn_frame_serialize(f, &z->wire);
	bn_frame_limits_default(&lim);
	lim.max_frame_size = SIZE_MAX / 2;
	check(bn_frame_parse(z->wire.data, z->wire.len, &lim, &back, &used,
	    &need, NULL, &perr) == BN_PARSE_OK && back != NULL &&
	    used == z->wire.len, "a frame made here does not parse back");
	bn_frame_free(back);
	if (strcmp(f->command, "ERROR") == 0)
		check(bn_frame_get(f, "message") != NULL, "ERROR, no message");
	if (strcmp(f->command, "MESSAGE") != 0)
		return;
	check(bn_frame_get(f, "subscription") != NULL &&
	    bn_frame_get(f, "message-id") != NULL &&
	    bn_frame_get(f, "destination") != NULL &&
	    (ack = bn_frame_get(f, "ack")) != NULL, "MESSAGE headers");
	native = bn_frame_get(f, BN_OWSESS_NATIVE_HDR);
	if (native != NULL) {
		check(strcmp(native, BN_OWSESS_NATIVE) == 0, "native form");
		check(bn_ow_decode((const uint8_t *)f->body, f->body_len,
		    &z->any, &c, &used, err, sizeof(err)) == BN_PARSE_OK &&
		    used == f->body_len && c.type >= BN_OW_MESSAGE &&
		    c.type <= BN_OW_TEXT_MESSAGE, "native body not a message");
	}
	if (z->mode & 0x20)
		return;
	/* send it on, then ACK or NACK it (auto subscriptions: refused) */
	s = bn_frame_new("SEND");
	for (i = 0; i < f->nheaders; i++)
		bn_frame_add_header(s, f->headers[i].name,
		    f->headers[i].value);
	bn_frame_set_header(s, "destination", z->nmsg % 3 == 0 ?
	    "/topic/Y" : z->nmsg % 3 == 1 ? "/temp-queue/Y" : "/queue/Y");
	if (native != NULL)
		bn_frame_set_header(s, "brokernet_path", ",A,B,");
	if (z->nmsg % 4 == 1)
		bn_frame_set_header(s, "transaction", "tx1");
	if (z->nmsg % 5 == 2)
		bn_frame_set_header(s, "receipt", "r-send");
	bn_frame_set_body(s, f->body, f->body_len);
	out_frame(z, s);
	bn_frame_free(s);
	s = bn_frame_new(z->nmsg % 7 == 3 ? "NACK" : "ACK");
	bn_frame_add_header(s, "id", ack);
	if (z->nmsg % 2)
		bn_frame_add_header(s, "receipt", "r-ack");
	out_frame(z, s);
	bn_frame_free(s);
	z->nmsg++;
}

/*
 * Broker bytes: appended to the stream, commands taken while whole; as
 * stompow.c does, no new call before the length NEED_MORE named.
 */
static void
in(struct fz *z, const uint8_t *p, size_t len)
{
	struct bn_frame	*f;
	struct bn_buf	 reply = { 0 };
	enum bn_parse_result r;
	char		 err[256];
	uint8_t		*copy;
	size_t		 used;

	bn_buf_add(&z->in, p, len);
	while (!z->lost && z->in.len > 0 && z->in.len >= z->need) {
		copy = xmalloc(z->in.len);
		memcpy(copy, z->in.data, z->in.len);
		err[0] = '\0';
		bn_buf_reset(&reply);
		r = bn_owsess_in(z->o, copy, z->in.len, &used, &reply, &f,
		    err, sizeof(err));
		free(copy);
		if (r == BN_PARSE_ERROR) {
			check(err[0] != '\0', "ERROR without a reason");
			check(f == NULL && reply.len == 0, "ERROR with output");
			z->lost = true;
			break;
		}
		if (r == BN_PARSE_NEED_MORE) {
			check(f == NULL && reply.len == 0, "NEED_MORE output");
			check(used == 0 || used > z->in.len, "NEED_MORE used");
			z->need = used;
			break;
		}
		check(used > 0 && used <= z->in.len, "OK used");
		z->need = 0;
		check_commands(z, &reply);
		memmove(z->in.data, z->in.data + used, z->in.len - used);
		z->in.len -= used;
		if (f != NULL) {
			on_frame(z, f);
			bn_frame_free(f);
		}
	}
	bn_buf_free(&reply);
}

/* CONNECT .. CONNECTED with encoder-built broker commands. */
static void
handshake(struct fz *z)
{
	struct bn_ow_cmd c, wf;
	struct bn_buf	 b = { 0 }, props = { 0 }, reply = { 0 };
	struct bn_frame	*f;
	char		 err[256];
	size_t		 used;
	int32_t		 cid;

	/* a CONNECT among the chunks may negotiate another MaxFrameSize */
	bn_ow_format_default(&z->any);
	bn_ow_format_default(&z->fmt);
	if (z->mode & 0x08)
		z->fmt.max_frame = 4096;
	out_str(z, "CONNECT\nlogin:u\npasscode:p\nheart-beat:30000,0\n\n");
	check(z->out.len > 0, "no WireFormatInfo");
	bn_ow_wireformat_build(&wf, &props, &z->fmt, 30000, 10000);
	check(bn_ow_encode(&b, &wf, &z->fmt, err, sizeof(err)) == 0, "wf");
	check(bn_owsess_in(z->o, (uint8_t *)b.data, b.len, &used, &reply, &f,
	    err, sizeof(err)) == BN_PARSE_OK && f == NULL, "wf refused");
	check_commands(z, &reply);
	check(bn_ow_decode((uint8_t *)reply.data, reply.len, &z->fmt, &c,
	    &used, err, sizeof(err)) == BN_PARSE_OK &&
	    c.type == BN_OW_CONNECTION_INFO, "no ConnectionInfo");
	cid = c.command_id;
	memset(&c, 0, sizeof(c));
	c.type = BN_OW_RESPONSE;
	c.u.resp.correlation_id = cid;
	bn_buf_reset(&b);
	bn_buf_reset(&reply);
	check(bn_ow_encode(&b, &c, &z->fmt, err, sizeof(err)) == 0, "resp");
	check(bn_owsess_in(z->o, (uint8_t *)b.data, b.len, &used, &reply, &f,
	    err, sizeof(err)) == BN_PARSE_OK && f != NULL &&
	    strcmp(f->command, "CONNECTED") == 0, "no CONNECTED");
	bn_frame_free(f);
	bn_buf_free(&b);
	bn_buf_free(&props);
	bn_buf_free(&reply);
}

static void
subscribe(struct fz *z)
{
	static const char *const first[] = {
		"ack:client\n",
		"ack:client-individual\n",
		"ack:client\nbrokernet-native:true\n",
		"ack:auto\n",
		"ack:client\ntransformation:jms-map-json\n",
		"brokernet-native:true\n",
		"ack:client-individual\nbrokernet-native:true\n",
		"ack:client\nselector:a > 1\nactivemq.prefetchSize:5\n",
	};
	char	 f[256];

	snprintf(f, sizeof(f), "SUBSCRIBE\nid:s1\ndestination:%s\n%s\n",
	    (z->mode & 7) == 7 ? "/topic/T" : "/queue/X", first[z->mode & 7]);
	out_str(z, f);
	out_str(z, "SUBSCRIBE\nid:s2\ndestination:/queue/X\n\n");
	out_str(z, "SUBSCRIBE\nid:s3\ndestination:/queue/X\nack:client\n"
	    "brokernet-native:true\n\n");
	out_str(z, "SUBSCRIBE\nid:s4\ndestination:/temp-queue/t\n"
	    "ack:client-individual\n\n");
	out_str(z, "SUBSCRIBE\nid:s5\ndestination:/queue/X\nack:client\n"
	    "transformation:jms-map-json\nreceipt:r5\n\n");
	out_str(z, "BEGIN\ntransaction:tx1\n\n");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*v = getenv("FUZZ_OWSESS_LOG");

	(void)argc;
	(void)argv;
	bn_log_init(v != NULL ? atoi(v) : -1, 0, "fuzz_owsess");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t strides[] = { 1, 7, 64, SIZE_MAX };
	struct fz	 z;
	size_t		 off = 1, len, k, step;
	uint8_t		 dir;

	if (size < 1)
		return 0;
	memset(&z, 0, sizeof(z));
	z.mode = data[0];
	z.o = bn_owsess_new("fuzz", z.mode & 0x10 ? NULL : "B");
	handshake(&z);
	subscribe(&z);
	step = strides[z.mode >> 6];
	while (!z.lost && size - off >= 3) {
		dir = data[off] & 1;
		len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		if (dir == 0)
			out(&z, (const char *)data + off, len);
		else
			for (k = 0; k < len && !z.lost; k += step)
				in(&z, data + off + k, len - k < step ?
				    len - k : step);
		off += len;
	}
	/* a new connection: nothing carried over stops the handshake */
	bn_owsess_reset(z.o);
	bn_buf_reset(&z.in);
	z.need = 0;
	z.lost = false;
	handshake(&z);
	out_str(&z, "SUBSCRIBE\nid:s1\ndestination:/queue/X\n\n");
	drain_local(&z);
	bn_owsess_free(z.o);
	bn_buf_free(&z.out);
	bn_buf_free(&z.in);
	bn_buf_free(&z.wire);
	return 0;
}
