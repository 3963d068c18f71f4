/*
 * events — the Worksome events POST /worksome knows (protocol §3.2).
 *
 * Each event is one struct ws_event in its own file under
 * cgi-bin/worksome-events/, listed once in worksome.c's table.  The descriptor
 * says, as data: the event name, the field table its payload must meet
 * (dotted paths from the body's root, object rows before their members;
 * a shared table plus the event's own rows),
 * an optional cross-field check, and the SQL function that stores it
 * (called by serve_store_with() with the delivery parameters and the
 * values of the event's field table, in its order; sql/code/4*.sql).
 *
 * Adding an event = a new file with its descriptor, a declaration below,
 * a row in worksome.c and a source in Makefile.am.
 */
#ifndef WH_WORKSOME_EVENTS_H
#define WH_WORKSOME_EVENTS_H

#include "serve.h"

struct ws_event {
	const char		*name;		/* the "event" value, exactly */
	/*
	 * The payload's field table (NULL: none).  Values land in
	 * req->vals, replacing the envelope's.
	 */
	const struct field	*fields;
	/*
	 * The event's own rows beyond a shared table (NULL: none), checked
	 * after fields; their values are not kept.
	 */
	const struct field	*extra;
	/* Cross-field rules on fields' values; NULL if none. */
	enum status		(*check)(struct request *);
	/* SQL store function, schema-qualified (sql/code/4*.sql). */
	const char		*store;
	/* NULL, or store for a batch of deliveries (endpoint.h, store_many). */
	const char		*store_many;
};

/*
 * The hire events share one field table and check (hire.c): contract,
 * worker and trustedContact objects required, the contract's typed
 * fields checked so that every cast the store function makes succeeds.
 */
extern const struct field	ws_hire_fields[];
enum status			ws_hire_check(struct request *);
#define WS_STORE_HIRE		"workhooks.store_worksome_hire"
#define WS_STORE_HIRE_MANY	"workhooks.store_worksome_hire_many"

extern const struct ws_event	ws_contract_accepted;
extern const struct ws_event	ws_hire_updated;
extern const struct ws_event	ws_hire_ended;
extern const struct ws_event	ws_hire_cancelled;
extern const struct ws_event	ws_hire_terminated;
extern const struct ws_event	ws_trusted_contact_updated;

/*
 * The event's rules for a body whose envelope passed (worksome.c): *evp
 * is its descriptor, NULL for an event not in the table.
 */
enum status			ws_validate(struct request *,
				    const struct ws_event **evp);

/* Any other event with a valid signature: the delivery only. */
#define WS_STORE_RAW		"workhooks.store_worksome_raw"

#endif
