/*
 * endpoint — the descriptor an endpoint file fills in.
 *
 * cgi-bin/<endpoint>.c declares its HTTP contract as one struct endpoint
 * and calls serve_main() from main().  Reading that struct tells the
 * whole contract: methods, authentication, body, field table, the cross-
 * field check, and either the SQL function that stores the delivery
 * (the ordinary JSON-in, row-out webhook) or a handler of its own.
 */
#ifndef WH_ENDPOINT_H
#define WH_ENDPOINT_H

#include "status.h"
#include "valid.h"

struct request;

#define M_GET	0x01
#define M_POST	0x02

enum auth_scheme {
	AUTH_NONE,		/* no authentication */
	AUTH_UPDATEDGE,		/* Timestamp + Authorization (protocol §2.1) */
	AUTH_WORKSOME,		/* Signature over the raw body (protocol §3.1) */
};

enum body_kind {
	BODY_NONE,		/* any body is ignored, never read */
	BODY_JSON,		/* a JSON body is required */
};

struct endpoint {
	const char		*name;		/* "events/timelineChanged": logs, delivery.endpoint */
	const char		*source;	/* "updatedge", "worksome", or NULL */
	unsigned		 methods;	/* M_GET | M_POST */
	enum auth_scheme	 auth;
	enum body_kind		 body;
	int			 database;	/* 1: needs PostgreSQL */
	const struct field	*fields;	/* NULL or a table ending in {NULL} */
	/* Cross-field rules after the table; NULL if none. */
	enum status		(*check)(struct request *);
	/*
	 * Store: the SQL function called with the delivery parameters and
	 * then the validated values of fields, one per row in the table's
	 * order (serve.h, serve_store_with()), prepared once per connection
	 * as w->store.  When handler is NULL it is called for every valid
	 * request; a handler may call serve_store(req, &req->w->store, ...)
	 * itself (e.g. with a subject taken from the path).
	 */
	const char		*store;
	/*
	 * NULL, or the same store for several deliveries in one call: the
	 * function takes the endpoint, then each of store's other parameters
	 * as a text[] with one element per delivery, and returns (ord,
	 * delivery_id, times_received), ord from 1 in the arrays' order
	 * (sql/code/29-store_timeline_changed_many.sql).  A worker's batch
	 * (README "Batched stores") calls it instead of store once per
	 * delivery.
	 */
	const char		*store_many;
	/*
	 * 1: its stores leave work for workhooks.fold() (a queue row): the
	 * worker calls it after them and when it starts (serve.c,
	 * fold_flush).
	 */
	int			 folds;
	/* Own handler: runs after validation, fills the reply. */
	enum status		(*handler)(struct request *);
};

#endif
