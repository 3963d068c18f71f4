/*
 * fuzz_endpoint — raw body (or path) → validated values, through an
 * endpoint's real descriptor: this file includes cgi-bin/<endpoint>.c
 * (WH_ENDPOINT_SRC, set by Makefile.am per target) with its main()
 * renamed, so the field table, the cross-field check and the handler are
 * the endpoint's own.  The database is replaced by two stubs that record
 * what would be stored (serve_store) or queried (db_exec).
 *
 * For every input: json_parse_strict, then the descriptor's table and
 * check, then the handler, as serve.c's run() does.  The oracle restates
 * every row's rule independently (oracle.h) and demands: the request is
 * accepted exactly when every row passes; a refusal names the first
 * failing row; an accepted request stores (or queries) exactly once with
 * the endpoint's own SQL function and the validated values.  Endpoint
 * rules beyond the table: timelineChanged periodEnd >= periodStart;
 * Worksome routing by event and the hire check (hireId or id,
 * workerAcceptedAt's form); contact/new's worker id from the path, never
 * shortened.  For contact/new the input is the request path.
 *
 * periodEnd/periodStart are compared as PostgreSQL stores them
 * (or_pg_usec; FUZZ_STRICT_ROUNDING=0 accepts either neighbour on a tie).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "oracle.h"

/* The endpoint file, its database calls and main() redirected. */
#define main		wh_endpoint_main
#define serve_main	fuzz_serve_main
#define serve_store	fuzz_serve_store
#define serve_store_with	fuzz_serve_store_with
#define db_exec		fuzz_db_exec
int	wh_endpoint_main(int, char *[]);
#include WH_ENDPOINT_SRC
#undef main
#undef serve_main
#undef serve_store
#undef serve_store_with
#undef db_exec

#include "json.h"

/* ---------------------------------------------------------------- stubs */

static struct {
	int			 calls;
	const struct db_stmt	*stmt;
	const char		*event, *subject;
	char			 vals[3][4096];
	int			 nvals;
} rec;

int
fuzz_serve_main(const struct endpoint *e, int argc, char *argv[])
{
	(void)e;
	(void)argc;
	(void)argv;
	return 0;
}

enum status
fuzz_serve_store(struct request *req, struct db_stmt *stmt,
    const char *event, const char *subject)
{
	rec.calls++;
	rec.stmt = stmt;
	rec.event = event;
	rec.subject = subject;
	req->delivery = 1;
	req->times_received = 1;
	return ST_OK;
}

/* The store with an explicit field table: recorded the same way. */
enum status
fuzz_serve_store_with(struct request *req, struct db_stmt *stmt,
    const char *event, const char *subject, const struct field *table)
{
	(void)table;
	return fuzz_serve_store(req, stmt, event, subject);
}

enum status
fuzz_db_exec(struct db *db, struct db_stmt *stmt, const char *const *vals,
    PGresult **res, char *why, size_t size)
{
	int i;

	(void)db;
	rec.calls++;
	rec.stmt = stmt;
	rec.nvals = stmt->nparams < 3 ? stmt->nparams : 3;
	for (i = 0; i < rec.nvals; i++)
		snprintf(rec.vals[i], sizeof(rec.vals[i]), "%s",
		    vals[i] != NULL ? vals[i] : "(null)");
	*res = NULL;
	snprintf(why, size, "fuzz: no database");
	return ST_UNAVAILABLE;
}

/* ---------------------------------------------------------------- oracle */

static int strict;

/* A dotted path, walked with json-c's own getter; JSON null is absent. */
static struct json_object *
or_path(struct json_object *o, const char *path)
{
	char key[128];
	const char *p = path, *dot;
	struct json_object *next;
	size_t n;

	for (;;) {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &next) || next == NULL)
			return NULL;
		if (dot == NULL)
			return next;
		o = next;
		p = dot + 1;
	}
}

static int
is_str(struct json_object *j, const char **s, size_t *n)
{
	if (!json_object_is_type(j, json_type_string))
		return 0;
	*s = json_object_get_string(j);
	*n = (size_t)json_object_get_string_len(j);
	return 1;
}

/* One row's rule, restated (valid.h's enum ftype comments). */
static int
or_row(const struct field *f, struct json_object *j)
{
	const char *s;
	size_t n, i, c;
	int64_t sec;
	long f7;

	switch (f->type) {
	case FT_STRING:
		if (!is_str(j, &s, &n))
			return 0;
		c = or_chars(s, n);
		return c >= f->min && (f->max == 0 || c <= f->max);
	case FT_ID:
		if (!is_str(j, &s, &n))
			return 0;
		c = or_chars(s, n);
		return c >= 1 && c <= 128;
	case FT_DATETIME:
		return is_str(j, &s, &n) && or_datetime(s, n, 0, &sec, &f7);
	case FT_DATE:
		return is_str(j, &s, &n) && or_date(s, n);
	case FT_ENUM:
		if (!is_str(j, &s, &n))
			return 0;
		for (i = 0; f->choices[i] != NULL; i++)
			if (strcmp(f->choices[i], s) == 0 &&
			    strlen(f->choices[i]) == n)
				return 1;
		return 0;
	case FT_EMAIL:
		return is_str(j, &s, &n) && or_email(s, n);
	case FT_STRINGS:
		if (!json_object_is_type(j, json_type_array))
			return 0;
		n = json_object_array_length(j);
		if (n < f->min || (f->max > 0 && n > f->max))
			return 0;
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(j, i);
			size_t en;

			if (!is_str(e, &s, &en))
				return 0;
			if (f->item_max > 0 && or_chars(s, en) > f->item_max)
				return 0;
		}
		return 1;
	case FT_OBJECT:
		return json_object_is_type(j, json_type_object);
	case FT_ARRAY:
		return json_object_is_type(j, json_type_array);
	case FT_LIST:
		return json_object_is_type(j, json_type_array) ||
		    (json_object_is_type(j, json_type_object) &&
		    json_object_object_length(j) == 0);
	case FT_NUMSTR:
		if (json_object_is_type(j, json_type_int) ||
		    json_object_is_type(j, json_type_double))
			return 1;
		return is_str(j, &s, &n) && or_numeric_text(s, n);
	case FT_ANY:
		return 1;
	}
	abort();
}

/*
 * The table's verdict: NULL when every row passes, else the first
 * failing row's key.  Also checks the values valid_fields wrote.
 */
static const char *
or_table(struct json_object *root, const struct field *t,
    const struct value *vals, int checked)
{
	struct json_object *j;
	size_t i;

	for (i = 0; t[i].key != NULL; i++) {
		j = or_path(root, t[i].key);
		if (j == NULL) {
			if (t[i].required)
				return t[i].key;
			if (checked && vals[i].present)
				abort();
			continue;
		}
		if (!or_row(&t[i], j))
			return t[i].key;
		if (checked && (!vals[i].present || vals[i].json != j))
			abort();
	}
	return NULL;
}

/* Worksome's "YYYY-MM-DD HH:mm:ss" (or T), cgi-bin/worksome-events/hire.c. */
OR_FN int
or_local(const char *s, size_t n)
{
	return n == 19 && (or_shape(s, "dddd-dd-dd dd:dd:dd") ||
	    or_shape(s, "dddd-dd-ddTdd:dd:dd")) &&
	    or_day(or_num(s, 4), or_num(s + 5, 2), or_num(s + 8, 2)) &&
	    or_num(s + 11, 2) <= 23 && or_num(s + 14, 2) <= 59 &&
	    or_num(s + 17, 2) <= 59;
}

#ifdef NEVENTS
/*
 * POST /worksome after the envelope passed: a known event's own table
 * and the hire check decide; an unknown event is stored raw.
 */
static void
worksome_oracle(struct request *req, enum status st)
{
	const char *name = json_object_get_string(or_path(req->root, "event"));
	const struct ws_event *ev = NULL;
	struct json_object *wa;
	const char *s;
	size_t i, n, idx = NEVENTS;
	int refused = 0;

	for (i = 0; i < NEVENTS; i++)
		if (strcmp(events[i]->name, name) == 0) {
			ev = events[i];
			idx = i;
			break;
		}
	if (ev != NULL) {
		if (ev->fields != NULL &&
		    or_table(req->root, ev->fields, req->vals, 0) != NULL)
			refused = 1;
		if (ev->extra != NULL &&
		    or_table(req->root, ev->extra, req->vals, 0) != NULL)
			refused = 1;
		if (ev->check == ws_hire_check) {
			wa = or_path(req->root, "data.contract.workerAcceptedAt");
			if (or_path(req->root, "data.contract.hireId") == NULL &&
			    or_path(req->root, "data.contract.id") == NULL)
				refused = 1;
			/* A non-string is the table's refusal (FT_STRING). */
			if (wa != NULL && is_str(wa, &s, &n) && !or_local(s, n))
				refused = 1;
		}
	}
	if (refused) {
		if (st != ST_BAD_REQUEST || rec.calls != 0 || req->field == NULL)
			abort();	/* stored what the rules refuse */
		return;
	}
	if (st != ST_OK || rec.calls != 1 || rec.stmt != &stmts[idx] ||
	    rec.event == NULL || strcmp(rec.event, name) != 0 ||
	    rec.subject != NULL)
		abort();	/* refused, or stored with the wrong function */
}
#endif

/* ---------------------------------------------------------------- drivers */

static void
fresh(struct worker *w, struct request *req)
{
	memset(req, 0, sizeof(*req));
	memset(&rec, 0, sizeof(rec));
	req->w = w;
	req->ep = w->ep;
}

/* contact/new: the input is the request path. */
static void
drive_path(struct worker *w, const uint8_t *data, size_t size)
{
	struct request req;
	char *path;
	const char *seg, *p;
	size_t n;
	int valid;
	enum status st;

	if ((path = malloc(size + 1)) == NULL)
		return;
	memcpy(path, data, size);
	path[size] = '\0';
	/* Oracle: after the last "/contact/new/", else the last '/'. */
	seg = NULL;
	for (p = path; (p = strstr(p, "/contact/new/")) != NULL; p++)
		seg = p + 13;
	if (seg == NULL)
		seg = (p = strrchr(path, '/')) != NULL ? p + 1 : path;
	n = strlen(seg);
	valid = n >= 1 && n <= 128 && strspn(seg, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~-") == n;

	fresh(w, &req);
	req.method = "GET";
	req.path = path;
	st = w->ep->handler(&req);
	if (valid) {
		if (st != ST_OK || rec.calls != 1 || rec.subject == NULL ||
		    strcmp(rec.subject, seg) != 0 || rec.event != NULL ||
		    rec.stmt != &w->store)
			abort();	/* not stored, or stored as another id */
	} else if (st != ST_BAD_REQUEST || rec.calls != 0 ||
	    req.field == NULL || strcmp(req.field, "workerId") != 0)
		abort();
	free(req.reply);
	free(path);
}

static void
drive_body(struct worker *w, const uint8_t *data, size_t size)
{
	const struct endpoint *e = w->ep;
	struct request req;
	struct verror verr;
	const char *why, *bad;
	enum status st;

	fresh(w, &req);
	req.method = "POST";
	req.body = (char *)data;	/* borrowed: never freed here */
	req.len = size;
	if (json_parse_strict((const char *)data, size, &req.root, &why) !=
	    ST_OK)
		return;			/* fuzz_body covers the parser */
	st = valid_fields(req.root, e->fields, req.vals, &verr);
	bad = or_table(req.root, e->fields, req.vals, st == ST_OK);
	if ((st == ST_OK) != (bad == NULL))
		abort();
	if (st != ST_OK) {
		if (st != ST_BAD_REQUEST || strcmp(verr.field, bad) != 0)
			abort();	/* must name the first failing row */
		goto out;
	}
	if (e->check != NULL && (st = e->check(&req)) != ST_OK)
		goto checked;
	if (e->handler != NULL)
		st = e->handler(&req);
	else
		st = fuzz_serve_store(&req, &w->store, NULL, NULL);
checked:
	if (strcmp(e->name, "events/timelineChanged") == 0) {
		/* periodEnd not before periodStart (protocol §2.3). */
		int64_t s0, s1;
		long f0, f1;
		const char *s;
		size_t n;
		__int128 a, b;

		if (!is_str(or_path(req.root, "periodStart"), &s, &n) ||
		    !or_datetime(s, n, 0, &s0, &f0) ||
		    !is_str(or_path(req.root, "periodEnd"), &s, &n) ||
		    !or_datetime(s, n, 0, &s1, &f1))
			abort();
		a = (__int128)s0 * 10000000 + f0;	/* 100 ns units */
		b = (__int128)s1 * 10000000 + f1;
		if (strict) {
			/* As stored: rounded as PostgreSQL does, then compared. */
			a = (__int128)s0 * 1000000 + or_pg_usec(f0);
			b = (__int128)s1 * 1000000 + or_pg_usec(f1);
			if ((st == ST_OK) != (b >= a))
				abort();
		} else if ((b >= a && st != ST_OK) ||
		    (b + 10 < a && st == ST_OK))
			abort();
		if (st != ST_OK && (req.field == NULL ||
		    strcmp(req.field, "periodEnd") != 0))
			abort();
	}
	if (strcmp(e->name, "contact-suggestions") == 0) {
		/* The query gets the validated addresses as a JSON array. */
		struct json_object *q = NULL;

		if (st != ST_UNAVAILABLE || rec.calls != 1 || rec.nvals != 3 ||
		    json_parse_strict(rec.vals[0], strlen(rec.vals[0]), &q,
		    &why) != ST_OK ||
		    !json_object_is_type(q, json_type_array) ||
		    json_object_array_length(q) !=
		    json_object_array_length(req.vals[0].json))
			abort();
		json_object_put(q);
		goto out;
	}
#ifdef NEVENTS
	worksome_oracle(&req, st);
	goto out;
#endif
	if (e->handler == NULL && st == ST_OK &&
	    (rec.calls != 1 || rec.stmt != &w->store || rec.event != NULL ||
	    rec.subject != NULL))
		abort();
out:
	free(req.reply);
	json_object_put(req.root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct worker w;
	static char arg0[] = "fuzz", *argv[] = { arg0, NULL };

	if (w.ep == NULL) {
		const char *e = getenv("FUZZ_STRICT_ROUNDING");

		strict = e == NULL || strcmp(e, "0") != 0;
		wh_endpoint_main(1, argv);	/* the file's own set-up */
		config_defaults(&w.cfg);
		w.ep = &ep;
		if (ep.store != NULL)
			serve_store_stmt(&w.store, "fuzz_store", ep.store,
			    ep.store_many);
	}
	if (ep.body == BODY_JSON)
		drive_body(&w, data, size);
	else
		drive_path(&w, data, size);
	return 0;
}
