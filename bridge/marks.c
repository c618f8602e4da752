/* The broker-held duplicate window's marker list (see marks.h). */
#include <sys/queue.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/hmap.h"
#include "brokernet/marks.h"
#include "brokernet/util.h"

struct marks_ent {
	TAILQ_ENTRY(marks_ent)	 entry;		/* oldest first */
	uint64_t		 ts_ms;
	uint32_t		 nkeys;
	char			*ack;		/* delivered: its ack id */
	char			*body;		/* small and delivered: keys */
	size_t			 body_len;
	char			 tx[];
};
TAILQ_HEAD(marks_q, marks_ent);

struct bn_marks {
	struct marks_q		 q;
	struct bn_hmap		 by_tx;		/* tx -> entry */
	size_t			 n;
	size_t			 held;
	size_t			 held_small;	/* held with a body */
	uint64_t		 keys;
	uint64_t		 max_keys;
	uint64_t		 max_age_ms;
};

struct bn_marks *
bn_marks_new(uint64_t max_keys, uint64_t max_age_ms)
{
	struct bn_marks	*m = xcalloc(1, sizeof(*m));

	TAILQ_INIT(&m->q);
	bn_hmap_init(&m->by_tx);
	m->max_keys = max_keys ? max_keys : 1;
	m->max_age_ms = max_age_ms;
	return m;
}

static void
marks_remove(struct bn_marks *m, struct marks_ent *e)
{
	TAILQ_REMOVE(&m->q, e, entry);
	bn_hmap_del(&m->by_tx, e->tx);
	m->n--;
	m->keys -= e->nkeys;
	if (e->ack != NULL) {
		m->held--;
		if (e->body != NULL)
			m->held_small--;
	}
	free(e->ack);
	free(e->body);
	free(e);
}

void
bn_marks_clear(struct bn_marks *m)
{
	struct marks_ent	*e;

	while ((e = TAILQ_FIRST(&m->q)) != NULL)
		marks_remove(m, e);
}

void
bn_marks_free(struct bn_marks *m)
{
	if (m == NULL)
		return;
	bn_marks_clear(m);
	bn_hmap_clear(&m->by_tx);
	free(m);
}

static struct marks_ent *
marks_find(struct bn_marks *m, const char *tx)
{
	return bn_hmap_get(&m->by_tx, tx);
}

static struct marks_ent *
marks_append(struct bn_marks *m, const char *tx, uint64_t ts_ms,
    uint32_t nkeys)
{
	size_t			 len = strlen(tx);
	struct marks_ent	*e = xmalloc(sizeof(*e) + len + 1);

	memcpy(e->tx, tx, len + 1);
	e->ts_ms = ts_ms;
	e->nkeys = nkeys;
	e->ack = NULL;
	e->body = NULL;
	e->body_len = 0;
	TAILQ_INSERT_TAIL(&m->q, e, entry);
	bn_hmap_put(&m->by_tx, tx, e);
	m->n++;
	m->keys += nkeys;
	return e;
}

int
bn_marks_add(struct bn_marks *m, const char *tx, uint64_t ts_ms,
    uint32_t nkeys)
{
	if (marks_find(m, tx) != NULL)
		return 1;
	marks_append(m, tx, ts_ms, nkeys);
	return 0;
}

int
bn_marks_delivered(struct bn_marks *m, const char *tx, uint64_t ts_ms,
    uint32_t nkeys, const char *ack_id, const char *body, size_t len)
{
	struct marks_ent	*e = marks_find(m, tx);
	int			 unknown = 0;

	if (e == NULL) {
		e = marks_append(m, tx, ts_ms, nkeys);
		unknown = 1;
	}
	if (e->ack == NULL) {
		m->held++;
		if (e->body != NULL)
			m->held_small++;
	}
	free(e->ack);
	e->ack = xstrdup(ack_id);
	if (e->body == NULL && e->nkeys <= BN_MARKS_SMALL && len > 0) {
		e->body = xmalloc(len);
		memcpy(e->body, body, len);
		e->body_len = len;
		m->held_small++;
	}
	return unknown;
}

char *
bn_marks_trim_next(struct bn_marks *m, uint64_t now_ms)
{
	struct marks_ent	*e = TAILQ_FIRST(&m->q);
	bool			 over, old;
	char			*ack;

	if (e == NULL || e->ack == NULL)
		return NULL;
	over = m->keys - e->nkeys >= m->max_keys;
	old = m->max_age_ms != 0 && e->ts_ms + m->max_age_ms < now_ms;
	if (!over && !old)
		return NULL;
	ack = e->ack;
	e->ack = NULL;
	m->held--;
	if (e->body != NULL)
		m->held_small--;
	marks_remove(m, e);
	return ack;
}

size_t
bn_marks_merge_pick(struct bn_marks *m, size_t high, size_t n, char **acks,
    struct bn_buf *keys, uint64_t *ts_ms, uint32_t *nkeys)
{
	struct marks_ent	*e, *next;
	size_t			 taken = 0;

	*ts_ms = 0;
	*nkeys = 0;
	if (m->held_small <= high)
		return 0;
	for (e = TAILQ_FIRST(&m->q); e != NULL && taken < n; e = next) {
		next = TAILQ_NEXT(e, entry);
		if (e->ack == NULL || e->body == NULL)
			continue;
		bn_buf_add(keys, e->body, e->body_len);
		if (e->body[e->body_len - 1] != '\n')
			bn_buf_addc(keys, '\n');
		if (e->ts_ms > *ts_ms)
			*ts_ms = e->ts_ms;
		*nkeys += e->nkeys;
		acks[taken++] = e->ack;
		e->ack = NULL;
		m->held--;
		m->held_small--;
		marks_remove(m, e);
	}
	return taken;
}

size_t
bn_marks_count(const struct bn_marks *m)
{
	return m->n;
}

uint64_t
bn_marks_keys(const struct bn_marks *m)
{
	return m->keys;
}

size_t
bn_marks_held(const struct bn_marks *m)
{
	return m->held;
}

size_t
bn_marks_held_small(const struct bn_marks *m)
{
	return m->held_small;
}
