/*
 * nginx's rate limits of API.md 1.8 at their real rates (this program
 * keeps RATE_LIMIT_FACTOR at 1): N requests a minute per address pass, the
 * next answers 429 with a JSON detail, Retry-After and the security
 * headers; other routes are not limited.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *const settings[] = { "RATE_LIMIT_FACTOR=1", NULL };

/* Sends method path n times and returns the last response. */
static http_resp *repeat(enum service s, const char *method, const char *path,
			 const char *token, const char *body, int n)
{
	struct http_req q = { .service = s, .method = method, .path = path,
			      .token = token, .body = body,
			      .content_type = body ? "application/json" : NULL };
	http_resp *r = NULL;
	int i;

	for (i = 0; i < n; i++) {
		if (r != NULL)
			http_free(r);
		r = http_send(&q);
		ck_assert_msg(i == n - 1 || r->status != 429,
			      "%s %s limited after %d requests", method, path, i);
	}
	return r;
}

static void assert_limited(const http_resp *r)
{
	assert_json(r, 429, NULL);
	ck_assert_ptr_nonnull(strstr(jstr(r, "detail"), "rate limit exceeded"));
	assert_header(r, "Retry-After", "60");
	assert_header(r, "X-Content-Type-Options", "nosniff");
}

START_TEST(test_signin_routes)
{
	assert_limited(repeat(MAIN_SERVICE, "GET", "/auth/google/authorize", NULL,
			      NULL, 11));
	/* the same zone: callbacks and password sign-in too */
	assert_limited(repeat(MAIN_SERVICE, "POST", "/auth/login", NULL, NULL, 1));
	assert_limited(repeat(MAIN_SERVICE, "GET", "/auth/google/callback?code=a"
			      "&state=b", NULL, NULL, 1));
	/* the moderation service's sign-in shares the address's budget */
	assert_limited(repeat(MOD_SERVICE, "GET", "/auth/google/authorize", NULL,
			      NULL, 1));
	/* other routes are not limited */
	assert_json(repeat(MAIN_SERVICE, "GET", "/health", NULL, NULL, 20), 200, NULL);
}
END_TEST

START_TEST(test_username_and_profile_routes)
{
	const char *t = token_for(fresh_user());

	assert_limited(repeat(MAIN_SERVICE, "POST", "/auth/username/select", t,
			      "{\"username\": \"x\"}", 6));
	assert_limited(repeat(MAIN_SERVICE, "PUT", "/auth/me/bio", t,
			      "{\"bio\": \"hello\"}", 11));
	assert_json(http("GET", "/auth/me", t, NULL), 200, NULL);
}
END_TEST

static Suite *ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("nginx");

	tcase_add_checked_fixture(tc, NULL, harness_cleanup);
	tcase_add_test(tc, test_signin_routes);
	tcase_add_test(tc, test_username_and_profile_routes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_run(ratelimit_suite(), settings);
}
