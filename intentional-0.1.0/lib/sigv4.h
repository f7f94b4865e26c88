/*
 * AWS Signature Version 4 query-string signing ("presigned URLs") for S3
 * GET requests, with OpenSSL's HMAC-SHA256.  libcurl signs our PUT and
 * DELETE requests itself (CURLOPT_AWS_SIGV4) but cannot make a URL that a
 * browser follows later; this does.  Verified against the example of the
 * AWS S3 documentation ("Authenticating Requests: Using Query
 * Parameters") in tests/check_media.c.
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stddef.h>
#include <time.h>

struct arena;

struct sigv4_presign {
	const char *host;		/* Host header: "bucket.s3.amazonaws.com", "127.0.0.1:4568" */
	const char *path;		/* "/test.txt", "/bucket/key" (not yet encoded) */
	const char *region;		/* "us-east-1", "auto" for R2 */
	const char *access_key;
	const char *secret_key;
	time_t now;
	long expires;			/* seconds */
	const char *cache_control;	/* response-cache-control, or NULL */
};

/*
 * The signed query string (without '?') for GET of p->path:
 * "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=...&X-Amz-Signature=...".
 * *signature, if not NULL, points at the hex signature inside it.
 */
const char *sigv4_presign_query(struct arena *a, const struct sigv4_presign *p,
				const char **signature);

/* s percent-encoded as SigV4 wants: unreserved characters kept, '/' kept
 * when keep_slash, everything else %XX in upper case. */
const char *sigv4_uri_encode(struct arena *a, const char *s, int keep_slash);

/* Lower-case hex SHA-256 of len bytes (65 bytes with the NUL into hex). */
void sigv4_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
