/*
 * log — the one logging module.
 *
 * Lines go to stderr (spawn-fcgi / the web server collect it), each with
 * a syslog priority prefix (<3> error, <4> warn, <6> info, <7> debug) that
 * journald reads as the line's priority (sd-daemon(3)), so
 * `journalctl -p warning` shows the refusals and failures.  Every
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
/*
 * Between log_hold() and log_release() lines are kept and then written
 * together (a batch's request lines: common/serve.c).
 */
void	log_hold(void);
void	log_release(void);
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
 * The per-request line.  Every string may be NULL (printed "-"); all but
 * endpoint are escaped here.  duplicate: 1 repeat, 0 new, -1 no delivery.
 */
struct log_request {
	const char	*endpoint;	/* "source/name" */
	const char	*method;
	const char	*client;	/* REMOTE_ADDR as the web server passes it */
	const char	*request_id;	/* nginx $request_id, Apache UNIQUE_ID */
	const char	*event;		/* Worksome event */
	const char	*secret;	/* label of the secret that verified it */
	const char	*reason;
	int		 http;
	int		 duplicate;
	long long	 usec;
	long long	 delivery;	/* 0: none */
	int		 batch;		/* deliveries its store statement took; 0: none */
};
void	log_request(const struct log_request *);

#endif
