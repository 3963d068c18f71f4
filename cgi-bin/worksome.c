/*
 * POST /worksome — every Worksome event, on the one URL the organisation
 * registers (protocol §3).
 *
 * The runtime verifies the Signature header (hex HMAC-SHA256 of the raw
 * body with any configured worksome_secret.*, protocol §3.1) before the body
 * is parsed, then checks the envelope {"event": string, "data": object}.
 * The handler routes on event through the table below: a known event's
 * own field table and check (a file in cgi-bin/worksome-events/), then its SQL store
 * function, which records the delivery and derives the hire, worker,
 * trusted-contact, custom-field and job-owner rows in one transaction
 * (sql/code/4*-store_worksome_*.sql), with the event's validated values
 * as parameters.  An event not in the table is stored as the delivery
 * only, whatever the length of its name, and answered 200: Worksome adds
 * events over time.
 *
 * Deliveries are deduplicated on the raw body; a repeat is 200 and
 * counted.  Worksome does not order its deliveries, so every version of a
 * hire is kept and the current one is the latest received.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "worksome-events/events.h"

enum { F_EVENT, F_DATA };

static const struct field fields[] = {
	[F_EVENT] = { .key = "event", .type = FT_STRING,
	    .required = REQUIRED, .min = 1 },
	[F_DATA] = { .key = "data", .type = FT_OBJECT,
	    .required = REQUIRED },
	{ .key = NULL }
};

/* The known events: one file and one row each. */
static const struct ws_event *const events[] = {
	&ws_contract_accepted,
	&ws_hire_updated,
	&ws_hire_ended,
	&ws_hire_cancelled,
	&ws_hire_terminated,
	&ws_trusted_contact_updated,
};
#define NEVENTS	(sizeof(events) / sizeof(events[0]))

/*
 * Validate a parsed body whose envelope passed (req->vals holds the
 * envelope's values) against its event: a known event's own field table
 * (its values then replace the envelope's in req->vals), its extra rows
 * and its check.  *evp is the event's descriptor, or NULL for an event
 * not in the table (the delivery only).  The worker's route() and the
 * database module's re-derivation (pg/fields.c) both call it.
 */
enum status
ws_validate(struct request *req, const struct ws_event **evp)
{
	/* Borrowed from the root: valid until request_free(). */
	const char *name = req->vals[F_EVENT].s;
	const struct ws_event *ev = NULL;
	struct value extra[VALID_MAX_FIELDS];
	struct verror verr;
	enum status st;
	size_t i;

	for (i = 0; i < NEVENTS; i++)
		if (strcmp(events[i]->name, name) == 0) {
			ev = events[i];
			break;
		}
	*evp = ev;
	if (ev == NULL)
		return ST_OK;
	if (ev->fields != NULL && (st = valid_fields(req->root,
	    ev->fields, req->vals, &verr)) != ST_OK)
		return serve_fail(req, st, "invalid field", verr.field,
		    verr.detail);
	if (ev->extra != NULL && (st = valid_fields(req->root,
	    ev->extra, extra, &verr)) != ST_OK)
		return serve_fail(req, st, "invalid field", verr.field,
		    verr.detail);
	if (ev->check != NULL && (st = ev->check(req)) != ST_OK)
		return st;
	return ST_OK;
}

#ifndef WH_MODULE
/*
 * One store statement per event, and the last for unknown events; made in
 * main() before the loop, prepared once per connection by db_exec().
 * Process lifetime: never freed.
 */
static struct db_stmt stmts[NEVENTS + 1];

static enum status
route(struct request *req)
{
	const char *name = req->vals[F_EVENT].s;
	const struct ws_event *ev;
	enum status st;
	size_t i;

	if ((st = ws_validate(req, &ev)) != ST_OK)
		return st;
	for (i = 0; i < NEVENTS && events[i] != ev; i++)
		continue;
	/* The event's validated values follow the delivery (serve.h). */
	return serve_store_with(req, &stmts[i], name, NULL,
	    ev != NULL ? ev->fields : NULL);
}
#endif

static const struct endpoint ep = {
	.name = "worksome",
	.source = "worksome",
	.methods = M_POST,
	.auth = AUTH_WORKSOME,
	.body = BODY_JSON,
	.database = 1,
	.folds = 1,		/* the hire events' queue */
	.fields = fields,
#ifndef WH_MODULE
	.handler = route,
#endif
};

#ifdef WH_MODULE
/* The database module validates stored bodies with it (pg/module.h). */
const struct endpoint *const wh_module_worksome = &ep;
#else
int
main(int argc, char *argv[])
{
	static char names[NEVENTS][64];
	size_t i;

	for (i = 0; i < NEVENTS; i++) {
		snprintf(names[i], sizeof(names[i]), "worksome_%s",
		    events[i]->name);
		serve_store_stmt(&stmts[i], names[i], events[i]->store,
		    events[i]->store_many);
	}
	serve_store_stmt(&stmts[NEVENTS], "worksome_raw", WS_STORE_RAW, NULL);
	return serve_main(&ep, argc, argv);
}
#endif
