/*
 * test_auth — updatedge (protocol §2.1) and Worksome (protocol §3.1) signatures,
 * against the independent vectors in $VECTORS and against tables of
 * malformed headers.  The clock is injected (auth_updatedge's now), so
 * the vectors' years-old timestamps are fresh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "../../common/config.h"	/* not autoconf's config.h */
#include "tap.h"

#define UE_SECRET	"0da22586-719c-433b-bd81-d66ec6d5b932"
#define WS_SECRET	"tHizIsAnX@mp|E"
#define GH_SECRET	"It's a Secret to Everybody"
/* 2018-11-26T10:55:00Z, the instant of both updatedge vector timestamps. */
#define T_1055		1543229700

static const char *const modes[] = { "both", "hmac", "concat" };

static void
add(struct secret *s, size_t *n, const char *label, const char *key)
{
	s[*n].label = strdup(label);
	s[*n].len = strlen(key);
	s[*n].key = malloc(s[*n].len + 1);
	if (s[*n].label == NULL || s[*n].key == NULL)
		abort();
	memcpy(s[*n].key, key, s[*n].len);
	(*n)++;
}

static void
cfg_ue(struct config *c, enum digest_mode d, const char *label,
    const char *key)
{
	config_defaults(c);
	c->digest = d;
	if (key != NULL)
		add(c->updatedge, &c->nupdatedge, label, key);
}

static void
cfg_ws(struct config *c, const char *label, const char *key)
{
	config_defaults(c);
	if (key != NULL)
		add(c->worksome, &c->nworksome, label, key);
}

static void
hex(const unsigned char *d, size_t n, char *out, int upper)
{
	const char *x = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* HMAC-SHA256(key, msg) as lower-case hex, for made-up timestamps. */
static void
hmac_hex(const char *key, const void *msg, size_t mlen, char out[65])
{
	unsigned char d[32];
	unsigned int n = 0;

	if (HMAC(EVP_sha256(), key, (int)strlen(key), msg, mlen, d, &n) ==
	    NULL || n != 32)
		abort();
	hex(d, 32, out, 0);
}

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static void
upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

/* auth_updatedge with the one secret UE_SECRET labelled "docs". */
static enum status
ue(enum digest_mode d, const char *ts, const char *authz, time_t now)
{
	struct config c;
	struct wtime at;
	const char *why = NULL, *l = "stale";
	enum status st;

	cfg_ue(&c, d, "docs", UE_SECRET);
	st = auth_updatedge(&c, ts, authz, now, &l, &at, &why);
	/* A refusal must give a log reason; a success the secret's label. */
	if (st != ST_OK && (why == NULL || l != NULL))
		st = ST__MAX;
	if (st == ST_OK && (l == NULL || strcmp(l, "docs") != 0))
		st = ST__MAX;
	config_free(&c);
	return st;
}

/* --- the vectors ---------------------------------------------------------- */

struct ue_row {
	char ts[64], how[16], digest[80];
};

struct ws_row {
	char file[128], header[32], sig[128];
};

static size_t
split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

/* Rows of updatedge-digests.tsv, and the placeholder from its comment. */
static size_t
load_ue(struct ue_row *rows, size_t max, char placeholder[65])
{
	size_t len, n = 0, k;
	char *text, *line, *save = NULL, *f[4], *p;

	placeholder[0] = '\0';
	if ((text = tap_slurp(NULL, "updatedge-digests.tsv", &len)) == NULL)
		return 0;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#') {
			if ((p = strstr(line, "rejected for every timestamp:")) !=
			    NULL) {
				p += strlen("rejected for every timestamp:");
				p += strspn(p, " ");
				if (strspn(p, "0123456789abcdefABCDEF") >= 64) {
					memcpy(placeholder, p, 64);
					placeholder[64] = '\0';
				}
			}
			continue;
		}
		if (n == max || split(line, f, 4) != 3)
			continue;
		k = strlen(f[2]);
		if (k > 0 && f[2][k - 1] == '\r')
			f[2][k - 1] = '\0';
		snprintf(rows[n].ts, sizeof(rows[n].ts), "%s", f[0]);
		snprintf(rows[n].how, sizeof(rows[n].how), "%s", f[1]);
		snprintf(rows[n].digest, sizeof(rows[n].digest), "%s", f[2]);
		n++;
	}
	free(text);
	return n;
}

static size_t
load_ws(struct ws_row *rows, size_t max)
{
	size_t len, n = 0, k;
	char *text, *line, *save = NULL, *f[4];

	if ((text = tap_slurp(NULL, "worksome-signatures.tsv", &len)) == NULL)
		return 0;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || n == max || split(line, f, 4) != 3)
			continue;
		k = strlen(f[2]);
		if (k > 0 && f[2][k - 1] == '\r')
			f[2][k - 1] = '\0';
		snprintf(rows[n].file, sizeof(rows[n].file), "%s", f[0]);
		snprintf(rows[n].header, sizeof(rows[n].header), "%s", f[1]);
		snprintf(rows[n].sig, sizeof(rows[n].sig), "%s", f[2]);
		n++;
	}
	free(text);
	return n;
}

/* --- updatedge ------------------------------------------------------------ */

static enum digest_mode
mode_of(const char *how)
{
	return strcmp(how, "hmac") == 0 ? DIGEST_HMAC : DIGEST_CONCAT;
}

static void
test_ue_vectors(const struct ue_row *r, size_t n, const char *placeholder)
{
	char authz[160], other[160];
	struct config c;
	struct wtime at;
	const char *label, *why;
	enum digest_mode own, foe;
	size_t i, m, j;

	for (i = 0; i < n; i++) {
		own = mode_of(r[i].how);
		foe = own == DIGEST_HMAC ? DIGEST_CONCAT : DIGEST_HMAC;
		snprintf(authz, sizeof(authz), "hmac %s", r[i].digest);

		/* Signed timestamp as parsed; the clock set to it. */
		cfg_ue(&c, DIGEST_BOTH, "docs", UE_SECRET);
		label = NULL;
		ok(auth_updatedge(&c, r[i].ts, authz, T_1055, &label, &at,
		    &why) == ST_OK && label != NULL &&
		    strcmp(label, "docs") == 0,
		    "updatedge vector %s/%s verifies (digest both), label "
		    "returned", r[i].ts, r[i].how);
		ok_int(at.sec, T_1055, "updatedge vector %s: signed_at is the "
		    "Timestamp", r[i].ts);
		config_free(&c);

		ok(ue(own, r[i].ts, authz, T_1055) == ST_OK,
		    "updatedge vector %s/%s verifies with digest pinned to %s",
		    r[i].ts, r[i].how, r[i].how);
		ok(ue(foe, r[i].ts, authz, T_1055) == ST_UNAUTHORIZED,
		    "updatedge vector %s/%s rejected with digest pinned to %s",
		    r[i].ts, r[i].how, modes[foe]);

		snprintf(other, sizeof(other), "hmac %s", r[i].digest);
		lower(other + 5);
		ok(ue(DIGEST_BOTH, r[i].ts, other, T_1055) == ST_OK,
		    "updatedge vector %s/%s: lower-case hex verifies",
		    r[i].ts, r[i].how);
		snprintf(other, sizeof(other), "HMAC %s", r[i].digest);
		ok(ue(DIGEST_BOTH, r[i].ts, other, T_1055) == ST_OK,
		    "updatedge vector %s/%s: scheme word HMAC verifies",
		    r[i].ts, r[i].how);
		snprintf(other, sizeof(other), "hMaC %s", r[i].digest);
		ok(ue(own, r[i].ts, other, T_1055) == ST_OK,
		    "updatedge vector %s/%s: scheme word hMaC verifies",
		    r[i].ts, r[i].how);

		/* Wrong secret: a one-character change. */
		cfg_ue(&c, DIGEST_BOTH, "docs",
		    "0da22586-719c-433b-bd81-d66ec6d5b933");
		ok(auth_updatedge(&c, r[i].ts, authz, T_1055, &label, &at,
		    &why) == ST_UNAUTHORIZED && label == NULL,
		    "updatedge vector %s/%s rejected with a wrong secret",
		    r[i].ts, r[i].how);
		config_free(&c);

		/* The digest covers the header text, not the instant. */
		for (j = 0; j < n; j++) {
			if (strcmp(r[j].ts, r[i].ts) == 0)
				continue;
			ok(ue(DIGEST_BOTH, r[j].ts, authz, T_1055) ==
			    ST_UNAUTHORIZED, "updatedge digest of %s rejected "
			    "for %s (same instant, other text)", r[i].ts,
			    r[j].ts);
		}
	}

	ok(strlen(placeholder) == 64, "updatedge placeholder digest found in "
	    "the vectors");
	for (i = 0; i < n; i++)
		for (m = 0; m < 3; m++) {
			snprintf(authz, sizeof(authz), "hmac %s", placeholder);
			ok(ue((enum digest_mode)m, r[i].ts, authz, T_1055) ==
			    ST_UNAUTHORIZED, "updatedge placeholder "
			    "digest rejected for %s (digest %s)", r[i].ts,
			    modes[m]);
		}
}

static void
test_ue_freshness(const struct ue_row *r, size_t n)
{
	char authz[160];
	struct config c;
	struct wtime at;
	const char *label, *why;
	size_t i;

	/* The minute-precision hmac row: its instant is T_1055. */
	for (i = 0; i < n; i++)
		if (strcmp(r[i].how, "hmac") == 0 &&
		    strcmp(r[i].ts, "2018-11-26T10:55Z") == 0)
			break;
	if (!ok(i < n, "updatedge vector 2018-11-26T10:55Z/hmac present"))
		return;
	snprintf(authz, sizeof(authz), "hmac %s", r[i].digest);

	ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055 + 300 + 60) == ST_OK,
	    "updatedge Timestamp window+60 s old accepted");
	ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055 + 300 + 60 + 1) ==
	    ST_UNAUTHORIZED, "updatedge Timestamp window+61 s old rejected");
	ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055 + 86400) ==
	    ST_UNAUTHORIZED, "updatedge Timestamp a day old rejected");
	ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055 - 300) == ST_OK,
	    "updatedge Timestamp window s in the future accepted");
	ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055 - 301) ==
	    ST_UNAUTHORIZED, "updatedge Timestamp window+1 s in the future "
	    "rejected");
	ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055 - 86400) ==
	    ST_UNAUTHORIZED, "updatedge Timestamp a day in the future "
	    "rejected");
	ok(ue(DIGEST_BOTH, r[i].ts, authz, (time_t)1700000000) ==
	    ST_UNAUTHORIZED, "updatedge vector rejected at a real clock "
	    "(2023): replay");

	/* A configured window. */
	cfg_ue(&c, DIGEST_BOTH, "docs", UE_SECRET);
	c.replay_window = 60;
	ok(auth_updatedge(&c, r[i].ts, authz, T_1055 + 120, &label, &at,
	    &why) == ST_OK, "updatedge replay_window 60: 120 s old accepted");
	ok(auth_updatedge(&c, r[i].ts, authz, T_1055 + 121, &label, &at,
	    &why) == ST_UNAUTHORIZED,
	    "updatedge replay_window 60: 121 s old rejected");
	ok(auth_updatedge(&c, r[i].ts, authz, T_1055 - 60, &label, &at,
	    &why) == ST_OK,
	    "updatedge replay_window 60: 60 s in the future accepted");
	ok(auth_updatedge(&c, r[i].ts, authz, T_1055 - 61, &label, &at,
	    &why) == ST_UNAUTHORIZED,
	    "updatedge replay_window 60: 61 s in the future rejected");
	config_free(&c);
}

static void
test_ue_headers(const struct ue_row *r, size_t n)
{
	static const struct {
		const char *name, *fmt;
	} bad[] = {
		{ "empty", "" },
		{ "scheme only", "hmac" },
		{ "scheme and blank only", "hmac " },
		{ "digest without scheme", "%s" },
		{ "no blank after scheme", "hmac%s" },
		{ "scheme word Bearer", "Bearer %s" },
		{ "scheme word hmac-sha256", "hmac-sha256 %s" },
		{ "scheme word hmacx", "hmacx %s" },
		{ "scheme word hma", "hma %s" },
		{ "leading blank", " hmac %s" },
		{ "'=' after scheme", "hmac=%s" },
		{ "sha256= prefix on the digest", "hmac sha256=%s" },
		{ "63 hex digits", "hmac %.63s" },
		{ "65 hex digits", "hmac %s0" },
		{ "trailing blank", "hmac %s " },
		{ "two digests", "hmac %s %s" },
		{ "0x prefix", "hmac 0x%.62s" },
	};
	char authz[256], mangled[80], ts[64];
	size_t i, k;

	for (i = 0; i < n; i++)
		if (strcmp(r[i].how, "hmac") == 0)
			break;
	if (!ok(i < n, "updatedge vectors have an hmac row"))
		return;

	ok(ue(DIGEST_BOTH, NULL, "hmac 00", T_1055) == ST_UNAUTHORIZED,
	    "updatedge missing Timestamp rejected");
	snprintf(authz, sizeof(authz), "hmac %s", r[i].digest);
	ok(ue(DIGEST_BOTH, NULL, authz, T_1055) == ST_UNAUTHORIZED,
	    "updatedge missing Timestamp rejected (valid Authorization)");
	ok(ue(DIGEST_BOTH, "", authz, T_1055) == ST_UNAUTHORIZED,
	    "updatedge empty Timestamp rejected");
	ok(ue(DIGEST_BOTH, r[i].ts, NULL, T_1055) == ST_UNAUTHORIZED,
	    "updatedge missing Authorization rejected");
	ok(ue(DIGEST_BOTH, r[i].ts, "", T_1055) == ST_UNAUTHORIZED,
	    "updatedge empty Authorization rejected");
	ok(ue(DIGEST_BOTH, NULL, NULL, T_1055) == ST_UNAUTHORIZED,
	    "updatedge both headers missing rejected");

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		/* The formats take the digest once or twice. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(authz, sizeof(authz), bad[k].fmt, r[i].digest,
		    r[i].digest);
#pragma GCC diagnostic pop
		ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055) ==
		    ST_UNAUTHORIZED, "updatedge Authorization malformed (%s) "
		    "rejected", bad[k].name);
	}

	/* Non-hex digits anywhere in the digest. */
	static const size_t pos[] = { 0, 31, 63 };
	static const char junk[] = { 'g', 'G', ' ', 'x', '-' };
	for (k = 0; k < sizeof(pos) / sizeof(pos[0]); k++) {
		size_t j;

		for (j = 0; j < sizeof(junk); j++) {
			snprintf(mangled, sizeof(mangled), "%s", r[i].digest);
			mangled[pos[k]] = junk[j];
			snprintf(authz, sizeof(authz), "hmac %s", mangled);
			ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055) ==
			    ST_UNAUTHORIZED, "updatedge Authorization with "
			    "non-hex '%c' at digit %zu rejected", junk[j],
			    pos[k]);
		}
	}
	/* A flipped hex digit is well-formed but wrong. */
	snprintf(mangled, sizeof(mangled), "%s", r[i].digest);
	mangled[10] = mangled[10] == '0' ? '1' : '0';
	snprintf(authz, sizeof(authz), "hmac %s", mangled);
	ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055) == ST_UNAUTHORIZED,
	    "updatedge Authorization with one hex digit changed rejected");

	/* Tolerated separators between scheme and digest. */
	snprintf(authz, sizeof(authz), "hmac  %s", r[i].digest);
	ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055) == ST_OK,
	    "updatedge Authorization with two blanks after hmac verifies");
	snprintf(authz, sizeof(authz), "hmac\t%s", r[i].digest);
	ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055) == ST_OK,
	    "updatedge Authorization with a tab after hmac verifies");
	snprintf(authz, sizeof(authz), "Hmac %s", r[i].digest);
	upper(authz + 5);
	ok(ue(DIGEST_BOTH, r[i].ts, authz, T_1055) == ST_OK,
	    "updatedge Authorization Hmac + upper-case hex verifies");

	/* Bad Timestamp with a digest that matches it: still 401. */
	static const char *const badts[] = {
		"2018-11-26 10:55Z", "2018-11-26", "2018-11-26T10:55:00.Z",
		"2018-11-26T10:55:60Z", "2018-11-26t10:55Z", "1543229700",
		"2018-11-26T10:55Z ", "2018-11-26T10:55+16:00", "garbage",
	};
	for (k = 0; k < sizeof(badts) / sizeof(badts[0]); k++) {
		char d[65];

		snprintf(ts, sizeof(ts), "%s", badts[k]);
		hmac_hex(UE_SECRET, ts, strlen(ts), d);
		snprintf(authz, sizeof(authz), "hmac %s", d);
		ok(ue(DIGEST_BOTH, ts, authz, T_1055) == ST_UNAUTHORIZED,
		    "updatedge Timestamp \"%s\" rejected even with a "
		    "matching digest", ts);
	}
}

/* Made-up Timestamp forms (protocol §2.1), signed here with hmac. */
static void
test_ue_forms(void)
{
	static const struct {
		const char	*ts;
		long long	 sec;
		int		 usec;
	} good[] = {
		{ "2018-11-26T10:55Z", T_1055, 0 },
		{ "2018-11-26T10:55", T_1055, 0 },
		{ "2018-11-26T11:55+01:00", T_1055, 0 },
		{ "2018-11-26T10:55:00Z", T_1055, 0 },
		{ "2018-11-26T10:55:00.5Z", T_1055, 500000 },
		{ "2018-11-26T10:55:00.1234567Z", T_1055, 123457 },
		{ "2018-11-26T05:55:00.000001-05:00", T_1055, 1 },
	};
	char d[65], authz[160];
	struct config c;
	struct wtime at;
	const char *label, *why;
	size_t i;

	cfg_ue(&c, DIGEST_HMAC, "docs", UE_SECRET);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		hmac_hex(UE_SECRET, good[i].ts, strlen(good[i].ts), d);
		snprintf(authz, sizeof(authz), "hmac %s", d);
		ok(auth_updatedge(&c, good[i].ts, authz, T_1055, &label, &at,
		    &why) == ST_OK && at.sec == good[i].sec &&
		    at.usec == good[i].usec, "updatedge Timestamp form \"%s\" "
		    "accepted, signed_at %lld.%06d", good[i].ts, good[i].sec,
		    good[i].usec);
	}
	config_free(&c);
}

static void
test_ue_secrets(const struct ue_row *r, size_t n)
{
	char authz[160];
	struct config c;
	struct wtime at;
	const char *label, *why;
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(authz, sizeof(authz), "hmac %s", r[i].digest);

		config_defaults(&c);
		add(c.updatedge, &c.nupdatedge, "old", "not-the-secret");
		add(c.updatedge, &c.nupdatedge, "new", UE_SECRET);
		label = NULL;
		ok(auth_updatedge(&c, r[i].ts, authz, T_1055, &label, &at,
		    &why) == ST_OK && label != NULL &&
		    strcmp(label, "new") == 0, "updatedge rotation: second "
		    "secret matches %s/%s, label \"new\"", r[i].ts, r[i].how);
		config_free(&c);

		config_defaults(&c);
		add(c.updatedge, &c.nupdatedge, "current", UE_SECRET);
		add(c.updatedge, &c.nupdatedge, "next", "not-the-secret");
		label = NULL;
		ok(auth_updatedge(&c, r[i].ts, authz, T_1055, &label, &at,
		    &why) == ST_OK && label != NULL &&
		    strcmp(label, "current") == 0, "updatedge rotation: first "
		    "secret matches %s/%s, label \"current\"", r[i].ts,
		    r[i].how);
		config_free(&c);

		config_defaults(&c);
		add(c.updatedge, &c.nupdatedge, "a", "not-the-secret");
		add(c.updatedge, &c.nupdatedge, "b", "neither");
		label = "stale";
		ok(auth_updatedge(&c, r[i].ts, authz, T_1055, &label, &at,
		    &why) == ST_UNAUTHORIZED && label == NULL,
		    "updatedge rotation: no secret matches %s/%s, label NULL",
		    r[i].ts, r[i].how);
		config_free(&c);

		cfg_ue(&c, DIGEST_BOTH, NULL, NULL);
		ok(auth_updatedge(&c, r[i].ts, authz, T_1055, &label, &at,
		    &why) == ST_UNAUTHORIZED, "updatedge without a configured "
		    "secret rejects %s/%s", r[i].ts, r[i].how);
		config_free(&c);

		/* Worksome secrets are not updatedge secrets. */
		cfg_ws(&c, "docs", UE_SECRET);
		ok(auth_updatedge(&c, r[i].ts, authz, T_1055, &label, &at,
		    &why) == ST_UNAUTHORIZED, "updatedge ignores the Worksome "
		    "secrets (%s/%s)", r[i].ts, r[i].how);
		config_free(&c);
	}
}

/* --- Worksome ------------------------------------------------------------- */

static enum status
ws(const char *key, const char *sig, const void *body, size_t len)
{
	struct config c;
	const char *why = NULL, *l = "stale";
	enum status st;

	cfg_ws(&c, "ws", key);
	st = auth_worksome(&c, sig, body, len, &l, &why);
	if (st != ST_OK && (why == NULL || l != NULL))
		st = ST__MAX;
	if (st == ST_OK && (l == NULL || strcmp(l, "ws") != 0))
		st = ST__MAX;
	config_free(&c);
	return st;
}

static void
test_ws_vectors(const struct ws_row *r, size_t n)
{
	char sig[160], *body, *copy, *p, *q;
	const char *key;
	size_t i, len, k, pos[3];
	int github, nbodies = 0, reserialised = 0;

	for (i = 0; i < n; i++) {
		github = strncmp(r[i].sig, "sha256=", 7) == 0;
		key = github ? GH_SECRET : WS_SECRET;
		ok_str(r[i].header, "Signature", "worksome vector %s: header "
		    "is Signature", r[i].file);
		body = tap_slurp(NULL, r[i].file, &len);
		if (!ok(body != NULL && len > 0, "worksome vector %s readable",
		    r[i].file)) {
			free(body);
			continue;
		}
		nbodies++;

		ok(ws(key, r[i].sig, body, len) == ST_OK, "worksome vector "
		    "%s verifies, label returned", r[i].file);

		snprintf(sig, sizeof(sig), "%s", r[i].sig);
		upper(sig);
		ok(ws(key, sig, body, len) == ST_OK,
		    "worksome vector %s: upper-case hex verifies", r[i].file);

		if (github) {
			ok(ws(key, r[i].sig + 7, body, len) == ST_OK,
			    "worksome vector %s verifies without the sha256= "
			    "prefix", r[i].file);
		} else {
			snprintf(sig, sizeof(sig), "sha256=%s", r[i].sig);
			ok(ws(key, sig, body, len) == ST_OK,
			    "worksome vector %s verifies with a sha256= "
			    "prefix", r[i].file);
		}

		ok(ws(github ? WS_SECRET : GH_SECRET, r[i].sig, body, len) ==
		    ST_UNAUTHORIZED, "worksome vector %s rejected "
		    "with another secret", r[i].file);
		ok(ws(key, r[i].sig, body, len - 1) == ST_UNAUTHORIZED,
		    "worksome vector %s rejected with the last byte cut",
		    r[i].file);

		/* One byte changed: first, middle, last. */
		pos[0] = 0;
		pos[1] = len / 2;
		pos[2] = len - 1;
		for (k = 0; k < 3; k++) {
			if ((copy = malloc(len + 1)) == NULL)
				abort();
			memcpy(copy, body, len + 1);
			copy[pos[k]] ^= 0x01;
			ok(ws(key, r[i].sig, copy, len) ==
			    ST_UNAUTHORIZED, "worksome vector %s rejected with "
			    "byte %zu changed", r[i].file, pos[k]);
			free(copy);
		}

		/* A trailing newline is a different body. */
		if ((copy = malloc(len + 2)) == NULL)
			abort();
		memcpy(copy, body, len);
		copy[len] = '\n';
		copy[len + 1] = '\0';
		ok(ws(key, r[i].sig, copy, len + 1) == ST_UNAUTHORIZED,
		    "worksome vector %s rejected with a newline appended",
		    r[i].file);
		free(copy);

		/* Re-serialised as a non-PHP encoder would: "\/" -> "/". */
		if (strstr(body, "\\/") != NULL) {
			if ((copy = strdup(body)) == NULL)
				abort();
			for (p = q = copy; *p; p++)
				if (!(p[0] == '\\' && p[1] == '/'))
					*q++ = *p;
			*q = '\0';
			ok(ws(key, r[i].sig, copy, strlen(copy)) ==
			    ST_UNAUTHORIZED, "worksome vector %s rejected "
			    "re-serialised (\\/ as /)", r[i].file);
			free(copy);
			reserialised++;
		}
		/* ... and "\u00f8" as the raw UTF-8 bytes. */
		if ((p = strstr(body, "\\u00f8")) != NULL) {
			if ((copy = malloc(len + 1)) == NULL)
				abort();
			k = (size_t)(p - body);
			memcpy(copy, body, k);
			memcpy(copy + k, "\xc3\xb8", 2);
			memcpy(copy + k + 2, p + 6, len - k - 6);
			ok(ws(key, r[i].sig, copy, len - 4) ==
			    ST_UNAUTHORIZED, "worksome vector %s rejected "
			    "re-serialised (\\u00f8 as raw UTF-8)", r[i].file);
			free(copy);
			reserialised++;
		}
		free(body);
	}
	ok(nbodies >= 6, "worksome: at least 6 vector bodies read (%d)",
	    nbodies);
	ok(reserialised >= 2, "worksome: the re-serialisation cases ran "
	    "(%d)", reserialised);

	/* A signature of one body does not verify another. */
	if (n >= 2) {
		body = tap_slurp(NULL, r[0].file, &len);
		ok(body != NULL && ws(WS_SECRET, r[1].sig, body, len) ==
		    ST_UNAUTHORIZED, "worksome signature of %s rejected for %s",
		    r[1].file, r[0].file);
		free(body);
	}
}

static void
test_ws_headers(const struct ws_row *r, size_t n)
{
	static const struct {
		const char *name, *fmt;
	} bad[] = {
		{ "empty", "" },
		{ "prefix only", "sha256=" },
		{ "63 hex digits", "%.63s" },
		{ "65 hex digits", "%s0" },
		{ "sha1= prefix", "sha1=%s" },
		{ "sha256: prefix", "sha256:%s" },
		{ "blank after prefix", "sha256= %s" },
		{ "leading blank", " %s" },
		{ "trailing blank", "%s " },
		{ "trailing newline", "%s\n" },
		{ "prefix twice", "sha256=sha256=%s" },
		{ "hmac scheme word", "hmac %s" },
		{ "0x prefix", "0x%.62s" },
	};
	char sig[256], mangled[160];
	struct config c;
	const char *label, *why;
	char *body;
	size_t i, k, len;

	for (i = 0; i < n; i++)
		if (strncmp(r[i].file, "worksome-", 9) == 0)
			break;
	if (!ok(i < n, "worksome vectors have a worksome- row"))
		return;
	if (!ok((body = tap_slurp(NULL, r[i].file, &len)) != NULL,
	    "worksome vector %s readable", r[i].file))
		return;

	ok(ws(WS_SECRET, NULL, body, len) == ST_UNAUTHORIZED,
	    "worksome missing Signature rejected");
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(sig, sizeof(sig), bad[k].fmt, r[i].sig);
#pragma GCC diagnostic pop
		ok(ws(WS_SECRET, sig, body, len) == ST_UNAUTHORIZED,
		    "worksome Signature malformed (%s) rejected", bad[k].name);
	}
	for (k = 0; k < 64; k += 21) {
		snprintf(mangled, sizeof(mangled), "%s", r[i].sig);
		mangled[k] = 'g';
		ok(ws(WS_SECRET, mangled, body, len) == ST_UNAUTHORIZED,
		    "worksome Signature with non-hex 'g' at digit %zu "
		    "rejected", k);
	}
	snprintf(sig, sizeof(sig), "SHA256=%s", r[i].sig);
	ok(ws(WS_SECRET, sig, body, len) == ST_OK,
	    "worksome Signature prefix SHA256= (any case) verifies");
	snprintf(sig, sizeof(sig), "%s", r[i].sig);
	for (k = 0; sig[k]; k++)	/* mixed case */
		if (k % 2 && sig[k] >= 'a' && sig[k] <= 'f')
			sig[k] = (char)(sig[k] - 'a' + 'A');
	ok(ws(WS_SECRET, sig, body, len) == ST_OK,
	    "worksome Signature in mixed-case hex verifies");

	/* Rotation: several registrations. */
	config_defaults(&c);
	add(c.worksome, &c.nworksome, "old", "retired-secret");
	add(c.worksome, &c.nworksome, "new", WS_SECRET);
	label = NULL;
	ok(auth_worksome(&c, r[i].sig, body, len, &label, &why) == ST_OK &&
	    label != NULL && strcmp(label, "new") == 0,
	    "worksome rotation: second secret matches, label \"new\"");
	config_free(&c);

	config_defaults(&c);
	add(c.worksome, &c.nworksome, "a", WS_SECRET);
	add(c.worksome, &c.nworksome, "b", GH_SECRET);
	label = NULL;
	ok(auth_worksome(&c, r[i].sig, body, len, &label, &why) == ST_OK &&
	    label != NULL && strcmp(label, "a") == 0,
	    "worksome rotation: first secret matches, label \"a\"");
	config_free(&c);

	config_defaults(&c);
	add(c.worksome, &c.nworksome, "a", "x");
	add(c.worksome, &c.nworksome, "b", "y");
	label = "stale";
	why = NULL;
	ok(auth_worksome(&c, r[i].sig, body, len, &label, &why) ==
	    ST_UNAUTHORIZED && label == NULL && why != NULL,
	    "worksome rotation: no secret matches, label NULL, reason given");
	config_free(&c);

	cfg_ws(&c, NULL, NULL);
	ok(auth_worksome(&c, r[i].sig, body, len, &label, &why) ==
	    ST_UNAUTHORIZED, "worksome without a configured secret rejects");
	config_free(&c);

	cfg_ue(&c, DIGEST_BOTH, "ws", WS_SECRET);
	ok(auth_worksome(&c, r[i].sig, body, len, &label, &why) ==
	    ST_UNAUTHORIZED, "worksome ignores the updatedge secrets");
	config_free(&c);
	free(body);

	/* The empty body has a signature too. */
	{
		char d[65];

		hmac_hex(WS_SECRET, "", 0, d);
		ok(ws(WS_SECRET, d, "", 0) == ST_OK,
		    "worksome empty body with its signature verifies");
		ok(ws(WS_SECRET, d, "{}", 2) == ST_UNAUTHORIZED,
		    "worksome signature of the empty body rejected for {}");
	}
	/* Bytes after a NUL are signed too (length, not strlen). */
	{
		char d[65];
		static const char nul[] = "{\"a\":1}\0tail";

		hmac_hex(WS_SECRET, nul, sizeof(nul) - 1, d);
		ok(ws(WS_SECRET, d, nul, sizeof(nul) - 1) == ST_OK,
		    "worksome signature covers bytes after a NUL");
		ok(ws(WS_SECRET, d, nul, 7) == ST_UNAUTHORIZED,
		    "worksome body cut at the NUL rejected");
	}
}

/* --- auth_hex32 ----------------------------------------------------------- */

static void
test_hex32(void)
{
	static const char zero[] =
	    "0000000000000000000000000000000000000000000000000000000000000000";
	static const char seq[] =
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
	static const char seqU[] =
	    "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
	static const char ff[] =
	    "ffFFffFFffFFffFFffFFffFFffFFffFFffFFffFFffFFffFFffFFffFFffFFffFF";
	unsigned char out[32], want[32];
	char buf[80];
	size_t i;
	int same;

	for (i = 0; i < 32; i++)
		want[i] = (unsigned char)i;

	ok(auth_hex32(zero, 64, out) == 1 && out[0] == 0 && out[31] == 0,
	    "auth_hex32 64 zeros decode");
	memset(out, 0xAA, sizeof(out));
	ok(auth_hex32(seq, 64, out) == 1 && memcmp(out, want, 32) == 0,
	    "auth_hex32 lower-case bytes 00..1f decode exactly");
	memset(out, 0xAA, sizeof(out));
	ok(auth_hex32(seqU, 64, out) == 1 && memcmp(out, want, 32) == 0,
	    "auth_hex32 upper-case bytes 00..1F decode exactly");
	ok(auth_hex32(ff, 64, out) == 1, "auth_hex32 mixed case decodes");
	for (same = 1, i = 0; i < 32; i++)
		same &= out[i] == 0xff;
	ok(same, "auth_hex32 ffFF.. decodes to 0xff bytes");

	ok(auth_hex32("", 0, out) == 0, "auth_hex32 empty rejected");
	ok(auth_hex32(seq, 63, out) == 0, "auth_hex32 63 digits rejected");
	ok(auth_hex32(seq, 62, out) == 0, "auth_hex32 62 digits rejected");
	snprintf(buf, sizeof(buf), "%s0", seq);
	ok(auth_hex32(buf, 65, out) == 0, "auth_hex32 65 digits rejected");
	snprintf(buf, sizeof(buf), "%s00", seq);
	ok(auth_hex32(buf, 66, out) == 0, "auth_hex32 66 digits rejected");
	ok(auth_hex32(buf, 64, out) == 1, "auth_hex32 reads only len bytes");

	static const char junk[] = "gG xX-+.:\t\n\xff";
	for (i = 0; i < sizeof(junk) - 1; i++) {
		snprintf(buf, sizeof(buf), "%s", seq);
		buf[i * 5 % 64] = junk[i];
		ok(auth_hex32(buf, 64, out) == 0, "auth_hex32 byte 0x%02x at "
		    "digit %zu rejected", (unsigned char)junk[i], i * 5 % 64);
	}
	snprintf(buf, sizeof(buf), "%s", seq);
	buf[40] = '\0';
	ok(auth_hex32(buf, 64, out) == 0, "auth_hex32 NUL inside the 64 "
	    "bytes rejected");
	snprintf(buf, sizeof(buf), "0x%.62s", seq);
	ok(auth_hex32(buf, 64, out) == 0, "auth_hex32 0x prefix rejected");
}

int
main(void)
{
	struct ue_row ue_rows[32];
	struct ws_row ws_rows[32];
	char placeholder[65];
	size_t nue, nws;

	diag("vectors: %s", tap_vectors());
	nue = load_ue(ue_rows, 32, placeholder);
	nws = load_ws(ws_rows, 32);
	/* Unreadable vectors fail the test: never a silent skip. */
	ok(nue >= 4, "updatedge-digests.tsv read: %zu rows (want >= 4)", nue);
	ok(nws >= 6, "worksome-signatures.tsv read: %zu rows (want >= 6)",
	    nws);

	test_ue_vectors(ue_rows, nue, placeholder);
	test_ue_freshness(ue_rows, nue);
	test_ue_headers(ue_rows, nue);
	test_ue_forms();
	test_ue_secrets(ue_rows, nue);
	test_ws_vectors(ws_rows, nws);
	test_ws_headers(ws_rows, nws);
	test_hex32();
	return tap_done();
}
