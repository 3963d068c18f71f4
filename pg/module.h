/*
 * module — the database module's view of the endpoints (pg/).
 *
 * workhooks.fields() (pg/workhooks_module.c, SQL in
 * sql/code/24-fields.sql) validates a stored delivery's body again with
 * the endpoint's own descriptor — its field table, its check, and for
 * POST /worksome the event's table and check (ws_validate()) — and gives
 * the parameters serve_store_with() would bind after the nine delivery
 * parameters (params_fields(), common/params.c): what the derive
 * functions receive, so that workhooks.rederive() derives through the
 * same code as a live delivery.  The endpoint files export their
 * descriptors when built with -DWH_MODULE (declared in pg/fields.c).
 *
 * This header is all the two halves share: it includes neither json-c
 * (whose json_object clashes with the server's function of that name) nor
 * a server header.  The validating half never ends the process: it
 * allocates with malloc and returns everything it made.
 */
#ifndef WH_MODULE_H
#define WH_MODULE_H

#include <stddef.h>

/*
 * Validate body (len bytes; any bytes, not NUL-terminated) as endpoint
 * (delivery.endpoint: "events/timelineChanged", "worksome", ...) did,
 * event being the stored event (NULL for updatedge) and subject the
 * stored subject (NULL, or contact/new's worker id).  1: *out is an
 * array of *n parameter texts (each owned, or NULL for an absent value;
 * *out NULL when *n is 0), transferred to the caller, who frees it with
 * module_fields_free().  0: err holds why, naming the field.
 */
int	module_fields(const char *endpoint, const char *event,
	    const char *subject, const char *body, size_t len, char ***out,
	    int *n, char *err, size_t errsize);

void	module_fields_free(char **out, int n);

#endif
