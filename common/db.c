/* db — libpq connection, prepared statements, SQLSTATE mapping. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "wtime.h"

/* How long an unattended (non-blocking) connection attempt may take. */
#define DB_ASYNC_DEADLINE	10

void
db_init(struct db *db, const char *conninfo, const char *appname)
{
	memset(db, 0, sizeof(*db));
	db->conninfo = conninfo != NULL ? conninfo : "";
	db->appname = appname;
}

void
db_set_timeouts(struct db *db, long statement_ms, long lock_ms)
{
	db->statement_timeout = statement_ms;
	db->lock_timeout = lock_ms;
}

void
db_close(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->connecting = 0;
}

/*
 * The connection parameters, in this order: connect_timeout and the
 * fallback application name before the operator's conninfo (expanded from
 * "dbname"), so the operator may override them; client_encoding after it,
 * so nothing overrides it — not the conninfo, not PGCLIENTENCODING (an
 * environment default), and not a role or database setting (the startup
 * packet's value wins over those).  The raw body is kept byte for byte
 * and must reach the server untranscoded: its signature and SHA-256 are
 * over those bytes.
 */
#define DB_KEYS { "connect_timeout", "fallback_application_name", "dbname", \
	"client_encoding", NULL }
#define DB_VALS(db) { "5", (db)->appname, (db)->conninfo, "UTF8", NULL }

/*
 * Server notices (a WARNING such as "canceling the wait for synchronous
 * replication") go to the log, escaped, not raw to stderr (libpq's
 * default).
 */
static void
notice(void *arg, const char *msg)
{
	char buf[512];

	(void)arg;
	log_warn("database notice: %s", log_pqmsg(buf, sizeof(buf), msg));
}

/* What every new session gets before its first statement. */
static enum status
setup(struct db *db, char *why, size_t size)
{
	char st[32], lk[32];
	const char *vals[2] = { st, lk };
	const char *enc;
	PGresult *res;

	PQsetNoticeProcessor(db->conn, notice, NULL);
	enc = PQparameterStatus(db->conn, "client_encoding");
	if (enc == NULL || strcmp(enc, "UTF8") != 0) {
		snprintf(why, size, "the server did not accept client_encoding "
		    "UTF8");
		db_close(db);
		return ST_UNAVAILABLE;
	}
	/*
	 * Safe search_path: nothing resolves unless schema-qualified.  The
	 * timeouts make a worker give up (and roll back) before the web
	 * server gives up on it (README, Configuration).  The connection
	 * check makes a store whose worker died (SIGKILL) roll back instead
	 * of committing once the lock it waits for is free: the client saw a
	 * failure, so the data must not be there.
	 */
	snprintf(st, sizeof(st), "%ldms", db->statement_timeout);
	snprintf(lk, sizeof(lk), "%ldms", db->lock_timeout);
	res = PQexecParams(db->conn,
	    "SELECT pg_catalog.set_config('search_path', '', false), "
	    "pg_catalog.set_config('statement_timeout', $1, false), "
	    "pg_catalog.set_config('lock_timeout', $2, false), "
	    "pg_catalog.set_config('client_connection_check_interval', "
	    "'1s', false)",
	    2, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_pqmsg(why, size, PQerrorMessage(db->conn));
		PQclear(res);
		db_close(db);
		return ST_UNAVAILABLE;
	}
	PQclear(res);
	if (++db->gen == 0)
		db->gen = 1;
	return ST_OK;
}

/*
 * Drop a connection the server has already closed (terminated backend,
 * restart, idle timeout), so the next statement goes to a new one instead
 * of failing: while idle nothing should arrive, so anything readable is
 * read, and an end of file marks the connection bad.
 */
static void
db_check(struct db *db)
{
	struct pollfd pfd;
	int i;

	if (db->conn == NULL || db->connecting)
		return;
	for (i = 0; i < 4 && PQstatus(db->conn) == CONNECTION_OK; i++) {
		pfd.fd = PQsocket(db->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0 || poll(&pfd, 1, 0) <= 0)
			return;
		if (!PQconsumeInput(db->conn))
			break;
	}
	if (PQstatus(db->conn) != CONNECTION_OK) {
		log_debug("database connection closed by the server; "
		    "reconnecting");
		db_close(db);
	}
}

enum status
db_connect(struct db *db, char *why, size_t size)
{
	const char *const keys[] = DB_KEYS;
	const char *const vals[] = DB_VALS(db);

	if (db->conn != NULL && !db->connecting &&
	    PQstatus(db->conn) == CONNECTION_OK)
		return ST_OK;
	db_close(db);
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		log_pqmsg(why, size, db->conn ? PQerrorMessage(db->conn) :
		    "out of memory");
		db_close(db);
		return ST_UNAVAILABLE;
	}
	return setup(db, why, size);
}

enum status
db_connect_nowait(struct db *db, long wait_ms, char *why, size_t size)
{
	const char *const keys[] = DB_KEYS;
	const char *const vals[] = DB_VALS(db);
	PostgresPollingStatusType ps;
	struct pollfd pfd;
	struct timespec t0;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	db_check(db);
	if (db->conn != NULL && !db->connecting)
		return ST_OK;
	if (db->conn == NULL) {
		db->conn = PQconnectStartParams(keys, vals, 1);
		if (db->conn == NULL || PQstatus(db->conn) == CONNECTION_BAD) {
			log_pqmsg(why, size, db->conn ?
			    PQerrorMessage(db->conn) : "out of memory");
			db_close(db);
			return ST_UNAVAILABLE;
		}
		db->connecting = 1;
		db->poll = PGRES_POLLING_WRITING;
		db->started = time(NULL);
	}
	for (;;) {
		pfd.fd = PQsocket(db->conn);
		pfd.events = db->poll == PGRES_POLLING_READING ? POLLIN :
		    POLLOUT;
		pfd.revents = 0;
		left = wait_ms - wtime_ms_since(&t0);
		if (pfd.fd < 0 || poll(&pfd, 1, left > 0 ? (int)left : 0) <= 0)
			break;		/* not ready: come back later */
		ps = PQconnectPoll(db->conn);
		if (ps == PGRES_POLLING_OK) {
			db->connecting = 0;
			return setup(db, why, size);
		}
		if (ps == PGRES_POLLING_FAILED) {
			log_pqmsg(why, size, PQerrorMessage(db->conn));
			db_close(db);
			return ST_UNAVAILABLE;
		}
		db->poll = ps;
	}
	if (time(NULL) - db->started > DB_ASYNC_DEADLINE) {
		snprintf(why, size, "connection attempt timed out");
		db_close(db);
	} else
		snprintf(why, size, "connection in progress");
	return ST_UNAVAILABLE;
}

enum status
db_connect_flush(struct db *db, long *backoff, time_t *retry_at, time_t now,
    char *why, size_t size)
{
	if (db_connect_nowait(db, DB_FLUSH_CONNECT_MS, why, size) == ST_OK) {
		*backoff = 0;
		return ST_OK;
	}
	*backoff = *backoff == 0 ? 1 : *backoff * 2;
	if (*backoff > 60)
		*backoff = 60;
	*retry_at = now + *backoff;
	return ST_UNAVAILABLE;
}

enum status
db_status(const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) :
	    NULL;

	if (state == NULL)
		return ST_UNAVAILABLE;	/* no server answer: connection */
	/* Transient: the vendor should retry (protocol §1, 503). */
	if (strncmp(state, "08", 2) == 0 ||	/* connection exception */
	    strncmp(state, "53", 2) == 0 ||	/* insufficient resources */
	    strncmp(state, "57", 2) == 0 ||	/* operator intervention,
						   57014 statement timeout */
	    strncmp(state, "58", 2) == 0 ||	/* system error (I/O) */
	    strcmp(state, "40001") == 0 ||	/* serialization failure */
	    strcmp(state, "40P01") == 0 ||	/* deadlock */
	    strcmp(state, "55P03") == 0 ||	/* lock not available */
	    strcmp(state, "54000") == 0 ||	/* e.g. notification queue full */
	    strcmp(state, "25006") == 0 ||	/* read-only: failover */
	    strcmp(state, "25P02") == 0 ||	/* transaction aborted */
	    strcmp(state, "26000") == 0 ||	/* prepared statement gone */
	    strcmp(state, "0A000") == 0 ||	/* cached plan changed type */
	    strcmp(state, "3D000") == 0 ||	/* database missing */
	    strcmp(state, "42P01") == 0 ||	/* relation missing: not migrated */
	    strcmp(state, "42883") == 0 ||	/* function missing: not migrated */
	    strcmp(state, "42501") == 0)	/* privilege: deployment */
		return ST_UNAVAILABLE;
	return ST_INTERNAL;
}

enum db_after
db_after(const char *state, int conn_bad)
{
	if (conn_bad || state == NULL)
		return DB_RECONNECT;
	/* Refused at Bind: nothing ran, so running it again is safe. */
	if (strcmp(state, "26000") == 0)	/* prepared statement gone */
		return DB_RETRY;
	if (strncmp(state, "08", 2) == 0 ||	/* connection exception */
	    strcmp(state, "25006") == 0 ||	/* read-only: a standby now */
	    strcmp(state, "25P02") == 0 ||	/* stuck in a failed transaction */
	    strcmp(state, "0A000") == 0 ||	/* cached plan must not change */
	    strcmp(state, "57P01") == 0 ||	/* admin shutdown */
	    strcmp(state, "57P02") == 0 ||	/* crash shutdown */
	    strcmp(state, "57P03") == 0)	/* cannot connect now */
		return DB_RECONNECT;
	return DB_KEEP;
}

static enum status
prepare(struct db *db, struct db_stmt *stmt, char *why, size_t size)
{
	PGresult *res;
	enum status st;

	if (stmt->gen == db->gen)
		return ST_OK;
	res = PQprepare(db->conn, stmt->name, stmt->sql, stmt->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_pqmsg(why, size, PQerrorMessage(db->conn));
		st = db_status(res);
		if (db_after(PQresultErrorField(res, PG_DIAG_SQLSTATE),
		    PQstatus(db->conn) != CONNECTION_OK) != DB_KEEP)
			db_close(db);
		PQclear(res);
		return st;
	}
	PQclear(res);
	stmt->gen = db->gen;
	return ST_OK;
}

/* The statement's result: the first failure, else the last result. */
static PGresult *
collect(PGconn *conn)
{
	PGresult *res = NULL, *r;

	while ((r = PQgetResult(conn)) != NULL) {
		if (res != NULL && PQresultStatus(res) != PGRES_TUPLES_OK &&
		    PQresultStatus(res) != PGRES_COMMAND_OK) {
			PQclear(r);
			continue;
		}
		PQclear(res);
		res = r;
	}
	return res;
}

enum status
db_exec(struct db *db, struct db_stmt *stmt, const char *const *vals,
    PGresult **out, char *why, size_t size)
{
	PGresult *res = NULL;
	enum status st = ST_UNAVAILABLE;
	enum db_after after;
	int attempt;

	*out = NULL;
	db->state[0] = '\0';
	for (attempt = 0; attempt < 2; attempt++) {
		db_check(db);
		if ((st = db_connect(db, why, size)) != ST_OK)
			return st;
		/* PREPARE changes nothing: a lost connection may retry. */
		if ((st = prepare(db, stmt, why, size)) != ST_OK) {
			if (db->conn == NULL)
				continue;
			return st;
		}
		if (!PQsendQueryPrepared(db->conn, stmt->name, stmt->nparams,
		    vals, NULL, NULL, 0)) {
			/* Not sent: the server cannot have run it. */
			log_pqmsg(why, size, PQerrorMessage(db->conn));
			db_close(db);
			st = ST_UNAVAILABLE;
			continue;
		}
		res = collect(db->conn);
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			*out = res;
			return ST_OK;
		}
		log_pqmsg(why, size, res != NULL ?
		    PQresultErrorMessage(res) : PQerrorMessage(db->conn));
		if (why[0] == '\0')
			log_pqmsg(why, size, PQerrorMessage(db->conn));
		st = db_status(res);
		snprintf(db->state, sizeof(db->state), "%s", res != NULL &&
		    PQresultErrorField(res, PG_DIAG_SQLSTATE) != NULL ?
		    PQresultErrorField(res, PG_DIAG_SQLSTATE) : "");
		after = db_after(res != NULL ?
		    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL,
		    PQstatus(db->conn) != CONNECTION_OK);
		PQclear(res);
		if (after != DB_KEEP)
			db_close(db);
		/*
		 * Sent and failed: the server may have run (even committed)
		 * it, so it is not sent again — unless it was refused before
		 * running (DB_RETRY).  The vendor retries the 503.
		 */
		if (after != DB_RETRY)
			return st;
	}
	return st;
}
