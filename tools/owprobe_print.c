/*
 * owprobe's output: one line per decoded message with its class, id,
 * headers, body and typed properties.
 */
#include <inttypes.h>
#include <stdio.h>

#include "brokernet/openwire.h"

#include "owprobe.h"

static void
print_value(const struct bn_ow_prim *v)
{
	switch (v->type) {
	case BN_OW_P_NULL:
		printf("null");
		break;
	case BN_OW_P_BOOL:
		printf("boolean:%s", v->i ? "true" : "false");
		break;
	case BN_OW_P_BYTE:
		printf("byte:%" PRId64, v->i);
		break;
	case BN_OW_P_CHAR:
		printf("char:%" PRId64, v->i);
		break;
	case BN_OW_P_SHORT:
		printf("short:%" PRId64, v->i);
		break;
	case BN_OW_P_INT:
		printf("int:%" PRId64, v->i);
		break;
	case BN_OW_P_LONG:
		printf("long:%" PRId64, v->i);
		break;
	case BN_OW_P_FLOAT:
		printf("float:%g", (double)v->f);
		break;
	case BN_OW_P_DOUBLE:
		printf("double:%g", v->d);
		break;
	case BN_OW_P_STRING:
	case BN_OW_P_BIG_STRING:
		printf("string:%.*s%s", v->bytes.len > 40 ? 40 :
		    (int)v->bytes.len, (const char *)v->bytes.p,
		    v->bytes.len > 40 ? "..." : "");
		break;
	case BN_OW_P_BYTES:
		printf("bytes[%zu]", v->bytes.len);
		break;
	case BN_OW_P_MAP:
		printf("map[%u]", v->count);
		break;
	case BN_OW_P_LIST:
		printf("list[%u]", v->count);
		break;
	}
}

/* Prints a primitive map (properties or a MapMessage body). */
void
print_map(const char *what, const struct bn_ow_bytes *b)
{
	struct bn_ow_map_iter it;
	struct bn_ow_str name;
	struct bn_ow_prim v;
	struct bn_ow_bytes raw;
	char		 err[128];
	int		 rc;

	if (b->p == NULL)
		return;
	if (bn_ow_map_open(&it, b->p, b->len, err, sizeof(err)) == -1)
		probe_die("%s: %s", what, err);
	while ((rc = bn_ow_map_next(&it, &name, &v, &raw, err,
	    sizeof(err))) == 1) {
		printf(" %s.%.*s=", what, (int)name.len, name.p);
		print_value(&v);
	}
	if (rc == -1)
		probe_die("%s: %s", what, err);
}

void
print_message(const struct bn_ow_message *m)
{
	const struct bn_ow_id *pid = &m->message_id.producer;

	printf("%s id=%.*s:%" PRId64 ":%" PRId64 ":%" PRId64
	    " persistent=%d priority=%u",
	    bn_ow_type_name(m->type), (int)pid->str.len, pid->str.p,
	    pid->session, pid->value, m->message_id.producer_seq,
	    m->persistent, m->priority);
	if (m->correlation_id.p)
		printf(" correlation=%.*s", (int)m->correlation_id.len,
		    m->correlation_id.p);
	if (m->jms_type.p)
		printf(" type=%.*s", (int)m->jms_type.len, m->jms_type.p);
	printf(" content=%zu%s", m->content.len,
	    m->compressed ? "(compressed)" : "");
	if (m->type == BN_OW_TEXT_MESSAGE && !m->compressed &&
	    m->content.len >= 4)
		printf(" text=%.*s", (int)m->content.len - 4,
		    (const char *)m->content.p + 4);
	if (m->type == BN_OW_MAP_MESSAGE && !m->compressed)
		print_map("body", &m->content);
	print_map("prop", &m->properties);
	printf("\n");
}

