/*
 * libFuzzer harness for bridge/uri.c: the input, NUL-terminated, goes
 * through all four URI parsers. Besides the sanitizers, it checks the
 * contract: success yields complete results, failure a one-line reason and
 * nothing owned.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *       -Iinclude -I/usr/include/libxml2 bridge/config.c bridge/xml.c \
 *       bridge/endpoint.c bridge/failover.c bridge/uri.c \
 *       bridge/util.c tests/fuzz/fuzz_uri.c -lxml2 -lm -o fuzz_uri
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/config.h"
#include "brokernet/uri.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_uri: %s\n", what);
		abort();
	}
}

static void
fuzz_endpoint(const struct bn_endpoint *ep)
{
	const char	*p;

	fuzz_check(ep->scheme != NULL && ep->host != NULL, "NULL field");
	fuzz_check(*ep->scheme != '\0' && *ep->host != '\0', "empty field");
	fuzz_check(ep->port != 0, "port 0");
	for (p = ep->scheme; *p != '\0'; p++)
		fuzz_check(!isupper((unsigned char)*p), "scheme not lower");
}

static void
fuzz_error(int rv, const char *err)
{
	fuzz_check(rv == -1, "neither 0 nor -1");
	fuzz_check(*err != '\0', "no reason");
	for (; *err != '\0'; err++)
		fuzz_check((unsigned char)*err >= 0x20 && *err != 0x7f,
		    "control character in the reason");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bn_endpoint		 ep;
	struct bn_failover		 f;
	struct bn_network_connector	 nc;
	struct bn_transport_connector	 tc;
	char				*s, err[512];
	size_t				 i;
	int				 rv;

	s = malloc(size + 1);
	fuzz_check(s != NULL, "out of memory");
	memcpy(s, data, size);
	s[size] = '\0';

	err[0] = '\0';
	if ((rv = bn_endpoint_parse(s, &ep, err, sizeof(err))) == 0) {
		fuzz_endpoint(&ep);
		bn_endpoint_free(&ep);
	} else {
		fuzz_error(rv, err);
		fuzz_check(ep.scheme == NULL && ep.host == NULL, "owned");
	}

	err[0] = '\0';
	if ((rv = bn_failover_parse(s, &f, err, sizeof(err))) == 0) {
		fuzz_check(f.nuris >= 1, "empty failover list");
		for (i = 0; i < f.nuris; i++)
			fuzz_endpoint(&f.uris[i]);
		for (i = 0; i < f.npriority; i++)
			fuzz_endpoint(&f.priority_uris[i]);
		fuzz_check(f.jitter >= 0.0 && f.jitter <= 1.0, "jitter");
		fuzz_check(f.exponent >= 1.0, "exponent");
		fuzz_check(f.max_attempts >= -1 && f.timeout_ms >= -1,
		    "negative");
	} else {
		fuzz_error(rv, err);
		fuzz_check(f.uris == NULL && f.priority_uris == NULL, "owned");
	}
	bn_failover_free(&f);

	err[0] = '\0';
	memset(&nc, 0, sizeof(nc));
	if ((rv = bn_connector_uri_parse(s, &nc, err, sizeof(err))) == 0) {
		if (nc.discovery == BN_DISC_MULTICAST)
			fuzz_check(nc.group != NULL && nc.npeers == 0,
			    "multicast without group");
		else
			fuzz_check(nc.npeers >= 1 && nc.group == NULL &&
			    nc.interface == NULL, "static without peers");
		if (nc.masterslave)
			fuzz_check(nc.npeers >= 2, "masterslave of one");
		for (i = 0; i < nc.npeers; i++)
			fuzz_endpoint(&nc.peers[i]);
		fuzz_check(nc.reconnect.multiplier >= 1.0 &&
		    nc.reconnect.jitter >= 0.0 && nc.reconnect.jitter <= 1.0,
		    "reconnect range");
		for (i = 0; i < nc.npeers; i++)
			bn_endpoint_free(&nc.peers[i]);
		free(nc.peers);
		free(nc.group);
		free(nc.interface);
	} else {
		fuzz_error(rv, err);
		fuzz_check(nc.peers == NULL && nc.group == NULL &&
		    nc.interface == NULL, "owned");
	}

	err[0] = '\0';
	memset(&tc, 0, sizeof(tc));
	if ((rv = bn_listener_uri_parse(s, &tc, err, sizeof(err))) == 0) {
		fuzz_endpoint(&tc.listen);
		fuzz_check(tc.max_connections >= 1 && tc.max_frame_size >= 1,
		    "listener limits");
		bn_endpoint_free(&tc.listen);
	} else {
		fuzz_error(rv, err);
		fuzz_check(tc.listen.scheme == NULL, "owned");
	}
	free(s);
	return 0;
}
