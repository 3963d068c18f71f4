/*
 * GET /test/auth — the updatedge portal checks the shared secret
 * (protocol §2.1, §2.2): 200 when Timestamp + Authorization verify against any
 * configured secret, else 401.  Nothing is stored.
 */
#include "serve.h"

static const struct endpoint ep = {
	.name = "test/auth",
	.source = "updatedge",
	.methods = M_GET,
	.auth = AUTH_UPDATEDGE,
	.body = BODY_NONE,
};

int
main(int argc, char *argv[])
{
	return serve_main(&ep, argc, argv);
}
