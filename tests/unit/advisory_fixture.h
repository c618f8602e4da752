/*
 * What tests/unit/test_advisory.c (the table of bodies),
 * test_advisory_json.c (member order, lengths, nesting, the contract) and
 * test_advisory_consumer.c (network subscriptions, keys, demand names)
 * share: advisory bodies, builders of ConsumerInfo bodies and a parse that
 * ASan watches for reads past the length.
 */
#ifndef ADVISORY_FIXTURE_H
#define ADVISORY_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "brokernet/advisory.h"
#include "brokernet/util.h"

#define CONN	"ID:host-40325-1700000000000-4:9"

/* The two bodies from the brief, verbatim apart from the elided tail. */
#define ADD_BODY							\
	"{\"ConsumerInfo\":{\"commandId\":4,\"responseRequired\":true,"	\
	"\"consumerId\":{\"connectionId\":\"" CONN "\",\"sessionId\":-1," \
	"\"value\":1},\"destination\":{\"@class\":\"ActiveMQQueue\","	\
	"\"string\":\"orders.eu\"},\"prefetchSize\":7,"			\
	"\"maximumPendingMessageLimit\":0,\"browser\":false,"		\
	"\"dispatchAsync\":true,\"selector\":\"a = 'b'\",\"priority\":3," \
	"\"networkSubscription\":false}}"
#define REMOVE_BODY							\
	"{\"RemoveInfo\":{\"commandId\":0,\"responseRequired\":false,"	\
	"\"objectId\":{\"@class\":\"ConsumerId\",\"connectionId\":\""	\
	CONN "\",\"sessionId\":-1,\"value\":1},"			\
	"\"lastDeliveredSequenceId\":0}}"

/* A ConsumerInfo body with the given members inside. */
#define CI(members)	"{\"ConsumerInfo\":{" members "}}"
#define CID		"\"consumerId\":{\"connectionId\":\"c\","	\
			"\"sessionId\":1,\"value\":2}"
#define QDEST(name)	"\"destination\":{\"@class\":\"ActiveMQQueue\","	\
			"\"string\":\"" name "\"}"

/*
 * Parses from an exact-size heap copy, so that a read past len is an
 * ASan report and not a silent read of the literal's NUL.
 */
static inline int
parse_copy(const char *body, size_t len, struct bn_advisory *out,
    const char **err)
{
	char	*copy;
	int	 rc;

	copy = xmalloc(len);
	memcpy(copy, body, len);
	rc = bn_advisory_parse(copy, len, out, err);
	free(copy);
	return rc;
}

#endif /* ADVISORY_FIXTURE_H */
