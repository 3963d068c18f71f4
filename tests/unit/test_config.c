/*
 * test_config — the "key = value" file, WORKHOOKS_* overrides and
 * config_load.  Every error must name file:line and the key, and must
 * never contain a secret's value (config.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Not "config.h": in the build directory that is autoconf's generated
 * header, found first through automake's -I. (DEFAULT_INCLUDES).
 */
#include "../../common/config.h"
#include "tap.h"

/* Parse text on top of defaults; err gets the message. */
static enum status
parse(struct config *c, const char *text, char *err, size_t size)
{
	config_defaults(c);
	err[0] = '\0';
	return config_parse(c, text, strlen(text), "test.conf", err, size);
}

static int
key_is(const struct secret *s, const char *label, const char *key)
{
	return s->label != NULL && strcmp(s->label, label) == 0 &&
	    s->len == strlen(key) && memcmp(s->key, key, s->len) == 0;
}

static void
test_defaults(void)
{
	struct config c;

	config_defaults(&c);
	ok(c.digest == DIGEST_BOTH, "config default digest both");
	ok_int(c.replay_window, 300, "config default replay window 300 s");
	ok_int(c.body_limit, 1024 * 1024, "config default body limit 1 MiB");
	ok_int(c.suggestions_limit, 50, "config default suggestions limit 50");
	ok_int(c.reject_flush, 10, "config default reject flush 10 s");
	ok_int(c.retry_after, 30, "config default Retry-After 30 s");
	/* Below nginx's fastcgi_read_timeout and Apache's 30 s. */
	ok_int(c.statement_timeout, 10000, "config default statement_timeout "
	    "10 s");
	ok_int(c.lock_timeout, 5000, "config default lock_timeout 5 s");
	ok_int(c.body_timeout, 10000, "config default body_timeout 10 s");
	ok_int(c.notify_interval, 50, "config default notify_interval 50 ms");
	ok_int(c.store_batch, 16, "config default store_batch 16");
	ok(c.log_level == LOG_INFO, "config default log level info");
	ok(c.nupdatedge == 0 && c.nworksome == 0 && c.database == NULL &&
	    c.path == NULL, "config defaults: no secrets, database or path");
	config_free(&c);
}

static void
test_good(void)
{
	static const char text[] =
	    "# workhooks.conf\n"
	    "\n"
	    "   # an indented comment\n"
	    "\t\n"
	    "database = dbname=workhooks host=/run/postgresql\n"
	    "suggestions_database = \"  dbname=ro  \"\n"
	    "updatedge_secret.primary = abc#def # not a comment\n"
	    "updatedge_secret.next = \"quoted \\\" secret \\\\ x\"\n"
	    "worksome_secret.reg-1 = tHizIsAnX@mp|E\n"
	    "worksome_secret.reg.2=It's a Secret to Everybody\n"
	    "updatedge_digest = hmac\n"
	    "updatedge_replay_window\t=\t120\n"
	    "body_limit = 2048\r\n"
	    "suggestions_limit = 10   \n"
	    "reject_flush_interval = 0\n"
	    "retry_after = 5\n"
	    "log_level = debug";		/* no final newline */
	struct config c;
	char err[256];

	ok(parse(&c, text, err, sizeof(err)) == ST_OK, "config good file "
	    "parses");
	if (err[0] != '\0')
		diag("err: %s", err);
	ok_str(c.database, "dbname=workhooks host=/run/postgresql",
	    "config database value (inner blanks and '=' kept)");
	ok_str(c.suggestions_database, "  dbname=ro  ",
	    "config quoted value keeps its blanks");
	ok(c.nupdatedge == 2, "config two updatedge secrets");
	ok(key_is(&c.updatedge[0], "primary", "abc#def # not a comment"),
	    "config '#' inside a value is part of it");
	ok(key_is(&c.updatedge[1], "next", "quoted \" secret \\ x"),
	    "config quoted value with \\\" and \\\\ escapes");
	ok(c.nworksome == 2 && key_is(&c.worksome[0], "reg-1",
	    "tHizIsAnX@mp|E") && key_is(&c.worksome[1], "reg.2",
	    "It's a Secret to Everybody"), "config worksome secrets with "
	    "labels, in file order");
	ok(c.digest == DIGEST_HMAC, "config updatedge_digest hmac");
	ok_int(c.replay_window, 120, "config replay window (tabs around =)");
	ok_int(c.body_limit, 2048, "config body_limit (CRLF line)");
	ok_int(c.suggestions_limit, 10, "config suggestions_limit (trailing "
	    "blanks)");
	ok_int(c.reject_flush, 0, "config reject_flush_interval 0");
	ok_int(c.retry_after, 5, "config retry_after");
	ok(c.log_level == LOG_DEBUG, "config log_level debug (last line "
	    "without newline)");
	config_free(&c);
	ok(c.database == NULL && c.nupdatedge == 0 && c.nworksome == 0,
	    "config_free clears the struct");

	static const struct {
		const char *v;
		enum digest_mode d;
	} modes[] = { { "both", DIGEST_BOTH }, { "hmac", DIGEST_HMAC },
	    { "concat", DIGEST_CONCAT } };
	size_t i;
	char line[64];

	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "updatedge_digest = %s\n",
		    modes[i].v);
		ok(parse(&c, line, err, sizeof(err)) == ST_OK &&
		    c.digest == modes[i].d, "config updatedge_digest %s",
		    modes[i].v);
		config_free(&c);
	}
	static const char *const levels[] = { "error", "warn", "info",
	    "debug" };
	for (i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "log_level = %s\n", levels[i]);
		ok(parse(&c, line, err, sizeof(err)) == ST_OK &&
		    c.log_level == (enum log_level)i, "config log_level %s",
		    levels[i]);
		config_free(&c);
	}

	/* Replacing a label; a later line wins for plain keys too. */
	ok(parse(&c, "updatedge_secret.a = one\nupdatedge_secret.b = two\n"
	    "updatedge_secret.a = three\ndatabase = x\ndatabase = y\n", err,
	    sizeof(err)) == ST_OK && c.nupdatedge == 2 &&
	    key_is(&c.updatedge[0], "a", "three") &&
	    key_is(&c.updatedge[1], "b", "two"), "config a repeated label "
	    "replaces its secret in place");
	ok_str(c.database, "y", "config a repeated key: the last one wins");
	config_free(&c);

	/* Edges that are fine. */
	ok(parse(&c, "", err, sizeof(err)) == ST_OK, "config empty file");
	config_free(&c);
	ok(parse(&c, "\n\n# only comments\n", err, sizeof(err)) == ST_OK,
	    "config comments only");
	config_free(&c);
	ok(parse(&c, "database =\n", err, sizeof(err)) == ST_OK &&
	    c.database != NULL && c.database[0] == '\0',
	    "config empty database value is \"\" (libpq defaults)");
	config_free(&c);
	ok(parse(&c, "worksome_secret.x = \"\\\"\"\n", err, sizeof(err)) ==
	    ST_OK && key_is(&c.worksome[0], "x", "\""),
	    "config quoted secret of one '\"'");
	config_free(&c);
	ok(parse(&c, "worksome_secret.x = \"a\"b\"\n", err, sizeof(err)) ==
	    ST_OK && key_is(&c.worksome[0], "x", "a\"b"),
	    "config unescaped inner quote kept");
	config_free(&c);
	ok(parse(&c, "worksome_secret.x = a\"\n", err, sizeof(err)) ==
	    ST_OK && key_is(&c.worksome[0], "x", "a\""),
	    "config a value ending in '\"' is not unquoted");
	config_free(&c);
	{
		static const char nul[] = "worksome_secret.bin = a\0b\n";

		config_defaults(&c);
		ok(config_parse(&c, nul, sizeof(nul) - 1, "t", err,
		    sizeof(err)) == ST_OK && c.nworksome == 1 &&
		    c.worksome[0].len == 3 &&
		    memcmp(c.worksome[0].key, "a\0b", 3) == 0,
		    "config a secret may hold any byte, NUL included (protocol §3)");
		config_free(&c);
		static const char nul2[] = "database = a\0b\n";

		config_defaults(&c);
		ok(config_parse(&c, nul2, sizeof(nul2) - 1, "t", err,
		    sizeof(err)) == ST_BAD_REQUEST,
		    "config a NUL byte in a plain value rejected");
		config_free(&c);
	}
	/* config_parse adds to what cfg holds. */
	config_defaults(&c);
	config_parse(&c, "updatedge_secret.a = one\n", 25, "f1", err,
	    sizeof(err));
	config_parse(&c, "updatedge_secret.b = two\n", 25, "f2", err,
	    sizeof(err));
	ok(c.nupdatedge == 2, "config_parse adds on top of cfg");
	config_free(&c);
}

/* A long printable secret of n bytes. */
static char *
secret(size_t n)
{
	char *s = malloc(n + 1);
	size_t i;

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++)
		s[i] = (char)('A' + i % 26);
	s[n] = '\0';
	return s;
}

static void
test_bounds(void)
{
	static const struct {
		const char	*key, *val;
		int		 ok;
		long		 want;
	} t[] = {
		{ "updatedge_replay_window", "1", 1, 1 },
		{ "updatedge_replay_window", "86400", 1, 86400 },
		{ "updatedge_replay_window", "0", 0, 0 },
		{ "updatedge_replay_window", "86401", 0, 0 },
		{ "updatedge_replay_window", "-5", 0, 0 },
		{ "updatedge_replay_window", "+5", 0, 0 },
		{ "updatedge_replay_window", "12abc", 0, 0 },
		{ "updatedge_replay_window", "abc", 0, 0 },
		{ "updatedge_replay_window", "1 2", 0, 0 },
		{ "updatedge_replay_window", "0x10", 0, 0 },
		{ "updatedge_replay_window", "1e3", 0, 0 },
		{ "updatedge_replay_window", "3.5", 0, 0 },
		{ "updatedge_replay_window", "", 0, 0 },
		{ "updatedge_replay_window", "99999999999999999999", 0, 0 },
		{ "updatedge_replay_window", "\"60\"", 1, 60 },
		{ "updatedge_replay_window", "0060", 1, 60 },
		{ "body_limit", "1024", 1, 1024 },
		{ "body_limit", "1023", 0, 0 },
		{ "body_limit", "67108864", 1, 67108864 },
		{ "body_limit", "67108865", 0, 0 },
		{ "body_limit", "1M", 0, 0 },
		{ "suggestions_limit", "1", 1, 1 },
		{ "suggestions_limit", "1000", 1, 1000 },
		{ "suggestions_limit", "0", 0, 0 },
		{ "suggestions_limit", "1001", 0, 0 },
		{ "reject_flush_interval", "0", 1, 0 },
		{ "reject_flush_interval", "3600", 1, 3600 },
		{ "reject_flush_interval", "3601", 0, 0 },
		{ "reject_flush_interval", "-1", 0, 0 },
		{ "retry_after", "1", 1, 1 },
		{ "retry_after", "86400", 1, 86400 },
		{ "retry_after", "0", 0, 0 },
		{ "retry_after", "86401", 0, 0 },
		/* Durations, kept in ms: seconds, "s" or "ms". */
		{ "statement_timeout", "10", 1, 10000 },
		{ "statement_timeout", "10s", 1, 10000 },
		{ "statement_timeout", "250ms", 1, 250 },
		{ "statement_timeout", "0", 1, 0 },
		{ "statement_timeout", "3600", 1, 3600000 },
		{ "statement_timeout", "3601", 0, 0 },
		{ "statement_timeout", "3600001ms", 0, 0 },
		{ "statement_timeout", "1.5", 0, 0 },
		{ "statement_timeout", "-1", 0, 0 },
		{ "statement_timeout", "10 s", 0, 0 },
		{ "statement_timeout", "10min", 0, 0 },
		{ "statement_timeout", "ms", 0, 0 },
		{ "statement_timeout", "", 0, 0 },
		{ "statement_timeout", "99999999999999999999", 0, 0 },
		{ "lock_timeout", "5", 1, 5000 },
		{ "lock_timeout", "100ms", 1, 100 },
		{ "lock_timeout", "0s", 1, 0 },
		{ "lock_timeout", "x", 0, 0 },
		{ "body_timeout", "10", 1, 10000 },
		{ "body_timeout", "1500ms", 1, 1500 },
		{ "body_timeout", "0", 1, 0 },
		{ "body_timeout", "4000", 0, 0 },
		{ "notify_interval", "50ms", 1, 50 },
		{ "notify_interval", "0", 1, 0 },
		{ "notify_interval", "10s", 1, 10000 },
		{ "notify_interval", "11", 0, 0 },
		{ "notify_interval", "50", 0, 0 },
		{ "store_batch", "1", 1, 1 },
		{ "store_batch", "64", 1, 64 },
		{ "store_batch", "0", 0, 0 },
		{ "store_batch", "65", 0, 0 },
		{ "store_batch", "8ms", 0, 0 },
	};
	struct config c;
	char text[256], err[256];
	size_t i;
	long got;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "%s = %s\n", t[i].key, t[i].val);
		if (t[i].ok) {
			ok(parse(&c, text, err, sizeof(err)) == ST_OK,
			    "config %s = %s accepted", t[i].key, t[i].val);
			got = strcmp(t[i].key, "body_limit") == 0 ?
			    c.body_limit : strcmp(t[i].key,
			    "suggestions_limit") == 0 ? c.suggestions_limit :
			    strcmp(t[i].key, "reject_flush_interval") == 0 ?
			    c.reject_flush : strcmp(t[i].key, "retry_after") ==
			    0 ? c.retry_after : strcmp(t[i].key,
			    "statement_timeout") == 0 ? c.statement_timeout :
			    strcmp(t[i].key, "lock_timeout") == 0 ?
			    c.lock_timeout : strcmp(t[i].key, "body_timeout") ==
			    0 ? c.body_timeout : strcmp(t[i].key,
			    "notify_interval") == 0 ? c.notify_interval :
			    strcmp(t[i].key, "store_batch") == 0 ?
			    c.store_batch :
			    c.replay_window;
			ok_int(got, t[i].want, "config %s = %s is %ld",
			    t[i].key, t[i].val, t[i].want);
		} else
			ok(parse(&c, text, err, sizeof(err)) ==
			    ST_BAD_REQUEST && strstr(err, "test.conf:1: ") ==
			    err && strstr(err, t[i].key) != NULL,
			    "config %s = %s rejected naming file:line and key",
			    t[i].key, t[i].val);
		config_free(&c);
	}

	/* Secret length: 255 bytes is the most (protocol §3). */
	char *s255 = secret(255), *s256 = secret(256), *big;

	if ((big = malloc(600)) == NULL)
		abort();
	snprintf(big, 600, "worksome_secret.max = %s\n", s255);
	ok(parse(&c, big, err, sizeof(err)) == ST_OK && c.nworksome == 1 &&
	    c.worksome[0].len == 255, "config 255-byte secret accepted");
	config_free(&c);
	snprintf(big, 600, "worksome_secret.max = %s\n", s256);
	ok(parse(&c, big, err, sizeof(err)) == ST_BAD_REQUEST &&
	    strstr(err, s256) == NULL && strstr(err, "ABCDEFGHIJ") == NULL,
	    "config 256-byte secret rejected, value not in the message");
	config_free(&c);
	snprintf(big, 600, "updatedge_secret.max = \"%s\"\n", s255);
	ok(parse(&c, big, err, sizeof(err)) == ST_OK && c.nupdatedge == 1 &&
	    c.updatedge[0].len == 255, "config quoted 255-byte secret "
	    "accepted (quotes not counted)");
	config_free(&c);
	free(s255);
	free(s256);
	free(big);

	/* At most CONFIG_MAX_SECRETS per vendor. */
	char many[2048];
	size_t o = 0;

	for (i = 0; i < CONFIG_MAX_SECRETS; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o,
		    "updatedge_secret.s%zu = v%zu\n", i, i);
	ok(parse(&c, many, err, sizeof(err)) == ST_OK &&
	    c.nupdatedge == CONFIG_MAX_SECRETS, "config %d secrets accepted",
	    CONFIG_MAX_SECRETS);
	config_free(&c);
	snprintf(many + o, sizeof(many) - o, "updatedge_secret.extra = "
	    "SeKrIt17\n");
	ok(parse(&c, many, err, sizeof(err)) == ST_BAD_REQUEST &&
	    strstr(err, "test.conf:17: ") == err &&
	    strstr(err, "SeKrIt17") == NULL, "config secret %d rejected at "
	    "its line, value not in the message", CONFIG_MAX_SECRETS + 1);
	config_free(&c);
}

/* Every bad line: refused, the message names file:line, never a secret. */
static void
test_errors(void)
{
	static const struct {
		const char	*text;
		int		 line;
		const char	*key;		/* NULL: line error, no key */
		const char	*what;
	} t[] = {
		{ "nonsense = SeKrIt\n", 1, "nonsense", "unknown key" },
		{ "updatedge_secret = SeKrIt\n", 1, "updatedge_secret",
		    "secret without a label" },
		{ "updatedge_secret. = SeKrIt\n", 1, "updatedge_secret.",
		    "empty label" },
		{ "updatedge_secret.a!b = SeKrIt\n", 1, "updatedge_secret.a!b",
		    "label with '!'" },
		{ "worksome_secret.a/b = SeKrIt\n", 1, "worksome_secret.a/b",
		    "label with '/'" },
		{ "worksome_secret.\xc3\xa9 = SeKrIt\n", 1, "worksome_secret.",
		    "non-ASCII label" },
		{ "worksome_secret.a = \n", 1, "worksome_secret.a",
		    "empty secret" },
		{ "worksome_secret.a = \"\"\n", 1, "worksome_secret.a",
		    "empty quoted secret" },
		{ "updatedge_secret.a SeKrIt\n", 1, NULL, "no '=' (secret line)" },
		{ "updatedge_secret.a\n", 1, NULL, "key alone" },
		{ "database\n", 1, NULL, "line without '='" },
		{ "= SeKrIt\n", 1, NULL, "empty key" },
		{ "  = SeKrIt\n", 1, NULL, "blank key" },
		{ "updatedge secret.a = SeKrIt\n", 1, NULL, "blank inside key" },
		{ "updatedge_digest = sha256\n", 1, "updatedge_digest",
		    "bad digest mode" },
		{ "updatedge_digest = HMAC\n", 1, "updatedge_digest",
		    "digest mode is case-sensitive" },
		{ "updatedge_digest = \n", 1, "updatedge_digest",
		    "empty digest mode" },
		{ "log_level = verbose\n", 1, "log_level", "bad log level" },
		{ "log_level = INFO\n", 1, "log_level",
		    "log level is case-sensitive" },
		{ "Database = x\n", 1, "Database", "keys are case-sensitive" },
		{ "# one\n\n# three\nretry_after = soon\n", 4, "retry_after",
		    "line number counts comments and blanks" },
		{ "database = x\r\nbody_limit = big\r\n", 2, "body_limit",
		    "line number with CRLF" },
		{ "updatedge_secret.ok = SeKrIt\nbogus = 1\n", 2, "bogus",
		    "error after a good secret" },
	};
	struct config c;
	char err[256], want[64];
	size_t i;
	enum status st;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		st = parse(&c, t[i].text, err, sizeof(err));
		snprintf(want, sizeof(want), "test.conf:%d: ", t[i].line);
		ok(st == ST_BAD_REQUEST && strncmp(err, want, strlen(want)) ==
		    0 && (t[i].key == NULL || strstr(err, t[i].key) != NULL) &&
		    strstr(err, "SeKrIt") == NULL, "config error: %s "
		    "(test.conf:%d%s%s, no secret)", t[i].what, t[i].line,
		    t[i].key ? ", " : "", t[i].key ? t[i].key : "");
		if (st != ST_BAD_REQUEST || strstr(err, "SeKrIt") != NULL)
			diag("err: %s", err);
		config_free(&c);
	}

	/* A key of 128 bytes or more is an error, not an overflow. */
	char text[400];

	memset(text, 'k', 300);
	memcpy(text + 300, " = SeKrIt\n", sizeof(" = SeKrIt\n"));
	ok(parse(&c, text, err, sizeof(err)) == ST_BAD_REQUEST &&
	    strstr(err, "test.conf:1: ") == err &&
	    strstr(err, "SeKrIt") == NULL, "config 300-byte key rejected");
	config_free(&c);
	snprintf(text, sizeof(text), "updatedge_secret.%.63s = v\n",
	    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl");
	ok(parse(&c, text, err, sizeof(err)) == ST_OK,
	    "config 63-character label accepted");
	config_free(&c);
	snprintf(text, sizeof(text), "updatedge_secret.%.64s = SeKrIt\n",
	    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm");
	ok(parse(&c, text, err, sizeof(err)) == ST_BAD_REQUEST &&
	    strstr(err, "SeKrIt") == NULL, "config 64-character label "
	    "rejected");
	config_free(&c);

	/* A tiny error buffer is still a string. */
	char small[8];

	memset(small, 'x', sizeof(small));
	config_defaults(&c);
	ok(config_parse(&c, "bogus = 1\n", 10, "a-long-file-name.conf",
	    small, sizeof(small)) == ST_BAD_REQUEST &&
	    memchr(small, '\0', sizeof(small)) != NULL,
	    "config error message cut to a small buffer, NUL-terminated");
	config_free(&c);
}

static void
clear_env(void)
{
	static const char *const vars[] = {
		"WORKHOOKS_DATABASE", "WORKHOOKS_SUGGESTIONS_DATABASE",
		"WORKHOOKS_UPDATEDGE_DIGEST", "WORKHOOKS_UPDATEDGE_REPLAY_WINDOW",
		"WORKHOOKS_BODY_LIMIT", "WORKHOOKS_SUGGESTIONS_LIMIT",
		"WORKHOOKS_REJECT_FLUSH_INTERVAL", "WORKHOOKS_RETRY_AFTER",
		"WORKHOOKS_LOG_LEVEL", "WORKHOOKS_UPDATEDGE_SECRET",
		"WORKHOOKS_WORKSOME_SECRET", "WORKHOOKS_CONFIG",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static void
test_env(void)
{
	struct config c;
	char err[256];
	static const char file[] = "updatedge_secret.a = one\n"
	    "updatedge_secret.b = two\nworksome_secret.w = three\n"
	    "database = filedb\nbody_limit = 4096\n";

	clear_env();
	ok(parse(&c, file, err, sizeof(err)) == ST_OK &&
	    config_env(&c, err, sizeof(err)) == ST_OK && c.nupdatedge == 2 &&
	    c.nworksome == 1, "config_env with no variables changes nothing");
	config_free(&c);

	setenv("WORKHOOKS_UPDATEDGE_SECRET", "from-env", 1);
	ok(parse(&c, file, err, sizeof(err)) == ST_OK &&
	    config_env(&c, err, sizeof(err)) == ST_OK && c.nupdatedge == 1 &&
	    key_is(&c.updatedge[0], "env", "from-env") && c.nworksome == 1,
	    "config WORKHOOKS_UPDATEDGE_SECRET replaces the file's updatedge "
	    "secrets with label env");
	config_free(&c);
	unsetenv("WORKHOOKS_UPDATEDGE_SECRET");

	setenv("WORKHOOKS_WORKSOME_SECRET", "ws-env", 1);
	ok(parse(&c, file, err, sizeof(err)) == ST_OK &&
	    config_env(&c, err, sizeof(err)) == ST_OK && c.nworksome == 1 &&
	    key_is(&c.worksome[0], "env", "ws-env") && c.nupdatedge == 2,
	    "config WORKHOOKS_WORKSOME_SECRET replaces the file's worksome "
	    "secrets with label env");
	config_free(&c);
	unsetenv("WORKHOOKS_WORKSOME_SECRET");

	setenv("WORKHOOKS_UPDATEDGE_SECRET", "", 1);
	ok(parse(&c, file, err, sizeof(err)) == ST_OK &&
	    config_env(&c, err, sizeof(err)) == ST_OK && c.nupdatedge == 2,
	    "config an empty WORKHOOKS_UPDATEDGE_SECRET is ignored");
	config_free(&c);
	unsetenv("WORKHOOKS_UPDATEDGE_SECRET");

	setenv("WORKHOOKS_DATABASE", "envdb", 1);
	setenv("WORKHOOKS_SUGGESTIONS_DATABASE", "rodb", 1);
	setenv("WORKHOOKS_UPDATEDGE_DIGEST", "concat", 1);
	setenv("WORKHOOKS_UPDATEDGE_REPLAY_WINDOW", "42", 1);
	setenv("WORKHOOKS_BODY_LIMIT", "8192", 1);
	setenv("WORKHOOKS_SUGGESTIONS_LIMIT", "7", 1);
	setenv("WORKHOOKS_REJECT_FLUSH_INTERVAL", "3", 1);
	setenv("WORKHOOKS_RETRY_AFTER", "9", 1);
	setenv("WORKHOOKS_LOG_LEVEL", "warn", 1);
	ok(parse(&c, file, err, sizeof(err)) == ST_OK &&
	    config_env(&c, err, sizeof(err)) == ST_OK, "config_env all "
	    "overrides accepted");
	ok_str(c.database, "envdb", "config WORKHOOKS_DATABASE overrides");
	ok_str(c.suggestions_database, "rodb",
	    "config WORKHOOKS_SUGGESTIONS_DATABASE overrides");
	ok(c.digest == DIGEST_CONCAT, "config WORKHOOKS_UPDATEDGE_DIGEST");
	ok_int(c.replay_window, 42, "config WORKHOOKS_UPDATEDGE_REPLAY_WINDOW");
	ok_int(c.body_limit, 8192, "config WORKHOOKS_BODY_LIMIT");
	ok_int(c.suggestions_limit, 7, "config WORKHOOKS_SUGGESTIONS_LIMIT");
	ok_int(c.reject_flush, 3, "config WORKHOOKS_REJECT_FLUSH_INTERVAL");
	ok_int(c.retry_after, 9, "config WORKHOOKS_RETRY_AFTER");
	ok(c.log_level == LOG_WARN, "config WORKHOOKS_LOG_LEVEL");
	config_free(&c);
	clear_env();

	static const struct {
		const char *var, *val;
	} bad[] = {
		{ "WORKHOOKS_UPDATEDGE_REPLAY_WINDOW", "12abc" },
		{ "WORKHOOKS_UPDATEDGE_REPLAY_WINDOW", "-1" },
		{ "WORKHOOKS_BODY_LIMIT", "1" },
		{ "WORKHOOKS_UPDATEDGE_DIGEST", "md5" },
		{ "WORKHOOKS_LOG_LEVEL", "loud" },
		{ "WORKHOOKS_RETRY_AFTER", "0" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv(bad[i].var, bad[i].val, 1);
		config_defaults(&c);
		ok(config_env(&c, err, sizeof(err)) == ST_BAD_REQUEST &&
		    strstr(err, bad[i].var) != NULL, "config_env %s=%s "
		    "rejected naming the variable", bad[i].var, bad[i].val);
		config_free(&c);
		unsetenv(bad[i].var);
	}

	char *s256 = secret(256);

	setenv("WORKHOOKS_WORKSOME_SECRET", s256, 1);
	config_defaults(&c);
	ok(config_env(&c, err, sizeof(err)) == ST_BAD_REQUEST &&
	    strstr(err, "WORKHOOKS_WORKSOME_SECRET") != NULL &&
	    strstr(err, "ABCDEFGHIJ") == NULL, "config_env 256-byte secret "
	    "rejected, value not in the message");
	config_free(&c);
	s256[255] = '\0';
	setenv("WORKHOOKS_WORKSOME_SECRET", s256, 1);
	config_defaults(&c);
	ok(config_env(&c, err, sizeof(err)) == ST_OK && c.nworksome == 1 &&
	    c.worksome[0].len == 255, "config_env 255-byte secret accepted");
	config_free(&c);
	free(s256);
	clear_env();
}

static void
test_load(void)
{
	struct config c;
	char err[512], path[] = "/tmp/wh-test-config-XXXXXX";
	FILE *f;
	int fd;

	clear_env();
	setenv("WORKHOOKS_CONFIG", "/nonexistent/workhooks-test.conf", 1);
	err[0] = '\0';
	ok(config_load(&c, err, sizeof(err)) != ST_OK &&
	    strstr(err, "/nonexistent/workhooks-test.conf") != NULL,
	    "config_load: WORKHOOKS_CONFIG naming a missing file is an error "
	    "naming it");
	config_free(&c);

	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		ok(0, "config_load: temporary file");
		return;
	}
	fputs("# test\nupdatedge_secret.file = SeKrIt\nbody_limit = 4096\n",
	    f);
	fclose(f);
	setenv("WORKHOOKS_CONFIG", path, 1);
	setenv("WORKHOOKS_BODY_LIMIT", "2048", 1);
	ok(config_load(&c, err, sizeof(err)) == ST_OK && c.path != NULL &&
	    strcmp(c.path, path) == 0 && c.nupdatedge == 1 &&
	    key_is(&c.updatedge[0], "file", "SeKrIt") &&
	    c.body_limit == 2048 && c.replay_window == 300,
	    "config_load: defaults, then the file, then the environment");
	config_free(&c);
	unsetenv("WORKHOOKS_BODY_LIMIT");

	if ((f = fopen(path, "w")) != NULL) {
		fputs("updatedge_secret.file = SeKrIt\n\nbody_limit = huge\n",
		    f);
		fclose(f);
	}
	ok(config_load(&c, err, sizeof(err)) != ST_OK &&
	    strstr(err, path) == err && strstr(err, ":3: body_limit") !=
	    NULL && strstr(err, "SeKrIt") == NULL,
	    "config_load: a bad file names path:line and key");
	config_free(&c);

	unlink(path);
	clear_env();
}

int
main(void)
{
	test_defaults();
	test_good();
	test_bounds();
	test_errors();
	test_env();
	test_load();
	return tap_done();
}
