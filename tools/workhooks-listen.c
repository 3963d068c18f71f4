/*
 * workhooks-listen — an example consumer of the deliveries workhooks
 * stores (README "Operations", "Consuming the notifications").
 *
 *     workhooks-listen [-d CONNINFO] -s STATEFILE [-t SETTLE] [-f FROM] \
 *         -- COMMAND [ARG...]
 *
 * Runs COMMAND once per stored delivery, in id order, with the raw body on
 * its stdin and WORKHOOKS_DELIVERY, WORKHOOKS_SOURCE, WORKHOOKS_ENDPOINT,
 * WORKHOOKS_EVENT, WORKHOOKS_RECEIVED_AT in its environment.
 *
 * Notifications are only wake-ups: whatever `LISTEN workhooks` carries (a
 * delivery id, a high-water mark, nothing), the consumer reads
 * workhooks.delivery for ids above the high-water mark kept in STATEFILE,
 * so what was stored while it was stopped or disconnected (notifications
 * are not queued for nobody) is handled when it is back.  It LISTENs
 * before it reads, so nothing committed in between is missed, and also
 * polls every 30 s.
 *
 * At most once: the mark is written (and fsync'ed) past a delivery before
 * COMMAND runs, so a crash in between skips that delivery rather than
 * handling it twice.  Repeats of a body keep their delivery id and are not
 * handled again.
 *
 * Ids are allocated before commit, so a later id can become visible
 * before an earlier one (and a repeat, or a rolled-back store, leaves a
 * hole for ever).  When the next visible id is not the mark + 1, the
 * consumer waits SETTLE seconds (default 2) from the moment it first saw
 * that hole before it moves past it: only a store transaction still
 * uncommitted SETTLE seconds after a later one committed can be missed.
 *
 * Without STATEFILE present it starts after the newest delivery (or after
 * FROM, e.g. -f 0 for the whole inbox).  Needs only SELECT on
 * workhooks.delivery (a workhooks_reader login).  SIGTERM/SIGINT: the
 * delivery in hand is finished, then it exits 0.
 */
#include <sys/select.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#define BATCH	100
#define POLL_S	30

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void say(const char *, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr; libpq's trailing newline is the caller's to cut. */
static void
say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "workhooks-listen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* libpq's message without its trailing newline (static buffer). */
static const char *
pqmsg(PGconn *c)
{
	static char buf[512];
	size_t n;

	snprintf(buf, sizeof(buf), "%s", PQerrorMessage(c));
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return buf;
}

static double
mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Read the mark; 1 if STATEFILE held one. */
static int
mark_read(const char *path, long long *mark)
{
	char buf[32], *end;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return 0;
	}
	fclose(f);
	*mark = strtoll(buf, &end, 10);
	return end != buf && (*end == '\n' || *end == '\0') && *mark >= 0;
}

/* Write the mark durably: temporary file, fsync, rename. */
static int
mark_write(const char *path, long long mark)
{
	char tmp[4096];
	FILE *f;
	int ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return 0;
	if ((f = fopen(tmp, "w")) == NULL)
		return 0;
	ok = fprintf(f, "%lld\n", mark) > 0 && fflush(f) == 0 &&
	    fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	return ok && rename(tmp, path) == 0;
}

/* Run the command for one delivery: body on stdin; its exit status. */
static int
handle(char **cmd, const char *id, const char *source, const char *endpoint,
    const char *event, const char *at, const char *body, size_t len)
{
	int fd[2], status = -1;
	size_t off = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fd) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fd[0], 0);
		close(fd[0]);
		close(fd[1]);
		setenv("WORKHOOKS_DELIVERY", id, 1);
		setenv("WORKHOOKS_SOURCE", source, 1);
		setenv("WORKHOOKS_ENDPOINT", endpoint, 1);
		setenv("WORKHOOKS_EVENT", event, 1);
		setenv("WORKHOOKS_RECEIVED_AT", at, 1);
		signal(SIGPIPE, SIG_DFL);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(fd[0]);
	while (off < len) {
		n = write(fd[1], body + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* the command stopped reading: its choice */
		off += (size_t)n;
	}
	close(fd[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct state {
	const char	*path;
	long long	 mark;
	long long	 hole_at;	/* mark when the hole was first seen */
	double		 hole_since;	/* 0: no hole pending */
	double		 settle;
};

/*
 * Handle what is above the mark.  Returns 1 when it stopped at a hole that
 * has not settled yet (call again soon), 0 when caught up, -1 on a
 * connection or state error.
 */
static int
catch_up(PGconn *c, struct state *s, char **cmd)
{
	const char *vals[2];
	char mark[32], limit[16], id[32];
	PGresult *res;
	long long got;
	int i, n, rc;

	for (;;) {
		snprintf(mark, sizeof(mark), "%lld", s->mark);
		snprintf(limit, sizeof(limit), "%d", BATCH);
		vals[0] = mark;
		vals[1] = limit;
		res = PQexecParams(c,
		    "SELECT id, source, endpoint, coalesce(event, ''), "
		    "to_char(received_at AT TIME ZONE 'UTC', "
		    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), body "
		    "FROM workhooks.delivery WHERE id > $1::bigint "
		    "ORDER BY id LIMIT $2::integer", 2, NULL, vals, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			say("reading deliveries: %s", pqmsg(c));
			PQclear(res);
			return -1;
		}
		n = PQntuples(res);
		for (i = 0; i < n && !stopping; i++) {
			got = strtoll(PQgetvalue(res, i, 0), NULL, 10);
			if (got != s->mark + 1) {
				if (s->hole_since == 0 || s->hole_at != s->mark) {
					s->hole_at = s->mark;
					s->hole_since = mono();
				}
				if (mono() - s->hole_since < s->settle) {
					PQclear(res);
					return 1;
				}
			}
			s->hole_since = 0;
			/* At most once: the mark moves first. */
			if (!mark_write(s->path, got)) {
				say("cannot write %s: %s", s->path,
				    strerror(errno));
				PQclear(res);
				return -1;
			}
			s->mark = got;
			snprintf(id, sizeof(id), "%lld", got);
			rc = handle(cmd, id, PQgetvalue(res, i, 1),
			    PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
			    PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
			    (size_t)PQgetlength(res, i, 5));
			if (rc != 0)
				say("delivery %s: the command exited %d "
				    "(not retried)", id, rc);
		}
		PQclear(res);
		if (stopping || n < BATCH)
			return 0;
	}
}

static PGconn *
connect_listen(const char *conninfo)
{
	PGconn *c;
	PGresult *res;

	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		say("connect: %s", pqmsg(c));
		PQfinish(c);
		return NULL;
	}
	res = PQexec(c, "LISTEN workhooks");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		say("LISTEN: %s", pqmsg(c));
		PQclear(res);
		PQfinish(c);
		return NULL;
	}
	PQclear(res);
	return c;
}

/* The newest delivery id, to start after it. */
static int
newest(PGconn *c, long long *mark)
{
	PGresult *res;
	int ok;

	res = PQexec(c, "SELECT coalesce(max(id), 0) FROM workhooks.delivery");
	ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	if (ok)
		*mark = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else
		say("reading the newest delivery: %s", pqmsg(c));
	PQclear(res);
	return ok;
}

static void
usage(void)
{
	fprintf(stderr, "usage: workhooks-listen [-d conninfo] -s statefile "
	    "[-t settle-seconds] [-f from-id] -- command [arg...]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct state s = { .settle = 2 };
	struct sigaction sa;
	const char *conninfo = "", *from = NULL;
	PGconn *c = NULL;
	PGnotify *nf;
	struct timeval tv;
	fd_set rd;
	char *end;
	int ch, sock, rc, backoff = 1, have;

	while ((ch = getopt(argc, argv, "d:s:t:f:")) != -1) {
		switch (ch) {
		case 'd':
			conninfo = optarg;
			break;
		case 's':
			s.path = optarg;
			break;
		case 't':
			s.settle = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || s.settle < 0 ||
			    s.settle > 3600)
				usage();
			break;
		case 'f':
			from = optarg;
			break;
		default:
			usage();
		}
	}
	if (s.path == NULL || optind >= argc)
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: wake select() */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	have = mark_read(s.path, &s.mark);
	if (!have && from != NULL) {
		s.mark = strtoll(from, &end, 10);
		if (end == from || *end != '\0' || s.mark < 0)
			usage();
		have = 1;
	}
	while (!stopping) {
		if (c == NULL || PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			if ((c = connect_listen(conninfo)) == NULL) {
				sleep((unsigned)backoff);
				backoff = backoff < 30 ? backoff * 2 : 30;
				continue;
			}
			backoff = 1;
			if (!have) {
				if (!newest(c, &s.mark) ||
				    !mark_write(s.path, s.mark)) {
					PQfinish(c);
					c = NULL;
					sleep(1);
					continue;
				}
				have = 1;
			}
		}
		/* LISTEN is in place: read everything above the mark. */
		if ((rc = catch_up(c, &s, argv + optind)) < 0) {
			if (PQstatus(c) == CONNECTION_OK)
				return 1;	/* state or query error */
			continue;
		}
		if (stopping)
			break;
		sock = PQsocket(c);
		FD_ZERO(&rd);
		FD_SET(sock, &rd);
		tv.tv_sec = rc == 1 ? 0 : POLL_S;
		tv.tv_usec = rc == 1 ? 100000 : 0;
		if (select(sock + 1, &rd, NULL, NULL, &tv) < 0 && errno != EINTR)
			break;
		if (!PQconsumeInput(c)) {
			say("connection lost: %s", pqmsg(c));
			continue;	/* PQstatus is bad: reconnect */
		}
		while ((nf = PQnotifies(c)) != NULL)
			PQfreemem(nf);	/* a wake-up; the payload is not needed */
	}
	PQfinish(c);
	return 0;
}
