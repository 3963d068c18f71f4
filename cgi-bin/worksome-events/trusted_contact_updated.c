/*
 * trustedContactUpdated — a worker's trusted-contact link with the
 * organisation's account changed (protocol §3.2): data holds trustedContact
 * and worker, both required.  Stored by
 * workhooks.store_worksome_trusted_contact
 * (sql/code/44-store_worksome_trusted_contact.sql), with the values of the
 * table below in its order: the current worker
 * and trusted contact, when this delivery is the latest for them.
 */
#include "events.h"

static const struct field fields[] = {
	{ .key = "data.trustedContact", .type = FT_OBJECT,
	    .required = REQUIRED },
	{ .key = "data.worker", .type = FT_OBJECT, .required = REQUIRED },
	/* Row keys; a missing one only skips that row. */
	{ .key = "data.trustedContact.id", .type = FT_ID, .lock_order = 2 },
	{ .key = "data.worker.id", .type = FT_ID, .lock_order = 1 },
	{ .key = NULL }
};

const struct ws_event ws_trusted_contact_updated = {
	.name = "trustedContactUpdated",
	.fields = fields,
	.store = "workhooks.store_worksome_trusted_contact",
};
