/*
 * libFuzzer harness for brokernetctl (tools/brokernetctl.c): what a
 * sidecar answers on /status is not trusted. The input is two /status
 * samples separated by the first NUL (the second may be absent); each is
 * parsed with jansson and, when it is an object, rendered as text (to
 * /dev/null) and as the merged JSON document, which must serialise. The
 * input as a URL goes through the URL parser too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define main brokernetctl_main
#include "../../tools/brokernetctl.c"
#undef main

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	return 0;
}

static json_t *
fuzz_load(const uint8_t *data, size_t len)
{
	json_t	*js = json_loadb((const char *)data, len, 0, NULL);

	if (js != NULL && !json_is_object(js)) {
		json_decref(js);
		js = NULL;
	}
	return js;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sidecar	 sc, u;
	const uint8_t	*nul = memchr(data, '\0', size);
	size_t		 n1 = nul ? (size_t)(nul - data) : size;
	json_t		*doc;
	char		*s, *url;

	memset(&sc, 0, sizeof(sc));
	sc.arg = "fuzz";
	sc.base = "http://127.0.0.1:1";
	sc.first = fuzz_load(data, n1);
	sc.last = nul ? fuzz_load(nul + 1, size - n1 - 1) :
	    json_incref(sc.first);
	sc.t_first = 1000;
	sc.t_last = 2000;
	if (sc.last == NULL)
		snprintf(sc.error, sizeof(sc.error), "unreachable");
	print_sidecar(&sc, 1796208000000ULL);
	doc = json_sidecar(&sc);
	if ((s = json_dumps(doc, JSON_COMPACT)) == NULL)
		abort();
	free(s);
	json_decref(doc);
	json_decref(sc.first);
	json_decref(sc.last);

	url = xstrndup((const char *)data, n1);
	memset(&u, 0, sizeof(u));
	if (ctl_parse_url(&u, url) == 0 && (u.host == NULL ||
	    u.port == NULL || u.path == NULL || u.base == NULL ||
	    u.path[0] != '/'))
		abort();
	free(u.host);
	free(u.port);
	free(u.path);
	free(u.base);
	free(url);
	return 0;
}
