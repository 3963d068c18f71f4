/* serve — the accept loop and one request's path, in contract order. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>
#include <openssl/evp.h>

#include "auth.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "params.h"
#include "serve.h"

extern char **environ;

/* Where a request's bytes come from: FastCGI streams or CGI stdio. */
struct io {
	FCGX_Request	*fcgi;		/* NULL: plain CGI */
	int		 unread;	/* body bytes may be left unread */
};

/*
 * The longest request path taken (REQUEST_URI without the query, or
 * SCRIPT_NAME + PATH_INFO); longer is 414.  The shipped web servers stop
 * request lines near 8 kB themselves (nginx large_client_header_buffers,
 * Apache LimitRequestLine); the path is copied whole, never cut.
 */
#define SERVE_PATH_MAX	8192

/*
 * Set by the handlers, read by the accept loop only: the signals are
 * blocked except inside ppoll() (serve_main), so a flag is never set
 * between the loop's check and its wait.
 */
static volatile sig_atomic_t stopping, reloading;

static void
on_signal(int sig)
{
	if (sig == SIGHUP || sig == SIGUSR2)
		reloading = 1;
	else
		stopping = 1;
}

const char *
serve_param(struct request *req, const char *name)
{
	struct io *io = req->io;

	if (io->fcgi != NULL)
		return FCGX_GetParam(name, io->fcgi->envp);
	return getenv(name);
}

/*
 * The body deadline (body_timeout): SIGALRM, installed without SA_RESTART,
 * makes the blocking read() under FCGX_GetStr (or fread) fail with EINTR;
 * libfcgi then marks the input stream closed and FCGX_GetStr returns what
 * it has.  The timer repeats every 0.1 s after it first fires, so a
 * signal that lands between the check and the read() is followed by one
 * that interrupts it.
 */
static volatile sig_atomic_t body_late;

static void
on_alarm(int sig)
{
	(void)sig;
	body_late = 1;
}

static void
deadline(long ms)
{
	static int installed;
	struct sigaction sa;
	struct itimerval it;

	if (ms > 0 && !installed) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;	/* no SA_RESTART */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		installed = 1;
	}
	memset(&it, 0, sizeof(it));
	if (ms > 0) {
		it.it_value.tv_sec = ms / 1000;
		it.it_value.tv_usec = (ms % 1000) * 1000;
		it.it_interval.tv_usec = 100000;
	}
	if (ms > 0 || installed)
		setitimer(ITIMER_REAL, &it, NULL);
}

/* Read up to n body bytes within body_timeout; *late when it ran out. */
static size_t
io_read(struct request *req, char *buf, size_t n, int *late)
{
	struct io *io = req->io;
	size_t got = 0, k;
	int r;

	body_late = 0;
	deadline(req->w->cfg.body_timeout);
	while (got < n && !body_late) {
		if (io->fcgi == NULL) {
			k = fread(buf + got, 1, n - got, stdin);
			if (k == 0)
				break;
			got += k;
			continue;
		}
		r = FCGX_GetStr(buf + got, n - got > 65536 ? 65536 :
		    (int)(n - got), io->fcgi->in);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	deadline(0);
	*late = body_late && got < n;
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

/* serve_fail(): common/params.c, shared with the database module. */

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
 * Wake LISTEN workhooks (README "NOTIFY"): workhooks.wake() in a statement
 * and transaction of its own (sql/code/21-wake.sql), after the store's
 * commit, so that no commit waits behind another's notification.  The
 * wake-ups are coalesced per worker: a store only notes its delivery
 * (wake_note), and wake_flush sends one wake-up for everything noted,
 * its payload the highest delivery id, once the answer is out and at
 * most once per notify_interval (the first after a quiet interval at
 * once; the rest when the interval is up, from the accept loop's wait).
 * So every committed delivery is followed by a wake-up within
 * notify_interval, and under load a worker sends at most 1000 /
 * notify_interval of them a second instead of one per delivery.  The
 * deliveries are committed whatever happens here: a failure (a full
 * notification queue, 54000; a lost connection) is logged and dropped.
 */
static void
wake_note(struct worker *w, long long delivery)
{
	if (delivery > w->wake_id)
		w->wake_id = delivery;
}

/*
 * Milliseconds until the noted wake-up is due: -1 when none is noted, 0
 * when it is due now.
 */
static long
wake_due_in(const struct worker *w)
{
	long left;

	if (w->wake_id == 0)
		return -1;
	left = w->cfg.notify_interval - wtime_ms_since(&w->wake_last);
	return left > 0 ? left : 0;
}

/* Send the noted wake-up if it is due, or now with force. */
static void
wake_flush(struct worker *w, int force)
{
	PGresult *res = NULL;
	char id[32], why[512];
	const char *vals[1];

	if (w->wake_id == 0 || (!force && wake_due_in(w) > 0))
		return;
	if (w->wake.name == NULL) {
		w->wake.name = "workhooks_wake";
		w->wake.sql = "SELECT workhooks.wake($1)";
		w->wake.nparams = 1;
	}
	snprintf(id, sizeof(id), "%lld", w->wake_id);
	vals[0] = id;
	why[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &w->wake_last);
	w->wake_id = 0;
	if (db_exec(&w->db, &w->wake, vals, &res, why, sizeof(why)) != ST_OK) {
		log_warn("%s: deliveries up to %s committed, their wake-up "
		    "failed: %s", w->label, id, why);
		return;
	}
	PQclear(res);
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
	char at[PARAMS_TIME_MAX], sha[2 + 64 + 1], *reply, *end;
	char times[VALID_MAX_FIELDS][PARAMS_TIME_MAX];
	PGresult *res = NULL;
	enum status st;
	int nf = params_count(fields);

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
		params_utc(at, sizeof(at), &req->signed_at);
	vals[0] = w->ep->name;
	vals[1] = event;
	vals[2] = req->body != NULL ? req->body : "";
	vals[3] = sha;
	vals[4] = req->signature;
	vals[5] = req->secret_label;
	vals[6] = req->timestamp;
	vals[7] = req->timestamp != NULL ? at : NULL;
	vals[8] = subject;
	/* The validated scalar values (params.h): the module's too. */
	if ((st = params_fields(req, fields, vals + SERVE_STORE_NPARAMS,
	    times)) != ST_OK)
		return st;
	req->event = event;
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
	wake_note(w, req->delivery);
	if (asprintf(&reply, "{\"status\":\"ok\",\"delivery\":%lld,"
	    "\"duplicate\":%s}", req->delivery,
	    req->times_received > 1 ? "true" : "false") < 0)
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
	serve_reply(req, reply);
	return ST_OK;
}

/* CONTENT_LENGTH and CONTENT_TYPE: common/http.c (unit-tested, fuzzed). */
static int
content_length(const char *s, long limit, size_t *out, int *big)
{
	return http_content_length(s, limit, out, big);
}

static int
json_media_type(const char *ct)
{
	return http_json_media_type(ct);
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
	const char *why, *cl, *te;
	size_t len;
	int big, late;
	enum status st;

	if (req->method != NULL && strcmp(req->method, "GET") == 0)
		m = M_GET;
	else if (req->method != NULL && strcmp(req->method, "POST") == 0)
		m = M_POST;
	if ((ep->methods & m) == 0)
		return serve_fail(req, ST_METHOD, "method not allowed", NULL,
		    NULL);

	if (ep->body == BODY_JSON) {
		/*
		 * A body without a declared length: Apache's mod_proxy_fcgi
		 * passes a chunked body above its buffer (~16 kB) with
		 * HTTP_TRANSFER_ENCODING and no CONTENT_LENGTH (nginx
		 * de-chunks and sets it).  Read as "no body" it would fail
		 * the signature; 411 says what is wrong.
		 */
		cl = serve_param(req, "CONTENT_LENGTH");
		te = serve_param(req, "HTTP_TRANSFER_ENCODING");
		if ((cl == NULL || *cl == '\0') && te != NULL && *te != '\0')
			return serve_fail(req, ST_LENGTH_REQUIRED,
			    "length required", NULL,
			    "a body needs a Content-Length");
		if (!content_length(cl, w->cfg.body_limit, &len, &big))
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
		req->len = io_read(req, req->body, len, &late);
		req->body[req->len] = '\0';
		if (late) {
			((struct io *)req->io)->unread = 1;
			return serve_fail(req, ST_TIMEOUT, "body timeout",
			    NULL, NULL);
		}
		if (req->len != len) {
			((struct io *)req->io)->unread = 1;
			return serve_fail(req, ST_BAD_REQUEST,
			    "incomplete body", NULL, NULL);
		}
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

	if (req->reply != NULL) {
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
	    "Content-Type: %s\r\n"
	    "Cache-Control: no-store\r\n"
	    "Content-Length: %zu\r\n"
	    "%s\r\n",
	    http, status_phrase(req->st), req->content_type != NULL ?
	    req->content_type : "application/json", blen, extra);
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
	struct timespec t1, rt;
	struct log_request lr;
	const char *uri, *q, *sn, *pi, *cl, *te;
	time_t now;
	char *path = NULL, why[640];
	size_t n1, n2;
	long long us;
	int http;

	memset(&req, 0, sizeof(req));
	memset(&lr, 0, sizeof(lr));
	req.w = w;
	req.ep = w->ep;
	req.io = io;
	io->unread = 0;
	clock_gettime(CLOCK_MONOTONIC, &req.t0);
	req.method = serve_param(&req, "REQUEST_METHOD");
	/* The path whole (protocol §2.2: the id is its last segment). */
	sn = pi = "";
	if ((uri = serve_param(&req, "REQUEST_URI")) != NULL) {
		q = strchr(uri, '?');
		n1 = q != NULL ? (size_t)(q - uri) : strlen(uri);
		n2 = 0;
	} else {
		if ((sn = serve_param(&req, "SCRIPT_NAME")) == NULL)
			sn = "";
		if ((pi = serve_param(&req, "PATH_INFO")) == NULL)
			pi = "";
		uri = sn;
		n1 = strlen(sn);
		n2 = strlen(pi);
	}
	if (n1 > SERVE_PATH_MAX || n2 > SERVE_PATH_MAX - n1)
		req.st = serve_fail(&req, ST_URI_TOO_LONG, "path too long",
		    NULL, NULL);
	else if ((path = malloc(n1 + n2 + 1)) == NULL)
		req.st = serve_fail(&req, ST_INTERNAL, "out of memory", NULL,
		    NULL);
	else {
		memcpy(path, uri, n1);
		memcpy(path + n1, pi, n2);
		path[n1 + n2] = '\0';
		req.path = path;
		req.st = run(&req);
	}
	respond(&req);
	/*
	 * A body we did not read (413, 411, an ignored body, a timeout) must
	 * not be taken for the next request on a kept FastCGI connection:
	 * close it.
	 */
	if (io->fcgi != NULL && (req.body == NULL || io->unread)) {
		cl = serve_param(&req, "CONTENT_LENGTH");
		te = serve_param(&req, "HTTP_TRANSFER_ENCODING");
		if ((cl != NULL && *cl != '\0' && strcmp(cl, "0") != 0) ||
		    (te != NULL && *te != '\0') || io->unread)
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
	lr.endpoint = w->label;
	lr.method = req.method;
	lr.client = serve_param(&req, "REMOTE_ADDR");
	/* nginx: fastcgi_param REQUEST_ID $request_id; Apache: mod_unique_id. */
	if ((lr.request_id = serve_param(&req, "REQUEST_ID")) == NULL)
		lr.request_id = serve_param(&req, "UNIQUE_ID");
	lr.event = req.event;
	lr.secret = req.secret_label;
	lr.reason = why;
	lr.http = http;
	lr.duplicate = req.delivery > 0 ? req.times_received > 1 : -1;
	lr.usec = us;
	lr.delivery = req.delivery;
	log_request(&lr);
	if (http >= 400 && http < 500)
		rejects_add(&w->rejects, http, req.reason, req.field,
		    time(NULL));
	now = time(NULL);
	metrics_request(&w->metrics, http, (double)us / 1e6, req.reason);
	if (http == 200 && req.delivery > 0)
		metrics_delivery(&w->metrics, req.event,
		    req.times_received > 1, now);
	if (http >= 200 && http < 300)
		metrics_secret(&w->metrics, req.secret_label, now);
	if (req.timestamp != NULL && req.signed_at.sec > 0) {
		/* received - signed, as workhooks.recent_deliveries shows. */
		clock_gettime(CLOCK_REALTIME, &rt);
		metrics_skew(&w->metrics, (double)(rt.tv_sec -
		    (time_t)req.signed_at.sec) + ((double)rt.tv_nsec / 1e9 -
		    (double)req.signed_at.usec / 1e6), now);
	}
	request_free(&req);
	free(path);
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--check-config | --version]\n"
	    "Serves FastCGI when fd 0 is a listening socket (spawn-fcgi),\n"
	    "else one CGI request.  Configuration: $WORKHOOKS_CONFIG.\n",
	    prog);
}

/*
 * What the worker takes from its configuration, at start and at every
 * reload (the one place: a setting a connection needs goes here).  The
 * db conninfo strings are borrowed from w->cfg.
 */
static void
worker_configure(struct worker *w)
{
	w->db.conninfo = w->cfg.database != NULL ? w->cfg.database : "";
	w->rodb.conninfo = w->cfg.suggestions_database;
	db_set_timeouts(&w->db, w->cfg.statement_timeout, w->cfg.lock_timeout);
	db_set_timeouts(&w->rodb, w->cfg.statement_timeout, w->cfg.lock_timeout);
	w->reader = w->cfg.suggestions_database != NULL ? &w->rodb : &w->db;
	w->rejects.interval = w->cfg.reject_flush;
	w->metrics.interval = w->cfg.reject_flush;
	log_set_level(w->cfg.log_level);
}

/*
 * Reload (SIGHUP, or SIGUSR2, which multiwatch forwards to every worker):
 * read the configuration again, between two requests.  A file that does
 * not load is refused with a line naming file, line and key, and the
 * running configuration stays.  The connections are closed so that the
 * next request connects with the new settings (conninfo, timeouts); a
 * db_stmt keeps its generation, so statements are prepared again there.
 */
static void
reload(struct worker *w)
{
	struct config cfg;
	char err[512], esc[600];

	if (config_load(&cfg, err, sizeof(err)) != ST_OK) {
		config_free(&cfg);
		log_err("reload refused, the running configuration is kept: %s",
		    log_escape(esc, sizeof(esc), err, strlen(err)));
		return;
	}
	db_close(&w->db);
	db_close(&w->rodb);
	/*
	 * A handler's statement may move from one connection to the other
	 * (suggestions_database set or removed): start both generations
	 * above every one either has used, so none is taken for prepared.
	 */
	if (w->db.gen < w->rodb.gen)
		w->db.gen = w->rodb.gen;
	w->rodb.gen = w->db.gen;
	config_free(&w->cfg);
	w->cfg = cfg;
	worker_configure(w);
	log_info("configuration reloaded (%s; %zu updatedge, %zu Worksome "
	    "secrets)", w->cfg.path ? w->cfg.path : "environment only",
	    w->cfg.nupdatedge, w->cfg.nworksome);
}

/*
 * Wait for a connection on the listening socket (fd 0) with the signals
 * unblocked only inside ppoll(): a signal that came during the last
 * request, or comes now, ends the wait at once (nothing can land between
 * the check of the flags and the wait).  Then accept with the signals
 * blocked; the socket is non-blocking, so when another worker of the pool
 * took the connection FCGX_Accept_r fails with EAGAIN and we wait again.
 * Returns 1 with a request, 0 to stop.
 */
static int
next_request(struct worker *w, FCGX_Request *fr, const sigset_t *waitmask)
{
	struct pollfd pfd;
	struct timespec ts;
	long left;
	int rc;

	for (;;) {
		if (stopping)
			return 0;
		if (reloading) {
			reloading = 0;
			reload(w);
			continue;
		}
		pfd.fd = FCGI_LISTENSOCK_FILENO;
		pfd.events = POLLIN;
		pfd.revents = 0;
		/* A noted wake-up bounds the wait (wake_flush). */
		if ((left = wake_due_in(w)) >= 0) {
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
		}
		if ((rc = ppoll(&pfd, 1, left >= 0 ? &ts : NULL,
		    waitmask)) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll on the listening socket: %s",
			    strerror(errno));
			return 0;
		}
		if (rc == 0) {
			wake_flush(w, 0);
			continue;
		}
		if ((rc = FCGX_Accept_r(fr)) >= 0)
			return 1;
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR ||
		    rc == -ECONNABORTED)
			continue;
		log_err("accept: %s", rc > -1000 ? strerror(-rc) :
		    "libfcgi error");
		return 0;
	}
}

/*
 * Plain CGI: Apache (mod_cgi, mod_cgid) writes the whole body to the
 * program before it reads the answer, and drops the answer when the
 * program exits without reading it (413, a body an endpoint ignores).
 * After the answer is written, read and discard what is left of the
 * declared body (at most CONTENT_LENGTH bytes, at most 64 MiB).
 */
static void
cgi_drain(void)
{
	const char *cl = getenv("CONTENT_LENGTH");
	unsigned long long left;
	char buf[16384], *end;
	size_t n;

	if (cl == NULL || *cl < '0' || *cl > '9')
		return;
	errno = 0;
	left = strtoull(cl, &end, 10);
	if (errno != 0 || *end != '\0' || left > 64ULL * 1024 * 1024)
		left = 64ULL * 1024 * 1024;
	while (left > 0) {
		n = fread(buf, 1, left < sizeof(buf) ? (size_t)left :
		    sizeof(buf), stdin);
		if (n == 0)
			break;
		left -= n;
	}
}

int
serve_main(const struct endpoint *ep, int argc, char *argv[])
{
	static struct worker w;
	struct sigaction sa;
	sigset_t sigs, waitmask;
	FCGX_Request fr;
	struct io io;
	char err[512];
	int fl;

	/*
	 * First of all: block the signals we handle, so that one sent while
	 * the worker starts (multiwatch may forward a reload to a worker it
	 * has just forked) waits for the loop instead of killing it.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR2);
	sigprocmask(SIG_BLOCK, &sigs, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
	sigdelset(&waitmask, SIGUSR2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	log_init(argv[0]);
	/* --version: before the configuration, so it answers without one. */
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		const char *base = strrchr(argv[0], '/');

		printf("%s %s (workhooks, build %s)\n", base ? base + 1 :
		    argv[0], PACKAGE_VERSION, WH_BUILD_ID);
		return 0;
	}
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
	w.ep = ep;
	snprintf(w.label, sizeof(w.label), "%s%s%s", ep->source ? ep->source :
	    "", ep->source ? "/" : "", ep->name);
	/* rodb always exists, so a reload may start or stop using it. */
	db_init(&w.db, w.cfg.database, ep->name);
	db_init(&w.rodb, w.cfg.suggestions_database, ep->name);
	if (ep->store != NULL)
		serve_store_stmt(&w.store, "workhooks_store", ep->store);
	rejects_init(&w.rejects, w.label, w.cfg.reject_flush);
	worker_configure(&w);
	metrics_init(&w.metrics, ep->name, ep->source, w.cfg.reject_flush);

	if (FCGX_IsCGI()) {
		/* One request; signals stay blocked and end nothing. */
		io.fcgi = NULL;
		handle(&w, &io);
		fflush(stdout);
		cgi_drain();
		wake_flush(&w, 1);
	} else {
		if (FCGX_Init() != 0) {
			fprintf(stderr, "%s: FCGX_Init failed\n", argv[0]);
			return 1;
		}
		/*
		 * The listening socket is shared by the pool; non-blocking,
		 * so that losing the race for a connection returns to the
		 * wait (the accepted sockets stay blocking on Linux).
		 */
		if ((fl = fcntl(FCGI_LISTENSOCK_FILENO, F_GETFL)) < 0 ||
		    fcntl(FCGI_LISTENSOCK_FILENO, F_SETFL, fl | O_NONBLOCK) < 0) {
			fprintf(stderr, "%s: listening socket: %s\n", argv[0],
			    strerror(errno));
			return 1;
		}
		FCGX_InitRequest(&fr, FCGI_LISTENSOCK_FILENO, 0);
		io.fcgi = &fr;
		log_debug("serving FastCGI");
		/*
		 * Signals are delivered only while waiting for a request
		 * (next_request): a request in hand is always finished, and
		 * a reload happens between two requests.
		 */
		while (next_request(&w, &fr, &waitmask)) {
			handle(&w, &io);
			FCGX_Finish_r(&fr);
			/* After the answer is out: never delays a response. */
			wake_flush(&w, 0);
			rejects_flush(&w.rejects, &w.db, time(NULL), 0);
			metrics_flush(&w.metrics, &w.db, time(NULL), 0);
		}
		FCGX_Free(&fr, 1);
		wake_flush(&w, 1);
	}
	rejects_flush(&w.rejects, &w.db, time(NULL), 1);
	metrics_flush(&w.metrics, &w.db, time(NULL), 1);
	metrics_free(&w.metrics);
	db_close(&w.db);
	db_close(&w.rodb);
	free((char *)w.store.sql);
	config_free(&w.cfg);
	return 0;
}
