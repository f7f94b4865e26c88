#include <stdarg.h>
#include <stdio.h>

#include "result.h"

static char detail[512];

enum result fail(enum result code, const char *msg)
{
	snprintf(detail, sizeof(detail), "%s", msg);
	return code;
}

enum result failf(enum result code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return code;
}

const char *fail_detail(void)
{
	return detail;
}

int result_http_status(enum result r)
{
	static const int status[] = {
		[R_OK] = 200,
		[R_BAD_REQUEST] = 400,
		[R_UNAUTHORIZED] = 401,
		[R_FORBIDDEN] = 403,
		[R_NOT_FOUND] = 404,
		[R_CONFLICT] = 409,
		[R_INVALID] = 422,
		[R_TOO_MANY] = 429,
		[R_FAIL] = 500,
		[R_UNAVAILABLE] = 503,
		[R_STORAGE_FULL] = 507,
	};

	if ((unsigned)r >= sizeof(status) / sizeof(status[0]))
		return 500;
	return status[r];
}
