/*
 * GET /healthz — operations (protocol §4): 200 {"status":"ok"} when the
 * database answers, 503 with Retry-After otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "serve.h"

static struct db_stmt ping = {
	.name = "workhooks_healthz",
	/* Also proves the schema is migrated and readable. */
	.sql = "SELECT count(*) FROM workhooks.schema_migration",
	.nparams = 0,
};

static enum status
healthz(struct request *req)
{
	PGresult *res = NULL;
	enum status st;

	st = db_exec(&req->w->db, &ping, NULL, &res, req->why,
	    sizeof(req->why));
	if (st != ST_OK)
		return serve_fail(req, st, "database", NULL, NULL);
	PQclear(res);
	serve_reply(req, strdup("{\"status\":\"ok\"}"));
	return req->reply != NULL ? ST_OK :
	    serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
}

static const struct endpoint ep = {
	.name = "healthz",
	.methods = M_GET,
	.auth = AUTH_NONE,
	.body = BODY_NONE,
	.database = 1,
	.handler = healthz,
};

int
main(int argc, char *argv[])
{
	return serve_main(&ep, argc, argv);
}
