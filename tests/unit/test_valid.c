/*
 * test_valid — validation tables (valid.h): for every field type a good
 * input and its bad twin, with the field and detail of the 400; dotted
 * paths, required vs optional, null means absent (protocol §1), lengths in
 * characters, not bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"
#include "valid.h"

static const char *const responses[] = { "accepted", "rejected", NULL };
static const char *const none[] = { NULL };

struct vcase {
	const char	*body;
	struct field	 f;
	const char	*detail;	/* NULL: accepted; "" absent (optional) */
};

#define OKV	NULL
#define ABSENT	""

/* Parse body strictly and check it against the one row f. */
static enum status
check1(const char *body, const struct field *f, struct value *v,
    struct verror *e)
{
	struct field tab[2];
	struct json_object *root;
	const char *why;
	enum status st;

	memset(tab, 0, sizeof(tab));
	tab[0] = *f;
	if (json_parse_strict(body, strlen(body), &root, &why) != ST_OK) {
		diag("fixture is not JSON (%s): %s", why, body);
		return ST__MAX;
	}
	e->field = e->detail = NULL;
	st = valid_fields(root, tab, v, e);
	json_object_put(root);	/* v's borrowed pointers die here */
	v->json = NULL;
	v->s = NULL;
	return st;
}

static const char *
tname(enum ftype t)
{
	static const char *const n[] = { "FT_STRING", "FT_ID", "FT_DATETIME",
	    "FT_DATE", "FT_ENUM", "FT_EMAIL", "FT_STRINGS", "FT_OBJECT",
	    "FT_ARRAY", "FT_LIST", "FT_NUMSTR", "FT_ANY" };

	return (unsigned)t < sizeof(n) / sizeof(n[0]) ? n[t] : "?";
}

static void
run(const struct vcase *c, size_t n)
{
	struct value v;
	struct verror e;
	enum status st;
	size_t i;
	char shown[72];

	for (i = 0; i < n; i++) {
		snprintf(shown, sizeof(shown), "%s", c[i].body);
		if (strlen(c[i].body) >= sizeof(shown))
			memcpy(shown + sizeof(shown) - 4, "...", 4);
		memset(&v, 0xA5, sizeof(v));
		st = check1(c[i].body, &c[i].f, &v, &e);
		if (c[i].detail == OKV)
			ok(st == ST_OK && v.present == 1, "%s %s %s: %s "
			    "accepted", tname(c[i].f.type), c[i].f.required ?
			    "required" : "optional", c[i].f.key, shown);
		else if (*c[i].detail == '\0')
			ok(st == ST_OK && v.present == 0, "%s optional %s: %s "
			    "is absent", tname(c[i].f.type), c[i].f.key, shown);
		else {
			ok(st == ST_BAD_REQUEST && e.field == c[i].f.key &&
			    e.detail != NULL &&
			    strcmp(e.detail, c[i].detail) == 0,
			    "%s %s: %s rejected, field %s, \"%s\"",
			    tname(c[i].f.type), c[i].f.key, shown, c[i].f.key,
			    c[i].detail);
			if (st == ST_BAD_REQUEST && e.detail != NULL &&
			    strcmp(e.detail, c[i].detail) != 0)
				diag("detail was \"%s\"", e.detail);
		}
	}
}

#define ROWS(a)	(sizeof(a) / sizeof((a)[0]))
#define R(key, type, req, min, max)	{ key, type, req, min, max, NULL, 0, 0 }

static void
test_types(void)
{
	static const struct vcase c[] = {
		/* FT_STRING: bounds in characters; max 0 is unbounded. */
		{ "{\"v\":\"abc\"}", R("v", FT_STRING, REQUIRED, 1, 3), OKV },
		{ "{\"v\":\"abcd\"}", R("v", FT_STRING, REQUIRED, 1, 3),
		    "string length out of bounds" },
		{ "{\"v\":\"\"}", R("v", FT_STRING, REQUIRED, 1, 3),
		    "must not be empty" },
		{ "{\"v\":\"\"}", R("v", FT_STRING, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"ab\"}", R("v", FT_STRING, REQUIRED, 3, 0),
		    "string length out of bounds" },
		{ "{\"v\":\"\\u00e9\\u00e9\\u00e9\"}",
		    R("v", FT_STRING, REQUIRED, 1, 3), OKV },
		{ "{\"v\":\"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\"}",
		    R("v", FT_STRING, REQUIRED, 1, 3), OKV },
		{ "{\"v\":\"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\"}",
		    R("v", FT_STRING, REQUIRED, 1, 3),
		    "string length out of bounds" },
		{ "{\"v\":3}", R("v", FT_STRING, REQUIRED, 0, 0),
		    "must be a string" },
		{ "{\"v\":true}", R("v", FT_STRING, REQUIRED, 0, 0),
		    "must be a string" },
		{ "{\"v\":[\"a\"]}", R("v", FT_STRING, REQUIRED, 0, 0),
		    "must be a string" },
		{ "{\"v\":{}}", R("v", FT_STRING, REQUIRED, 0, 0),
		    "must be a string" },

		/* FT_ID: 1-128 characters (protocol §1). */
		{ "{\"v\":\"a\"}", R("v", FT_ID, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"f81d4fae-7dec-11d0-a765-00a0c91e6bf6\"}",
		    R("v", FT_ID, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"Q29udHJhY3Q6MTIzNA==\"}",
		    R("v", FT_ID, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"\"}", R("v", FT_ID, REQUIRED, 0, 0),
		    "must be 1-128 characters" },
		{ "{\"v\":1234}", R("v", FT_ID, REQUIRED, 0, 0),
		    "must be a string" },
		{ "{\"v\":[]}", R("v", FT_ID, REQUIRED, 0, 0),
		    "must be a string" },

		/* FT_DATETIME: protocol §1, no minute-only form in payloads. */
		{ "{\"v\":\"2020-01-31T09:00:00+00:00\"}",
		    R("v", FT_DATETIME, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"2018-04-23T09:00:00.511Z\"}",
		    R("v", FT_DATETIME, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"2020-01-31\"}", R("v", FT_DATETIME, REQUIRED, 0, 0),
		    "not an ISO 8601 date-time" },
		{ "{\"v\":\"2018-11-26T10:55Z\"}",
		    R("v", FT_DATETIME, REQUIRED, 0, 0),
		    "not an ISO 8601 date-time" },
		{ "{\"v\":\"2020-02-30T09:00:00Z\"}",
		    R("v", FT_DATETIME, REQUIRED, 0, 0),
		    "not an ISO 8601 date-time" },
		{ "{\"v\":\"\"}", R("v", FT_DATETIME, REQUIRED, 0, 0),
		    "not an ISO 8601 date-time" },
		{ "{\"v\":1580461200}", R("v", FT_DATETIME, REQUIRED, 0, 0),
		    "must be a string" },

		/* FT_DATE: YYYY-MM-DD. */
		{ "{\"v\":\"2024-06-03\"}", R("v", FT_DATE, REQUIRED, 0, 0),
		    OKV },
		{ "{\"v\":\"2024-02-30\"}", R("v", FT_DATE, REQUIRED, 0, 0),
		    "not a YYYY-MM-DD date" },
		{ "{\"v\":\"2024-06-03T00:00:00Z\"}",
		    R("v", FT_DATE, REQUIRED, 0, 0), "not a YYYY-MM-DD date" },
		{ "{\"v\":\"03/06/2024\"}", R("v", FT_DATE, REQUIRED, 0, 0),
		    "not a YYYY-MM-DD date" },
		{ "{\"v\":20240603}", R("v", FT_DATE, REQUIRED, 0, 0),
		    "must be a string" },
		{ "{\"v\":null}", R("v", FT_DATE, OPTIONAL, 0, 0), ABSENT },

		/* FT_EMAIL: one '@', 3-254 bytes, no blanks or controls. */
		{ "{\"v\":\"fred@smith.com\"}", R("v", FT_EMAIL, REQUIRED, 0, 0),
		    OKV },
		{ "{\"v\":\"a@b\"}", R("v", FT_EMAIL, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"j\xc3\xb6rg@example.com\"}",
		    R("v", FT_EMAIL, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"fred.smith.com\"}",
		    R("v", FT_EMAIL, REQUIRED, 0, 0), "not an email address" },
		{ "{\"v\":\"@b\"}", R("v", FT_EMAIL, REQUIRED, 0, 0),
		    "not an email address" },
		{ "{\"v\":\"a@b@c\"}", R("v", FT_EMAIL, REQUIRED, 0, 0),
		    "not an email address" },
		{ "{\"v\":\"a b@c\"}", R("v", FT_EMAIL, REQUIRED, 0, 0),
		    "not an email address" },
		{ "{\"v\":\"\"}", R("v", FT_EMAIL, REQUIRED, 0, 0),
		    "not an email address" },
		{ "{\"v\":42}", R("v", FT_EMAIL, REQUIRED, 0, 0),
		    "must be a string" },

		/* FT_ENUM: exact, case-sensitive. */
		{ "{\"v\":\"accepted\"}", { "v", FT_ENUM, REQUIRED, 0, 0,
		    responses, 0, 0 }, OKV },
		{ "{\"v\":\"rejected\"}", { "v", FT_ENUM, REQUIRED, 0, 0,
		    responses, 0, 0 }, OKV },
		{ "{\"v\":\"Accepted\"}", { "v", FT_ENUM, REQUIRED, 0, 0,
		    responses, 0, 0 }, "not an allowed value" },
		{ "{\"v\":\"accept\"}", { "v", FT_ENUM, REQUIRED, 0, 0,
		    responses, 0, 0 }, "not an allowed value" },
		{ "{\"v\":\"acceptedx\"}", { "v", FT_ENUM, REQUIRED, 0, 0,
		    responses, 0, 0 }, "not an allowed value" },
		{ "{\"v\":\"accepted \"}", { "v", FT_ENUM, REQUIRED, 0, 0,
		    responses, 0, 0 }, "not an allowed value" },
		{ "{\"v\":\"\"}", { "v", FT_ENUM, REQUIRED, 0, 0,
		    responses, 0, 0 }, "not an allowed value" },
		{ "{\"v\":true}", { "v", FT_ENUM, REQUIRED, 0, 0,
		    responses, 0, 0 }, "must be a string" },
		{ "{\"v\":\"accepted\"}", { "v", FT_ENUM, REQUIRED, 0, 0,
		    none, 0, 0 }, "not an allowed value" },
		{ "{\"v\":\"accepted\"}", { "v", FT_ENUM, REQUIRED, 0, 0,
		    NULL, 0, 0 }, "not an allowed value" },

		/* FT_STRINGS: item count and item length in characters. */
		{ "{\"v\":[\"a\"]}", { "v", FT_STRINGS, REQUIRED, 1, 3, NULL,
		    5, 0 }, OKV },
		{ "{\"v\":[\"a\",\"b\",\"c\"]}", { "v", FT_STRINGS, REQUIRED,
		    1, 3, NULL, 5, 0 }, OKV },
		{ "{\"v\":[]}", { "v", FT_STRINGS, REQUIRED, 1, 3, NULL, 5, 0 },
		    "number of items out of bounds" },
		{ "{\"v\":[\"a\",\"b\",\"c\",\"d\"]}", { "v", FT_STRINGS,
		    REQUIRED, 1, 3, NULL, 5, 0 }, "number of items out of bounds" },
		{ "{\"v\":[]}", { "v", FT_STRINGS, REQUIRED, 0, 0, NULL, 0, 0 },
		    OKV },
		{ "{\"v\":[\"abcde\"]}", { "v", FT_STRINGS, REQUIRED, 1, 3,
		    NULL, 5, 0 }, OKV },
		{ "{\"v\":[\"abcdef\"]}", { "v", FT_STRINGS, REQUIRED, 1, 3,
		    NULL, 5, 0 }, "item too long" },
		{ "{\"v\":[\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"]}",
		    { "v", FT_STRINGS, REQUIRED, 1, 3, NULL, 5, 0 }, OKV },
		{ "{\"v\":[\"a\",\"abcdef\"]}", { "v", FT_STRINGS, REQUIRED,
		    1, 3, NULL, 5, 0 }, "item too long" },
		{ "{\"v\":[\"abcdefghij\"]}", { "v", FT_STRINGS, REQUIRED, 1,
		    3, NULL, 0, 0 }, OKV },
		{ "{\"v\":[\"a\",1]}", { "v", FT_STRINGS, REQUIRED, 1, 3, NULL,
		    5, 0 }, "must be an array of strings" },
		{ "{\"v\":[null]}", { "v", FT_STRINGS, REQUIRED, 1, 3, NULL,
		    5, 0 }, "must be an array of strings" },
		{ "{\"v\":[[\"a\"]]}", { "v", FT_STRINGS, REQUIRED, 1, 3, NULL,
		    5, 0 }, "must be an array of strings" },
		{ "{\"v\":\"a\"}", { "v", FT_STRINGS, REQUIRED, 1, 3, NULL,
		    5, 0 }, "must be an array of strings" },
		{ "{\"v\":{\"0\":\"a\"}}", { "v", FT_STRINGS, REQUIRED, 1, 3,
		    NULL, 5, 0 }, "must be an array of strings" },

		/* FT_OBJECT, FT_ARRAY. */
		{ "{\"v\":{}}", R("v", FT_OBJECT, REQUIRED, 0, 0), OKV },
		{ "{\"v\":{\"a\":1}}", R("v", FT_OBJECT, REQUIRED, 0, 0), OKV },
		{ "{\"v\":[]}", R("v", FT_OBJECT, REQUIRED, 0, 0),
		    "must be an object" },
		{ "{\"v\":\"{}\"}", R("v", FT_OBJECT, REQUIRED, 0, 0),
		    "must be an object" },
		{ "{\"v\":[]}", R("v", FT_ARRAY, REQUIRED, 0, 0), OKV },
		{ "{\"v\":[1,\"a\",null]}", R("v", FT_ARRAY, REQUIRED, 0, 0),
		    OKV },
		{ "{\"v\":{}}", R("v", FT_ARRAY, REQUIRED, 0, 0),
		    "must be an array" },
		{ "{\"v\":\"[]\"}", R("v", FT_ARRAY, REQUIRED, 0, 0),
		    "must be an array" },

		/* FT_LIST: an array, or PHP's "{}" for an empty one. */
		{ "{\"v\":[]}", R("v", FT_LIST, REQUIRED, 0, 0), OKV },
		{ "{\"v\":[{\"id\":\"x\"}]}", R("v", FT_LIST, REQUIRED, 0, 0),
		    OKV },
		{ "{\"v\":{}}", R("v", FT_LIST, REQUIRED, 0, 0), OKV },
		{ "{\"v\":{\"a\":1}}", R("v", FT_LIST, REQUIRED, 0, 0),
		    "must be an array" },
		{ "{\"v\":\"\"}", R("v", FT_LIST, REQUIRED, 0, 0),
		    "must be an array" },
		{ "{\"v\":0}", R("v", FT_LIST, REQUIRED, 0, 0),
		    "must be an array" },

		/*
		 * FT_NUMSTR: any JSON number, or a plain decimal string
		 * (sign, digits, optional point): what PostgreSQL's numeric
		 * takes, less exponents, NaN and Infinity.
		 */
		{ "{\"v\":450}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":450.5}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":-3}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":1e5}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"550\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"55.00\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"-1.5\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"0\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"0.5\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"55.\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\".5\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"1e5\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"abc\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"1.2.3\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"-\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\".\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"+1\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\" 1\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"1 \"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"1,5\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"NaN\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"Infinity\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"0x10\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":\"--1\"}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":true}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":[1]}", R("v", FT_NUMSTR, REQUIRED, 0, 0),
		    "must be a decimal number or numeric string" },
		{ "{\"v\":null}", R("v", FT_NUMSTR, OPTIONAL, 0, 0), ABSENT },

		/* FT_ANY: any value; null is still absent. */
		{ "{\"v\":0}", R("v", FT_ANY, REQUIRED, 0, 0), OKV },
		{ "{\"v\":false}", R("v", FT_ANY, REQUIRED, 0, 0), OKV },
		{ "{\"v\":\"\"}", R("v", FT_ANY, REQUIRED, 0, 0), OKV },
		{ "{\"v\":[]}", R("v", FT_ANY, REQUIRED, 0, 0), OKV },
		{ "{\"v\":{}}", R("v", FT_ANY, REQUIRED, 0, 0), OKV },
		{ "{\"v\":null}", R("v", FT_ANY, REQUIRED, 0, 0), "required" },
		{ "{\"v\":null}", R("v", FT_ANY, OPTIONAL, 0, 0), ABSENT },
	};

	run(c, ROWS(c));
}

/* Required vs optional, null, dotted paths. */
static void
test_presence(void)
{
	static const struct vcase c[] = {
		{ "{}", R("v", FT_STRING, REQUIRED, 0, 0), "required" },
		{ "{}", R("v", FT_STRING, OPTIONAL, 0, 0), ABSENT },
		{ "{\"v\":null}", R("v", FT_STRING, REQUIRED, 0, 0),
		    "required" },
		{ "{\"v\":null}", R("v", FT_STRING, OPTIONAL, 0, 0), ABSENT },
		{ "{\"v\":null}", R("v", FT_ID, REQUIRED, 0, 0), "required" },
		{ "{\"v\":null}", R("v", FT_ID, OPTIONAL, 0, 0), ABSENT },
		{ "{\"V\":\"x\"}", R("v", FT_STRING, REQUIRED, 0, 0),
		    "required" },
		{ "[\"v\"]", R("v", FT_STRING, REQUIRED, 0, 0), "required" },
		{ "\"v\"", R("v", FT_STRING, OPTIONAL, 0, 0), ABSENT },
		/* Dotted paths. */
		{ "{\"data\":{\"contract\":{\"id\":\"x\"}}}",
		    R("data.contract.id", FT_ID, REQUIRED, 0, 0), OKV },
		{ "{\"data\":{\"contract\":{}}}",
		    R("data.contract.id", FT_ID, REQUIRED, 0, 0), "required" },
		{ "{\"data\":{}}",
		    R("data.contract.id", FT_ID, REQUIRED, 0, 0), "required" },
		{ "{}", R("data.contract.id", FT_ID, REQUIRED, 0, 0),
		    "required" },
		{ "{\"data\":{}}",
		    R("data.contract.id", FT_ID, OPTIONAL, 0, 0), ABSENT },
		{ "{\"data\":null}",
		    R("data.contract.id", FT_ID, OPTIONAL, 0, 0), ABSENT },
		{ "{\"data\":{\"contract\":null}}",
		    R("data.contract.id", FT_ID, REQUIRED, 0, 0), "required" },
		{ "{\"data\":{\"contract\":\"id\"}}",
		    R("data.contract.id", FT_ID, REQUIRED, 0, 0), "required" },
		{ "{\"data\":[{\"id\":\"x\"}]}",
		    R("data.0.id", FT_ID, REQUIRED, 0, 0), "required" },
		{ "{\"data\":{\"contract\":{\"id\":\"x\"}}}",
		    R("data.contract", FT_OBJECT, REQUIRED, 0, 0), OKV },
		{ "{\"data\":{\"contract\":{\"id\":\"x\"}}}",
		    R("data", FT_OBJECT, REQUIRED, 0, 0), OKV },
		{ "{\"data.contract\":\"x\"}",
		    R("data.contract", FT_STRING, REQUIRED, 0, 0), "required" },
		{ "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":\"deep\"}}}}}",
		    R("a.b.c.d.e", FT_STRING, REQUIRED, 0, 0), OKV },
	};

	run(c, ROWS(c));
}

/* A string value of n copies of unit, as {"v":"..."}. */
static char *
repeat(const char *unit, size_t n)
{
	size_t u = strlen(unit), i;
	char *s = malloc(u * n + 16), *p;

	if (s == NULL)
		abort();
	memcpy(s, "{\"v\":\"", 6);
	p = s + 6;
	for (i = 0; i < n; i++, p += u)
		memcpy(p, unit, u);
	memcpy(p, "\"}", 3);
	return s;
}

/* An array of n strings "x" (each of len characters). */
static char *
items(size_t n, size_t len)
{
	char *s = malloc(n * (len + 3) + 16), *p;
	size_t i;

	if (s == NULL)
		abort();
	memcpy(s, "{\"v\":[", 6);
	p = s + 6;
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		memset(p, 'x', len);
		p += len;
		*p++ = '"';
	}
	memcpy(p, "]}", 3);
	return s;
}

static void
test_bounds(void)
{
	static const struct field id = R("v", FT_ID, REQUIRED, 0, 0);
	static const struct field em = R("v", FT_EMAIL, REQUIRED, 0, 0);
	/* protocol §2.3: 1-50 emails, each at most 254 characters. */
	static const struct field emails = { "v", FT_STRINGS, REQUIRED, 1, 50,
	    NULL, 254, 0 };
	static const struct {
		const char	*unit;
		size_t		 n;
		const struct field *f;
		const char	*detail;
		const char	*what;
	} t[] = {
		{ "a", 1, &id, OKV, "FT_ID 1 character" },
		{ "a", 128, &id, OKV, "FT_ID 128 characters" },
		{ "a", 129, &id, "must be 1-128 characters",
		    "FT_ID 129 characters" },
		{ "\xc3\xa9", 128, &id, OKV,
		    "FT_ID 128 two-byte characters (256 bytes)" },
		{ "\xc3\xa9", 129, &id, "must be 1-128 characters",
		    "FT_ID 129 two-byte characters" },
		{ "\xf0\x9f\x98\x80", 128, &id, OKV,
		    "FT_ID 128 four-byte characters (512 bytes)" },
		{ "\\u00e9", 128, &id, OKV,
		    "FT_ID 128 \\u00e9 escapes (decoded: 128 characters)" },
		{ "\\u00e9", 129, &id, "must be 1-128 characters",
		    "FT_ID 129 \\u00e9 escapes" },
	};
	struct field f;
	struct value v;
	struct verror e;
	enum status st;
	size_t i;
	char *body, *p;

	for (i = 0; i < ROWS(t); i++) {
		body = repeat(t[i].unit, t[i].n);
		st = check1(body, t[i].f, &v, &e);
		if (t[i].detail == OKV)
			ok(st == ST_OK && v.present, "%s accepted", t[i].what);
		else
			ok(st == ST_BAD_REQUEST &&
			    strcmp(e.detail, t[i].detail) == 0,
			    "%s rejected: %s", t[i].what, t[i].detail);
		free(body);
	}

	/* FT_EMAIL: 254 bytes accepted, 255 refused. */
	body = repeat("a", 254);
	p = strchr(body, 'a');
	p[100] = '@';
	ok(check1(body, &em, &v, &e) == ST_OK, "FT_EMAIL of 254 characters "
	    "accepted");
	free(body);
	body = repeat("a", 255);
	p = strchr(body, 'a');
	p[100] = '@';
	ok(check1(body, &em, &v, &e) == ST_BAD_REQUEST,
	    "FT_EMAIL of 255 characters rejected");
	free(body);

	/* FT_STRINGS, the contact-suggestions row. */
	body = items(50, 254);
	ok(check1(body, &emails, &v, &e) == ST_OK,
	    "FT_STRINGS 50 items of 254 characters accepted");
	free(body);
	body = items(51, 1);
	ok(check1(body, &emails, &v, &e) == ST_BAD_REQUEST &&
	    strcmp(e.detail, "number of items out of bounds") == 0,
	    "FT_STRINGS 51 items rejected");
	free(body);
	body = items(1, 255);
	ok(check1(body, &emails, &v, &e) == ST_BAD_REQUEST &&
	    strcmp(e.detail, "item too long") == 0,
	    "FT_STRINGS an item of 255 characters rejected");
	free(body);
	ok(check1("{\"v\":[]}", &emails, &v, &e) == ST_BAD_REQUEST &&
	    strcmp(e.detail, "number of items out of bounds") == 0,
	    "FT_STRINGS 0 items rejected when min is 1");

	/* FT_STRING max in characters at the edge. */
	f = (struct field)R("v", FT_STRING, REQUIRED, 0, 200);
	body = repeat("\xc3\xa9", 200);
	ok(check1(body, &f, &v, &e) == ST_OK,
	    "FT_STRING max 200: 200 two-byte characters accepted");
	free(body);
	body = repeat("a", 201);
	ok(check1(body, &f, &v, &e) == ST_BAD_REQUEST,
	    "FT_STRING max 200: 201 characters rejected");
	free(body);
}

/* What a validated row hands the handler. */
static void
test_values(void)
{
	static const struct field tab[] = {
		R("workerId", FT_ID, REQUIRED, 0, 0),
		R("offerId", FT_ID, OPTIONAL, 0, 0),
		R("periodStart", FT_DATETIME, REQUIRED, 0, 0),
		R("note", FT_STRING, OPTIONAL, 0, 0),
		R("rate", FT_NUMSTR, OPTIONAL, 0, 0),
		{ NULL, FT_ANY, 0, 0, 0, NULL, 0, 0 },
	};
	static const char body[] = "{\"workerId\":\"w\\u00e9\",\"offerId\":null,"
	    "\"periodStart\":\"2020-01-30T12:32:11.5726446+00:00\","
	    "\"rate\":\"55.00\",\"extra\":[1,2]}";
	struct value v[VALID_MAX_FIELDS];
	struct verror e;
	struct json_object *root;
	const char *why;

	if (!ok(json_parse_strict(body, sizeof(body) - 1, &root, &why) ==
	    ST_OK, "fixture parses"))
		return;
	memset(v, 0xA5, sizeof(v));
	ok(valid_fields(root, tab, v, &e) == ST_OK, "valid_fields: a whole "
	    "table with an unknown extra field accepted");
	ok(v[0].present && v[0].len == 3 && memcmp(v[0].s, "w\xc3\xa9", 3) ==
	    0 && v[0].json != NULL, "valid_fields: FT_ID value is the decoded "
	    "string, len in bytes");
	ok(!v[1].present && v[1].s == NULL && v[1].json == NULL,
	    "valid_fields: null optional row is absent and zeroed");
	ok(v[2].present && v[2].t.sec == 1580387531 &&
	    v[2].t.usec == 572645, "valid_fields: FT_DATETIME value parsed "
	    "to the microsecond");
	ok(!v[3].present && v[3].s == NULL,
	    "valid_fields: missing optional row is absent and zeroed");
	ok(v[4].present && v[4].len == 5 && memcmp(v[4].s, "55.00", 5) == 0,
	    "valid_fields: FT_NUMSTR string kept as sent");
	json_object_put(root);

	/* The first failing row answers. */
	static const char bad[] = "{\"workerId\":\"\",\"periodStart\":\"x\"}";
	if (json_parse_strict(bad, sizeof(bad) - 1, &root, &why) != ST_OK)
		return;
	ok(valid_fields(root, tab, v, &e) == ST_BAD_REQUEST &&
	    e.field == tab[0].key &&
	    strcmp(e.detail, "must be 1-128 characters") == 0,
	    "valid_fields: the first failing row names the field");
	json_object_put(root);

	ok(valid_fields(NULL, tab, v, &e) == ST_BAD_REQUEST &&
	    strcmp(e.field, "workerId") == 0 &&
	    strcmp(e.detail, "required") == 0,
	    "valid_fields: no body, a required field is missing");
	ok(valid_fields(NULL, tab + 5, v, &e) == ST_OK,
	    "valid_fields: an empty table accepts anything");
	ok(valid_fields(NULL, NULL, v, &e) == ST_OK,
	    "valid_fields: a NULL table accepts anything");
}

static void
test_table_limit(void)
{
	struct field tab[VALID_MAX_FIELDS + 2];
	struct value v[VALID_MAX_FIELDS + 1];
	struct verror e;
	size_t i;

	memset(tab, 0, sizeof(tab));
	for (i = 0; i < VALID_MAX_FIELDS + 1; i++) {
		tab[i].key = "k";
		tab[i].type = FT_ANY;
		tab[i].required = OPTIONAL;
	}
	memset(v, 0xA5, sizeof(v));
	tab[VALID_MAX_FIELDS].key = NULL;
	ok(valid_fields(NULL, tab, v, &e) == ST_OK,
	    "valid_fields: VALID_MAX_FIELDS rows accepted");
	tab[VALID_MAX_FIELDS].key = "k";
	ok(valid_fields(NULL, tab, v, &e) == ST_INTERNAL &&
	    strcmp(e.detail, "too many fields in the table") == 0,
	    "valid_fields: VALID_MAX_FIELDS+1 rows is an internal error");
	ok(((unsigned char *)&v[VALID_MAX_FIELDS])[0] == 0xA5,
	    "valid_fields: nothing written past VALID_MAX_FIELDS values");
}

static void
test_email(void)
{
	static const struct {
		const char	*s;
		int		 ok;
	} t[] = {
		{ "a@b", 1 }, { "fred@smith.com", 1 }, { "a.b+c@d-e.f", 1 },
		{ "\"q\"@x.org", 1 },
		{ "ab", 0 }, { "", 0 }, { "@", 0 }, { "a@", 0 }, { "@b", 0 },
		{ "@ab", 0 }, { "ab@", 0 }, { "a@b@c", 0 }, { "a b@c", 0 },
		{ "a@b c", 0 }, { "a\t@b", 0 }, { "a@b\n", 0 }, { "a@b\r", 0 },
		{ "a@b\x7f", 0 }, { " a@b", 0 }, { "a@b ", 0 },
	};
	size_t i;

	for (i = 0; i < ROWS(t); i++)
		ok(valid_email(t[i].s, strlen(t[i].s)) == t[i].ok,
		    "valid_email %s \"%s\"", t[i].ok ? "accepts" : "rejects",
		    t[i].s);
	ok(valid_email("a\0@b", 4) == 0, "valid_email rejects a NUL byte");
	ok(valid_email("a@bjunk", 3) == 1, "valid_email reads only len bytes");
}

static void
test_path(void)
{
	static const char doc[] = "{\"a\":{\"b\":{\"c\":1},\"n\":null},"
	    "\"x\":2}";
	struct json_object *root;
	const char *why;
	char key[300];

	if (json_parse_strict(doc, sizeof(doc) - 1, &root, &why) != ST_OK)
		return;
	ok(valid_path(root, "x") != NULL, "valid_path top-level key");
	ok(valid_path(root, "a.b.c") != NULL, "valid_path a.b.c");
	ok(valid_path(root, "a.b") != NULL, "valid_path a.b");
	ok(valid_path(root, "a.n") == NULL, "valid_path null is absent");
	ok(valid_path(root, "a.n.z") == NULL, "valid_path through null");
	ok(valid_path(root, "a.b.c.d") == NULL, "valid_path through a number");
	ok(valid_path(root, "a.z.c") == NULL, "valid_path missing parent");
	ok(valid_path(root, "a.") == NULL, "valid_path empty last segment");
	ok(valid_path(root, ".x") == NULL, "valid_path empty first segment");
	ok(valid_path(NULL, "x") == NULL, "valid_path NULL root");
	memset(key, 'k', 200);
	memcpy(key + 200, ".c", 3);
	ok(valid_path(root, key) == NULL, "valid_path 200-byte segment is "
	    "absent, not an overflow");
	json_object_put(root);
}

int
main(void)
{
	test_types();
	test_presence();
	test_bounds();
	test_values();
	test_table_limit();
	test_email();
	test_path();
	return tap_done();
}
