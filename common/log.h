/*
 * log — the one logging module.
 *
 * Lines go to stderr (spawn-fcgi / the web server collect it).  Every
 * argument that may hold client bytes must pass through the %s of
 * log_*() only after log_escape(), or be logged with log_request(), which
 * escapes its free-text fields itself: no CR, LF or other control byte
 * from a client ever reaches a log line raw.  Secrets are never logged.
 */
#ifndef WH_LOG_H
#define WH_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Set the program name printed on each line (borrowed, must outlive use). */
void	log_init(const char *progname);
void	log_set_level(enum log_level);
/* Parse "error|warn|info|debug"; 1 on success. */
int	log_level_parse(const char *, enum log_level *);

void	log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
#define log_err(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * Escape len bytes of s into buf (size bytes, always NUL-terminated):
 * printable ASCII except '"' and '\\' is copied, everything else becomes
 * \xHH; output is cut with "..." when it does not fit.  Returns buf.
 */
char	*log_escape(char *buf, size_t size, const char *s, size_t len);

/*
 * Strip trailing newlines from a libpq message into buf and escape it.
 * Returns buf.  msg may be NULL.
 */
char	*log_pqmsg(char *buf, size_t size, const char *msg);

/*
 * The per-request line: endpoint, status, microseconds, delivery, reason.
 * method is escaped here; reason must be static text or log_escape()
 * output (its backslashes are kept; quotes and control bytes escaped).
 */
void	log_request(const char *endpoint, const char *method, int http,
	    long long usec, long long delivery, const char *reason);

#endif
