/*
 * POST /offer/response — a worker applied for ("accepted") or rejected an
 * offer (protocol §2.2, §2.3).  Stored by workhooks.store_offer_response
 * (sql/code/31-store_offer_response.sql), with the validated offerId,
 * workerId and response: the delivery and one workhooks.offer_response row; a repeat
 * of the same body is counted and makes that answer the current one again
 * (view workhooks.offer_response_current).
 */
#include "serve.h"

static const char *const responses[] = { "accepted", "rejected", NULL };

static const struct field fields[] = {
	{ .key = "offerId", .type = FT_ID, .required = REQUIRED },
	{ .key = "workerId", .type = FT_ID, .required = REQUIRED },
	{ .key = "response", .type = FT_ENUM, .required = REQUIRED,
	    .choices = responses },
	{ .key = NULL }
};

static const struct endpoint ep = {
	.name = "offer/response",
	.source = "updatedge",
	.methods = M_POST,
	.auth = AUTH_UPDATEDGE,
	.body = BODY_JSON,
	.database = 1,
	.fields = fields,
	.store = "workhooks.store_offer_response",
};

#ifdef WH_MODULE
/* The database module validates stored bodies with it (pg/module.h). */
const struct endpoint *const wh_module_offer_response = &ep;
#else
int
main(int argc, char *argv[])
{
	return serve_main(&ep, argc, argv);
}
#endif
