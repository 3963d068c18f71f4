/* config — "key = value" file and WORKHOOKS_* environment overrides. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#ifndef WH_SYSCONFDIR
#define WH_SYSCONFDIR "/etc"
#endif

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->digest = DIGEST_BOTH;
	cfg->replay_window = 300;
	cfg->body_limit = 1024 * 1024;
	cfg->suggestions_limit = 50;
	cfg->reject_flush = 10;
	cfg->retry_after = 30;
	cfg->statement_timeout = 10000;
	cfg->lock_timeout = 5000;
	cfg->body_timeout = 10000;
	cfg->notify_interval = 50;
	cfg->store_batch = 16;
	cfg->log_level = LOG_INFO;
}

static void
secrets_free(struct secret *s, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		free(s[i].label);
		if (s[i].key != NULL)
			explicit_bzero(s[i].key, s[i].len);
		free(s[i].key);
	}
	*n = 0;
}

void
config_free(struct config *cfg)
{
	free(cfg->path);
	free(cfg->database);
	free(cfg->suggestions_database);
	free(cfg->pool_dir);
	free(cfg->pools);
	secrets_free(cfg->updatedge, &cfg->nupdatedge);
	secrets_free(cfg->worksome, &cfg->nworksome);
	memset(cfg, 0, sizeof(*cfg));
}

/* Ranged integer (no atoi): the whole of s must be decimal digits. */
static int
ranged(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

/*
 * A duration: decimal seconds, optionally with "s", or milliseconds with
 * "ms"; within lo..hi milliseconds.
 */
static int
duration(const char *s, long lo, long hi, long *out_ms)
{
	char num[16];
	size_t n = strspn(s, "0123456789");
	long v, scale;

	if (n == 0 || n >= sizeof(num))
		return 0;
	if (strcmp(s + n, "") == 0 || strcmp(s + n, "s") == 0)
		scale = 1000;
	else if (strcmp(s + n, "ms") == 0)
		scale = 1;
	else
		return 0;
	memcpy(num, s, n);
	num[n] = '\0';
	if (!ranged(num, 0, hi / scale + 1, &v) || v * scale < lo ||
	    v * scale > hi)
		return 0;
	*out_ms = v * scale;
	return 1;
}

static int
set_str(char **dst, const char *v)
{
	char *p;

	if ((p = strdup(v)) == NULL)
		return 0;
	free(*dst);
	*dst = p;
	return 1;
}

/* Add or replace the secret called label. */
static int
add_secret(struct secret *s, size_t *n, const char *label, const char *v,
    size_t vlen)
{
	size_t i;
	unsigned char *key;

	if ((key = malloc(vlen ? vlen : 1)) == NULL)
		return 0;
	memcpy(key, v, vlen);
	for (i = 0; i < *n; i++)
		if (strcmp(s[i].label, label) == 0) {
			explicit_bzero(s[i].key, s[i].len);
			free(s[i].key);
			s[i].key = key;
			s[i].len = vlen;
			return 1;
		}
	if (*n == CONFIG_MAX_SECRETS || (s[*n].label = strdup(label)) == NULL) {
		free(key);
		return 0;
	}
	s[*n].key = key;
	s[*n].len = vlen;
	(*n)++;
	return 1;
}

static int
label_ok(const char *l)
{
	if (*l == '\0' || strlen(l) > 63)
		return 0;
	for (; *l != '\0'; l++)
		if (!((*l >= 'a' && *l <= 'z') || (*l >= 'A' && *l <= 'Z') ||
		    (*l >= '0' && *l <= '9') || *l == '_' || *l == '-' ||
		    *l == '.'))
			return 0;
	return 1;
}

/*
 * Apply one key.  Returns NULL on success, else a message saying what is
 * wrong with the value (never the value itself).
 */
static const char *
apply(struct config *cfg, const char *key, const char *v, size_t vlen)
{
	long n;

	if (strncmp(key, "updatedge_secret.", 17) == 0 ||
	    strncmp(key, "worksome_secret.", 16) == 0) {
		int ue = key[0] == 'u';
		const char *label = key + (ue ? 17 : 16);

		if (!label_ok(label))
			return "secret label must be 1-63 of [A-Za-z0-9_.-]";
		if (vlen == 0)
			return "secret is empty";
		if (vlen > 255)
			return "secret is longer than 255 bytes";
		if (!add_secret(ue ? cfg->updatedge : cfg->worksome,
		    ue ? &cfg->nupdatedge : &cfg->nworksome, label, v, vlen))
			return "too many secrets (at most 16)";
		return NULL;
	}
	if (memchr(v, '\0', vlen) != NULL)
		return "value contains a NUL byte";
	if (strcmp(key, "database") == 0)
		return set_str(&cfg->database, v) ? NULL : "out of memory";
	if (strcmp(key, "suggestions_database") == 0)
		return set_str(&cfg->suggestions_database, v) ? NULL :
		    "out of memory";
	if (strcmp(key, "updatedge_digest") == 0) {
		if (strcmp(v, "both") == 0)
			cfg->digest = DIGEST_BOTH;
		else if (strcmp(v, "hmac") == 0)
			cfg->digest = DIGEST_HMAC;
		else if (strcmp(v, "concat") == 0)
			cfg->digest = DIGEST_CONCAT;
		else
			return "must be both, hmac or concat";
		return NULL;
	}
	if (strcmp(key, "updatedge_replay_window") == 0) {
		if (!ranged(v, 1, 86400, &n))
			return "must be seconds, 1-86400";
		cfg->replay_window = n;
		return NULL;
	}
	if (strcmp(key, "body_limit") == 0) {
		if (!ranged(v, 1024, 64L * 1024 * 1024, &n))
			return "must be bytes, 1024-67108864";
		cfg->body_limit = n;
		return NULL;
	}
	if (strcmp(key, "suggestions_limit") == 0) {
		if (!ranged(v, 1, 1000, &n))
			return "must be 1-1000";
		cfg->suggestions_limit = n;
		return NULL;
	}
	if (strcmp(key, "reject_flush_interval") == 0) {
		if (!ranged(v, 0, 3600, &n))
			return "must be seconds, 0-3600";
		cfg->reject_flush = n;
		return NULL;
	}
	if (strcmp(key, "retry_after") == 0) {
		if (!ranged(v, 1, 86400, &n))
			return "must be seconds, 1-86400";
		cfg->retry_after = n;
		return NULL;
	}
	if (strcmp(key, "statement_timeout") == 0 ||
	    strcmp(key, "lock_timeout") == 0) {
		if (!duration(v, 0, 3600000, &n))
			return "must be a duration, 0-3600 s (\"10\", \"10s\", "
			    "\"500ms\"; 0: none)";
		if (key[0] == 's')
			cfg->statement_timeout = n;
		else
			cfg->lock_timeout = n;
		return NULL;
	}
	if (strcmp(key, "body_timeout") == 0) {
		if (!duration(v, 0, 3600000, &n))
			return "must be a duration, 0-3600 s (\"10\", \"10s\", "
			    "\"500ms\"; 0: none)";
		cfg->body_timeout = n;
		return NULL;
	}
	if (strcmp(key, "notify_interval") == 0) {
		if (!duration(v, 0, 10000, &n))
			return "must be a duration, 0-10 s (\"50ms\", \"1s\"; "
			    "0: a wake-up after every delivery)";
		cfg->notify_interval = n;
		return NULL;
	}
	if (strcmp(key, "store_batch") == 0) {
		if (!ranged(v, 1, SERVE_BATCH_MAX, &n))
			return "must be 1-" SERVE_BATCH_MAX_S " (1: one store "
			    "statement per delivery)";
		cfg->store_batch = n;
		return NULL;
	}
	if (strcmp(key, "pool_dir") == 0) {
		if (*v != '/' || vlen > 80)
			return "must be an absolute directory, at most 80 bytes";
		return set_str(&cfg->pool_dir, v) ? NULL : "out of memory";
	}
	if (strcmp(key, "pools") == 0) {
		for (n = 0; n < (long)vlen; n++)
			if (!((v[n] >= 'a' && v[n] <= 'z') || (v[n] >= 'A' &&
			    v[n] <= 'Z') || (v[n] >= '0' && v[n] <= '9') ||
			    v[n] == '-' || v[n] == '_' || v[n] == '.' ||
			    v[n] == ' ' || v[n] == ','))
				return "must be pool names ([A-Za-z0-9._-]) "
				    "separated by blanks or commas";
		return set_str(&cfg->pools, v) ? NULL : "out of memory";
	}
	if (strcmp(key, "log_level") == 0)
		return log_level_parse(v, &cfg->log_level) ? NULL :
		    "must be error, warn, info or debug";
	return "unknown key";
}

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

enum status
config_parse(struct config *cfg, const char *text, size_t len,
    const char *name, char *err, size_t size)
{
	const char *p = text, *end = text + len, *eol, *k, *ke, *v, *ve, *why;
	char key[128], *val = NULL;
	size_t lineno = 0, n, o;
	enum status st = ST_OK;

	while (p < end) {
		lineno++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		k = p;
		p = eol < end ? eol + 1 : end;
		while (k < eol && blank(*k))
			k++;
		ve = eol;
		while (ve > k && blank(ve[-1]))
			ve--;
		if (k == ve || *k == '#')
			continue;
		for (ke = k; ke < ve && *ke != '=' && !blank(*ke); ke++)
			continue;
		for (v = ke; v < ve && blank(*v); v++)
			continue;
		if (ke == k || v == ve || *v != '=') {
			snprintf(err, size, "%s:%zu: expected \"key = value\"",
			    name, lineno);
			return ST_BAD_REQUEST;
		}
		if ((size_t)(ke - k) >= sizeof(key)) {
			snprintf(err, size, "%s:%zu: key too long", name, lineno);
			return ST_BAD_REQUEST;
		}
		memcpy(key, k, (size_t)(ke - k));
		key[ke - k] = '\0';
		for (v++; v < ve && blank(*v); v++)
			continue;
		if ((val = malloc((size_t)(ve - v) + 1)) == NULL) {
			snprintf(err, size, "%s:%zu: out of memory", name, lineno);
			return ST_INTERNAL;
		}
		n = (size_t)(ve - v);
		if (n >= 2 && *v == '"' && ve[-1] == '"') {
			for (o = 0, v++, ve--; v < ve; v++) {
				if (*v == '\\' && v + 1 < ve &&
				    (v[1] == '"' || v[1] == '\\'))
					v++;
				val[o++] = *v;
			}
			n = o;
		} else
			memcpy(val, v, n);
		val[n] = '\0';
		why = apply(cfg, key, val, n);
		explicit_bzero(val, n);
		free(val);
		val = NULL;
		if (why != NULL) {
			snprintf(err, size, "%s:%zu: %s: %s", name, lineno, key,
			    why);
			st = ST_BAD_REQUEST;
			break;
		}
	}
	return st;
}

static const struct {
	const char *env, *key;
} envmap[] = {
	{ "WORKHOOKS_DATABASE", "database" },
	{ "WORKHOOKS_SUGGESTIONS_DATABASE", "suggestions_database" },
	{ "WORKHOOKS_UPDATEDGE_DIGEST", "updatedge_digest" },
	{ "WORKHOOKS_UPDATEDGE_REPLAY_WINDOW", "updatedge_replay_window" },
	{ "WORKHOOKS_BODY_LIMIT", "body_limit" },
	{ "WORKHOOKS_SUGGESTIONS_LIMIT", "suggestions_limit" },
	{ "WORKHOOKS_REJECT_FLUSH_INTERVAL", "reject_flush_interval" },
	{ "WORKHOOKS_RETRY_AFTER", "retry_after" },
	{ "WORKHOOKS_LOG_LEVEL", "log_level" },
	{ "WORKHOOKS_STATEMENT_TIMEOUT", "statement_timeout" },
	{ "WORKHOOKS_LOCK_TIMEOUT", "lock_timeout" },
	{ "WORKHOOKS_BODY_TIMEOUT", "body_timeout" },
	{ "WORKHOOKS_NOTIFY_INTERVAL", "notify_interval" },
	{ "WORKHOOKS_STORE_BATCH", "store_batch" },
	{ "WORKHOOKS_POOL_DIR", "pool_dir" },
	{ "WORKHOOKS_POOLS", "pools" },
	/* One secret each, labelled "env"; it replaces the file's secrets. */
	{ "WORKHOOKS_UPDATEDGE_SECRET", "updatedge_secret.env" },
	{ "WORKHOOKS_WORKSOME_SECRET", "worksome_secret.env" },
};

enum status
config_env(struct config *cfg, char *err, size_t size)
{
	const char *v, *why;
	size_t i;

	for (i = 0; i < sizeof(envmap) / sizeof(envmap[0]); i++) {
		if ((v = getenv(envmap[i].env)) == NULL || *v == '\0')
			continue;
		if (strcmp(envmap[i].key, "updatedge_secret.env") == 0)
			secrets_free(cfg->updatedge, &cfg->nupdatedge);
		else if (strcmp(envmap[i].key, "worksome_secret.env") == 0)
			secrets_free(cfg->worksome, &cfg->nworksome);
		if ((why = apply(cfg, envmap[i].key, v, strlen(v))) != NULL) {
			snprintf(err, size, "environment %s: %s", envmap[i].env,
			    why);
			return ST_BAD_REQUEST;
		}
	}
	return ST_OK;
}

enum status
config_load(struct config *cfg, char *err, size_t size)
{
	const char *path;
	FILE *f = NULL;
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	int explicit;
	enum status st = ST_OK;

	config_defaults(cfg);
	path = getenv("WORKHOOKS_CONFIG");
	explicit = path != NULL && *path != '\0';
	if (!explicit)
		path = WH_SYSCONFDIR "/workhooks.conf";
	if ((f = fopen(path, "r")) == NULL) {
		if (explicit || errno != ENOENT) {
			snprintf(err, size, "%s: %s", path, strerror(errno));
			st = ST_INTERNAL;
			goto fail;
		}
	} else {
		for (;;) {
			if (len + 4096 > cap) {
				char *t;

				cap = cap ? cap * 2 : 8192;
				if (cap > 1024 * 1024 ||
				    (t = realloc(text, cap)) == NULL) {
					snprintf(err, size, "%s: too large",
					    path);
					st = ST_INTERNAL;
					goto fail;
				}
				text = t;
			}
			n = fread(text + len, 1, cap - len, f);
			len += n;
			if (n == 0)
				break;
		}
		if (ferror(f)) {
			snprintf(err, size, "%s: read error", path);
			st = ST_INTERNAL;
			goto fail;
		}
		if ((cfg->path = strdup(path)) == NULL) {
			st = ST_INTERNAL;
			goto fail;
		}
		if ((st = config_parse(cfg, text ? text : "", len, path, err,
		    size)) != ST_OK)
			goto fail;
	}
	st = config_env(cfg, err, size);
fail:
	if (f != NULL)
		fclose(f);
	if (text != NULL)
		explicit_bzero(text, len);
	free(text);
	return st;
}
