/*
 * For unit tests of destination filters (test_filter.c, test_topic.c):
 * a struct bn_dest_list from "q:pattern" / "t:pattern" strings (q: a
 * queue, t: a topic), each on the line of its index + 1. The patterns are
 * the caller's strings; free(l->items) when done.
 */
#ifndef TEST_DESTLIST_H
#define TEST_DESTLIST_H

#include <stdlib.h>

#include "brokernet/config.h"

static void
list_set(struct bn_dest_list *l, const char *const *entries)
{
	size_t	n = 0, i;

	while (entries != NULL && entries[n] != NULL)
		n++;
	l->items = n ? calloc(n, sizeof(*l->items)) : NULL;
	l->n = n;
	for (i = 0; i < n; i++) {
		l->items[i].topic = entries[i][0] == 't';
		l->items[i].pattern = (char *)entries[i] + 2;
		l->items[i].line = (int)i + 1;
	}
}

#endif /* TEST_DESTLIST_H */
