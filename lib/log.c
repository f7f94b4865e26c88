#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static void stamp(char *buf, size_t size)
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000));
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
	char ts[64], msg[1024];

	stamp(ts, sizeof(ts));
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "ts=%s pid=%d level=%s msg=\"%s\"\n", ts, (int)getpid(),
		level, msg);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

/* Copies s into buf with quotes, backslashes and control bytes replaced, so
 * a crafted path cannot forge log fields or lines. */
static const char *sanitize(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
	}
	buf[i] = '\0';
	return buf;
}

void log_output(const char *who, const char *text, size_t len)
{
	char line[512], clean[512];
	size_t i = 0, n;

	while (i < len) {
		for (n = 0; i + n < len && text[i + n] != '\n'; n++)
			;
		if (n > 0) {
			snprintf(line, sizeof(line), "%.*s", (int)n, text + i);
			log_info("%s: %s", who, sanitize(line, clean, sizeof(clean)));
		}
		i += n + 1;
	}
}

void log_request(const char *method, const char *path, int status,
		 double duration_ms, long user_id, int statements)
{
	char ts[64], clean[512];

	stamp(ts, sizeof(ts));
	path = sanitize(path, clean, sizeof(clean));
	fprintf(stderr,
		"ts=%s pid=%d method=%s path=\"%s\" status=%d duration_ms=%.3f "
		"user=%ld stmts=%d\n",
		ts, (int)getpid(), method, path, status, duration_ms, user_id,
		statements);
}
