/*
 * What of a broker's message travels on (fwdwire.h): the link message
 * forward.c writes for it, long or compact as the link agreed, and the
 * rule receive.c shares for what it stores: the headers of one delivery
 * never travel. No I/O: it writes into the link's output buffer.
 */
#include <string.h>

#include "brokernet/daemon.h"
#include "brokernet/fwdwire.h"
#include "brokernet/link.h"
#include "brokernet/linkhdr.h"
#include "brokernet/linkz.h"
#include "brokernet/util.h"

/* Headers that belong to one delivery and are never carried on. */
static const char *const fwd_strip[] = {
	"ack", "subscription", "message-id", "receipt", "redelivered",
	"destination", "content-length", "transaction", "seq",
};

/*
 * Appends "\nname:value" (escaped) for every header of f that travels on:
 * not the per-delivery ones and, when hop is set, not the path and hop
 * count (the forwarder writes new ones).
 */
void
bn_fwd_wire_headers(const struct bn_frame *f, bool hop, struct bn_buf *b)
{
	size_t	i;

	for (i = 0; i < f->nheaders; i++) {
		const char	*n = f->headers[i].name;

		if (bn_fwd_is_delivery_header(n) || (hop &&
		    (strcmp(n, "brokernet_path") == 0 ||
		    strcmp(n, "brokernet_hops") == 0)))
			continue;
		bn_buf_addc(b, '\n');
		bn_frame_escape(n, b);
		bn_buf_addc(b, ':');
		bn_frame_escape(f->headers[i].value, b);
	}
}

bool
bn_fwd_is_delivery_header(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(fwd_strip) / sizeof(fwd_strip[0]); i++)
		if (strcmp(name, fwd_strip[i]) == 0)
			return true;
	return false;
}

/*
 * Writes the link message for broker frame f directly in wire form, long or
 * compact as the link agreed (linkhdr.h).
 */
void
bn_fwd_wire(struct bn_link *l, const struct bn_frame *f, uint64_t seq,
    const char *dest)
{
	struct bn_buf		*b = &l->out;
	struct bn_linkhdr_state	*st = bn_linkz_tx(l);
	struct bn_linkhdr_net	 net;
	const char		*path = bn_frame_get(f, "brokernet_path");
	const char		*hops_s = bn_frame_get(f, "brokernet_hops");
	uint64_t		 hops = 0;
	size_t			 i;

	if (hops_s != NULL && bn_strtou64(hops_s, 100000, &hops) == -1)
		hops = 0;
	net.self = l->d->self;
	net.origin = bn_frame_get(f, "brokernet_origin");
	if (net.origin == NULL)
		net.origin = net.self;
	net.origin_id = bn_frame_get(f, "brokernet_origin_id");
	if (net.origin_id == NULL)
		net.origin_id = bn_frame_get(f, "message-id");
	net.prev_path = path != NULL && *path == ',' ? path : ",";
	net.hops = hops + 1;
	bn_buf_reset(b);
	bn_linkhdr_begin(b, st, seq, dest);
	for (i = 0; i < f->nheaders; i++) {
		const char	*n = f->headers[i].name;

		/* the network's own headers are written below */
		if (bn_fwd_is_delivery_header(n) || (strncmp(n, "brokernet_",
		    10) == 0 && (strcmp(n + 10, "path") == 0 ||
		    strcmp(n + 10, "hops") == 0 || strcmp(n + 10,
		    "origin") == 0 || strcmp(n + 10, "origin_id") == 0)))
			continue;
		bn_linkhdr_add(b, st, n, f->headers[i].value);
	}
	bn_linkhdr_end(b, st, &net, f->body, f->body_len);
}
