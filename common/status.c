/* status — the single status → HTTP table. */
#include "status.h"

static const struct {
	int		 code;
	const char	*phrase;
	const char	*word;
} table[ST__MAX] = {
	[ST_OK]			= { 200, "OK", "ok" },
	[ST_BAD_REQUEST]	= { 400, "Bad Request", "bad request" },
	[ST_UNAUTHORIZED]	= { 401, "Unauthorized", "unauthorized" },
	[ST_NOT_FOUND]		= { 404, "Not Found", "not found" },
	[ST_METHOD]		= { 405, "Method Not Allowed", "method not allowed" },
	[ST_TOO_LARGE]		= { 413, "Payload Too Large", "payload too large" },
	[ST_MEDIA_TYPE]		= { 415, "Unsupported Media Type", "unsupported media type" },
	[ST_TIMEOUT]		= { 408, "Request Timeout", "request timeout" },
	[ST_LENGTH_REQUIRED]	= { 411, "Length Required", "length required" },
	[ST_URI_TOO_LONG]	= { 414, "URI Too Long", "uri too long" },
	[ST_INTERNAL]		= { 500, "Internal Server Error", "internal error" },
	[ST_UNAVAILABLE]	= { 503, "Service Unavailable", "service unavailable" },
};

static enum status
clamp(enum status st)
{
	return (unsigned)st < ST__MAX ? st : ST_INTERNAL;
}

int
status_http(enum status st)
{
	return table[clamp(st)].code;
}

const char *
status_phrase(enum status st)
{
	return table[clamp(st)].phrase;
}

const char *
status_word(enum status st)
{
	return table[clamp(st)].word;
}
