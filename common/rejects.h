/*
 * rejects — counting refused requests without a database write each.
 *
 * Refused requests (4xx) are counted in the worker by (endpoint, HTTP
 * status, reason, hour) and flushed to workhooks.rejected in one
 * statement at most every reject_flush_interval seconds, and at exit.
 * A flood of bad requests is a counter, not a flood of writes.
 * Reasons must be static strings of a small set (never client bytes).
 */
#ifndef WH_REJECTS_H
#define WH_REJECTS_H

#include <time.h>

#include "db.h"

/*
 * Kinds are flushed once REJECTS_FLUSH_AT are held, whatever the interval;
 * while the database is down up to REJECTS_MAX are kept, and refusals of a
 * kind beyond those are counted as dropped (logged), never under another
 * kind's label.
 */
#define REJECTS_FLUSH_AT	64
#define REJECTS_MAX		1024

struct reject {
	const char	*reason;	/* static */
	const char	*field;		/* static (from a field table) or NULL */
	int		 http;
	long		 hour;		/* unix time / 3600 */
	long		 count;
};

struct rejects {
	const char	*endpoint;	/* borrowed */
	struct reject	 r[REJECTS_MAX];
	size_t		 n;
	time_t		 last;		/* last flush */
	long		 interval;	/* seconds */
	struct db_stmt	 stmt;
	int		 failing;	/* last flush failed: log once */
	long		 dropped;	/* refusals not counted: table full */
	long		 backoff;	/* seconds after a failed connect */
	time_t		 retry_at;	/* no connect attempt before */
};

void	rejects_init(struct rejects *, const char *endpoint, long interval);
void	rejects_add(struct rejects *, int http, const char *reason,
	    const char *field, time_t now);
/*
 * Flush if due (force: now).  Failure keeps the counts for next time.
 * Unless forced, it waits at most 0.2 s for a connection (then backs off,
 * 1 s doubling to 60 s, going on with the same non-blocking attempt:
 * db_connect_nowait()), so a primary that is down or unreachable never
 * holds a worker for libpq's connect_timeout after each refused request
 * (contact-suggestions answering from a standby).
 */
void	rejects_flush(struct rejects *, struct db *, time_t now, int force);

#endif
