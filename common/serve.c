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

/*
 * Where a request's bytes come from (FastCGI streams or CGI stdio), and
 * its store once validated: serve_store_with() fills vals (pointing into
 * the request, the FastCGI parameters and the buffers here) and either
 * runs the statement or, with defer, leaves it for store_pending().
 */
struct io {
	FCGX_Request	*fcgi;		/* NULL: plain CGI */
	int		 unread;	/* body bytes may be left unread */
	int		 eof;		/* the whole request was read */
	int		 defer;		/* the accept loop stores in batches */
	struct db_stmt	*store;		/* non-NULL: a store is ready */
	const struct field *fields;	/* the table its values come from */
	int		 batch;		/* deliveries its statement took (log) */
	const char	*vals[SERVE_STORE_NPARAMS + VALID_MAX_FIELDS];
	char		 sha[2 + 64 + 1];
	char		 at[PARAMS_TIME_MAX];
	char		 times[VALID_MAX_FIELDS][PARAMS_TIME_MAX];
};

/*
 * One request in the worker's hands: a batch is an array of these, each
 * made ready at its first use (slot_ready()), so that a worker that never
 * batches touches one.
 */
struct slot {
	int		 ready;		/* fr initialised */
	FCGX_Request	 fr;
	struct io	 io;
	struct request	 req;
	char		*path;		/* owned: req.path */
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
	/*
	 * The body whole: the record that ends the input follows it (sent
	 * with it, so mostly in libfcgi's buffer already).  Seen, the
	 * server has nothing more to send on this connection, and closing
	 * it need not wait for the server's end (io_finish()).  A byte
	 * instead (more body than declared): the input counts as unread.
	 */
	if (io->fcgi != NULL && got == n && !body_late) {
		if (FCGX_GetChar(io->fcgi->in) == EOF)
			io->eof = FCGX_GetError(io->fcgi->in) == 0;
		else
			io->unread = 1;
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
serve_store_stmt(struct db_stmt *stmt, const char *name, const char *fn,
    const char *many)
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
	stmt->many = many;
}

#define STORE_SELECT	"SELECT delivery_id, times_received FROM "

static int
store_stmt_build(struct db_stmt *stmt, int nfields)
{
	char *sql, *p;
	size_t size;
	int i, n;

	size = strlen(stmt->sql) + 80 + (size_t)(SERVE_STORE_NPARAMS + nfields) * 6;
	if ((sql = malloc(size)) == NULL)
		return 0;
	n = snprintf(sql, size, STORE_SELECT "%s(", stmt->sql);
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

/*
 * The work a store leaves for later (README "Work off the request
 * path"): workhooks.fold() (sql/code/21-fold.sql) folds the queued
 * timeline changes into the per-worker summary and derives the queued
 * Worksome hire deliveries, in a statement and transaction of its own.
 * A worker of an endpoint that queues such work (endpoint.h, folds)
 * calls it once its answers are out, at most once per FOLD_INTERVAL_MS
 * and only after a store (the first after a quiet spell at once, the
 * rest when the interval is up, from the accept loop's wait), when it
 * starts (what an earlier run left) and when it stops, and again at once
 * while a fold takes its whole limit (a backlog: the pool's other
 * workers answer meanwhile), and a second later when another worker's
 * fold held a queue.  So a stored delivery is derived within about a
 * second.  The deliveries are committed whatever happens here:
 * a fold that fails is logged once and tried again every interval until
 * one works; its rows stay queued.
 */
#define FOLD_INTERVAL_MS	1000
/* w->fold_due: none, a FOLD_INTERVAL_MS after the last fold, at once. */
enum { FOLD_NONE, FOLD_LATER, FOLD_NOW };

/* Milliseconds until the fold is due: -1 when none is, 0 when now. */
static long
fold_due_in(const struct worker *w)
{
	long left;

	if (w->fold_due == FOLD_NONE)
		return -1;
	if (w->fold_due == FOLD_NOW)
		return 0;
	left = FOLD_INTERVAL_MS - wtime_ms_since(&w->fold_last);
	return left > 0 ? left : 0;
}

/* Fold if it is due, or now (if anything was stored) with force. */
static void
fold_flush(struct worker *w, int force)
{
	PGresult *res = NULL;
	char why[512];
	const char *again;

	if (w->fold_due == FOLD_NONE || (!force && fold_due_in(w) > 0))
		return;
	if (w->fold.name == NULL) {
		w->fold.name = "workhooks_fold";
		w->fold.sql = "SELECT workhooks.fold()";
		w->fold.nparams = 0;
	}
	why[0] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &w->fold_last);
	w->fold_due = FOLD_NONE;
	if (db_exec(&w->db, &w->fold, NULL, &res, why, sizeof(why)) != ST_OK) {
		w->fold_due = FOLD_LATER;
		if (!w->fold_failing)
			log_warn("%s: the work queued for later "
			    "(workhooks.fold()) failed, tried again every "
			    "%d ms: %s", w->label, FOLD_INTERVAL_MS, why);
		w->fold_failing = 1;
		return;
	}
	if (w->fold_failing)
		log_info("%s: workhooks.fold() works again", w->label);
	w->fold_failing = 0;
	/*
	 * 2: more queued (a backlog), again after the next answers; 1:
	 * another worker's fold held a queue (what this worker stored since
	 * may be left), again in an interval.
	 */
	if (PQntuples(res) == 1 && PQnfields(res) == 1) {
		again = PQgetvalue(res, 0, 0);
		if (strcmp(again, "1") == 0)
			w->fold_due = FOLD_LATER;
		else if (strcmp(again, "2") == 0)
			w->fold_due = FOLD_NOW;
	}
	PQclear(res);
}

static enum status store_one(struct request *);

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
	struct io *io = req->io;
	const char **vals = io->vals;
	enum status st;
	int nf = params_count(fields);

	if (stmt->nparams < 0 && !store_stmt_build(stmt, nf))
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
	if (stmt->nparams != SERVE_STORE_NPARAMS + nf) {
		snprintf(req->why, sizeof(req->why),
		    "store statement %s made for another field table", stmt->name);
		return serve_fail(req, ST_INTERNAL, "store", NULL, NULL);
	}
	if (!body_sha256(req, io->sha))
		return serve_fail(req, ST_INTERNAL, "sha256", NULL, NULL);
	io->at[0] = '\0';
	if (req->timestamp != NULL)
		params_utc(io->at, sizeof(io->at), &req->signed_at);
	vals[0] = w->ep->name;
	vals[1] = event;
	vals[2] = req->body != NULL ? req->body : "";
	vals[3] = io->sha;
	vals[4] = req->signature;
	vals[5] = req->secret_label;
	vals[6] = req->timestamp;
	vals[7] = req->timestamp != NULL ? io->at : NULL;
	vals[8] = subject;
	/* The validated scalar values (params.h): the module's too. */
	if ((st = params_fields(req, fields, vals + SERVE_STORE_NPARAMS,
	    io->times)) != ST_OK)
		return st;
	req->event = event;
	io->store = stmt;
	io->fields = fields;
	if (io->defer)
		return ST_OK;		/* store_pending(), with the others */
	return store_one(req);
}

/* The answer to a stored delivery, from the store's two result texts. */
static enum status
store_done(struct request *req, const char *id, const char *times)
{
	char *reply, *end;

	req->delivery = strtoll(id, &end, 10);
	req->times_received = strtoll(times, &end, 10);
	wake_note(req->w, req->delivery);
	if (req->ep->folds && req->w->fold_due == FOLD_NONE)
		req->w->fold_due = FOLD_LATER;
	if (asprintf(&reply, "{\"status\":\"ok\",\"delivery\":%lld,"
	    "\"duplicate\":%s}", req->delivery,
	    req->times_received > 1 ? "true" : "false") < 0)
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
	serve_reply(req, reply);
	return ST_OK;
}

/* The ready store of one request, by itself: one statement. */
static enum status
store_one(struct request *req)
{
	struct io *io = req->io;
	struct db_stmt *stmt = io->store;
	PGresult *res = NULL;
	enum status st;

	io->store = NULL;
	io->batch = 1;
	st = db_exec(&req->w->db, stmt, io->vals, &res, req->why,
	    sizeof(req->why));
	if (st != ST_OK)
		return serve_fail(req, st, "database", NULL, NULL);
	if (PQntuples(res) != 1 || PQnfields(res) != 2) {
		PQclear(res);
		snprintf(req->why, sizeof(req->why), "store returned no row");
		return serve_fail(req, ST_INTERNAL, "database", NULL, NULL);
	}
	st = store_done(req, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	PQclear(res);
	return st;
}

/*
 * The statement that stores k deliveries with stmt's function fn (K
 * parameters each) in one statement, so one transaction, one commit and
 * one round trip.  With the statement's many (store_many, endpoint.h), one
 * call of it, the endpoint once and every other parameter as an array:
 *   SELECT ord, delivery_id, times_received FROM fn_many($1,
 *       ARRAY[$2, $3, ...]::text[], ...)
 * (the values given in that order: batch_vals()).  Without, fn's call k
 * times, each row led by the request's place in the batch,
 *   SELECT 1, d.delivery_id, d.times_received FROM fn($1, ...) AS d
 *   UNION ALL SELECT 2, ... FROM fn($K+1, ...) AS d ...
 * with the values request after request; fn is called as it is for one
 * delivery, its parameters taking its argument types.  Made at first use
 * for each (statement, k), kept for the process.
 */
struct batch_stmt {
	const struct db_stmt	*base;
	int			 k;
	int			 many;	/* 1: one call of store_many */
	struct db_stmt		 s;
	char			 name[96];
};

static struct batch_stmt *
batch_stmt(const struct db_stmt *stmt, const char *many, int k)
{
	static struct batch_stmt *tab;
	static size_t ntab, cap;
	struct batch_stmt *b, *t;
	const char *fn;
	char *sql, *p, *end;
	size_t fnlen, size, i;
	int j, a, np = stmt->nparams;

	for (i = 0; i < ntab; i++)
		if (tab[i].base == stmt && tab[i].k == k)
			return &tab[i];
	if (strncmp(stmt->sql, STORE_SELECT, strlen(STORE_SELECT)) != 0)
		return NULL;
	fn = stmt->sql + strlen(STORE_SELECT);
	fnlen = strcspn(fn, "(");
	if (many != NULL) {
		fn = many;
		fnlen = strlen(many);
	}
	if (ntab == cap) {
		if ((t = reallocarray(tab, cap + 16, sizeof(*tab))) == NULL)
			return NULL;
		tab = t;
		cap += 16;
	}
	/* "$NNNN, " is 7 bytes: 1 + 64 * 40 parameters at most. */
	size = (size_t)(k + 1) * (fnlen + 80 + (size_t)np * 24) + 1;
	if ((sql = malloc(size)) == NULL)
		return NULL;
	p = sql;
	end = sql + size;
	if (many != NULL) {
		p += snprintf(p, (size_t)(end - p), "SELECT ord, delivery_id, "
		    "times_received FROM %s($1", many);
		for (a = 1; a < np; a++) {
			p += snprintf(p, (size_t)(end - p), ", ARRAY[");
			for (j = 0; j < k; j++)
				p += snprintf(p, (size_t)(end - p), "%s$%d",
				    j > 0 ? ", " : "", 2 + (a - 1) * k + j);
			p += snprintf(p, (size_t)(end - p), "]::text[]");
		}
		snprintf(p, (size_t)(end - p), ")");
	} else
		for (j = 0; j < k; j++) {
			p += snprintf(p, (size_t)(end - p), "%sSELECT %d, "
			    "d.delivery_id, d.times_received FROM %.*s(",
			    j > 0 ? " UNION ALL " : "", j + 1, (int)fnlen, fn);
			for (a = 1; a <= np; a++)
				p += snprintf(p, (size_t)(end - p), "%s$%d",
				    a > 1 ? ", " : "", j * np + a);
			p += snprintf(p, (size_t)(end - p), ") AS d");
		}
	b = &tab[ntab++];
	memset(b, 0, sizeof(*b));
	b->base = stmt;
	b->k = k;
	b->many = many != NULL;
	snprintf(b->name, sizeof(b->name), "%s_%d", stmt->name, k);
	b->s.name = b->name;
	b->s.sql = sql;
	b->s.nparams = many != NULL ? 1 + (np - 1) * k : k * np;
	return b;
}

/* The batch's values in the order its statement takes them. */
static void
batch_vals(const struct batch_stmt *b, struct slot **g, const char **vals)
{
	int i, a, k = b->k, np = b->base->nparams;

	if (!b->many) {
		for (i = 0; i < k; i++)
			memcpy(vals + i * np, g[i]->io.vals,
			    (size_t)np * sizeof(*vals));
		return;
	}
	vals[0] = g[0]->io.vals[0];	/* the endpoint: the worker's own */
	for (a = 1; a < np; a++)
		for (i = 0; i < k; i++)
			vals[1 + (a - 1) * k + i] = g[i]->io.vals[a];
}

/*
 * A batch in a stable order, so that two workers' batches take the rows
 * they share in the same order and do not deadlock: by the ids of the
 * rows the store locks, in the order it locks them (the field table's
 * lock_order: worker, then trusted contact, then hire), then the subject
 * (contact/new's worker), then the body's hash.  The statement (and so
 * the field table) is the same for the whole batch.
 */
static int
vcmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

#define LOCK_ORDER_MAX	4

static int
slot_cmp(const void *pa, const void *pb)
{
	const struct io *a = &(*(struct slot *const *)pa)->io;
	const struct io *b = &(*(struct slot *const *)pb)->io;
	const struct field *f = a->fields;
	int c, i, k, o;

	for (o = 1; f != NULL && o <= LOCK_ORDER_MAX; o++)
		for (i = k = 0; i < VALID_MAX_FIELDS && f[i].key != NULL; i++) {
			if (f[i].lock_order == o && (c = vcmp(a->vals[
			    SERVE_STORE_NPARAMS + k], b->vals[
			    SERVE_STORE_NPARAMS + k])) != 0)
				return c;
			k += params_scalar(f[i].type);
		}
	if ((c = vcmp(a->vals[8], b->vals[8])) != 0)
		return c;
	return strcmp(a->sha, b->sha);
}

/*
 * k ready stores of one statement in one: each request gets its row.  A
 * batch refused for its data (an error that is not the database's
 * availability: nothing of it was committed), or rolled back for a
 * deadlock with another batch, is stored again one request at a time, so that each gets the answer it would have had alone; a batch
 * the database could not take (ST_UNAVAILABLE: connection, timeout,
 * deadlock; its outcome may be unknown) is 503 for each, and the vendor's
 * retry is counted as a repeat if it had committed.
 */
static void store_group(struct worker *, struct slot **, int);

/* Each of the k ready stores by itself. */
static void
store_each(struct slot **g, int k)
{
	int i;

	for (i = 0; i < k; i++)
		g[i]->req.st = store_one(&g[i]->req);
}

/* Fail the ready store of sl with st, why the log's detail. */
static void
store_fail(struct slot *sl, enum status st, const char *why)
{
	sl->io.store = NULL;
	snprintf(sl->req.why, sizeof(sl->req.why), "%s", why);
	sl->req.st = serve_fail(&sl->req, st, "database", NULL, NULL);
}

static void
store_batch(struct worker *w, struct slot **g, int k)
{
	struct slot *again[SERVE_BATCH_MAX];
	int i, j, n;

	/*
	 * The same delivery twice (a vendor's retry while the first is in
	 * hand: the same body, or contact/new's same worker) cannot be in one
	 * statement: the ledger's row would be written twice.  Sorted, they
	 * are neighbours; the later ones are stored after the batch, as the
	 * repeats they are.
	 */
	qsort(g, (size_t)k, sizeof(*g), slot_cmp);
	for (i = 1, j = 1, n = 0; i < k; i++)
		if (strcmp(g[i]->io.sha, g[j - 1]->io.sha) == 0 &&
		    vcmp(g[i]->io.vals[8], g[j - 1]->io.vals[8]) == 0)
			again[n++] = g[i];
		else
			g[j++] = g[i];
	if (j == 1)
		store_each(g, 1);
	else
		store_group(w, g, j);
	store_each(again, n);
}

/* k (> 1) distinct ready stores of one statement, in order. */
static void
store_group(struct worker *w, struct slot **g, int k)
{
	static const char *vals[SERVE_BATCH_MAX * (SERVE_STORE_NPARAMS +
	    VALID_MAX_FIELDS)];
	struct db_stmt *stmt = g[0]->io.store;
	struct batch_stmt *bs;
	PGresult *res = NULL;
	char why[512], *end;
	unsigned char done[SERVE_BATCH_MAX];
	enum status st;
	long r;
	int i;

	if ((bs = batch_stmt(stmt, stmt->many, k)) == NULL) {
		store_each(g, k);
		return;
	}
	batch_vals(bs, g, vals);
	for (i = 0; i < k; i++)
		g[i]->io.batch = k;
	why[0] = '\0';
	st = db_exec(&w->db, &bs->s, vals, &res, why, sizeof(why));
	/*
	 * A deadlock or serialization failure: the batch was rolled back
	 * whole, and alone each delivery may well pass.
	 */
	if (st == ST_UNAVAILABLE && (strcmp(w->db.state, "40P01") == 0 ||
	    strcmp(w->db.state, "40001") == 0))
		st = ST_INTERNAL;
	if (st == ST_UNAVAILABLE) {
		for (i = 0; i < k; i++)
			store_fail(g[i], st, why);
		return;
	}
	if (st != ST_OK) {
		log_warn("%s: a batch of %d deliveries was refused, storing "
		    "them one by one: %s", w->label, k, why);
		store_each(g, k);
		return;
	}
	memset(done, 0, sizeof(done));
	if (PQntuples(res) == k && PQnfields(res) == 3) {
		for (r = 0; r < k; r++) {
			i = (int)strtol(PQgetvalue(res, (int)r, 0), &end, 10) - 1;
			if (i < 0 || i >= k || done[i])
				break;
			done[i] = 1;
			g[i]->io.store = NULL;
			g[i]->req.st = store_done(&g[i]->req,
			    PQgetvalue(res, (int)r, 1), PQgetvalue(res, (int)r, 2));
		}
	}
	PQclear(res);
	/* Committed, but not as one row each: the store function is wrong. */
	for (i = 0; i < k; i++)
		if (!done[i])
			store_fail(g[i], ST_INTERNAL, "store returned no row");
}

/* Every ready store of the batch, one statement per store statement. */
static void
store_pending(struct worker *w, struct slot *slots, int n)
{
	struct slot *g[SERVE_BATCH_MAX];
	struct db_stmt *stmt;
	int i, j, k;

	for (i = 0; i < n; i++)
		if (slots[i].req.st != ST_OK)	/* failed after its store */
			slots[i].io.store = NULL;
	for (i = 0; i < n; i++) {
		if ((stmt = slots[i].io.store) == NULL)
			continue;
		for (k = 0, j = i; j < n; j++)
			if (slots[j].io.store == stmt)
				g[k++] = &slots[j];
		store_batch(w, g, k);
	}
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

/*
 * A request up to its answer: path, then run().  A store it reaches is
 * left ready in the slot when io.defer is set (store_pending()).
 */
static void
handle_begin(struct worker *w, struct slot *sl)
{
	struct request *rq = &sl->req;
	struct io *io = &sl->io;
	const char *uri, *q, *sn, *pi;
	char *path = NULL;
	size_t n1, n2;

	memset(rq, 0, sizeof(*rq));
	rq->w = w;
	rq->ep = w->ep;
	rq->io = io;
	io->unread = 0;
	io->eof = 0;
	io->store = NULL;
	io->batch = 0;
	sl->path = NULL;
	clock_gettime(CLOCK_MONOTONIC, &rq->t0);
	rq->method = serve_param(rq, "REQUEST_METHOD");
	/* The path whole (protocol §2.2: the id is its last segment). */
	sn = pi = "";
	if ((uri = serve_param(rq, "REQUEST_URI")) != NULL) {
		q = strchr(uri, '?');
		n1 = q != NULL ? (size_t)(q - uri) : strlen(uri);
		n2 = 0;
	} else {
		if ((sn = serve_param(rq, "SCRIPT_NAME")) == NULL)
			sn = "";
		if ((pi = serve_param(rq, "PATH_INFO")) == NULL)
			pi = "";
		uri = sn;
		n1 = strlen(sn);
		n2 = strlen(pi);
	}
	if (n1 > SERVE_PATH_MAX || n2 > SERVE_PATH_MAX - n1)
		rq->st = serve_fail(rq, ST_URI_TOO_LONG, "path too long",
		    NULL, NULL);
	else if ((path = malloc(n1 + n2 + 1)) == NULL)
		rq->st = serve_fail(rq, ST_INTERNAL, "out of memory", NULL,
		    NULL);
	else {
		memcpy(path, uri, n1);
		memcpy(path + n1, pi, n2);
		path[n1 + n2] = '\0';
		rq->path = path;
		rq->st = run(rq);
	}
	sl->path = path;
}

/* The answer, the log line and the counters; then the slot is free. */
static void
handle_end(struct worker *w, struct slot *sl)
{
	struct request *rq = &sl->req;
	struct io *io = &sl->io;
	struct timespec t1, rt;
	struct log_request lr;
	const char *cl, *te;
	time_t now;
	char why[640];
	long long us;
	int http;

	memset(&lr, 0, sizeof(lr));
	respond(rq);
	/*
	 * A body we did not read (413, 411, an ignored body, a timeout) must
	 * not be taken for the next request on a kept FastCGI connection:
	 * close it.
	 */
	if (io->fcgi != NULL && (rq->body == NULL || io->unread)) {
		cl = serve_param(rq, "CONTENT_LENGTH");
		te = serve_param(rq, "HTTP_TRANSFER_ENCODING");
		if ((cl != NULL && *cl != '\0' && strcmp(cl, "0") != 0) ||
		    (te != NULL && *te != '\0') || io->unread)
			io->fcgi->keepConnection = 0;
	}

	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (long long)(t1.tv_sec - rq->t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - rq->t0.tv_nsec) / 1000;
	http = status_http(rq->st);
	if (rq->field != NULL)
		snprintf(why, sizeof(why), "%s: %s: %s", rq->reason,
		    rq->field, rq->detail ? rq->detail : "");
	else if (rq->why[0] != '\0')
		snprintf(why, sizeof(why), "%s: %s", rq->reason ?
		    rq->reason : "", rq->why);
	else
		snprintf(why, sizeof(why), "%s%s%s", rq->reason ?
		    rq->reason : "", rq->detail ? ": " : "",
		    rq->detail ? rq->detail : "");
	lr.endpoint = w->label;
	lr.method = rq->method;
	lr.client = serve_param(rq, "REMOTE_ADDR");
	/* nginx: fastcgi_param REQUEST_ID $request_id; Apache: mod_unique_id. */
	if ((lr.request_id = serve_param(rq, "REQUEST_ID")) == NULL)
		lr.request_id = serve_param(rq, "UNIQUE_ID");
	lr.event = rq->event;
	lr.secret = rq->secret_label;
	lr.reason = why;
	lr.http = http;
	lr.duplicate = rq->delivery > 0 ? rq->times_received > 1 : -1;
	lr.usec = us;
	lr.delivery = rq->delivery;
	lr.batch = io->batch;
	log_request(&lr);
	if (http >= 400 && http < 500)
		rejects_add(&w->rejects, http, rq->reason, rq->field,
		    time(NULL));
	now = time(NULL);
	metrics_request(&w->metrics, http, (double)us / 1e6, rq->reason);
	if (http == 200 && rq->delivery > 0)
		metrics_delivery(&w->metrics, rq->event,
		    rq->times_received > 1, now);
	if (http >= 200 && http < 300)
		metrics_secret(&w->metrics, rq->secret_label, now);
	if (rq->timestamp != NULL && rq->signed_at.sec > 0) {
		/* received - signed, as workhooks.recent_deliveries shows. */
		clock_gettime(CLOCK_REALTIME, &rt);
		metrics_skew(&w->metrics, (double)(rt.tv_sec -
		    (time_t)rq->signed_at.sec) + ((double)rt.tv_nsec / 1e9 -
		    (double)rq->signed_at.usec / 1e6), now);
	}
	request_free(rq);
	free(sl->path);
	sl->path = NULL;
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
	long left, fold;
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
		/* A noted wake-up or a due fold bounds the wait. */
		left = wake_due_in(w);
		if ((fold = fold_due_in(w)) >= 0 && (left < 0 || fold < left))
			left = fold;
		if (left >= 0) {
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
			fold_flush(w, 0);
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

/*
 * Finish a request: its answer flushed and, unless the server keeps the
 * connection, the connection closed.  libfcgi closes by shutting down its
 * side and then reading until the server closes its own (at most 2 s), so
 * that input still on the way does not reset the connection (over TCP the
 * reset can discard the answer); the worker waits idle for the server to
 * have read the answer, about as long as the rest of a small request took
 * (README "How it is built").  When the whole request was read up to the
 * record that ends it (io_read()), nothing more can come: the connection
 * is closed at once (FCGX_Detach() makes libfcgi's close a plain close).
 */
static void
io_finish(struct slot *sl)
{
	int quick;

	quick = sl->io.eof && !sl->io.unread && !sl->fr.keepConnection;
	if (quick)
		FCGX_Detach(&sl->fr);
	FCGX_Finish_r(&sl->fr);
	if (quick)
		sl->fr.detached = 0;	/* closed: the slot's next one lingers again */
}

static struct slot *
slot_ready(struct slot *sl)
{
	if (!sl->ready) {
		FCGX_InitRequest(&sl->fr, FCGI_LISTENSOCK_FILENO, 0);
		sl->io.fcgi = &sl->fr;
		sl->ready = 1;
	}
	return sl;
}

int
serve_main(const struct endpoint *ep, int argc, char *argv[])
{
	static struct worker w;
	static struct slot slots[SERVE_BATCH_MAX];
	struct sigaction sa;
	sigset_t sigs, waitmask;
	char err[512];
	int fl, i, n, ready;

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
		serve_store_stmt(&w.store, "workhooks_store", ep->store,
		    ep->store_many);
	rejects_init(&w.rejects, w.label, w.cfg.reject_flush);
	worker_configure(&w);
	metrics_init(&w.metrics, ep->name, ep->source, w.cfg.reject_flush);

	if (FCGX_IsCGI()) {
		/* One request; signals stay blocked and end nothing. */
		slots[0].io.fcgi = NULL;
		handle_begin(&w, &slots[0]);
		handle_end(&w, &slots[0]);
		fflush(stdout);
		cgi_drain();
		wake_flush(&w, 1);
		fold_flush(&w, 1);
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
		slot_ready(&slots[0]);
		/* A fold first: what an earlier run left queued. */
		w.fold_due = ep->folds ? FOLD_LATER : FOLD_NONE;
		log_debug("serving FastCGI");
		/*
		 * Signals are delivered only while waiting for a request
		 * (next_request): a request in hand is always finished, and
		 * a reload happens between two requests.
		 *
		 * Batches (store_batch, README "Batched stores"): once a
		 * request read is ready to be stored, the connections waiting
		 * on the socket are taken too (answered or ready in turn), up
		 * to store_batch; then every ready store goes to the database
		 * in one statement (store_pending()), and each request is
		 * answered.  The connections after the first are closed once
		 * answered, so that no kept connection holds the worker.
		 */
		while (next_request(&w, &slots[0].fr, &waitmask)) {
			n = ready = 0;
			for (;;) {
				slots[n].io.defer = w.cfg.store_batch > 1;
				handle_begin(&w, &slots[n]);
				ready += slots[n].io.store != NULL;
				n++;
				if (ready == 0 || n >= w.cfg.store_batch ||
				    FCGX_Accept_r(&slot_ready(&slots[n])->fr) < 0)
					break;
			}
			store_pending(&w, slots, n);
			/* The batch's log lines in one write (log_hold()). */
			if (n > 1)
				log_hold();
			for (i = 0; i < n; i++) {
				handle_end(&w, &slots[i]);
				if (i > 0)
					slots[i].fr.keepConnection = 0;
				io_finish(&slots[i]);
			}
			log_release();
			/* After the answers are out: never delays one. */
			wake_flush(&w, 0);
			fold_flush(&w, 0);
			rejects_flush(&w.rejects, &w.db, time(NULL), 0);
			metrics_flush(&w.metrics, &w.db, time(NULL), 0);
		}
		for (i = 0; i < SERVE_BATCH_MAX; i++)
			if (slots[i].ready)
				FCGX_Free(&slots[i].fr, 1);
		wake_flush(&w, 1);
		fold_flush(&w, 1);
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
