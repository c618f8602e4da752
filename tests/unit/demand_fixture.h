/*
 * What tests/unit/test_demand.c (local and remote counts, paths,
 * priorities) and test_demand_advert.c (re-advertising) share: the
 * includes and the changed-queue lists read back in a stable order.
 */
#ifndef DEMAND_FIXTURE_H
#define DEMAND_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "brokernet/demand.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static inline int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The NUL-separated names in b, sorted and joined with spaces into out
 * (the order of changed lists is unspecified).
 */
static inline const char *
names_sorted(const struct bn_buf *b, char *out, size_t n)
{
	const char	*v[64];
	size_t		 nv = 0, off, i;

	out[0] = '\0';
	for (off = 0; off < b->len; off += strlen(b->data + off) + 1) {
		assert_true(nv < NELEM(v));
		v[nv++] = b->data + off;
	}
	/* the list ends with a NUL: no half name at the end */
	if (b->len > 0)
		assert_int_equal(b->data[b->len - 1], '\0');
	qsort(v, nv, sizeof(v[0]), cmp_str);
	for (i = 0; i < nv; i++) {
		if (i > 0)
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, v[i], n - strlen(out) - 1);
	}
	return out;
}

#endif /* DEMAND_FIXTURE_H */
