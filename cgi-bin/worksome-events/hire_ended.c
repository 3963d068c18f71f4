/*
 * hireEnded — a hire reached its end (protocol §3.2): data holds contract,
 * worker, trustedContact, maybe customFieldValues (hire.c).
 */
#include "events.h"

const struct ws_event ws_hire_ended = {
	.name = "hireEnded",
	.fields = ws_hire_fields,
	.check = ws_hire_check,
	.store = WS_STORE_HIRE,
	.store_many = WS_STORE_HIRE_MANY,
};
