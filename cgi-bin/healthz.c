/*
 * GET /healthz — readiness (protocol §4, README "Operations"): 200
 * {"status":"ok",...} when PostgreSQL answers, its schema is at least the
 * one these binaries are built for (DB_SCHEMA_VERSION against
 * workhooks.schema_migration), and every endpoint's worker pool answers a
 * FastCGI management request on its socket under pool_dir; else 503 with
 * Retry-After and a JSON body naming each problem.
 *
 * The pool probe is FCGI_GET_VALUES (FastCGI 1.0 §4.1): libfcgi answers it
 * inside FCGX_Accept_r without starting a request, so the probe is neither
 * counted nor logged by the pool, and an answer proves a live worker
 * accepted the connection.  All pools are probed at once, within
 * PROBE_MS.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

#define PROBE_MS	2000
#define MAX_POOLS	32

/* Every pool of the project but this one (README "Deployment"). */
static const char default_pools[] =
    "updatedge-test updatedge-test-auth updatedge-contact-new "
    "updatedge-contact-suggestions updatedge-timeline-changed "
    "updatedge-offer-response updatedge-offer-event-deleted worksome "
    "metrics";

static struct db_stmt version = {
	.name = "workhooks_healthz",
	.sql = "SELECT coalesce(max(version::integer), 0) "
	    "FROM workhooks.schema_migration WHERE version ~ '^[0-9]+$'",
	.nparams = 0,
};

/*
 * FCGI_GET_VALUES asking for FCGI_MPXS_CONNS: header (version 1, type 9,
 * request id 0, 17 content bytes, 7 of padding), one name-value pair of a
 * 15-byte name and an empty value, the padding.  The padding is needed:
 * libfcgi (2.4) reads on for more bytes before it sees the end of an
 * unpadded management record that ends its buffer, and never answers.
 */
static const unsigned char get_values[] = {
	1, 9, 0, 0, 0, 17, 7, 0,
	15, 0, 'F', 'C', 'G', 'I', '_', 'M', 'P', 'X', 'S', '_', 'C', 'O',
	'N', 'N', 'S',
	0, 0, 0, 0, 0, 0, 0,
};

struct pool {
	char		 name[64];
	int		 fd;
	const char	*problem;	/* static; NULL: answered */
	unsigned char	 head[8];
	size_t		 got;
};

/* Start the probe of p: connect and send; sets p->problem on failure. */
static void
probe_start(struct pool *p, const char *dir)
{
	struct sockaddr_un sa;
	ssize_t n;

	p->fd = -1;
	p->got = 0;
	p->problem = "no answer";
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock",
	    dir, p->name) >= sizeof(sa.sun_path)) {
		p->problem = "socket path too long";
		return;
	}
	if ((p->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0) {
		p->problem = "socket() failed";
		return;
	}
	if (connect(p->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		p->problem = errno == ENOENT ? "no socket" :
		    errno == ECONNREFUSED ? "connection refused (pool stopped)" :
		    errno == EAGAIN ? "backlog full" :
		    errno == EACCES ? "permission denied" : "connect failed";
		close(p->fd);
		p->fd = -1;
		return;
	}
	n = write(p->fd, get_values, sizeof(get_values));
	if (n != (ssize_t)sizeof(get_values)) {
		p->problem = "write failed";
		close(p->fd);
		p->fd = -1;
	}
}

/* Read what p's socket has; done when a record header is in. */
static void
probe_read(struct pool *p)
{
	ssize_t n;

	n = read(p->fd, p->head + p->got, sizeof(p->head) - p->got);
	if (n > 0)
		p->got += (size_t)n;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		p->problem = "closed without an answer";
	else if (p->got == sizeof(p->head))
		/* FCGI_GET_VALUES_RESULT (10) for the management id 0. */
		p->problem = p->head[0] == 1 && p->head[1] == 10 &&
		    p->head[2] == 0 && p->head[3] == 0 ? NULL :
		    "not a FastCGI answer";
	else
		return;
	close(p->fd);
	p->fd = -1;
}

/* Probe every pool named in list (blanks or commas between names). */
static size_t
probe_pools(const char *dir, const char *list, struct pool *pools)
{
	struct pollfd pfd[MAX_POOLS];
	struct timespec t0;
	size_t np = 0, i, k, len;
	const char *s = list;
	long left;

	while (*s != '\0' && np < MAX_POOLS) {
		s += strspn(s, " ,\t");
		if ((len = strcspn(s, " ,\t")) == 0)
			break;
		if (len < sizeof(pools[np].name)) {
			memcpy(pools[np].name, s, len);
			pools[np].name[len] = '\0';
			probe_start(&pools[np], dir);
			np++;
		}
		s += len;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((left = PROBE_MS - wtime_ms_since(&t0)) > 0) {
		for (i = k = 0; i < np; i++)
			if (pools[i].fd >= 0) {
				pfd[k].fd = pools[i].fd;
				pfd[k].events = POLLIN;
				pfd[k].revents = 0;
				k++;
			}
		if (k == 0 || poll(pfd, k, (int)left) <= 0)
			break;
		for (i = k = 0; i < np; i++)
			if (pools[i].fd >= 0 && pfd[k++].revents != 0)
				probe_read(&pools[i]);
	}
	for (i = 0; i < np; i++)
		if (pools[i].fd >= 0) {
			close(pools[i].fd);
			pools[i].fd = -1;
		}
	return np;
}

static enum status
healthz(struct request *req)
{
	struct worker *w = req->w;
	static struct pool pools[MAX_POOLS];
	struct json_object *o, *problems, *p;
	PGresult *res = NULL;
	enum status st;
	long have = -1;
	size_t np = 0, i;
	char *body;

	o = json_object_new_object();
	problems = json_object_new_array();
	st = db_exec(&w->db, &version, NULL, &res, req->why, sizeof(req->why));
	if (st == ST_OK) {
		have = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		json_object_object_add(o, "database", json_object_new_string("ok"));
	} else {
		/* The reason (libpq's message) is in the log line. */
		json_object_object_add(o, "database",
		    json_object_new_string("unavailable"));
		json_object_array_add(problems,
		    json_object_new_string("database: not answering"));
	}
	p = json_object_new_object();
	json_object_object_add(p, "expected",
	    json_object_new_int(DB_SCHEMA_VERSION));
	if (have >= 0) {
		json_object_object_add(p, "applied", json_object_new_int64(have));
		if (have < DB_SCHEMA_VERSION)
			json_object_array_add(problems, json_object_new_string(
			    "schema: older than the binaries expect "
			    "(apply the migrations)"));
	}
	json_object_object_add(o, "schema", p);
	if (w->cfg.pool_dir != NULL) {
		np = probe_pools(w->cfg.pool_dir, w->cfg.pools != NULL ?
		    w->cfg.pools : default_pools, pools);
		p = json_object_new_object();
		for (i = 0; i < np; i++) {
			json_object_object_add(p, pools[i].name,
			    json_object_new_string(pools[i].problem ?
			    pools[i].problem : "ok"));
			if (pools[i].problem != NULL) {
				char line[160];

				snprintf(line, sizeof(line), "pool %s: %s",
				    pools[i].name, pools[i].problem);
				json_object_array_add(problems,
				    json_object_new_string(line));
			}
		}
		json_object_object_add(o, "pools", p);
	}
	json_object_object_add(o, "problems", problems);
	st = json_object_array_length(problems) == 0 ? ST_OK : ST_UNAVAILABLE;
	/* "status" first, for a human reading the answer. */
	p = json_object_new_object();
	json_object_object_add(p, "status", json_object_new_string(
	    st == ST_OK ? "ok" : "unavailable"));
	if (st != ST_OK)	/* like every error body (protocol §1) */
		json_object_object_add(p, "error",
		    json_object_new_string(status_word(st)));
	json_object_object_foreach(o, k, v)
		json_object_object_add(p, k, json_object_get(v));
	json_object_put(o);
	body = strdup(json_object_to_json_string_ext(p,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (st != ST_OK)
		snprintf(req->why, sizeof(req->why), "%s",
		    json_object_to_json_string_ext(json_object_object_get(p,
		    "problems"), JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(p);
	if (body == NULL)
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
	serve_reply(req, body);
	return st == ST_OK ? ST_OK :
	    serve_fail(req, ST_UNAVAILABLE, "not ready", NULL, NULL);
}

static const struct endpoint ep = {
	.name = "healthz",
	.methods = M_GET,
	.auth = AUTH_NONE,
	.body = BODY_NONE,
	.database = 1,
	.handler = healthz,
};

int
main(int argc, char *argv[])
{
	return serve_main(&ep, argc, argv);
}
