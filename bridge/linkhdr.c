/*
 * Long and compact link encodings of a forwarded message's headers: see
 * include/brokernet/linkhdr.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/linkhdr.h"
#include "brokernet/util.h"

#define LINKHDR_QUEUE	"/queue/"

/* Message headers every ActiveMQ message has, one letter on the link. */
static const struct {
	char		 code;
	const char	*name;
} linkhdr_abbrev[] = {
	{ 'e', "expires" }, { 'r', "priority" }, { 't', "timestamp" },
	{ 'P', "persistent" }, { 'y', "type" }, { 'c', "content-type" },
	{ 'x', "correlation-id" }, { 'R', "reply-to" },
};
#define LINKHDR_NABBREV	(sizeof(linkhdr_abbrev) / sizeof(linkhdr_abbrev[0]))

static void
linkhdr_put(struct bn_buf *b, const char *name, const char *value)
{
	bn_buf_addc(b, '\n');
	bn_frame_escape(name, b);
	bn_buf_addc(b, ':');
	bn_frame_escape(value, b);
}

void
bn_linkhdr_begin(struct bn_buf *b, const struct bn_linkhdr_state *st,
    uint64_t seq, const char *dest)
{
	size_t	ql = strlen(LINKHDR_QUEUE);

	if (st == NULL) {
		bn_buf_printf(b, "MESSAGE\nseq:%" PRIu64, seq);
		linkhdr_put(b, "destination", dest);
		return;
	}
	bn_buf_addc(b, 'M');
	if (strncmp(dest, LINKHDR_QUEUE, ql) == 0)
		linkhdr_put(b, "d", dest + ql);
	else
		linkhdr_put(b, "D", dest);
}

void
bn_linkhdr_add(struct bn_buf *b, const struct bn_linkhdr_state *st,
    const char *name, const char *value)
{
	size_t	i;
	char	code[2] = { 0, 0 };

	if (st == NULL) {
		linkhdr_put(b, name, value);
		return;
	}
	for (i = 0; i < LINKHDR_NABBREV; i++)
		if (strcmp(name, linkhdr_abbrev[i].name) == 0) {
			code[0] = linkhdr_abbrev[i].code;
			linkhdr_put(b, code, value);
			return;
		}
	if (name[0] == '~' || name[0] == '\0' || name[1] == '\0') {
		bn_buf_addstr(b, "\n~");
		bn_frame_escape(name, b);
		bn_buf_addc(b, ':');
		bn_frame_escape(value, b);
		return;
	}
	linkhdr_put(b, name, value);
}

/* Brokers on a path ",A,B,": its commas less one (0 for odd spellings). */
static uint64_t
linkhdr_path_len(const char *path)
{
	uint64_t	n = 0;

	for (; *path; path++)
		n += *path == ',';
	return n > 0 ? n - 1 : 0;
}

/* Whether name is the first broker on path ",name,...". */
static bool
linkhdr_path_first(const char *path, const char *name)
{
	size_t	nl = strlen(name);

	return path[0] == ',' && nl > 0 && strncmp(path + 1, name, nl) == 0 &&
	    path[1 + nl] == ',';
}

static size_t
linkhdr_common(const char *a, const char *b)
{
	size_t	n = 0;

	while (a[n] != '\0' && a[n] == b[n])
		n++;
	return n;
}

void
bn_linkhdr_end(struct bn_buf *b, struct bn_linkhdr_state *st,
    const struct bn_linkhdr_net *net, const char *body, size_t len)
{
	struct bn_buf	path = { 0 };
	char		num[32];
	size_t		n;

	bn_buf_addstr(&path, net->prev_path);
	bn_buf_addstr(&path, net->self);
	bn_buf_addc(&path, ',');
	if (st == NULL) {
		linkhdr_put(b, "brokernet_origin", net->origin);
		if (net->origin_id != NULL)
			linkhdr_put(b, "brokernet_origin_id", net->origin_id);
		linkhdr_put(b, "brokernet_path", path.data);
		snprintf(num, sizeof(num), "%" PRIu64, net->hops);
		linkhdr_put(b, "brokernet_hops", num);
	} else {
		if (strcmp(net->prev_path, ",") != 0)
			linkhdr_put(b, "p", net->prev_path);
		if (!linkhdr_path_first(path.data, net->origin))
			linkhdr_put(b, "o", net->origin);
		if (net->hops != linkhdr_path_len(path.data)) {
			snprintf(num, sizeof(num), "%" PRIu64, net->hops);
			linkhdr_put(b, "h", num);
		}
		if (net->origin_id != NULL) {
			n = st->last_oid != NULL ?
			    linkhdr_common(st->last_oid, net->origin_id) : 0;
			bn_buf_printf(b, "\ni:%zu:", n);
			bn_frame_escape(net->origin_id + n, b);
			free(st->last_oid);
			st->last_oid = xstrdup(net->origin_id);
		}
	}
	bn_buf_printf(b, "\ncontent-length:%zu\n\n", len);
	bn_buf_add(b, body, len);
	bn_buf_add(b, "", 1);
	bn_buf_free(&path);
}

/* The origin id of an "i" header "N:SUFFIX" against the previous one. */
static char *
linkhdr_oid(const struct bn_linkhdr_state *st, const char *v)
{
	const char	*colon = strchr(v, ':');
	uint64_t	 n;
	size_t		 have = st->last_oid ? strlen(st->last_oid) : 0;
	char		*id;

	if (colon == NULL || bn_strntou64(v, (size_t)(colon - v), have,
	    &n) == -1)
		return NULL;
	id = xmalloc((size_t)n + strlen(colon + 1) + 1);
	if (n > 0)
		memcpy(id, st->last_oid, (size_t)n);
	strcpy(id + n, colon + 1);
	return id;
}

struct bn_frame *
bn_linkhdr_decode(struct bn_linkhdr_state *st, const struct bn_frame *m,
    const char *peer, const char **err)
{
	struct bn_frame	*f = NULL;
	struct bn_buf	 path = { 0 }, dest = { 0 };
	const char	*prev = NULL, *origin = NULL, *hops = NULL;
	char		*oid = NULL, num[32];
	size_t		 i, j, first_len;
	uint64_t	 h;

	f = bn_frame_new("MESSAGE");
	snprintf(num, sizeof(num), "%" PRIu64, st->next_seq);
	bn_frame_add_header(f, "seq", num);
	for (i = 0; i < m->nheaders; i++) {
		const char	*n = m->headers[i].name;
		const char	*v = m->headers[i].value;

		if (n[0] == '~') {
			bn_frame_add_header(f, n + 1, v);
			continue;
		}
		if (n[0] == '\0' || n[1] != '\0') {
			if (strcmp(n, "content-length") != 0)
				bn_frame_add_header(f, n, v);
			continue;
		}
		switch (n[0]) {
		case 'd':
		case 'D':
			if (dest.len > 0) {
				*err = "bad M frame: two destinations";
				goto fail;
			}
			if (n[0] == 'd')
				bn_buf_addstr(&dest, LINKHDR_QUEUE);
			bn_buf_addstr(&dest, v);
			continue;
		case 'p':
			prev = v;
			continue;
		case 'o':
			origin = v;
			continue;
		case 'h':
			hops = v;
			continue;
		case 'i':
			free(oid);
			if ((oid = linkhdr_oid(st, v)) == NULL) {
				*err = "bad M frame: origin id reference";
				goto fail;
			}
			continue;
		default:
			break;
		}
		for (j = 0; j < LINKHDR_NABBREV; j++)
			if (linkhdr_abbrev[j].code == n[0])
				break;
		if (j == LINKHDR_NABBREV) {
			*err = "bad M frame: unknown one-letter header";
			goto fail;
		}
		bn_frame_add_header(f, linkhdr_abbrev[j].name, v);
	}
	if (dest.len == 0) {
		*err = "bad M frame: no destination";
		goto fail;
	}
	bn_frame_add_header(f, "destination", dest.data);
	bn_buf_addstr(&path, prev != NULL ? prev : ",");
	bn_buf_addstr(&path, peer);
	bn_buf_addc(&path, ',');
	if (origin == NULL) {
		/* the path's first broker */
		first_len = strcspn(path.data + 1, ",");
		bn_buf_reset(&dest);
		bn_buf_add(&dest, path.data + 1, first_len);
		bn_buf_addc(&dest, '\0');
		bn_frame_add_header(f, "brokernet_origin", dest.data);
	} else
		bn_frame_add_header(f, "brokernet_origin", origin);
	if (oid != NULL) {
		bn_frame_add_header(f, "brokernet_origin_id", oid);
		free(st->last_oid);
		st->last_oid = oid;
		oid = NULL;
	}
	bn_frame_add_header(f, "brokernet_path", path.data);
	if (hops != NULL) {
		if (bn_strtou64(hops, UINT32_MAX, &h) == -1) {
			*err = "bad M frame: hops not a number";
			goto fail;
		}
	} else
		h = linkhdr_path_len(path.data);
	snprintf(num, sizeof(num), "%" PRIu64, h);
	bn_frame_add_header(f, "brokernet_hops", num);
	bn_frame_set_body(f, m->body, m->body_len);
	st->next_seq++;
	bn_buf_free(&path);
	bn_buf_free(&dest);
	return f;
fail:
	free(oid);
	bn_buf_free(&path);
	bn_buf_free(&dest);
	bn_frame_free(f);
	return NULL;
}

static void
linkhdr_range(struct bn_buf *out, bool *any, uint64_t first, uint64_t last)
{
	bn_buf_printf(out, "%s%" PRIu64, *any ? "," : "", first);
	if (last != first)
		bn_buf_printf(out, "-%" PRIu64, last);
	*any = true;
}

void
bn_linkhdr_ack_ranges(const char *ids, size_t len, struct bn_buf *out)
{
	const char	*p = ids, *end = ids + len, *comma;
	uint64_t	 first = 0, last = 0, v;
	bool		 open = false, any = false;

	for (; p < end; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		if (bn_strntou64(p, (size_t)(comma - p), UINT64_MAX,
		    &v) == -1) {
			/* not a number: passed on as it is, for the peer */
			if (open)
				linkhdr_range(out, &any, first, last);
			open = false;
			bn_buf_printf(out, "%s%.*s", any ? "," : "",
			    (int)(comma - p), p);
			any = true;
		} else if (open && last != UINT64_MAX && v == last + 1)
			last = v;
		else {
			if (open)
				linkhdr_range(out, &any, first, last);
			first = last = v;
			open = true;
		}
		if (comma == end)
			break;
	}
	if (open)
		linkhdr_range(out, &any, first, last);
}

void
bn_linkhdr_state_clear(struct bn_linkhdr_state *st)
{
	free(st->last_oid);
	st->last_oid = NULL;
	st->next_seq = 0;
}
