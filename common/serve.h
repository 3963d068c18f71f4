/*
 * serve — the request loop and the path of one request.
 *
 * serve_main() loads the configuration (exiting with a message naming the
 * key and line if it is bad: err() only before the loop), then serves
 * FastCGI requests (FCGX_Accept_r, explicit streams) or, when not started
 * as FastCGI, the one CGI request in the environment.  Each request runs,
 * in order: method (405) → declared length (413) → Content-Type (415) →
 * body → authentication (401) → JSON (400) → field table and check (400)
 * → handler or default store (503/500) → response → one log line.
 * Before the method: a path longer than 8192 bytes is 414; the length
 * step also answers 411 (a body without a declared length) and the body
 * read 408 after body_timeout.
 * SIGTERM: the request in hand is finished, then the process exits.
 * SIGHUP (or SIGUSR2, which multiwatch forwards): the configuration is
 * read again between two requests; a bad file is refused with a log
 * line and the running configuration kept.
 *
 * Ownership: a struct request lives for one request and everything it
 * points to is freed by request_free() in serve.c — except the strings
 * borrowed from the FastCGI parameters (die at the next accept) and from
 * the JSON root (die with it).  Handlers never keep pointers across
 * requests; per-process state lives in struct worker.
 */
#ifndef WH_SERVE_H
#define WH_SERVE_H

#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "config.h"
#include "db.h"
#include "endpoint.h"
#include "metrics.h"
#include "rejects.h"
#include "status.h"
#include "valid.h"
#include "wtime.h"

/* Made once per process, before the accept loop. */
struct worker {
	struct config		 cfg;
	struct db		 db;		/* writes (and reads by default) */
	struct db		 rodb;		/* suggestions_database, if set */
	struct db		*reader;	/* &rodb if set, else &db */
	struct rejects		 rejects;
	struct metrics		 metrics;	/* GET /metrics counters */
	const struct endpoint	*ep;
	char			 label[96];	/* "source/name" for logs */
	struct db_stmt		 store;		/* the endpoint's default store */
	struct db_stmt		 wake;		/* workhooks.wake(), made at first use */
	long long		 wake_id;	/* newest delivery not yet announced; 0: none */
	struct timespec		 wake_last;	/* when the last wake-up went (monotonic) */
	struct db_stmt		 fold;		/* workhooks.fold(), made at first use */
	int			 fold_due;	/* serve.c FOLD_*: when the next fold is */
	int			 fold_failing;	/* the last fold failed (logged once) */
	struct timespec		 fold_last;	/* when the last fold ran (monotonic) */
	void			*data;		/* handler's own per-process state */
};

struct request {
	struct worker		*w;
	const struct endpoint	*ep;
	const char		*method;	/* borrowed (params) */
	const char		*path;		/* whole REQUEST_URI path or SCRIPT_NAME+PATH_INFO; owned by serve.c */
	char			*body;		/* owned; NUL-terminated, len bytes */
	size_t			 len;
	struct json_object	*root;		/* owned */
	struct value		 vals[VALID_MAX_FIELDS];
	/* Authentication results. */
	const char		*secret_label;	/* borrowed from cfg */
	const char		*signature;	/* borrowed: header as received */
	const char		*timestamp;	/* borrowed: updatedge Timestamp */
	struct wtime		 signed_at;
	/* Outcome. */
	enum status		 st;
	const char		*reason;	/* static: log and reject counts */
	const char		*field;		/* static: 400 naming the field */
	const char		*detail;	/* static: 400 detail */
	char			 why[512];	/* escaped log detail */
	char			*reply;		/* owned: the body (JSON unless content_type) */
	const char		*content_type;	/* static; NULL: application/json */
	const char		*event;		/* borrowed: the stored event, or NULL */
	long long		 delivery;
	long long		 times_received;
	/* Private to serve.c. */
	void			*io;
	struct timespec		 t0;
};

/* Entry point for an endpoint binary's main(). */
int		serve_main(const struct endpoint *ep, int argc, char *argv[]);

/* A request parameter (CGI variable such as "HTTP_SIGNATURE"), borrowed. */
const char	*serve_param(struct request *, const char *name);

/*
 * Fail the request: st with a static reason (logged and counted); for
 * 400, field and detail (static) go into the JSON error body.  Defined
 * in common/params.c, which the database module (pg/) links too.
 */
enum status	serve_fail(struct request *, enum status st, const char *reason,
		    const char *field, const char *detail);

/*
 * Take ownership of the body (text made with malloc): the answer's body
 * whatever the status, so a handler may fail with a body of its own.
 */
void		serve_reply(struct request *, char *json);

/*
 * Make stmt call the store function fn (schema-qualified, static string);
 * name is the prepared name.  The statement's text is made at its first
 * serve_store*(), from the field table it is used with (always the same).
 * many: NULL, or fn for several deliveries in one call, which a batch
 * calls instead (endpoint.h, store_many).
 */
void		serve_store_stmt(struct db_stmt *stmt, const char *name,
		    const char *fn, const char *many);

/*
 * The store: call the SQL function fn with the delivery parameters,
 *   $1 endpoint text, $2 event text, $3 body text (raw, as received),
 *   $4 body_sha256 bytea (of those bytes), $5 signature text,
 *   $6 secret_label text, $7 signed_timestamp text (as received),
 *   $8 signed_at timestamptz, $9 subject text,
 * then one parameter per scalar row of fields (the table the request
 * was validated with, its values in req->vals; params_fields(),
 * common/params.c, which workhooks.fields() shares), in the table's order,
 * NULL when absent: strings, ids, enums, emails and dates as their text;
 * date-times in UTC to the microsecond, exactly the validated value;
 * numbers as sent (an integer beyond 64 bits is a 400: json-c clamps it).
 * Rows of objects, arrays and any-values are not passed: a store that
 * needs one (Worksome's text members, lists) reads it from the body,
 * parsed once; updatedge stores never parse the body.  It must return one row
 * (delivery_id bigint, times_received bigint), and do the delivery and
 * what derives from it in one transaction, deriving rows only for a new
 * delivery (sql/code/30-store_timeline_changed.sql).  stmt is prepared
 * once per connection.  event and subject may be NULL.
 * After the commit the delivery is noted for the worker's next wake-up
 * (workhooks.wake() in a transaction of its own once the answer is out,
 * coalesced per notify_interval: serve.c); its failure is logged, the
 * answer stays 200.
 * On ST_OK the request's delivery and times_received are set and a reply
 * {"status":"ok","delivery":N,"duplicate":bool} is made.
 * In a FastCGI worker (store_batch > 1) the statement is deferred: ST_OK
 * with no reply yet, and the accept loop stores the request together with
 * the others ready (README "Batched stores"), then sets its outcome as
 * above.  So a handler returns what serve_store*() returns and does
 * nothing after it.
 */
enum status	serve_store_with(struct request *, struct db_stmt *stmt,
		    const char *event, const char *subject,
		    const struct field *fields);
#define SERVE_STORE_NPARAMS	9

/* serve_store_with() with the endpoint's own field table. */
enum status	serve_store(struct request *, struct db_stmt *stmt,
		    const char *event, const char *subject);

#endif
