/*
 * db — the worker's PostgreSQL connection.
 *
 * One connection per worker process, opened lazily and re-opened after a
 * failure without restarting the process (README "How it is built").  At connect
 * the search_path is emptied, so every name in SQL is schema-qualified.
 * Statements are prepared once per connection: a struct db_stmt remembers
 * the connection generation it was prepared on, so a db_stmt belongs to
 * one struct db.  SQLSTATE → status is in
 * one place (db_status()).
 */
#ifndef WH_DB_H
#define WH_DB_H

#include <libpq-fe.h>

#include "status.h"

/*
 * The schema these binaries are built for: the number of the newest
 * sql/NNN_*.sql.  /healthz answers 503 while workhooks.schema_migration
 * holds an older one (migrations not applied yet).
 */
#define DB_SCHEMA_VERSION	3

struct db {
	const char	*conninfo;	/* borrowed from the config */
	const char	*appname;	/* borrowed */
	PGconn		*conn;		/* owned; NULL until first use */
	unsigned	 gen;		/* bumped at every new connection */
};

struct db_stmt {
	const char	*name;		/* prepared statement name */
	const char	*sql;		/* $n parameters only */
	int		 nparams;
	unsigned	 gen;		/* 0: not prepared on this conn */
};

void		db_init(struct db *, const char *conninfo, const char *appname);
void		db_close(struct db *);
/* Make sure a working connection exists: ST_OK or ST_UNAVAILABLE. */
enum status	db_connect(struct db *, char *why, size_t size);

/*
 * Execute stmt with text parameters vals (NULL entries are SQL NULL).
 * On ST_OK, *res is a PGRES_TUPLES_OK result the caller PQclear()s.
 * A connection lost before the statement ran is re-opened and the
 * statement retried once (statements are idempotent or deduplicated).
 * why (size bytes) gets an escaped, newline-free reason on failure.
 */
enum status	db_exec(struct db *, struct db_stmt *, const char *const *vals,
		    PGresult **res, char *why, size_t size);

/* Status for a failed result (SQLSTATE classes), the one mapping. */
enum status	db_status(const PGresult *);

#endif
