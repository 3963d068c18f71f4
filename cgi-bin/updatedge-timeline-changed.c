/*
 * POST /events/timelineChanged — a worker's timeline changed (protocol §2.2,
 * §2.3).  Stored by workhooks.store_timeline_changed
 * (sql/code/30-store_timeline_changed.sql), which receives the validated
 * values of the field table below in its order (date-times in UTC to the
 * microsecond, as checked): the
 * delivery and one workhooks.timeline_change row, in one transaction; a
 * repeated body is counted, not stored twice.
 */
#include "serve.h"

enum { F_WORKER, F_OFFER, F_START, F_END, F_COMPLETED, F_MAXNOW,
    F_MAXNOW_CREATED };

static const struct field fields[] = {
	[F_WORKER] = { .key = "workerId", .type = FT_ID,
	    .required = REQUIRED, .lock_order = 1 },	/* worker_timeline */
	[F_OFFER] = { .key = "offerId", .type = FT_ID,
	    .required = OPTIONAL },
	[F_START] = { .key = "periodStart", .type = FT_DATETIME,
	    .required = REQUIRED },
	[F_END] = { .key = "periodEnd", .type = FT_DATETIME,
	    .required = REQUIRED },
	[F_COMPLETED] = { .key = "completedAt", .type = FT_DATETIME,
	    .required = REQUIRED },
	[F_MAXNOW] = { .key = "maxAvailableNow", .type = FT_DATETIME,
	    .required = OPTIONAL },
	[F_MAXNOW_CREATED] = { .key = "maxAvailableNowCreated",
	    .type = FT_DATETIME, .required = OPTIONAL },
	{ .key = NULL }
};

/* protocol §2.3: periodEnd is not before periodStart. */
static enum status
check(struct request *req)
{
	if (wtime_cmp(&req->vals[F_END].t, &req->vals[F_START].t) < 0)
		return serve_fail(req, ST_BAD_REQUEST, "invalid field",
		    "periodEnd", "before periodStart");
	return ST_OK;
}

static const struct endpoint ep = {
	.name = "events/timelineChanged",
	.source = "updatedge",
	.methods = M_POST,
	.auth = AUTH_UPDATEDGE,
	.body = BODY_JSON,
	.database = 1,
	.folds = 1,		/* the per-worker summary's queue */
	.fields = fields,
	.check = check,
	.store = "workhooks.store_timeline_changed",
	.store_many = "workhooks.store_timeline_changed_many",
};

#ifdef WH_MODULE
/* The database module validates stored bodies with it (pg/module.h). */
const struct endpoint *const wh_module_timeline_changed = &ep;
#else
int
main(int argc, char *argv[])
{
	return serve_main(&ep, argc, argv);
}
#endif
