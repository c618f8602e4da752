/*
 * libFuzzer harness for the config loader: the input is an XML document
 * handed to bn_config_load_string. Besides the sanitizers, it checks what
 * callers rely on: an error is one "fuzz.xml:LINE: reason" line of
 * printable characters, and a loaded config has a name, a broker URI list
 * and unique connector names.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *       -Iinclude -I/usr/include/libxml2 bridge/config.c bridge/xml.c \
 *       bridge/endpoint.c bridge/failover.c bridge/uri.c \
 *       bridge/filter.c bridge/backoff.c bridge/util.c \
 *       tests/fuzz/fuzz_config.c -lxml2 -lm -o fuzz_config
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/config.h"
#include "brokernet/filter.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_config: %s\n", what);
		abort();
	}
}

static void
fuzz_config_check(const struct bn_config *c)
{
	size_t	i, j;

	fuzz_check(c->name != NULL && *c->name != '\0', "no name");
	fuzz_check(c->broker.uri != NULL, "no broker uri");
	fuzz_check(c->broker.failover.nuris >= 1, "no broker endpoint");
	for (i = 0; i < c->broker.failover.nuris; i++)
		fuzz_check(c->broker.failover.uris[i].port != 0, "port 0");
	for (i = 0; i < c->nconnectors; i++) {
		const struct bn_network_connector *nc = &c->connectors[i];

		fuzz_check(nc->name != NULL, "unnamed connector");
		fuzz_check(nc->prefetch >= 1, "prefetch 0");
		fuzz_check(nc->network_ttl >= -1 && nc->message_ttl >= -1 &&
		    nc->consumer_ttl >= -1, "TTL below -1");
		if (nc->discovery == BN_DISC_MULTICAST)
			fuzz_check(nc->group != NULL, "no group");
		else
			fuzz_check(nc->npeers >= 1, "no peers");
		for (j = 0; j < i; j++)
			fuzz_check(strcmp(nc->name, c->connectors[j].name) != 0,
			    "duplicate connector name");
		/* the filter runs on whatever the lists hold */
		(void)bn_connector_filter(nc, "orders.eu");
		(void)bn_connector_filter(nc, "ActiveMQ.DLQ");
	}
	for (i = 0; i < c->nlisteners; i++) {
		fuzz_check(c->listeners[i].name != NULL, "unnamed listener");
		for (j = 0; j < i; j++)
			fuzz_check(strcmp(c->listeners[i].name,
			    c->listeners[j].name) != 0,
			    "duplicate listener name");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bn_config	*c;
	char			 err[512];
	const char		*p;

	c = bn_config_load_string((const char *)data, size, "fuzz.xml", err,
	    sizeof(err));
	if (c == NULL) {
		fuzz_check(strncmp(err, "fuzz.xml:", 9) == 0 &&
		    err[9] >= '1' && err[9] <= '9', "error without a line");
		for (p = err; *p != '\0'; p++)
			fuzz_check((unsigned char)*p >= 0x20 && *p != 0x7f,
			    "control character in the error");
		return 0;
	}
	fuzz_config_check(c);
	bn_config_free(c);
	return 0;
}
