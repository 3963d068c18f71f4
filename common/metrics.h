/*
 * metrics — the worker's counters behind GET /metrics.
 *
 * Every request is counted in the worker's memory: by HTTP status with its
 * duration (a histogram over metrics_bounds), refused ones by status and
 * reason, accepted deliveries by event (new or repeat) with the secret that
 * verified them, and updatedge's clock skew.  metrics_flush() adds them to
 * the workhooks.metric_* tables in one statement (workhooks.count_metrics,
 * sql/code/11-count_metrics.sql) at most every `interval` seconds and at exit, after the answer
 * is out; a failed flush keeps the counts for the next one.  The store
 * path itself never writes a counter row, so concurrent stores never wait
 * on one.  cgi-bin/metrics.c prints the tables.
 *
 * Strings handed in are borrowed only for the call (events are copied);
 * reasons and secret labels must outlive the worker (static strings, the
 * configuration).
 */
#ifndef WH_METRICS_H
#define WH_METRICS_H

#include <time.h>

#include "db.h"

/* Upper bounds (seconds) of the duration histogram's buckets. */
#define METRICS_NBUCKETS	12
extern const double metrics_bounds[METRICS_NBUCKETS];

#define METRICS_MAX		32	/* entries of each kind between flushes */

struct metrics_req {
	int		 http;
	long		 count;
	double		 sum;			/* seconds */
	long		 bucket[METRICS_NBUCKETS];
};

struct metrics_dlv {
	char		*event;			/* owned, or NULL */
	long		 hour;			/* unix time / 3600 */
	long		 fresh, repeats;
	time_t		 last;
};

struct metrics_secret {
	char		*label;			/* owned */
	long		 uses;
	time_t		 last;
};

struct metrics_rej {
	int		 http;
	const char	*reason;		/* static */
	long		 count;
};

struct metrics {
	const char		*endpoint;	/* borrowed */
	const char		*source;	/* borrowed, or NULL */
	struct metrics_req	 req[METRICS_MAX];
	size_t			 nreq;
	struct metrics_dlv	 dlv[METRICS_MAX];
	size_t			 ndlv;
	struct metrics_secret	 sec[METRICS_MAX];
	size_t			 nsec;
	struct metrics_rej	 rej[METRICS_MAX];
	size_t			 nrej;
	int			 has_skew;
	double			 skew;		/* largest magnitude, seconds */
	time_t			 skew_at;
	time_t			 last;		/* last flush */
	long			 interval;	/* seconds; 0: every request */
	struct db_stmt		 stmt;
	int			 failing;	/* last flush failed: log once */
	long			 backoff;	/* seconds after a failed connect */
	time_t			 retry_at;	/* no connect attempt before */
};

void	metrics_init(struct metrics *, const char *endpoint, const char *source,
	    long interval);
/* One answered request: status, seconds taken, reason of a 4xx. */
void	metrics_request(struct metrics *, int http, double seconds,
	    const char *reason);
/* One delivery answered 200 (duplicate: a repeat); event may be NULL. */
void	metrics_delivery(struct metrics *, const char *event, int duplicate,
	    time_t now);
/* One request answered 2xx that the secret called label verified. */
void	metrics_secret(struct metrics *, const char *label, time_t now);
/* One verified updatedge Timestamp: received - signed, seconds. */
void	metrics_skew(struct metrics *, double seconds, time_t now);
/* Flush if due (force: now).  Failure keeps the counts for next time. */
void	metrics_flush(struct metrics *, struct db *, time_t now, int force);
void	metrics_free(struct metrics *);

#endif
