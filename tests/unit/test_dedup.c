/*
 * Unit tests for bridge/dedup.c (the duplicate window: count and age
 * bounds, FIFO eviction, STORING/STORED, waiters, key building) and
 * bridge/dedupstore.c (its state file: round trip through a reopen,
 * expired and malformed lines skipped, compaction keeping only stored
 * keys). Files live in a mkdtemp directory under /tmp, removed after each
 * test.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "brokernet/dedup.h"
#include "brokernet/dedupstore.h"
#include "brokernet/log.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Tests marked BUG were written against defects found while writing them;
 * the defects are fixed and the tests stay as regression tests.
 */

/* The window's keys, oldest first, joined with spaces. */
static const char *
fifo_keys(const struct bn_dedup *dd, char *out, size_t n)
{
	const struct bn_dedup_ent	*e;

	out[0] = '\0';
	TAILQ_FOREACH(e, &dd->fifo, entry) {
		if (out[0] != '\0')
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, e->key, n - strlen(out) - 1);
	}
	return out;
}

/* Key building */

static const struct {
	const char	*what;
	const char	*origin, *id, *path;
	size_t		 n;
	int		 rc;
	const char	*want;
} key_cases[] = {
	{ "plain", "A", "ID:a-1:1:1:1", "A,B", 64, 0, "A|ID:a-1:1:1:1|A,B" },
	{ "single-name path", "B", "7", "B", 64, 0, "B|7|B" },
	{ "spaces are kept", "A", "ID 1", "A", 64, 0, "A|ID 1|A" },
	{ "origin missing", NULL, "1", "A", 64, -1, NULL },
	{ "id missing", "A", NULL, "A", 64, -1, NULL },
	{ "path missing", "A", "1", NULL, 64, -1, NULL },
	{ "all missing", NULL, NULL, NULL, 64, -1, NULL },
	{ "exact fit", "A", "1", "B", 6, 0, "A|1|B" },
	{ "one byte short", "A", "1", "B", 5, -1, NULL },
	{ "room for the NUL only", "A", "1", "B", 1, -1, NULL },
	{ "no room at all", "A", "1", "B", 0, -1, NULL },
	{ "newline in origin", "A\n", "1", "A", 64, -1, NULL },
	{ "newline in id", "A", "ID\n1", "A", 64, -1, NULL },
	{ "newline in path", "A", "1", "A,\nB", 64, -1, NULL },
	{ "newline alone", "A", "\n", "A", 64, -1, NULL },
};

static void
test_key(void **state)
{
	char	out[64];
	size_t	i;
	int	rc;

	for (i = 0; i < NELEM(key_cases); i++) {
		memset(out, 'x', sizeof(out));
		rc = bn_dedup_key(key_cases[i].origin, key_cases[i].id,
		    key_cases[i].path, out, key_cases[i].n);
		if (rc != key_cases[i].rc)
			fail_msg("%s: rc %d, want %d", key_cases[i].what, rc,
			    key_cases[i].rc);
		if (rc == 0 && strcmp(out, key_cases[i].want) != 0)
			fail_msg("%s: \"%s\", want \"%s\"", key_cases[i].what,
			    out, key_cases[i].want);
		/* nothing is written past n */
		if (key_cases[i].n < sizeof(out) &&
		    out[key_cases[i].n] != 'x')
			fail_msg("%s: wrote past %zu", key_cases[i].what,
			    key_cases[i].n);
	}
}

/* The 1024-byte buffer forward.c uses: 1023 characters fit, 1024 do not. */
static void
test_key_long(void **state)
{
	char	id[1100], out[1024];

	memset(id, 'i', sizeof(id));
	id[1023 - 4] = '\0';		/* "A|" + id + "|B" = 1023 */
	assert_int_equal(bn_dedup_key("A", id, "B", out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 1023);
	assert_int_equal(out[1022], 'B');
	id[1023 - 4] = 'i';
	id[1024 - 4] = '\0';		/* 1024 */
	assert_int_equal(bn_dedup_key("A", id, "B", out, sizeof(out)), -1);
	id[sizeof(id) - 1] = '\0';	/* far too long */
	assert_int_equal(bn_dedup_key("A", id, "B", out, sizeof(out)), -1);
}

/* The window */

static void
test_get_add_del(void **state)
{
	struct bn_dedup		 dd;
	struct bn_dedup_ent	*a, *b;
	char			 key[16], s[128];

	bn_dedup_init(&dd, 10, 60000);
	assert_int_equal(bn_dedup_count(&dd), 0);
	assert_null(bn_dedup_get(&dd, "k1", 0));

	strcpy(key, "k1");
	a = bn_dedup_add(&dd, key, BN_DEDUP_STORING, 1000);
	assert_non_null(a);
	strcpy(key, "zz");		/* the window keeps its own copy */
	assert_string_equal(a->key, "k1");
	assert_int_equal(a->state, BN_DEDUP_STORING);
	assert_int_equal(a->ts_ms, 1000);
	assert_null(a->waiters);
	assert_int_equal(a->nwaiters, 0);
	assert_ptr_equal(bn_dedup_get(&dd, "k1", 1000), a);
	assert_null(bn_dedup_get(&dd, "zz", 1000));
	assert_null(bn_dedup_get(&dd, "k", 1000));
	assert_null(bn_dedup_get(&dd, "k1 ", 1000));

	b = bn_dedup_add(&dd, "k2", BN_DEDUP_STORED, 1001);
	bn_dedup_add(&dd, "k3", BN_DEDUP_STORED, 1002);
	bn_dedup_add(&dd, "k4", BN_DEDUP_STORING, 1003);
	assert_int_equal(b->state, BN_DEDUP_STORED);
	assert_int_equal(bn_dedup_count(&dd), 4);
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "k1 k2 k3 k4");

	/* del from the middle, the head and the tail keeps the order */
	bn_dedup_del(&dd, "k2");
	assert_null(bn_dedup_get(&dd, "k2", 1003));
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "k1 k3 k4");
	bn_dedup_del(&dd, "k1");
	bn_dedup_del(&dd, "k4");
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "k3");
	assert_int_equal(bn_dedup_count(&dd), 1);
	/* del of an unknown key does nothing; del is not eviction */
	bn_dedup_del(&dd, "k1");
	bn_dedup_del(&dd, "");
	assert_int_equal(bn_dedup_count(&dd), 1);
	assert_int_equal(dd.evicted, 0);
	/* a failed store can be tried again: re-added at the tail */
	a = bn_dedup_add(&dd, "k1", BN_DEDUP_STORING, 2000);
	assert_ptr_equal(bn_dedup_get(&dd, "k1", 2000), a);
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "k3 k1");
	/* the empty key is a key */
	bn_dedup_add(&dd, "", BN_DEDUP_STORED, 2001);
	assert_non_null(bn_dedup_get(&dd, "", 2001));
	assert_int_equal(bn_dedup_count(&dd), 3);
	assert_int_equal(dd.suppressed, 0);
	bn_dedup_free(&dd);
}

/* Count bound: the oldest go first, whatever their state. */
static void
test_count_eviction(void **state)
{
	static const struct {
		size_t		 max;
		size_t		 nadd;
		const char	*want;
		uint64_t	 evicted;
	} cases[] = {
		{ 3, 2, "k0 k1", 0 },
		{ 3, 3, "k0 k1 k2", 0 },
		{ 3, 4, "k1 k2 k3", 1 },
		{ 3, 7, "k4 k5 k6", 4 },
		{ 1, 3, "k2", 2 },
		{ 0, 3, "k2", 2 },		/* 0 counts as 1 */
		{ 10, 10, "k0 k1 k2 k3 k4 k5 k6 k7 k8 k9", 0 },
	};
	struct bn_dedup	dd;
	char		key[32], s[128];
	size_t		i, k;

	for (i = 0; i < NELEM(cases); i++) {
		bn_dedup_init(&dd, cases[i].max, 60000);
		for (k = 0; k < cases[i].nadd; k++) {
			snprintf(key, sizeof(key), "k%zu", k);
			bn_dedup_add(&dd, key, k % 2 ? BN_DEDUP_STORING :
			    BN_DEDUP_STORED, 1000 + k);
		}
		fifo_keys(&dd, s, sizeof(s));
		if (strcmp(s, cases[i].want) != 0 ||
		    dd.evicted != cases[i].evicted)
			fail_msg("max %zu, %zu added: \"%s\" evicted %llu,"
			    " want \"%s\" evicted %llu", cases[i].max,
			    cases[i].nadd, s, (unsigned long long)dd.evicted,
			    cases[i].want,
			    (unsigned long long)cases[i].evicted);
		/* the map agrees with the FIFO */
		for (k = 0; k < cases[i].nadd; k++) {
			snprintf(key, sizeof(key), "k%zu", k);
			if ((bn_dedup_get(&dd, key, 1000) != NULL) !=
			    (strstr(cases[i].want, key) != NULL))
				fail_msg("max %zu: %s in map and FIFO differ",
				    cases[i].max, key);
		}
		assert_int_equal(bn_dedup_count(&dd),
		    cases[i].nadd < (cases[i].max ? cases[i].max : 1) ?
		    cases[i].nadd : (cases[i].max ? cases[i].max : 1));
		bn_dedup_free(&dd);
	}
}

/* Many keys through a small window: count never exceeds the bound. */
static void
test_count_many(void **state)
{
	struct bn_dedup	dd;
	char		key[32];
	size_t		i;

	bn_dedup_init(&dd, 100, 0);
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "B|ID:%zu|B", i);
		assert_null(bn_dedup_get(&dd, key, i));
		bn_dedup_add(&dd, key, BN_DEDUP_STORED, i);
		assert_true(bn_dedup_count(&dd) <= 100);
	}
	assert_int_equal(bn_dedup_count(&dd), 100);
	assert_int_equal(dd.evicted, 9900);
	assert_null(bn_dedup_get(&dd, "B|ID:9899|B", 10000));
	assert_non_null(bn_dedup_get(&dd, "B|ID:9900|B", 10000));
	assert_string_equal(TAILQ_FIRST(&dd.fifo)->key, "B|ID:9900|B");
	bn_dedup_free(&dd);
}

/* Age bound: STORED entries older than max_age go; STORING ones stay. */
static const struct {
	const char		*what;
	enum bn_dedup_state	 st;
	uint64_t		 ts, max_age, now;
	bool			 present;
} age_cases[] = {
	{ "stored, young", BN_DEDUP_STORED, 100, 1000, 500, true },
	{ "stored, exactly max_age old", BN_DEDUP_STORED, 100, 1000, 1100,
	    true },
	{ "stored, 1 ms too old", BN_DEDUP_STORED, 100, 1000, 1101, false },
	{ "stored, much too old", BN_DEDUP_STORED, 100, 1000, 1000000,
	    false },
	{ "storing never expires", BN_DEDUP_STORING, 100, 1000, 1000000,
	    true },
	{ "storing, receipt pending for ages", BN_DEDUP_STORING, 0, 1,
	    UINT64_MAX / 2, true },
	{ "max_age 0: no age bound", BN_DEDUP_STORED, 0, 0, UINT64_MAX / 2,
	    true },
	{ "clock behind the entry", BN_DEDUP_STORED, 5000, 1000, 10, true },
	{ "wall-clock sized times", BN_DEDUP_STORED, 1700000000000ULL,
	    86400000, 1700000000000ULL + 86400001, false },
};

static void
test_age(void **state)
{
	struct bn_dedup	dd;
	size_t		i;
	bool		present;

	for (i = 0; i < NELEM(age_cases); i++) {
		/* via get */
		bn_dedup_init(&dd, 10, age_cases[i].max_age);
		bn_dedup_add(&dd, "k", age_cases[i].st, age_cases[i].ts);
		present = bn_dedup_get(&dd, "k", age_cases[i].now) != NULL;
		if (present != age_cases[i].present)
			fail_msg("%s: get: %s, want %s", age_cases[i].what,
			    present ? "present" : "gone",
			    age_cases[i].present ? "present" : "gone");
		assert_int_equal(bn_dedup_count(&dd), present ? 1 : 0);
		assert_int_equal(dd.evicted, present ? 0 : 1);
		bn_dedup_free(&dd);

		/* via expire */
		bn_dedup_init(&dd, 10, age_cases[i].max_age);
		bn_dedup_add(&dd, "k", age_cases[i].st, age_cases[i].ts);
		bn_dedup_expire(&dd, age_cases[i].now);
		if ((bn_dedup_count(&dd) == 1) != age_cases[i].present)
			fail_msg("%s: expire disagrees", age_cases[i].what);
		bn_dedup_free(&dd);
	}
}

/* Expiry walks from the oldest; a receipted entry then expires. */
static void
test_age_sequence(void **state)
{
	struct bn_dedup		 dd;
	struct bn_dedup_ent	*p;
	char			 s[128];

	bn_dedup_init(&dd, 10, 1000);
	bn_dedup_add(&dd, "a", BN_DEDUP_STORED, 0);
	bn_dedup_add(&dd, "b", BN_DEDUP_STORED, 500);
	bn_dedup_add(&dd, "c", BN_DEDUP_STORED, 1000);
	/* a get of any key expires what is old first */
	assert_non_null(bn_dedup_get(&dd, "c", 1200));
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "b c");
	assert_int_equal(dd.evicted, 1);
	assert_null(bn_dedup_get(&dd, "b", 1501));
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "c");
	bn_dedup_expire(&dd, 1999);
	assert_int_equal(bn_dedup_count(&dd), 1);
	bn_dedup_expire(&dd, 2001);
	assert_int_equal(bn_dedup_count(&dd), 0);
	assert_int_equal(dd.evicted, 3);
	/* expiring an empty window is harmless */
	bn_dedup_expire(&dd, UINT64_MAX / 2);

	/* pending at the head: kept until receipted, then aged out */
	p = bn_dedup_add(&dd, "p", BN_DEDUP_STORING, 3000);
	assert_non_null(bn_dedup_get(&dd, "p", 10000));
	p->state = BN_DEDUP_STORED;		/* as forward.c does */
	p->ts_ms = 10000;
	assert_non_null(bn_dedup_get(&dd, "p", 11000));
	assert_null(bn_dedup_get(&dd, "p", 11001));
	assert_int_equal(bn_dedup_count(&dd), 0);
	bn_dedup_free(&dd);
}

/*
 * BUG? (doc mismatch, bridge/dedup.c:45-47, bn_dedup_expire): expiry stops
 * at the first entry of the FIFO that is STORING or not yet old, so a
 * STORED entry older than max_age behind it stays, and bn_dedup_get still
 * returns it, although dedup.h says expire "Evicts entries older than
 * max_age" and get evicts expired entries first. It happens whenever a
 * receipt is pending at the head (forward.c adds every key as STORING and
 * sets ts_ms at receipt time, so the FIFO is not in ts order either).
 * Effect: keys live longer than max_age (more suppression, memory still
 * bounded by count). Settled: expiry walks past in-progress entries.
 */
static void
test_age_behind_pending(void **state)
{
	struct bn_dedup	dd;

	bn_dedup_init(&dd, 10, 1000);
	bn_dedup_add(&dd, "pending", BN_DEDUP_STORING, 0);
	bn_dedup_add(&dd, "old", BN_DEDUP_STORED, 0);
	assert_null(bn_dedup_get(&dd, "old", 5000));
	assert_non_null(bn_dedup_get(&dd, "pending", 5000));
	bn_dedup_free(&dd);
}

/* Duplicates waiting for the first copy's receipt accumulate in order. */
static void
test_waiters(void **state)
{
	struct bn_dedup		 dd;
	struct bn_dedup_ent	*a, *b;
	size_t			 i;

	bn_dedup_init(&dd, 2, 1000);
	a = bn_dedup_add(&dd, "a", BN_DEDUP_STORING, 0);
	b = bn_dedup_add(&dd, "b", BN_DEDUP_STORING, 0);
	for (i = 0; i < 100; i++)
		bn_dedup_wait(a, i % 3 + 1, 1000 + i);
	bn_dedup_wait(b, UINT64_MAX, UINT64_MAX);
	assert_int_equal(a->nwaiters, 100);
	for (i = 0; i < 100; i++) {
		assert_int_equal(a->waiters[i].link, i % 3 + 1);
		assert_int_equal(a->waiters[i].seq, 1000 + i);
	}
	assert_int_equal(b->nwaiters, 1);
	assert_int_equal(b->waiters[0].link, UINT64_MAX);
	assert_int_equal(b->waiters[0].seq, UINT64_MAX);
	/* the same (link, seq) twice is kept twice: the caller decides */
	bn_dedup_wait(b, UINT64_MAX, UINT64_MAX);
	assert_int_equal(b->nwaiters, 2);
	/* entries with waiters are freed by del, eviction and free */
	bn_dedup_del(&dd, "b");
	bn_dedup_add(&dd, "c", BN_DEDUP_STORED, 0);
	bn_dedup_wait(bn_dedup_get(&dd, "c", 0), 9, 9);
	bn_dedup_add(&dd, "d", BN_DEDUP_STORED, 0);	/* evicts a */
	assert_null(bn_dedup_get(&dd, "a", 0));
	assert_int_equal(bn_dedup_get(&dd, "c", 0)->nwaiters, 1);
	bn_dedup_free(&dd);
}

/* The state file */

struct tdir {
	char	dir[64];
	char	path[128];
	char	tmp[140];
};

static int
tdir_setup(void **state)
{
	struct tdir	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	strcpy(t->dir, "/tmp/bn-test-dedup-XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/dedup.state", t->dir);
	snprintf(t->tmp, sizeof(t->tmp), "%s.tmp", t->path);
	*state = t;
	return 0;
}

/* Removes the files the store may make, then the directory: it must be
 * empty by then (nothing else left behind). */
static int
tdir_teardown(void **state)
{
	struct tdir	*t = *state;
	int		 rc = 0;

	if (unlink(t->path) == -1 && errno != ENOENT)
		rc = -1;
	if (unlink(t->tmp) == -1 && errno != ENOENT)
		rc = -1;
	if (rmdir(t->dir) == -1) {
		fprintf(stderr, "cannot remove %s: %s\n", t->dir,
		    strerror(errno));
		rc = -1;
	}
	free(t);
	return rc;
}

static void
write_file(const char *path, const char *s)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, strlen(s), f), strlen(s));
	assert_int_equal(fclose(f), 0);
}

/* The whole file, NUL-terminated; caller frees. */
static char *
read_file(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*s;
	long	 n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

static size_t
count_lines(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

static void
assert_file(const char *path, const char *want)
{
	char	*s = read_file(path);

	if (strcmp(s, want) != 0)
		fail_msg("%s holds \"%s\", want \"%s\"", path, s, want);
	free(s);
}

/* Keys written, store closed, reopened into a fresh window: all there. */
static void
test_store_roundtrip(void **state)
{
	static const struct {
		const char	*key;
		uint64_t	 ts;
	} keys[] = {
		{ "A|ID:a-1:1:1:1|A", 1700000000000ULL },
		{ "A|ID:a-1:1:1:2|A,B", 1700000000001ULL },
		{ "C|ID with spaces|C,B", 1700000000002ULL },
		{ "D|x|D", 5 },
	};
	struct tdir		*t = *state;
	struct bn_dedup		 dd, dd2;
	struct bn_dedupstore	*ds;
	struct bn_dedup_ent	*e;
	struct stat		 sb;
	char			 s[256];
	size_t			 i;

	bn_dedup_init(&dd, 100, 0);
	ds = bn_dedupstore_open(t->path, &dd, 1000);
	assert_non_null(ds);
	/* a new, empty file, private to us */
	assert_int_equal(stat(t->path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_int_equal(sb.st_mode & 0077, 0);
	assert_int_equal(bn_dedup_count(&dd), 0);
	for (i = 0; i < NELEM(keys); i++) {
		e = bn_dedup_add(&dd, keys[i].key, BN_DEDUP_STORED,
		    keys[i].ts);
		bn_dedupstore_append(ds, &dd, e->ts_ms, e->key);
	}
	bn_dedupstore_close(ds);
	assert_file(t->path, "1700000000000 A|ID:a-1:1:1:1|A\n"
	    "1700000000001 A|ID:a-1:1:1:2|A,B\n"
	    "1700000000002 C|ID with spaces|C,B\n"
	    "5 D|x|D\n");
	bn_dedup_free(&dd);

	bn_dedup_init(&dd2, 100, 0);
	ds = bn_dedupstore_open(t->path, &dd2, 2000);
	assert_non_null(ds);
	assert_int_equal(bn_dedup_count(&dd2), NELEM(keys));
	for (i = 0; i < NELEM(keys); i++) {
		e = bn_dedup_get(&dd2, keys[i].key, 2000);
		if (e == NULL)
			fail_msg("%s not loaded", keys[i].key);
		assert_int_equal(e->state, BN_DEDUP_STORED);
		assert_int_equal(e->ts_ms, keys[i].ts);
		assert_int_equal(e->nwaiters, 0);
	}
	/* file order is FIFO order */
	assert_string_equal(fifo_keys(&dd2, s, sizeof(s)),
	    "A|ID:a-1:1:1:1|A A|ID:a-1:1:1:2|A,B C|ID with spaces|C,B D|x|D");
	/* and it appends again after a reopen */
	bn_dedup_add(&dd2, "E|y|E", BN_DEDUP_STORED, 3000);
	bn_dedupstore_append(ds, &dd2, 3000, "E|y|E");
	bn_dedupstore_close(ds);
	bn_dedup_free(&dd2);

	bn_dedup_init(&dd2, 100, 0);
	ds = bn_dedupstore_open(t->path, &dd2, 4000);
	assert_non_null(ds);
	assert_int_equal(bn_dedup_count(&dd2), NELEM(keys) + 1);
	assert_non_null(bn_dedup_get(&dd2, "E|y|E", 4000));
	bn_dedupstore_close(ds);
	bn_dedup_free(&dd2);
}

/* Expired lines are not loaded, and are gone from the file afterwards. */
static void
test_store_expired(void **state)
{
	static const struct {
		uint64_t	 max_age, now;
		const char	*want_keys, *want_file;
	} cases[] = {
		{ 5000, 10000, "k5000 k9000 k10000",
		    "5000 k5000\n9000 k9000\n10000 k10000\n" },
		{ 5000, 10001, "k9000 k10000", "9000 k9000\n10000 k10000\n" },
		{ 1, 20000, "", "" },
		{ 0, 1000000000, "k1000 k5000 k9000 k10000",
		    "1000 k1000\n5000 k5000\n9000 k9000\n10000 k10000\n" },
		{ 100000, 10000, "k1000 k5000 k9000 k10000",
		    "1000 k1000\n5000 k5000\n9000 k9000\n10000 k10000\n" },
	};
	struct tdir		*t = *state;
	struct bn_dedup		 dd;
	struct bn_dedupstore	*ds;
	char			 s[256];
	size_t			 i;

	for (i = 0; i < NELEM(cases); i++) {
		write_file(t->path, "1000 k1000\n5000 k5000\n9000 k9000\n"
		    "10000 k10000\n");
		bn_dedup_init(&dd, 100, cases[i].max_age);
		ds = bn_dedupstore_open(t->path, &dd, cases[i].now);
		assert_non_null(ds);
		fifo_keys(&dd, s, sizeof(s));
		if (strcmp(s, cases[i].want_keys) != 0)
			fail_msg("max_age %llu now %llu: loaded \"%s\", want"
			    " \"%s\"", (unsigned long long)cases[i].max_age,
			    (unsigned long long)cases[i].now, s,
			    cases[i].want_keys);
		/* compacted on open: only what was loaded */
		assert_file(t->path, cases[i].want_file);
		bn_dedupstore_close(ds);
		bn_dedup_free(&dd);
	}
}

/* Malformed lines are skipped; good lines around them load. */
static void
test_store_malformed(void **state)
{
	static const struct {
		const char	*line;
		const char	*key;		/* loaded key, or NULL */
	} lines[] = {
		{ "100 good1\n", "good1" },
		{ "\n", NULL },
		{ "nokey\n", NULL },
		{ "123\n", NULL },
		{ "123 \n", NULL },
		{ " key-no-ts\n", NULL },
		{ "abc key-alpha\n", NULL },
		{ "12x key-12x\n", NULL },
		{ "-5 key-neg\n", NULL },
		{ "+5 key-plus\n", NULL },
		{ "1.5 key-frac\n", NULL },
		{ "0x10 key-hex\n", NULL },
		{ "18446744073709551616 key-overflow\n", NULL },
		{ "123456789012345678901 key-21-digits\n", NULL },
		{ "\t7 key-tab\n", NULL },
		{ "0 good0\n", "good0" },
		{ "200 a b c\n", "a b c" },
		{ "300 A|ID:1|A,B\n", "A|ID:1|A,B" },
		{ "100 good1\n", "good1" },		/* again: once */
		{ "400 last-without-newline", "last-without-newline" },
	};
	struct tdir		*t = *state;
	struct bn_dedup		 dd;
	struct bn_dedupstore	*ds;
	struct bn_dedup_ent	*e;
	char			 buf[1024], *f;
	size_t			 i;

	buf[0] = '\0';
	for (i = 0; i < NELEM(lines); i++)
		strcat(buf, lines[i].line);
	write_file(t->path, buf);
	bn_dedup_init(&dd, 100, 0);
	ds = bn_dedupstore_open(t->path, &dd, 1000);
	assert_non_null(ds);
	for (i = 0; i < NELEM(lines); i++) {
		if (lines[i].key == NULL)
			continue;
		if (bn_dedup_get(&dd, lines[i].key, 1000) == NULL)
			fail_msg("line \"%s\" not loaded", lines[i].line);
	}
	/* five distinct good keys, good1 twice */
	assert_int_equal(bn_dedup_count(&dd), 5);
	/* the first time a key shows up wins */
	e = bn_dedup_get(&dd, "good1", 1000);
	assert_int_equal(e->ts_ms, 100);
	/* nothing malformed got in under another name */
	for (i = 0; i < NELEM(lines); i++) {
		const char *sp = strchr(lines[i].line, ' ');
		char	    k[128];

		if (lines[i].key != NULL || sp == NULL)
			continue;
		snprintf(k, sizeof(k), "%s", sp + 1);
		k[strcspn(k, "\n")] = '\0';
		if (bn_dedup_get(&dd, k, 1000) != NULL)
			fail_msg("malformed line \"%s\" loaded", lines[i].line);
	}
	/* the rewritten file holds only the good lines, once each */
	f = read_file(t->path);
	assert_string_equal(f, "100 good1\n0 good0\n200 a b c\n"
	    "300 A|ID:1|A,B\n400 last-without-newline\n");
	free(f);
	bn_dedupstore_close(ds);
	bn_dedup_free(&dd);
}

/* A file longer than the window: the newest max_count lines are kept. */
static void
test_store_load_bounded(void **state)
{
	struct tdir		*t = *state;
	struct bn_dedup		 dd;
	struct bn_dedupstore	*ds;
	char			 buf[512], s[128];
	size_t			 i;

	buf[0] = '\0';
	for (i = 0; i < 10; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		    "%zu k%zu\n", 100 + i, i);
	write_file(t->path, buf);
	bn_dedup_init(&dd, 4, 0);
	ds = bn_dedupstore_open(t->path, &dd, 1000);
	assert_non_null(ds);
	assert_string_equal(fifo_keys(&dd, s, sizeof(s)), "k6 k7 k8 k9");
	assert_file(t->path, "106 k6\n107 k7\n108 k8\n109 k9\n");
	bn_dedupstore_close(ds);
	bn_dedup_free(&dd);
}

/* Compaction on open writes STORED entries only. */
static void
test_store_compact_open(void **state)
{
	struct tdir		*t = *state;
	struct bn_dedup		 dd;
	struct bn_dedupstore	*ds;

	bn_dedup_init(&dd, 10, 0);
	bn_dedup_add(&dd, "pending1", BN_DEDUP_STORING, 5);
	bn_dedup_add(&dd, "done", BN_DEDUP_STORED, 10);
	bn_dedup_add(&dd, "pending2", BN_DEDUP_STORING, 15);
	ds = bn_dedupstore_open(t->path, &dd, 20);
	assert_non_null(ds);
	assert_file(t->path, "10 done\n");
	/* the window itself is untouched */
	assert_int_equal(bn_dedup_count(&dd), 3);
	bn_dedupstore_close(ds);
	bn_dedup_free(&dd);

	bn_dedup_init(&dd, 10, 0);
	ds = bn_dedupstore_open(t->path, &dd, 20);
	assert_non_null(ds);
	assert_int_equal(bn_dedup_count(&dd), 1);
	assert_non_null(bn_dedup_get(&dd, "done", 20));
	assert_null(bn_dedup_get(&dd, "pending1", 20));
	bn_dedupstore_close(ds);
	bn_dedup_free(&dd);
}

/*
 * Compaction when the file grows past 2 * max_count + 1000 lines: the file
 * is rewritten from the window's STORED entries; appends go on after it.
 */
static void
test_store_compact_append(void **state)
{
	struct tdir		*t = *state;
	struct bn_dedup		 dd;
	struct bn_dedupstore	*ds;
	char			 key[32], *f;
	size_t			 i;

	bn_dedup_init(&dd, 3, 0);
	ds = bn_dedupstore_open(t->path, &dd, 0);
	assert_non_null(ds);
	for (i = 0; i < 2 * 3 + 1000; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		bn_dedup_add(&dd, key, BN_DEDUP_STORED, i);
		bn_dedupstore_append(ds, &dd, i, key);
	}
	/* 1006 lines: not yet */
	f = read_file(t->path);
	assert_int_equal(count_lines(f), 1006);
	free(f);
	/* the window becomes k1005 pending last; the 1007th line compacts */
	bn_dedup_add(&dd, "pending", BN_DEDUP_STORING, 2000);
	bn_dedup_add(&dd, "last", BN_DEDUP_STORED, 2001);
	bn_dedupstore_append(ds, &dd, 2001, "last");
	assert_file(t->path, "1005 k1005\n2001 last\n");
	/* appends continue on the compacted file */
	bn_dedup_add(&dd, "after", BN_DEDUP_STORED, 2002);
	bn_dedupstore_append(ds, &dd, 2002, "after");
	assert_file(t->path, "1005 k1005\n2001 last\n2002 after\n");
	bn_dedupstore_close(ds);
	bn_dedup_free(&dd);

	/* what a restart finds */
	bn_dedup_init(&dd, 10, 0);
	ds = bn_dedupstore_open(t->path, &dd, 3000);
	assert_non_null(ds);
	assert_int_equal(bn_dedup_count(&dd), 3);
	assert_non_null(bn_dedup_get(&dd, "k1005", 3000));
	assert_non_null(bn_dedup_get(&dd, "last", 3000));
	assert_non_null(bn_dedup_get(&dd, "after", 3000));
	assert_null(bn_dedup_get(&dd, "pending", 3000));
	assert_null(bn_dedup_get(&dd, "k1004", 3000));
	bn_dedupstore_close(ds);
	bn_dedup_free(&dd);
}

/* Unusable paths give NULL; NULL stores are accepted. */
static void
test_store_errors(void **state)
{
	struct tdir		*t = *state;
	struct bn_dedup		 dd;
	char			 path[200];

	bn_dedup_init(&dd, 10, 0);
	snprintf(path, sizeof(path), "%s/no-such-dir/dedup.state", t->dir);
	assert_null(bn_dedupstore_open(path, &dd, 0));
	/* the path is a directory */
	assert_int_equal(mkdir(t->path, 0700), 0);
	assert_null(bn_dedupstore_open(t->path, &dd, 0));
	assert_int_equal(rmdir(t->path), 0);
	assert_int_equal(bn_dedup_count(&dd), 0);
	bn_dedupstore_close(NULL);
	bn_dedupstore_append(NULL, &dd, 0, "k");
	bn_dedup_free(&dd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_key_long),
		cmocka_unit_test(test_get_add_del),
		cmocka_unit_test(test_count_eviction),
		cmocka_unit_test(test_count_many),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_age_sequence),
		cmocka_unit_test(test_waiters),
		cmocka_unit_test_setup_teardown(test_store_roundtrip,
		    tdir_setup, tdir_teardown),
		cmocka_unit_test_setup_teardown(test_store_expired,
		    tdir_setup, tdir_teardown),
		cmocka_unit_test_setup_teardown(test_store_malformed,
		    tdir_setup, tdir_teardown),
		cmocka_unit_test_setup_teardown(test_store_load_bounded,
		    tdir_setup, tdir_teardown),
		cmocka_unit_test_setup_teardown(test_store_compact_open,
		    tdir_setup, tdir_teardown),
		cmocka_unit_test_setup_teardown(test_store_compact_append,
		    tdir_setup, tdir_teardown),
		cmocka_unit_test_setup_teardown(test_store_errors,
		    tdir_setup, tdir_teardown),
		/* BUG?, skipped: see the comment above the test */
		cmocka_unit_test(test_age_behind_pending),
	};

	bn_log_init(BN_LOG_QUIET, 0, "test_dedup");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
