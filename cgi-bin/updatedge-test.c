/*
 * GET /test — updatedge's liveness check, called when the base URL is
 * saved in the portal (protocol §2.2).  No authentication, no database:
 * 200 whenever the worker runs.
 */
#include "serve.h"

static const struct endpoint ep = {
	.name = "test",
	.source = "updatedge",
	.methods = M_GET,
	.auth = AUTH_NONE,
	.body = BODY_NONE,
};

int
main(int argc, char *argv[])
{
	return serve_main(&ep, argc, argv);
}
