/*
 * fuzz_http — CONTENT_LENGTH and CONTENT_TYPE (common/http.c) against
 * oracles written from README "Decisions" (Content-Length: missing or
 * empty is no body, only decimal digits, over the limit is 413 without
 * reading) and protocol §1 (application/json, any case, with or without
 * parameters, or no type).  Input: two bytes choosing the limit within
 * body_limit's range, then the header value (up to the first NUL).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#include "oracle.h"

/* Decimal string d (digits only) compared with v: -1, 0, 1. */
static int
cmp_decimal(const char *d, unsigned long v)
{
	char vs[32];
	size_t a, b;

	while (*d == '0' && d[1] != '\0')
		d++;
	snprintf(vs, sizeof(vs), "%lu", v);
	a = strlen(d);
	b = strlen(vs);
	if (a != b)
		return a < b ? -1 : 1;
	a = (size_t)strcmp(d, vs);
	return (int)a < 0 ? -1 : (int)a > 0;
}

static int
media_ok(const char *ct)
{
	size_t i = strspn(ct, " \t");

	if (ct[i] == '\0')
		return 1;
	if (!or_iprefix(ct + i, "application/json"))
		return 0;
	i += 16;
	i += strspn(ct + i, " \t");
	return ct[i] == '\0' || ct[i] == ';';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	long limit;
	size_t out = 7, n;
	int big = 7, ok, digits;

	if (size < 2)
		return 0;
	limit = 1024 + (long)((data[0] << 8 | data[1]) * 1024L) %
	    (64L * 1024 * 1024 - 1024 + 1);
	n = size - 2;
	if ((s = malloc(n + 1)) == NULL)
		return 0;
	memcpy(s, data + 2, n);
	s[n] = '\0';

	ok = http_content_length(s, limit, &out, &big);
	digits = strspn(s, "0123456789") == strlen(s);
	if (ok != digits)
		abort();
	if (ok) {
		if (*s == '\0') {
			if (out != 0 || big != 0)
				abort();
		} else {
			int c = cmp_decimal(s, (unsigned long)limit);

			if (big != (c > 0))
				abort();
			if (!big && out != strtoul(s, NULL, 10))
				abort();
		}
	}
	if (http_content_length(NULL, limit, &out, &big) != 1 || out != 0 ||
	    big != 0)
		abort();

	if (http_json_media_type(s) != media_ok(s))
		abort();
	if (http_json_media_type(NULL) != 1)
		abort();
	free(s);
	return 0;
}
