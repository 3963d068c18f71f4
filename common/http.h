/*
 * http — the request headers the runtime reads before the body: the
 * declared length (CONTENT_LENGTH) and the media type (CONTENT_TYPE).
 * Pure functions over borrowed NUL-terminated strings; nothing is kept.
 * In their own module so that they can be unit-tested and fuzzed.
 */
#ifndef WH_HTTP_H
#define WH_HTTP_H

#include <stddef.h>

/*
 * CONTENT_LENGTH s (may be NULL): 1 when absent, empty or all decimal
 * digits, with *out the value (0 when absent) and *big set when it
 * exceeds limit (the digits are still checked: "99x" is garbage, not
 * large); 0 on anything else (sign, blank, hex, ...).  When *big is set,
 * *out is unspecified.
 */
int	http_content_length(const char *s, long limit, size_t *out, int *big);

/*
 * CONTENT_TYPE ct (may be NULL): 1 when absent, blank, or
 * application/json (any case) alone or followed by parameters after
 * ';'; else 0.
 */
int	http_json_media_type(const char *ct);

#endif
