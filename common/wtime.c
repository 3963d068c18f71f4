/* wtime — strict ISO 8601 parsing without locale or libc time zones. */
#include <string.h>
#include <time.h>

#include "wtime.h"

static int
digits(const char *s, size_t n, int *out)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : n[m - 1];
}

/* Howard Hinnant's days_from_civil. */
int64_t
wtime_days(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
wtime_parse_date(const char *s, size_t len, int *y, int *m, int *d)
{
	if (len < 10 || s[4] != '-' || s[7] != '-')
		return 0;
	if (!digits(s, 4, y) || !digits(s + 5, 2, m) || !digits(s + 8, 2, d))
		return 0;
	if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > mdays(*y, *m))
		return 0;
	return len == 10;
}

/*
 * PostgreSQL (timestamp input, ParseFractionalSecond in datetime.c) reads
 * the fraction with strtod() and stores rint(fraction * 1000000).  The
 * same here without strtod (locale) or libm: digits / 10^nd is the same
 * correctly rounded double strtod gives, and the rounding below is rint's
 * round-half-to-even.  Ties are decided on the binary value, so most 7th
 * digits of 5 round to even and some do not (.0001255 is 125 us, .0001265
 * is 127 us): checked against PostgreSQL 15 for all 10^6 such fractions
 * (tests/unit/test_wtime.c has a sample).
 */
int32_t
wtime_usec(int32_t digits, int nd)
{
	double p = 1, x;
	int64_t t;
	int i;

	if (nd <= 0)
		return 0;
	for (i = 0; i < nd; i++)
		p *= 10;
	x = (double)digits / p * 1000000.0;
	t = (int64_t)x;			/* x >= 0: truncation = floor */
	if (x - (double)t > 0.5 || (x - (double)t == 0.5 && (t & 1) != 0))
		t++;
	return (int32_t)t;
}

int
wtime_parse(const char *s, size_t len, unsigned flags, struct wtime *out)
{
	int y, mo, d, h, mi, se = 0, oh, om, sign, frac = 0, nd = 0;
	size_t i;
	int64_t t;

	if (len < 16 || !wtime_parse_date(s, 10, &y, &mo, &d))
		return 0;
	if (s[10] != 'T' || s[13] != ':')
		return 0;
	if (!digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
	    h > 23 || mi > 59)
		return 0;
	i = 16;
	if (i < len && s[i] == ':') {
		if (len < 19 || !digits(s + 17, 2, &se) || se > 59)
			return 0;
		i = 19;
		if (i < len && s[i] == '.') {
			for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
				if (++nd > 7)
					return 0;
				frac = frac * 10 + (s[i] - '0');
			}
			if (nd == 0)
				return 0;
		}
	} else if (!(flags & WT_MINUTES_OK))
		return 0;

	frac = wtime_usec(frac, nd);

	oh = om = 0;
	sign = 1;
	if (i == len) {
		/* No zone: UTC (protocol §1). */
	} else if (s[i] == 'Z' && i + 1 == len) {
		/* UTC. */
	} else if ((s[i] == '+' || s[i] == '-') && len - i == 6 &&
	    s[i + 3] == ':' && digits(s + i + 1, 2, &oh) &&
	    digits(s + i + 4, 2, &om) && oh <= 15 && om <= 59) {
		sign = s[i] == '-' ? -1 : 1;
	} else
		return 0;

	t = wtime_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	t -= sign * (oh * 3600 + om * 60);
	if (frac >= 1000000) {
		frac -= 1000000;
		t++;
	}
	out->sec = t;
	out->usec = frac;
	return 1;
}

int
wtime_cmp(const struct wtime *a, const struct wtime *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->usec != b->usec)
		return a->usec < b->usec ? -1 : 1;
	return 0;
}

long
wtime_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}
