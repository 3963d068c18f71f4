/*
 * test_log — log_escape (no client byte reaches a log line raw: CR, LF,
 * quotes, backslashes and every non-printable byte become \xHH; cut with
 * "..." only when the output does not fit; always NUL-terminated within
 * size), log_pqmsg, log_level_parse; and the two small tables that go
 * with logging: status → HTTP and the rejected-request counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rejects.h"
#include "status.h"
#include "tap.h"

#define CANARY	0x5A

/* The test's own rendering of raw bytes for test names. */
static const char *
vis(const char *s, size_t len)
{
	static char out[4][200];
	static int k;
	char *o = out[k++ % 4];
	size_t i, n = 0;

	for (i = 0; i < len && n + 5 < sizeof(out[0]); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			o[n++] = (char)c;
		else
			n += (size_t)snprintf(o + n, 5, "<%02x>", c);
	}
	o[n] = '\0';
	return o;
}

static void
test_escape_table(void)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*want;
	} t[] = {
		{ "abc", 3, "abc" },
		{ "", 0, "" },
		{ "a b~", 4, "a b~" },
		{ "\r", 1, "\\x0d" },
		{ "\n", 1, "\\x0a" },
		{ "a\r\nb", 4, "a\\x0d\\x0ab" },
		{ "\"", 1, "\\x22" },
		{ "\\", 1, "\\x5c" },
		{ "say \"hi\"", 8, "say \\x22hi\\x22" },
		{ "\t", 1, "\\x09" },
		{ "\x1b[31m", 5, "\\x1b[31m" },
		{ "\x7f", 1, "\\x7f" },
		{ "\x80\xff", 2, "\\x80\\xff" },
		{ "\xc3\xa9", 2, "\\xc3\\xa9" },
		{ "a\0b", 3, "a\\x00b" },
		{ "abcdef", 3, "abc" },
		{ "fake\nline 2020-01-01 error: x", 29,
		    "fake\\x0aline 2020-01-01 error: x" },
	};
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok_str(log_escape(buf, sizeof(buf), t[i].in, t[i].len),
		    t[i].want, "log_escape %s -> %s", vis(t[i].in, t[i].len),
		    t[i].want);
	ok_str(log_escape(buf, sizeof(buf), NULL, 5), "",
	    "log_escape NULL is the empty string");
	ok(log_escape(buf, sizeof(buf), "x", 1) == buf,
	    "log_escape returns buf");
}

/* Output of size s for input in: fits, or is cut with "..." in bounds. */
static void
test_escape_cut(void)
{
	static const struct {
		size_t		 size;
		const char	*in, *want;
	} t[] = {
		/* Fits exactly or with room: never cut. */
		{ 8, "abcdefg", "abcdefg" },
		{ 8, "abcdef", "abcdef" },
		{ 8, "abcd", "abcd" },
		{ 5, "abcd", "abcd" },
		{ 5, "\r", "\\x0d" },
		{ 9, "\r\n", "\\x0d\\x0a" },
		{ 2, "a", "a" },
		{ 1, "", "" },
		/* Does not fit: cut with "...", an escape never split. */
		{ 8, "abcdefgh", "abcd..." },
		{ 8, "abcdefghijklmnop", "abcd..." },
		{ 8, "\r\r", "\\x0d..." },
		{ 8, "a\r", "a\\x0d" },
		{ 7, "a\r\r", "a..." },
		{ 9, "ab\rcdef", "ab..." },
		{ 12, "ab\rcdefghij", "ab\\x0dcd..." },
		{ 6, "abcdef", "ab..." },
		{ 5, "abcde", "a..." },
		/* Too small for "...": cut to what fits, still a string. */
		{ 4, "abcd", "" },
		{ 3, "abc", "" },
		{ 2, "ab", "" },
		{ 1, "a", "" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(buf, CANARY, sizeof(buf));
		log_escape(buf, t[i].size, t[i].in, strlen(t[i].in));
		ok(memchr(buf, '\0', t[i].size) != NULL &&
		    strcmp(buf, t[i].want) == 0 &&
		    (unsigned char)buf[t[i].size] == CANARY,
		    "log_escape size %zu of %s is \"%s\", in bounds",
		    t[i].size, vis(t[i].in, strlen(t[i].in)), t[i].want);
		if (memchr(buf, '\0', t[i].size) != NULL &&
		    strcmp(buf, t[i].want) != 0)
			diag("got \"%s\"", buf);
	}
	memset(buf, CANARY, sizeof(buf));
	log_escape(buf, 0, "abc", 3);
	ok((unsigned char)buf[0] == CANARY, "log_escape size 0 writes nothing");
}

/* Undo log_escape; -1 if out is not a well-formed escaping. */
static long
unescape(const char *out, unsigned char *raw, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (*out) {
		if (n == cap)
			return -1;
		if (*out == '\\') {
			if (out[1] != 'x' || sscanf(out + 2, "%2x", &v) != 1 ||
			    !strchr("0123456789abcdef", out[2]) ||
			    !strchr("0123456789abcdef", out[3]))
				return -1;
			raw[n++] = (unsigned char)v;
			out += 4;
		} else if ((unsigned char)*out < 0x20 ||
		    (unsigned char)*out >= 0x7f || *out == '"')
			return -1;
		else
			raw[n++] = (unsigned char)*out++;
	}
	return (long)n;
}

/* Every size and many inputs: the properties, not examples. */
static void
test_escape_props(void)
{
	unsigned char in[48], raw[256];
	char buf[256];
	size_t size, len, k, bad = 0, cases = 0, fitbad = 0;
	unsigned seed = 12345;
	long n;

	for (k = 0; k < 2000; k++) {
		len = k % sizeof(in);
		for (size_t j = 0; j < len; j++) {
			seed = seed * 1103515245 + 12345;
			/* Mostly printable, some of everything. */
			in[j] = (unsigned char)(seed >> 16) % 4 ? (unsigned char)
			    (' ' + (seed >> 8) % 95) : (unsigned char)(seed >> 20);
		}
		for (size = 1; size < 200; size += 1 + size / 8) {
			size_t need = 0, o;

			cases++;
			for (size_t j = 0; j < len; j++)
				need += in[j] >= 0x20 && in[j] < 0x7f &&
				    in[j] != '"' && in[j] != '\\' ? 1 : 4;
			memset(buf, CANARY, sizeof(buf));
			log_escape(buf, size, (const char *)in, len);
			if ((unsigned char)buf[size] != CANARY ||
			    memchr(buf, '\0', size) == NULL) {
				bad++;
				continue;
			}
			o = strlen(buf);
			if (need < size) {
				/* Fits: all of it, exactly. */
				n = unescape(buf, raw, sizeof(raw));
				if (n != (long)len || memcmp(raw, in, len) != 0)
					fitbad++;
				continue;
			}
			/* Cut: a prefix, then "..." when there is room. */
			if (size > 4 && (o < 3 || strcmp(buf + o - 3, "...")))
				bad++;
			else if (size > 4) {
				buf[o - 3] = '\0';
				n = unescape(buf, raw, sizeof(raw));
				if (n < 0 || memcmp(raw, in, (size_t)n) != 0)
					bad++;
			} else if (o != 0)
				bad++;
		}
	}
	ok(bad == 0, "log_escape: %zu size/input cases in bounds, "
	    "NUL-terminated, cut to a well-formed prefix + \"...\" "
	    "(%zu bad)", cases, bad);
	ok(fitbad == 0, "log_escape: output that fits is never cut and "
	    "unescapes to the input (%zu bad)", fitbad);
}

static void
test_pqmsg(void)
{
	char buf[128];

	ok_str(log_pqmsg(buf, sizeof(buf), "ERROR:  boom\n"), "ERROR:  boom",
	    "log_pqmsg strips the trailing newline");
	ok_str(log_pqmsg(buf, sizeof(buf), "a\r\n\n"), "a",
	    "log_pqmsg strips trailing CR/LF");
	ok_str(log_pqmsg(buf, sizeof(buf),
	    "connection failed\n\tIs the server running?\n"),
	    "connection failed Is the server running?",
	    "log_pqmsg joins lines with one blank");
	ok_str(log_pqmsg(buf, sizeof(buf), NULL), "", "log_pqmsg NULL");
	ok_str(log_pqmsg(buf, sizeof(buf), "bad \"x\"\x01"),
	    "bad \\x22x\\x22\\x01", "log_pqmsg escapes what remains");
	ok(strlen(log_pqmsg(buf, 10, "a long libpq message\n")) < 10,
	    "log_pqmsg stays within size");
}

static void
test_level(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		enum log_level	 l;
	} t[] = {
		{ "error", 1, LOG_ERROR }, { "warn", 1, LOG_WARN },
		{ "info", 1, LOG_INFO }, { "debug", 1, LOG_DEBUG },
		{ "INFO", 0, 0 }, { "warning", 0, 0 }, { "", 0, 0 },
		{ "info ", 0, 0 }, { "trace", 0, 0 },
	};
	enum log_level l;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		l = (enum log_level)99;
		ok(log_level_parse(t[i].s, &l) == t[i].ok &&
		    (!t[i].ok || l == t[i].l), "log_level_parse %s \"%s\"",
		    t[i].ok ? "accepts" : "rejects", t[i].s);
	}
}

static void
test_status(void)
{
	static const struct {
		enum status	 st;
		int		 http;
	} t[] = {
		{ ST_OK, 200 }, { ST_BAD_REQUEST, 400 },
		{ ST_UNAUTHORIZED, 401 }, { ST_NOT_FOUND, 404 },
		{ ST_METHOD, 405 }, { ST_TOO_LARGE, 413 },
		{ ST_MEDIA_TYPE, 415 }, { ST_TIMEOUT, 408 },
		{ ST_LENGTH_REQUIRED, 411 }, { ST_URI_TOO_LONG, 414 },
		{ ST_INTERNAL, 500 },
		{ ST_UNAVAILABLE, 503 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(status_http(t[i].st) == t[i].http &&
		    status_phrase(t[i].st) != NULL &&
		    status_word(t[i].st) != NULL,
		    "status %d maps to HTTP %d (%s)", (int)t[i].st, t[i].http,
		    status_phrase(t[i].st));
	ok(status_http(ST__MAX) == 500 && status_http((enum status)-1) ==
	    500 && status_http((enum status)1000) == 500,
	    "status out of range maps to 500");
	ok_str(status_phrase(ST_UNAUTHORIZED), "Unauthorized",
	    "status 401 phrase");
}

static void
test_rejects(void)
{
	struct rejects rj;
	static const char *const r1 = "bad signature", *const r2 = "bad json";
	time_t t0 = 1700000000 - 1700000000 % 3600;
	size_t i;
	long got;

	rejects_init(&rj, "worksome", 10);
	rejects_add(&rj, 401, r1, NULL, t0);
	rejects_add(&rj, 401, r1, NULL, t0 + 5);
	rejects_add(&rj, 401, r1, NULL, t0 + 3599);
	ok(rj.n == 1 && rj.r[0].count == 3 && rj.r[0].hour == t0 / 3600,
	    "rejects: same status, reason, hour count in one slot");
	rejects_add(&rj, 401, r1, NULL, t0 + 3600);
	ok(rj.n == 2, "rejects: the next hour is a new slot");
	rejects_add(&rj, 400, r1, NULL, t0);
	rejects_add(&rj, 401, r2, NULL, t0);
	rejects_add(&rj, 400, r2, "workerId", t0);
	rejects_add(&rj, 400, r2, "offerId", t0);
	rejects_add(&rj, 400, r2, "offerId", t0);
	ok(rj.n == 6 && rj.r[5].count == 2, "rejects: status, reason and "
	    "field each make a slot");
	rejects_add(&rj, 405, NULL, NULL, t0);
	rejects_add(&rj, 405, NULL, NULL, t0);
	ok(rj.n == 7 && rj.r[6].count == 2, "rejects: NULL reason counted");

	/*
	 * Issue 7 §2.14: past the table, counts went into the last slot,
	 * under that slot's label.  Now every kept slot counts only its own
	 * kind, and the rest are counted as dropped.
	 */
	rejects_init(&rj, "x", 10);
	for (i = 0; i < REJECTS_MAX + 10; i++)
		rejects_add(&rj, 400, r1, NULL, t0 + (time_t)i * 3600);
	rejects_add(&rj, 400, r1, NULL, t0 + (time_t)(REJECTS_MAX - 1) * 3600);
	ok(rj.n == REJECTS_MAX && rj.r[REJECTS_MAX - 1].count == 2 &&
	    rj.r[REJECTS_MAX - 1].hour == t0 / 3600 + REJECTS_MAX - 1,
	    "rejects: a full table never counts a kind under another's "
	    "label");
	ok(rj.dropped == 10, "rejects: kinds beyond the table are counted "
	    "as dropped (%ld)", rj.dropped);
	for (i = 0, got = 0; i < rj.n; i++)
		got += rj.r[i].count;
	ok(got + rj.dropped == REJECTS_MAX + 11, "rejects: every refusal "
	    "is in a slot or in dropped");
	ok(REJECTS_FLUSH_AT < REJECTS_MAX, "rejects: flushed early, well "
	    "before the table is full");
}

/* stderr into a temporary file until capture_end(); *saved keeps fd 2. */
static FILE *
capture_begin(int *saved)
{
	FILE *f;

	if ((f = tmpfile()) == NULL)
		abort();
	fflush(stderr);
	*saved = dup(2);
	dup2(fileno(f), 2);
	return f;
}

static void
capture_end(int saved)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

/*
 * Issue 7 §2.14: a database message was escaped by log_pqmsg and again by
 * log_request, so a '"' showed as \x5cx22.  The request line is read
 * back from stderr.
 */
static void
test_request_line(void)
{
	struct log_request r;
	char why[256], line[1024];
	FILE *f;
	int saved;

	log_pqmsg(why, sizeof(why), "ERROR:  invalid input syntax for type "
	    "json: \"x\"\n");
	f = capture_begin(&saved);
	memset(&r, 0, sizeof(r));
	r.endpoint = "updatedge/x";
	r.method = "POST\r\n";
	r.http = 500;
	r.usec = 12;
	r.duplicate = -1;
	r.reason = why;
	log_request(&r);
	r.method = "GET";
	r.http = 400;
	r.reason = "raw \"quote\"\x01";
	log_request(&r);
	capture_end(saved);
	rewind(f);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	ok(strstr(line, "reason=\"ERROR:  invalid input syntax for type json: "
	    "\\x22x\\x22\"") != NULL && strstr(line, "x5cx") == NULL,
	    "log_request: a database message is escaped once (\\x22, not "
	    "\\x5cx22)");
	ok(strstr(line, "method=POST\\x0d\\x0a ") != NULL,
	    "log_request: the method is escaped");
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	ok(strstr(line, "reason=\"raw \\x22quote\\x22\\x01\"") != NULL,
	    "log_request: quotes and control bytes in a reason are still "
	    "escaped");
	fclose(f);
}

/*
 * log_hold() keeps the lines of a batch until log_release() writes them,
 * in order; a line too long to keep is written at once, after them; no
 * line is cut or lost.
 */
static void
test_hold(void)
{
	static char buf[262144];
	char want[64];
	FILE *f;
	size_t n;
	int fd, saved, i, inorder;
	long end0, end1;

	f = capture_begin(&saved);
	fd = fileno(f);
	log_hold();
	for (i = 0; i < 3; i++)
		log_info("held line %d", i);
	end0 = lseek(fd, 0, SEEK_END);
	log_release();
	end1 = lseek(fd, 0, SEEK_END);
	log_info("after");
	log_hold();
	for (i = 3; i < 400; i++)	/* more than the hold keeps */
		log_info("held line %d %0200d", i, 0);
	log_release();
	capture_end(saved);
	ok(end0 == 0 && end1 > 0, "log_hold: nothing written until "
	    "log_release (%ld, then %ld bytes)", end0, end1);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	inorder = strstr(buf, "held line 2") != NULL &&
	    strstr(buf, "held line 2") < strstr(buf, "after");
	for (i = 3; i < 400 && inorder; i++) {
		snprintf(want, sizeof(want), "held line %d 0", i);
		inorder = strstr(buf, want) != NULL;
	}
	ok(inorder && strstr(buf, "held line 0") < strstr(buf, "held line 1"),
	    "log_hold: every held line written once released, in order, "
	    "including those past what the hold keeps");
}

int
main(void)
{
	test_escape_table();
	test_escape_cut();
	test_escape_props();
	test_pqmsg();
	test_level();
	test_status();
	test_rejects();
	test_request_line();
	test_hold();
	return tap_done();
}
