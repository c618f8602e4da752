/* brokernetd: the sidecar that joins a broker to a network of brokers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "brokernet/config.h"
#include "brokernet/daemon.h"
#include "brokernet/log.h"

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
	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	d = bn_daemon_new(base, cfg);
	if (bn_daemon_start(d) == -1) {
		bn_daemon_free(d);
		event_base_free(base);
		bn_config_free(cfg);
		return 1;
	}
	event_base_dispatch(base);
	rc = d->exit_code;
	log_info("brokernetd %s: stopped", cfg->name);
	bn_daemon_free(d);
	event_base_free(base);
	bn_config_free(cfg);
	return rc;
}
