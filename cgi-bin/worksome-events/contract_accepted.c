/*
 * contractAccepted — the worker accepted a contract (protocol §3.2): data
 * holds contract, worker, trustedContact, customFieldValues.  A hire
 * version like any other (hire.c).
 */
#include "events.h"

const struct ws_event ws_contract_accepted = {
	.name = "contractAccepted",
	.fields = ws_hire_fields,
	.check = ws_hire_check,
	.store = WS_STORE_HIRE,
	.store_many = WS_STORE_HIRE_MANY,
};
