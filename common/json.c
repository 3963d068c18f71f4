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
 * Second pass over text json-c already accepted: inside strings refuse
 * raw control bytes, \u0000 and surrogate escapes that do not pair up.
 */
static const char *
scan_strings(const char *s, size_t len)
{
	size_t i;
	int in = 0;
	long u, lo;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!in) {
			if (c == '"')
				in = 1;
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
