/*
 * params — a validated request as the store function's parameters.
 *
 * What the FastCGI worker (serve.c, serve_store_with()) and the database
 * module (pg/, workhooks.fields(): re-derivation of stored deliveries)
 * share beyond the validation tables, so that the two cannot drift: the
 * text of each field parameter, and serve_fail(), which the field tables'
 * cross-field checks call (declared in serve.h).
 */
#ifndef WH_PARAMS_H
#define WH_PARAMS_H

#include "status.h"
#include "valid.h"

struct request;

/* Room for one date-time parameter, "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". */
#define PARAMS_TIME_MAX	64

/* 1 when a row of this type gives the store a parameter (a scalar). */
int		params_scalar(enum ftype);

/* How many parameters fields gives the store: its scalar rows (0 if NULL). */
int		params_count(const struct field *fields);

/*
 * The store's field parameters: one per scalar row of fields (the table
 * req was validated with, its values in req->vals), in the table's order,
 * NULL when absent: strings, ids, enums, emails and dates as their text
 * (borrowed from req->root); date-times in UTC to the microsecond, written
 * into times[i] for row i (VALID_MAX_FIELDS rows); numbers as sent.  Rows
 * of objects, arrays and any-values give no parameter.  out holds
 * params_count(fields) entries.  ST_OK, or ST_BAD_REQUEST through
 * serve_fail() naming the field (an integer beyond 64 bits: json-c clamps
 * it, so it would be stored wrong).
 */
enum status	params_fields(struct request *req, const struct field *fields,
		    const char **out, char times[][PARAMS_TIME_MAX]);

/* A date-time as PostgreSQL reads it under any setting: UTC, to the µs. */
void		params_utc(char *buf, size_t size, const struct wtime *t);

#endif
