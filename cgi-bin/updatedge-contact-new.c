/*
 * GET /contact/new/{workerId} — a worker added a contact at the
 * organisation (protocol §2.2).  No body: the worker id in the path is the
 * identity of the delivery (protocol §1, last paragraph), so
 * workhooks.store_contact_new (sql/code/33-store_contact_new.sql) keeps one delivery per worker and
 * counts every call, in the delivery's times_received and in
 * workhooks.worker_contact.times_added.
 */
#include <string.h>

#include "serve.h"

#define MARKER		"/contact/new/"
#define WORKER_ID_MAX	128

/*
 * The {workerId} segment of path: everything after the last "/contact/new/"
 * (the prefix before it is the operator's choice), or the last segment when
 * the marker is absent.  Borrowed from path.
 */
static const char *
path_worker_id(const char *path)
{
	const char *p, *hit = NULL;

	for (p = path; (p = strstr(p, MARKER)) != NULL; p++)
		hit = p;
	if (hit != NULL)
		return hit + strlen(MARKER);
	if ((p = strrchr(path, '/')) != NULL)
		return p + 1;
	return path;
}

/* protocol §2.2: 1–128 characters of [A-Za-z0-9._~-]. */
static int
valid_worker_id(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= WORKER_ID_MAX &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._~-") == n;
}

static enum status
contact_new(struct request *req)
{
	const char *id = path_worker_id(req->path != NULL ? req->path : "");

	if (!valid_worker_id(id))
		return serve_fail(req, ST_BAD_REQUEST, "invalid field",
		    "workerId", "must be 1-128 characters of [A-Za-z0-9._~-]");
	/* The descriptor's store function, with the worker id as subject. */
	return serve_store(req, &req->w->store, NULL, id);
}

static const struct endpoint ep = {
	.name = "contact/new",
	.source = "updatedge",
	.methods = M_GET,
	.auth = AUTH_UPDATEDGE,
	.body = BODY_NONE,
	.database = 1,
	.store = "workhooks.store_contact_new",
	.handler = contact_new,
};

int
main(int argc, char *argv[])
{
	return serve_main(&ep, argc, argv);
}
