/*
 * valid — validation tables (after kcgi's struct kvalid).
 *
 * An endpoint describes its payload as an array of struct field ending in
 * a row with key NULL.  valid_fields() checks a parsed body against it
 * and writes one struct value per row; handlers read only those values.
 * The first failing row answers 400 naming the field (protocol §1).
 */
#ifndef WH_VALID_H
#define WH_VALID_H

#include <stddef.h>

#include <json-c/json.h>

#include "status.h"
#include "wtime.h"

#define VALID_MAX_FIELDS	32

enum ftype {
	FT_STRING,	/* string; min/max in characters (max 0: unbounded) */
	FT_ID,		/* string of 1–128 characters (protocol §1 ids) */
	FT_DATETIME,	/* ISO 8601 date-time, protocol §1 */
	FT_DATE,	/* YYYY-MM-DD */
	FT_ENUM,	/* string, one of choices */
	FT_EMAIL,	/* string with one '@', 3–254 bytes, no blanks */
	FT_STRINGS,	/* array of strings; min/max items, item_max chars */
	FT_OBJECT,	/* object */
	FT_ARRAY,	/* array */
	FT_LIST,	/* array, or an object (PHP's empty "{}" for []) */
	FT_NUMSTR,	/* decimal as a JSON number or a numeric string */
	FT_ANY,		/* any JSON value */
};

#define REQUIRED	1
#define OPTIONAL	0

struct field {
	const char		*key;	/* dotted path from the root */
	enum ftype		 type;
	int			 required;
	size_t			 min, max;
	const char *const	*choices;	/* FT_ENUM, NULL-terminated */
	size_t			 item_max;	/* FT_STRINGS */
	/*
	 * 1, 2, 3: the id of a row the store locks, in the order the store
	 * locks them (worker before trusted contact before hire); a batch of
	 * stores is sorted by these (serve.c, batch_cmp()), so that two
	 * batches take shared rows in one order.  0: none.
	 */
	int			 lock_order;
};

struct value {
	int			 present;
	struct json_object	*json;	/* borrowed from the root */
	const char		*s;	/* borrowed; string types */
	size_t			 len;	/* bytes of s */
	struct wtime		 t;	/* FT_DATETIME */
};

struct verror {
	const char	*field;		/* borrowed from the table */
	const char	*detail;	/* static */
};

/* Resolve a dotted path ("data.contract.id"); NULL if absent or null. */
struct json_object *valid_path(struct json_object *root, const char *path);

/*
 * Check root against fields, writing vals[i] for fields[i] (at most
 * VALID_MAX_FIELDS rows).  ST_OK, or ST_BAD_REQUEST with *err filled.
 */
enum status	valid_fields(struct json_object *root, const struct field *fields,
		    struct value *vals, struct verror *err);

/* 1 if s (len bytes) is a plausible email address (see FT_EMAIL). */
int		valid_email(const char *s, size_t len);

#endif
