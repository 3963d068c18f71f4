/* db — libpq connection, prepared statements, SQLSTATE mapping. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"

void
db_init(struct db *db, const char *conninfo, const char *appname)
{
	memset(db, 0, sizeof(*db));
	db->conninfo = conninfo != NULL ? conninfo : "";
	db->appname = appname;
}

void
db_close(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
}

enum status
db_connect(struct db *db, char *why, size_t size)
{
	/*
	 * connect_timeout first, so a value in the operator's conninfo
	 * (expanded from "dbname") overrides it.
	 */
	const char *const keys[] = { "connect_timeout",
	    "fallback_application_name", "dbname", NULL };
	const char *const vals[] = { "5", db->appname, db->conninfo, NULL };
	PGresult *res;

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return ST_OK;
	db_close(db);
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		log_pqmsg(why, size, db->conn ? PQerrorMessage(db->conn) :
		    "out of memory");
		db_close(db);
		return ST_UNAVAILABLE;
	}
	/* Safe search_path: nothing resolves unless schema-qualified. */
	res = PQexec(db->conn,
	    "SELECT pg_catalog.set_config('search_path', '', false)");
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
	    strncmp(state, "57", 2) == 0 ||	/* operator intervention */
	    strncmp(state, "58", 2) == 0 ||	/* system error (I/O) */
	    strcmp(state, "40001") == 0 ||	/* serialization failure */
	    strcmp(state, "40P01") == 0 ||	/* deadlock */
	    strcmp(state, "55P03") == 0 ||	/* lock not available */
	    strcmp(state, "54000") == 0 ||	/* e.g. notification queue full */
	    strcmp(state, "25006") == 0 ||	/* read-only: failover */
	    strcmp(state, "3D000") == 0 ||	/* database missing */
	    strcmp(state, "42P01") == 0 ||	/* relation missing: not migrated */
	    strcmp(state, "42883") == 0 ||	/* function missing: not migrated */
	    strcmp(state, "42501") == 0)	/* privilege: deployment */
		return ST_UNAVAILABLE;
	return ST_INTERNAL;
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
		PQclear(res);
		return st;
	}
	PQclear(res);
	stmt->gen = db->gen;
	return ST_OK;
}

enum status
db_exec(struct db *db, struct db_stmt *stmt, const char *const *vals,
    PGresult **out, char *why, size_t size)
{
	PGresult *res = NULL;
	enum status st;
	int attempt;

	*out = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((st = db_connect(db, why, size)) != ST_OK)
			return st;
		if ((st = prepare(db, stmt, why, size)) == ST_OK) {
			res = PQexecPrepared(db->conn, stmt->name,
			    stmt->nparams, vals, NULL, NULL, 0);
			if (PQresultStatus(res) == PGRES_TUPLES_OK) {
				*out = res;
				return ST_OK;
			}
			log_pqmsg(why, size, PQerrorMessage(db->conn));
			st = db_status(res);
			PQclear(res);
		}
		/* Only a dead connection is worth one more try. */
		if (PQstatus(db->conn) != CONNECTION_BAD)
			return st;
		db_close(db);
	}
	return st;
}
