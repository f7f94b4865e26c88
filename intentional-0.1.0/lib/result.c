#include <stdarg.h>
#include <stdio.h>

#include "result.h"

static char detail[512];

enum result fail_with(enum result code, const char *msg)
{
	snprintf(detail, sizeof(detail), "%s", msg);
	return code;
}

enum result fail_withf(enum result code, const char *fmt, ...)
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
		[RES_OK] = 200,
		[RES_BAD_REQUEST] = 400,
		[RES_UNAUTHORIZED] = 401,
		[RES_FORBIDDEN] = 403,
		[RES_NOT_FOUND] = 404,
		[RES_CONFLICT] = 409,
		[RES_INVALID] = 422,
		[RES_TOO_MANY] = 429,
		[RES_FAIL] = 500,
		[RES_UNAVAILABLE] = 503,
		[RES_STORAGE_FULL] = 507,
	};

	if ((unsigned)r >= sizeof(status) / sizeof(status[0]))
		return 500;
	return status[r];
}
