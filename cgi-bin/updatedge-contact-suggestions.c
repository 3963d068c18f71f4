/*
 * POST /contact-suggestions (also GET with a body) — a hirer in the
 * updatedge portal searches for people to invite (protocol §2.2, §2.4).  The
 * answer is a JSON array made by workhooks.contact_suggestions_fast
 * (sql/code/79-contact_suggestions_fast.sql) or, where it has none, by
 * workhooks.contact_suggestions (sql/code/80-contact_suggestions.sql),
 * in one query on the read connection (suggestions_database, which may be
 * a hot standby).  A query, not an event: nothing is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

enum { F_EMAILS, F_FILTER };

static const struct field fields[] = {
	[F_EMAILS] = { .key = "userEmailAddresses", .type = FT_STRINGS,
	    .required = REQUIRED, .min = 1, .max = 50, .item_max = 254 },
	[F_FILTER] = { .key = "filter", .type = FT_STRING,
	    .required = OPTIONAL, .max = 200 },
	{ .key = NULL }
};

/*
 * Prepared once per read connection (db_exec tracks the generation).  The
 * fast path is a LANGUAGE sql function that PostgreSQL inlines here, so the
 * common answer is one plan made once; COALESCE calls the general function
 * only when the fast path has no answer.
 */
static struct db_stmt suggest = {
	.name = "workhooks_contact_suggestions",
	.sql = "SELECT coalesce(f.answer,"
	    " workhooks.contact_suggestions($1::jsonb, $2, $3::integer))"
	    " FROM workhooks.contact_suggestions_fast($1::jsonb, $2,"
	    " $3::integer) AS f",
	.nparams = 3,
};

static enum status
contact_suggestions(struct request *req)
{
	struct worker *w = req->w;
	const char *vals[3];
	char limit[24];
	char *reply;
	PGresult *res = NULL;
	enum status st;

	/* Borrowed from the root: lives until request_free(). */
	vals[0] = json_object_to_json_string_ext(req->vals[F_EMAILS].json,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	vals[1] = req->vals[F_FILTER].present ? req->vals[F_FILTER].s : NULL;
	snprintf(limit, sizeof(limit), "%ld", w->cfg.suggestions_limit);
	vals[2] = limit;
	if (vals[0] == NULL)
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);

	st = db_exec(w->reader, &suggest, vals, &res, req->why,
	    sizeof(req->why));
	if (st != ST_OK)
		return serve_fail(req, st, "database", NULL, NULL);
	if (PQntuples(res) != 1 || PQnfields(res) != 1 ||
	    PQgetisnull(res, 0, 0)) {
		PQclear(res);
		snprintf(req->why, sizeof(req->why), "suggestions: no answer");
		return serve_fail(req, ST_INTERNAL, "database", NULL, NULL);
	}
	/* PQgetvalue's text dies with res: copy it for the reply. */
	reply = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (reply == NULL)
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
	serve_reply(req, reply);
	return ST_OK;
}

static const struct endpoint ep = {
	.name = "contact-suggestions",
	.source = "updatedge",
	.methods = M_GET | M_POST,
	.auth = AUTH_UPDATEDGE,
	.body = BODY_JSON,
	.database = 1,
	.fields = fields,
	.handler = contact_suggestions,
};

int
main(int argc, char *argv[])
{
	return serve_main(&ep, argc, argv);
}
