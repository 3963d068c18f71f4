/*
 * hireTerminated — a hire was ended early (protocol §3.2): as hireEnded plus
 * terminatedReason, documented as a string but kept as whatever JSON value
 * arrives, in worksome_hire_version.terminated_reason.
 */
#include "events.h"

const struct ws_event ws_hire_terminated = {
	.name = "hireTerminated",
	.fields = ws_hire_fields,
	.check = ws_hire_check,
	.store = WS_STORE_HIRE,
	.store_many = WS_STORE_HIRE_MANY,
};
