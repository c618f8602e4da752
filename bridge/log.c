/* Logging to stderr (foreground) or syslog, OpenBSD style. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/time.h>

#include "brokernet/log.h"

static int	log_lvl = BN_LOG_INFO;
static int	log_syslog;

void
bn_log_init(int level, int use_syslog, const char *ident)
{
	log_lvl = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
bn_log_level(void)
{
	return log_lvl;
}

static void
log_vwrite(int pri, const char *tag, const char *fmt, va_list ap,
    const char *suffix)
{
	char		 msg[4096];
	struct timeval	 tv;
	struct tm	 tm;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog) {
		if (suffix)
			syslog(pri, "%s: %s", msg, suffix);
		else
			syslog(pri, "%s", msg);
		return;
	}
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld %s%s%s%s\n", tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)tv.tv_usec / 1000, tag, msg,
	    suffix ? ": " : "", suffix ? suffix : "");
}

void
log_warn(const char *fmt, ...)
{
	const char	*e = strerror(errno);
	va_list	ap;

	if (log_lvl < BN_LOG_QUIET)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, "warn: ", fmt, ap, e);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	if (log_lvl < BN_LOG_QUIET)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, "warn: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_lvl < BN_LOG_INFO)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_INFO, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_lvl < BN_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, "debug: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_trace(const char *fmt, ...)
{
	va_list	ap;

	if (log_lvl < BN_LOG_TRACE)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, "trace: ", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	const char	*e = strerror(errno);
	va_list		 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, "fatal: ", fmt, ap, e);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, "fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
