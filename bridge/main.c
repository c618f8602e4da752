/* brokernetd: the sidecar that joins a broker to a network of brokers. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/log.h"

/*
 * Memory goes back to the system after a burst, without a system call per
 * large buffer. Store batches (up to a few MiB), 64 KiB bodies and
 * libevent's chains for them (rounded up to 128 KiB and more) come and go
 * at the message rate. In their own mappings (a fixed 128 KiB threshold
 * until 2026-12) every free was a munmap, and its TLB shoot-down was the
 * largest cost of forwarding 64 KiB messages on a 2-core guest (perf: 35 %
 * of the sending sidecar's time; its CPU per message fell by 75-80 %
 * without it). They now come from the heap and are reused. glibc's dynamic
 * threshold is not used: it would let the heap keep its peak. Free memory
 * above MAIN_TRIM_THRESHOLD at the heap's top goes back at once, and every
 * free page every MAIN_TRIM_SEC.
 */
#define MAIN_MMAP_THRESHOLD	(16 * 1024 * 1024)
#define MAIN_TRIM_THRESHOLD	(1024 * 1024)
#define MAIN_TRIM_PAD		(256 * 1024)
#define MAIN_TRIM_SEC		5

static void
main_trim_cb(evutil_socket_t fd, short ev, void *arg)
{
	malloc_trim(MAIN_TRIM_PAD);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: brokernetd -c FILE [-d] [-v|-q]   run in the foreground\n"
	    "       brokernetd -c FILE -n             check the config\n"
	    "       brokernetd -V                     print the version\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct bn_config	*cfg;
	struct bn_daemon	*d;
	struct event_base	*base;
	struct event		*trim_ev;
	struct timeval		 trim_tv = { MAIN_TRIM_SEC, 0 };
	const char		*file = NULL;
	char			 err[1024];
	int			 ch, level = BN_LOG_INFO, check = 0, rc;

	while ((ch = getopt(argc, argv, "c:dnqvV")) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'd':
			if (level < BN_LOG_DEBUG)
				level = BN_LOG_DEBUG;
			break;
		case 'n':
			check = 1;
			break;
		case 'q':
			level = BN_LOG_QUIET;
			break;
		case 'v':
			level = level < BN_LOG_DEBUG ? BN_LOG_DEBUG :
			    BN_LOG_TRACE;
			break;
		case 'V':
			printf("brokernetd %s\n", BN_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (file == NULL || optind != argc)
		usage();
	bn_log_init(level, 0, "brokernetd");
	if ((cfg = bn_config_load_file(file, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (check) {
		printf("%s: configuration ok (broker %s, %zu listener(s),"
		    " %zu connector(s))\n", file, cfg->name, cfg->nlisteners,
		    cfg->nconnectors);
		bn_config_free(cfg);
		return 0;
	}
	mallopt(M_MMAP_THRESHOLD, MAIN_MMAP_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, MAIN_TRIM_THRESHOLD);
	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if ((trim_ev = event_new(base, -1, EV_PERSIST, main_trim_cb,
	    NULL)) == NULL)
		fatalx("cannot create the memory trim timer");
	event_add(trim_ev, &trim_tv);
	d = bn_daemon_new(base, cfg);
	if (bn_daemon_start(d) == -1) {
		event_free(trim_ev);
		bn_daemon_free(d);
		event_base_free(base);
		bn_config_free(cfg);
		return 1;
	}
	event_base_dispatch(base);
	rc = d->exit_code;
	log_info("brokernetd %s: stopped", cfg->name);
	event_free(trim_ev);
	bn_daemon_free(d);
	event_base_free(base);
	bn_config_free(cfg);
	return rc;
}
