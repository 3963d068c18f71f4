/*
 * GET /metrics — Prometheus text exposition format 0.0.4 (README
 * "Operations").  Everything comes from one call of
 * workhooks.metrics_sample() (sql/code/75-metrics_sample.sql), which reads the small counter
 * tables the workers flush (common/metrics.h), never the inbox: a scrape
 * costs O(label sets).  With the database down the answer is still 200,
 * with workhooks_database_up 0, so the scraper tells "down" from "gone".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "serve.h"

static struct db_stmt sample = {
	.name = "workhooks_metrics_sample",
	.sql = "SELECT family, l1, l2, l3, value FROM workhooks.metrics_sample()",
	.nparams = 0,
};

/* The families metrics_sample() returns, in the order they are printed. */
static const struct family {
	const char	*key;		/* metrics_sample().family */
	const char	*type;
	const char	*help;
	const char	*labels[3];	/* names of l1, l2, l3 */
} families[] = {
	{ "deliveries_total", "counter",
	    "New deliveries stored (answered 200, not a repeat).",
	    { "source", "endpoint", "event" } },
	{ "repeats_total", "counter",
	    "Deliveries answered 200 as a repeat of one already stored.",
	    { "source", "endpoint", NULL } },
	{ "last_delivery_timestamp_seconds", "gauge",
	    "Unix time of the last delivery answered 200 (new or repeat).",
	    { "source", "endpoint", NULL } },
	{ "secret_last_used_timestamp_seconds", "gauge",
	    "Unix time a request was last verified by this configured secret.",
	    { "source", "label", NULL } },
	{ "rejected_total", "counter",
	    "Refused requests (4xx) by HTTP status and reason.",
	    { "endpoint", "status", "reason" } },
	{ "requests_total", "counter",
	    "Requests answered, by HTTP status.",
	    { "endpoint", "status", NULL } },
	{ "queued", "gauge",
	    "Rows of work the stores left for later (README: Work off the "
	    "request path), waiting, or failed (Worksome deliveries whose "
	    "derivation failed: worksome_hire_pending.error).",
	    { "queue", "state", NULL } },
	{ "queued_oldest_seconds", "gauge",
	    "Age of the oldest row waiting in the queue (received_at); 0 when "
	    "it is empty.",
	    { "queue", NULL, NULL } },
	{ "updatedge_clock_skew_seconds", "gauge",
	    "Received minus signed time of updatedge's Timestamp, largest in "
	    "the last 15 minutes (positive: the sender's clock is behind).",
	    { NULL, NULL, NULL } },
};
#define NFAMILIES	(sizeof(families) / sizeof(families[0]))

/* A label value: \\, \" and \n escaped (exposition format 0.0.4). */
static void
put_label(FILE *f, const char *name, const char *v, int *first)
{
	fprintf(f, "%s%s=\"", *first ? "{" : ",", name);
	*first = 0;
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

static void
put_value(FILE *f, const char *v)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || *end != '\0')
		fputs("NaN\n", f);
	else
		fprintf(f, "%.17g\n", d);
}

static void
put_families(FILE *f, const PGresult *res)
{
	const struct family *fam;
	int i, k, n = PQntuples(res), first;

	for (fam = families; fam < families + NFAMILIES; fam++) {
		fprintf(f, "# HELP workhooks_%s %s\n# TYPE workhooks_%s %s\n",
		    fam->key, fam->help, fam->key, fam->type);
		for (i = 0; i < n; i++) {
			if (strcmp(PQgetvalue(res, i, 0), fam->key) != 0)
				continue;
			fprintf(f, "workhooks_%s", fam->key);
			first = 1;
			for (k = 0; k < 3; k++)
				if (fam->labels[k] != NULL)
					put_label(f, fam->labels[k],
					    PQgetvalue(res, i, 1 + k), &first);
			fputs(first ? " " : "} ", f);
			put_value(f, PQgetvalue(res, i, 4));
		}
	}
}

/* The row of family key whose l1 (and l2, if given) match, or -1. */
static int
row(const PGresult *res, const char *key, const char *l1, const char *l2)
{
	int i, n = PQntuples(res);

	for (i = 0; i < n; i++)
		if (strcmp(PQgetvalue(res, i, 0), key) == 0 &&
		    strcmp(PQgetvalue(res, i, 1), l1) == 0 &&
		    (l2 == NULL || strcmp(PQgetvalue(res, i, 2), l2) == 0))
			return i;
	return -1;
}

/* The histogram: stored per bucket, printed cumulative, +Inf = _count. */
static void
put_histogram(FILE *f, const PGresult *res)
{
	const char *name = "workhooks_request_duration_seconds", *ep;
	char idx[16];
	double cum;
	int i, b, r, n = PQntuples(res), first;

	fprintf(f, "# HELP %s Time from a request's start to its answer.\n"
	    "# TYPE %s histogram\n", name, name);
	for (i = 0; i < n; i++) {
		if (strcmp(PQgetvalue(res, i, 0), "request_duration_count") != 0)
			continue;
		ep = PQgetvalue(res, i, 1);
		cum = 0;
		for (b = 0; b < METRICS_NBUCKETS; b++) {
			snprintf(idx, sizeof(idx), "%d", b);
			if ((r = row(res, "request_duration_bucket", ep, idx)) >= 0)
				cum += strtod(PQgetvalue(res, r, 4), NULL);
			fprintf(f, "%s_bucket", name);
			first = 1;
			put_label(f, "endpoint", ep, &first);
			fprintf(f, ",le=\"%g\"} %.17g\n", metrics_bounds[b], cum);
		}
		fprintf(f, "%s_bucket", name);
		first = 1;
		put_label(f, "endpoint", ep, &first);
		fputs(",le=\"+Inf\"} ", f);
		put_value(f, PQgetvalue(res, i, 4));
		if ((r = row(res, "request_duration_sum", ep, NULL)) >= 0) {
			fprintf(f, "%s_sum", name);
			first = 1;
			put_label(f, "endpoint", ep, &first);
			fputs("} ", f);
			put_value(f, PQgetvalue(res, r, 4));
		}
		fprintf(f, "%s_count", name);
		first = 1;
		put_label(f, "endpoint", ep, &first);
		fputs("} ", f);
		put_value(f, PQgetvalue(res, i, 4));
	}
}

static enum status
metrics(struct request *req)
{
	struct worker *w = req->w;
	PGresult *res = NULL;
	char *text = NULL, version[32];
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
	if (db_exec(&w->db, &sample, NULL, &res, req->why,
	    sizeof(req->why)) != ST_OK)
		res = NULL;	/* still an answer: database_up 0 */
	fputs("# HELP workhooks_database_up 1 when PostgreSQL answered this "
	    "scrape.\n# TYPE workhooks_database_up gauge\n", f);
	fprintf(f, "workhooks_database_up %d\n", res != NULL);
	fprintf(f, "# HELP workhooks_updatedge_replay_window_seconds The "
	    "configured updatedge_replay_window.\n"
	    "# TYPE workhooks_updatedge_replay_window_seconds gauge\n"
	    "workhooks_updatedge_replay_window_seconds %ld\n",
	    w->cfg.replay_window);
	fputs("# HELP workhooks_schema_info The applied schema version "
	    "(newest migration) and the one these binaries expect.\n"
	    "# TYPE workhooks_schema_info gauge\n", f);
	snprintf(version, sizeof(version), "%03d", DB_SCHEMA_VERSION);
	if (res != NULL) {
		int i, n = PQntuples(res), first = 1;

		for (i = 0; i < n; i++)
			if (strcmp(PQgetvalue(res, i, 0), "schema_version") == 0)
				break;
		fputs("workhooks_schema_info", f);
		put_label(f, "version", i < n ? PQgetvalue(res, i, 1) : "",
		    &first);
		put_label(f, "expected", version, &first);
		fputs("} 1\n", f);
		fprintf(f, "# HELP workhooks_schema_current 1 when the applied "
		    "schema is at least the expected one.\n"
		    "# TYPE workhooks_schema_current gauge\n"
		    "workhooks_schema_current %d\n", i < n &&
		    strtol(PQgetvalue(res, i, 1), NULL, 10) >= DB_SCHEMA_VERSION);
		put_families(f, res);
		put_histogram(f, res);
	}
	PQclear(res);
	if (fclose(f) != 0 || text == NULL) {
		free(text);
		return serve_fail(req, ST_INTERNAL, "out of memory", NULL, NULL);
	}
	req->content_type = "text/plain; version=0.0.4";
	serve_reply(req, text);
	return ST_OK;
}

static const struct endpoint ep = {
	.name = "metrics",
	.methods = M_GET,
	.auth = AUTH_NONE,
	.body = BODY_NONE,
	.database = 1,
	.handler = metrics,
};

int
main(int argc, char *argv[])
{
	return serve_main(&ep, argc, argv);
}
