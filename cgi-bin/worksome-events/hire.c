/*
 * hire — what the five hire events share (protocol §3.2): contractAccepted,
 * hireUpdated, hireEnded, hireCancelled, hireTerminated all carry data.
 * contract, data.worker and data.trustedContact, stored by
 * workhooks.store_worksome_hire (sql/code/43-store_worksome_hire.sql),
 * which receives the scalar values of ws_hire_fields below, in its order
 * (serve.h); it reads the objects' text members from the body.
 *
 * Tolerance (protocol §3.2: "a missing or null optional field must not fail
 * the delivery"): only the three objects are required, and, since a hire
 * needs a key, contract.hireId or contract.id.  Everything else is
 * optional; what is checked is what the store function receives typed
 * (dates, workerAcceptedAt, rate) or keys rows on (ids), so that a value that
 * would make the SQL fail is a 400 naming the field, never a 500 that
 * Worksome would retry for hours.  Text fields are read with ->> and are
 * not type-checked: a number where a string is documented is kept as its
 * text.
 */
#include <string.h>

#include "events.h"

enum {
	H_CONTRACT, H_WORKER, H_TRUSTED,
	H_HIRE_ID, H_CONTRACT_ID, H_START, H_END, H_ACCEPTED, H_RATE,
	H_OWNERS, H_CUSTOM, H_WORKER_ID, H_TRUSTED_ID, H_CANCEL, H_TERMINATED,
};

/* Object rows first: a member's row only sees an object (valid.h). */
const struct field ws_hire_fields[] = {
	[H_CONTRACT] = { .key = "data.contract", .type = FT_OBJECT,
	    .required = REQUIRED },
	[H_WORKER] = { .key = "data.worker", .type = FT_OBJECT,
	    .required = REQUIRED },
	[H_TRUSTED] = { .key = "data.trustedContact", .type = FT_OBJECT,
	    .required = REQUIRED },
	/* The hire key: hireId, else id (ws_hire_check). */
	[H_HIRE_ID] = { .key = "data.contract.hireId", .type = FT_ID,
	    .lock_order = 3 },
	[H_CONTRACT_ID] = { .key = "data.contract.id", .type = FT_ID,
	    .lock_order = 4 },
	[H_START] = { .key = "data.contract.startDate", .type = FT_DATE },
	[H_END] = { .key = "data.contract.endDate", .type = FT_DATE },
	/* "YYYY-MM-DD HH:mm:ss", Central European time (ws_hire_check). */
	[H_ACCEPTED] = { .key = "data.contract.workerAcceptedAt",
	    .type = FT_STRING },
	/* A decimal as a string or a number. */
	[H_RATE] = { .key = "data.contract.rate", .type = FT_NUMSTR },
	/* Arrays; PHP writes an empty one as {} too. */
	[H_OWNERS] = { .key = "data.contract.jobOwners", .type = FT_LIST },
	[H_CUSTOM] = { .key = "data.customFieldValues", .type = FT_LIST },
	/* The derive locks worker, trusted contact, hire: lock_order. */
	[H_WORKER_ID] = { .key = "data.worker.id", .type = FT_ID,
	    .lock_order = 1 },
	[H_TRUSTED_ID] = { .key = "data.trustedContact.id", .type = FT_ID,
	    .lock_order = 2 },
	/* hireCancelled, hireTerminated: kept as whatever JSON arrives. */
	[H_CANCEL] = { .key = "data.cancelReason", .type = FT_ANY },
	[H_TERMINATED] = { .key = "data.terminatedReason", .type = FT_ANY },
	{ .key = NULL }
};

/* n decimal digits at s into *v. */
static int
digits(const char *s, int n, int *v)
{
	*v = 0;
	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return 0;
		*v = *v * 10 + (*s - '0');
	}
	return 1;
}

/*
 * Worksome's local date-time: "YYYY-MM-DD HH:mm:ss" (a 'T' in place of
 * the space is taken too), a real calendar day, 00:00:00-23:59:59.
 * Exactly what PostgreSQL's timestamp input reads the same way under any
 * DateStyle.
 */
static int
local_datetime(const char *s, size_t len)
{
	int y, mo, d, h, mi, se;

	if (len != 19 || !wtime_parse_date(s, 10, &y, &mo, &d))
		return 0;
	if ((s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
		return 0;
	return digits(s + 11, 2, &h) && digits(s + 14, 2, &mi) &&
	    digits(s + 17, 2, &se) && h <= 23 && mi <= 59 && se <= 59;
}

enum status
ws_hire_check(struct request *req)
{
	const struct value *v = req->vals;

	if (!v[H_HIRE_ID].present && !v[H_CONTRACT_ID].present)
		return serve_fail(req, ST_BAD_REQUEST, "invalid field",
		    "data.contract.id", "required when hireId is absent");
	if (v[H_ACCEPTED].present &&
	    !local_datetime(v[H_ACCEPTED].s, v[H_ACCEPTED].len))
		return serve_fail(req, ST_BAD_REQUEST, "invalid field",
		    "data.contract.workerAcceptedAt",
		    "not a YYYY-MM-DD HH:mm:ss date-time");
	return ST_OK;
}
