/* log — escaped, printf-checked lines on stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*prog = "workhooks";
static enum log_level	 level = LOG_INFO;
static long		 pid;	/* getpid() once: a system call a line else */

/*
 * Lines held by log_hold() until log_release(): a worker answering a batch
 * writes its lines in one write(2) instead of one each (a wake-up of
 * journald each on a systemd host).  A line that does not fit is written
 * after what is held, at once.
 */
static char	 held[16384];
static size_t	 nheld;
static int	 holding;

static const char *const names[] = { "error", "warn", "info", "debug" };
/* syslog(3) priorities of the levels: LOG_ERR, LOG_WARNING, LOG_INFO... */
static const int prio[] = { 3, 4, 6, 7 };

void
log_init(const char *progname)
{
	const char *p;

	if (progname == NULL)
		return;
	p = strrchr(progname, '/');
	prog = p != NULL ? p + 1 : progname;
}

static void
write_all(const char *buf, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = write(STDERR_FILENO, buf, n)) < 0) {
			if (errno == EINTR)
				continue;
			return;		/* nowhere to say so */
		}
		buf += k;
		n -= (size_t)k;
	}
}

void
log_hold(void)
{
	holding = 1;
}

void
log_release(void)
{
	if (nheld > 0)
		write_all(held, nheld);
	nheld = 0;
	holding = 0;
}

void
log_set_level(enum log_level l)
{
	level = l;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 1;
		}
	return 0;
}

static void
stamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	char when[40], line[2048], out[2200];
	va_list ap;
	int n;

	if (l > level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	stamp(when, sizeof(when));
	if (pid == 0)
		pid = (long)getpid();
	n = snprintf(out, sizeof(out), "<%d>%s %s[%ld] %s: %s\n", prio[l],
	    when, prog, pid, names[l], line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(out)) {
		n = sizeof(out) - 1;
		out[n - 1] = '\n';
	}
	fflush(stderr);		/* anything stdio holds for fd 2 goes first */
	if (holding && nheld + (size_t)n <= sizeof(held)) {
		memcpy(held + nheld, out, (size_t)n);
		nheld += (size_t)n;
		return;
	}
	if (nheld > 0)
		write_all(held, nheld);
	nheld = 0;
	write_all(out, (size_t)n);
}

/* Bytes kept as they are: printable ASCII but '"' (and '\\' unless keep_bs). */
static int
plain(unsigned char c, int keep_bs)
{
	return c >= 0x20 && c < 0x7f && c != '"' && (keep_bs || c != '\\');
}

static char *
escape(char *buf, size_t size, const char *s, size_t len, int keep_bs)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0, room;
	unsigned char c;

	if (size == 0)
		return buf;
	if (s == NULL)
		len = 0;
	/* Cut only when the whole escaped output does not fit. */
	for (i = 0, room = 0; i < len && room < size; i++) {
		c = (unsigned char)s[i];
		room += plain(c, keep_bs) ? 1 : 4;
	}
	if (room < size)
		room = size - 1;
	else
		room = size > 4 ? size - 4 : 0;	/* keep space for "..." */
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (plain(c, keep_bs)) {
			if (o + 1 > room)
				break;
			buf[o++] = (char)c;
		} else {
			if (o + 4 > room)
				break;
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xf];
		}
	}
	if (i < len && size > 4) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

char *
log_escape(char *buf, size_t size, const char *s, size_t len)
{
	return escape(buf, size, s, len, 0);
}

char *
log_pqmsg(char *buf, size_t size, const char *msg)
{
	char one[1024];
	size_t len, i, o = 0;

	if (msg == NULL)
		msg = "";
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	/* libpq's multi-line messages: newline + tab become one blank. */
	for (i = 0; i < len && o < sizeof(one); i++) {
		if (msg[i] == '\n' || msg[i] == '\t' || msg[i] == '\r') {
			if (o > 0 && one[o - 1] != ' ')
				one[o++] = ' ';
			continue;
		}
		one[o++] = msg[i];
	}
	return log_escape(buf, size, one, o);
}

/* An optional field: escaped, or "-" when absent. */
static const char *
opt(char *buf, size_t size, const char *s)
{
	if (s == NULL || *s == '\0')
		return "-";
	return log_escape(buf, size, s, strlen(s));
}

void
log_request(const struct log_request *r)
{
	char m[32], c[64], id[64], ev[96], sec[80], rs[512], d[32], b[16];

	if (r->http < 400 && level < LOG_INFO)
		return;
	/*
	 * reason is made of static strings and log_escape() output (a
	 * database message): its backslashes are escapes already and stay
	 * (escaping them again gave "\\x5cx22" for a '"').  Anything else
	 * that is not plain is still escaped.
	 */
	escape(rs, sizeof(rs), r->reason, r->reason ? strlen(r->reason) : 0, 1);
	if (r->delivery > 0)
		snprintf(d, sizeof(d), "%lld", r->delivery);
	else
		snprintf(d, sizeof(d), "-");
	if (r->batch > 0)
		snprintf(b, sizeof(b), "%d", r->batch);
	else
		snprintf(b, sizeof(b), "-");
	log_msg(r->http >= 500 ? LOG_ERROR : r->http >= 400 ? LOG_WARN :
	    LOG_INFO,
	    "endpoint=%s method=%s status=%d us=%lld delivery=%s "
	    "duplicate=%s event=%s secret=%s client=%s request_id=%s "
	    "reason=\"%s\" batch=%s",
	    r->endpoint, opt(m, sizeof(m), r->method), r->http, r->usec, d,
	    r->duplicate < 0 ? "-" : r->duplicate ? "yes" : "no",
	    opt(ev, sizeof(ev), r->event), opt(sec, sizeof(sec), r->secret),
	    opt(c, sizeof(c), r->client), opt(id, sizeof(id), r->request_id),
	    rs, b);
}
