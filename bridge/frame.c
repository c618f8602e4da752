/*
 * STOMP 1.2 frame codec: a stateless incremental parser, a small builder
 * and a serializer. Pure: no I/O, no libevent.
 *
 * Memory: a frame is one allocation holding the struct, then (parsed frames
 * only) the headers array, then `block`: the body, its NUL, the command and
 * every header string. The builder moves out of that allocation only what it
 * changes, so a parsed frame costs one malloc. Invariants:
 * - command always lives in the allocation and is never freed on its own;
 * - body lives in the allocation iff body == block, otherwise it is malloced;
 * - owned == NULL: headers (if any) live in the allocation and their strings
 *   in block; owned != NULL: headers is a malloced array of hcap entries and
 *   owned[i] says whether headers[i].name and .value are malloced.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/util.h"

#define FRAME_MAX_COMMAND	32
#define FRAME_DEF_SIZE		104857600
#define FRAME_DEF_HEADERS	1000
#define FRAME_DEF_HEADER_LEN	65536
#define FRAME_CL		"content-length"
#define FRAME_CL_LEN		(sizeof(FRAME_CL) - 1)

/* bn_frame_scan.phase: what a resumed scan goes on with */
#define FRAME_PH_COMMAND	0
#define FRAME_PH_HEADERS	1
#define FRAME_PH_BODY		2

static const char frame_bad_name[] =
    "bad escape in header name (only \\r \\n \\c \\\\ are defined)";
static const char frame_bad_value[] =
    "bad escape in header value (only \\r \\n \\c \\\\ are defined)";
static const char frame_bare_cr[] = "CR not followed by LF in header";


static bool
frame_is_raw(const char *cmd, size_t len)
{
	return (len == 7 && memcmp(cmd, "CONNECT", 7) == 0) ||
	    (len == 9 && memcmp(cmd, "CONNECTED", 9) == 0);
}

/*
 * The buffer ran out at the scan's limit: that is a NEED_MORE, unless the
 * limit was max_frame_size and more bytes are buffered beyond it.
 */
static enum bn_parse_result
frame_short(bool capped, const char **err)
{
	if (capped) {
		*err = "frame too large";
		return BN_PARSE_ERROR;
	}
	return BN_PARSE_NEED_MORE;
}

/*
 * Validates one frame starting at s->cmd (no leading EOL) and records where
 * its parts are. Stops at the first problem, and never looks at more than
 * max_frame_size bytes of command and headers, so an error is reported as
 * soon as the bytes that prove it are buffered.
 */
static enum bn_parse_result
frame_scan(const char *buf, size_t len, const struct bn_frame_limits *lim,
    struct bn_frame_scan *s, const char **err)
{
	size_t		 p, end, line, colon, max, room;
	bool		 capped, esc;
	const char	*nul;
	char		 c;

	max = lim->max_frame_size;
	capped = len - s->cmd > max;
	end = capped ? s->cmd + max : len;

	if (s->phase == FRAME_PH_HEADERS)
		goto headers;
	if (s->phase == FRAME_PH_BODY)
		goto body;

	/* Command line: 1..32 of [A-Z_], then LF or CRLF. */
	for (p = s->cmd;; p++) {
		if (p == end)
			return frame_short(capped, err);
		c = buf[p];
		if (c == '\n')
			break;
		if (c == '\r') {
			if (p + 1 == end)
				return frame_short(capped, err);
			if (buf[p + 1] != '\n') {
				*err = "CR not followed by LF in command line";
				return BN_PARSE_ERROR;
			}
			break;
		}
		if ((c < 'A' || c > 'Z') && c != '_') {
			*err = "bad command: not [A-Z_]";
			return BN_PARSE_ERROR;
		}
		if (p - s->cmd == FRAME_MAX_COMMAND) {
			*err = "command longer than 32 characters";
			return BN_PARSE_ERROR;
		}
	}
	s->cmd_len = p - s->cmd;
	s->raw = frame_is_raw(buf + s->cmd, s->cmd_len);
	p += buf[p] == '\r' ? 2 : 1;
	s->hdrs = p;
	s->phase = FRAME_PH_HEADERS;
	s->pos = p;
	s->line = SIZE_MAX;

headers:
	/*
	 * Header lines up to an empty one. A scan that runs out of bytes
	 * keeps its place (s->pos, and the line under way) so the next call
	 * goes on from there: fed a byte at a time, the headers cost what
	 * they are long, not its square.
	 */
	p = s->pos;
	for (;;) {
		if (s->line == SIZE_MAX) {
			if (p == end) {
				s->pos = p;
				return frame_short(capped, err);
			}
			if (buf[p] == '\n') {
				p++;
				break;
			}
			if (buf[p] == '\r') {
				if (p + 1 == end) {
					s->pos = p;
					return frame_short(capped, err);
				}
				if (buf[p + 1] != '\n') {
					*err = frame_bare_cr;
					return BN_PARSE_ERROR;
				}
				p += 2;
				break;
			}
			if (s->nheaders == lim->max_headers) {
				*err = "too many headers";
				return BN_PARSE_ERROR;
			}
			s->line = p;
			s->colon = SIZE_MAX;
			s->esc = false;
		}
		line = s->line;
		colon = s->colon;
		esc = s->esc;
		for (;; p++) {
			if (p == end) {
				s->pos = p;
				s->colon = colon;
				s->esc = esc;
				return frame_short(capped, err);
			}
			c = buf[p];
			if (c == '\0') {
				*err = "NUL in header";
				return BN_PARSE_ERROR;
			}
			if (esc) {
				if (c == '\r' || c == '\n') {
					*err = "header ends in a lone '\\'";
					return BN_PARSE_ERROR;
				}
				if (c != 'r' && c != 'n' && c != 'c' &&
				    c != '\\') {
					*err = colon == SIZE_MAX ?
					    frame_bad_name : frame_bad_value;
					return BN_PARSE_ERROR;
				}
				esc = false;
			} else if (c == '\n')
				break;
			else if (c == '\r') {
				if (p + 1 == end) {
					s->pos = p;
					s->colon = colon;
					s->esc = esc;
					return frame_short(capped, err);
				}
				if (buf[p + 1] != '\n') {
					*err = frame_bare_cr;
					return BN_PARSE_ERROR;
				}
				break;
			} else if (c == '\\' && !s->raw)
				esc = true;
			else if (c == ':' && colon == SIZE_MAX)
				colon = p;
			/* c belongs to the line, now p - line + 1 long */
			if (p - line == lim->max_header_len) {
				*err = "header line too long";
				return BN_PARSE_ERROR;
			}
		}
		if (colon == SIZE_MAX) {
			*err = "header without ':'";
			return BN_PARSE_ERROR;
		}
		if (colon == line) {
			*err = "empty header name";
			return BN_PARSE_ERROR;
		}
		/* Only the first content-length counts, as with any header. */
		if (!s->has_cl && colon - line == FRAME_CL_LEN &&
		    memcmp(buf + line, FRAME_CL, FRAME_CL_LEN) == 0) {
			if (bn_strntou64(buf + colon + 1, p - colon - 1,
			    UINT64_MAX, &s->cl) == -1) {
				*err = "content-length not a number";
				return BN_PARSE_ERROR;
			}
			s->has_cl = true;
		}
		s->strings += p - line + 1;
		s->nheaders++;
		s->line = SIZE_MAX;
		p += buf[p] == '\r' ? 2 : 1;
		/* The body comes on top of what was read so far. */
		if (s->has_cl && s->cl > max - (p - s->cmd)) {
			*err = "frame too large";
			return BN_PARSE_ERROR;
		}
	}
	s->body = p;
	s->pos = p;
	s->phase = FRAME_PH_BODY;

body:
	room = max - (s->body - s->cmd);
	if (s->has_cl) {
		if (s->cl > room || s->cl > SIZE_MAX - s->body - 1) {
			*err = "frame too large";
			return BN_PARSE_ERROR;
		}
		s->body_len = (size_t)s->cl;
		if (len - s->body <= s->body_len) {
			s->need = s->body + s->body_len + 1;
			return BN_PARSE_NEED_MORE;
		}
		if (buf[s->body + s->body_len] != '\0') {
			*err = "frame not terminated by NUL";
			return BN_PARSE_ERROR;
		}
		return BN_PARSE_OK;
	}

	/* No content-length: the body ends at the first NUL after s->pos. */
	capped = len - s->body > room;
	end = capped ? s->body + room + 1 : len;
	if ((nul = memchr(buf + s->pos, '\0', end - s->pos)) == NULL) {
		s->pos = end;
		return frame_short(capped, err);
	}
	s->body_len = (size_t)(nul - (buf + s->body));
	return BN_PARSE_OK;
}

/* Decodes STOMP escapes of src into dst; the bytes written, or -1. */
static ssize_t
frame_unescape_to(char *dst, const char *src, size_t len)
{
	const char	*bs;
	size_t		 i, n, w = 0;

	for (i = 0; i < len;) {
		if ((bs = memchr(src + i, '\\', len - i)) == NULL) {
			memcpy(dst + w, src + i, len - i);
			w += len - i;
			break;
		}
		n = (size_t)(bs - (src + i));
		memcpy(dst + w, src + i, n);
		w += n;
		i += n + 1;
		if (i == len)
			return -1;
		switch (src[i++]) {
		case 'r':
			dst[w++] = '\r';
			break;
		case 'n':
			dst[w++] = '\n';
			break;
		case 'c':
			dst[w++] = ':';
			break;
		case '\\':
			dst[w++] = '\\';
			break;
		default:
			return -1;
		}
	}
	return (ssize_t)w;
}

/* Copies (raw) or unescapes src into *w, NUL-terminates, returns start. */
static char *
frame_put(char **w, const char *src, size_t len, bool raw)
{
	char	*start = *w;
	ssize_t	 n;

	if (raw) {
		memcpy(start, src, len);
		n = (ssize_t)len;
	} else if ((n = frame_unescape_to(start, src, len)) == -1)
		n = 0;	/* not reached: frame_scan validated the escapes */
	start[n] = '\0';
	*w = start + n + 1;
	return start;
}

/* Builds the single allocation of a frame that frame_scan accepted. */
static struct bn_frame *
frame_build(const char *buf, const struct bn_frame_scan *s)
{
	struct bn_frame	*f;
	struct bn_header *h;
	const char	*line, *lf, *colon, *eol;
	char		*w;
	size_t		 hsize, blen, i;

	hsize = s->nheaders * sizeof(struct bn_header);
	blen = s->body_len + 1 + s->cmd_len + 1 + s->strings;
	f = xmalloc(sizeof(*f) + hsize + blen);
	f->headers = s->nheaders > 0 ? (struct bn_header *)(f + 1) : NULL;
	f->nheaders = s->nheaders;
	f->hcap = 0;
	f->owned = NULL;
	f->block = (char *)(f + 1) + hsize;

	f->body = f->block;
	f->body_len = s->body_len;
	memcpy(f->body, buf + s->body, s->body_len);
	f->body[s->body_len] = '\0';
	w = f->body + s->body_len + 1;
	f->command = frame_put(&w, buf + s->cmd, s->cmd_len, true);

	line = buf + s->hdrs;
	for (i = 0; i < s->nheaders; i++) {
		h = &f->headers[i];
		lf = memchr(line, '\n', (size_t)(buf + s->body - line));
		eol = lf > line && lf[-1] == '\r' ? lf - 1 : lf;
		colon = memchr(line, ':', (size_t)(eol - line));
		h->name = frame_put(&w, line, (size_t)(colon - line), s->raw);
		h->value = frame_put(&w, colon + 1, (size_t)(eol - colon - 1),
		    s->raw);
		line = lf + 1;
	}
	return f;
}

void
bn_frame_limits_default(struct bn_frame_limits *lim)
{
	lim->max_frame_size = FRAME_DEF_SIZE;
	lim->max_headers = FRAME_DEF_HEADERS;
	lim->max_header_len = FRAME_DEF_HEADER_LEN;
}

enum bn_parse_result
bn_frame_parse_next(const char *buf, size_t len,
    const struct bn_frame_limits *limits, struct bn_frame_cursor *cur,
    struct bn_frame **frame, size_t *used, bool *heartbeats,
    const char **err)
{
	struct bn_frame_limits	 def;
	struct bn_frame_scan	*s = &cur->s;
	enum bn_parse_result	 r;
	const char		*why = NULL;
	size_t			 p = 0;

	*frame = NULL;
	*used = 0;
	cur->need = 0;
	if (heartbeats != NULL)
		*heartbeats = false;
	if (err != NULL)
		*err = NULL;
	if (limits == NULL) {
		bn_frame_limits_default(&def);
		limits = &def;
	}

	if (s->phase != FRAME_PH_COMMAND) {
		/* A frame under way: the EOLs before it were counted then. */
		p = s->cmd;
		goto scan;
	}
	/* Heart-beats: whole EOLs before the command. */
	for (;;) {
		if (p < len && buf[p] == '\n')
			p++;
		else if (len - p >= 2 && buf[p] == '\r' && buf[p + 1] == '\n')
			p += 2;
		else
			break;
	}
	if (p > 0 && (p == len || (p + 1 == len && buf[p] == '\r'))) {
		*used = p;
		if (heartbeats != NULL)
			*heartbeats = true;
		return BN_PARSE_OK;
	}
	if (p == len) {
		cur->need = len + 1;
		return BN_PARSE_NEED_MORE;
	}
	memset(s, 0, sizeof(*s));
	s->cmd = p;
scan:
	r = frame_scan(buf, len, limits, s, &why);
	switch (r) {
	case BN_PARSE_ERROR:
		memset(s, 0, sizeof(*s));
		if (err != NULL)
			*err = why;
		return r;
	case BN_PARSE_NEED_MORE:
		cur->need = s->need != 0 ? s->need : len + 1;
		return r;
	case BN_PARSE_OK:
		break;
	}
	*frame = frame_build(buf, s);
	*used = s->body + s->body_len + 1;
	if (heartbeats != NULL)
		*heartbeats = p > 0;
	memset(s, 0, sizeof(*s));
	return BN_PARSE_OK;
}

/* Stateless: each call scans what is buffered from the start. */
enum bn_parse_result
bn_frame_parse(const char *buf, size_t len,
    const struct bn_frame_limits *limits, struct bn_frame **frame,
    size_t *used, size_t *need, bool *heartbeats, const char **err)
{
	struct bn_frame_cursor	cur;
	enum bn_parse_result	r;

	memset(&cur, 0, sizeof(cur));
	r = bn_frame_parse_next(buf, len, limits, &cur, frame, used,
	    heartbeats, err);
	if (need != NULL)
		*need = cur.need;
	return r;
}

struct bn_frame *
bn_frame_new(const char *command)
{
	struct bn_frame	*f;
	size_t		 n;

	n = strlen(command);
	f = xmalloc(sizeof(*f) + 1 + n + 1);
	f->headers = NULL;
	f->nheaders = 0;
	f->hcap = 0;
	f->owned = NULL;
	f->block = (char *)(f + 1);
	f->body = f->block;
	f->body[0] = '\0';
	f->body_len = 0;
	f->command = f->block + 1;
	memcpy(f->command, command, n + 1);
	return f;
}

/*
 * Moves the headers array out of the frame's allocation (the first time)
 * and makes room for at least want entries.
 */
static void
frame_reserve(struct bn_frame *f, size_t want)
{
	struct bn_header	*h;
	unsigned char		*o;
	size_t			 cap;

	if (f->owned != NULL && f->hcap >= want)
		return;
	cap = f->owned != NULL ? f->hcap : 0;
	if (cap < 8)
		cap = 8;
	while (cap < want) {
		if (cap > SIZE_MAX / 2 / sizeof(*h))
			abort();
		cap *= 2;
	}
	if (f->owned == NULL) {
		h = xcalloc(cap, sizeof(*h));
		if (f->nheaders > 0)
			memcpy(h, f->headers, f->nheaders * sizeof(*h));
		o = xcalloc(cap, 1);
	} else {
		h = xrealloc(f->headers, cap * sizeof(*h));
		o = xrealloc(f->owned, cap);
		memset(o + f->hcap, 0, cap - f->hcap);
	}
	f->headers = h;
	f->owned = o;
	f->hcap = cap;
}

static void
frame_header_free(struct bn_frame *f, size_t i)
{
	if (f->owned != NULL && f->owned[i]) {
		free(f->headers[i].name);
		free(f->headers[i].value);
		f->owned[i] = 0;
	}
}

/*
 * Drops every header named name at index >= from, keeping the others in
 * order. The dropped ones are moved to the tail before they are freed, so
 * name may point into one of them.
 */
static void
frame_remove(struct bn_frame *f, const char *name, size_t from)
{
	struct bn_header	 th;
	unsigned char		 to;
	size_t			 i, j;

	for (i = j = from; i < f->nheaders; i++) {
		if (strcmp(f->headers[i].name, name) == 0)
			continue;
		if (i != j) {
			th = f->headers[j];
			f->headers[j] = f->headers[i];
			f->headers[i] = th;
			if (f->owned != NULL) {
				to = f->owned[j];
				f->owned[j] = f->owned[i];
				f->owned[i] = to;
			}
		}
		j++;
	}
	for (i = j; i < f->nheaders; i++)
		frame_header_free(f, i);
	f->nheaders = j;
}

void
bn_frame_add_header(struct bn_frame *f, const char *name, const char *value)
{
	char	*n, *v;

	n = xstrdup(name);
	v = xstrdup(value);
	frame_reserve(f, f->nheaders + 1);
	f->headers[f->nheaders].name = n;
	f->headers[f->nheaders].value = v;
	f->owned[f->nheaders] = 1;
	f->nheaders++;
}

void
bn_frame_set_header(struct bn_frame *f, const char *name, const char *value)
{
	char	*n, *v;
	size_t	 i;

	for (i = 0; i < f->nheaders; i++)
		if (strcmp(f->headers[i].name, name) == 0)
			break;
	if (i == f->nheaders) {
		bn_frame_add_header(f, name, value);
		return;
	}
	/* Copy first: name or value may be strings of this frame. */
	n = xstrdup(name);
	v = xstrdup(value);
	frame_reserve(f, f->nheaders);
	frame_header_free(f, i);
	f->headers[i].name = n;
	f->headers[i].value = v;
	f->owned[i] = 1;
	frame_remove(f, n, i + 1);
}

void
bn_frame_del_header(struct bn_frame *f, const char *name)
{
	frame_remove(f, name, 0);
}

const char *
bn_frame_get(const struct bn_frame *f, const char *name)
{
	size_t	i;

	for (i = 0; i < f->nheaders; i++)
		if (strcmp(f->headers[i].name, name) == 0)
			return f->headers[i].value;
	return NULL;
}

void
bn_frame_set_body(struct bn_frame *f, const void *data, size_t len)
{
	char	*b;

	if (len == SIZE_MAX)
		abort();
	b = xmalloc(len + 1);
	if (len > 0)
		memcpy(b, data, len);
	b[len] = '\0';
	if (f->body != f->block)
		free(f->body);
	f->body = b;
	f->body_len = len;
}

void
bn_frame_take_body(struct bn_frame *f, struct bn_buf *b)
{
	if (b->data == NULL) {
		bn_frame_set_body(f, "", 0);
		return;
	}
	if (f->body != f->block)
		free(f->body);
	f->body = b->data;	/* bn_buf keeps a NUL after its bytes */
	f->body_len = b->len;
	memset(b, 0, sizeof(*b));
}

void
bn_frame_free(struct bn_frame *f)
{
	size_t	i;

	if (f == NULL)
		return;
	if (f->owned != NULL) {
		for (i = 0; i < f->nheaders; i++)
			frame_header_free(f, i);
		free(f->headers);
		free(f->owned);
	}
	if (f->body != f->block)
		free(f->body);
	free(f);
}

/*
 * CONNECT/CONNECTED headers go out as they are: their names must not hold
 * ':' and no string may hold CR or LF, or the peer will read other headers.
 */
void
bn_frame_wire_command(struct bn_buf *out, const char *command)
{
	bn_buf_addstr(out, command);
	bn_buf_addc(out, '\n');
}

void
bn_frame_wire_header(struct bn_buf *out, const char *name, const char *value)
{
	bn_frame_escape(name, out);
	bn_buf_addc(out, ':');
	bn_frame_escape(value, out);
	bn_buf_addc(out, '\n');
}

void
bn_frame_wire_header_raw(struct bn_buf *out, const char *name,
    const char *value, size_t len)
{
	bn_buf_addstr(out, name);
	bn_buf_addc(out, ':');
	bn_buf_add(out, value, len);
	bn_buf_addc(out, '\n');
}

void
bn_frame_wire_end(struct bn_buf *out, const char *body, size_t len)
{
	if (body != NULL) {
		bn_buf_printf(out, FRAME_CL ":%zu\n\n", len);
		if (len > 0)
			bn_buf_add(out, body, len);
	} else
		bn_buf_addc(out, '\n');
	bn_buf_addc(out, '\0');
}

void
bn_frame_serialize(const struct bn_frame *f, struct bn_buf *out)
{
	const struct bn_header	*h;
	bool			 raw;
	size_t			 i;

	raw = frame_is_raw(f->command, strlen(f->command));
	bn_buf_reserve(out, f->body_len + 64);
	bn_frame_wire_command(out, f->command);
	for (i = 0; i < f->nheaders; i++) {
		h = &f->headers[i];
		if (strcmp(h->name, FRAME_CL) == 0)
			continue;
		if (raw)
			bn_frame_wire_header_raw(out, h->name, h->value,
			    strlen(h->value));
		else
			bn_frame_wire_header(out, h->name, h->value);
	}
	bn_frame_wire_end(out, f->body != NULL ? f->body : "", f->body_len);
}

void
bn_frame_escape(const char *s, struct bn_buf *out)
{
	size_t	n;

	for (;;) {
		n = strcspn(s, "\\\n\r:");
		if (n > 0)
			bn_buf_add(out, s, n);
		s += n;
		switch (*s++) {
		case '\0':
			return;
		case '\\':
			bn_buf_add(out, "\\\\", 2);
			break;
		case '\n':
			bn_buf_add(out, "\\n", 2);
			break;
		case '\r':
			bn_buf_add(out, "\\r", 2);
			break;
		case ':':
			bn_buf_add(out, "\\c", 2);
			break;
		}
	}
}

int
bn_frame_unescape(const char *s, size_t len, struct bn_buf *out)
{
	ssize_t	n;

	bn_buf_reserve(out, len);
	if ((n = frame_unescape_to(out->data + out->len, s, len)) == -1) {
		out->data[out->len] = '\0';
		return -1;
	}
	out->len += (size_t)n;
	out->data[out->len] = '\0';
	return 0;
}
