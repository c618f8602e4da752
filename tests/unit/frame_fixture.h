/*
 * What tests/unit/test_frame.c (the parser over tables of frames),
 * test_frame_stream.c (the parser on a stream: resuming, limits, need) and
 * test_frame_build.c (builder, serializer, escapes) share: the includes,
 * byte-string literals and a header as a name, value pair.
 */
#ifndef FRAME_FIXTURE_H
#define FRAME_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brokernet/frame.h"
#include "brokernet/util.h"

/* A string literal that may hold NULs, as (pointer, length). */
#define BYTES(s)	s, sizeof(s) - 1

struct hdr {
	const char	*name;
	const char	*value;
};

#endif /* FRAME_FIXTURE_H */
