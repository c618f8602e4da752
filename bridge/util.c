/* Shared helpers: checked allocation, number parsing, byte buffers. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "brokernet/util.h"

static void
util_oom(size_t n)
{
	fprintf(stderr, "brokernetd: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n ? n : 1)) == NULL)
		util_oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if ((p = calloc(nmemb ? nmemb : 1, size ? size : 1)) == NULL)
		util_oom(nmemb * size);
	return p;
}

void *
xrealloc(void *ptr, size_t n)
{
	void	*p;

	if ((p = realloc(ptr, n ? n : 1)) == NULL)
		util_oom(n);
	return p;
}

char *
xstrdup(const char *s)
{
	return s == NULL ? NULL : xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	p = xmalloc(n + 1);
	if (n > 0)	/* s may be NULL for an empty string */
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		util_oom(0);
	return n;
}

int
bn_strntou64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0;
	size_t		i;

	if (s == NULL || len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int
bn_strtou64(const char *s, uint64_t max, uint64_t *out)
{
	if (s == NULL)
		return -1;
	return bn_strntou64(s, strlen(s), max, out);
}

int
bn_strtoi64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	uint64_t	u;
	int64_t		v;

	if (s == NULL)
		return -1;
	if (s[0] == '-') {
		if (bn_strtou64(s + 1, (uint64_t)INT64_MAX + 1, &u) == -1)
			return -1;
		v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (bn_strtou64(s, INT64_MAX, &u) == -1)
			return -1;
		v = (int64_t)u;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
bn_strtod(const char *s, double min, double max, double *out)
{
	char	*end;
	double	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
bn_strtobool(const char *s, bool *out)
{
	if (s == NULL)
		return -1;
	if (strcasecmp(s, "true") == 0)
		*out = true;
	else if (strcasecmp(s, "false") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* Runs in time that depends only on the lengths, not on where they differ. */
bool
bn_secure_streq(const char *a, const char *b)
{
	size_t		 la, lb, n, i;
	unsigned char	 d, ca, cb;

	if (a == NULL || b == NULL)
		return false;
	la = strlen(a);
	lb = strlen(b);
	n = la > lb ? la : lb;
	d = la != lb;
	for (i = 0; i < n; i++) {
		ca = i < la ? (unsigned char)a[i] : 0;
		cb = i < lb ? (unsigned char)b[i] : 0;
		d |= ca ^ cb;
	}
	return d == 0;
}

void
bn_buf_reserve(struct bn_buf *b, size_t extra)
{
	size_t	ncap;

	if (b->cap - b->len > extra)
		return;
	ncap = b->cap ? b->cap : 256;
	while (ncap - b->len <= extra)
		ncap *= 2;
	b->data = xrealloc(b->data, ncap);
	b->cap = ncap;
}

/*
 * Room for extra more bytes, exactly (no doubling): for a buffer made once
 * and handed on, where doubling 64 KiB to 128 KiB would cross main.c's mmap
 * threshold and cost a fresh mapping, and its page faults, per message.
 */
void
bn_buf_reserve_exact(struct bn_buf *b, size_t extra)
{
	if (b->cap - b->len > extra)
		return;
	b->cap = b->len + extra + 1;
	b->data = xrealloc(b->data, b->cap);
}

void
bn_buf_add(struct bn_buf *b, const void *p, size_t n)
{
	bn_buf_reserve(b, n);
	if (n > 0)	/* p may be NULL for nothing */
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
bn_buf_addstr(struct bn_buf *b, const char *s)
{
	bn_buf_add(b, s, strlen(s));
}

void
bn_buf_addc(struct bn_buf *b, char c)
{
	bn_buf_add(b, &c, 1);
}

void
bn_buf_printf(struct bn_buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	bn_buf_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
bn_buf_reset(struct bn_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
bn_buf_free(struct bn_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

uint64_t
bn_wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
bn_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
