/*
 * fuzz_config — the configuration parser (common/config.c, README
 * "Configuration") on arbitrary file text.  Never a crash or leak; a file
 * accepted leaves every setting inside its documented range and every
 * secret with a valid label and 1-255 bytes; an error message names the
 * file and line and never carries a secret line's value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static int
label_ok(const char *l)
{
	size_t n = strlen(l);

	return n >= 1 && n <= 63 && strspn(l, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static void
secrets_ok(const struct secret *s, size_t n)
{
	size_t i, j;

	if (n > CONFIG_MAX_SECRETS)
		abort();
	for (i = 0; i < n; i++) {
		if (!label_ok(s[i].label) || s[i].len < 1 || s[i].len > 255)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(s[i].label, s[j].label) == 0)
				abort();	/* a label is replaced, not repeated */
	}
}

/*
 * The value of the secret line that err names must not appear in err
 * (values of 6 bytes and more that are not part of the key or file name).
 */
static void
no_secret_in(const char *text, size_t len, const char *err)
{
	const char *p = text, *end = text + len, *eol, *eq, *v, *ve;
	char val[300];
	size_t n, line = 0, bad = strtoul(err + 10, NULL, 10);

	for (; p < end; p = eol + 1) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (line != bad || !(((size_t)(eol - p) >= 17 &&
		    memcmp(p, "updatedge_secret.", 17) == 0) ||
		    ((size_t)(eol - p) >= 16 &&
		    memcmp(p, "worksome_secret.", 16) == 0)) ||
		    (eq = memchr(p, '=', (size_t)(eol - p))) == NULL)
			goto next;
		for (v = eq + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			continue;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t' ||
		    ve[-1] == '\r'); ve--)
			continue;
		n = (size_t)(ve - v);
		if (n < 6 || n >= sizeof(val) || memchr(v, '\0', n) != NULL)
			goto next;
		memcpy(val, v, n);
		val[n] = '\0';
		if (memmem(p, (size_t)(eq - p), val, n) == NULL &&
		    strstr("fuzz.conf", val) == NULL && strstr(err, val) != NULL)
			abort();
next:
		if (eol == end)
			break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[512];
	enum status st;

	config_defaults(&cfg);
	memset(err, 0x5A, sizeof(err));
	err[sizeof(err) - 1] = '\0';
	st = config_parse(&cfg, (const char *)data, size, "fuzz.conf", err,
	    sizeof(err));
	if (st == ST_OK) {
		if (cfg.replay_window < 1 || cfg.replay_window > 86400 ||
		    cfg.body_limit < 1024 || cfg.body_limit > 64L * 1024 * 1024 ||
		    cfg.suggestions_limit < 1 || cfg.suggestions_limit > 1000 ||
		    cfg.reject_flush < 0 || cfg.reject_flush > 3600 ||
		    cfg.retry_after < 1 || cfg.retry_after > 86400 ||
		    (cfg.digest != DIGEST_BOTH && cfg.digest != DIGEST_HMAC &&
		    cfg.digest != DIGEST_CONCAT))
			abort();
		if ((cfg.database != NULL && strlen(cfg.database) > size) ||
		    (cfg.suggestions_database != NULL &&
		    strlen(cfg.suggestions_database) > size))
			abort();
	} else {
		if (st != ST_BAD_REQUEST ||
		    strncmp(err, "fuzz.conf:", 10) != 0)
			abort();
		no_secret_in((const char *)data, size, err);
	}
	secrets_ok(cfg.updatedge, cfg.nupdatedge);
	secrets_ok(cfg.worksome, cfg.nworksome);
	config_free(&cfg);
	return 0;
}
