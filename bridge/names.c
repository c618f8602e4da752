/*
 * The one name rule (see include/brokernet/names.h for the set and why).
 * Each refusal names the class of the first byte that broke it, so a log
 * line or config error says what to fix.
 */
#include <stdbool.h>
#include <string.h>

#include "brokernet/names.h"

static bool
names_allowed(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* Why byte c is refused, most specific first. */
static const char *
names_reason(unsigned char c)
{
	switch (c) {
	case ',':
		return "contains a comma (paths are ,A,B,)";
	case '"':
	case '\'':
		return "contains a quote";
	case '\\':
		return "contains a backslash";
	case ' ':
	case '\t':
	case '\n':
	case '\r':
	case '\v':
	case '\f':
		return "contains whitespace";
	default:
		break;
	}
	if (c < 0x20 || c == 0x7f)
		return "contains a control character";
	if (c >= 0x80)
		return "contains a non-ASCII byte";
	return "contains a character outside A-Z a-z 0-9 _ . -";
}

const char *
bn_name_check(const char *s, size_t len)
{
	size_t	i;

	if (s == NULL || len == 0)
		return "is empty";
	for (i = 0; i < len; i++)
		if (!names_allowed((unsigned char)s[i]))
			return names_reason((unsigned char)s[i]);
	if (len > BN_NAME_MAX)
		return "is longer than 63 bytes";
	return NULL;
}

const char *
bn_name_check_str(const char *s)
{
	return bn_name_check(s, s == NULL ? 0 : strlen(s));
}

const char *
bn_name_path_check(const char *s, size_t len)
{
	const char	*why, *comma;
	size_t		 n;

	if (s == NULL || len == 0)
		return "is empty";
	if (len == 1 && s[0] == ',')
		return NULL;
	if (s[0] == ',') {
		s++;
		len--;
	}
	if (len > 0 && s[len - 1] == ',')
		len--;
	for (;;) {
		comma = memchr(s, ',', len);
		n = comma != NULL ? (size_t)(comma - s) : len;
		if (n == 0)
			return "has an empty element";
		if ((why = bn_name_check(s, n)) != NULL)
			return why;
		if (comma == NULL)
			return NULL;
		s += n + 1;
		len -= n + 1;
	}
}
