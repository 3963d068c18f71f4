/* valid — table-driven payload validation. */
#include <string.h>

#include "json.h"
#include "valid.h"

struct json_object *
valid_path(struct json_object *root, const char *path)
{
	char key[128];
	const char *dot;
	size_t n;

	while (root != NULL && (dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		root = json_member(root, key);
		path = dot + 1;
	}
	return json_member(root, path);
}

int
valid_email(const char *s, size_t len)
{
	const char *at;
	size_t i;

	if (len < 3 || len > 254 || (at = memchr(s, '@', len)) == NULL)
		return 0;
	if (at == s || at == s + len - 1 ||
	    memchr(at + 1, '@', len - (size_t)(at - s) - 1) != NULL)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
bounded(const struct field *f, const char *s, size_t len)
{
	size_t n = json_utf8_chars(s, len);

	return n >= f->min && (f->max == 0 || n <= f->max);
}

static int
numeric(const char *s, size_t len)
{
	size_t i = 0, d = 0;

	if (i < len && s[i] == '-')
		i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		d++;
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			d++;
	return d > 0 && i == len && len <= 64;
}

/* Check one row; NULL if fine, else the detail. */
static const char *
check(const struct field *f, struct json_object *j, struct value *v)
{
	enum json_type t = json_object_get_type(j);
	const char *const *c;
	size_t i, n;

	v->json = j;
	if (t == json_type_string) {
		v->s = json_object_get_string(j);
		v->len = (size_t)json_object_get_string_len(j);
	}
	switch (f->type) {
	case FT_STRING:
		if (t != json_type_string)
			return "must be a string";
		if (!bounded(f, v->s, v->len))
			return f->min > 0 && v->len == 0 ?
			    "must not be empty" : "string length out of bounds";
		return NULL;
	case FT_ID:
		if (t != json_type_string)
			return "must be a string";
		n = json_utf8_chars(v->s, v->len);
		if (n < 1 || n > 128)
			return "must be 1-128 characters";
		return NULL;
	case FT_DATETIME:
		if (t != json_type_string)
			return "must be a string";
		if (!wtime_parse(v->s, v->len, 0, &v->t))
			return "not an ISO 8601 date-time";
		return NULL;
	case FT_DATE: {
		int y, m, d;

		if (t != json_type_string)
			return "must be a string";
		if (!wtime_parse_date(v->s, v->len, &y, &m, &d))
			return "not a YYYY-MM-DD date";
		return NULL;
	}
	case FT_ENUM:
		if (t != json_type_string)
			return "must be a string";
		for (c = f->choices; c != NULL && *c != NULL; c++)
			if (strlen(*c) == v->len && memcmp(*c, v->s, v->len) == 0)
				return NULL;
		return "not an allowed value";
	case FT_EMAIL:
		if (t != json_type_string)
			return "must be a string";
		if (!valid_email(v->s, v->len))
			return "not an email address";
		return NULL;
	case FT_STRINGS:
		if (t != json_type_array)
			return "must be an array of strings";
		n = json_object_array_length(j);
		if (n < f->min || (f->max > 0 && n > f->max))
			return "number of items out of bounds";
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(j, i);

			if (!json_object_is_type(e, json_type_string))
				return "must be an array of strings";
			if (f->item_max > 0 &&
			    json_utf8_chars(json_object_get_string(e),
			    (size_t)json_object_get_string_len(e)) > f->item_max)
				return "item too long";
		}
		return NULL;
	case FT_OBJECT:
		return t == json_type_object ? NULL : "must be an object";
	case FT_ARRAY:
		return t == json_type_array ? NULL : "must be an array";
	case FT_LIST:
		if (t == json_type_object &&
		    json_object_object_length(j) == 0)
			return NULL;
		return t == json_type_array ? NULL : "must be an array";
	case FT_NUMSTR:
		if (t == json_type_int || t == json_type_double)
			return NULL;
		if (t == json_type_string && numeric(v->s, v->len))
			return NULL;
		return "must be a decimal number or numeric string";
	case FT_ANY:
		return NULL;
	}
	return "unknown field type";
}

enum status
valid_fields(struct json_object *root, const struct field *fields,
    struct value *vals, struct verror *err)
{
	const struct field *f;
	struct json_object *j;
	size_t i;
	const char *why;

	for (i = 0, f = fields; f != NULL && f->key != NULL; f++, i++) {
		if (i == VALID_MAX_FIELDS) {
			err->field = f->key;
			err->detail = "too many fields in the table";
			return ST_INTERNAL;
		}
		memset(&vals[i], 0, sizeof(vals[i]));
		if ((j = valid_path(root, f->key)) == NULL) {
			if (!f->required)
				continue;
			err->field = f->key;
			err->detail = "required";
			return ST_BAD_REQUEST;
		}
		if ((why = check(f, j, &vals[i])) != NULL) {
			err->field = f->key;
			err->detail = why;
			return ST_BAD_REQUEST;
		}
		vals[i].present = 1;
	}
	return ST_OK;
}
