/*
 * test_fields — the validating half of the PostgreSQL module
 * (pg/fields.c, module_fields()), built here with the endpoints' own
 * descriptors (-DWH_MODULE) and run under the sanitizers, which the
 * database server cannot host: a stored body gives exactly the values the
 * endpoint bound (the vectors), a body the rules refuse an error naming
 * the field, and nothing leaks on either path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "tap.h"

/* module_fields() on a string; the values joined by '|' ("~": NULL). */
static int
fields(const char *ep, const char *event, const char *subject,
    const char *body, char *out, size_t size, char *err, size_t esize)
{
	char **vals;
	int n, i, r;
	size_t k = 0;

	out[0] = err[0] = '\0';
	r = module_fields(ep, event, subject, body, strlen(body), &vals, &n,
	    err, esize);
	for (i = 0; r && i < n; i++)
		k += (size_t)snprintf(out + k, size - k, "%s%s", i ? "|" : "",
		    vals[i] != NULL ? vals[i] : "~");
	if (r)
		module_fields_free(vals, n);
	return r;
}

static void
vector(const char *name, const char *ep, const char *event, const char *want)
{
	char got[2048], err[640];
	char *body;
	size_t len;

	if ((body = tap_slurp(NULL, name, &len)) == NULL) {
		ok(0, "%s: cannot read the vector", name);
		return;
	}
	ok(fields(ep, event, NULL, body, got, sizeof(got), err, sizeof(err)),
	    "%s validates as %s", name, ep);
	ok_str(got, want, "%s: the values the endpoint bound", name);
	free(body);
}

int
main(void)
{
	char got[2048], err[640];

	vector("updatedge-timelineChanged.json", "events/timelineChanged", NULL,
	    "9c8b042a-97c2-4569-ba93-1d3c1ff83655|~|2020-01-31T09:00:00.000000Z|"
	    "2020-01-31T17:00:00.000000Z|2020-01-30T12:32:11.572645Z|~|~");
	vector("updatedge-offer-response.json", "offer/response", NULL,
	    "3f1e2d4c-5b6a-4789-8a9b-0c1d2e3f4a5b|"
	    "9c8b042a-97c2-4569-ba93-1d3c1ff83655|accepted");
	vector("updatedge-offer-eventDeleted.json", "offer/eventDeleted", NULL,
	    "3f1e2d4c-5b6a-4789-8a9b-0c1d2e3f4a5b|"
	    "9c8b042a-97c2-4569-ba93-1d3c1ff83655|2018-04-23T09:00:00.511000Z");
	vector("worksome-hireUpdated.json", "worksome", "hireUpdated",
	    "~|Q29udHJhY3Q6MTIzNA==|2023-11-20|2024-02-20|2024-11-19 10:41:34|"
	    "550|V29ya2VyOjIzNDU2|VHJ1c3RlZENvbnRhY3Q6MzA=");
	vector("worksome-trustedContactUpdated.json", "worksome",
	    "trustedContactUpdated", "VHJ1c3RlZENvbnRhY3Q6Nw==|V29ya2VyOjQy");
	vector("worksome-unknown-event.json", "worksome", "paymentRequestPaid", "");

	ok(!fields("events/timelineChanged", NULL, NULL,
	    "{\"workerId\":\"w\",\"periodStart\":\"2020-01-31T09:00:00Z\","
	    "\"periodEnd\":\"2020-01-31T08:00:00Z\",\"completedAt\":\"2020-01-30T12:00:00Z\"}",
	    got, sizeof(got), err, sizeof(err)) &&
	    strcmp(err, "invalid field \"periodEnd\": before periodStart") == 0,
	    "the endpoint's check refuses periodEnd before periodStart (%s)", err);
	ok(!fields("events/timelineChanged", NULL, NULL, "{\"workerId\":\"w\"}",
	    got, sizeof(got), err, sizeof(err)) &&
	    strstr(err, "\"periodStart\"") != NULL,
	    "a missing required field is named (%s)", err);
	ok(!fields("offer/response", NULL, NULL, "{\"offerId\":", got,
	    sizeof(got), err, sizeof(err)) && strncmp(err, "invalid JSON", 12) == 0,
	    "a body that is not JSON is refused (%s)", err);
	ok(!fields("worksome", "hireUpdated", NULL,
	    "{\"event\":\"hireUpdated\",\"data\":{\"contract\":{\"id\":\"c\","
	    "\"rate\":123456789012345678901234},\"worker\":{},\"trustedContact\":{}}}",
	    got, sizeof(got), err, sizeof(err)) &&
	    strstr(err, "\"data.contract.rate\": integer beyond 64 bits") != NULL,
	    "a rate beyond 64 bits is refused naming the field (%s)", err);
	ok(!fields("worksome", "hireUpdated", NULL,
	    "{\"event\":\"hireUpdated\",\"data\":{\"contract\":{},\"worker\":{},"
	    "\"trustedContact\":{}}}", got, sizeof(got), err, sizeof(err)) &&
	    strstr(err, "\"data.contract.id\"") != NULL,
	    "the hire check runs (no hire key: %s)", err);
	ok(!fields("worksome", "hireEnded", NULL,
	    "{\"event\":\"hireUpdated\",\"data\":{}}", got, sizeof(got), err,
	    sizeof(err)) && strstr(err, "stored event hireEnded") != NULL,
	    "a body whose event is not the stored one is refused (%s)", err);
	ok(!fields("worksome", "x", NULL, "{\"event\":\"x\"}", got, sizeof(got),
	    err, sizeof(err)) && strstr(err, "\"data\"") != NULL,
	    "the Worksome envelope is checked (%s)", err);
	ok(fields("contact/new", NULL, "w-1", "", got, sizeof(got), err,
	    sizeof(err)) && got[0] == '\0', "contact/new: no field values");
	ok(!fields("contact/new", NULL, NULL, "", got, sizeof(got), err,
	    sizeof(err)), "contact/new without a worker id is refused (%s)", err);
	ok(!fields("test", NULL, NULL, "", got, sizeof(got), err, sizeof(err)) &&
	    strstr(err, "no field table") != NULL,
	    "an endpoint that stores nothing has no field table (%s)", err);
	return tap_done();
}
