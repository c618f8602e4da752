/*
 * Logging in the style of OpenBSD daemons: log_warn appends strerror(errno),
 * log_warnx does not; fatal/fatalx exit(1). Output goes to stderr, or to
 * syslog once bn_log_init() was called with use_syslog.
 */
#ifndef BN_LOG_H
#define BN_LOG_H

#include <stdarg.h>

enum bn_log_level {
	BN_LOG_QUIET = 0,	/* warnings only */
	BN_LOG_INFO = 1,	/* default */
	BN_LOG_DEBUG = 2,	/* -v */
	BN_LOG_TRACE = 3	/* -v -v: per-frame lines */
};

void	bn_log_init(int level, int use_syslog, const char *ident);
int	bn_log_level(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_trace(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* BN_LOG_H */
