/*
 * The one place where buffered bytes meet the frame parser: used by the
 * broker connection and by sidecar links alike.
 */
#ifndef BN_EVFRAME_H
#define BN_EVFRAME_H

#include <stdbool.h>
#include <stddef.h>

struct evbuffer;
struct bn_frame;
struct bn_frame_cursor;
struct bn_frame_limits;

/*
 * Parses and drains every complete frame in `in`, calling cb for each (cb
 * owns the frame). cb returns false when its object went away: stop at once.
 * cur is the stream's parse in progress (zeroed when the stream starts;
 * see bn_frame_parse_next): a frame still incomplete is not rescanned.
 * Returns 0 (all done or stopped), or -1 on a malformed frame with *err.
 */
int	bn_evframe_read(struct evbuffer *in, const struct bn_frame_limits *,
	    struct bn_frame_cursor *cur, bool (*cb)(struct bn_frame *, void *),
	    void *arg,
	    const char **err);

#endif /* BN_EVFRAME_H */
