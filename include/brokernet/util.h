/*
 * Small shared helpers: checked allocation, checked number parsing, a
 * growable byte buffer. Pure: no I/O, no libevent.
 */
#ifndef BN_UTIL_H
#define BN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation that aborts with a clear message on out-of-memory. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
/* Returns a new NUL-terminated copy; caller frees. xstrdup(NULL) is NULL. */
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* asprintf that aborts on failure; caller frees *ret. */
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Checked number parsing of a whole string: no sign, no leading or
 * trailing garbage, no overflow, value <= max. 0 on success, -1 on error.
 */
int	 bn_strtou64(const char *, uint64_t max, uint64_t *);
/* Same, but the input is (ptr, len) and need not be NUL-terminated. */
int	 bn_strntou64(const char *, size_t, uint64_t max, uint64_t *);
/* Signed: accepts a leading '-'; min <= value <= max. */
int	 bn_strtoi64(const char *, int64_t min, int64_t max, int64_t *);
/* A finite decimal number (e.g. "2.0"), min <= value <= max. */
int	 bn_strtod(const char *, double min, double max, double *);
/* "true"/"false" (case-insensitive). 0 on success, -1 otherwise. */
int	 bn_strtobool(const char *, bool *);

/* Constant-time comparison of two NUL-terminated strings (secrets). */
bool	 bn_secure_streq(const char *, const char *);

/* A growable byte buffer. Zero-initialise, then append; bn_buf_free. */
struct bn_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void	 bn_buf_reserve(struct bn_buf *, size_t extra);
void	 bn_buf_reserve_exact(struct bn_buf *, size_t extra);
void	 bn_buf_add(struct bn_buf *, const void *, size_t);
void	 bn_buf_addstr(struct bn_buf *, const char *);
void	 bn_buf_addc(struct bn_buf *, char);
void	 bn_buf_printf(struct bn_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 bn_buf_reset(struct bn_buf *);
void	 bn_buf_free(struct bn_buf *);

/* Monotonic milliseconds. */
uint64_t bn_now_ms(void);
/* Wall-clock milliseconds since the epoch. */
uint64_t bn_wall_ms(void);

#endif /* BN_UTIL_H */
