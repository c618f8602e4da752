/*
 * What tests/unit/test_uri.c (endpoints, failover:, listeners) and
 * test_uri_connector.c (network connector URIs) share: the includes, an
 * endpoint check and the row of a table of refused URIs.
 */
#ifndef URI_FIXTURE_H
#define URI_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "brokernet/config.h"
#include "brokernet/uri.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static inline void
check_endpoint(const struct bn_endpoint *ep, const char *scheme,
    const char *host, unsigned port)
{
	assert_non_null(ep->scheme);
	assert_non_null(ep->host);
	assert_string_equal(ep->scheme, scheme);
	assert_string_equal(ep->host, host);
	assert_int_equal(ep->port, port);
}

/* A URI that must be refused, and the exact error. */
struct bad {
	const char	*in;
	const char	*err;
};

#endif /* URI_FIXTURE_H */
