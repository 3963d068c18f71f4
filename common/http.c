/* http — CONTENT_LENGTH and CONTENT_TYPE (http.h). */
#include <string.h>
#include <strings.h>

#include "http.h"

int
http_content_length(const char *s, long limit, size_t *out, int *big)
{
	size_t v = 0;

	*big = 0;
	*out = 0;
	if (s == NULL || *s == '\0')
		return 1;		/* absent: no body */
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (v > (size_t)limit) {
			*big = 1;	/* keep validating the digits */
			continue;
		}
		v = v * 10 + (size_t)(*s - '0');
	}
	if (v > (size_t)limit)
		*big = 1;
	*out = v;
	return 1;
}

int
http_json_media_type(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return 1;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (*ct == '\0')
		return 1;
	n = strcspn(ct, "; \t");
	if (n != 16 || strncasecmp(ct, "application/json", 16) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}
