/*
 * config — the one configuration file, plus environment overrides.
 *
 * Format: one "key = value" per line; blank lines and lines whose first
 * non-blank byte is '#' are ignored (a '#' after a value is part of the
 * value: secrets may contain it).  A value may be wrapped in double quotes
 * to keep leading/trailing blanks; inside quotes \" and \\ are escapes.
 * Secrets are "updatedge_secret.<label>" / "worksome_secret.<label>"; the
 * label of the secret that verified a request is stored with it.
 * The file path is $WORKHOOKS_CONFIG, else WH_SYSCONFDIR/workhooks.conf
 * (which may be absent).  WORKHOOKS_* variables then override keys.
 * An error names the file, line and key; values of secrets never appear
 * in messages.
 */
#ifndef WH_CONFIG_H
#define WH_CONFIG_H

#include <stddef.h>

#include "log.h"
#include "status.h"

#define CONFIG_MAX_SECRETS	16
/* The most deliveries one store statement takes (store_batch). */
#define SERVE_BATCH_MAX		64
#define SERVE_BATCH_MAX_S	"64"

struct secret {
	char		*label;		/* owned */
	unsigned char	*key;		/* owned, not NUL-terminated */
	size_t		 len;
};

enum digest_mode { DIGEST_BOTH = 0, DIGEST_HMAC, DIGEST_CONCAT };

struct config {
	char		*path;			/* owned; file read, or NULL */
	char		*database;		/* owned; libpq conninfo */
	char		*suggestions_database;	/* owned; NULL: use database */
	struct secret	 updatedge[CONFIG_MAX_SECRETS];
	size_t		 nupdatedge;
	struct secret	 worksome[CONFIG_MAX_SECRETS];
	size_t		 nworksome;
	enum digest_mode digest;
	long		 replay_window;		/* seconds */
	long		 body_limit;		/* bytes */
	long		 suggestions_limit;
	long		 reject_flush;		/* seconds; 0 = every request */
	long		 retry_after;		/* seconds, for 503 */
	long		 statement_timeout;	/* ms, 0 = none (PostgreSQL's) */
	long		 lock_timeout;		/* ms, 0 = none */
	long		 body_timeout;		/* ms to read a body, 0 = none */
	long		 notify_interval;	/* ms between a worker's wake-ups */
	long		 store_batch;		/* deliveries per store statement, 1-SERVE_BATCH_MAX */
	enum log_level	 log_level;
	char		*pool_dir;		/* owned; /healthz probes sockets here */
	char		*pools;			/* owned; NULL: every endpoint's */
};

/*
 * Durations (statement_timeout, lock_timeout, body_timeout) are written
 * as seconds ("10", "10s") or milliseconds ("500ms") and kept in ms.
 * The defaults (10 s, 5 s, 10 s) stay below the shipped web servers'
 * 30 s FastCGI timeouts, so a worker gives up and rolls back before the
 * web server answers the vendor for it.
 */

/* Defaults only (no file, no environment). */
void		config_defaults(struct config *);
/*
 * Parse text (len bytes) as a config file called name into cfg, on top
 * of what cfg holds.  On error, err (size bytes) names name:line and key.
 */
enum status	config_parse(struct config *cfg, const char *text, size_t len,
		    const char *name, char *err, size_t size);
/* Apply WORKHOOKS_* environment overrides. */
enum status	config_env(struct config *cfg, char *err, size_t size);
/* Defaults, then the file, then the environment. */
enum status	config_load(struct config *cfg, char *err, size_t size);
void		config_free(struct config *);

#endif
