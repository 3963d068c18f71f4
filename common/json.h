/*
 * json — strict parsing of a request body with json-c.
 *
 * RFC 8259 strictly, from exactly len bytes (no NUL terminator needed),
 * UTF-8 validated, nesting bounded, nothing but whitespace after the
 * value.  Also refused (protocol §1), since PostgreSQL cannot store them
 * faithfully: \u0000 anywhere and unpaired UTF-16 surrogate escapes.
 * Duplicate keys: the last one wins, as in PostgreSQL's jsonb.
 */
#ifndef WH_JSON_H
#define WH_JSON_H

#include <stddef.h>

#include <json-c/json.h>

#include "status.h"

#define JSON_MAX_DEPTH	32

/*
 * Parse buf (len bytes).  On ST_OK *out is a new root that the caller
 * owns (json_object_put); on ST_BAD_REQUEST *why is a static message.
 */
enum status	json_parse_strict(const char *buf, size_t len,
		    struct json_object **out, const char **why);

/*
 * Member key of obj, or NULL when obj is not an object, the key is
 * absent, or its value is JSON null ("null means absent", protocol §1).
 * Borrowed: lives as long as obj.
 */
struct json_object *json_member(struct json_object *obj, const char *key);

/* Number of Unicode code points in the UTF-8 string s of len bytes. */
size_t		json_utf8_chars(const char *s, size_t len);

#endif
