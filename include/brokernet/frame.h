/*
 * STOMP 1.2 frame codec, also used for sidecar-to-sidecar links.
 * Pure: no I/O, no libevent. The parser is stateless and incremental: it
 * is handed everything buffered so far and either returns one frame and the
 * bytes it used, or says how many bytes it needs, or an error with a reason.
 */
#ifndef BN_FRAME_H
#define BN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bn_buf;

enum bn_parse_result {
	BN_PARSE_OK = 0,	/* a frame (or only heart-beat EOLs) was used */
	BN_PARSE_NEED_MORE,	/* a valid prefix; feed more bytes */
	BN_PARSE_ERROR		/* malformed or over a limit; *err says why */
};

struct bn_frame_limits {
	size_t	max_frame_size;	/* command+headers+body; default 104857600 */
	size_t	max_headers;	/* header lines per frame; default 1000 */
	size_t	max_header_len;	/* one header line in bytes; default 65536 */
};

/* Fills in the defaults above. */
void	bn_frame_limits_default(struct bn_frame_limits *);

struct bn_header {
	char	*name;		/* unescaped, NUL-terminated */
	char	*value;		/* unescaped, NUL-terminated */
};

struct bn_frame {
	char		*command;	/* e.g. "MESSAGE"; NUL-terminated */
	struct bn_header *headers;	/* in wire order; repeats kept */
	size_t		 nheaders;
	char		*body;		/* body_len bytes + a trailing NUL */
	size_t		 body_len;
	/* private to frame.c */
	size_t		 hcap;
	char		*block;		/* parser storage, or NULL */
	unsigned char	*owned;		/* per header: 1 = strings malloced */
};

/*
 * Parses at most one frame from buf[0..len). Leading EOLs (heart-beats,
 * LF or CRLF) are skipped and counted in *used.
 * - BN_PARSE_OK: *used bytes were consumed; *frame is a new frame (free
 *   with bn_frame_free) or NULL when only heart-beat EOLs were consumed;
 *   *heartbeats (if non-NULL) is set to true when any EOL was skipped.
 * - BN_PARSE_NEED_MORE: nothing consumed; *need (if non-NULL) is the total
 *   length buf must reach before another call can make progress (> len),
 *   known once the headers are complete and content-length is set,
 *   otherwise len + 1.
 * - BN_PARSE_ERROR: *err points to a static string naming the problem.
 * Headers of CONNECT and CONNECTED frames are not unescaped (STOMP 1.2).
 * The parser never allocates more than the limits allow.
 */
enum bn_parse_result bn_frame_parse(const char *buf, size_t len,
	    const struct bn_frame_limits *, struct bn_frame **frame,
	    size_t *used, size_t *need, bool *heartbeats, const char **err);

/* Where the parts of the frame under way sit (offsets); frame.c's. */
struct bn_frame_scan {
	size_t		 cmd;		/* offset of the command */
	size_t		 cmd_len;
	size_t		 hdrs;		/* offset of the first header line */
	size_t		 body;		/* offset of the body */
	size_t		 body_len;
	size_t		 nheaders;
	size_t		 strings;	/* raw names and values, 2 NULs each */
	bool		 has_cl;
	uint64_t	 cl;
	bool		 raw;		/* CONNECT/CONNECTED: no unescaping */
	size_t		 need;		/* whole length, once known, or 0 */
	/* where a scan that ran out of bytes goes on */
	int		 phase;		/* command, headers, body */
	size_t		 pos;		/* next byte to look at */
	size_t		 line, colon;	/* the header line under way */
	bool		 esc;
};

/*
 * One stream's parse in progress: zero it when the stream starts. The
 * same as bn_frame_parse, but a frame that is not complete yet is not
 * scanned again from its start on the next call, only from where the scan
 * stopped: a peer that sends a frame a few bytes at a time costs what the
 * frame is long, not its square. The caller's buffer must keep its bytes
 * between calls (only append; drain *used after BN_PARSE_OK, which resets
 * the cursor, as does BN_PARSE_ERROR). cur->need is what bn_frame_parse
 * returns in *need.
 */
struct bn_frame_cursor {
	size_t			 need;
	struct bn_frame_scan	 s;
};
enum bn_parse_result bn_frame_parse_next(const char *buf, size_t len,
	    const struct bn_frame_limits *, struct bn_frame_cursor *,
	    struct bn_frame **frame, size_t *used, bool *heartbeats,
	    const char **err);

/* A new empty frame with the given command; never NULL. */
struct bn_frame	*bn_frame_new(const char *command);
/* Appends a header (copied). Repeats are allowed; the first one wins. */
void	 bn_frame_add_header(struct bn_frame *, const char *name,
	    const char *value);
/* Replaces the first header of that name (or appends); removes repeats. */
void	 bn_frame_set_header(struct bn_frame *, const char *name,
	    const char *value);
/* Removes every header of that name. */
void	 bn_frame_del_header(struct bn_frame *, const char *name);
/* The value of the first header of that name, or NULL. Owned by frame. */
const char *bn_frame_get(const struct bn_frame *, const char *name);
/* Copies the body. */
void	 bn_frame_set_body(struct bn_frame *, const void *, size_t);
/* Takes b's bytes as the body, without a copy; b is left empty. */
void	 bn_frame_take_body(struct bn_frame *, struct bn_buf *b);
/* Accepts NULL. */
void	 bn_frame_free(struct bn_frame *);

/*
 * The one frame writer, for the paths that write a frame straight into a
 * buffer without a struct bn_frame (ACK, BEGIN/COMMIT, forwarded and
 * stored messages): the command line, headers (escaped; raw: the value
 * as it is, for values that need no escape, such as numbers and ranges),
 * then the end: with a body, its content-length, the blank line, the body
 * and the NUL; with body NULL, no content-length, the blank line and NUL.
 */
void	 bn_frame_wire_command(struct bn_buf *, const char *command);
void	 bn_frame_wire_header(struct bn_buf *, const char *name,
	    const char *value);
void	 bn_frame_wire_header_raw(struct bn_buf *, const char *name,
	    const char *value, size_t len);
void	 bn_frame_wire_end(struct bn_buf *, const char *body, size_t len);

/*
 * Appends the wire form to out: command, headers (escaped, except for
 * CONNECT/CONNECTED), a content-length header computed from the body (any
 * content-length header in the frame is ignored), blank line, body, NUL.
 */
void	 bn_frame_serialize(const struct bn_frame *, struct bn_buf *out);

/* Escapes/unescapes a header value per STOMP 1.2 into out (appended). */
void	 bn_frame_escape(const char *, struct bn_buf *out);
/* 0 ok, -1 on an undefined escape sequence. */
int	 bn_frame_unescape(const char *, size_t, struct bn_buf *out);

#endif /* BN_FRAME_H */
