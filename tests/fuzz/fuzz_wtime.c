/*
 * fuzz_wtime — the date-time and date parsers (common/wtime.c) against
 * the oracle's (oracle.h: a template match and timegm(3) instead of
 * wtime's own calendar arithmetic).  Both directions: wtime accepts
 * exactly what the rule of protocol §1 (payload form) and §2.1 (header
 * form, may stop at the minute) allows, and an accepted value is the same
 * instant to the microsecond, the 7th fraction digit rounded.
 *
 * A tie (7th digit 5) must round as PostgreSQL rounds it (or_pg_usec;
 * FUZZ_STRICT_ROUNDING=0 accepts either neighbour).  The input's first byte picks payload or header form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wtime.h"

#include "oracle.h"

static int strict = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	struct wtime wt;
	int64_t sec;
	long f7;
	size_t n;
	int minutes, got, want, y, m, d;

	if (strict < 0) {
		const char *e = getenv("FUZZ_STRICT_ROUNDING");

		strict = e == NULL || strcmp(e, "0") != 0;
	}
	if (size < 1)
		return 0;
	minutes = data[0] & 1;
	n = size - 1;
	memset(&wt, 0, sizeof(wt));
	got = wtime_parse(s, n, minutes ? WT_MINUTES_OK : 0, &wt);
	want = or_datetime(s, n, minutes, &sec, &f7);
	if (got != want)
		abort();
	if (got && !or_same_instant(wt.sec, wt.usec, sec, f7, strict))
		abort();
	got = wtime_parse_date(s, n, &y, &m, &d);
	if (got != or_date(s, n))
		abort();
	if (got && (y != (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
	    (s[2] - '0') * 10 + (s[3] - '0')))
		abort();
	return 0;
}
