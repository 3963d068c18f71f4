/*
 * hireCancelled — a hire was cancelled (protocol §3.2): the hire objects
 * (hire.c) plus cancelReason, kept as whatever JSON value arrives (the
 * vector's is PHP's empty {}), in worksome_hire_version.cancel_reason.
 */
#include "events.h"

const struct ws_event ws_hire_cancelled = {
	.name = "hireCancelled",
	.fields = ws_hire_fields,
	.check = ws_hire_check,
	.store = WS_STORE_HIRE,
	.store_many = WS_STORE_HIRE_MANY,
};
