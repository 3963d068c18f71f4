/*
 * hireUpdated — a hire changed (protocol §3.2): data holds contract, worker,
 * trustedContact, customFieldValues.  The documented example has no
 * contract.hireId: the hire key is then contract.id (hire.c).
 */
#include "events.h"

const struct ws_event ws_hire_updated = {
	.name = "hireUpdated",
	.fields = ws_hire_fields,
	.check = ws_hire_check,
	.store = WS_STORE_HIRE,
	.store_many = WS_STORE_HIRE_MANY,
};
