/*
 * Helpers of the post, feed and visibility integration tests (with those
 * of tests/social_test.h): the multipart POST /posts/ the client sends,
 * post ids out of responses, wall-clock times.
 */
#ifndef POSTS_HTTP_H
#define POSTS_HTTP_H

#include <stddef.h>

#include "harness.h"
#include "social_test.h"

/* A form of POST /posts/; NULL text fields are left out. */
struct post_form {
	const char *content;
	const char *audience_type;
	const char *audience_tag_ids;
	const char *client_timestamp;
	const unsigned char *const *photos;	/* nphotos files */
	const size_t *photo_lens;
	int nphotos;
};

/* POST /posts/ with the form as multipart/form-data. */
http_resp *create_post(const char *token, const struct post_form *f);

/* A text post for all connections; fails the test unless 201; its id. */
long create_text_post(const char *token, const char *content);

/*
 * The ids of the Post array of r's body (key NULL) or of its member key
 * (an array of Post, or of ints), at most max, in order; returns how many.
 */
int post_ids(const http_resp *r, const char *key, long *ids, int max);

/* Whether id is among the n ids. */
int has_id(const long *ids, int n, long id);

/*
 * Rule 6.3 written plainly, without the shortcuts of lib/visibility.h, as
 * an SQL condition on the posts row p: viewer may see p.  The oracle of the
 * feed tests.
 */
const char *plain_visible(long viewer);

/* GET path as user, asserting 200; the response. */
http_resp *get_ok(long user, const char *path);

/* The wall clock now plus seconds, as "YYYY-MM-DDTHH:MM:SS": UTC, or
 * local time (the responders' zone, which the tests share). */
const char *utc_wallclock(long seconds);
const char *local_wallclock(long seconds);

/* How far the local wall-clock time ts ("YYYY-MM-DDTHH:MM:SS...") lies
 * from now, in seconds (absolute). */
long seconds_from_now(const char *ts);

#endif
