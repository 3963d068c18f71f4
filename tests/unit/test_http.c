/*
 * test_http — CONTENT_LENGTH and CONTENT_TYPE (common/http.c; README
 * "Decisions": Content-Length is decimal digits only, missing or empty
 * is no body, above the limit is 413 before a byte is read; protocol §1:
 * application/json with or without parameters, or no type), as tables.
 */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "tap.h"

static void
test_length(void)
{
	static const struct {
		const char	*s;
		int		 ok, big;
		size_t		 v;
	} t[] = {
		{ NULL, 1, 0, 0 },
		{ "", 1, 0, 0 },
		{ "0", 1, 0, 0 },
		{ "1", 1, 0, 1 },
		{ "0001024", 1, 0, 1024 },
		{ "1048576", 1, 0, 1048576 },
		{ "1048577", 1, 1, 0 },
		{ "99999999999999999999999999", 1, 1, 0 },
		{ "-1", 0, 0, 0 },
		{ "+1", 0, 0, 0 },
		{ " 1", 0, 0, 0 },
		{ "1 ", 0, 0, 0 },
		{ "1e3", 0, 0, 0 },
		{ "0x10", 0, 0, 0 },
		{ "10, 10", 0, 0, 0 },
		{ "99999999999999999999x", 0, 0, 0 },
	};
	size_t i, v;
	int big, r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r = http_content_length(t[i].s, 1048576, &v, &big);
		ok(r == t[i].ok && (!r || (big == t[i].big &&
		    (big || v == t[i].v))), "Content-Length '%s': %s%s",
		    t[i].s ? t[i].s : "(absent)", t[i].ok ? "valid" : "refused",
		    t[i].big ? ", too large" : "");
	}
}

static void
test_type(void)
{
	static const struct {
		const char	*s;
		int		 ok;
	} t[] = {
		{ NULL, 1 },
		{ "", 1 },
		{ "  ", 1 },
		{ "application/json", 1 },
		{ "APPLICATION/Json", 1 },
		{ "application/json; charset=utf-8", 1 },
		{ "application/json;charset=UTF-8", 1 },
		{ " application/json ", 1 },
		{ "application/json\t; x=y", 1 },
		{ "application/jsonx", 0 },
		{ "application/json-patch+json", 0 },
		{ "text/json", 0 },
		{ "text/plain", 0 },
		{ "application/x-www-form-urlencoded", 0 },
		{ "application/json x", 0 },
		{ "application", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(http_json_media_type(t[i].s) == t[i].ok,
		    "Content-Type '%s': %s", t[i].s ? t[i].s : "(absent)",
		    t[i].ok ? "JSON" : "refused");
}

int
main(void)
{
	test_length();
	test_type();
	return tap_done();
}
