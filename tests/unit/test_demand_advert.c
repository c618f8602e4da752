/*
 * Unit tests for bridge/demand.c, re-advertising: the rules over tables of
 * scenarios and over whole topologies (chains, rings, meshes, a grid) run
 * to a fixpoint, a lost link in a ring, durable subscriptions as demand,
 * dynamicOnly links told only of connected subscribers.
 */
#include "brokernet/advisory.h"

#include "demand_fixture.h"

/* Advertising: single tables */

struct rem {
	uint64_t	 link;
	uint32_t	 hops;
	const char	*path;
};

static const struct adv_case {
	const char	*what;
	uint32_t	 local;
	struct rem	 rem[5];	/* up to link 0 */
	uint64_t	 to;
	const char	*peer, *self;
	int64_t		 ttl;
	bool		 ok;
	uint32_t	 hops;
	const char	*path;
} adv_cases[] = {
	{ "no demand at all", 0, { { 0 } }, 1, "A", "B", -1, false, 0, NULL },
	{ "local: hop 1, path self", 1, { { 0 } }, 1, "A", "B", -1, true, 1,
	    "B" },
	{ "local with ttl 1", 3, { { 0 } }, 1, "A", "B", 1, true, 1, "B" },
	{ "local beats a remote hop 1", 1, { { 2, 1, "C" } }, 1, "A", "B", -1,
	    true, 1, "B" },
	{ "local is told even to the link with remote demand", 1,
	    { { 1, 1, "A" } }, 1, "A", "B", -1, true, 1, "B" },
	{ "chain: hop 1 re-advertised at 2", 0, { { 2, 1, "C" } }, 1, "A",
	    "B", -1, true, 2, "C,B" },
	{ "chain: hop 3 re-advertised at 4", 0, { { 2, 3, "E,D,C" } }, 1, "A",
	    "B", -1, true, 4, "E,D,C,B" },
	{ "never back on the source link", 0, { { 1, 1, "C" } }, 1, "X", "B",
	    -1, false, 0, NULL },
	{ "never back on the source link, even at hop 5", 0,
	    { { 1, 5, "G,F,E,D,C" } }, 1, "X", "B", -1, false, 0, NULL },
	{ "ring: never to a peer at the start of the path", 0,
	    { { 2, 2, "A,C" } }, 1, "A", "B", -1, false, 0, NULL },
	{ "never to a peer in the middle of the path", 0,
	    { { 2, 3, "D,A,C" } }, 1, "A", "B", -1, false, 0, NULL },
	{ "never to a peer at the end of the path", 0,
	    { { 2, 3, "D,C,A" } }, 1, "A", "B", -1, false, 0, NULL },
	{ "peer a prefix of a path name is not on the path", 0,
	    { { 2, 2, "AB,C" } }, 1, "A", "B", -1, true, 3, "AB,C,B" },
	{ "path name a prefix of the peer is not the peer", 0,
	    { { 2, 2, "A,C" } }, 1, "AB", "B", -1, true, 3, "A,C,B" },
	{ "peer a suffix of a path name is not on the path", 0,
	    { { 2, 1, "XA" } }, 1, "A", "B", -1, true, 2, "XA,B" },
	{ "a path through self is a loop: dropped", 0,
	    { { 2, 2, "C,B" } }, 1, "A", "B", -1, false, 0, NULL },
	{ "ttl 1: remote demand is not re-advertised", 0,
	    { { 2, 1, "C" } }, 1, "A", "B", 1, false, 0, NULL },
	{ "ttl 2: hop 1 re-advertised", 0, { { 2, 1, "C" } }, 1, "A", "B", 2,
	    true, 2, "C,B" },
	{ "ttl 2: hop 2 is not", 0, { { 2, 2, "D,C" } }, 1, "A", "B", 2,
	    false, 0, NULL },
	{ "ttl 3: hop 2 re-advertised", 0, { { 2, 2, "D,C" } }, 1, "A", "B",
	    3, true, 3, "D,C,B" },
	{ "ttl 0: remote demand is not re-advertised", 0,
	    { { 2, 1, "C" } }, 1, "A", "B", 0, false, 0, NULL },
	{ "ttl -1 is unlimited", 0, { { 2, 1000, "C" } }, 1, "A", "B", -1,
	    true, 1001, "C,B" },
	{ "ttl INT64_MIN is unlimited", 0, { { 2, 1000, "C" } }, 1, "A", "B",
	    INT64_MIN, true, 1001, "C,B" },
	{ "ttl INT64_MAX", 0, { { 2, 1000, "C" } }, 1, "A", "B", INT64_MAX,
	    true, 1001, "C,B" },
	{ "ttl picks among several", 0, { { 2, 2, "D,C" }, { 3, 4, "G,F,E,H" }
	    }, 1, "A", "B", 3, true, 3, "D,C,B" },
	{ "best: fewest hops", 0, { { 2, 3, "X,Y,Z" }, { 3, 1, "W" },
	    { 4, 2, "V,U" } }, 1, "A", "B", -1, true, 2, "W,B" },
	{ "best among the eligible ones", 0, { { 1, 1, "P" },
	    { 2, 2, "A,C" }, { 3, 4, "E,D,F,G" }, { 4, 3, "E,D,F" },
	    { 5, 2, "D,B" } }, 1, "A", "B", -1, true, 4, "E,D,F,B" },
	{ "tie: smaller path wins", 0, { { 2, 2, "C,E" }, { 3, 2, "C,D" } },
	    1, "A", "B", -1, true, 3, "C,D,B" },
	{ "tie: smaller path wins, other order", 0, { { 3, 2, "C,D" },
	    { 2, 2, "C,E" } }, 1, "A", "B", -1, true, 3, "C,D,B" },
	{ "tie: three ways", 0, { { 2, 2, "Z,Y" }, { 3, 2, "M,N" },
	    { 4, 2, "Z,X" } }, 1, "A", "B", -1, true, 3, "M,N,B" },
	{ "fewer hops beat a smaller path", 0, { { 2, 2, "A2,C" },
	    { 3, 1, "Z" } }, 1, "A", "B", -1, true, 2, "Z,B" },
	{ "mesh of 4 (self D, consumer A): not to A", 0, { { 1, 1, "A" },
	    { 2, 2, "A,B" }, { 3, 2, "A,C" } }, 1, "A", "D", -1, false, 0,
	    NULL },
	{ "mesh of 4 (self D, consumer A): to B via A", 0, { { 1, 1, "A" },
	    { 2, 2, "A,B" }, { 3, 2, "A,C" } }, 2, "B", "D", -1, true, 2,
	    "A,D" },
	{ "mesh of 4 (self D, consumer A): to C via A", 0, { { 1, 1, "A" },
	    { 2, 2, "A,B" }, { 3, 2, "A,C" } }, 3, "C", "D", -1, true, 2,
	    "A,D" },
	{ "mesh of 4 without the direct link: to C via B", 0,
	    { { 2, 2, "A,B" }, { 3, 2, "A,C" } }, 3, "C", "D", -1, true, 3,
	    "A,B,D" },
	{ "ring of 3 (self B): to A, demand from C", 0, { { 2, 1, "C" },
	    { 1, 2, "C,A" } }, 1, "A", "B", -1, true, 2, "C,B" },
	{ "ring of 3 (self B): to C, nothing", 0, { { 2, 1, "C" },
	    { 1, 2, "C,A" } }, 2, "C", "B", -1, false, 0, NULL },
	{ "long names", 0, { { 2, 1, "broker-east-1.example.org" } }, 1,
	    "broker-west-1.example.org", "broker-central.example.org", -1,
	    true, 2, "broker-east-1.example.org,broker-central.example.org" },
};

static void
test_advert_table(void **state)
{
	struct bn_demand	d;
	struct bn_buf		path = { 0 };
	uint32_t		hops;
	size_t			i, k;
	bool			ok;

	for (i = 0; i < NELEM(adv_cases); i++) {
		const struct adv_case *c = &adv_cases[i];

		bn_demand_init(&d);
		if (c->local > 0)
			bn_demand_local_add(&d, "Q", (int)c->local);
		for (k = 0; k < NELEM(c->rem) && c->rem[k].link != 0; k++)
			assert_true(bn_demand_remote_set(&d, "Q",
			    c->rem[k].link, c->rem[k].hops, c->rem[k].path));
		/* the path is appended to what the buffer holds */
		bn_buf_reset(&path);
		bn_buf_addstr(&path, "pre:");
		hops = 12345;
		ok = bn_demand_advert(&d, "Q", c->to, c->peer, c->self,
		    c->ttl, &hops, &path);
		if (ok != c->ok)
			fail_msg("%s: advert %s, want %s", c->what,
			    ok ? "true" : "false", c->ok ? "true" : "false");
		if (ok) {
			bn_buf_addc(&path, '\0');
			if (hops != c->hops ||
			    strncmp(path.data, "pre:", 4) != 0 ||
			    strcmp(path.data + 4, c->path) != 0)
				fail_msg("%s: got hops %u path \"%s\", want"
				    " %u \"pre:%s\"", c->what, hops,
				    path.data, c->hops, c->path);
		} else if (path.len != 4)
			fail_msg("%s: path written on false", c->what);
		/* other queues have nothing to tell */
		assert_false(bn_demand_advert(&d, "other", c->to, c->peer,
		    c->self, c->ttl, &hops, &path));
		bn_demand_free(&d);
	}
	bn_buf_free(&path);
}

/* Advertising: whole topologies run to a fixpoint */

#define MAXB	9

static const char *bnames[MAXB] = { "A", "B", "C", "D", "E", "F", "G", "H",
    "I" };

static const struct topo {
	const char	*what;
	size_t		 nb;
	const char	*edges;		/* "AB BC": links between letters */
	size_t		 consumer;	/* broker index with the consumer */
	int64_t		 ttl;
	int		 want[MAXB];	/* fewest hops seen, 0 local, -1 none */
} topos[] = {
	{ "chain of 5, consumer at the end", 5, "AB BC CD DE", 0, -1,
	    { 0, 1, 2, 3, 4 } },
	{ "chain of 5, ttl 1", 5, "AB BC CD DE", 0, 1, { 0, 1, -1, -1, -1 } },
	{ "chain of 5, ttl 2", 5, "AB BC CD DE", 0, 2, { 0, 1, 2, -1, -1 } },
	{ "chain of 5, ttl 3", 5, "AB BC CD DE", 0, 3, { 0, 1, 2, 3, -1 } },
	{ "chain of 5, ttl 4", 5, "AB BC CD DE", 0, 4, { 0, 1, 2, 3, 4 } },
	{ "chain of 5, consumer in the middle", 5, "AB BC CD DE", 2, -1,
	    { 2, 1, 0, 1, 2 } },
	{ "two brokers", 2, "AB", 1, -1, { 1, 0 } },
	{ "ring of 3", 3, "AB BC CA", 0, -1, { 0, 1, 1 } },
	{ "ring of 5", 5, "AB BC CD DE EA", 0, -1, { 0, 1, 2, 2, 1 } },
	{ "ring of 6", 6, "AB BC CD DE EF FA", 0, -1, { 0, 1, 2, 3, 2, 1 } },
	{ "ring of 6, ttl 2", 6, "AB BC CD DE EF FA", 0, 2,
	    { 0, 1, 2, -1, 2, 1 } },
	{ "full mesh of 4", 4, "AB AC AD BC BD CD", 0, -1, { 0, 1, 1, 1 } },
	{ "mesh of 4 minus A-D", 4, "AB AC BC BD CD", 0, -1, { 0, 1, 1, 2 } },
	{ "mesh of 4 minus A-D, ttl 1", 4, "AB AC BC BD CD", 0, 1,
	    { 0, 1, 1, -1 } },
	{ "grid 3x3, consumer in a corner", 9,
	    "AB BC DE EF GH HI AD BE CF DG EH FI", 0, -1,
	    { 0, 1, 2, 1, 2, 3, 2, 3, 4 } },
	{ "grid 3x3, consumer in the centre", 9,
	    "AB BC DE EF GH HI AD BE CF DG EH FI", 4, -1,
	    { 2, 1, 2, 1, 0, 1, 2, 1, 2 } },
	{ "grid 3x3, corner, ttl 2", 9,
	    "AB BC DE EF GH HI AD BE CF DG EH FI", 0, 2,
	    { 0, 1, 2, 1, 2, -1, 2, -1, -1 } },
	{ "star, consumer on a leaf", 5, "AB AC AD AE", 1, -1,
	    { 1, 0, 2, 2, 2 } },
	{ "two triangles joined", 6, "AB BC CA CD DE EF FD", 0, -1,
	    { 0, 1, 1, 2, 3, 3 } },
	{ "two parts, no way across", 4, "AB CD", 0, -1, { 0, 1, -1, -1 } },
};

struct edge {
	size_t	a, b;
};

static size_t
topo_edges(const char *s, struct edge *e, size_t max)
{
	size_t	n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		assert_true(n < max && s[1] != '\0');
		e[n].a = (size_t)(s[0] - 'A');
		e[n].b = (size_t)(s[1] - 'A');
		n++;
		s++;
	}
	return n;
}

/*
 * Every broker tells each neighbour what bn_demand_advert says (or
 * withdraws), the neighbour records it under that link, until nothing
 * changes. Link ids are edge index + 1 on both ends. Returns the rounds.
 */
static size_t
topo_run(struct bn_demand *d, size_t nb, const struct edge *e, size_t ne,
    int64_t ttl)
{
	struct bn_buf	path = { 0 };
	uint32_t	hops;
	size_t		round, x, k;
	bool		changed = true;

	for (round = 0; changed; round++) {
		assert_true(round < 100);	/* it converges */
		changed = false;
		for (x = 0; x < nb; x++)
			for (k = 0; k < ne; k++) {
				size_t	y;

				if (e[k].a == x)
					y = e[k].b;
				else if (e[k].b == x)
					y = e[k].a;
				else
					continue;
				bn_buf_reset(&path);
				if (bn_demand_advert(&d[x], "Q", k + 1,
				    bnames[y], bnames[x], ttl, &hops, &path)) {
					bn_buf_addc(&path, '\0');
					changed |= bn_demand_remote_set(&d[y],
					    "Q", k + 1, hops, path.data);
				} else
					changed |= bn_demand_remote_del(&d[y],
					    "Q", k + 1);
			}
	}
	bn_buf_free(&path);
	return round;
}

/* Names in a path: as many as its hops, none twice, starting at first. */
static void
check_path(const char *what, const char *self, const char *first,
    const struct bn_demand_remote *r)
{
	char		 buf[64], *p, *tok, *save = NULL;
	const char	*seen[MAXB + 1];
	size_t		 n = 0, i;

	assert_true(strlen(r->path) < sizeof(buf));
	strcpy(buf, r->path);
	for (p = buf; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
		if (n == 0 && strcmp(tok, first) != 0)
			fail_msg("%s: %s: path %s does not start at %s", what,
			    self, r->path, first);
		if (strcmp(tok, self) == 0)
			fail_msg("%s: %s: own name on path %s", what, self,
			    r->path);
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], tok) == 0)
				fail_msg("%s: %s: loop in path %s", what,
				    self, r->path);
		assert_true(n < NELEM(seen));
		seen[n++] = tok;
	}
	if (n != r->hops)
		fail_msg("%s: %s: path %s has %zu names for hops %u", what,
		    self, r->path, n, r->hops);
}

static void
test_advert_topologies(void **state)
{
	struct bn_demand	 d[MAXB];
	struct edge		 e[16];
	size_t			 t, x, ne, i;

	for (t = 0; t < NELEM(topos); t++) {
		const struct topo *tp = &topos[t];

		ne = topo_edges(tp->edges, e, NELEM(e));
		for (x = 0; x < tp->nb; x++)
			bn_demand_init(&d[x]);
		bn_demand_local_add(&d[tp->consumer], "Q", 1);
		topo_run(d, tp->nb, e, ne, tp->ttl);

		for (x = 0; x < tp->nb; x++) {
			const struct bn_demand_q *q = bn_demand_get(&d[x],
			    "Q");
			int			  best = -1;

			if (x == tp->consumer) {
				assert_non_null(q);
				assert_int_equal(q->local, 1);
				best = 0;
			}
			for (i = 0; q != NULL && i < q->nremote; i++) {
				check_path(tp->what, bnames[x],
				    bnames[tp->consumer], &q->remote[i]);
				if (x != tp->consumer && (best == -1 ||
				    (int)q->remote[i].hops < best))
					best = (int)q->remote[i].hops;
			}
			if (best != tp->want[x])
				fail_msg("%s: broker %s: fewest hops %d, want"
				    " %d", tp->what, bnames[x], best,
				    tp->want[x]);
		}

		/* the consumer leaves: every table empties */
		bn_demand_local_add(&d[tp->consumer], "Q", -1);
		topo_run(d, tp->nb, e, ne, tp->ttl);
		for (x = 0; x < tp->nb; x++) {
			if (bn_demand_get(&d[x], "Q") != NULL)
				fail_msg("%s: broker %s still has demand after"
				    " the consumer left", tp->what,
				    bnames[x]);
			bn_demand_free(&d[x]);
		}
	}
}

/* A link goes away in a ring: demand takes the long way round. */
static void
test_advert_link_loss(void **state)
{
	struct bn_demand	d[5];
	struct edge		e[5];
	struct bn_buf		changed = { 0 };
	char			s[64];
	size_t			x, ne;

	ne = topo_edges("AB BC CD DE EA", e, NELEM(e));
	for (x = 0; x < 5; x++)
		bn_demand_init(&d[x]);
	bn_demand_local_add(&d[0], "Q", 1);
	topo_run(d, 5, e, ne, -1);
	/* E hears A directly on link 5 (E-A) */
	assert_int_equal(bn_demand_remote_hops(&d[4], "Q", 5), 1);

	/* the E-A link drops: both ends forget it, and it stays down */
	bn_demand_remote_clear_link(&d[4], 5, &changed);
	assert_string_equal(names_sorted(&changed, s, sizeof(s)), "Q");
	bn_demand_remote_clear_link(&d[0], 5, NULL);
	topo_run(d, 5, e, ne - 1, -1);
	assert_int_equal(bn_demand_remote_hops(&d[4], "Q", 5), 0);
	/* E now hears it from D only, at hop 4, path A,B,C,D */
	assert_int_equal(bn_demand_get(&d[4], "Q")->nremote, 1);
	assert_int_equal(bn_demand_remote_hops(&d[4], "Q", 4), 4);
	assert_string_equal(bn_demand_get(&d[4], "Q")->remote[0].path,
	    "A,B,C,D");
	assert_int_equal(bn_demand_remote_hops(&d[3], "Q", 3), 3);
	for (x = 0; x < 5; x++)
		bn_demand_free(&d[x]);
	bn_buf_free(&changed);
}

static struct bn_advisory
durable_adv(enum bn_advisory_kind kind, const char *id, const char *demand,
    const char *sub)
{
	struct bn_advisory	a;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.topic = kind == BN_ADV_ADD;
	snprintf(a.consumer_id, sizeof(a.consumer_id), "%s", id);
	snprintf(a.demand, sizeof(a.demand), "%s", demand);
	snprintf(a.subscription, sizeof(a.subscription), "%s", sub);
	return a;
}

/* A durable subscription is demand from its first subscriber until it is
 * deleted, online or offline; plain consumers are left to the caller. */
static void
test_durable(void **state)
{
	struct bn_demand	d;
	struct bn_buf		ch = { 0 };
	struct bn_advisory	a;
	size_t			off;
	const struct bn_demand_q *q;

	bn_demand_init(&d);
	/* a non-durable topic subscriber, a queue consumer: not ours */
	a = durable_adv(BN_ADV_ADD, "c/1/1", "/topic/t", "");
	assert_false(bn_demand_durable(&d, &a, NULL, &ch));
	a = durable_adv(BN_ADV_ADD, "c/1/2", "q", "s1");
	a.topic = false;
	assert_false(bn_demand_durable(&d, &a, NULL, &ch));
	a = durable_adv(BN_ADV_REMOVE, "c/1/1", "", "");
	assert_false(bn_demand_durable(&d, &a, NULL, &ch));
	/* durable s1 on t: online, demand */
	a = durable_adv(BN_ADV_ADD, "c/1/3", "/topic/t", "s1");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	assert_string_equal(ch.data, "/topic/t");
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 1);
	bn_buf_reset(&ch);
	/* offline: still demand, now offline-only (dynamicOnly links) */
	a = durable_adv(BN_ADV_REMOVE, "c/1/3", "", "");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	assert_string_equal(ch.data, "/topic/t");
	bn_buf_reset(&ch);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 1);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local_offline, 1);
	assert_int_equal(bn_demand_durable_count(&d, &off), 1);
	assert_int_equal(off, 1);
	/* back with another consumer id: counted once */
	a = durable_adv(BN_ADV_ADD, "c/2/1", "/topic/t", "s1");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	assert_string_equal(ch.data, "/topic/t");
	bn_buf_reset(&ch);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local_offline, 0);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 1);
	assert_int_equal(bn_demand_durable_count(&d, &off), 1);
	assert_int_equal(off, 0);
	/* the old id is forgotten */
	a = durable_adv(BN_ADV_REMOVE, "c/1/3", "", "");
	assert_false(bn_demand_durable(&d, &a, NULL, &ch));
	/* a second durable on t */
	a = durable_adv(BN_ADV_ADD, "c/3/1", "/topic/t", "s2");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 2);
	assert_int_equal(ch.len, 0);
	/* deletion of s1 (on another topic's advisory: nothing) */
	a = durable_adv(BN_ADV_REMOVE_SUB, "", "", "s1");
	assert_true(bn_demand_durable(&d, &a, "u", &ch));
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 2);
	assert_true(bn_demand_durable(&d, &a, "t", &ch));
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 1);
	assert_int_equal(ch.len, 0);
	a = durable_adv(BN_ADV_REMOVE_SUB, "", "", "s2");
	assert_true(bn_demand_durable(&d, &a, "t", &ch));
	assert_string_equal(ch.data, "/topic/t");
	assert_null(bn_demand_get(&d, "/topic/t"));
	assert_int_equal(bn_demand_durable_count(&d, NULL), 0);
	/*
	 * The broker session going away keeps them as offline demand (the
	 * broker keeps the subscription; its subscriber's consumer id was
	 * the lost session's): a crash of the broker must not withdraw the
	 * demand that its durable subscribers' messages travel on.
	 */
	a = durable_adv(BN_ADV_ADD, "c/4/1", "/topic/t", "s3");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	bn_demand_local_clear(&d, NULL);
	assert_int_equal(bn_demand_durable_count(&d, &off), 1);
	assert_int_equal(off, 1);
	assert_non_null(q = bn_demand_get(&d, "/topic/t"));
	assert_int_equal(q->local, 1);
	assert_int_equal(q->local_offline, 1);
	/* the old session's consumer id means nothing any more */
	a = durable_adv(BN_ADV_REMOVE, "c/4/1", "/topic/t", "s3");
	assert_false(bn_demand_durable(&d, &a, NULL, &ch));
	/* the replay after the reconnect shows its subscriber: online */
	a = durable_adv(BN_ADV_ADD, "c/9/1", "/topic/t", "s3");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	assert_int_equal(bn_demand_durable_count(&d, &off), 1);
	assert_int_equal(off, 0);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local_offline, 0);
	assert_int_equal(bn_demand_get(&d, "/topic/t")->local, 1);
	/* deleted: no demand */
	a = durable_adv(BN_ADV_REMOVE_SUB, "", "/topic/t", "s3");
	assert_true(bn_demand_durable(&d, &a, "t", &ch));
	assert_int_equal(bn_demand_durable_count(&d, NULL), 0);
	assert_null(bn_demand_get(&d, "/topic/t"));
	bn_buf_free(&ch);
	bn_demand_free(&d);
}

/* dynamicOnly links are told only of connected subscribers' demand. */
static void
test_advert_offline(void **state)
{
	struct bn_demand	d;
	struct bn_buf		ch = { 0 }, path = { 0 };
	struct bn_advisory	a;
	uint32_t		hops;
	bool			off;

	bn_demand_init(&d);
	a = durable_adv(BN_ADV_ADD, "c/1/1", "/topic/t", "s1");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	a = durable_adv(BN_ADV_REMOVE, "c/1/1", "", "");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	/* here: offline only */
	assert_true(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3, false,
	    &hops, &path, &off));
	assert_int_equal(hops, 1);
	assert_true(off);
	bn_buf_reset(&path);
	assert_false(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3,
	    true, &hops, &path, &off));
	/* an online subscriber behind link 2 is told even to dynamicOnly */
	assert_true(bn_demand_remote_set(&d, "/topic/t", 2, 1, "X"));
	bn_buf_reset(&path);
	assert_true(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3, true,
	    &hops, &path, &off));
	assert_int_equal(hops, 2);
	assert_string_equal(path.data, "X,S");
	assert_false(off);
	/* ... not when that one is offline-only too */
	assert_true(bn_demand_remote_set_offline(&d, "/topic/t", 2, true));
	assert_false(bn_demand_remote_set_offline(&d, "/topic/t", 2, true));
	bn_buf_reset(&path);
	assert_false(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3,
	    true, &hops, &path, &off));
	/* without dynamicOnly the local offline one comes first (hop 1) */
	bn_buf_reset(&path);
	assert_true(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3, false,
	    &hops, &path, &off));
	assert_int_equal(hops, 1);
	assert_true(off);
	/* a connected subscriber here: online again */
	a = durable_adv(BN_ADV_ADD, "c/1/2", "/topic/t", "s1");
	assert_true(bn_demand_durable(&d, &a, NULL, &ch));
	bn_buf_reset(&path);
	assert_true(bn_demand_advert_ex(&d, "/topic/t", 1, "P", "S", 3, true,
	    &hops, &path, &off));
	assert_int_equal(hops, 1);
	assert_false(off);
	bn_buf_free(&ch);
	bn_buf_free(&path);
	bn_demand_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durable),
		cmocka_unit_test(test_advert_offline),
		cmocka_unit_test(test_advert_table),
		cmocka_unit_test(test_advert_topologies),
		cmocka_unit_test(test_advert_link_loss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
