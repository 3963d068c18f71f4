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

#define REJECTS_MAX	64

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
};

void	rejects_init(struct rejects *, const char *endpoint, long interval);
void	rejects_add(struct rejects *, int http, const char *reason,
	    const char *field, time_t now);
/* Flush if due (force: now).  Failure keeps the counts for next time. */
void	rejects_flush(struct rejects *, struct db *, time_t now, int force);

#endif
