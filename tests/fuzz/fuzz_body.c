/*
 * fuzz_body — libFuzzer target over the strict JSON parser, differential:
 * json_parse_strict (common/json.c) must accept exactly what an
 * independent RFC 8259 recognizer below accepts, with protocol §1's extra
 * refusals (ill-formed UTF-8, \u0000, unpaired surrogate escapes), json-c's
 * depth and README "Numbers" (at most 1000 digits either side of the
 * point, exponent within ±1000).  An accepted body then goes through
 * valid_fields with a table of every field type, and the same bytes reach
 * auth_worksome, auth_updatedge, wtime_parse and log_escape (which must
 * stay within its buffer and NUL-terminate).  Built with
 * ./configure CC=clang --enable-fuzz; run with script/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "json.h"
#include "log.h"
#include "valid.h"
#include "wtime.h"

#include "oracle.h"

static const char *const choices[] = { "accepted", "rejected", NULL };

static const struct field table[] = {
	{ "event", FT_STRING, OPTIONAL, 1, 64, NULL, 0, 0 },
	{ "workerId", FT_ID, OPTIONAL, 0, 0, NULL, 0, 0 },
	{ "periodStart", FT_DATETIME, OPTIONAL, 0, 0, NULL, 0, 0 },
	{ "data.contract.startDate", FT_DATE, OPTIONAL, 0, 0, NULL, 0, 0 },
	{ "response", FT_ENUM, OPTIONAL, 0, 0, choices, 0, 0 },
	{ "email", FT_EMAIL, OPTIONAL, 0, 0, NULL, 0, 0 },
	{ "userEmailAddresses", FT_STRINGS, OPTIONAL, 1, 50, NULL, 254, 0 },
	{ "data", FT_OBJECT, OPTIONAL, 0, 0, NULL, 0, 0 },
	{ "data.contract.jobOwners", FT_ARRAY, OPTIONAL, 0, 0, NULL, 0, 0 },
	{ "data.customFieldValues", FT_LIST, OPTIONAL, 0, 0, NULL, 0, 0 },
	{ "data.contract.rate", FT_NUMSTR, OPTIONAL, 0, 0, NULL, 0, 0 },
	{ "data.cancelReason", FT_ANY, OPTIONAL, 0, 0, NULL, 0, 0 },
	{ NULL, FT_ANY, 0, 0, 0, NULL, 0, 0 },
};

/*
 * An independent RFC 8259 recognizer with json.h's extra rules: no
 * \u0000, no unpaired surrogate escape, well-formed UTF-8, and json-c's
 * depth (value levels, the root being 1, at most JSON_MAX_DEPTH).
 * json_parse_strict must agree with it on every input.
 */
struct rd {
	const unsigned char	*s;
	size_t			 n, i;
};

static void
ws(struct rd *r)
{
	while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' ||
	    r->s[r->i] == '\n' || r->s[r->i] == '\r'))
		r->i++;
}

static int
lit(struct rd *r, const char *w)
{
	size_t k = strlen(w);

	if (r->n - r->i < k || memcmp(r->s + r->i, w, k) != 0)
		return 0;
	r->i += k;
	return 1;
}

static int
digits(struct rd *r)
{
	size_t b = r->i;

	while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9')
		r->i++;
	return r->i > b;
}

/*
 * An RFC 8259 number that PostgreSQL's numeric can hold, by the rule of
 * README "Numbers": at most 1000 digits before and after the point and an
 * exponent of at most 1000 in magnitude (leading zeros of the exponent do
 * not count).
 */
#define NUM_DIGITS_MAX	1000

static int
number(struct rd *r)
{
	size_t b, intd, fracd = 0;
	long e = 0;

	if (r->i < r->n && r->s[r->i] == '-')
		r->i++;
	b = r->i;
	if (r->i < r->n && r->s[r->i] == '0')
		r->i++;
	else if (!(r->i < r->n && r->s[r->i] >= '1' && r->s[r->i] <= '9') ||
	    !digits(r))
		return 0;
	intd = r->i - b;
	if (r->i < r->n && r->s[r->i] == '.') {
		r->i++;
		b = r->i;
		if (!digits(r))
			return 0;
		fracd = r->i - b;
	}
	if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
		r->i++;
		if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-'))
			r->i++;
		b = r->i;
		if (!digits(r))
			return 0;
		for (; b < r->i; b++)
			if ((e = e * 10 + (r->s[b] - '0')) > NUM_DIGITS_MAX)
				return 0;
	}
	return intd <= NUM_DIGITS_MAX && fracd <= NUM_DIGITS_MAX;
}

static long
hex4(struct rd *r)
{
	long v = 0;
	int k;
	unsigned char c;

	if (r->n - r->i < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		c = r->s[r->i++];
		v *= 16;
		if (c >= '0' && c <= '9')
			v += c - '0';
		else if (c >= 'a' && c <= 'f')
			v += c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v += c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static int
string(struct rd *r)
{
	size_t b;
	long u, lo;
	unsigned char c;

	if (r->i >= r->n || r->s[r->i] != '"')
		return 0;
	r->i++;
	for (;;) {
		if (r->i >= r->n)
			return 0;
		c = r->s[r->i];
		if (c == '"') {
			r->i++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c >= 0x80) {
			b = r->i;
			while (r->i < r->n && r->s[r->i] >= 0x80)
				r->i++;
			if (!or_utf8(r->s + b, r->i - b))
				return 0;
			continue;
		}
		r->i++;
		if (c != '\\')
			continue;
		if (r->i >= r->n)
			return 0;
		c = r->s[r->i++];
		if (c != 'u') {
			if (strchr("\"\\/bfnrt", c) == NULL || c == '\0')
				return 0;
			continue;
		}
		if ((u = hex4(r)) <= 0 || (u >= 0xDC00 && u <= 0xDFFF))
			return 0;
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (!lit(r, "\\u") || (lo = hex4(r)) < 0xDC00 ||
			    lo > 0xDFFF)
				return 0;
		}
	}
}

static int
value(struct rd *r, int level)
{
	int first;

	if (level > JSON_MAX_DEPTH)
		return 0;
	ws(r);
	if (r->i >= r->n)
		return 0;
	switch (r->s[r->i]) {
	case '{':
		r->i++;
		ws(r);
		if (r->i < r->n && r->s[r->i] == '}') {
			r->i++;
			return 1;
		}
		for (;;) {
			ws(r);
			if (!string(r))
				return 0;
			ws(r);
			if (!lit(r, ":") || !value(r, level + 1))
				return 0;
			ws(r);
			if (lit(r, "}"))
				return 1;
			if (!lit(r, ","))
				return 0;
		}
	case '[':
		r->i++;
		ws(r);
		if (r->i < r->n && r->s[r->i] == ']') {
			r->i++;
			return 1;
		}
		for (first = 1;; first = 0) {
			if (!first && !lit(r, ","))
				return 0;
			if (!value(r, level + 1))
				return 0;
			ws(r);
			if (lit(r, "]"))
				return 1;
		}
	case '"':
		return string(r);
	case 't':
		return lit(r, "true");
	case 'f':
		return lit(r, "false");
	case 'n':
		return lit(r, "null");
	default:
		return number(r);
	}
}

static int
json_ok(const unsigned char *s, size_t n)
{
	struct rd r = { s, n, 0 };

	if (!value(&r, 1))
		return 0;
	ws(&r);
	return r.i == n;
}

static struct config cfg;

static void
setup(void)
{
	static unsigned char k1[] = "tHizIsAnX@mp|E";
	static unsigned char k2[] = "0da22586-719c-433b-bd81-d66ec6d5b932";
	static char l1[] = "ws", l2[] = "ue";

	config_defaults(&cfg);
	cfg.worksome[0] = (struct secret){ l1, k1, sizeof(k1) - 1 };
	cfg.nworksome = 1;
	cfg.updatedge[0] = (struct secret){ l2, k2, sizeof(k2) - 1 };
	cfg.nupdatedge = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *root = NULL;
	struct value vals[VALID_MAX_FIELDS];
	struct verror verr;
	struct wtime wt;
	const char *why, *label;
	char *copy, *nl, esc[64];
	size_t cut;

	if (cfg.nworksome == 0)
		setup();

	/* The body path, differential against the recognizer above. */
	if (json_parse_strict((const char *)data, size, &root, &why) == ST_OK) {
		if (!or_utf8(data, size) || !json_ok(data, size))
			abort();	/* accepted what is not strict JSON */
		(void)valid_fields(root, table, vals, &verr);
		json_object_put(root);
	} else if (json_ok(data, size))
		abort();		/* refused strict JSON */

	/* Headers: a NUL-terminated copy, split at the first newline. */
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	(void)auth_worksome(&cfg, copy, data, size, &label, &why);
	if ((nl = strchr(copy, '\n')) != NULL) {
		*nl = '\0';
		(void)auth_updatedge(&cfg, copy, nl + 1, 1543229700, &label,
		    &wt, &why);
	}
	(void)wtime_parse(copy, strlen(copy), WT_MINUTES_OK, &wt);
	free(copy);

	/* log_escape at a size chosen by the input. */
	cut = size > 0 ? data[0] % sizeof(esc) : 0;
	memset(esc, 0x5A, sizeof(esc));
	log_escape(esc, cut, (const char *)data, size);
	if (cut > 0 && memchr(esc, '\0', cut) == NULL)
		abort();
	if (cut < sizeof(esc) && (unsigned char)esc[cut] != 0x5A)
		abort();
	return 0;
}
