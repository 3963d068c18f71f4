/*
 * tap — the few lines of a TAP producer the unit tests share.
 * ok(cond, fmt, ...) prints "ok N - name" or "not ok N - name";
 * diag(fmt, ...) prints a "# ..." comment line; tap_done() prints the
 * plan and returns the exit status (automake's default driver reads it).
 *
 * Test data: tap_vectors() is the directory of the test vectors:
 * $VECTORS (set by make check), else the path compiled in as
 * WH_VECTORS_FALLBACK ($(abs_top_srcdir)/tests/vectors).  tap_slurp()
 * reads a file byte-exact.  A test that cannot read its vectors must fail,
 * never skip: callers turn a NULL from tap_slurp() into a "not ok".
 */
#ifndef WH_TAP_H
#define WH_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_UNUSED	__attribute__((unused))

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3)))
static int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	return cond;
}

__attribute__((format(printf, 1, 2))) TAP_UNUSED
static void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ok() on two strings (either may be NULL), with a diagnostic on mismatch. */
__attribute__((format(printf, 3, 4))) TAP_UNUSED
static int
ok_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	int cond = (got == NULL || want == NULL) ? got == want :
	    strcmp(got, want) == 0;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   got:  %s%s%s\n", got ? "\"" : "", got ? got : "NULL",
		    got ? "\"" : "");
		printf("#   want: %s%s%s\n", want ? "\"" : "",
		    want ? want : "NULL", want ? "\"" : "");
	}
	return cond;
}

/* ok() on two integers, with a diagnostic on mismatch. */
__attribute__((format(printf, 3, 4))) TAP_UNUSED
static int
ok_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	int cond = got == want;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	}
	return cond;
}

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

TAP_UNUSED
static const char *
tap_vectors(void)
{
	const char *v = getenv("VECTORS");

	if (v != NULL && *v != '\0')
		return v;
#ifdef WH_VECTORS_FALLBACK
	return WH_VECTORS_FALLBACK;
#else
	return "tests/vectors";
#endif
}

/*
 * The whole file dir/name (dir NULL: tap_vectors()), malloc'd, with a NUL
 * after its *len bytes; NULL (and a diagnostic) if it cannot be read.
 */
TAP_UNUSED
static char *
tap_slurp(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf = NULL, *t;
	size_t cap = 0, n;

	*len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : tap_vectors(), name);
	if ((f = fopen(path, "rb")) == NULL) {
		diag("cannot open %s", path);
		return NULL;
	}
	for (;;) {
		if (*len + 1 >= cap) {
			cap = cap ? cap * 2 : 4096;
			if ((t = realloc(buf, cap)) == NULL)
				goto fail;
			buf = t;
		}
		n = fread(buf + *len, 1, cap - *len - 1, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	buf[*len] = '\0';
	return buf;
fail:
	diag("cannot read %s", path);
	fclose(f);
	free(buf);
	*len = 0;
	return NULL;
}

#endif
