/*
 * JSON output through jansson (see include/brokernet/jsonout.h): the
 * helpers that make out of memory fatal and invalid UTF-8 a '?'.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "brokernet/jsonout.h"
#include "brokernet/log.h"
#include "brokernet/util.h"

static void
jsonout_oom(void)
{
	fatalx("json: out of memory building JSON");
}

/* What a jansson constructor made; its NULL (out of memory) is fatal. */
static json_t *
jsonout_made(json_t *j)
{
	if (j == NULL)
		jsonout_oom();
	return j;
}

/*
 * A copy of s with every byte >= 0x80 a '?'. jansson refuses invalid
 * UTF-8, which a broker may hand us in a queue name; this way the value
 * (or key) is still there, recognisably.
 */
static char *
jsonout_ascii(const char *s)
{
	char	*copy, *p;

	copy = xstrdup(s);
	for (p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	return copy;
}

json_t *
bn_json_str(const char *s)
{
	json_t	*j;
	char	*copy;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	copy = jsonout_ascii(s);
	j = json_string(copy);
	free(copy);
	return jsonout_made(j);
}

json_t *
bn_json_u64(uint64_t v)
{
	return jsonout_made(json_integer(v > INT64_MAX ? INT64_MAX :
	    (json_int_t)v));
}

json_t *
bn_json_obj(void)
{
	return jsonout_made(json_object());
}

json_t *
bn_json_arr(void)
{
	return jsonout_made(json_array());
}

/* Keys may be queue names: the same '?' as bn_json_str's values. */
void
bn_json_set(json_t *o, const char *k, json_t *v)
{
	json_t	*ks;
	char	*copy = NULL;
	int	 rc;

	jsonout_made(v);
	if ((ks = json_string(k)) == NULL)
		k = copy = jsonout_ascii(k);
	json_decref(ks);
	rc = json_object_set_new(o, k, v);
	free(copy);
	if (rc == -1)
		jsonout_oom();
}

void
bn_json_append(json_t *a, json_t *v)
{
	if (json_array_append_new(a, jsonout_made(v)) == -1)
		jsonout_oom();
}
