/*
 * noop — the benchmark's ceiling: the cheapest possible libfcgi responder
 * behind the same nginx.  No parsing, no auth, no database.
 */
#include <fcgiapp.h>

int
main(void)
{
	static const char reply[] = "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 15\r\n\r\n{\"status\":\"ok\"}";
	FCGX_Request req;

	if (FCGX_Init() != 0)
		return 1;
	FCGX_InitRequest(&req, 0, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		char buf[8192];

		while (FCGX_GetStr(buf, sizeof(buf), req.in) > 0)
			continue;
		FCGX_PutStr(reply, sizeof(reply) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
