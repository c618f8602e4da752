/*
 * JSON output through jansson (jsonout.c): the values every part of
 * /status is built from, whichever module owns that part. Out of memory is
 * fatal, as in xmalloc, so no caller checks; a string (or key) that is not
 * valid UTF-8, such as a queue name a broker handed us, keeps its place
 * with '?' for each byte >= 0x80 instead of going missing. No I/O.
 *
 * The values are jansson's json_t (struct json_t): what a function returns
 * belongs to the caller until bn_json_set or bn_json_append takes it, and
 * the caller json_decref()s the root.
 */
#ifndef BN_JSONOUT_H
#define BN_JSONOUT_H

#include <stdint.h>

struct json_t;

/* A string; JSON null for NULL. Never NULL. */
struct json_t	*bn_json_str(const char *);
/* A counter. JSON integers here are int64_t: above INT64_MAX it is
 * INT64_MAX. Never NULL. */
struct json_t	*bn_json_u64(uint64_t);
/* A new empty object, array. Never NULL. */
struct json_t	*bn_json_obj(void);
struct json_t	*bn_json_arr(void);
/*
 * o[k] = v, taking v. v may come straight from a jansson constructor
 * (json_integer, json_boolean): NULL there was out of memory, fatal here.
 */
void		 bn_json_set(struct json_t *o, const char *k, struct json_t *v);
/* Appends v to the array a, taking v; NULL as for bn_json_set. */
void		 bn_json_append(struct json_t *a, struct json_t *v);

#endif /* BN_JSONOUT_H */
