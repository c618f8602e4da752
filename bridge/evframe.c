/* Pulls frames out of an evbuffer with the stateless parser. */
#include <event2/buffer.h>

#include "brokernet/evframe.h"
#include "brokernet/frame.h"

int
bn_evframe_read(struct evbuffer *in, const struct bn_frame_limits *limits,
    struct bn_frame_cursor *cur, bool (*cb)(struct bn_frame *, void *),
    void *arg,
    const char **err)
{
	enum bn_parse_result	 r;
	struct bn_frame		*f;
	size_t			 len, used;
	bool			 hb;

	for (;;) {
		len = evbuffer_get_length(in);
		if (len == 0 || len < cur->need)
			return 0;
		f = NULL;
		r = bn_frame_parse_next((const char *)evbuffer_pullup(in, -1),
		    len, limits, cur, &f, &used, &hb, err);
		if (r == BN_PARSE_NEED_MORE)
			return 0;
		if (r == BN_PARSE_ERROR)
			return -1;
		evbuffer_drain(in, used);
		if (f != NULL && !cb(f, arg))
			return 0;
	}
}
