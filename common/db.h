/*
 * db — the worker's PostgreSQL connection.
 *
 * One connection per worker process, opened lazily and re-opened after a
 * failure without restarting the process (README "How it is built").  At
 * connect the client encoding is forced to UTF8, the search_path is
 * emptied, so every name in SQL is schema-qualified, and the statement and
 * lock timeouts are set.  After an error that leaves a connection wrong
 * (read-only server, lost prepared statement, connection errors) it is
 * dropped, so the next statement reconnects (db_after()).
 * Statements are prepared once per connection: a struct db_stmt remembers
 * the connection generation it was prepared on, so a db_stmt belongs to
 * one struct db.  SQLSTATE → status is in
 * one place (db_status()).
 */
#ifndef WH_DB_H
#define WH_DB_H

#include <time.h>

#include <libpq-fe.h>

#include "status.h"

/*
 * The schema these binaries are built for: the number of the newest
 * sql/NNN_*.sql.  /healthz answers 503 while workhooks.schema_migration
 * holds an older one (migrations not applied yet).
 */
#define DB_SCHEMA_VERSION	7

struct db {
	const char	*conninfo;	/* borrowed from the config */
	const char	*appname;	/* borrowed */
	PGconn		*conn;		/* owned; NULL until first use */
	unsigned	 gen;		/* bumped at every new connection */
	long		 statement_timeout;	/* ms, 0 = none */
	long		 lock_timeout;		/* ms, 0 = none */
	/* db_connect_nowait() in progress. */
	int		 connecting;
	PostgresPollingStatusType poll;
	time_t		 started;
	/* SQLSTATE of db_exec()'s last failure, "" if none or no answer. */
	char		 state[6];
};

struct db_stmt {
	const char	*name;		/* prepared statement name */
	const char	*sql;		/* $n parameters only */
	int		 nparams;
	unsigned	 gen;		/* 0: not prepared on this conn */
	/*
	 * A store statement's function for several deliveries in one call,
	 * or NULL (common/serve.c's batches; endpoint.h, store_many).
	 */
	const char	*many;
};

void		db_init(struct db *, const char *conninfo, const char *appname);
/* Session statement_timeout and lock_timeout, ms (0: none); before use. */
void		db_set_timeouts(struct db *, long statement_ms, long lock_ms);
void		db_close(struct db *);
/* Make sure a working connection exists: ST_OK or ST_UNAVAILABLE. */
enum status	db_connect(struct db *, char *why, size_t size);
/*
 * The same, waiting at most wait_ms: start or advance a connection attempt
 * as far as it goes in that time; ST_OK once connected, else
 * ST_UNAVAILABLE (still connecting: why is "connection in progress", and
 * the next call goes on from there; or failed).  For work that must not
 * hold a worker (the reject counters); an attempt is dropped after 10 s.
 */
enum status	db_connect_nowait(struct db *, long wait_ms, char *why,
		    size_t size);
/*
 * How long the after-the-answer flushes (reject counters, metrics) wait
 * for a connection: a local server connects in milliseconds.
 */
#define DB_FLUSH_CONNECT_MS	200
/*
 * The connection for such a flush: db_connect_nowait() within
 * DB_FLUSH_CONNECT_MS.  On failure the next try is put off (*backoff
 * seconds, doubling from 1 to 60, from now: *retry_at) and why says why;
 * on success the back-off starts again from 1 s.  Never waits longer.
 */
enum status	db_connect_flush(struct db *, long *backoff, time_t *retry_at,
		    time_t now, char *why, size_t size);

/*
 * Execute stmt with text parameters vals (NULL entries are SQL NULL).
 * On ST_OK, *res is a PGRES_TUPLES_OK result the caller PQclear()s.
 * A statement is sent again only when it provably did not run: the
 * connection was found closed before sending (it is re-opened), the send
 * itself failed, or the server refused it at Bind (26000).  A failure
 * after sending (the server may have committed) is answered, never
 * retried: contact/new would count twice.
 * why (size bytes) gets an escaped, newline-free reason on failure.
 */
enum status	db_exec(struct db *, struct db_stmt *, const char *const *vals,
		    PGresult **res, char *why, size_t size);

/* Status for a failed result (SQLSTATE classes), the one mapping. */
enum status	db_status(const PGresult *);

/* What to do with the connection after a failed statement. */
enum db_after {
	DB_KEEP,	/* the connection is fine; answer the error */
	DB_RECONNECT,	/* drop it: the next statement reconnects */
	DB_RETRY,	/* drop it and send again now: it did not run */
};
/* For SQLSTATE state (NULL: none) on a connection that is bad or not. */
enum db_after	db_after(const char *state, int conn_bad);

#endif
