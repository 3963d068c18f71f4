/*
 * POST /offer/eventDeleted — a worker deleted an event that an offer had
 * put on the timeline (protocol §2.2, §2.3).  Stored by
 * workhooks.store_offer_event_deleted
 * (sql/code/32-store_offer_event_deleted.sql), with the validated values: the delivery and one
 * workhooks.offer_event_deleted row; a repeated body is counted only.
 */
#include "serve.h"

static const struct field fields[] = {
	{ .key = "offerId", .type = FT_ID, .required = REQUIRED },
	{ .key = "workerId", .type = FT_ID, .required = REQUIRED },
	{ .key = "eventStart", .type = FT_DATETIME, .required = REQUIRED },
	{ .key = NULL }
};

static const struct endpoint ep = {
	.name = "offer/eventDeleted",
	.source = "updatedge",
	.methods = M_POST,
	.auth = AUTH_UPDATEDGE,
	.body = BODY_JSON,
	.database = 1,
	.fields = fields,
	.store = "workhooks.store_offer_event_deleted",
};

#ifdef WH_MODULE
/* The database module validates stored bodies with it (pg/module.h). */
const struct endpoint *const wh_module_offer_event_deleted = &ep;
#else
int
main(int argc, char *argv[])
{
	return serve_main(&ep, argc, argv);
}
#endif
