/*
 * test_params — the store's field parameters (params.h), which the worker
 * binds and the database module returns (workhooks.fields()): one per
 * scalar row in the table's order, NULL when absent, date-times in UTC to
 * the microsecond, numbers as sent, objects and lists left out, an
 * integer beyond 64 bits refused naming the field.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "params.h"
#include "serve.h"
#include "tap.h"

static const struct field table[] = {
	{ .key = "id", .type = FT_ID, .required = REQUIRED },
	{ .key = "obj", .type = FT_OBJECT },
	{ .key = "at", .type = FT_DATETIME },
	{ .key = "day", .type = FT_DATE },
	{ .key = "rate", .type = FT_NUMSTR },
	{ .key = "list", .type = FT_LIST },
	{ .key = "note", .type = FT_STRING },
	{ .key = "any", .type = FT_ANY },
	{ .key = NULL }
};

/* Validate body against table; the parameters joined by '|' ("~": NULL). */
static enum status
params_of(const char *body, char *out, size_t size, struct request *req)
{
	const char *vals[VALID_MAX_FIELDS];
	char times[VALID_MAX_FIELDS][PARAMS_TIME_MAX];
	struct verror e;
	const char *why;
	enum status st;
	int i, n;
	size_t k = 0;

	memset(req, 0, sizeof(*req));
	out[0] = '\0';
	if (json_parse_strict(body, strlen(body), &req->root, &why) != ST_OK ||
	    valid_fields(req->root, table, req->vals, &e) != ST_OK) {
		json_object_put(req->root);
		return ST__MAX;
	}
	st = params_fields(req, table, vals, times);
	n = params_count(table);
	for (i = 0; st == ST_OK && i < n; i++)
		k += (size_t)snprintf(out + k, size - k, "%s%s", i ? "|" : "",
		    vals[i] != NULL ? vals[i] : "~");
	json_object_put(req->root);
	return st;
}

int
main(void)
{
	struct request req;
	char got[512];
	enum status st;

	ok(params_count(table) == 5, "five scalar rows of eight give five parameters");
	ok(params_count(NULL) == 0, "no table, no parameters");

	st = params_of("{\"id\":\"a1\",\"obj\":{},\"at\":\"2020-01-31T09:00:00.5+01:00\","
	    "\"day\":\"2024-02-29\",\"rate\":12.50,\"list\":[],\"note\":\"n\",\"any\":1}",
	    got, sizeof(got), &req);
	ok(st == ST_OK, "a full body gives its parameters");
	ok_str(got, "a1|2020-01-31T08:00:00.500000Z|2024-02-29|12.50|n",
	    "in the table's order: the date-time in UTC to the microsecond, "
	    "the number as sent, objects and lists left out");

	st = params_of("{\"id\":\"a2\",\"rate\":\"7\"}", got, sizeof(got), &req);
	ok(st == ST_OK && strcmp(got, "a2|~|~|7|~") == 0,
	    "absent rows are NULL; a numeric string is passed as its text (%s)", got);

	st = params_of("{\"id\":\"a3\",\"at\":null,\"rate\":-3e2}", got, sizeof(got), &req);
	ok(st == ST_OK && strcmp(got, "a3|~|~|-3e2|~") == 0,
	    "null is absent; an exponent is kept as sent (%s)", got);

	st = params_of("{\"id\":\"a4\",\"rate\":123456789012345678901234}", got,
	    sizeof(got), &req);
	ok(st == ST_BAD_REQUEST && req.field != NULL &&
	    strcmp(req.field, "rate") == 0 && req.detail != NULL &&
	    strcmp(req.detail, "integer beyond 64 bits") == 0,
	    "an integer beyond 64 bits is refused, naming the field");

	memset(&req, 0, sizeof(req));
	ok(serve_fail(&req, ST_BAD_REQUEST, "invalid field", "x", "why") ==
	    ST_BAD_REQUEST && req.st == ST_BAD_REQUEST &&
	    strcmp(req.field, "x") == 0, "serve_fail() records the failure");
	return tap_done();
}
