/*
 * What a library call tells its caller: a result code and, for failures, a
 * message fit to show a user ("post not found").  The message lives until
 * the next failure; responders serve one request at a time.
 */
#ifndef RESULT_H
#define RESULT_H

enum result {
	R_OK = 0,
	R_BAD_REQUEST,		/* 400: breaks a business rule */
	R_UNAUTHORIZED,		/* 401 */
	R_FORBIDDEN,		/* 403 */
	R_NOT_FOUND,		/* 404 */
	R_CONFLICT,		/* 409 */
	R_INVALID,		/* 422: malformed input */
	R_TOO_MANY,		/* 429 */
	R_FAIL,			/* 500: a bug or inconsistent data */
	R_UNAVAILABLE,		/* 503: database or storage down, retry later */
	R_STORAGE_FULL,		/* 507 */
};

/* Records detail as the message of the failure and returns code. */
enum result fail(enum result code, const char *detail);
enum result failf(enum result code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const char *fail_detail(void);
int result_http_status(enum result r);

#endif
