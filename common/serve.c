/* serve — the accept loop and one request's path, in contract order. */
#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/evp.h>

#include "auth.h"
#include "json.h"
#include "log.h"
#include "serve.h"

extern char **environ;

/* Where a request's bytes come from: FastCGI streams or CGI stdio. */
struct io {
	FCGX_Request	*fcgi;		/* NULL: plain CGI */
};

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

const char *
serve_param(struct request *req, const char *name)
{
	struct io *io = req->io;

	if (io->fcgi != NULL)
		return FCGX_GetParam(name, io->fcgi->envp);
	return getenv(name);
}

static size_t
io_read(struct request *req, char *buf, size_t n)
{
	struct io *io = req->io;
	size_t got = 0;
	int k;

	if (io->fcgi == NULL)
		return fread(buf, 1, n, stdin);
	while (got < n) {
		k = FCGX_GetStr(buf + got, n - got > 65536 ? 65536 :
		    (int)(n - got), io->fcgi->in);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

static void
io_write(struct request *req, const char *buf, size_t n)
{
	struct io *io = req->io;

	if (io->fcgi == NULL)
		fwrite(buf, 1, n, stdout);
	else
		FCGX_PutStr(buf, (int)n, io->fcgi->out);
}

enum status
serve_fail(struct request *req, enum status st, const char *reason,
    const char *field, const char *detail)
{
	req->st = st;
	req->reason = reason;
	req->field = field;
	req->detail = detail;
	return st;
}

void
serve_reply(struct request *req, char *json)
{
	free(req->reply);
	req->reply = json;
}

/*
 * The store statement is made on first use (serve_store_with()), when the
 * number of field parameters is known; until then sql holds the function
 * name and nparams is -1.
 */
void
serve_store_stmt(struct db_stmt *stmt, const char *name, const char *fn)
{
	char *sql;

	if ((sql = strdup(fn)) == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	stmt->name = name;
	stmt->sql = sql;
	stmt->nparams = -1;
	stmt->gen = 0;
}

static int
store_stmt_build(struct db_stmt *stmt, int nfields)
{
	char *sql, *p;
	size_t size;
	int i, n;

	size = strlen(stmt->sql) + 80 + (size_t)(SERVE_STORE_NPARAMS + nfields) * 6;
	if ((sql = malloc(size)) == NULL)
		return 0;
	n = snprintf(sql, size, "SELECT delivery_id, times_received FROM %s(",
	    stmt->sql);
	p = sql + n;
	for (i = 1; i <= SERVE_STORE_NPARAMS + nfields; i++) {
		n = snprintf(p, size - (size_t)(p - sql), "%s$%d",
		    i > 1 ? ", " : "", i);
		p += n;
	}
	snprintf(p, size - (size_t)(p - sql), ")");
	free((char *)stmt->sql);
	stmt->sql = sql;
	stmt->nparams = SERVE_STORE_NPARAMS + nfields;
	return 1;
}

/* A date-time as PostgreSQL reads it under any setting: UTC, to the µs. */
static void
format_utc(char *buf, size_t size, const struct wtime *t)
{
	struct tm tm;
	time_t sec = (time_t)t->sec;
	size_t n;

	gmtime_r(&sec, &tm);
	/* strftime, then the microseconds: no truncation warning. */
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06uZ", (unsigned)t->usec % 1000000u);
}

/* "\x" and the hex SHA-256 of the body: bytea input. */
static int
body_sha256(const struct request *req, char out[2 + 64 + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_Digest(req->body != NULL ? req->body : "", req->len, md, &n,
	    EVP_sha256(), NULL) || n != 32)
		return 0;
	out[0] = '\\';
	out[1] = 'x';
	for (i = 0; i < n; i++) {
		out[2 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i] = hex[md[i] & 0x0f];
	}
	out[2 + 2 * n] = '\0';
	return 1;
}

/*
 * Wake LISTEN workhooks for a committed delivery: its own statement and
 * transaction (workhooks.wake(), sql/code/21-wake.sql), after the store's
 * commit, so that no commit waits behind another's notification.  The
 * delivery is committed whatever happens here: a failure (a full
 * notification queue, 54000; a lost connection) is logged and the answer
 * stays 200.
 */
static void
store_wake(struct request *req)
{
	struct worker *w = req->w;
	PGresult *res = NULL;
	char id[32], why[512];
	const char *vals[1];

	if (w->wake.name == NULL) {
		w->wake.name = "workhooks_wake";
		w->wake.sql = "SELECT workhooks.wake($1)";
		w->wake.nparams = 1;
	}
	snprintf(id, sizeof(id), "%lld", req->delivery);
	vals[0] = id;
	why[0] = '\0';
	if (db_exec(&w->db, &w->wake, vals, &res, why, sizeof(why)) != ST_OK) {
		log_warn("%s: delivery %lld committed, its wake-up failed: %s",
		    w->label, req->delivery, why);
		return;
	}
	PQclear(res);
}

/*
 * Rows passed as parameters: scalars.  Objects, arrays and any-values are
 * not (json-c would write back an integer beyond 64 bits clamped): a
 * store that reads them takes them from the raw body, parsed once.
 */
static int
store_scalar(enum ftype t)
{
	switch (t) {
	case FT_STRING:
	case FT_ID:
	case FT_DATETIME:
	case FT_DATE:
	case FT_ENUM:
	case FT_EMAIL:
	case FT_NUMSTR:
		return 1;
	default:
		return 0;
	}
}

enum status
serve_store(struct request *req, struct db_stmt *stmt, const char *event,
    const char *subject)
{
	return serve_store_with(req, stmt, event, subject, req->ep->fields);
}

enum status
serve_store_with(struct request *req, struct db_stmt *stmt, const char *event,
    const char *subject, const struct field *fields)
{
	struct worker *w = req->w;
	const char *vals[SERVE_STORE_NPARAMS + VALID_MAX_FIELDS];
	char at[64], sha[2 + 64 + 1], *reply, *end;
	char times[VALID_MAX_FIELDS][64];
	const struct value *v;
	PGresult *res = NULL;
	enum status st;
	int i, k, nf = 0;

	if (fields != NULL)
		for (i = 0; i < VALID_MAX_FIELDS && fields[i].key != NULL; i++)
			if (store_scalar(fields[i].type))
				nf++;
	if (stmt->nparams < 0 && !store_stmt_build(stmt, nf))
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
	if (stmt->nparams != SERVE_STORE_NPARAMS + nf) {
		snprintf(req->why, sizeof(req->why),
		    "store statement %s made for another field table", stmt->name);
		return serve_fail(req, ST_INTERNAL, "store", NULL, NULL);
	}
	if (!body_sha256(req, sha))
		return serve_fail(req, ST_INTERNAL, "sha256", NULL, NULL);
	at[0] = '\0';
	if (req->timestamp != NULL)
		format_utc(at, sizeof(at), &req->signed_at);
	vals[0] = w->ep->name;
	vals[1] = event;
	vals[2] = req->body != NULL ? req->body : "";
	vals[3] = sha;
	vals[4] = req->signature;
	vals[5] = req->secret_label;
	vals[6] = req->timestamp;
	vals[7] = req->timestamp != NULL ? at : NULL;
	vals[8] = subject;
	/* The validated scalar values, one per scalar row of the table. */
	for (i = 0, k = SERVE_STORE_NPARAMS; nf > 0 && i < VALID_MAX_FIELDS &&
	    fields[i].key != NULL; i++) {
		if (!store_scalar(fields[i].type))
			continue;
		v = &req->vals[i];
		vals[k] = NULL;
		if (v->present && v->json != NULL)
			switch (fields[i].type) {
			case FT_DATETIME:
				format_utc(times[i], sizeof(times[i]), &v->t);
				vals[k] = times[i];
				break;
			case FT_NUMSTR:
				if (json_object_is_type(v->json, json_type_string)) {
					vals[k] = v->s;
					break;
				}
				/*
				 * json-c keeps a fraction's text but clamps an
				 * integer beyond 64 bits to the bound: refuse
				 * what would be stored wrong.
				 */
				if (json_object_is_type(v->json, json_type_int) &&
				    (json_object_get_int64(v->json) == INT64_MAX ||
				    json_object_get_int64(v->json) == INT64_MIN))
					return serve_fail(req, ST_BAD_REQUEST,
					    "invalid field", fields[i].key,
					    "integer beyond 64 bits");
				vals[k] = json_object_to_json_string_ext(v->json,
				    JSON_C_TO_STRING_PLAIN);
				break;
			default:	/* strings, ids, enums, emails, dates */
				vals[k] = v->s;
				break;
			}
		k++;
	}
	st = db_exec(&w->db, stmt, vals, &res, req->why, sizeof(req->why));
	if (st != ST_OK)
		return serve_fail(req, st, "database", NULL, NULL);
	if (PQntuples(res) != 1 || PQnfields(res) != 2) {
		PQclear(res);
		snprintf(req->why, sizeof(req->why), "store returned no row");
		return serve_fail(req, ST_INTERNAL, "database", NULL, NULL);
	}
	req->delivery = strtoll(PQgetvalue(res, 0, 0), &end, 10);
	req->times_received = strtoll(PQgetvalue(res, 0, 1), &end, 10);
	PQclear(res);
	store_wake(req);
	if (asprintf(&reply, "{\"status\":\"ok\",\"delivery\":%lld,"
	    "\"duplicate\":%s}", req->delivery,
	    req->times_received > 1 ? "true" : "false") < 0)
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
	serve_reply(req, reply);
	return ST_OK;
}

/* Strict non-negative decimal; 0 on garbage, sets *big past limit. */
static int
content_length(const char *s, long limit, size_t *out, int *big)
{
	size_t v = 0;

	*big = 0;
	*out = 0;
	if (s == NULL || *s == '\0')
		return 1;		/* absent: no body */
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (v > (size_t)limit) {
			*big = 1;	/* keep validating the digits */
			continue;
		}
		v = v * 10 + (size_t)(*s - '0');
	}
	if (v > (size_t)limit)
		*big = 1;
	*out = v;
	return 1;
}

/* Content-Type: application/json with or without parameters, or none. */
static int
json_media_type(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return 1;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (*ct == '\0')
		return 1;
	n = strcspn(ct, "; \t");
	if (n != 16 || strncasecmp(ct, "application/json", 16) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static enum status
authenticate(struct request *req)
{
	struct worker *w = req->w;
	const char *why = NULL;
	enum status st = ST_OK;

	switch (w->ep->auth) {
	case AUTH_NONE:
		return ST_OK;
	case AUTH_UPDATEDGE:
		req->timestamp = serve_param(req, "HTTP_TIMESTAMP");
		req->signature = serve_param(req, "HTTP_AUTHORIZATION");
		st = auth_updatedge(&w->cfg, req->timestamp, req->signature,
		    time(NULL), &req->secret_label, &req->signed_at, &why);
		break;
	case AUTH_WORKSOME:
		req->signature = serve_param(req, "HTTP_SIGNATURE");
		st = auth_worksome(&w->cfg, req->signature,
		    req->body != NULL ? req->body : "", req->len,
		    &req->secret_label, &why);
		break;
	}
	if (st != ST_OK) {
		req->timestamp = NULL;
		return serve_fail(req, st, why, NULL, NULL);
	}
	return ST_OK;
}

/* The request path, in the order of protocol §1. */
static enum status
run(struct request *req)
{
	const struct endpoint *ep = req->ep;
	struct worker *w = req->w;
	struct verror verr;
	unsigned m = 0;
	const char *why;
	size_t len;
	int big;
	enum status st;

	if (req->method != NULL && strcmp(req->method, "GET") == 0)
		m = M_GET;
	else if (req->method != NULL && strcmp(req->method, "POST") == 0)
		m = M_POST;
	if ((ep->methods & m) == 0)
		return serve_fail(req, ST_METHOD, "method not allowed", NULL,
		    NULL);

	if (ep->body == BODY_JSON) {
		if (!content_length(serve_param(req, "CONTENT_LENGTH"),
		    w->cfg.body_limit, &len, &big))
			return serve_fail(req, ST_BAD_REQUEST,
			    "invalid Content-Length", NULL, NULL);
		if (big)
			return serve_fail(req, ST_TOO_LARGE,
			    "payload too large", NULL, NULL);
		if (len > 0 && !json_media_type(serve_param(req,
		    "CONTENT_TYPE")))
			return serve_fail(req, ST_MEDIA_TYPE,
			    "unsupported media type", NULL, NULL);
		if ((req->body = malloc(len + 1)) == NULL)
			return serve_fail(req, ST_INTERNAL, "out of memory",
			    NULL, NULL);
		req->len = io_read(req, req->body, len);
		req->body[req->len] = '\0';
		if (req->len != len)
			return serve_fail(req, ST_BAD_REQUEST,
			    "incomplete body", NULL, NULL);
	}

	if ((st = authenticate(req)) != ST_OK)
		return st;

	if (ep->body == BODY_JSON) {
		st = json_parse_strict(req->body, req->len, &req->root, &why);
		if (st != ST_OK)
			return serve_fail(req, st, "invalid JSON", NULL, why);
	}
	if (ep->fields != NULL) {
		st = valid_fields(req->root, ep->fields, req->vals, &verr);
		if (st != ST_OK)
			return serve_fail(req, st, "invalid field", verr.field,
			    verr.detail);
	}
	if (ep->check != NULL && (st = ep->check(req)) != ST_OK)
		return st;

	if (ep->handler != NULL)
		return ep->handler(req);
	if (ep->store != NULL)
		return serve_store(req, &w->store, NULL, NULL);
	if ((req->reply = strdup("{\"status\":\"ok\"}")) == NULL)
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
	return ST_OK;
}

static void
respond(struct request *req)
{
	struct worker *w = req->w;
	struct json_object *o = NULL;
	const char *body;
	char head[512], extra[64];
	size_t blen;
	int n, http = status_http(req->st);

	if (req->st == ST_OK && req->reply != NULL) {
		body = req->reply;
	} else {
		o = json_object_new_object();
		if (req->st == ST_BAD_REQUEST && req->reason != NULL)
			json_object_object_add(o, "error",
			    json_object_new_string(req->reason));
		else
			json_object_object_add(o, "error",
			    json_object_new_string(status_word(req->st)));
		if (req->field != NULL)
			json_object_object_add(o, "field",
			    json_object_new_string(req->field));
		if (req->detail != NULL)
			json_object_object_add(o, "detail",
			    json_object_new_string(req->detail));
		if (req->st == ST_TOO_LARGE)
			json_object_object_add(o, "limit",
			    json_object_new_int64(w->cfg.body_limit));
		if (req->st == ST_UNAVAILABLE)
			json_object_object_add(o, "retry_after",
			    json_object_new_int64(w->cfg.retry_after));
		body = json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	}
	blen = strlen(body);
	extra[0] = '\0';
	if (req->st == ST_METHOD)
		snprintf(extra, sizeof(extra), "Allow: %s%s%s\r\n",
		    req->ep->methods & M_GET ? "GET" : "",
		    (req->ep->methods & (M_GET | M_POST)) == (M_GET | M_POST) ?
		    ", " : "", req->ep->methods & M_POST ? "POST" : "");
	else if (req->st == ST_UNAVAILABLE)
		snprintf(extra, sizeof(extra), "Retry-After: %ld\r\n",
		    w->cfg.retry_after);
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\n"
	    "Content-Length: %zu\r\n"
	    "%s\r\n",
	    http, status_phrase(req->st), blen, extra);
	io_write(req, head, (size_t)n);
	io_write(req, body, blen);
	json_object_put(o);
}

static void
request_free(struct request *req)
{
	free(req->body);
	free(req->reply);
	json_object_put(req->root);
	memset(req, 0, sizeof(*req));
}

static void
handle(struct worker *w, struct io *io)
{
	struct request req;
	struct timespec t1;
	const char *uri, *q;
	char path[1024], why[640];
	long long us;
	int http;

	memset(&req, 0, sizeof(req));
	req.w = w;
	req.ep = w->ep;
	req.io = io;
	clock_gettime(CLOCK_MONOTONIC, &req.t0);
	req.method = serve_param(&req, "REQUEST_METHOD");
	if ((uri = serve_param(&req, "REQUEST_URI")) != NULL) {
		q = strchr(uri, '?');
		snprintf(path, sizeof(path), "%.*s",
		    (int)(q ? (size_t)(q - uri) : strlen(uri)), uri);
	} else
		snprintf(path, sizeof(path), "%s%s",
		    serve_param(&req, "SCRIPT_NAME") ?
		    serve_param(&req, "SCRIPT_NAME") : "",
		    serve_param(&req, "PATH_INFO") ?
		    serve_param(&req, "PATH_INFO") : "");
	req.path = path;

	req.st = run(&req);
	respond(&req);
	/*
	 * A body we did not read (413, an ignored body) must not be taken
	 * for the next request on a kept FastCGI connection: close it.
	 */
	if (io->fcgi != NULL && req.body == NULL) {
		const char *cl = serve_param(&req, "CONTENT_LENGTH");

		if (cl != NULL && *cl != '\0' && strcmp(cl, "0") != 0)
			io->fcgi->keepConnection = 0;
	}

	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (long long)(t1.tv_sec - req.t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - req.t0.tv_nsec) / 1000;
	http = status_http(req.st);
	if (req.field != NULL)
		snprintf(why, sizeof(why), "%s: %s: %s", req.reason,
		    req.field, req.detail ? req.detail : "");
	else if (req.why[0] != '\0')
		snprintf(why, sizeof(why), "%s: %s", req.reason ?
		    req.reason : "", req.why);
	else
		snprintf(why, sizeof(why), "%s%s%s", req.reason ?
		    req.reason : "", req.detail ? ": " : "",
		    req.detail ? req.detail : "");
	log_request(w->label, req.method, http, us, req.delivery, why);
	if (http >= 400 && http < 500)
		rejects_add(&w->rejects, http, req.reason, req.field,
		    time(NULL));
	request_free(&req);
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--check-config]\n"
	    "Serves FastCGI when fd 0 is a listening socket (spawn-fcgi),\n"
	    "else one CGI request.  Configuration: $WORKHOOKS_CONFIG.\n",
	    prog);
}

int
serve_main(const struct endpoint *ep, int argc, char *argv[])
{
	static struct worker w;
	struct sigaction sa;
	sigset_t term;
	int rc;
	FCGX_Request fr;
	struct io io;
	char err[512];

	log_init(argv[0]);
	if (argc > 1 && strcmp(argv[1], "--check-config") != 0) {
		usage(argv[0]);
		return 2;
	}
	if (config_load(&w.cfg, err, sizeof(err)) != ST_OK) {
		fprintf(stderr, "%s: configuration: %s\n", argv[0], err);
		return 1;
	}
	if (argc > 1) {
		printf("%s: configuration OK (%s)\n", argv[0],
		    w.cfg.path ? w.cfg.path : "environment only");
		config_free(&w.cfg);
		return 0;
	}
	log_set_level(w.cfg.log_level);
	w.ep = ep;
	snprintf(w.label, sizeof(w.label), "%s%s%s", ep->source ? ep->source :
	    "", ep->source ? "/" : "", ep->name);
	db_init(&w.db, w.cfg.database, ep->name);
	w.reader = &w.db;
	if (w.cfg.suggestions_database != NULL) {
		db_init(&w.rodb, w.cfg.suggestions_database, ep->name);
		w.reader = &w.rodb;
	}
	if (ep->store != NULL)
		serve_store_stmt(&w.store, "workhooks_store", ep->store);
	rejects_init(&w.rejects, w.label, w.cfg.reject_flush);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: interrupt accept() */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (FCGX_IsCGI()) {
		io.fcgi = NULL;
		handle(&w, &io);
		fflush(stdout);
	} else {
		if (FCGX_Init() != 0) {
			fprintf(stderr, "%s: FCGX_Init failed\n", argv[0]);
			return 1;
		}
		FCGX_InitRequest(&fr, 0, FCGI_FAIL_ACCEPT_ON_INTR);
		io.fcgi = &fr;
		log_debug("serving FastCGI");
		/*
		 * SIGTERM may interrupt only the wait for a request: while a
		 * request is in hand it stays blocked (an interrupted read of
		 * the body would fail the request), and it is delivered when
		 * the loop comes back to accept.
		 */
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigaddset(&term, SIGINT);
		sigprocmask(SIG_BLOCK, &term, NULL);
		for (;;) {
			sigprocmask(SIG_UNBLOCK, &term, NULL);
			rc = stopping ? -1 : FCGX_Accept_r(&fr);
			sigprocmask(SIG_BLOCK, &term, NULL);
			if (rc < 0)
				break;
			handle(&w, &io);
			FCGX_Finish_r(&fr);
			/* After the answer is out: never delays a response. */
			rejects_flush(&w.rejects, &w.db, time(NULL), 0);
		}
		FCGX_Free(&fr, 1);
	}
	rejects_flush(&w.rejects, &w.db, time(NULL), 1);
	db_close(&w.db);
	db_close(&w.rodb);
	free((char *)w.store.sql);
	config_free(&w.cfg);
	return 0;
}
