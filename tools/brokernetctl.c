/*
 * brokernetctl: the network as one or more sidecars see it, for a terminal.
 *
 *   brokernetctl status [--json] [-i MS] [-t MS] URL...
 *
 * URL is a sidecar's management endpoint: http://host:port (or host:port;
 * /status is read). Each sidecar's /status is read twice, MS apart (default
 * 1000; -i 0 reads once and shows no rates), and printed as plain text that
 * fits 100 columns: the sidecar's role (a /status without "role" is from a
 * sidecar that knows only one role: active), its broker session and
 * preflight, a table of links (peer, state, direction, msg/s out and in, in
 * flight, since), the demand per queue, and the connectors that fail with
 * their reason. --json prints one merged machine-readable document instead.
 *
 * Exit status: 0 when every sidecar answered, 1 when one did not, 2 on a
 * usage error. The HTTP client is a plain blocking socket (HTTP/1.0, one
 * request per connection, -t MS timeout, default 3000); JSON is read with
 * jansson. Nothing a sidecar sends is trusted: every field is type-checked,
 * and text is cut to its column and stripped of control characters.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <netdb.h>

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "brokernet/util.h"

#define CTL_WIDTH	100
#define CTL_MAX_BODY	(16u * 1024 * 1024)	/* a /status larger is refused */
#define CTL_MAX_URLS	64

struct sidecar {
	const char	*arg;		/* as given */
	char		*host;
	char		*port;
	char		*path;
	char		*base;		/* http://host:port */
	json_t		*first;		/* first sample, or NULL */
	json_t		*last;		/* last sample, or NULL */
	uint64_t	 t_first, t_last;	/* monotonic ms */
	char		 error[256];
};

static uint64_t
ctl_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
usage(void)
{
	fprintf(stderr, "usage: brokernetctl status [--json] [-i MS] [-t MS]"
	    " URL...\n"
	    "  URL: a sidecar's management endpoint, http://host:port\n"
	    "  -i MS: sample /status twice MS apart for msg/s (1000; 0: once)\n"
	    "  -t MS: HTTP timeout (3000)\n"
	    "  --json: one merged JSON document instead of text\n");
	exit(2);
}

/* "http://host:port/path", "host:port" or "[v6]:port"; 0 or -1. */
static int
ctl_parse_url(struct sidecar *sc, const char *url)
{
	const char	*p = url, *hs, *he, *ps;
	uint64_t	 port;

	if (strncmp(p, "http://", 7) == 0)
		p += 7;
	else if (strstr(p, "://") != NULL)
		return -1;
	if (*p == '[') {
		hs = p + 1;
		if ((he = strchr(hs, ']')) == NULL || he[1] != ':')
			return -1;
		ps = he + 2;
	} else {
		hs = p;
		if ((he = strchr(hs, ':')) == NULL)
			return -1;
		ps = he + 1;
	}
	if (he == hs)
		return -1;
	sc->path = xstrdup(strchr(ps, '/') ? strchr(ps, '/') : "/status");
	if (strcmp(sc->path, "/") == 0) {
		free(sc->path);
		sc->path = xstrdup("/status");
	}
	sc->port = xstrndup(ps, strcspn(ps, "/"));
	if (bn_strtou64(sc->port, 65535, &port) == -1 || port == 0) {
		free(sc->path);
		free(sc->port);
		sc->path = sc->port = NULL;
		return -1;
	}
	sc->host = xstrndup(hs, (size_t)(he - hs));
	if (strchr(sc->host, ':') != NULL)
		xasprintf(&sc->base, "http://[%s]:%s", sc->host, sc->port);
	else
		xasprintf(&sc->base, "http://%s:%s", sc->host, sc->port);
	return 0;
}

/* One GET; returns the parsed body or NULL with sc->error set. */
static json_t *
ctl_fetch(struct sidecar *sc, int timeout_ms)
{
	struct addrinfo	 hints, *ai = NULL, *a;
	struct timeval	 tv;
	struct bn_buf	 b = { 0 };
	json_t		*js = NULL;
	json_error_t	 jerr;
	char		*req = NULL, *body;
	int		 fd = -1, rc, code;
	ssize_t		 n;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(sc->host, sc->port, &hints, &ai)) != 0) {
		snprintf(sc->error, sizeof(sc->error), "%s: %s", sc->host,
		    gai_strerror(rc));
		return NULL;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	for (a = ai; a != NULL; a = a->ai_next) {
		if ((fd = socket(a->ai_family, a->ai_socktype, 0)) == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		snprintf(sc->error, sizeof(sc->error), "%s: %s", sc->base,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd == -1)
		return NULL;
	xasprintf(&req, "GET %s HTTP/1.0\r\nHost: %s:%s\r\n"
	    "User-Agent: brokernetctl\r\nAccept: application/json\r\n\r\n",
	    sc->path, sc->host, sc->port);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		snprintf(sc->error, sizeof(sc->error), "%s: write: %s",
		    sc->base, strerror(errno));
		goto out;
	}
	for (;;) {
		bn_buf_reserve(&b, 65536);
		n = read(fd, b.data + b.len, 65536);
		if (n == 0)
			break;
		if (n < 0) {
			snprintf(sc->error, sizeof(sc->error), "%s: read: %s",
			    sc->base, errno == EAGAIN ? "timed out" :
			    strerror(errno));
			goto out;
		}
		b.len += (size_t)n;
		if (b.len > CTL_MAX_BODY) {
			snprintf(sc->error, sizeof(sc->error), "%s: answer"
			    " larger than %u bytes", sc->base, CTL_MAX_BODY);
			goto out;
		}
	}
	bn_buf_addc(&b, '\0');
	if (sscanf(b.data, "HTTP/1.%*d %d", &code) != 1 ||
	    (body = strstr(b.data, "\r\n\r\n")) == NULL) {
		snprintf(sc->error, sizeof(sc->error), "%s: not an HTTP"
		    " answer", sc->base);
		goto out;
	}
	if (code != 200) {
		snprintf(sc->error, sizeof(sc->error), "%s%s: HTTP %d",
		    sc->base, sc->path, code);
		goto out;
	}
	body += 4;
	js = json_loadb(body, b.len - 1 - (size_t)(body - b.data), 0, &jerr);
	if (js == NULL)
		snprintf(sc->error, sizeof(sc->error), "%s%s: bad JSON at"
		    " line %d: %s", sc->base, sc->path, jerr.line, jerr.text);
	else if (!json_is_object(js)) {
		snprintf(sc->error, sizeof(sc->error), "%s%s: not a JSON"
		    " object", sc->base, sc->path);
		json_decref(js);
		js = NULL;
	}
out:
	free(req);
	bn_buf_free(&b);
	close(fd);
	return js;
}

/* ---- typed access to what a sidecar sent ---- */

static const char *
jstr(const json_t *o, const char *k, const char *def)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : def;
}

static uint64_t
ju64(const json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (uint64_t)json_integer_value(v);
	return 0;
}

static const char *
ctl_role(const json_t *st)
{
	const char	*r = jstr(st, "role", NULL);

	return r != NULL ? r : "active";
}

/* A link of the first sample with the same id, or NULL. */
static const json_t *
ctl_link_before(const json_t *first, const json_t *l)
{
	const json_t	*links = json_object_get(first, "links"), *x;
	size_t		 i;

	if (!json_is_array(links))
		return NULL;
	json_array_foreach(links, i, x)
		if (json_equal(json_object_get(x, "id"),
		    json_object_get(l, "id")))
			return x;
	return NULL;
}

/* Messages per second of counter k between the samples; -1: unknown. */
static double
ctl_rate(const struct sidecar *sc, const json_t *l, const char *k)
{
	const json_t	*b;
	uint64_t	 now, then;

	if (sc->first == NULL || sc->t_last <= sc->t_first ||
	    (b = ctl_link_before(sc->first, l)) == NULL)
		return -1;
	now = ju64(l, k);
	then = ju64(b, k);
	if (now < then)
		return -1;
	return (double)(now - then) * 1000.0 /
	    (double)(sc->t_last - sc->t_first);
}

/* ---- text ---- */

/* Copies s into dst (size n) without control characters, cut with "~". */
static const char *
fit(char *dst, size_t n, const char *s)
{
	size_t	i, j = 0, len = strlen(s);

	for (i = 0; i < len && j + 1 < n; i++)
		dst[j++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	dst[j] = '\0';
	if (i < len && j >= 1)
		dst[j - 1] = '~';
	return dst;
}

static void
fmt_age(char *dst, size_t n, uint64_t ms)
{
	uint64_t	s = ms / 1000;

	if (s < 120)
		snprintf(dst, n, "%llus", (unsigned long long)s);
	else if (s < 7200)
		snprintf(dst, n, "%llum%02llus", (unsigned long long)(s / 60),
		    (unsigned long long)(s % 60));
	else if (s < 172800)
		snprintf(dst, n, "%lluh%02llum", (unsigned long long)(s / 3600),
		    (unsigned long long)(s / 60 % 60));
	else
		snprintf(dst, n, "%llud%02lluh", (unsigned long long)(s / 86400),
		    (unsigned long long)(s / 3600 % 24));
}

static void
fmt_rate(char *dst, size_t n, double r)
{
	if (r < 0)
		snprintf(dst, n, "-");
	else if (r < 1000)
		snprintf(dst, n, "%.1f", r);
	else
		snprintf(dst, n, "%.0f", r);
}

/* Prints "label text" wrapped at CTL_WIDTH, continuation lines indented. */
static void
print_wrapped(const char *indent, const char *label, const char *text)
{
	char	 clean[4096];
	size_t	 col, ind = strlen(indent), w;
	char	*p, *word;

	fit(clean, sizeof(clean), text);
	col = (size_t)printf("%s%s", indent, label);
	for (p = clean; (word = strsep(&p, " ")) != NULL;) {
		w = strlen(word);
		if (w == 0)
			continue;
		/* a word longer than a line is cut */
		if (w > CTL_WIDTH - ind - strlen(label) - 1) {
			w = CTL_WIDTH - ind - strlen(label) - 1;
			word[w - 1] = '~';
			word[w] = '\0';
		}
		if (col + 1 + w > CTL_WIDTH && col > ind + strlen(label)) {
			col = (size_t)printf("\n%s%*s", indent,
			    (int)strlen(label), "");
		}
		col += (size_t)printf(" %s", word);
	}
	printf("\n");
}

static void
print_links(const struct sidecar *sc, const json_t *st, uint64_t wall)
{
	const json_t	*links = json_object_get(st, "links"), *l;
	char		 peer[21], state[10], dir[9], out[9], in[9];
	char		 age[24], when[9];
	size_t		 i;
	time_t		 t;
	struct tm	 tm;

	if (!json_is_array(links) || json_array_size(links) == 0) {
		printf("  links     none\n");
		return;
	}
	printf("  %-20s %-9s %-8s %-6s %9s %8s %9s  %s\n", "PEER", "STATE",
	    "DIR", "DUPLEX", "OUT MSG/S", "IN MSG/S", "IN FLIGHT", "SINCE");
	json_array_foreach(links, i, l) {
		uint64_t	since = ju64(l, "since_ms");

		if (!json_is_object(l))
			continue;
		fmt_rate(out, sizeof(out), ctl_rate(sc, l, "messages_out"));
		fmt_rate(in, sizeof(in), ctl_rate(sc, l, "messages_in"));
		t = (time_t)(since / 1000);
		if (since > 0 && localtime_r(&t, &tm) != NULL) {
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
			fmt_age(age, sizeof(age), wall > since ? wall - since :
			    0);
		} else {
			snprintf(when, sizeof(when), "-");
			age[0] = '\0';
		}
		printf("  %-20s %-9s %-8s %-6s %9s %8s %9llu  %s %s\n",
		    fit(peer, sizeof(peer), jstr(l, "peer", "?")),
		    fit(state, sizeof(state), jstr(l, "state", "?")),
		    fit(dir, sizeof(dir), jstr(l, "direction", "?")),
		    json_is_true(json_object_get(l, "duplex")) ? "yes" : "no",
		    out, in, (unsigned long long)ju64(l, "inflight"), when,
		    age[0] ? age : "");
	}
}

static int
ctl_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Queue -> local consumers and the peers that want it (remote demand),
 * sorted by name. */
static void
print_demand(const json_t *st)
{
	const json_t	*local = json_object_get(st, "local_demand");
	const json_t	*links = json_object_get(st, "links"), *l, *v;
	json_t		*qs = json_object();
	const char	*q;
	char		 qn[41], peers[256], cell[58];
	const char	**names;
	size_t		 i, n = 0;

	if (json_is_object(local))
		json_object_foreach((json_t *)local, q, v)
			json_object_set_new(qs, q, json_array());
	json_array_foreach(links, i, l) {
		const json_t	*rd = json_object_get(l, "remote_demand");

		if (!json_is_object(rd) || json_object_get(l, "peer") == NULL)
			continue;
		json_object_foreach((json_t *)rd, q, v) {
			json_t	*a = json_object_get(qs, q);

			if (a == NULL) {
				a = json_array();
				json_object_set_new(qs, q, a);
			}
			json_array_append(a, json_object_get(l, "peer"));
		}
	}
	if (json_object_size(qs) == 0) {
		printf("  demand    none\n");
		json_decref(qs);
		return;
	}
	printf("  %-40s %9s  %s\n", "QUEUE", "CONSUMERS", "WANTED BY PEERS");
	names = xcalloc(json_object_size(qs), sizeof(*names));
	json_object_foreach(qs, q, v)
		names[n++] = q;
	qsort(names, n, sizeof(*names), ctl_strcmp);
	for (i = 0; i < n; i++) {
		const json_t	*p;
		size_t		 j, off = 0;

		q = names[i];
		v = json_object_get(qs, q);

		peers[0] = '\0';
		json_array_foreach(v, j, p)
			if (json_is_string(p) && off < sizeof(peers))
				off += (size_t)snprintf(peers + off,
				    sizeof(peers) - off, "%s%s", j ? "," : "",
				    json_string_value(p));
		printf("  %-40s %9llu  %s\n", fit(qn, sizeof(qn), q),
		    (unsigned long long)ju64(local, q),
		    peers[0] ? fit(cell, sizeof(cell), peers) : "-");
	}
	free(names);
	json_decref(qs);
}

static void
print_failing(const json_t *st)
{
	const json_t	*cs = json_object_get(st, "connectors"), *c;
	char		 label[64], n[21], tgt[27], why[512];
	size_t		 i;

	json_array_foreach(cs, i, c) {
		const char	*state = jstr(c, "state", "?");

		if (strcmp(state, "up") == 0)
			continue;
		snprintf(why, sizeof(why), "%s, %llu attempts: %s", state,
		    (unsigned long long)ju64(c, "attempts"),
		    jstr(c, "last_error", "no error yet"));
		snprintf(label, sizeof(label), "failing   %s -> %s",
		    fit(n, sizeof(n), jstr(c, "name", "?")),
		    fit(tgt, sizeof(tgt), jstr(c, "target", "?")));
		print_wrapped("  ", label, why);
	}
}

static void
print_sidecar(const struct sidecar *sc, uint64_t wall)
{
	const json_t	*st = sc->last, *b, *pf;
	char		 name[33], role[17], uri[61], up[24], ver[17];
	char		 bst[13], pst[11];

	if (st == NULL) {
		printf("%s  UNREACHABLE  %s\n", sc->base ? sc->base : sc->arg,
		    sc->error);
		return;
	}
	b = json_object_get(st, "broker");
	pf = json_object_get(st, "preflight");
	fmt_age(up, sizeof(up), ju64(st, "uptime_ms"));
	printf("%s  %s  %s  brokernetd %s  up %s\n",
	    fit(name, sizeof(name), jstr(st, "broker_name", "?")),
	    fit(role, sizeof(role), ctl_role(st)), sc->base,
	    fit(ver, sizeof(ver), jstr(st, "version", "?")), up);
	printf("  broker    %s  %s  (sessions %llu)  preflight %s\n",
	    fit(bst, sizeof(bst), jstr(b, "state", "?")),
	    fit(uri, sizeof(uri), jstr(b, "current",
	    jstr(b, "uri", "?"))), (unsigned long long)ju64(b, "connects"),
	    !json_is_object(pf) ? "n/a" :
	    json_is_true(json_object_get(pf, "ok")) ? "ok" :
	    jstr(pf, "problem", NULL) ? "FAILED" :
	    fit(pst, sizeof(pst), jstr(pf, "state", "?")));
	if (json_is_object(pf) && jstr(pf, "problem", NULL) != NULL) {
		print_wrapped("  ", "problem  ", jstr(pf, "problem", ""));
		print_wrapped("  ", "fix      ", jstr(pf, "fix", "?"));
	}
	print_links(sc, st, wall);
	print_demand(st);
	print_failing(st);
}

/* ---- JSON ---- */

static json_t *
json_sidecar(const struct sidecar *sc)
{
	const json_t	*st = sc->last, *l, *c, *v;
	json_t		*o, *links, *demand, *failing, *d;
	const char	*q;
	size_t		 i;

	o = json_pack("{s:s}", "url", sc->base ? sc->base : sc->arg);
	if (st == NULL) {
		json_object_set_new(o, "reachable", json_false());
		json_object_set_new(o, "error", json_string(sc->error));
		return o;
	}
	json_object_set_new(o, "reachable", json_true());
	json_object_set(o, "broker_name", json_object_get(st, "broker_name"));
	json_object_set_new(o, "role", json_string(ctl_role(st)));
	json_object_set_new(o, "role_reported",
	    json_boolean(json_object_get(st, "role") != NULL));
	json_object_set(o, "version", json_object_get(st, "version"));
	json_object_set(o, "uptime_ms", json_object_get(st, "uptime_ms"));
	json_object_set(o, "broker", json_object_get(st, "broker"));
	json_object_set(o, "preflight", json_object_get(st, "preflight"));
	links = json_array();
	json_array_foreach(json_object_get(st, "links"), i, l) {
		double	ro = ctl_rate(sc, l, "messages_out");
		double	ri = ctl_rate(sc, l, "messages_in");

		json_array_append_new(links, json_pack("{s:O?,s:O?,s:O?,s:O?,"
		    "s:O?,s:O?,s:o,s:o,s:O?,s:O?,s:O?,s:O?}",
		    "peer", json_object_get(l, "peer"),
		    "state", json_object_get(l, "state"),
		    "direction", json_object_get(l, "direction"),
		    "duplex", json_object_get(l, "duplex"),
		    "address", json_object_get(l, "address"),
		    "connector", json_object_get(l, "connector"),
		    "messages_out_per_s", ro < 0 ? json_null() : json_real(ro),
		    "messages_in_per_s", ri < 0 ? json_null() : json_real(ri),
		    "inflight", json_object_get(l, "inflight"),
		    "since_ms", json_object_get(l, "since_ms"),
		    "messages_out", json_object_get(l, "messages_out"),
		    "messages_in", json_object_get(l, "messages_in")));
	}
	json_object_set_new(o, "links", links);
	demand = json_object();
	json_object_foreach(json_object_get(st, "local_demand"), q, v) {
		d = json_pack("{s:I,s:[]}", "consumers",
		    (json_int_t)ju64(json_object_get(st, "local_demand"), q),
		    "peers");
		json_object_set_new(demand, q, d);
	}
	json_array_foreach(json_object_get(st, "links"), i, l) {
		if (!json_is_string(json_object_get(l, "peer")))
			continue;
		json_object_foreach(json_object_get(l, "remote_demand"), q, v) {
			if ((d = json_object_get(demand, q)) == NULL) {
				d = json_pack("{s:i,s:[]}", "consumers", 0,
				    "peers");
				json_object_set_new(demand, q, d);
			}
			json_array_append(json_object_get(d, "peers"),
			    json_object_get(l, "peer"));
		}
	}
	json_object_set_new(o, "demand", demand);
	failing = json_array();
	json_array_foreach(json_object_get(st, "connectors"), i, c)
		if (strcmp(jstr(c, "state", "?"), "up") != 0)
			json_array_append(failing, (json_t *)c);
	json_object_set_new(o, "failing_connectors", failing);
	return o;
}

static int
ctl_status(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct sidecar	 scs[CTL_MAX_URLS];
	uint64_t	 interval = 1000, timeout = 3000;
	bool		 as_json = false;
	int		 ch, i, n, bad = 0;
	uint64_t	 wall;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "ji:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			as_json = true;
			break;
		case 'i':
			if (bn_strtou64(optarg, 60000, &interval) == -1)
				usage();
			break;
		case 't':
			if (bn_strtou64(optarg, 60000, &timeout) == -1 ||
			    timeout == 0)
				usage();
			break;
		default:
			usage();
		}
	}
	n = argc - optind;
	if (n < 1 || n > CTL_MAX_URLS)
		usage();
	memset(scs, 0, sizeof(scs));
	for (i = 0; i < n; i++) {
		scs[i].arg = argv[optind + i];
		if (ctl_parse_url(&scs[i], scs[i].arg) == -1) {
			fprintf(stderr, "brokernetctl: %s: not a management URL"
			    " (http://host:port)\n", scs[i].arg);
			exit(2);
		}
	}
	for (i = 0; i < n; i++) {
		scs[i].t_first = ctl_now_ms();
		scs[i].first = ctl_fetch(&scs[i], (int)timeout);
	}
	if (interval > 0)
		usleep((useconds_t)interval * 1000);
	for (i = 0; i < n; i++) {
		if (interval > 0 && scs[i].first != NULL) {
			scs[i].t_last = ctl_now_ms();
			scs[i].last = ctl_fetch(&scs[i], (int)timeout);
		} else {
			scs[i].t_last = scs[i].t_first;
			scs[i].last = json_incref(scs[i].first);
		}
		if (scs[i].last == NULL)
			bad = 1;
	}
	wall = bn_wall_ms();
	if (as_json) {
		json_t	*doc, *arr = json_array();

		for (i = 0; i < n; i++)
			json_array_append_new(arr, json_sidecar(&scs[i]));
		doc = json_pack("{s:I,s:I,s:o}", "time_ms", (json_int_t)wall,
		    "interval_ms", (json_int_t)interval, "sidecars", arr);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("\n");
		json_decref(doc);
	} else {
		for (i = 0; i < n; i++) {
			if (i > 0)
				printf("\n");
			print_sidecar(&scs[i], wall);
		}
	}
	for (i = 0; i < n; i++) {
		json_decref(scs[i].first);
		json_decref(scs[i].last);
		free(scs[i].host);
		free(scs[i].port);
		free(scs[i].path);
		free(scs[i].base);
	}
	return bad;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "status") == 0)
		return ctl_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("brokernetctl %s\n", BN_VERSION);
		return 0;
	}
	usage();
	return 2;
}
