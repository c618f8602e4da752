/*
 * The state of an OpenWire broker session that its three files share
 * (include/brokernet/owstate.h): strings, commands out with the receipts
 * they wait for, destinations (temporary ones made on first use),
 * transactions and consumers by id. Pure: no I/O.
 */
#include <sys/queue.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/openwire.h"
#include "brokernet/owsess.h"
#include "brokernet/owstate.h"
#include "brokernet/util.h"

struct bn_ow_str
bn_owsess_str(const char *s)
{
	struct bn_ow_str r = { s, s != NULL ? strlen(s) : 0 };

	return r;
}

/* Appends c; with receipt, the Response is awaited for it. */
int
bn_owsess_emit(struct bn_owsess *o, struct bn_ow_cmd *c, const char *receipt,
    struct bn_buf *out, char *err, size_t errlen)
{
	struct ow_wait	*w;

	c->command_id = ++o->next_cid;
	c->response_required = receipt != NULL;
	if (c->type >= BN_OW_MESSAGE && c->type <= BN_OW_TEXT_MESSAGE) {
		c->u.msg.command_id = c->command_id;
		c->u.msg.response_required = c->response_required;
	}
	if (bn_ow_encode(out, c, &o->fmt, err, errlen) == -1)
		return -1;
	if (receipt != NULL) {
		w = xmalloc(sizeof(*w));
		w->command_id = c->command_id;
		w->receipt = xstrdup(receipt);
		TAILQ_INSERT_TAIL(&o->waits, w, entry);
	}
	return 0;
}

/*
 * A STOMP temporary destination ("/temp-queue/NAME") is a temporary
 * destination of this connection ("CONNECTION-ID:N", as ActiveMQ names
 * them), made with a DestinationInfo on first use, as ActiveMQ's STOMP
 * transport does.
 */
static int
ow_temp(struct bn_owsess *o, uint8_t type, const char *name,
    struct bn_ow_dest *d, struct bn_buf *out)
{
	struct ow_temp	*t;
	struct bn_ow_cmd c;
	char		 err[128];

	TAILQ_FOREACH(t, &o->temps, entry)
		if (t->type == type && strcmp(t->name, name) == 0)
			break;
	if (t == NULL) {
		t = xcalloc(1, sizeof(*t));
		t->type = type;
		t->name = xstrdup(name);
		t->seq = ++o->next_temp;
		xasprintf(&t->physical, "%s:%" PRId64, o->conn_id, t->seq);
		TAILQ_INSERT_TAIL(&o->temps, t, entry);
		memset(&c, 0, sizeof(c));
		c.type = BN_OW_DESTINATION_INFO;
		c.u.dest.connection_id = (struct bn_ow_id){
		    BN_OW_CONNECTION_ID, bn_owsess_str(o->conn_id), 0, 0 };
		c.u.dest.destination = (struct bn_ow_dest){ type,
		    bn_owsess_str(t->physical) };
		c.u.dest.operation = BN_OW_DEST_ADD;
		if (bn_owsess_emit(o, &c, NULL, out, err, sizeof(err)) == -1)
			return -1;
	}
	d->type = type;
	d->name = bn_owsess_str(t->physical);
	return 0;
}

/*
 * "/queue/X", "/topic/X" to a destination pointing into s; temporary ones
 * are made (into out) on first use.
 */
int
bn_owsess_dest(struct bn_owsess *o, const char *s, struct bn_ow_dest *d,
    struct bn_buf *out)
{
	static const struct { const char *prefix; uint8_t type; } map[] = {
		{ "/queue/", BN_OW_QUEUE }, { "/topic/", BN_OW_TOPIC },
		{ "/temp-queue/", BN_OW_TEMP_QUEUE },
		{ "/temp-topic/", BN_OW_TEMP_TOPIC },
	};
	size_t	i, n;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		n = strlen(map[i].prefix);
		if (strncmp(s, map[i].prefix, n) == 0 && s[n] != '\0') {
			if (map[i].type == BN_OW_TEMP_QUEUE ||
			    map[i].type == BN_OW_TEMP_TOPIC)
				return ow_temp(o, map[i].type, s + n, d, out);
			d->type = map[i].type;
			d->name = bn_owsess_str(s + n);
			return 0;
		}
	}
	return -1;
}

void
bn_owsess_temps_since(struct bn_owsess *o, int64_t seq)
{
	struct ow_temp	*t, *next;

	for (t = TAILQ_FIRST(&o->temps); t != NULL; t = next) {
		next = TAILQ_NEXT(t, entry);
		if (t->seq <= seq)
			continue;
		TAILQ_REMOVE(&o->temps, t, entry);
		free(t->name);
		free(t->physical);
		free(t);
	}
	o->next_temp = seq;
}

struct ow_tx *
bn_owsess_tx(struct bn_owsess *o, const char *name)
{
	struct ow_tx	*t;

	if (name == NULL)
		return NULL;
	TAILQ_FOREACH(t, &o->txs, entry)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

struct bn_ow_id
bn_owsess_conn_id(struct bn_owsess *o)
{
	struct bn_ow_id	id = { BN_OW_CONNECTION_ID, bn_owsess_str(o->conn_id), 0, 0 };

	return id;
}

struct bn_ow_txid
bn_owsess_txid(struct bn_owsess *o, const struct ow_tx *t)
{
	struct bn_ow_txid	tx;

	memset(&tx, 0, sizeof(tx));
	if (t != NULL) {
		tx.type = BN_OW_LOCAL_TRANSACTION_ID;
		tx.value = t->value;
		tx.connection = bn_owsess_conn_id(o);
	}
	return tx;
}

int
bn_owsess_frame_tx(struct bn_owsess *o, const struct bn_frame *f,
    struct bn_ow_txid *tx, char *err, size_t errlen)
{
	const char	*name = bn_frame_get(f, "transaction");
	struct ow_tx	*t = bn_owsess_tx(o, name);

	if (name != NULL && t == NULL) {
		/* as ActiveMQ's STOMP: never outside the transaction asked for */
		snprintf(err, errlen, "transaction %s is not open (ended, or "
		    "begun on an earlier connection)", name);
		return -1;
	}
	*tx = bn_owsess_txid(o, t);
	return 0;
}

struct ow_consumer *
bn_owsess_consumer(struct bn_owsess *o, int64_t v)
{
	struct ow_consumer	*c;

	TAILQ_FOREACH(c, &o->consumers, entry)
		if (c->value == v)
			return c;
	return NULL;
}

struct bn_ow_id
bn_owsess_consumer_id(struct bn_owsess *o, const struct ow_consumer *c)
{
	struct bn_ow_id	id = { BN_OW_CONSUMER_ID, bn_owsess_str(o->conn_id), 1,
			    c->value };

	return id;
}

bool
bn_owsess_hdr_true(const struct bn_frame *f, const char *name)
{
	const char	*v = bn_frame_get(f, name);

	return v != NULL && strcmp(v, "true") == 0;
}
