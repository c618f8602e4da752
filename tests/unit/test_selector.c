/*
 * Unit tests for bridge/selector.c: the network subscription selector for
 * each messageTTL class, replay, kept messages (unfaithful="keep"), and
 * peer names that LIKE and SQL quoting must escape.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "brokernet/advisory.h"
#include "brokernet/selector.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define H		BN_NETSUB_SELECTOR_HEAD

struct sel_case {
	const char	*peer;
	int64_t		 ttl;
	bool		 replay;
	bool		 kept;
	const char	*want;
};

static const struct sel_case cases[] = {
	{ "B", 1, false, false, H "(brokernet_path IS NULL OR brokernet_path"
	    " NOT LIKE '%,B,%' ESCAPE '!') AND brokernet_hops IS NULL" },
	{ "B", 1, true, false, H "brokernet_path IS NOT NULL AND"
	    " (brokernet_path LIKE '%,B,%' ESCAPE '!' OR brokernet_hops IS NOT"
	    " NULL)" },
	{ "B", 3, false, false, H "(brokernet_path IS NULL OR brokernet_path"
	    " NOT LIKE '%,B,%' ESCAPE '!') AND (brokernet_hops IS NULL OR"
	    " brokernet_hops IN ('1','2'))" },
	{ "B", 3, true, false, H "brokernet_path IS NOT NULL AND"
	    " (brokernet_path LIKE '%,B,%' ESCAPE '!' OR brokernet_hops NOT IN"
	    " ('1','2'))" },
	/* no TTL (-1, or beyond 64): only the path */
	{ "B", -1, false, false, H "(brokernet_path IS NULL OR brokernet_path"
	    " NOT LIKE '%,B,%' ESCAPE '!')" },
	{ "B", 65, true, false, H "brokernet_path IS NOT NULL AND"
	    " (brokernet_path LIKE '%,B,%' ESCAPE '!')" },
	/* LIKE wildcards and the escape char are escaped, quotes doubled */
	{ "a_b%c!d'e", -1, false, false, H "(brokernet_path IS NULL OR"
	    " brokernet_path NOT LIKE '%,a!_b!%c!!d''e,%' ESCAPE '!')" },
	{ "B", 2, false, false, H "(brokernet_path IS NULL OR brokernet_path"
	    " NOT LIKE '%,B,%' ESCAPE '!') AND (brokernet_hops IS NULL OR"
	    " brokernet_hops IN ('1'))" },
	/* kept (unfaithful="keep", a peer on stomp://): one more AND */
	{ "B", 1, false, true, H "(brokernet_path IS NULL OR brokernet_path"
	    " NOT LIKE '%,B,%' ESCAPE '!') AND brokernet_hops IS NULL AND"
	    " brokernet_unfaithful IS NULL" },
	{ "B", 1, true, true, H "brokernet_path IS NOT NULL AND"
	    " (brokernet_path LIKE '%,B,%' ESCAPE '!' OR brokernet_hops IS NOT"
	    " NULL) AND brokernet_unfaithful IS NULL" },
	{ "B", 3, false, true, H "(brokernet_path IS NULL OR brokernet_path"
	    " NOT LIKE '%,B,%' ESCAPE '!') AND (brokernet_hops IS NULL OR"
	    " brokernet_hops IN ('1','2')) AND brokernet_unfaithful IS NULL" },
	{ "B", 3, true, true, H "brokernet_path IS NOT NULL AND"
	    " (brokernet_path LIKE '%,B,%' ESCAPE '!' OR brokernet_hops NOT IN"
	    " ('1','2')) AND brokernet_unfaithful IS NULL" },
	{ "B", -1, false, true, H "(brokernet_path IS NULL OR brokernet_path"
	    " NOT LIKE '%,B,%' ESCAPE '!') AND brokernet_unfaithful IS NULL" },
	{ "B", 65, true, true, H "brokernet_path IS NOT NULL AND"
	    " (brokernet_path LIKE '%,B,%' ESCAPE '!') AND brokernet_unfaithful"
	    " IS NULL" },
};

static void
test_netsub(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		struct bn_buf	b = { 0 };

		bn_selector_netsub(cases[i].peer, cases[i].ttl, cases[i].replay,
		    cases[i].kept, &b);
		assert_non_null(b.data);
		if (strcmp(b.data, cases[i].want) != 0)
			fail_msg("case %zu: got\n%s\nwant\n%s", i, b.data,
			    cases[i].want);
		bn_buf_free(&b);
	}
}

/* The head lets advisory.c tell network subscriptions from demand. */
static void
test_starts_with_head(void **state)
{
	struct bn_buf	b = { 0 };
	int64_t		ttl;

	(void)state;
	for (ttl = -1; ttl <= 66; ttl++) {
		bn_selector_netsub("peer", ttl, ttl % 2 == 0, ttl % 3 == 0,
		    &b);
		assert_memory_equal(b.data, H, strlen(H));
		bn_buf_reset(&b);
	}
	bn_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netsub),
		cmocka_unit_test(test_starts_with_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
