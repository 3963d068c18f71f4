/*
 * wtime — the ISO 8601 date-time and date forms the vendors send.
 *
 * Payload date-times (protocol §1): YYYY-MM-DDTHH:MM:SS, optional fraction of
 * 1–7 digits, then Z or ±HH:MM, or no zone (UTC).  Year 0001–9999, a real
 * calendar day, hour 00–23, minute and second 00–59, offset within ±15:59.
 * The updatedge Timestamp header (protocol §2.1) may also stop at the minute.
 */
#ifndef WH_WTIME_H
#define WH_WTIME_H

#include <stddef.h>
#include <stdint.h>

struct wtime {
	int64_t	sec;		/* seconds since 1970-01-01T00:00:00Z */
	int32_t	usec;		/* 0..999999, rounded from up to 7 digits
				   exactly as PostgreSQL rounds them */
};

#define WT_MINUTES_OK	0x01	/* seconds may be left out (header form) */

/* Parse exactly len bytes; 1 when s is one valid date-time, else 0. */
int	wtime_parse(const char *s, size_t len, unsigned flags,
	    struct wtime *out);
/* Parse a calendar date YYYY-MM-DD (len bytes); 1 if valid. */
int	wtime_parse_date(const char *s, size_t len, int *y, int *m, int *d);
/*
 * Microseconds (0..1000000: 1000000 carries into the second) for a
 * fraction of nd (1-7) digits whose value is digits, rounded the way
 * PostgreSQL rounds timestamptz input, so what is validated here is what
 * the database stores.
 */
int32_t	wtime_usec(int32_t digits, int nd);
/* -1, 0, 1 as a is before, equal to, after b. */
int	wtime_cmp(const struct wtime *a, const struct wtime *b);
/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
int64_t	wtime_days(int y, int m, int d);

struct timespec;
/* Milliseconds from t0 (CLOCK_MONOTONIC) to now. */
long	wtime_ms_since(const struct timespec *t0);

#endif
