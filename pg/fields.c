/* fields — a stored body validated again, as the store's parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "module.h"
#include "params.h"
#include "serve.h"
#include "../cgi-bin/worksome-events/events.h"

/* The endpoint files' descriptors (exported under -DWH_MODULE). */
extern const struct endpoint *const wh_module_timeline_changed;
extern const struct endpoint *const wh_module_offer_response;
extern const struct endpoint *const wh_module_offer_event_deleted;
extern const struct endpoint *const wh_module_worksome;

/* contact/new: no body, no field parameters; the worker id is the subject. */
#define CONTACT_NEW	"contact/new"

static const struct endpoint *
endpoint_named(const char *name)
{
	const struct endpoint *const *eps[] = {
		&wh_module_timeline_changed,
		&wh_module_offer_response,
		&wh_module_offer_event_deleted,
		&wh_module_worksome,
	};
	size_t i;

	for (i = 0; i < sizeof(eps) / sizeof(eps[0]); i++)
		if (strcmp((*eps[i])->name, name) == 0)
			return *eps[i];
	return NULL;
}

/* The failure serve_fail() recorded, as the 400's body would say it. */
static void
failure(const struct request *req, char *err, size_t size)
{
	if (req->field != NULL)
		snprintf(err, size, "%s \"%s\": %s", req->reason ?
		    req->reason : "invalid field", req->field,
		    req->detail != NULL ? req->detail : "invalid");
	else
		snprintf(err, size, "%s%s%s", req->reason != NULL ?
		    req->reason : status_word(req->st),
		    req->detail != NULL ? ": " : "",
		    req->detail != NULL ? req->detail : "");
}

void
module_fields_free(char **out, int n)
{
	int i;

	if (out == NULL)
		return;
	for (i = 0; i < n; i++)
		free(out[i]);
	free(out);
}

int
module_fields(const char *endpoint, const char *event, const char *subject,
    const char *body, size_t len, char ***out, int *n, char *err,
    size_t errsize)
{
	const char *vals[VALID_MAX_FIELDS];
	char times[VALID_MAX_FIELDS][PARAMS_TIME_MAX];
	const struct endpoint *ep;
	const struct field *fields;
	const struct ws_event *ev;
	struct request req;
	struct verror verr;
	const char *why = NULL;
	char **res = NULL;
	int i, nf = 0, ok = 0;

	*out = NULL;
	*n = 0;
	memset(&req, 0, sizeof(req));
	if (strcmp(endpoint, CONTACT_NEW) == 0) {
		if (subject == NULL || *subject == '\0') {
			snprintf(err, errsize, "no worker id (subject)");
			return 0;
		}
		return 1;
	}
	if ((ep = endpoint_named(endpoint)) == NULL) {
		snprintf(err, errsize, "no field table for this endpoint");
		return 0;
	}
	req.ep = ep;
	if (json_parse_strict(body, len, &req.root, &why) != ST_OK) {
		snprintf(err, errsize, "invalid JSON: %s", why != NULL ? why :
		    "refused");
		goto fail;
	}
	fields = ep->fields;
	if (fields != NULL && valid_fields(req.root, fields, req.vals,
	    &verr) != ST_OK) {
		serve_fail(&req, ST_BAD_REQUEST, "invalid field", verr.field,
		    verr.detail);
		failure(&req, err, errsize);
		goto fail;
	}
	if (ep->check != NULL && ep->check(&req) != ST_OK) {
		failure(&req, err, errsize);
		goto fail;
	}
	if (ep == wh_module_worksome) {
		/* The event as stored is the event the body names. */
		if (event == NULL || strcmp(event, json_object_get_string(
		    valid_path(req.root, "event"))) != 0) {
			snprintf(err, errsize, "the body's event is not the "
			    "stored event %s", event != NULL ? event : "(none)");
			goto fail;
		}
		if (ws_validate(&req, &ev) != ST_OK) {
			failure(&req, err, errsize);
			goto fail;
		}
		fields = ev != NULL ? ev->fields : NULL;
	}
	nf = params_count(fields);
	if (params_fields(&req, fields, vals, times) != ST_OK) {
		failure(&req, err, errsize);
		goto fail;
	}
	if (nf > 0 && (res = calloc((size_t)nf, sizeof(*res))) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	for (i = 0; i < nf; i++)
		if (vals[i] != NULL && (res[i] = strdup(vals[i])) == NULL) {
			snprintf(err, errsize, "out of memory");
			module_fields_free(res, nf);
			res = NULL;
			goto fail;
		}
	*out = res;
	*n = nf;
	ok = 1;
fail:
	json_object_put(req.root);
	return ok;
}
