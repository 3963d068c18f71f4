/* rejects — aggregated counters of refused requests. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "log.h"
#include "rejects.h"

void
rejects_init(struct rejects *rj, const char *endpoint, long interval)
{
	memset(rj, 0, sizeof(*rj));
	rj->endpoint = endpoint;
	rj->interval = interval;
	rj->last = time(NULL);
	rj->stmt.name = "workhooks_rejects";
	rj->stmt.sql = "SELECT workhooks.count_rejected($1, $2::jsonb)";
	rj->stmt.nparams = 2;
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

void
rejects_add(struct rejects *rj, int http, const char *reason,
    const char *field, time_t now)
{
	long hour = (long)(now / 3600);
	size_t i;

	for (i = 0; i < rj->n; i++)
		if (rj->r[i].http == http && rj->r[i].hour == hour &&
		    same(rj->r[i].reason, reason) &&
		    same(rj->r[i].field, field)) {
			rj->r[i].count++;
			return;
		}
	if (rj->n == REJECTS_MAX) {
		/* Full (a long outage): counted, never under a wrong label. */
		rj->dropped++;
		return;
	}
	rj->r[rj->n].http = http;
	rj->r[rj->n].hour = hour;
	rj->r[rj->n].reason = reason;
	rj->r[rj->n].field = field;
	rj->r[rj->n].count = 1;
	rj->n++;
}

void
rejects_flush(struct rejects *rj, struct db *db, time_t now, int force)
{
	struct json_object *arr = NULL, *o;
	const char *vals[2];
	PGresult *res = NULL;
	char why[256];
	size_t i;

	if (rj->n == 0 || (!force && now - rj->last < rj->interval &&
	    rj->n < REJECTS_FLUSH_AT))
		return;
	if (!force && now < rj->retry_at)
		return;
	rj->last = now;
	/* A write database that does not answer is never waited for. */
	if (!force && db_connect_flush(db, &rj->backoff, &rj->retry_at, now,
	    why, sizeof(why)) != ST_OK) {
		if (!rj->failing) {
			rj->failing = 1;
			log_warn("could not record rejected-request counts "
			    "(kept for the next try): %s", why);
		}
		return;
	}
	if ((arr = json_object_new_array()) == NULL)
		return;
	for (i = 0; i < rj->n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "status",
		    json_object_new_int(rj->r[i].http));
		json_object_object_add(o, "reason",
		    json_object_new_string(rj->r[i].reason ?
		    rj->r[i].reason : "unknown"));
		if (rj->r[i].field != NULL)
			json_object_object_add(o, "field",
			    json_object_new_string(rj->r[i].field));
		json_object_object_add(o, "hour",
		    json_object_new_int64((int64_t)rj->r[i].hour * 3600));
		json_object_object_add(o, "count",
		    json_object_new_int64(rj->r[i].count));
		json_object_array_add(arr, o);
	}
	vals[0] = rj->endpoint;
	vals[1] = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
	if (db_exec(db, &rj->stmt, vals, &res, why, sizeof(why)) == ST_OK) {
		rj->n = 0;
		rj->failing = 0;
		rj->backoff = 0;
		rj->retry_at = 0;
		PQclear(res);
		if (rj->dropped > 0) {
			log_warn("%ld rejected requests were not counted "
			    "(more than %d kinds while the database was down)",
			    rj->dropped, REJECTS_MAX);
			rj->dropped = 0;
		}
	} else if (!rj->failing) {
		rj->failing = 1;
		log_warn("could not record rejected-request counts "
		    "(kept for the next try): %s", why);
	}
	json_object_put(arr);
}
