/*
 * bnbench's command line: the modes, which options each accepts, checked
 * numbers within bounds, --header pairs, broker URIs parsed into
 * struct bench_opts (plain data, bnbench.h); usage errors exit 2.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/config.h"
#include "brokernet/frame.h"
#include "brokernet/log.h"
#include "brokernet/uri.h"
#include "brokernet/util.h"

#include "bnbench.h"

#define BENCH_MAX_COUNT		100000000ULL
#define BENCH_MAX_SIZE		(64ULL * 1024 * 1024)
#define BENCH_MAX_WINDOW	1000000ULL
#define BENCH_MAX_PRODUCERS	64ULL
#define BENCH_MAX_PREFETCH	1000000ULL
#define BENCH_MAX_MS		(24ULL * 3600 * 1000)

enum {
	OPT_BROKER = 256, OPT_PBROKER, OPT_CBROKER, OPT_QUEUE, OPT_COUNT,
	OPT_SIZE, OPT_PERSISTENT, OPT_NONPERSISTENT, OPT_WINDOW, OPT_RATE,
	OPT_HEADER, OPT_IDPREFIX, OPT_PREFETCH, OPT_IDLE, OPT_EXPECT,
	OPT_WARMUP, OPT_TIMEOUT, OPT_STRICT, OPT_HEARTBEAT, OPT_LOGIN,
	OPT_PASSCODE, OPT_PRODUCERS, OPT_BODY
};

/* Which modes accept each option. */
static const struct {
	int	opt;
	int	modes;
} opts_modes[] = {
	{ OPT_BROKER, MODE_ANY },
	{ OPT_PBROKER, MODE_RUN },
	{ OPT_CBROKER, MODE_RUN },
	{ OPT_SIZE, MODE_ANY },
	{ OPT_BODY, MODE_ANY },
	{ OPT_PERSISTENT, MODE_SENDS },
	{ OPT_NONPERSISTENT, MODE_SENDS },
	{ OPT_WINDOW, MODE_SENDS },
	{ OPT_PRODUCERS, MODE_SENDS },
	{ OPT_RATE, MODE_SENDS },
	{ OPT_IDPREFIX, MODE_SENDS },
	{ OPT_PREFETCH, MODE_RECVS },
	{ OPT_IDLE, MODE_RECVS },
	{ OPT_EXPECT, MODE_CONSUME },
	{ OPT_WARMUP, MODE_RUN },
	{ OPT_STRICT, MODE_RECVS },
	{ 0, 0 }
};

static void
opts_usage(FILE *f)
{
	fprintf(f,
"usage: bnbench produce --broker URI --queue Q --count N [--size BYTES]\n"
"           [--persistent|--non-persistent] [--window W] [--rate MSG_PER_S]\n"
"           [--producers N] [--header k=v ...] [--id-prefix P]\n"
"       bnbench consume --broker URI --queue Q --count N [--prefetch P]\n"
"           [--idle-timeout MS] [--expect-prefix P] [--size BYTES]\n"
"           [--header k=v ...] [--strict]\n"
"       bnbench run --producer-broker URI --consumer-broker URI --queue Q\n"
"           --count N [--size BYTES] [--persistent|--non-persistent]\n"
"           [--window W] [--producers N] [--prefetch P] [--rate R]\n"
"           [--warmup-ms MS]\n"
"           [--header k=v ...] [--idle-timeout MS] [--strict]\n"
"common: [--timeout-s S (120)] [--heartbeat-ms MS (10000)] [--login L]\n"
"        [--body json|random (random: an incompressible byte pattern)]\n"
"        [--passcode P] [-v|-q]\n"
"URI: stomp://host:port or failover:(stomp://h:p,...)?options.\n"
"Defaults: --size 1024 --persistent --window 1000 --producers 1\n"
"--prefetch 1000 --warmup-ms 1000. --producers N opens N producer\n"
"connections, each with its own --window. --rate (all producers\n"
"together) keeps a fixed schedule (catches up after a\n"
"stall). run: --broker URI sets both brokers. consume:\n"
"--header k=v are headers every message must carry; without\n"
"--expect-prefix the first run id seen is counted, others are other_runs.\n"
"Summary: key=value lines on stdout. Exit 0 when distinct == count and\n"
"corrupt == 0 (and no duplicates with --strict; produce: all confirmed),\n"
"1 otherwise or on timeout, 2 on usage errors.\n");
}

static void __attribute__((noreturn))
opts_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "bnbench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(bnbench --help for usage)\n");
	exit(2);
}

static uint64_t
opts_num(const char *name, const char *val, uint64_t min, uint64_t max)
{
	uint64_t	v;

	if (bn_strtou64(val, max, &v) == -1 || v < min) {
		fprintf(stderr, "bnbench: --%s: bad number %s (%" PRIu64
		    "..%" PRIu64 ")\n", name, val, min, max);
		exit(2);
	}
	return v;
}

static void
opts_add_header(struct bench_opts *o, const char *arg)
{
	static const char *const reserved[] = { "destination", "receipt",
	    "content-length", "persistent", "transaction", "ack",
	    "subscription", "message-id", NULL };
	const char	*eq = strchr(arg, '=');
	char		*name;
	size_t		 i;

	if (eq == NULL || eq == arg)
		opts_usage_error("--header %s: expected NAME=VALUE", arg);
	name = xstrndup(arg, (size_t)(eq - arg));
	for (i = 0; reserved[i] != NULL; i++)
		if (strcmp(name, reserved[i]) == 0)
			opts_usage_error("--header: %s is set by bnbench",
			    name);
	if (strncmp(name, "bnbench_", 8) == 0)
		opts_usage_error("--header: %s is set by bnbench", name);
	o->headers = xrealloc(o->headers, (o->nheaders + 1) *
	    sizeof(*o->headers));
	o->headers[o->nheaders].name = name;
	o->headers[o->nheaders].value = xstrdup(eq + 1);
	o->nheaders++;
}

static void
opts_parse_uri(const char *opt, const char *uri, struct bn_failover *fo)
{
	char	err[256];

	if (bn_failover_parse(uri, fo, err, sizeof(err)) == -1) {
		fprintf(stderr, "bnbench: --%s %s: %s\n", opt, uri, err);
		exit(2);
	}
}

static const char *
opts_name(const struct option *opts, int val)
{
	for (; opts->name != NULL; opts++)
		if (opts->val == val)
			return opts->name;
	return "?";
}

void
bench_opts_parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{ "broker", required_argument, NULL, OPT_BROKER },
		{ "producer-broker", required_argument, NULL, OPT_PBROKER },
		{ "consumer-broker", required_argument, NULL, OPT_CBROKER },
		{ "queue", required_argument, NULL, OPT_QUEUE },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "body", required_argument, NULL, OPT_BODY },
		{ "persistent", no_argument, NULL, OPT_PERSISTENT },
		{ "non-persistent", no_argument, NULL, OPT_NONPERSISTENT },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "producers", required_argument, NULL, OPT_PRODUCERS },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "header", required_argument, NULL, OPT_HEADER },
		{ "id-prefix", required_argument, NULL, OPT_IDPREFIX },
		{ "prefetch", required_argument, NULL, OPT_PREFETCH },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "expect-prefix", required_argument, NULL, OPT_EXPECT },
		{ "warmup-ms", required_argument, NULL, OPT_WARMUP },
		{ "timeout-s", required_argument, NULL, OPT_TIMEOUT },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "heartbeat-ms", required_argument, NULL, OPT_HEARTBEAT },
		{ "login", required_argument, NULL, OPT_LOGIN },
		{ "passcode", required_argument, NULL, OPT_PASSCODE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*broker = NULL, *queue = NULL;
	bool		 have_count = false;
	int		 ch, i;

	if (argc < 2)
		opts_usage_error("%s", "missing mode");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		opts_usage(stdout);
		exit(0);
	}
	o->mode_name = argv[1];
	if (strcmp(argv[1], "produce") == 0)
		o->mode = MODE_PRODUCE;
	else if (strcmp(argv[1], "consume") == 0)
		o->mode = MODE_CONSUME;
	else if (strcmp(argv[1], "run") == 0)
		o->mode = MODE_RUN;
	else
		opts_usage_error("unknown mode %s", argv[1]);
	o->size = 1024;
	o->persistent = true;
	o->window = 1000;
	o->producers = 1;
	o->prefetch = 1000;
	o->warmup_ms = 1000;
	o->timeout_s = 120;
	o->hb_ms = 10000;
	o->verbosity = BN_LOG_INFO;

	opterr = 0;
	while ((ch = getopt_long(argc - 1, argv + 1, "hvq", longopts,
	    NULL)) != -1) {
		for (i = 0; opts_modes[i].opt != 0; i++)
			if (opts_modes[i].opt == ch &&
			    !(opts_modes[i].modes & o->mode))
				opts_usage_error("option --%s does not apply "
				    "to this mode", opts_name(longopts, ch));
		switch (ch) {
		case OPT_BROKER:
			broker = optarg;
			break;
		case OPT_PBROKER:
			o->producer_uri = optarg;
			break;
		case OPT_CBROKER:
			o->consumer_uri = optarg;
			break;
		case OPT_QUEUE:
			queue = optarg;
			break;
		case OPT_COUNT:
			o->count = opts_num("count", optarg, 1,
			    BENCH_MAX_COUNT);
			have_count = true;
			break;
		case OPT_SIZE:
			o->size = opts_num("size", optarg, 0, BENCH_MAX_SIZE);
			o->size_set = true;
			break;
		case OPT_BODY:
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "random") != 0)
				opts_usage_error("--body %s: expected json or"
				    " random", optarg);
			o->json = strcmp(optarg, "json") == 0;
			break;
		case OPT_PERSISTENT:
			o->persistent = true;
			break;
		case OPT_NONPERSISTENT:
			o->persistent = false;
			break;
		case OPT_WINDOW:
			o->window = opts_num("window", optarg, 1,
			    BENCH_MAX_WINDOW);
			break;
		case OPT_PRODUCERS:
			o->producers = opts_num("producers", optarg, 1,
			    BENCH_MAX_PRODUCERS);
			break;
		case OPT_RATE:
			if (bn_strtod(optarg, 0.0, 1e9, &o->rate) == -1)
				opts_usage_error("--rate: bad number %s",
				    optarg);
			break;
		case OPT_HEADER:
			opts_add_header(o, optarg);
			break;
		case OPT_IDPREFIX:
			o->id_prefix = optarg;
			break;
		case OPT_PREFETCH:
			o->prefetch = opts_num("prefetch", optarg, 1,
			    BENCH_MAX_PREFETCH);
			break;
		case OPT_IDLE:
			o->idle_ms = opts_num("idle-timeout", optarg, 0,
			    BENCH_MAX_MS);
			break;
		case OPT_EXPECT:
			o->expect_prefix = optarg;
			break;
		case OPT_WARMUP:
			o->warmup_ms = opts_num("warmup-ms", optarg, 0,
			    BENCH_MAX_MS);
			break;
		case OPT_TIMEOUT:
			o->timeout_s = opts_num("timeout-s", optarg, 1,
			    BENCH_MAX_MS / 1000);
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_HEARTBEAT:
			o->hb_ms = opts_num("heartbeat-ms", optarg, 0,
			    BENCH_MAX_MS);
			break;
		case OPT_LOGIN:
			o->login = optarg;
			break;
		case OPT_PASSCODE:
			o->passcode = optarg;
			break;
		case 'v':
			if (o->verbosity < BN_LOG_TRACE)
				o->verbosity++;
			break;
		case 'q':
			o->verbosity = BN_LOG_QUIET;
			break;
		case 'h':
			opts_usage(stdout);
			exit(0);
		default:
			opts_usage_error("bad option or missing argument: %s",
			    argv[optind]);	/* argv + 1 is getopt's argv */
		}
	}
	if (optind < argc - 1)
		opts_usage_error("unexpected argument %s", argv[optind + 1]);
	if (o->mode == MODE_RUN) {
		if (o->producer_uri == NULL)
			o->producer_uri = broker;
		if (o->consumer_uri == NULL)
			o->consumer_uri = broker;
		if (o->producer_uri == NULL || o->consumer_uri == NULL)
			opts_usage_error("%s", "run needs --producer-broker and"
			    " --consumer-broker (or --broker)");
	} else if (broker == NULL)
		opts_usage_error("%s", "missing --broker");
	else if (o->mode == MODE_PRODUCE)
		o->producer_uri = broker;
	else
		o->consumer_uri = broker;
	if (queue == NULL || queue[0] == '\0')
		opts_usage_error("%s", "missing --queue");
	if (!have_count)
		opts_usage_error("%s", "missing --count");
	if (o->producer_uri != NULL)
		opts_parse_uri("producer-broker", o->producer_uri, &o->pfo);
	if (o->consumer_uri != NULL)
		opts_parse_uri("consumer-broker", o->consumer_uri, &o->cfo);
	if (queue[0] == '/')
		o->dest = xstrdup(queue);
	else
		xasprintf(&o->dest, "/queue/%s", queue);
	if (o->mode == MODE_RUN)
		o->size_set = true;
}

void
bench_opts_free(struct bench_opts *o)
{
	size_t	i;

	for (i = 0; i < o->nheaders; i++) {
		free(o->headers[i].name);
		free(o->headers[i].value);
	}
	free(o->headers);
	free(o->dest);
	bn_failover_free(&o->pfo);
	bn_failover_free(&o->cfo);
}
