/*
 * owprobe: a small blocking OpenWire client on the codec in
 * bridge/openwire.c, to prove it against a real ActiveMQ broker.
 *
 *   owprobe [-H host] -p port selftest QUEUE
 *	handshake, ConnectionInfo/SessionInfo/ProducerInfo, one message of
 *	each JMS class with typed properties sent in a local transaction,
 *	then a consumer takes them back, acks, and prints what it decoded.
 *   owprobe [-H host] -p port [-a] relay SRC DST COUNT
 *	consumes COUNT messages from queue SRC and sends each to queue DST
 *	with its class, body, properties and message id untouched (-a: adds
 *	a brokernet_via string property, the rest byte for byte), acking
 *	and sending in one local transaction. -s turns every typed property
 *	into a string, as a STOMP hop does (a negative control: the JMS check
 *	must see it).
 *   owprobe [-H host] -p port watch TOPIC COUNT
 *	prints COUNT messages from a topic (advisories) with the command
 *	nested in each (ConsumerInfo, RemoveInfo...) decoded.
 *   -d DIR writes every frame sent and received to DIR/NNN-in|out-Type.bin.
 *
 * Prints one line per decoded message; exits 0 on success, 1 with a
 * reason on stderr. Every wait is bounded (10 s).
 *
 * This file owns main() and the three commands; the client is in
 * owprobe_client.c, the printing in owprobe_print.c, what they share in
 * owprobe.h.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "brokernet/openwire.h"
#include "brokernet/util.h"

#include "owprobe.h"

static int
cmd_selftest(struct probe *p, const char *queue)
{
	static const uint8_t types[] = { BN_OW_MESSAGE, BN_OW_TEXT_MESSAGE,
	    BN_OW_BYTES_MESSAGE, BN_OW_MAP_MESSAGE, BN_OW_OBJECT_MESSAGE,
	    BN_OW_STREAM_MESSAGE };
	/* Java serialization of the String "owprobe" */
	static const uint8_t object[] = { 0xac, 0xed, 0x00, 0x05, 0x74, 0x00,
	    0x07, 'o', 'w', 'p', 'r', 'o', 'b', 'e' };
	const size_t	 ntypes = sizeof(types);
	struct bn_ow_cmd c;
	struct bn_ow_txid tx;
	struct bn_buf	 props = { 0 }, body = { 0 };
	struct bn_ow_prim v;
	struct probe_held_id first, last;
	size_t		 i, at;
	const char	*text = "hello from owprobe";

	probe_tx(p, BN_OW_TX_BEGIN, &tx);
	for (i = 0; i < ntypes; i++) {
		bn_buf_reset(&props);
		bn_buf_reset(&body);
		at = bn_ow_map_begin(&props);
		v = bn_ow_prim_str("s", 1);
		bn_ow_map_put(&props, "pString", 7, &v);
		v = bn_ow_prim_int(BN_OW_P_INT, 7);
		bn_ow_map_put(&props, "pInt", 4, &v);
		v = bn_ow_prim_int(BN_OW_P_LONG, -1234567890123LL);
		bn_ow_map_put(&props, "pLong", 5, &v);
		v = bn_ow_prim_int(BN_OW_P_BOOL, 1);
		bn_ow_map_put(&props, "pBool", 5, &v);
		v = bn_ow_prim_int(BN_OW_P_BYTE, -5);
		bn_ow_map_put(&props, "pByte", 5, &v);
		v = bn_ow_prim_int(BN_OW_P_SHORT, 300);
		bn_ow_map_put(&props, "pShort", 6, &v);
		v = bn_ow_prim_int(BN_OW_P_DOUBLE, 0);
		v.d = 2.5;
		bn_ow_map_put(&props, "pDouble", 7, &v);
		v = bn_ow_prim_int(BN_OW_P_FLOAT, 0);
		v.f = 1.25f;
		bn_ow_map_put(&props, "pFloat", 6, &v);
		v = bn_ow_prim_int(BN_OW_P_INT, (int64_t)i);
		bn_ow_map_put(&props, "index", 5, &v);
		bn_ow_map_end(&props, at, 9);

		switch (types[i]) {
		case BN_OW_TEXT_MESSAGE: {
			uint8_t n[4] = { 0, 0, 0, (uint8_t)strlen(text) };

			bn_buf_add(&body, n, 4);
			bn_buf_addstr(&body, text);
			break;
		}
		case BN_OW_BYTES_MESSAGE:
			bn_buf_add(&body, "\x00\x01\x02\xff", 4);
			break;
		case BN_OW_MAP_MESSAGE:
			at = bn_ow_map_begin(&body);
			v = bn_ow_prim_str("v", 1);
			bn_ow_map_put(&body, "k", 1, &v);
			v = bn_ow_prim_int(BN_OW_P_LONG, 42);
			bn_ow_map_put(&body, "n", 1, &v);
			bn_ow_map_end(&body, at, 2);
			break;
		case BN_OW_OBJECT_MESSAGE:
			bn_buf_add(&body, object, sizeof(object));
			break;
		case BN_OW_STREAM_MESSAGE:
			v = bn_ow_prim_int(BN_OW_P_INT, 1);
			bn_ow_prim_put(&body, &v);
			v = bn_ow_prim_str("two", 3);
			bn_ow_prim_put(&body, &v);
			break;
		}
		memset(&c, 0, sizeof(c));
		c.type = types[i];
		c.u.msg.type = types[i];
		c.u.msg.producer_id = p->producer;
		c.u.msg.destination = (struct bn_ow_dest){ BN_OW_QUEUE,
		    probe_str(queue) };
		c.u.msg.transaction_id = tx;
		c.u.msg.message_id.set = true;
		c.u.msg.message_id.producer = p->producer;
		c.u.msg.message_id.producer_seq = ++p->seq;
		c.u.msg.persistent = i % 2 == 0;
		c.u.msg.priority = (uint8_t)(4 + i % 3);
		c.u.msg.timestamp = (int64_t)time(NULL) * 1000;
		c.u.msg.correlation_id = probe_str("corr-owprobe");
		c.u.msg.jms_type = probe_str("owprobe-type");
		if (body.len > 0 || types[i] != BN_OW_MESSAGE) {
			c.u.msg.content.p = (const uint8_t *)(body.data ?
			    body.data : "");
			c.u.msg.content.len = body.len;
		}
		c.u.msg.properties.p = (const uint8_t *)props.data;
		c.u.msg.properties.len = props.len;
		probe_request(p, &c, bn_ow_type_name(types[i]));
	}
	probe_tx(p, BN_OW_TX_COMMIT_ONE_PHASE, &tx);
	printf("sent %zu messages in transaction %" PRId64 "\n", ntypes,
	    tx.value);

	probe_subscribe(p, queue, 100);
	for (i = 0; i < ntypes; i++) {
		struct bn_ow_message *m = probe_next_message(p);

		print_message(m);
		if (i == 0)
			probe_hold_id(&first, &m->message_id);
		probe_hold_id(&last, &m->message_id);
	}
	probe_ack(p, queue, NULL, &first.id, &last.id, (int)ntypes);
	printf("received and acked %zu messages\n", ntypes);
	bn_buf_free(&props);
	bn_buf_free(&body);
	probe_close(p);
	return 0;
}

/*
 * Copies the properties with brokernet_via appended, the rest untouched;
 * stringify (-s, a negative control for the JMS check) turns every typed
 * value into a string as a STOMP hop does.
 */
static void
cmd_add_via(const struct bn_ow_bytes *in, struct bn_buf *out, bool stringify)
{
	char		 num[64];
	struct bn_ow_map_iter it;
	struct bn_ow_str name;
	struct bn_ow_prim v;
	struct bn_ow_bytes raw;
	char		 err[128];
	uint32_t	 n = 0;
	size_t		 at;
	int		 rc;

	bn_buf_reset(out);
	at = bn_ow_map_begin(out);
	if (in->p != NULL) {
		if (bn_ow_map_open(&it, in->p, in->len, err, sizeof(err)) == -1)
			probe_die("properties: %s", err);
		while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
		    sizeof(err))) == 1) {
			n++;
			if (!stringify || v.type < BN_OW_P_BOOL ||
			    v.type > BN_OW_P_FLOAT) {
				bn_ow_map_put_raw(out, &raw);
				continue;
			}
			if (v.type == BN_OW_P_BOOL)
				snprintf(num, sizeof(num), "%s",
				    v.i ? "true" : "false");
			else if (v.type == BN_OW_P_FLOAT)
				snprintf(num, sizeof(num), "%g", (double)v.f);
			else if (v.type == BN_OW_P_DOUBLE)
				snprintf(num, sizeof(num), "%g", v.d);
			else
				snprintf(num, sizeof(num), "%" PRId64, v.i);
			v = bn_ow_prim_str(num, strlen(num));
			bn_ow_map_put(out, name.p, name.len, &v);
		}
		if (rc == -1)
			probe_die("properties: %s", err);
	}
	v = bn_ow_prim_str("owprobe", 7);
	bn_ow_map_put(out, "brokernet_via", 13, &v);
	bn_ow_map_end(out, at, n + 1);
}

static int
cmd_relay(struct probe *p, const char *src, const char *dst, int count,
    bool via, bool stringify)
{
	struct bn_ow_cmd c;
	struct bn_ow_txid tx;
	struct bn_buf	 props = { 0 };
	struct probe_held_id first, last;
	int		 i;

	probe_subscribe(p, src, count);
	probe_tx(p, BN_OW_TX_BEGIN, &tx);
	for (i = 0; i < count; i++) {
		struct bn_ow_message *m = probe_next_message(p);

		print_message(m);
		if (i == 0)
			probe_hold_id(&first, &m->message_id);
		probe_hold_id(&last, &m->message_id);
		memset(&c, 0, sizeof(c));
		c.type = m->type;
		c.u.msg = *m;
		c.u.msg.producer_id = p->producer;
		c.u.msg.destination = (struct bn_ow_dest){ BN_OW_QUEUE,
		    probe_str(dst) };
		c.u.msg.transaction_id = tx;
		c.u.msg.target_consumer_id.type = 0;
		c.u.msg.redelivery_counter = 0;
		if (via || stringify) {
			cmd_add_via(&m->properties, &props, stringify);
			c.u.msg.properties.p = (const uint8_t *)props.data;
			c.u.msg.properties.len = props.len;
		}
		probe_request(p, &c, "relay send");
	}
	probe_ack(p, src, &tx, &first.id, &last.id, count);
	probe_tx(p, BN_OW_TX_COMMIT_ONE_PHASE, &tx);
	printf("relayed %d messages from %s to %s\n", count, src, dst);
	bn_buf_free(&props);
	probe_close(p);
	return 0;
}

/*
 * Prints COUNT messages from a topic (advisories): the nested command of
 * each decoded from its raw dataStructure.
 */
static int
cmd_watch(struct probe *p, const char *topic, int count)
{
	struct bn_ow_cmd nested;
	const struct bn_ow_id *id;
	char		 err[256];
	int		 i;

	probe_subscribe_to(p, BN_OW_TOPIC, topic, count);
	printf("subscribed to %s\n", topic);
	for (i = 0; i < count; i++) {
		struct bn_ow_message *m = probe_next_message(p);

		printf("%s on %.*s", bn_ow_type_name(m->type),
		    (int)m->destination.name.len, m->destination.name.p);
		if (m->data_structure.type != 0) {
			if (bn_ow_decode_nested(&m->data_structure, &p->fmt,
			    &nested, err, sizeof(err)) == -1)
				probe_die("dataStructure: %s", err);
			printf(" dataStructure=%s",
			    bn_ow_type_name(nested.type));
			if (nested.type == BN_OW_CONSUMER_INFO) {
				id = &nested.u.consumer.consumer_id;
				printf(" consumer=%.*s:%" PRId64 ":%" PRId64
				    " destination=%.*s prefetch=%d",
				    (int)id->str.len, id->str.p, id->session,
				    id->value,
				    (int)nested.u.consumer.destination.name.len,
				    nested.u.consumer.destination.name.p,
				    (int)nested.u.consumer.prefetch);
			}
			if (nested.type == BN_OW_REMOVE_INFO) {
				id = &nested.u.remove.object_id;
				printf(" removed=%s %.*s:%" PRId64 ":%" PRId64,
				    bn_ow_type_name(id->type),
				    (int)id->str.len, id->str.p, id->session,
				    id->value);
			}
		}
		print_map(" prop", &m->properties);
		printf("\n");
	}
	probe_close(p);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: owprobe [-H host] -p port [-u user -w pass] "
	    "selftest QUEUE\n"
	    "       owprobe [-H host] -p port [-a] [-s] [-d DIR] relay SRC DST "
	    "COUNT\n"
	    "       owprobe [-H host] -p port watch TOPIC COUNT\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct probe	 p;
	const char	*host = "127.0.0.1", *port = NULL;
	const char	*user = NULL, *pass = NULL;
	bool		 via = false, stringify = false;
	uint64_t	 count;
	int		 ch;

	memset(&p, 0, sizeof(p));
	p.next_id = 1;
	while ((ch = getopt(argc, argv, "H:p:u:w:ad:s")) != -1) {
		switch (ch) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'w':
			pass = optarg;
			break;
		case 'a':
			via = true;
			break;
		case 'd':
			p.dump_dir = optarg;
			break;
		case 's':
			stringify = true;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (port == NULL || argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	probe_connect(&p, host, port);
	probe_handshake(&p, user, pass);
	if (strcmp(argv[0], "selftest") == 0 && argc == 2)
		return cmd_selftest(&p, argv[1]);
	if (strcmp(argv[0], "relay") == 0 && argc == 4) {
		if (bn_strtou64(argv[3], 100000, &count) == -1 || count == 0)
			usage();
		return cmd_relay(&p, argv[1], argv[2], (int)count, via,
		    stringify);
	}
	if (strcmp(argv[0], "watch") == 0 && argc == 3) {
		if (bn_strtou64(argv[2], 100000, &count) == -1 || count == 0)
			usage();
		return cmd_watch(&p, argv[1], (int)count);
	}
	usage();
	return 2;
}
