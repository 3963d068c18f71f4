/*
 * fuzz_auth — the signature checks (common/auth.c) against independent
 * oracles: the updatedge Timestamp and Authorization headers (protocol
 * §2.1), the Worksome Signature over a body (§3.1), and auth_hex32.
 *
 * Input: a mode byte, then "TIMESTAMP\nAUTHORIZATION\nBODY".  Modes:
 *   0  the headers as given: a 200 only when the oracle agrees that the
 *      digest is HMAC-SHA256(secret, Timestamp) or SHA-256(Timestamp ‖
 *      secret), the Timestamp valid and inside the replay window;
 *   1  the Timestamp as given, signed here (HMAC or concat, scheme word
 *      and blanks varied by the input): accepted exactly when the oracle
 *      says the Timestamp is valid and fresh;
 *   2  the Signature as given over BODY: accepted only when it matches;
 *   3  BODY signed here (hex case and "sha256=" prefix varied): must be
 *      accepted; with one byte of the body flipped: must be refused.
 * Every mode also compares auth_hex32 with the oracle's decoder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "config.h"

#include "oracle.h"

#define NOW	1543229700	/* 2018-11-26T10:55:00Z, the vectors' day */

static struct config cfg;
static unsigned char ue_key[] = "0da22586-719c-433b-bd81-d66ec6d5b932";
static unsigned char ws_key[] = "tHizIsAnX@mp|E";
static unsigned char ws_key2[] = "second-worksome-secret-for-rotation";

static void
setup(void)
{
	static char l1[] = "dev", l2[] = "ws", l3[] = "rotation";

	config_defaults(&cfg);
	cfg.updatedge[0] = (struct secret){ l1, ue_key, sizeof(ue_key) - 1 };
	cfg.nupdatedge = 1;
	cfg.worksome[0] = (struct secret){ l2, ws_key, sizeof(ws_key) - 1 };
	cfg.worksome[1] = (struct secret){ l3, ws_key2, sizeof(ws_key2) - 1 };
	cfg.nworksome = 2;
}

static void
hmac(const unsigned char *k, size_t kl, const void *m, size_t ml,
    unsigned char out[32])
{
	unsigned int n = 32;

	if (HMAC(EVP_sha256(), k, (int)kl, m, ml, out, &n) == NULL)
		abort();
}

static void
concat(const char *ts, const unsigned char *k, size_t kl,
    unsigned char out[32])
{
	unsigned char *buf;
	size_t tl = strlen(ts);
	unsigned int n = 32;

	if ((buf = malloc(tl + kl + 1)) == NULL)
		abort();
	memcpy(buf, ts, tl);
	memcpy(buf + tl, k, kl);
	if (!EVP_Digest(buf, tl + kl, out, &n, EVP_sha256(), NULL))
		abort();
	free(buf);
}

static void
hex(const unsigned char d[32], int upper, char out[65])
{
	const char *x = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[64] = '\0';
}

/* The oracle's view of a Timestamp: valid and inside the window. */
static int
fresh(const char *ts)
{
	int64_t sec;
	long f7;

	return or_datetime(ts, strlen(ts), 1, &sec, &f7) &&
	    sec >= (int64_t)NOW - cfg.replay_window - 60 &&
	    sec <= (int64_t)NOW + cfg.replay_window;
}

/* The oracle's view of an Authorization header: hmac, blanks, 64 hex. */
static int
authz_digest(const char *a, unsigned char d[32])
{
	if (!or_iprefix(a, "hmac") || (a[4] != ' ' && a[4] != '\t'))
		return 0;
	a += 4;
	while (*a == ' ' || *a == '\t')
		a++;
	return or_hex32(a, strlen(a), d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *ts, *az, *body, *nl, authz[128], sig[80], h[65];
	unsigned char d[32], want[32], a1[32], a2[32];
	size_t blen;
	const char *label, *why;
	struct wtime wt;
	enum status st;
	int mode, ok1, ok2;

	if (cfg.nupdatedge == 0)
		setup();
	if (size < 1)
		return 0;
	mode = data[0] % 4;
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	ts = buf;
	az = body = buf + size - 1;	/* "" unless split below */
	blen = 0;
	if ((nl = memchr(buf, '\n', size - 1)) != NULL) {
		*nl = '\0';
		az = nl + 1;
		if ((nl = memchr(az, '\n', (size_t)(buf + size - 1 - az))) !=
		    NULL) {
			*nl = '\0';
			body = nl + 1;
			blen = (size_t)(buf + size - 1 - body);
		}
	}

	/* auth_hex32 against the oracle's decoder, on the raw bytes. */
	ok1 = auth_hex32((const char *)data, size < 64 ? size : 64, a1);
	ok2 = or_hex32((const char *)data, size < 64 ? size : 64, a2);
	if (ok1 != ok2 || (ok1 && memcmp(a1, a2, 32) != 0))
		abort();

	switch (mode) {
	case 0:
		st = auth_updatedge(&cfg, ts, az, NOW, &label, &wt, &why);
		if (st == ST_OK) {
			if (!fresh(ts) || !authz_digest(az, d))
				abort();
			hmac(ue_key, sizeof(ue_key) - 1, ts, strlen(ts), want);
			if (memcmp(d, want, 32) != 0) {
				concat(ts, ue_key, sizeof(ue_key) - 1, want);
				if (memcmp(d, want, 32) != 0)
					abort();
			}
		} else if (st != ST_UNAUTHORIZED)
			abort();
		break;
	case 1:
		if (size > 1 && (data[1] & 1))
			concat(ts, ue_key, sizeof(ue_key) - 1, d);
		else
			hmac(ue_key, sizeof(ue_key) - 1, ts, strlen(ts), d);
		hex(d, size > 1 && (data[1] & 2), h);
		snprintf(authz, sizeof(authz), "%s%s%s",
		    size > 1 && (data[1] & 4) ? "HMAC" : "hmac",
		    size > 1 && (data[1] & 8) ? " \t " : " ", h);
		st = auth_updatedge(&cfg, ts, authz, NOW, &label, &wt, &why);
		if ((st == ST_OK) != (*ts != '\0' && fresh(ts)))
			abort();
		break;
	case 2:
		st = auth_worksome(&cfg, az, body, blen, &label, &why);
		if (st == ST_OK) {
			const char *p = or_iprefix(az, "sha256=") ? az + 7 : az;

			if (!or_hex32(p, strlen(p), d))
				abort();
			hmac(ws_key, sizeof(ws_key) - 1, body, blen, want);
			if (memcmp(d, want, 32) != 0) {
				hmac(ws_key2, sizeof(ws_key2) - 1, body, blen,
				    want);
				if (memcmp(d, want, 32) != 0)
					abort();
			}
		} else if (st != ST_UNAUTHORIZED)
			abort();
		break;
	case 3:
		if (size > 1 && (data[1] & 1))
			hmac(ws_key2, sizeof(ws_key2) - 1, body, blen, d);
		else
			hmac(ws_key, sizeof(ws_key) - 1, body, blen, d);
		hex(d, size > 1 && (data[1] & 2), h);
		snprintf(sig, sizeof(sig), "%s%s",
		    size > 1 && (data[1] & 4) ? (data[1] & 8 ? "SHA256=" :
		    "sha256=") : "", h);
		if (auth_worksome(&cfg, sig, body, blen, &label, &why) != ST_OK)
			abort();
		if (blen > 0) {
			body[size % blen] ^= (char)(1 + data[size - 1] % 255);
			if (auth_worksome(&cfg, sig, body, blen, &label,
			    &why) != ST_UNAUTHORIZED)
				abort();
		}
		break;
	}
	free(buf);
	return 0;
}
