/*
 * What tests/unit/test_config.c (the model: defaults, every attribute),
 * test_config_errors.c (every error with its line) and test_config_load.c
 * (XML forms, lines, encodings, files) share: the lines most test documents
 * start and end with, and the loader run on a string with its error in
 * errbuf.
 */
#ifndef CONFIG_FIXTURE_H
#define CONFIG_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "brokernet/config.h"
#include "brokernet/util.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Lines 1 and 2 of most test documents. */
#define HEAD	"<brokernet name=\"A\">\n" \
		"<broker uri=\"stomp://127.0.0.1:61613\"/>\n"
#define TAIL	"</brokernet>\n"

static char	errbuf[1024];

static inline struct bn_config *
load(const char *xml)
{
	errbuf[0] = '\0';
	return bn_config_load_string(xml, strlen(xml), "t.xml", errbuf,
	    sizeof(errbuf));
}

static inline struct bn_config *
load_ok(const char *xml)
{
	struct bn_config	*c;

	if ((c = load(xml)) == NULL)
		fail_msg("rejected: %s\n%s", errbuf, xml);
	return c;
}

#endif /* CONFIG_FIXTURE_H */
