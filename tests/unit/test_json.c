/*
 * test_json — json_parse_strict (protocol §1: RFC 8259 strictly, UTF-8,
 * bounded depth, nothing after the value, no \u0000, no unpaired
 * surrogate), json_member (null means absent) and json_utf8_chars.
 * Inputs are given with an explicit length: bodies are not C strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

/* A string literal and its length, NUL bytes included. */
#define B(s)	{ s, sizeof(s) - 1 }

struct body {
	const char	*s;
	size_t		 len;
};

/* Printable rendering of a test body for the test name. */
static const char *
show(const char *s, size_t len)
{
	static char buf[160];
	size_t i, o = 0;

	for (i = 0; i < len && o + 8 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
			    "\\x%02x", c);
	}
	if (i < len)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "...");
	buf[o] = '\0';
	return buf;
}

static enum status
parse(const char *s, size_t len, struct json_object **root, const char **why)
{
	struct json_object *r = (struct json_object *)&r;	/* poison */
	const char *w = NULL;
	enum status st;

	st = json_parse_strict(s, len, &r, &w);
	if (st == ST_OK && r == NULL && len > 0 &&
	    strncmp(s + strspn(s, " \t\r\n"), "null", 4) != 0)
		st = ST__MAX;		/* success must give a root */
	if (st != ST_OK && (r != NULL || w == NULL))
		st = ST__MAX;		/* failure: NULL root and a reason */
	if (root != NULL)
		*root = st == ST_OK ? r : NULL;
	else if (st == ST_OK)
		json_object_put(r);
	if (why != NULL)
		*why = w;
	return st;
}

static void
test_good(void)
{
	static const struct body good[] = {
		B("{}"), B("[]"), B("{\"a\":1}"), B("[1,2,3]"),
		B("{\"a\":{\"b\":[true,false,null]}}"),
		B("\"s\""), B("\"\""), B("123"), B("0"), B("-0"), B("-1"),
		B("1.5e3"), B("1E+2"), B("1e-2"), B("0.5"), B("-0.0"),
		B("true"), B("false"), B("null"),
		B("9223372036854775807"), B("-9223372036854775808"),
		B("1.7976931348623157e308"),
		/* Whitespace around the value is fine (RFC 8259 ws). */
		B(" {} "), B("{}\n"), B("\t{}\r\n"), B("\n\n[]\n\n"),
		B("123 "), B("123\n"), B(" \"s\" "),
		B("{ \"a\" : [ 1 , 2 ] , \"b\" : { } }"),
		/* Escapes and UTF-8. */
		B("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""),
		B("\"\\u00e9\""), B("\"\\u20AC\""), B("\"\\uffff\""),
		B("\"\\ud83d\\ude00\""), B("\"\\uD83D\\uDE00\""),
		B("\"\\udbff\\udfff\""), B("\"\\ud800\\udc00\""),
		B("\"\\\\u0000\""),		/* a backslash, then "u0000" */
		B("\"\\\\ud800\""),
		B("\"\xc3\xa9\""), B("\"\xe2\x82\xac\""),
		B("\"\xf0\x9f\x98\x80\""), B("\"\xef\xbf\xbf\""),
		B("\"\xf4\x8f\xbf\xbf\""), B("\"\xed\x9f\xbf\""),
		B("\"\xee\x80\x80\""), B("\"\xc2\x80\""),
		B("{\"\xc3\xa9\":\"\xe2\x82\xac\"}"),
		B("\"\x7f\""),			/* DEL is not a control in JSON */
		B("[1e5,-0.0e-0,0E+1,10,-10.01]"), B("[true,false,null]"),
		B("{\"a\":-1.25e+10}"), B("[0,1,2]"), B("[\"'\"]"),
		B("\"NaN\""), B("{\"a\":\"01\"}"),
		/* Numbers PostgreSQL's numeric holds (bounds: ±1000). */
		B("1e1000"), B("-1E-1000"), B("{\"x\":1e+0999}"),
	};
	size_t i;
	const char *why;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(parse(good[i].s, good[i].len, NULL, &why) == ST_OK,
		    "json accepts %s", show(good[i].s, good[i].len));
}

static void
test_bad(void)
{
	static const struct body bad[] = {
		/* Empty and incomplete. */
		B(""), B(" "), B("\n"), B("{"), B("["), B("[1,"), B("{\"a\""),
		B("{\"a\":"), B("\"abc"), B("tru"), B("nul"), B("-"),
		B("{\"a\"}"), B("{\"a\":}"), B("[1 2]"), B("{1:2}"),
		/* Numbers jsonb (numeric) cannot hold: 500 otherwise. */
		B("1e1001"), B("{\"x\":1e1000000}"), B("[1E-100000]"),
		B("1e99999999999999999999"),
		/* Trailing bytes after the value. */
		B("{}x"), B("{} {}"), B("[] []"), B("1 2"), B("{},"),
		B("\"a\"\"b\""), B("{}\0"), B("{} \0"), B("123\0"),
		B("[]]"), B("{}}"), B("null null"), B("{}\f"), B("{}\v"),
		B("\xef\xbb\xbf{}"),		/* a BOM is not JSON */
		/* Invalid UTF-8. */
		B("\"\xc0\x80\""),		/* overlong NUL */
		B("\"\xc0\xaf\""),		/* overlong '/' */
		B("\"\xc1\xbf\""),		/* overlong 2-byte */
		B("\"\xe0\x80\x80\""),		/* overlong 3-byte */
		B("\"\xe0\x9f\xbf\""),		/* overlong 3-byte, top */
		B("\"\xf0\x80\x80\x80\""),	/* overlong 4-byte */
		B("\"\xf0\x8f\xbf\xbf\""),	/* overlong 4-byte, top */
		B("\"\x80\""),			/* lone continuation */
		B("\"\xbf\""),
		B("\"a\x80z\""),
		B("\"\xc3\""),			/* truncated 2-byte */
		B("\"\xe2\x82\""),		/* truncated 3-byte */
		B("\"\xf0\x9f\x98\""),		/* truncated 4-byte */
		B("\"\xc3\xa9\xa9\""),		/* extra continuation */
		B("\"\xff\""), B("\"\xfe\""), B("\"\xf8\x88\x80\x80\x80\""),
		B("\"\xed\xa0\x80\""),		/* UTF-8 encoded surrogate */
		B("\"\xed\xbf\xbf\""),
		B("\"\xf4\x90\x80\x80\""),	/* above U+10FFFF */
		B("\"\xf5\x80\x80\x80\""),
		B("{\"\xc0\x80\":1}"),		/* in a key */
		B("\xff"), B("{}\xff"), B("\xc3\xa9"),
		/* \u0000 and unpaired surrogates (protocol §1). */
		B("\"\\u0000\""), B("\"a\\u0000b\""), B("{\"a\\u0000\":1}"),
		B("[\"ok\",\"\\u0000\"]"),
		B("\"\\ud800\""), B("\"\\udc00\""), B("\"\\udfff\""),
		B("\"\\ud800\\u0041\""), B("\"\\ud800x\""),
		B("\"\\ud800\\\\udc00\""),	/* escaped backslash between */
		B("\"\\udbff\\udbff\""), B("\"\\ude00\\ud83d\""),
		B("\"\\ud800\\ud800\\udc00\""), B("{\"\\udc00\":1}"),
		B("\"\\uDC00\""), B("\"x\\ud800\""),
		/* Raw control bytes in a string. */
		B("\"a\x01z\""), B("\"a\nb\""), B("\"\t\""), B("\"\x1f\""),
		B("\"\r\""), B("\"a\0b\""), B("{\"a\x01\":1}"),
		/* json-c extensions that strict RFC 8259 has not. */
		B("{'a':1}"), B("['a']"), B("[1,]"), B("{\"a\":1,}"),
		B("[,1]"), B("/*c*/{}"), B("{}/*c*/"), B("{}//c"),
		B("// c\n{}"), B("# c\n{}"), B("NaN"), B("[NaN]"),
		B("Infinity"), B("-Infinity"), B("[Infinity]"), B("nan"),
		B("01"), B("[01]"), B("-01"), B("00"), B("{\"a\":01}"),
		B("{a:1}"), B("{\"a\" 1}"), B("+1"), B(".5"), B("1."), B("1.e3"),
		B("1e"), B("0x10"), B("True"), B("NULL"), B("FALSE"),
		B("\"\\a\""), B("\"\\x41\""), B("\"\\'\""), B("\"\\u12\""),
		B("\"\\u12g4\""), B("\"\\U00e9\""), B("'s'"),
		B("[1;2]"), B("{\"a\"=1}"), B("\"\\"),
		B("[1.]"), B("[-]"), B("1e+"), B("[.5]"), B("-.5"), B("tRue"),
		B("true1"), B("[true1]"), B("[nulll]"), B("[1,\f2]"),
		B("[\v1]"), B("{\"a\":'x y'}"), B("[1]x"), B("{\"a\":1}}"),
		B("[-Infinity]"), B("[1e5e5]"), B("[1-2]"), B("[0.1.2]"),
		B("[1,,2]"), B("{,}"), B("{\"a\":1,,\"b\":2}"), B("[,]"),
		B("{\"a\":1 \"b\":2}"), B("{\"a\"::1}"), B("{\"a\":1:2}"),
		B("[\"a\":1]"), B("{\"a\",1}"), B("{null:1}"), B("{1}"),
		B("[}"), B("{]"), B("\"\\u00\""), B("\"\\ud800\\u\""),
	};
	size_t i;
	const char *why;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(parse(bad[i].s, bad[i].len, NULL, &why) == ST_BAD_REQUEST,
		    "json rejects %s", show(bad[i].s, bad[i].len));
	{
		/* 1001 integer digits, then 1001 fraction digits. */
		static char longnum[2100];
		size_t k;

		memset(longnum, '7', 1001);
		ok(parse(longnum, 1001, NULL, &why) == ST_BAD_REQUEST,
		    "json refuses a 1001-digit integer");
		ok(parse(longnum, 1000, NULL, &why) == ST_OK,
		    "json accepts a 1000-digit integer");
		longnum[0] = '0';
		longnum[1] = '.';
		for (k = 2; k < 1003; k++)
			longnum[k] = '3';
		ok(parse(longnum, 1003, NULL, &why) == ST_BAD_REQUEST,
		    "json refuses 1001 fraction digits");
	}
}

/* n nested containers ('[' or '{"a":'), holding inner (or nothing). */
static char *
nest(size_t n, int obj, const char *inner, size_t *len)
{
	size_t i, o = 0, cap = n * 6 + strlen(inner) + 1;
	char *s;

	if ((s = malloc(cap)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		memcpy(s + o, obj ? "{\"a\":" : "[", obj ? 5 : 1);
		o += obj ? 5 : 1;
	}
	if (obj && *inner == '\0' && n > 0) {
		/* The innermost object is empty: "{}", not "{"a":}". */
		o -= 4;
	}
	memcpy(s + o, inner, strlen(inner));
	o += strlen(inner);
	for (i = 0; i < n; i++)
		s[o++] = obj ? '}' : ']';
	s[o] = '\0';
	*len = o;
	return s;
}

/*
 * json-c's depth (json_tokener_new_ex) counts value levels, the root
 * being level 1: JSON_MAX_DEPTH nested containers are accepted as long
 * as the innermost is empty; a scalar inside the innermost one is one
 * level deeper.
 */
static void
test_depth(void)
{
	static const struct {
		size_t	 n;
		int	 obj;
		const char *inner;
		int	 ok;
	} t[] = {
		{ 1, 0, "", 1 },
		{ JSON_MAX_DEPTH - 1, 0, "", 1 },
		{ JSON_MAX_DEPTH, 0, "", 1 },
		{ JSON_MAX_DEPTH + 1, 0, "", 0 },
		{ JSON_MAX_DEPTH + 10, 0, "", 0 },
		{ JSON_MAX_DEPTH - 1, 0, "1", 1 },
		{ JSON_MAX_DEPTH, 0, "1", 0 },
		{ JSON_MAX_DEPTH, 1, "", 1 },
		{ JSON_MAX_DEPTH + 1, 1, "", 0 },
		{ JSON_MAX_DEPTH - 1, 1, "\"s\"", 1 },
		{ JSON_MAX_DEPTH, 1, "\"s\"", 0 },
		{ 10000, 0, "", 0 },
		{ 100000, 1, "", 0 },
	};
	size_t i, len;
	char *s;
	const char *why;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = nest(t[i].n, t[i].obj, t[i].inner, &len);
		ok(parse(s, len, NULL, &why) == (t[i].ok ? ST_OK :
		    ST_BAD_REQUEST), "json depth: %zu nested %s holding %s %s",
		    t[i].n, t[i].obj ? "objects" : "arrays",
		    *t[i].inner ? t[i].inner : "nothing",
		    t[i].ok ? "accepted" : "rejected");
		free(s);
	}
}

static void
test_values(void)
{
	struct json_object *root, *v;
	const char *why;
	static const char dup[] = "{\"a\":1,\"b\":2,\"a\":3}";
	static const char big[] = "  {\"k\":\"\\u00e9\\ud83d\\ude00\"}\n";
	static const char num[] = "123";

	if (ok(parse(dup, sizeof(dup) - 1, &root, &why) == ST_OK,
	    "json duplicate key accepted")) {
		v = json_member(root, "a");
		ok(v != NULL && json_object_is_type(v, json_type_int) &&
		    json_object_get_int(v) == 3, "json duplicate key: the last "
		    "one wins");
		ok(json_object_object_length(root) == 2, "json duplicate key: "
		    "one member");
		json_object_put(root);
	}
	if (ok(parse(big, sizeof(big) - 1, &root, &why) == ST_OK,
	    "json escapes parse")) {
		v = json_member(root, "k");
		ok(v != NULL && json_object_get_string_len(v) == 6 &&
		    memcmp(json_object_get_string(v),
		    "\xc3\xa9\xf0\x9f\x98\x80", 6) == 0,
		    "json \\u escapes and a surrogate pair decode to UTF-8");
		json_object_put(root);
	}
	if (ok(parse(num, 3, &root, &why) == ST_OK,
	    "json bare number without terminator parses")) {
		ok(json_object_is_type(root, json_type_int) &&
		    json_object_get_int(root) == 123, "json bare number is 123");
		json_object_put(root);
	}
	/* The length is the body: bytes after it are not read. */
	if (ok(parse("{}garbage", 2, &root, &why) == ST_OK,
	    "json parses exactly len bytes ({} of {}garbage)"))
		json_object_put(root);
	if (ok(parse("12345", 2, &root, &why) == ST_OK,
	    "json bare number cut by len (12 of 12345)")) {
		ok(json_object_get_int(root) == 12, "json number of len 2 is 12");
		json_object_put(root);
	}
	ok(parse("{\"a\":1}", 6, NULL, &why) == ST_BAD_REQUEST,
	    "json cut one byte short is rejected");
	ok(parse(NULL, 0, NULL, &why) == ST_BAD_REQUEST && why != NULL,
	    "json empty body (NULL, 0) rejected with a reason");
}

/* Every JSON body in the shared vectors parses strictly. */
static void
test_vectors(void)
{
	static const char *const files[] = {
		"updatedge-contact-suggestions.json",
		"updatedge-offer-eventDeleted.json",
		"updatedge-offer-response.json",
		"updatedge-timelineChanged-offer.json",
		"updatedge-timelineChanged.json",
		"worksome-contractAccepted.json",
		"worksome-hireCancelled.json",
		"worksome-hireUpdated.json",
		"worksome-trustedContactUpdated.json",
		"worksome-unknown-event.json",
	};
	const char *why;
	char *body;
	size_t i, len;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		body = tap_slurp(NULL, files[i], &len);
		ok(body != NULL && parse(body, len, NULL, &why) == ST_OK,
		    "json vector %s parses strictly", files[i]);
		free(body);
	}
}

static void
test_member(void)
{
	static const char doc[] = "{\"null\":null,\"int\":1,\"false\":false,"
	    "\"zero\":0,\"empty\":\"\",\"obj\":{},\"arr\":[]}";
	struct json_object *root, *arr;
	const char *why;

	if (!ok(parse(doc, sizeof(doc) - 1, &root, &why) == ST_OK,
	    "json_member fixture parses"))
		return;
	ok(json_member(root, "null") == NULL, "json_member: null is absent");
	ok(json_member(root, "missing") == NULL,
	    "json_member: missing key is absent");
	ok(json_member(root, "int") != NULL, "json_member: 1 is present");
	ok(json_member(root, "false") != NULL,
	    "json_member: false is present");
	ok(json_member(root, "zero") != NULL, "json_member: 0 is present");
	ok(json_member(root, "empty") != NULL,
	    "json_member: \"\" is present");
	ok(json_member(root, "obj") != NULL, "json_member: {} is present");
	ok(json_member(root, "arr") != NULL, "json_member: [] is present");
	ok(json_member(root, "Int") == NULL,
	    "json_member: keys are case-sensitive");
	ok(json_member(root, "") == NULL, "json_member: empty key absent");
	ok(json_member(NULL, "int") == NULL, "json_member: NULL object");
	arr = json_member(root, "arr");
	ok(json_member(arr, "0") == NULL, "json_member: an array has no "
	    "members");
	ok(json_member(json_member(root, "int"), "x") == NULL,
	    "json_member: a number has no members");
	json_object_put(root);
}

static void
test_utf8_chars(void)
{
	static const struct {
		const char	*s;
		size_t		 len, want;
	} t[] = {
		{ "", 0, 0 },
		{ "abc", 3, 3 },
		{ "\xc3\xa9", 2, 1 },
		{ "\xe2\x82\xac", 3, 1 },
		{ "\xf0\x9f\x98\x80", 4, 1 },
		{ "a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80", 11, 5 },
		{ "a\0b", 3, 3 },
		{ "abcdef", 3, 3 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok_int((long long)json_utf8_chars(t[i].s, t[i].len),
		    (long long)t[i].want, "json_utf8_chars(%s, %zu) = %zu",
		    show(t[i].s, t[i].len), t[i].len, t[i].want);
}

int
main(void)
{
	test_good();
	test_bad();
	test_depth();
	test_values();
	test_vectors();
	test_member();
	test_utf8_chars();
	return tap_done();
}
