/*
 * test_db — what a failed statement does to the connection (issue 7
 * §2.12, §2.13), as a table of SQLSTATEs: keep it, drop it so the next
 * request reconnects, or drop it and send again now because the server
 * refused the statement before running it.  The integration test
 * t-trust.sh provokes 25006, 26000, 57014, 55P03 and lost connections on
 * a real server; this table covers the rest of the mapping.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "rejects.h"
#include "tap.h"

static void
test_after(void)
{
	static const struct {
		const char	*state;
		int		 bad;
		enum db_after	 want;
	} t[] = {
		/* The connection is gone: reconnect, never resend. */
		{ NULL, 1, DB_RECONNECT },
		{ NULL, 0, DB_RECONNECT },
		{ "57P01", 1, DB_RECONNECT },	/* terminated mid-statement */
		{ "23505", 1, DB_RECONNECT },
		/* Provably not run: prepared statement gone (pgbouncer). */
		{ "26000", 0, DB_RETRY },
		/* The connection stays wrong: reconnect. */
		{ "25006", 0, DB_RECONNECT },	/* read-only after failover */
		{ "25P02", 0, DB_RECONNECT },
		{ "0A000", 0, DB_RECONNECT },	/* cached plan changed type */
		{ "08006", 0, DB_RECONNECT },
		{ "08003", 0, DB_RECONNECT },
		{ "57P01", 0, DB_RECONNECT },
		{ "57P02", 0, DB_RECONNECT },
		{ "57P03", 0, DB_RECONNECT },
		/* The statement failed, the connection is fine. */
		{ "57014", 0, DB_KEEP },	/* statement_timeout */
		{ "55P03", 0, DB_KEEP },	/* lock_timeout */
		{ "40001", 0, DB_KEEP },
		{ "40P01", 0, DB_KEEP },
		{ "23505", 0, DB_KEEP },
		{ "22P02", 0, DB_KEEP },
		{ "54000", 0, DB_KEEP },
		{ "42883", 0, DB_KEEP },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(db_after(t[i].state, t[i].bad) == t[i].want,
		    "db_after %s%s -> %s", t[i].state ? t[i].state : "(none)",
		    t[i].bad ? " on a bad connection" : "",
		    t[i].want == DB_KEEP ? "keep" : t[i].want == DB_RETRY ?
		    "retry now" : "reconnect");
}

/*
 * Reject counters: a full table is written at once, whatever the interval,
 * and a write database that cannot be reached is not waited for (backs
 * off).  The database here is a socket directory that does not exist.
 */
static void
test_reject_flush(void)
{
	static const char *const r = "bad signature";
	struct rejects rj;
	struct db db;
	time_t t0 = 1700000000;
	size_t i;

	db_init(&db, "host=/nonexistent/workhooks-test port=1", "test");
	rejects_init(&rj, "x", 3600);
	rj.last = t0;
	for (i = 0; i < REJECTS_FLUSH_AT - 1; i++)
		rejects_add(&rj, 400 + (int)i, r, NULL, t0);
	rejects_flush(&rj, &db, t0 + 1, 0);
	ok(rj.retry_at == 0 && rj.n == REJECTS_FLUSH_AT - 1,
	    "rejects: %d kinds within the interval: not written yet",
	    REJECTS_FLUSH_AT - 1);
	rejects_add(&rj, 399, r, NULL, t0);
	rejects_flush(&rj, &db, t0 + 1, 0);
	ok(rj.retry_at == t0 + 2 && rj.n == REJECTS_FLUSH_AT,
	    "rejects: %d kinds: written at once (database down: kept, next "
	    "try in 1 s)", REJECTS_FLUSH_AT);
	rejects_flush(&rj, &db, t0 + 1, 0);
	ok(rj.retry_at == t0 + 2, "rejects: no new try before the back-off");
	rejects_flush(&rj, &db, t0 + 2, 0);
	ok(rj.retry_at == t0 + 4 && rj.backoff == 2,
	    "rejects: the back-off doubles");
	db_close(&db);
}

int
main(void)
{
	test_after();
	test_reject_flush();
	return tap_done();
}
