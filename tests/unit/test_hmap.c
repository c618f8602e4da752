/*
 * Unit tests for bridge/hmap.c: put/get/del over many keys and across
 * growth, overwrite, iteration visiting each key once, odd keys (empty,
 * shared prefixes, long), a never-initialised or cleared map.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "brokernet/hmap.h"
#include "brokernet/siphash.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define NKEYS		10000

/* Values are small integers stored in the pointer, 1-based (NULL = none). */
#define V(i)		((void *)(uintptr_t)((i) + 1))
#define IDX(p)		((size_t)(uintptr_t)(p) - 1)

static void
key_of(size_t i, char *buf, size_t n)
{
	snprintf(buf, n, "queue.%zu", i);
}

/* Counts how often each value shows up in one full iteration. */
static size_t
iterate_count(const struct bn_hmap *m, unsigned char *seen, size_t nseen)
{
	struct bn_hmap_ent	*e;
	size_t			 i, n = 0;

	for (e = bn_hmap_first(m, &i); e != NULL; e = bn_hmap_next(m, e, &i)) {
		size_t	v = IDX(e->value);

		assert_true(v < nseen);
		seen[v]++;
		n++;
	}
	return n;
}

static void
test_many_keys(void **state)
{
	struct bn_hmap	 m;
	char		 key[32];
	size_t		 i;

	bn_hmap_init(&m);
	assert_int_equal(bn_hmap_count(&m), 0);
	for (i = 0; i < NKEYS; i++) {
		key_of(i, key, sizeof(key));
		assert_null(bn_hmap_put(&m, key, V(i)));
		assert_int_equal(bn_hmap_count(&m), i + 1);
	}
	/* it grew, and stays a power of two */
	assert_true(m.nb > 16);
	assert_int_equal(m.nb & (m.nb - 1), 0);
	for (i = 0; i < NKEYS; i++) {
		key_of(i, key, sizeof(key));
		assert_ptr_equal(bn_hmap_get(&m, key), V(i));
	}
	assert_null(bn_hmap_get(&m, "queue.10000"));
	assert_null(bn_hmap_get(&m, "queue."));
	assert_null(bn_hmap_get(&m, "queue.01"));

	/* delete the even ones */
	for (i = 0; i < NKEYS; i += 2) {
		key_of(i, key, sizeof(key));
		assert_ptr_equal(bn_hmap_del(&m, key), V(i));
	}
	assert_int_equal(bn_hmap_count(&m), NKEYS / 2);
	for (i = 0; i < NKEYS; i++) {
		key_of(i, key, sizeof(key));
		if (i % 2 == 0)
			assert_null(bn_hmap_get(&m, key));
		else
			assert_ptr_equal(bn_hmap_get(&m, key), V(i));
	}
	/* deleting again finds nothing and changes nothing */
	for (i = 0; i < NKEYS; i += 2) {
		key_of(i, key, sizeof(key));
		assert_null(bn_hmap_del(&m, key));
	}
	assert_int_equal(bn_hmap_count(&m), NKEYS / 2);
	/* put the even ones back with other values */
	for (i = 0; i < NKEYS; i += 2) {
		key_of(i, key, sizeof(key));
		assert_null(bn_hmap_put(&m, key, V(i + 1)));
	}
	assert_int_equal(bn_hmap_count(&m), NKEYS);
	for (i = 0; i < NKEYS; i += 2) {
		key_of(i, key, sizeof(key));
		assert_ptr_equal(bn_hmap_get(&m, key), V(i + 1));
	}
	/* delete everything */
	for (i = 0; i < NKEYS; i++) {
		key_of(i, key, sizeof(key));
		assert_non_null(bn_hmap_del(&m, key));
	}
	assert_int_equal(bn_hmap_count(&m), 0);
	assert_null(bn_hmap_first(&m, &i));
	bn_hmap_clear(&m);
}

static void
test_overwrite(void **state)
{
	struct bn_hmap	m;
	int		a, b, c;

	bn_hmap_init(&m);
	assert_null(bn_hmap_put(&m, "q", &a));
	assert_ptr_equal(bn_hmap_put(&m, "q", &b), &a);
	assert_ptr_equal(bn_hmap_put(&m, "q", &c), &b);
	/* overwriting does not add an entry */
	assert_int_equal(bn_hmap_count(&m), 1);
	assert_ptr_equal(bn_hmap_get(&m, "q"), &c);
	/* same value again: returns it, still one entry */
	assert_ptr_equal(bn_hmap_put(&m, "q", &c), &c);
	assert_int_equal(bn_hmap_count(&m), 1);
	assert_ptr_equal(bn_hmap_del(&m, "q"), &c);
	assert_null(bn_hmap_get(&m, "q"));
	assert_int_equal(bn_hmap_count(&m), 0);
	bn_hmap_clear(&m);
}

/* Each key once, at every size, including after deletions. */
static void
test_iterate(void **state)
{
	static const size_t	 sizes[] = { 0, 1, 2, 15, 16, 17, 32, 33,
	    100, 1000, NKEYS };
	struct bn_hmap		 m;
	unsigned char		*seen;
	char			 key[32];
	size_t			 s, i, n;

	seen = calloc(NKEYS, 1);
	assert_non_null(seen);
	for (s = 0; s < NELEM(sizes); s++) {
		bn_hmap_init(&m);
		for (i = 0; i < sizes[s]; i++) {
			key_of(i, key, sizeof(key));
			bn_hmap_put(&m, key, V(i));
		}
		memset(seen, 0, NKEYS);
		n = iterate_count(&m, seen, NKEYS);
		assert_int_equal(n, sizes[s]);
		for (i = 0; i < NKEYS; i++)
			if (seen[i] != (i < sizes[s] ? 1 : 0))
				fail_msg("size %zu: key %zu seen %u times",
				    sizes[s], i, seen[i]);

		/* drop every third key; the rest still once each */
		for (i = 0; i < sizes[s]; i += 3) {
			key_of(i, key, sizeof(key));
			bn_hmap_del(&m, key);
		}
		memset(seen, 0, NKEYS);
		n = iterate_count(&m, seen, NKEYS);
		assert_int_equal(n, bn_hmap_count(&m));
		for (i = 0; i < NKEYS; i++)
			if (seen[i] != (i < sizes[s] && i % 3 != 0 ? 1 : 0))
				fail_msg("size %zu after del: key %zu seen %u"
				    " times", sizes[s], i, seen[i]);
		bn_hmap_clear(&m);
	}
	free(seen);
}

/* The entry's key is the map's copy and matches what was put. */
static void
test_iterate_keys(void **state)
{
	static const char	*keys[] = { "a", "b", "", "a.b", "ab" };
	struct bn_hmap		 m;
	struct bn_hmap_ent	*e;
	unsigned char		 seen[NELEM(keys)] = { 0 };
	size_t			 i;

	bn_hmap_init(&m);
	for (i = 0; i < NELEM(keys); i++)
		bn_hmap_put(&m, keys[i], V(i));
	for (e = bn_hmap_first(&m, &i); e != NULL; e = bn_hmap_next(&m, e,
	    &i)) {
		size_t	v = IDX(e->value);

		assert_true(v < NELEM(keys));
		assert_string_equal(e->key, keys[v]);
		assert_ptr_not_equal(e->key, keys[v]);
		seen[v]++;
	}
	for (i = 0; i < NELEM(keys); i++)
		assert_int_equal(seen[i], 1);
	bn_hmap_clear(&m);
}

/* Keys that are easy to confuse are distinct; keys are copied. */
static void
test_odd_keys(void **state)
{
	static const char	*keys[] = {
		"", " ", "A", "AB", "B", "BA", "a", "queue", "queue.",
		"queue.a", "queue.a.b", "\t", "x\xff", "\x01",
	};
	struct bn_hmap		 m;
	char			 buf[16], *lng;
	size_t			 i;

	bn_hmap_init(&m);
	for (i = 0; i < NELEM(keys); i++)
		assert_null(bn_hmap_put(&m, keys[i], V(i)));
	assert_int_equal(bn_hmap_count(&m), NELEM(keys));
	for (i = 0; i < NELEM(keys); i++)
		if (bn_hmap_get(&m, keys[i]) != V(i))
			fail_msg("key \"%s\" lost its value", keys[i]);

	/* the empty key is a key like any other */
	assert_ptr_equal(bn_hmap_put(&m, "", V(100)), V(0));
	assert_ptr_equal(bn_hmap_get(&m, ""), V(100));
	assert_ptr_equal(bn_hmap_del(&m, ""), V(100));
	assert_null(bn_hmap_get(&m, ""));
	assert_null(bn_hmap_del(&m, ""));
	assert_ptr_equal(bn_hmap_get(&m, " "), V(1));
	assert_int_equal(bn_hmap_count(&m), NELEM(keys) - 1);

	/* the map copies the key: changing the caller's buffer is harmless */
	strcpy(buf, "mutable");
	bn_hmap_put(&m, buf, V(200));
	strcpy(buf, "changed");
	assert_ptr_equal(bn_hmap_get(&m, "mutable"), V(200));
	assert_null(bn_hmap_get(&m, "changed"));

	/* a long key */
	lng = malloc(70000);
	assert_non_null(lng);
	memset(lng, 'k', 69999);
	lng[69999] = '\0';
	bn_hmap_put(&m, lng, V(300));
	assert_ptr_equal(bn_hmap_get(&m, lng), V(300));
	lng[69998] = 'j';
	assert_null(bn_hmap_get(&m, lng));
	lng[69998] = 'k';
	assert_ptr_equal(bn_hmap_del(&m, lng), V(300));
	free(lng);
	bn_hmap_clear(&m);
}

/* A zeroed map works without init; a cleared map can be used again. */
static void
test_zeroed_and_cleared(void **state)
{
	struct bn_hmap	m;
	size_t		i;

	memset(&m, 0, sizeof(m));
	assert_null(bn_hmap_get(&m, "q"));
	assert_null(bn_hmap_del(&m, "q"));
	assert_int_equal(bn_hmap_count(&m), 0);
	assert_null(bn_hmap_first(&m, &i));
	assert_null(bn_hmap_put(&m, "q", V(1)));
	assert_ptr_equal(bn_hmap_get(&m, "q"), V(1));
	bn_hmap_clear(&m);
	assert_int_equal(bn_hmap_count(&m), 0);
	assert_null(bn_hmap_get(&m, "q"));
	assert_null(bn_hmap_del(&m, "q"));
	assert_null(bn_hmap_first(&m, &i));
	/* clearing twice is harmless */
	bn_hmap_clear(&m);
	assert_null(bn_hmap_put(&m, "r", V(2)));
	assert_ptr_equal(bn_hmap_get(&m, "r"), V(2));
	assert_int_equal(bn_hmap_count(&m), 1);
	bn_hmap_clear(&m);
}

/* The 64-bit FNV-1a the map used before it was keyed. */
static size_t
fnv1a(const char *s)
{
	size_t	h = (size_t)14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * (size_t)1099511628211ULL;
	return h;
}

/*
 * The hash is SipHash-2-4 under the seed: the same seed gives the same
 * hashes (and entries carry them), another seed other ones, and neither
 * is the unkeyed FNV-1a a peer could aim collisions at.
 */
static void
test_seeded_hash(void **state)
{
	static const uint64_t	k1[2] = { 0x0706050403020100ULL,
				    0x0f0e0d0c0b0a0908ULL };
	struct bn_hmap		 m;
	struct bn_hmap_ent	*e;
	char			 key[32];
	size_t			 i, j, a[64], differ = 0, same_bucket = 0;
	uint64_t		 want[2];

	bn_hmap_seed(k1[0], k1[1]);
	for (i = 0; i < NELEM(a); i++) {
		key_of(i, key, sizeof(key));
		a[i] = bn_hmap_hash(key);
		bn_siphash128(k1, key, strlen(key), want);
		assert_true(a[i] == (size_t)want[0]);
		assert_true(a[i] != fnv1a(key));
		assert_true(bn_hmap_hash(key) == a[i]);
	}
	/* Entries keep the hash of the seed they were put under. */
	memset(&m, 0, sizeof(m));
	bn_hmap_put(&m, "queue.0", V(0));
	e = bn_hmap_first(&m, &j);
	assert_non_null(e);
	assert_true(e->hash == a[0]);
	bn_hmap_clear(&m);

	bn_hmap_seed(1, 2);
	for (i = 0; i < NELEM(a); i++) {
		key_of(i, key, sizeof(key));
		differ += bn_hmap_hash(key) != a[i];
		/* 16 buckets: the low 4 bits pick the bucket */
		same_bucket += (bn_hmap_hash(key) & 15) == (a[i] & 15);
	}
	assert_int_equal(differ, NELEM(a));
	assert_true(same_bucket < NELEM(a) / 2);

	/* Back to the first seed: the same hashes again. */
	bn_hmap_seed(k1[0], k1[1]);
	for (i = 0; i < NELEM(a); i++) {
		key_of(i, key, sizeof(key));
		assert_true(bn_hmap_hash(key) == a[i]);
	}
}

/* clear_free frees the values too (ASan's leak check sees any left). */
static void
test_clear_free(void **state)
{
	struct bn_hmap	m;
	char		key[32];
	size_t		i;

	bn_hmap_init(&m);
	for (i = 0; i < 100; i++) {
		key_of(i, key, sizeof(key));
		bn_hmap_put(&m, key, strdup(key));
	}
	assert_int_equal(bn_hmap_count(&m), 100);
	bn_hmap_clear_free(&m);
	assert_int_equal(bn_hmap_count(&m), 0);
	assert_null(bn_hmap_get(&m, "queue.0"));
	bn_hmap_clear_free(&m);		/* an empty map too */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_overwrite),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_iterate_keys),
		cmocka_unit_test(test_odd_keys),
		cmocka_unit_test(test_zeroed_and_cleared),
		cmocka_unit_test(test_seeded_hash),
		cmocka_unit_test(test_clear_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
