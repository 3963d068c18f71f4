/*
 * test_metrics — the worker's counters (common/metrics.c): a request lands
 * in exactly one duration bucket (the first bound at or above it; slower
 * than the last bound: only in count), 4xx requests are counted as
 * rejections by status and reason and other statuses are not, deliveries
 * split into new and repeats per event (copied, not borrowed), secrets
 * counted with their last use, the skew kept is the largest in magnitude,
 * and an unflushable batch keeps its counts.
 */
#include <string.h>

#include "metrics.h"
#include "tap.h"

static long
bucket_of(double seconds)
{
	struct metrics m;
	long i, at = -1, n = 0;

	metrics_init(&m, "x", NULL, 10);
	metrics_request(&m, 200, seconds, NULL);
	for (i = 0; i < METRICS_NBUCKETS; i++)
		if (m.req[0].bucket[i] != 0) {
			at = i;
			n += m.req[0].bucket[i];
		}
	metrics_free(&m);
	return n > 1 ? -2 : at;
}

int
main(void)
{
	struct metrics m;
	struct db db;
	char event[16];
	size_t i;

	ok(bucket_of(0) == 0, "0 s is in the first bucket");
	ok(bucket_of(0.001) == 0, "exactly the first bound (1 ms) is in the first bucket");
	ok(bucket_of(0.0011) == 1, "just above 1 ms is in the second bucket");
	ok(bucket_of(0.3) == 8, "0.3 s is in the 0.5 s bucket");
	ok(bucket_of(10) == METRICS_NBUCKETS - 1, "10 s is in the last bucket");
	ok(bucket_of(11) == -1, "slower than the last bound: in no finite bucket");
	ok(bucket_of(-1) == 0, "a negative duration (clock step) counts as 0");
	for (i = 1; i < METRICS_NBUCKETS; i++)
		if (!(metrics_bounds[i] > metrics_bounds[i - 1]))
			break;
	ok(i == METRICS_NBUCKETS, "the bounds increase");

	metrics_init(&m, "events/timelineChanged", "updatedge", 10);
	metrics_request(&m, 200, 0.002, NULL);
	metrics_request(&m, 200, 0.004, NULL);
	metrics_request(&m, 401, 0.001, "digest matches no secret");
	metrics_request(&m, 401, 0.001, "digest matches no secret");
	metrics_request(&m, 401, 0.001, "Timestamp too old");
	metrics_request(&m, 503, 0.001, "database");
	ok(m.nreq == 3, "three statuses counted (200, 401, 503)");
	ok(m.req[0].http == 200 && m.req[0].count == 2 &&
	    m.req[0].sum > 0.0059 && m.req[0].sum < 0.0061,
	    "200: count 2, sum of the durations");
	ok(m.nrej == 2 && m.rej[0].count == 2 && m.rej[1].count == 1,
	    "4xx rejections by status and reason: 2 + 1");
	ok(strcmp(m.rej[1].reason, "Timestamp too old") == 0,
	    "the reason is kept as given");

	memcpy(event, "hireUpdated", 12);
	metrics_delivery(&m, event, 0, 100);
	metrics_delivery(&m, event, 1, 101);
	memcpy(event, "xxxxxxxxxxx", 12);	/* the caller's buffer dies */
	metrics_delivery(&m, NULL, 0, 102);
	ok(m.ndlv == 2, "deliveries grouped by event and hour (hireUpdated, none)");
	ok(strcmp(m.dlv[0].event, "hireUpdated") == 0,
	    "the event is copied, not borrowed");
	ok(m.dlv[0].fresh == 1 && m.dlv[0].repeats == 1 && m.dlv[0].last == 101,
	    "one new, one repeat, last at the latest");
	metrics_delivery(&m, "hireUpdated", 0, 3600 + 5);
	ok(m.ndlv == 3 && m.dlv[2].hour == 1 && m.dlv[0].hour == 0,
	    "a delivery in the next hour is a row of its own (per-hour counts)");

	metrics_secret(&m, "dev", 100);
	metrics_secret(&m, "dev", 105);
	metrics_secret(&m, "rotation", 103);
	metrics_secret(&m, NULL, 104);
	ok(m.nsec == 2 && m.sec[0].uses == 2 && m.sec[0].last == 105 &&
	    m.sec[1].uses == 1, "secrets: uses and last use per label, none ignored");

	metrics_skew(&m, 12.5, 100);
	metrics_skew(&m, -40, 101);
	metrics_skew(&m, 3, 102);
	ok(m.has_skew && m.skew == -40 && m.skew_at == 102,
	    "the skew kept is the largest in magnitude, with its sign");

	for (i = 0; i < 2 * METRICS_MAX; i++)
		metrics_request(&m, 200 + (int)i, 0.001, NULL);
	ok(m.nreq == METRICS_MAX, "at most METRICS_MAX statuses between flushes");

	/* A database that cannot be reached: the counts stay. */
	db_init(&db, "host=/nonexistent-workhooks-test port=1 connect_timeout=1", "test");
	metrics_flush(&m, &db, 1000, 1);
	ok(m.nreq == METRICS_MAX && m.ndlv == 3 && m.failing,
	    "a failed flush keeps the counts for the next one");
	db_close(&db);
	metrics_free(&m);
	ok(m.ndlv == 0, "metrics_free releases the events");
	return tap_done();
}
