/*
 * Password sign-in through nginx with REGISTRATION_MODE=open (the
 * waitlist mode is in check_signin): registering, signing in with the
 * email or the username, wrong passwords and unknown names on the same
 * (hashing) path, the per-account lock after LOGIN_MAX_FAILURES (429 with
 * Retry-After), the OAuth2 form's rules, and moderators signing in to the
 * moderation service with a password.
 */
#define _GNU_SOURCE		/* asprintf */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define FORM "application/x-www-form-urlencoded"

static const char *const settings[] = {
	"REGISTRATION_MODE=open",
	"LOGIN_MAX_FAILURES=3",
	"LOGIN_LOCKOUT_SECONDS=120",
	"MODERATOR_EMAILS=pwmod@example.com",
	NULL,
};

static http_resp *login_on(enum service s, const char *form)
{
	struct http_req q = { .service = s, .method = "POST",
			      .path = "/auth/login", .content_type = FORM,
			      .body = form };

	return http_send(&q);
}

static http_resp *login(const char *form)
{
	return login_on(MAIN_SERVICE, form);
}

/* Registers email with password; returns the response. */
static http_resp *register_account(const char *email, const char *password)
{
	char *body;
	http_resp *r;

	ck_assert_int_ge(asprintf(&body, "{\"email\": \"%s\", \"password\": \"%s\","
				  " \"full_name\": \"Pat\"}", email, password), 0);
	r = http("POST", "/auth/register", NULL, body);
	free(body);
	return r;
}

/* A fresh email of this test process. */
static const char *email_for(const char *who)
{
	static char buf[4][64];
	static int i;
	char *b = buf[i++ % 4];

	snprintf(b, sizeof(buf[0]), "%s%d@Example.com", who, (int)getpid());
	return b;
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_register_and_login)
{
	const char *email = email_for("pat");
	http_resp *r = register_account(email, "correct horse");
	char *form;
	long id;

	assert_json(r, 201, NULL);
	ck_assert_str_eq(jstr(r, "token_type"), "bearer");
	ck_assert_ptr_nonnull(strstr(r->body, "\"needs_username\":true"));
	ck_assert_ptr_nonnull(strstr(r->body, "\"auth_provider\":\"password\""));
	id = sql_long("SELECT id FROM users WHERE email = lower('%s')", email);
	ck_assert_ptr_nonnull(strstr(sql_str("SELECT password_hash FROM"
					     " intentional_credentials WHERE google_id"
					     " = 'password:' || lower('%s')", email),
				     "$y$"));
	assert_json(http("GET", "/auth/me", jstr(r, "access_token"), NULL), 200, NULL);
	assert_json(register_account(email, "another password"), 409, NULL);

	/* the email in any case, then the username */
	ck_assert_int_ge(asprintf(&form, "username=%s&password=correct+horse"
				  "&grant_type=password", email), 0);
	r = login(form);
	free(form);
	assert_json(r, 200, NULL);
	ck_assert_str_eq(jstr(r, "token_type"), "bearer");
	ck_assert_ptr_null(jstr(r, "user"));
	r = http("GET", "/auth/me", jstr(r, "access_token"), NULL);
	ck_assert_int_eq(jint(r, "id"), id);
	assert_json(http("POST", "/auth/username/select", token_for(id),
			 "{\"username\": \"pw_user\"}"), 200, NULL);
	assert_json(login("username=PW_USER&password=correct%20horse"), 200, NULL);
}
END_TEST

/*
 * A wrong password and an unknown name answer alike, and both pay for a
 * hash: the unknown name is not answered much faster.
 */
START_TEST(test_wrong_password_and_unknown_user)
{
	const char *email = email_for("timing");
	char *wrong;
	double t0, known, unknown;
	http_resp *r;

	assert_json(register_account(email, "right password"), 201, NULL);
	ck_assert_int_ge(asprintf(&wrong, "username=%s&password=wrong", email), 0);
	t0 = seconds();
	r = login(wrong);
	known = seconds() - t0;
	assert_json(r, 401, "incorrect username or password");
	assert_header(r, "WWW-Authenticate", "Bearer");
	t0 = seconds();
	r = login("username=nobody-at-all&password=wrong");
	unknown = seconds() - t0;
	assert_json(r, 401, "incorrect username or password");
	ck_assert_msg(unknown > known / 3, "unknown %.4fs, known %.4fs", unknown,
		      known);
	/* a Google member (no password) is unknown here too */
	assert_json(login("username=nopw@example.com&password=x"), 401, NULL);
	free(wrong);
}
END_TEST

START_TEST(test_lockout)
{
	const char *email = email_for("locked"), *other = email_for("free");
	char *wrong, *right, *other_right;
	http_resp *r;
	int i;

	assert_json(register_account(email, "right password"), 201, NULL);
	assert_json(register_account(other, "right password"), 201, NULL);
	ck_assert_int_ge(asprintf(&wrong, "username=%s&password=wrong", email), 0);
	ck_assert_int_ge(asprintf(&right, "username=%s&password=right+password",
				  email), 0);
	ck_assert_int_ge(asprintf(&other_right, "username=%s&password=right+password",
				  other), 0);
	for (i = 0; i < 3; i++)
		assert_json(login(wrong), 401, NULL);
	r = login(wrong);
	assert_json(r, 429, NULL);
	ck_assert_ptr_nonnull(strstr(jstr(r, "detail"), "too many failed sign-ins"));
	ck_assert_int_gt(atoi(http_header(r, "Retry-After")), 100);
	/* locked even with the right password; other accounts are not */
	assert_json(login(right), 429, NULL);
	assert_json(login(other_right), 200, NULL);
	/* unknown names are counted and locked alike */
	for (i = 0; i < 3; i++)
		assert_json(login("username=ghost&password=x"), 401, NULL);
	assert_json(login("username=ghost&password=x"), 429, NULL);
	/* once the lock is over the right password works and clears the count */
	sql("UPDATE intentional_login_failures SET locked_until = now() -"
	    " interval '1 hour', first_failure_at = now() - interval '1 hour'"
	    " WHERE account = 'password:' || lower('%s')", email);
	assert_json(login(right), 200, NULL);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM intentional_login_failures"
				  " WHERE account = 'password:' || lower('%s')",
				  email), 0);
	free(wrong);
	free(right);
	free(other_right);
}
END_TEST

START_TEST(test_bad_input)
{
	static const char *const bad_register[] = {
		"{\"email\": \"not-an-email\", \"password\": \"long enough\"}",
		"{\"email\": \"a@b.c\", \"password\": \"short\"}",
		"{\"email\": \"a b@example.com\", \"password\": \"long enough\"}",
		"{\"email\": \"a@example.com\"}",
		"{\"email\": 5, \"password\": \"long enough\"}",
		"{\"email\": \"a@example.com\", \"password\": \"long enough\", \"x\": 1}",
	};
	struct http_req json = { .method = "POST", .path = "/auth/login",
				 .content_type = "application/json",
				 .body = "{\"username\": \"a\", \"password\": \"b\"}" };
	long before = sql_long("SELECT count(*) FROM intentional_credentials");
	size_t i;

	for (i = 0; i < sizeof(bad_register) / sizeof(bad_register[0]); i++)
		assert_json(http("POST", "/auth/register", NULL, bad_register[i]),
			    422, NULL);
	assert_json(http_send(&json), 422, NULL);
	assert_json(login("username=a"), 422, NULL);
	assert_json(login("username=a&password=b&grant_type=client_credentials"),
		    422, NULL);
	assert_json(login("username=a&password=b&role=admin"), 422, NULL);
	assert_json(login("username=%zz&password=b"), 400, NULL);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM intentional_credentials"),
			 before);
}
END_TEST

START_TEST(test_moderator_password_signin)
{
	char *form;

	assert_json(register_account("pwmod@example.com", "moderate this"), 201, NULL);
	assert_json(register_account(email_for("member"), "just a member"), 201, NULL);
	assert_json(login_on(MOD_SERVICE, "username=pwmod%40example.com"
			     "&password=moderate+this"), 200, NULL);
	ck_assert_int_ge(asprintf(&form, "username=%s&password=just+a+member",
				  email_for("member")), 0);
	assert_json(login_on(MOD_SERVICE, form), 403, "moderator privileges required");
	free(form);
	/* registration is not offered by the moderation service */
	assert_json(http_mod("POST", "/auth/register", NULL, "{}"), 404, NULL);
}
END_TEST

START_TEST(test_banned_password_member)
{
	const char *email = email_for("banned");
	char *form;

	assert_json(register_account(email, "right password"), 201, NULL);
	sql("UPDATE users SET is_banned = true WHERE email = lower('%s')", email);
	ck_assert_int_ge(asprintf(&form, "username=%s&password=right+password",
				  email), 0);
	assert_json(login(form), 403, "your account has been banned; contact support");
	free(form);
}
END_TEST

static Suite *password_suite(void)
{
	Suite *s = suite_create("password");
	TCase *tc = tcase_create("password");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, harness_cleanup);
	tcase_add_test(tc, test_register_and_login);
	tcase_add_test(tc, test_wrong_password_and_unknown_user);
	tcase_add_test(tc, test_lockout);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_moderator_password_signin);
	tcase_add_test(tc, test_banned_password_member);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_run(password_suite(), settings);
}
