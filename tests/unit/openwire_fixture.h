/*
 * What tests/unit/test_openwire.c (captured frames, negotiation),
 * test_openwire_commands.c (every command) and test_openwire_map.c (the
 * primitive map, Java's UTF-8) share: the includes, OpenWire string
 * comparison and a property lookup in a marshalled map.
 */
#ifndef OPENWIRE_FIXTURE_H
#define OPENWIRE_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/openwire.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static inline bool
str_is(const struct bn_ow_str *s, const char *want)
{
	return s->p != NULL && s->len == strlen(want) &&
	    memcmp(s->p, want, s->len) == 0;
}

/* Looks a property up in a marshalled primitive map. */
static inline bool
map_get(const struct bn_ow_bytes *m, const char *name, struct bn_ow_prim *v)
{
	struct bn_ow_map_iter it;
	struct bn_ow_str n;
	struct bn_ow_bytes raw;
	char		 err[128];

	assert_int_equal(bn_ow_map_open(&it, m->p, m->len, err, sizeof(err)),
	    0);
	while (bn_ow_map_next(&it, &n, v, &raw, err, sizeof(err)) == 1)
		if (str_is(&n, name))
			return true;
	return false;
}

#endif /* OPENWIRE_FIXTURE_H */
