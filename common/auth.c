/* auth — updatedge and Worksome signatures with libcrypto. */
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"

int
auth_hex32(const char *s, size_t len, unsigned char out[32])
{
	size_t i;
	int hi, lo;

	if (len != 64)
		return 0;
	for (i = 0; i < 32; i++) {
		hi = OPENSSL_hexchar2int((unsigned char)s[2 * i]);
		lo = OPENSSL_hexchar2int((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}

static int
hmac256(const unsigned char *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[32])
{
	unsigned int n = 0;

	return HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &n) != NULL &&
	    n == 32;
}

static int
concat256(const char *ts, size_t tlen, const unsigned char *key, size_t klen,
    unsigned char out[32])
{
	EVP_MD_CTX *ctx;
	unsigned int n = 0;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(ctx, ts, tlen) &&
	    EVP_DigestUpdate(ctx, key, klen) &&
	    EVP_DigestFinal_ex(ctx, out, &n) && n == 32;
	EVP_MD_CTX_free(ctx);
	return ok;
}

enum status
auth_updatedge(const struct config *cfg, const char *ts, const char *authz,
    time_t now, const char **label, struct wtime *signed_at,
    const char **why)
{
	unsigned char want[32], got[32];
	size_t i, tlen;
	const char *p;

	*label = NULL;
	if (ts == NULL || *ts == '\0') {
		*why = "missing Timestamp";
		return ST_UNAUTHORIZED;
	}
	if (authz == NULL || *authz == '\0') {
		*why = "missing Authorization";
		return ST_UNAUTHORIZED;
	}
	/* "hmac" scheme word, any case, then blanks, then 64 hex digits. */
	if (strncasecmp(authz, "hmac", 4) != 0 ||
	    (authz[4] != ' ' && authz[4] != '\t')) {
		*why = "Authorization scheme is not hmac";
		return ST_UNAUTHORIZED;
	}
	for (p = authz + 4; *p == ' ' || *p == '\t'; p++)
		continue;
	if (!auth_hex32(p, strlen(p), want)) {
		*why = "Authorization digest is not 64 hex digits";
		return ST_UNAUTHORIZED;
	}
	tlen = strlen(ts);
	if (!wtime_parse(ts, tlen, WT_MINUTES_OK, signed_at)) {
		*why = "Timestamp is not ISO 8601";
		return ST_UNAUTHORIZED;
	}
	/* Minute precision: allow 60 s more into the past (protocol §2.1). */
	if (signed_at->sec < (int64_t)now - cfg->replay_window - 60) {
		*why = "Timestamp too old";
		return ST_UNAUTHORIZED;
	}
	if (signed_at->sec > (int64_t)now + cfg->replay_window) {
		*why = "Timestamp in the future";
		return ST_UNAUTHORIZED;
	}
	if (cfg->nupdatedge == 0) {
		*why = "no updatedge secret configured";
		return ST_UNAUTHORIZED;
	}
	for (i = 0; i < cfg->nupdatedge; i++) {
		const struct secret *s = &cfg->updatedge[i];

		if (cfg->digest != DIGEST_CONCAT &&
		    hmac256(s->key, s->len, ts, tlen, got) &&
		    CRYPTO_memcmp(got, want, 32) == 0) {
			*label = s->label;
			return ST_OK;
		}
		if (cfg->digest != DIGEST_HMAC &&
		    concat256(ts, tlen, s->key, s->len, got) &&
		    CRYPTO_memcmp(got, want, 32) == 0) {
			*label = s->label;
			return ST_OK;
		}
	}
	*why = "digest matches no secret";
	return ST_UNAUTHORIZED;
}

enum status
auth_worksome(const struct config *cfg, const char *sig, const void *body,
    size_t len, const char **label, const char **why)
{
	unsigned char want[32], got[32];
	size_t i;

	*label = NULL;
	if (sig == NULL || *sig == '\0') {
		*why = "missing Signature";
		return ST_UNAUTHORIZED;
	}
	if (strncasecmp(sig, "sha256=", 7) == 0)
		sig += 7;
	if (!auth_hex32(sig, strlen(sig), want)) {
		*why = "Signature is not 64 hex digits";
		return ST_UNAUTHORIZED;
	}
	if (cfg->nworksome == 0) {
		*why = "no worksome secret configured";
		return ST_UNAUTHORIZED;
	}
	for (i = 0; i < cfg->nworksome; i++) {
		const struct secret *s = &cfg->worksome[i];

		if (hmac256(s->key, s->len, body, len, got) &&
		    CRYPTO_memcmp(got, want, 32) == 0) {
			*label = s->label;
			return ST_OK;
		}
	}
	*why = "signature matches no secret";
	return ST_UNAUTHORIZED;
}
