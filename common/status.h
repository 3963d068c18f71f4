/*
 * status — the one outcome type of workhooks.
 *
 * Every fallible function in common/ and cgi-bin/ returns an enum status;
 * predicates return 1/0 instead.  The mapping to HTTP lives in exactly one
 * table (status.c), so a new failure class is one row there.
 */
#ifndef WH_STATUS_H
#define WH_STATUS_H

enum status {
	ST_OK = 0,		/* 200 */
	ST_BAD_REQUEST,		/* 400: JSON, schema, path */
	ST_UNAUTHORIZED,	/* 401 */
	ST_NOT_FOUND,		/* 404 */
	ST_METHOD,		/* 405, with Allow */
	ST_TOO_LARGE,		/* 413, decided from CONTENT_LENGTH */
	ST_MEDIA_TYPE,		/* 415 */
	ST_TIMEOUT,		/* 408: the body did not arrive in body_timeout */
	ST_LENGTH_REQUIRED,	/* 411: a body may follow but no length given */
	ST_URI_TOO_LONG,	/* 414: request path longer than SERVE_PATH_MAX */
	ST_INTERNAL,		/* 500 */
	ST_UNAVAILABLE,		/* 503, with Retry-After: database down */
	ST__MAX
};

/* HTTP status code for st. */
int		 status_http(enum status st);
/* Reason phrase for the Status: line ("Bad Request"). */
const char	*status_phrase(enum status st);
/* Stable machine word for error bodies and logs ("bad_request"). */
const char	*status_word(enum status st);

#endif
