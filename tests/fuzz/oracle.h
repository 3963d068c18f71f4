/*
 * oracle — independent re-statements of the input rules, for the fuzz
 * targets in this directory (header-only: every function is static).
 *
 * Each function says, from the rule in doc/protocol.md and the module
 * headers, whether an input is acceptable, written without calling the
 * code under test and in a different way from it, so that a target can
 * compare the two and abort() on any disagreement.
 */
#ifndef WH_FUZZ_ORACLE_H
#define WH_FUZZ_ORACLE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Header-only: a target uses some of these. */
#define OR_FN	static __attribute__((unused))

/* Well-formed UTF-8 (RFC 3629): no overlongs, surrogates or > U+10FFFF. */
OR_FN int
or_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xE0) == 0xC0) {
			need = 1;
			cp = s[i] & 0x1F;
		} else if ((s[i] & 0xF0) == 0xE0) {
			need = 2;
			cp = s[i] & 0x0F;
		} else if ((s[i] & 0xF8) == 0xF0) {
			need = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* Code points of well-formed UTF-8: the bytes that do not continue one. */
OR_FN size_t
or_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* Template match: 'd' a digit, anything else itself. */
OR_FN int
or_shape(const char *s, const char *tmpl)
{
	for (; *tmpl != '\0'; s++, tmpl++) {
		if (*tmpl == 'd' ? (*s < '0' || *s > '9') : *s != *tmpl)
			return 0;
	}
	return 1;
}

OR_FN int
or_num(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* A real calendar day, year 0001-9999, checked through timegm(3). */
OR_FN int
or_day(int y, int m, int d)
{
	struct tm tm;
	time_t t;

	if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	t = timegm(&tm);
	memset(&tm, 0, sizeof(tm));
	gmtime_r(&t, &tm);
	return tm.tm_year == y - 1900 && tm.tm_mon == m - 1 && tm.tm_mday == d;
}

/* YYYY-MM-DD, exactly n bytes. */
OR_FN int
or_date(const char *s, size_t n)
{
	return n == 10 && or_shape(s, "dddd-dd-dd") &&
	    or_day(or_num(s, 4), or_num(s + 5, 2), or_num(s + 8, 2));
}

/* Seconds since the epoch of a civil UTC time (timegm, not wtime's). */
OR_FN int64_t
or_epoch(int y, int mo, int d, int h, int mi, int se)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return (int64_t)timegm(&tm);
}

/*
 * A date-time of protocol §1 (and, with minutes_ok, the Timestamp header
 * of §2.1 that may stop at the minute).  On success *sec is the second,
 * *f7 the fraction in units of 100 ns (0..9999999, from 1-7 digits).
 */
OR_FN int
or_datetime(const char *s, size_t n, int minutes_ok, int64_t *sec,
    long *f7)
{
	size_t i, nd;
	int se = 0, off = 0, oh, om;
	long f = 0;

	if (n < 16 || memchr(s, '\0', n) != NULL ||
	    !or_shape(s, "dddd-dd-ddTdd:dd"))
		return 0;
	if (!or_day(or_num(s, 4), or_num(s + 5, 2), or_num(s + 8, 2)) ||
	    or_num(s + 11, 2) > 23 || or_num(s + 14, 2) > 59)
		return 0;
	i = 16;
	if (i < n && s[i] == ':') {
		if (n < 19 || !or_shape(s + 16, ":dd") ||
		    (se = or_num(s + 17, 2)) > 59)
			return 0;
		i = 19;
		if (i < n && s[i] == '.') {
			for (i++, nd = 0; i < n && s[i] >= '0' && s[i] <= '9';
			    i++, nd++)
				if (nd < 7)
					f = f * 10 + (s[i] - '0');
			if (nd == 0 || nd > 7)
				return 0;
			for (; nd < 7; nd++)
				f *= 10;
		}
	} else if (!minutes_ok)
		return 0;
	if (n - i == 0)
		off = 0;
	else if (n - i == 1 && s[i] == 'Z')
		off = 0;
	else if (n - i == 6 && (s[i] == '+' || s[i] == '-') &&
	    or_shape(s + i + 1, "dd:dd") &&
	    (oh = or_num(s + i + 1, 2)) <= 15 &&
	    (om = or_num(s + i + 4, 2)) <= 59)
		off = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	else
		return 0;
	*sec = or_epoch(or_num(s, 4), or_num(s + 5, 2), or_num(s + 8, 2),
	    or_num(s + 11, 2), or_num(s + 14, 2), se) - off;
	*f7 = f;
	return 1;
}

/*
 * Did the parser store sec/usec for (sec0, f7)?  The microsecond is the
 * 7-digit fraction rounded to 6 digits.  A tie (7th digit 5) may go
 * either way, unless strict_even, when it must go to the even
 * microsecond as PostgreSQL rounds (issue 7 item 7).  A round-up may
 * carry into the next second.
 */
/*
 * Microseconds for a 7-digit fraction f7 (0..9999999), rounded as
 * PostgreSQL rounds timestamp input: the fraction read as a double, times
 * 10^6, to the nearest integer with ties to even (rint() in the default
 * mode).  The double is not exact, so this is not plain half-even on the
 * decimal digits.  May return 1000000 (a carry into the next second).
 */
OR_FN long
or_pg_usec(long f7)
{
	char frac[32];
	double x;
	long fl;

	snprintf(frac, sizeof(frac), "0.%07ld", f7 % 10000000);
	x = strtod(frac, NULL) * 1000000.0;
	fl = (long)x;
	if (x - (double)fl > 0.5 || (x - (double)fl == 0.5 && fl % 2 != 0))
		fl++;
	return fl;
}

OR_FN int
or_same_instant(int64_t sec, long usec, int64_t sec0, long f7,
    int strict_even)
{
	long lo = f7 / 10, r = f7 % 10;
	int64_t got = sec * 1000000 + usec, down = sec0 * 1000000 + lo;

	if (usec < 0 || usec > 999999)
		return 0;
	if (r < 5)
		return got == down;
	if (r > 5)
		return got == down + 1;
	if (strict_even)
		return got == sec0 * 1000000 + or_pg_usec(f7);
	return got == down || got == down + 1;
}

/* Case-insensitive ASCII prefix. */
OR_FN int
or_iprefix(const char *s, const char *p)
{
	for (; *p != '\0'; s++, p++) {
		char a = *s, b = *p;

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return 1;
}

OR_FN int
or_hexval(unsigned char c)
{
	static const char *const lower = "0123456789abcdef";
	static const char *const upper = "0123456789ABCDEF";
	const char *p;

	if (c == '\0')
		return -1;
	if ((p = strchr(lower, c)) != NULL)
		return (int)(p - lower);
	if ((p = strchr(upper, c)) != NULL)
		return (int)(p - upper);
	return -1;
}

/* Exactly 64 hex digits, either case, into out. */
OR_FN int
or_hex32(const char *s, size_t n, unsigned char out[32])
{
	size_t i;
	int hi, lo;

	if (n != 64)
		return 0;
	for (i = 0; i < 64; i += 2) {
		if ((hi = or_hexval((unsigned char)s[i])) < 0 ||
		    (lo = or_hexval((unsigned char)s[i + 1])) < 0)
			return 0;
		out[i / 2] = (unsigned char)(hi * 16 + lo);
	}
	return 1;
}

/* FT_EMAIL: 3-254 bytes, exactly one '@' not at either end, no blank/control. */
OR_FN int
or_email(const char *s, size_t n)
{
	size_t i, ats = 0;

	if (n < 3 || n > 254 || s[0] == '@' || s[n - 1] == '@')
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0x7f)
			return 0;
		ats += s[i] == '@';
	}
	return ats == 1;
}

/*
 * FT_NUMSTR's string form: what PostgreSQL's numeric input takes and the
 * rule allows: an optional '-', digits with at most one '.', at least one
 * digit, at most 64 bytes.
 */
OR_FN int
or_numeric_text(const char *s, size_t n)
{
	size_t i = 0, digits = 0, dots = 0;

	if (n == 0 || n > 64)
		return 0;
	if (s[0] == '-')
		i = 1;
	for (; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else
			return 0;
	}
	return digits > 0 && dots <= 1;
}

#endif
