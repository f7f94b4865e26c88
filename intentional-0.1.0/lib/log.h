/*
 * Logging to stderr, one line per event in logfmt (key=value) so that
 * journald, grep and log shippers read it alike.  Never log tokens, query
 * strings, bodies or SQL parameters.
 */
#ifndef LOG_H
#define LOG_H

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The access line of one request; user_id 0 = anonymous. */
void log_request(const char *method, const char *path, int status,
		 double duration_ms, long user_id, int statements);

#endif
