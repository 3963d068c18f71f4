/* params — the store's field parameters, shared by serve.c and pg/. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "params.h"
#include "serve.h"

enum status
serve_fail(struct request *req, enum status st, const char *reason,
    const char *field, const char *detail)
{
	req->st = st;
	req->reason = reason;
	req->field = field;
	req->detail = detail;
	return st;
}

void
params_utc(char *buf, size_t size, const struct wtime *t)
{
	struct tm tm;
	time_t sec = (time_t)t->sec;
	size_t n;

	gmtime_r(&sec, &tm);
	/* strftime, then the microseconds: no truncation warning. */
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06uZ", (unsigned)t->usec % 1000000u);
}

/*
 * Rows passed as parameters: scalars.  Objects, arrays and any-values are
 * not (json-c would write back an integer beyond 64 bits clamped): a
 * store that reads them takes them from the raw body, parsed once.
 */
int
params_scalar(enum ftype t)
{
	switch (t) {
	case FT_STRING:
	case FT_ID:
	case FT_DATETIME:
	case FT_DATE:
	case FT_ENUM:
	case FT_EMAIL:
	case FT_NUMSTR:
		return 1;
	default:
		return 0;
	}
}

int
params_count(const struct field *fields)
{
	int i, n = 0;

	if (fields != NULL)
		for (i = 0; i < VALID_MAX_FIELDS && fields[i].key != NULL; i++)
			if (params_scalar(fields[i].type))
				n++;
	return n;
}

enum status
params_fields(struct request *req, const struct field *fields,
    const char **out, char times[][PARAMS_TIME_MAX])
{
	const struct value *v;
	int i, k;

	for (i = 0, k = 0; fields != NULL && i < VALID_MAX_FIELDS &&
	    fields[i].key != NULL; i++) {
		if (!params_scalar(fields[i].type))
			continue;
		v = &req->vals[i];
		out[k] = NULL;
		if (v->present && v->json != NULL)
			switch (fields[i].type) {
			case FT_DATETIME:
				params_utc(times[i], PARAMS_TIME_MAX, &v->t);
				out[k] = times[i];
				break;
			case FT_NUMSTR:
				if (json_object_is_type(v->json, json_type_string)) {
					out[k] = v->s;
					break;
				}
				/*
				 * json-c keeps a fraction's text but clamps an
				 * integer beyond 64 bits to the bound: refuse
				 * what would be stored wrong.
				 */
				if (json_object_is_type(v->json, json_type_int) &&
				    (json_object_get_int64(v->json) == INT64_MAX ||
				    json_object_get_int64(v->json) == INT64_MIN))
					return serve_fail(req, ST_BAD_REQUEST,
					    "invalid field", fields[i].key,
					    "integer beyond 64 bits");
				out[k] = json_object_to_json_string_ext(v->json,
				    JSON_C_TO_STRING_PLAIN);
				break;
			default:	/* strings, ids, enums, emails, dates */
				out[k] = v->s;
				break;
			}
		k++;
	}
	return ST_OK;
}
