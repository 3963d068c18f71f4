/* metrics — per-worker counters, flushed in batches. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "log.h"
#include "metrics.h"

const double metrics_bounds[METRICS_NBUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
};

void
metrics_init(struct metrics *m, const char *endpoint, const char *source,
    long interval)
{
	memset(m, 0, sizeof(*m));
	m->endpoint = endpoint;
	m->source = source;
	m->interval = interval;
	m->last = time(NULL);
	m->stmt.name = "workhooks_metrics";
	m->stmt.sql = "SELECT workhooks.count_metrics($1, $2::jsonb)";
	m->stmt.nparams = 2;
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

void
metrics_request(struct metrics *m, int http, double seconds,
    const char *reason)
{
	struct metrics_req *r = NULL;
	size_t i;

	for (i = 0; i < m->nreq; i++)
		if (m->req[i].http == http) {
			r = &m->req[i];
			break;
		}
	if (r == NULL) {
		/* Full: statuses are few; fold a stranger into the last. */
		r = &m->req[m->nreq < METRICS_MAX ? m->nreq++ : METRICS_MAX - 1];
		if (r->count == 0)
			r->http = http;
	}
	if (!(seconds >= 0))
		seconds = 0;
	r->count++;
	r->sum += seconds;
	for (i = 0; i < METRICS_NBUCKETS; i++)
		if (seconds <= metrics_bounds[i]) {
			r->bucket[i]++;
			break;
		}

	if (http < 400 || http >= 500)
		return;
	for (i = 0; i < m->nrej; i++)
		if (m->rej[i].http == http && same(m->rej[i].reason, reason)) {
			m->rej[i].count++;
			return;
		}
	if (m->nrej == METRICS_MAX) {
		m->rej[METRICS_MAX - 1].count++;
		return;
	}
	m->rej[m->nrej].http = http;
	m->rej[m->nrej].reason = reason;
	m->rej[m->nrej].count = 1;
	m->nrej++;
}

void
metrics_delivery(struct metrics *m, const char *event, int duplicate,
    time_t now)
{
	struct metrics_dlv *d = NULL;
	long hour = (long)(now / 3600);
	size_t i;

	for (i = 0; i < m->ndlv; i++)
		if (m->dlv[i].hour == hour && same(m->dlv[i].event, event)) {
			d = &m->dlv[i];
			break;
		}
	if (d == NULL && m->ndlv < METRICS_MAX) {
		d = &m->dlv[m->ndlv];
		if (event != NULL && (d->event = strdup(event)) == NULL)
			d = NULL;	/* out of memory: not counted */
		else {
			d->hour = hour;
			m->ndlv++;
		}
	}
	if (d != NULL) {
		if (duplicate)
			d->repeats++;
		else
			d->fresh++;
		d->last = now;
	}
}

void
metrics_secret(struct metrics *m, const char *secret_label, time_t now)
{
	size_t i;

	if (secret_label == NULL)
		return;
	for (i = 0; i < m->nsec; i++)
		if (strcmp(m->sec[i].label, secret_label) == 0)
			break;
	if (i == m->nsec) {
		/* Owned: a reload frees the configuration it came from. */
		if (m->nsec == METRICS_MAX ||
		    (m->sec[m->nsec].label = strdup(secret_label)) == NULL)
			return;
		m->nsec++;
	}
	m->sec[i].uses++;
	m->sec[i].last = now;
}

static double
magnitude(double x)
{
	return x < 0 ? -x : x;
}

void
metrics_skew(struct metrics *m, double seconds, time_t now)
{
	if (!m->has_skew || magnitude(seconds) >= magnitude(m->skew))
		m->skew = seconds;
	m->has_skew = 1;
	m->skew_at = now;
}

static void
reset(struct metrics *m)
{
	size_t i;

	for (i = 0; i < m->ndlv; i++)
		free(m->dlv[i].event);
	for (i = 0; i < m->nsec; i++)
		free(m->sec[i].label);
	m->nreq = m->ndlv = m->nsec = m->nrej = 0;
	memset(m->req, 0, sizeof(m->req));
	memset(m->dlv, 0, sizeof(m->dlv));
	memset(m->sec, 0, sizeof(m->sec));
	memset(m->rej, 0, sizeof(m->rej));
	m->has_skew = 0;
}

void
metrics_free(struct metrics *m)
{
	reset(m);
}

static struct json_object *
batch(const struct metrics *m)
{
	struct json_object *root, *arr, *o, *b;
	size_t i, k;

	root = json_object_new_object();
	if (m->source != NULL)
		json_object_object_add(root, "source",
		    json_object_new_string(m->source));
	arr = json_object_new_array();
	for (i = 0; i < m->nreq; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "status",
		    json_object_new_int(m->req[i].http));
		json_object_object_add(o, "count",
		    json_object_new_int64(m->req[i].count));
		json_object_object_add(o, "sum",
		    json_object_new_double(m->req[i].sum));
		b = json_object_new_array();
		for (k = 0; k < METRICS_NBUCKETS; k++)
			json_object_array_add(b,
			    json_object_new_int64(m->req[i].bucket[k]));
		json_object_object_add(o, "buckets", b);
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "requests", arr);
	arr = json_object_new_array();
	for (i = 0; i < m->ndlv; i++) {
		o = json_object_new_object();
		if (m->dlv[i].event != NULL)
			json_object_object_add(o, "event",
			    json_object_new_string(m->dlv[i].event));
		json_object_object_add(o, "hour",
		    json_object_new_int64((int64_t)m->dlv[i].hour * 3600));
		json_object_object_add(o, "new",
		    json_object_new_int64(m->dlv[i].fresh));
		json_object_object_add(o, "repeats",
		    json_object_new_int64(m->dlv[i].repeats));
		json_object_object_add(o, "last",
		    json_object_new_int64((int64_t)m->dlv[i].last));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "deliveries", arr);
	arr = json_object_new_array();
	for (i = 0; i < m->nsec; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "label",
		    json_object_new_string(m->sec[i].label));
		json_object_object_add(o, "uses",
		    json_object_new_int64(m->sec[i].uses));
		json_object_object_add(o, "last",
		    json_object_new_int64((int64_t)m->sec[i].last));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "secrets", arr);
	arr = json_object_new_array();
	for (i = 0; i < m->nrej; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "status",
		    json_object_new_int(m->rej[i].http));
		json_object_object_add(o, "reason",
		    json_object_new_string(m->rej[i].reason ?
		    m->rej[i].reason : "unknown"));
		json_object_object_add(o, "count",
		    json_object_new_int64(m->rej[i].count));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "rejected", arr);
	if (m->has_skew) {
		o = json_object_new_object();
		json_object_object_add(o, "at",
		    json_object_new_int64((int64_t)m->skew_at));
		json_object_object_add(o, "seconds",
		    json_object_new_double(m->skew));
		json_object_object_add(root, "skew", o);
	}
	return root;
}

void
metrics_flush(struct metrics *m, struct db *db, time_t now, int force)
{
	struct json_object *root;
	const char *vals[2];
	PGresult *res = NULL;
	char why[256];

	if (m->nreq == 0 && m->ndlv == 0 && m->nsec == 0 && !m->has_skew)
		return;
	if (!force && (now - m->last < m->interval || now < m->retry_at))
		return;
	/*
	 * Never wait for a database that does not answer (a suggestions
	 * worker may have only its standby).
	 */
	if (!force && db_connect_flush(db, &m->backoff, &m->retry_at, now,
	    why, sizeof(why)) != ST_OK) {
		m->last = now;
		if (!m->failing) {
			m->failing = 1;
			log_warn("could not record request metrics "
			    "(kept for the next try): %s", why);
		}
		return;
	}
	if ((root = batch(m)) == NULL)
		return;
	vals[0] = m->endpoint;
	vals[1] = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	m->last = now;
	if (db_exec(db, &m->stmt, vals, &res, why, sizeof(why)) == ST_OK) {
		reset(m);
		m->failing = 0;
		PQclear(res);
	} else if (!m->failing) {
		m->failing = 1;
		log_warn("could not record request metrics "
		    "(kept for the next try): %s", why);
	}
	json_object_put(root);
}
