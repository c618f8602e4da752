/*
 * libFuzzer harness for bn_advisory_parse. libFuzzer hands over an
 * exact-size heap buffer, so any read past len is an ASan report. On
 * success the result must keep the documented invariants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/advisory.h"

static void
fuzz_check(const struct bn_advisory *adv)
{
	size_t	clen;

	if (memchr(adv->consumer_id, '\0', sizeof(adv->consumer_id)) == NULL ||
	    memchr(adv->connection_id, '\0',
	    sizeof(adv->connection_id)) == NULL ||
	    memchr(adv->destination, '\0', sizeof(adv->destination)) == NULL)
		abort();
	clen = strlen(adv->connection_id);
	if (clen == 0 || strncmp(adv->consumer_id, adv->connection_id,
	    clen) != 0 || adv->consumer_id[clen] != '/')
		abort();
	if (adv->priority < -128 || adv->priority > 127)
		abort();
	switch (adv->kind) {
	case BN_ADV_ADD:
		if (adv->destination[0] == '\0')
			abort();
		break;
	case BN_ADV_REMOVE:
		if (adv->destination[0] != '\0' || adv->queue ||
		    adv->browser || adv->priority != 0 || adv->has_selector)
			abort();
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bn_advisory	 a, b;
	const char		*err = NULL, *err2 = NULL;
	int			 rc;

	rc = bn_advisory_parse((const char *)data, size, &a, &err);
	if (rc == 0)
		fuzz_check(&a);
	else if (rc != -1 || err == NULL || *err == '\0')
		abort();

	/* Deterministic: the same answer and reason a second time. */
	if (bn_advisory_parse((const char *)data, size, &b, &err2) != rc)
		abort();
	if (rc == 0 && (a.kind != b.kind ||
	    strcmp(a.consumer_id, b.consumer_id) != 0 ||
	    strcmp(a.connection_id, b.connection_id) != 0 ||
	    strcmp(a.destination, b.destination) != 0 ||
	    a.queue != b.queue || a.browser != b.browser ||
	    a.priority != b.priority || a.has_selector != b.has_selector))
		abort();
	if (rc == -1 && strcmp(err, err2) != 0)
		abort();
	return 0;
}
