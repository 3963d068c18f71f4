/*
 * auth — verifying the two vendors' request signatures.
 *
 * updatedge (protocol §2.1): headers Timestamp and "Authorization: hmac <64
 * hex>"; the digest is HMAC-SHA256(secret, timestamp) or SHA-256(timestamp
 * ‖ secret) over the header value exactly as received.  Worksome (protocol
 * §3.1): header Signature = hex HMAC-SHA256(secret, raw body), optionally
 * "sha256=" first.  Digests are compared in constant time on the decoded
 * 32 bytes; every configured secret is tried.  On success *label is the
 * matching secret's label (borrowed from cfg).  On failure *why is a static
 * reason for the log only: the HTTP answer never says which part failed.
 */
#ifndef WH_AUTH_H
#define WH_AUTH_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "status.h"
#include "wtime.h"

/*
 * Verify updatedge headers at time now.  ts and authz may be NULL
 * (missing header).  On ST_OK *signed_at holds the parsed Timestamp.
 */
enum status	auth_updatedge(const struct config *cfg, const char *ts,
		    const char *authz, time_t now, const char **label,
		    struct wtime *signed_at, const char **why);

/* Verify a Worksome Signature (may be NULL) over body (len bytes). */
enum status	auth_worksome(const struct config *cfg, const char *sig,
		    const void *body, size_t len, const char **label,
		    const char **why);

/* Decode exactly 64 hex digits (either case) into out; 1 on success. */
int		auth_hex32(const char *s, size_t len, unsigned char out[32]);

#endif
