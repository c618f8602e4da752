/*
 * libFuzzer harness for the STOMP frame codec. Parses the input as a
 * stream, with the default limits and with small ones, and for every frame
 * checks: the prefix one byte short is NEED_MORE with need == used;
 * serialize, re-parse and serialize again give the same frame and bytes; a
 * copy made with the builder serializes the same; builder edits work on
 * parsed storage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CL	"content-length"

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_frame: %s\n", what);
		abort();
	}
}

/* The next header at or after *i that is not content-length, or NULL. */
static const struct bn_header *
next_header(const struct bn_frame *f, size_t *i)
{
	for (; *i < f->nheaders; (*i)++)
		if (strcmp(f->headers[*i].name, CL) != 0)
			return &f->headers[(*i)++];
	return NULL;
}

static void
same_frame(const struct bn_frame *a, const struct bn_frame *b)
{
	const struct bn_header	*ha, *hb;
	size_t			 i = 0, j = 0;

	check(strcmp(a->command, b->command) == 0, "command differs");
	for (;;) {
		ha = next_header(a, &i);
		hb = next_header(b, &j);
		check((ha == NULL) == (hb == NULL), "header count differs");
		if (ha == NULL)
			break;
		check(strcmp(ha->name, hb->name) == 0, "header name differs");
		check(strcmp(ha->value, hb->value) == 0,
		    "header value differs");
	}
	check(a->body_len == b->body_len, "body length differs");
	check(memcmp(a->body, b->body, a->body_len) == 0, "body differs");
	check(b->body[b->body_len] == '\0', "body not NUL-terminated");
}

static void
roundtrip(const struct bn_frame *f)
{
	struct bn_frame_limits	 big = { SIZE_MAX, SIZE_MAX, SIZE_MAX };
	struct bn_buf		 w1 = { 0 }, w2 = { 0 }, w3 = { 0 };
	struct bn_frame		*g = NULL, *c;
	const char		*err, *cl;
	size_t			 used, i;
	char			 num[32], *name;

	bn_frame_serialize(f, &w1);
	check(bn_frame_parse(w1.data, w1.len, &big, &g, &used, NULL, NULL,
	    &err) == BN_PARSE_OK && g != NULL, "serialized frame unparsable");
	check(used == w1.len, "serialized frame not used whole");
	same_frame(f, g);
	snprintf(num, sizeof(num), "%zu", f->body_len);
	cl = bn_frame_get(g, CL);
	check(cl != NULL && strcmp(cl, num) == 0, "content-length wrong");

	bn_frame_serialize(g, &w2);
	check(w1.len == w2.len && memcmp(w1.data, w2.data, w1.len) == 0,
	    "second serialization differs");

	/* The same frame made with the builder. */
	c = bn_frame_new(f->command);
	for (i = 0; i < f->nheaders; i++)
		bn_frame_add_header(c, f->headers[i].name, f->headers[i].value);
	bn_frame_set_body(c, f->body, f->body_len);
	bn_frame_serialize(c, &w3);
	check(w1.len == w3.len && memcmp(w1.data, w3.data, w1.len) == 0,
	    "built frame serializes differently");
	bn_frame_free(c);

	/* Edits on parser storage, mixing block and malloced strings. */
	if (g->nheaders > 0) {
		bn_frame_set_header(g, g->headers[g->nheaders - 1].name,
		    g->headers[0].value);
		name = xstrdup(g->headers[0].name);
		bn_frame_add_header(g, "x-fuzz", g->headers[0].name);
		bn_frame_del_header(g, g->headers[0].name);
		check(bn_frame_get(g, name) == NULL, "deleted header remains");
		check(strcmp(name, "x-fuzz") == 0 || (g->nheaders > 0 &&
		    strcmp(g->headers[g->nheaders - 1].name, "x-fuzz") == 0 &&
		    strcmp(g->headers[g->nheaders - 1].value, name) == 0),
		    "added header lost");
		free(name);
	}
	bn_frame_set_body(g, g->body, g->body_len / 2);
	check(g->body[g->body_len] == '\0', "set body not NUL-terminated");

	bn_frame_free(g);
	bn_buf_free(&w1);
	bn_buf_free(&w2);
	bn_buf_free(&w3);
}

/* The frame one byte short, in a buffer of exactly that size. */
static void
short_by_one(const char *p, size_t used, const struct bn_frame_limits *lim)
{
	struct bn_frame	*f;
	char		*copy;
	size_t		 u, need;

	copy = xmalloc(used - 1);
	memcpy(copy, p, used - 1);
	check(bn_frame_parse(copy, used - 1, lim, &f, &u, &need, NULL,
	    NULL) == BN_PARSE_NEED_MORE, "prefix not NEED_MORE");
	check(f == NULL && u == 0, "prefix used bytes");
	check(need == used, "prefix need is not the frame length");
	free(copy);
}

static void
stream(const char *p, size_t len, const struct bn_frame_limits *lim)
{
	enum bn_parse_result	 r;
	struct bn_frame		*f;
	const char		*err;
	size_t			 off = 0, used, need;
	bool			 hb;

	for (;;) {
		r = bn_frame_parse(p + off, len - off, lim, &f, &used, &need,
		    &hb, &err);
		if (r == BN_PARSE_NEED_MORE) {
			check(need > len - off && f == NULL && used == 0,
			    "bad NEED_MORE");
			return;
		}
		if (r == BN_PARSE_ERROR) {
			check(err != NULL && *err != '\0' && f == NULL,
			    "error without a reason");
			return;
		}
		check(used > 0 && used <= len - off, "bad used");
		if (f == NULL)
			check(hb, "OK without frame or heart-beat");
		else {
			check(f->body[f->body_len] == '\0',
			    "body not NUL-terminated");
			check(strlen(f->command) >= 1 &&
			    strlen(f->command) <= 32, "bad command length");
			check(lim == NULL || f->nheaders <= lim->max_headers,
			    "too many headers accepted");
			check(lim == NULL || f->body_len <= lim->max_frame_size,
			    "body over the frame limit");
			short_by_one(p + off, used, lim);
			roundtrip(f);
			bn_frame_free(f);
		}
		off += used;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bn_frame_limits	 small = { 256, 4, 32 };

	stream((const char *)data, size, NULL);
	stream((const char *)data, size, &small);
	return 0;
}
