/* json — the strict body parser. */
#include <stdint.h>
#include <string.h>

#include "json.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read the 4 hex digits after "\u" at s[i..]; -1 if not there. */
static long
u4(const char *s, size_t len, size_t i)
{
	long v = 0;
	int k, h;

	if (i + 4 > len)
		return -1;
	for (k = 0; k < 4; k++) {
		if ((h = hexval(s[i + k])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * Well-formed UTF-8 (RFC 3629; Unicode Table 3-7): no overlong forms, no
 * encoded surrogates, nothing above U+10FFFF.  json-c's own check
 * (JSON_TOKENER_VALIDATE_UTF8) only counts continuation bytes, and
 * PostgreSQL refuses what it lets through.
 */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned char lo, hi;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xBF;
		if (s[i] >= 0xC2 && s[i] <= 0xDF)
			n = 1;
		else if (s[i] >= 0xE0 && s[i] <= 0xEF) {
			n = 2;
			if (s[i] == 0xE0)
				lo = 0xA0;
			else if (s[i] == 0xED)
				hi = 0x9F;
		} else if (s[i] >= 0xF0 && s[i] <= 0xF4) {
			n = 3;
			if (s[i] == 0xF0)
				lo = 0x90;
			else if (s[i] == 0xF4)
				hi = 0x8F;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * RFC 8259 number: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
 * Returns 1 if valid, 0 if not a number, -1 if a number PostgreSQL's
 * numeric cannot hold (jsonb stores numbers as numeric): we bound it well
 * inside that range at NUM_MAX_DIGITS digits on either side of the point
 * and an exponent within ±NUM_MAX_DIGITS.
 */
#define NUM_MAX_DIGITS	1000

static int
number_valid(const char *s, size_t n)
{
	size_t i = 0, d, id = 0, fd = 0;
	long e = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++, id = 1;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, id++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (i++, d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			d++;
		if (d == 0)
			return 0;
		fd = d;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			d++;
			if (e <= NUM_MAX_DIGITS)
				e = e * 10 + (s[i] - '0');
		}
		if (d == 0)
			return 0;
	}
	if (i != n)
		return 0;
	if (id > NUM_MAX_DIGITS || fd > NUM_MAX_DIGITS || e > NUM_MAX_DIGITS)
		return -1;
	return 1;
}

/* Bytes that end a bare token outside strings. */
static int
delim(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' ||
	    c == '}' || c == '[' || c == ']' || c == ',' || c == ':' ||
	    c == '"';
}

/*
 * Second pass over text json-c already accepted.  Outside strings, every
 * token must be true, false, null or an RFC 8259 number: json-c's strict
 * mode still takes 'single-quoted' strings, NaN, Infinity, leading zeros
 * and "1.".  Inside strings refuse raw control bytes, \u0000 and
 * surrogate escapes that do not pair up.
 */
static const char *
scan_strings(const char *s, size_t len)
{
	size_t i, t, n;
	int in = 0, num;
	long u, lo;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!in) {
			if (c == '"') {
				in = 1;
				continue;
			}
			if (delim((char)c))
				continue;
			for (t = i; t < len && !delim(s[t]); t++)
				continue;
			n = t - i;
			if ((n == 4 && memcmp(s + i, "true", 4) == 0) ||
			    (n == 5 && memcmp(s + i, "false", 5) == 0) ||
			    (n == 4 && memcmp(s + i, "null", 4) == 0))
				num = 1;
			else
				num = number_valid(s + i, n);
			if (num == 0)
				return "not an RFC 8259 value";
			if (num < 0)
				return "number out of range (at most 1000 digits "
				    "either side of the point, exponent within "
				    "±1000)";
			i = t - 1;
			continue;
		}
		if (c == '"') {
			in = 0;
			continue;
		}
		if (c < 0x20)
			return "control character in string";
		if (c != '\\')
			continue;
		if (++i >= len)
			return "truncated escape";
		if (s[i] != 'u')
			continue;
		if ((u = u4(s, len, i + 1)) < 0)
			return "bad \\u escape";
		i += 4;
		if (u == 0)
			return "\\u0000 is not accepted";
		if (u >= 0xDC00 && u <= 0xDFFF)
			return "unpaired UTF-16 surrogate";
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (i + 2 >= len || s[i + 1] != '\\' || s[i + 2] != 'u' ||
			    (lo = u4(s, len, i + 3)) < 0xDC00 || lo > 0xDFFF)
				return "unpaired UTF-16 surrogate";
			i += 6;
		}
	}
	return NULL;
}

enum status
json_parse_strict(const char *buf, size_t len, struct json_object **out,
    const char **why)
{
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL;
	enum json_tokener_error jerr;
	size_t end;
	enum status st = ST_BAD_REQUEST;

	*out = NULL;
	*why = "empty body";
	if (len == 0)
		goto fail;
	*why = "body too large to parse";
	if (len > (size_t)INT32_MAX)
		goto fail;
	*why = "out of memory";
	st = ST_INTERNAL;
	if ((tok = json_tokener_new_ex(JSON_MAX_DEPTH)) == NULL)
		goto fail;
	st = ST_BAD_REQUEST;
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		/* A bare number may still "continue": signal the end. */
		root = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		if (jerr == json_tokener_success)
			end = len;
		else
			end = 0;
	} else
		end = json_tokener_get_parse_end(tok);
	if (jerr != json_tokener_success) {
		*why = jerr == json_tokener_continue ? "truncated JSON" :
		    json_tokener_error_desc(jerr);
		goto fail;
	}
	for (; end < len; end++)
		if (buf[end] != ' ' && buf[end] != '\t' &&
		    buf[end] != '\r' && buf[end] != '\n') {
			*why = "trailing bytes after the JSON value";
			goto fail;
		}
	*why = "invalid UTF-8";
	if (!utf8_valid((const unsigned char *)buf, len))
		goto fail;
	if ((*why = scan_strings(buf, len)) != NULL)
		goto fail;
	json_tokener_free(tok);
	*out = root;
	return ST_OK;
fail:
	json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	return st;
}

struct json_object *
json_member(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	if (v == NULL || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

size_t
json_utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}
