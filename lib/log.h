/*
 * Logging to stderr, one line per event in logfmt (key=value) so that
 * journald, grep and log shippers read it alike.  Never log tokens, query
 * strings, bodies or SQL parameters.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Each line of what a child process wrote (len bytes of text) as an info
 * line "who: line", made safe as log_request() makes paths safe. */
void log_output(const char *who, const char *text, size_t len);

/* The access line of one request; user_id 0 = anonymous. */
void log_request(const char *method, const char *path, int status,
		 double duration_ms, long user_id, int statements);

#endif
