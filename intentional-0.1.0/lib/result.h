/*
 * What a library call tells its caller: a result code and, for failures, a
 * message fit to show a user ("post not found").  The message lives until
 * the next failure; responders serve one request at a time.
 */
#ifndef RESULT_H
#define RESULT_H

enum result {
	RES_OK = 0,
	RES_BAD_REQUEST,		/* 400: breaks a business rule */
	RES_UNAUTHORIZED,		/* 401 */
	RES_FORBIDDEN,		/* 403 */
	RES_NOT_FOUND,		/* 404 */
	RES_CONFLICT,		/* 409 */
	RES_INVALID,		/* 422: malformed input */
	RES_TOO_MANY,		/* 429 */
	RES_FAIL,			/* 500: a bug or inconsistent data */
	RES_UNAVAILABLE,		/* 503: database or storage down, retry later */
	RES_STORAGE_FULL,		/* 507 */
};

/* Records detail as the message of the failure and returns code. */
enum result fail_with(enum result code, const char *detail);
enum result fail_withf(enum result code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const char *fail_detail(void);
int result_http_status(enum result r);

#endif
