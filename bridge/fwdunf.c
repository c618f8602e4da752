/*
 * A message a plain peer cannot take unchanged (see
 * include/brokernet/fwdunf.h): the copy that keeps it whole on its own
 * broker. Pure: no I/O.
 */
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/fwdunf.h"
#include "brokernet/owsess.h"
#include "brokernet/topic.h"

/* Where ActiveMQ puts what it dead-letters itself (its default policy). */
#define FWDUNF_DLQ	"/queue/ActiveMQ.DLQ"

enum bn_unf_verdict
bn_unf_copy(const struct bn_frame *msg, enum bn_unfaithful mode, bool stomp,
    struct bn_frame **copy)
{
	const char	*why = bn_frame_get(msg, BN_OWSESS_UNFAITHFUL_HDR);
	const char	*form = bn_frame_get(msg, BN_OWSESS_NATIVE_HDR);
	const char	*dest = bn_frame_get(msg, "destination");
	struct bn_frame	*f;
	size_t		 i;

	*copy = NULL;
	if (stomp && why != NULL && bn_frame_get(msg, "ack") != NULL) {
		f = bn_frame_new("NACK");
		bn_frame_add_header(f, "id", bn_frame_get(msg, "ack"));
		*copy = f;
		return BN_UNF_NACK;
	}
	if (why == NULL || dest == NULL || form == NULL ||
	    strcmp(form, BN_OWSESS_NATIVE) != 0)
		return BN_UNF_REFUSE;
	if (mode == BN_UNFAITHFUL_KEEP && bn_topic_is(dest))
		return BN_UNF_SETTLE;
	f = bn_frame_new("SEND");
	if (mode == BN_UNFAITHFUL_KEEP) {
		/* back on its queue: its broker would drop the old id */
		bn_frame_add_header(f, "destination", dest);
		bn_frame_add_header(f, BN_OWSESS_NEW_ID_HDR, "true");
	} else {
		/* as ActiveMQ dead-letters: same id, where it was */
		bn_frame_add_header(f, "destination", FWDUNF_DLQ);
		bn_frame_add_header(f, "original-destination", dest);
	}
	bn_frame_add_header(f, BN_OWSESS_NATIVE_HDR, BN_OWSESS_NATIVE);
	/* the reason first: of repeated headers the first counts */
	bn_frame_add_header(f, "brokernet_unfaithful", why);
	for (i = 0; i < msg->nheaders; i++) {
		const char	*n = msg->headers[i].name;

		if (strncmp(n, "brokernet_", 10) == 0 &&
		    strcmp(n, "brokernet_unfaithful") != 0)
			bn_frame_add_header(f, n, msg->headers[i].value);
	}
	bn_frame_set_body(f, msg->body, msg->body_len);
	*copy = f;
	return BN_UNF_COPY;
}

const char *
bn_unf_done(enum bn_unfaithful mode)
{
	return mode == BN_UNFAITHFUL_KEEP ? "kept on its broker" :
	    "dead-lettered";
}
