/*
 * The foundation through nginx: health and database faults, routing, CORS,
 * security headers, authentication, body limits and validation, metrics
 * shared by all responders, and the supervisor replacing a killed responder.
 */
#define _GNU_SOURCE		/* asprintf */

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define ALLOWED_ORIGIN "http://localhost:5173"
#define MAX_JSON_BYTES 2048		/* small, to reach it cheaply */
#define STR(x) STR_(x)
#define STR_(x) #x
#define NGINX_BODY_CAP (11L * 1024 * 1024)

static const char *const settings[] = {
	"MAX_JSON_BYTES=" STR(MAX_JSON_BYTES),
	NULL,
};

/* ---- health and routing ---- */

START_TEST(test_health)
{
	http_resp *r = http("GET", "/health", NULL, NULL);

	assert_json(r, 200, NULL);
	ck_assert_str_eq(jstr(r, "status"), "ok");
	ck_assert_str_eq(jstr(r, "database"), "connected");
	ck_assert_int_eq(statement_count(r), 1);

	r = http_mod("GET", "/health", NULL, NULL);
	assert_json(r, 200, NULL);
	ck_assert_str_eq(jstr(r, "service"), "observability-backend");
}
END_TEST

START_TEST(test_unknown_route)
{
	assert_json(http("GET", "/no/such/route", NULL, NULL), 404, "Not Found");
	assert_json(http("GET", "/", NULL, NULL), 404, "Not Found");
}
END_TEST

START_TEST(test_wrong_method)
{
	assert_json(http("POST", "/health", NULL, "{}"), 405,
		    "Method Not Allowed");
	assert_json(http("DELETE", "/auth/me", NULL, NULL), 405,
		    "Method Not Allowed");
}
END_TEST

/* API.md 1.6: both spellings served directly, no 307. */
START_TEST(test_trailing_slash)
{
	http_resp *plain = http("GET", "/health", NULL, NULL);
	http_resp *slash = http("GET", "/health/", NULL, NULL);

	ck_assert_int_eq(plain->status, 200);
	ck_assert_int_eq(slash->status, 200);
	ck_assert_ptr_null(http_header(slash, "Location"));
	ck_assert_str_eq(jstr(slash, "status"), "ok");
}
END_TEST

/* ---- PostgreSQL going away and coming back ---- */

static int same_pids(const pid_t *a, int na, const pid_t *b, int nb)
{
	int i, j, found;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		for (found = 0, j = 0; j < nb; j++)
			found |= a[i] == b[j];
		if (!found)
			return 0;
	}
	return 1;
}

/* Polls GET path until it answers want, for up to 5 s. */
static long poll_status(const char *path, long want)
{
	long status = 0;
	int i;

	for (i = 0; i < 50 && status != want; i++) {
		http_resp *r = http("GET", path, NULL, NULL);

		status = r->status;
		http_free(r);
		if (status != want)
			usleep(100 * 1000);
	}
	return status;
}

/*
 * 503 with a JSON detail while the database is down; then, without any
 * responder restarting, 200 again: each responder notices its dead
 * connection before the next request and connects anew.
 */
START_TEST(test_database_restart)
{
	pid_t before[8], after[8];
	int nbefore = harness_responders(MAIN_SERVICE, before, 8), nafter;
	const char *token = token_for(fresh_user());
	http_resp *r;

	ck_assert_int_eq(nbefore, 2);
	harness_pg_stop();
	r = http("GET", "/health", NULL, NULL);
	assert_json(r, 503, "database unavailable");
	ck_assert_str_eq(jstr(r, "status"), "unavailable");
	assert_json(http("GET", "/auth/me", token, NULL), 503, NULL);

	harness_pg_start();
	ck_assert_int_eq(poll_status("/health", 200), 200);
	/* every responder, not just the first to answer */
	ck_assert_int_eq(http_burst("/health", 16), 16);
	nafter = harness_responders(MAIN_SERVICE, after, 8);
	ck_assert_msg(same_pids(before, nbefore, after, nafter),
		      "a responder was restarted");
}
END_TEST

/* ---- CORS and security headers ---- */

/* method path with an Origin header; as a CORS pre-flight of a PUT if
 * preflight is set. */
static http_resp *from_origin(const char *method, const char *path,
			      const char *origin, int preflight)
{
	char *o;
	const char *headers[] = {
		NULL,
		preflight ? "Access-Control-Request-Method: PUT" : NULL,
		"Access-Control-Request-Headers: authorization,content-type",
		NULL,
	};
	struct http_req q = { .method = method, .path = path, .headers = headers };
	http_resp *r;

	if (asprintf(&o, "Origin: %s", origin) < 0)
		abort();
	headers[0] = o;
	r = http_send(&q);
	free(o);
	return r;
}

static http_resp *preflight(const char *origin)
{
	return from_origin("OPTIONS", "/auth/me/bio", origin, 1);
}

START_TEST(test_preflight_allowed)
{
	http_resp *r = preflight(ALLOWED_ORIGIN);
	const char *methods = http_header(r, "Access-Control-Allow-Methods");

	ck_assert_int_eq(r->status, 200);
	assert_header(r, "Access-Control-Allow-Origin", ALLOWED_ORIGIN);
	assert_header(r, "Access-Control-Allow-Credentials", "true");
	assert_header(r, "Access-Control-Allow-Headers",
		      "authorization,content-type");
	ck_assert_ptr_nonnull(methods);
	ck_assert_ptr_nonnull(strstr(methods, "PUT"));
}
END_TEST

START_TEST(test_preflight_disallowed)
{
	http_resp *r = preflight("http://evil.example");

	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_null(http_header(r, "Access-Control-Allow-Origin"));
}
END_TEST

/* Errors too, or the browser hides their detail from the client. */
START_TEST(test_cors_on_responses)
{
	static const char *const paths[] = { "/health", "/nope", "/auth/me" };
	static const long statuses[] = { 200, 404, 401 };
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		http_resp *r = from_origin("GET", paths[i], ALLOWED_ORIGIN, 0);
		const char *vary = http_header(r, "Vary");

		ck_assert_int_eq(r->status, statuses[i]);
		assert_header(r, "Access-Control-Allow-Origin", ALLOWED_ORIGIN);
		assert_header(r, "Access-Control-Allow-Credentials", "true");
		ck_assert_msg(vary != NULL && strstr(vary, "Origin") != NULL,
			      "%s: Vary %s", paths[i], vary ? vary : "(none)");
	}
	ck_assert_ptr_null(http_header(from_origin("GET", "/health",
						   "http://evil.example", 0),
				       "Access-Control-Allow-Origin"));
}
END_TEST

static void assert_security_headers(const http_resp *r)
{
	assert_header(r, "X-Content-Type-Options", "nosniff");
	assert_header(r, "X-Frame-Options", "DENY");
	assert_header(r, "X-XSS-Protection", "1; mode=block");
	assert_header(r, "Strict-Transport-Security",
		      "max-age=31536000; includeSubDomains");
}

START_TEST(test_security_headers)
{
	assert_security_headers(http("GET", "/health", NULL, NULL));
	assert_security_headers(http("GET", "/nope", NULL, NULL));
	assert_security_headers(http("GET", "/auth/me", NULL, NULL));
	assert_security_headers(http_mod("GET", "/health", NULL, NULL));
}
END_TEST

/* ---- authentication (API.md 1.5) ---- */

START_TEST(test_token_valid)
{
	long id = fresh_user();
	http_resp *r = http("GET", "/auth/me", token_for(id), NULL);
	json_object *v;

	assert_json(r, 200, NULL);
	ck_assert(json_object_object_get_ex(r->json, "id", &v));
	ck_assert_int_eq(json_object_get_int64(v), id);
	ck_assert_ptr_nonnull(strstr(jstr(r, "email"), "@example.com"));
}
END_TEST

/* The scheme word is case-insensitive. */
START_TEST(test_token_scheme_case)
{
	char *h;
	const char *headers[] = { NULL, NULL };
	struct http_req q = { .path = "/auth/me", .headers = headers };

	if (asprintf(&h, "Authorization: bEaReR %s", token_for(fresh_user())) < 0)
		abort();
	headers[0] = h;
	ck_assert_int_eq(http_send(&q)->status, 200);
	free(h);
}
END_TEST

#define HS256 "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* {"sub": sub, "exp": now + exp_from_now} in buf; no sub when NULL. */
static const char *claims(char *buf, size_t size, const char *sub,
			  long exp_from_now)
{
	long exp = (long)time(NULL) + exp_from_now;

	if (sub != NULL)
		snprintf(buf, size, "{\"sub\":\"%s\",\"exp\":%ld}", sub, exp);
	else
		snprintf(buf, size, "{\"exp\":%ld}", exp);
	return buf;
}

/* Token number i of the bad ones, for user id. */
static const char *bad_token(int i, long id)
{
	const char *key = harness_secret_key();
	char sub[24], c[128];

	snprintf(sub, sizeof(sub), "%ld", id);
	switch (i) {
	case 0:		/* expired */
		return token_craft(HS256, claims(c, sizeof(c), sub, -60),
				   "sha256", key);
	case 1:		/* signed with another key */
		return token_craft(HS256, claims(c, sizeof(c), sub, 3600),
				   "sha256", "another-secret-key-of-at-least-32-chars");
	case 2:		/* alg none, no signature */
		return token_craft("{\"alg\":\"none\",\"typ\":\"JWT\"}",
				   claims(c, sizeof(c), sub, 3600), NULL, NULL);
	case 3:		/* HS512 with the right key: only HS256 is ours */
		return token_craft("{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
				   claims(c, sizeof(c), sub, 3600), "sha512", key);
	case 4:
		return "garbage";
	case 5:		/* no sub */
		return token_craft(HS256, claims(c, sizeof(c), NULL, 3600),
				   "sha256", key);
	case 6:		/* sub not a number */
		return token_craft(HS256, claims(c, sizeof(c), "abc", 3600),
				   "sha256", key);
	default:	/* sub naming no user */
		return token_craft(HS256, claims(c, sizeof(c), "2000000000", 3600),
				   "sha256", key);
	}
}

#define NBAD_TOKENS 8

/* Each a 401 "could not validate credentials" with WWW-Authenticate. */
START_TEST(test_token_bad)
{
	http_resp *r = http("GET", "/auth/me", bad_token(_i, fresh_user()), NULL);

	assert_json(r, 401, "could not validate credentials");
	assert_header(r, "WWW-Authenticate", "Bearer");
}
END_TEST

START_TEST(test_token_missing)
{
	const char *headers[] = { "Authorization: Basic dXNlcjpwYXNz", NULL };
	struct http_req basic = { .path = "/auth/me", .headers = headers };
	http_resp *r = http("GET", "/auth/me", NULL, NULL);

	assert_json(r, 401, "not authenticated");
	assert_header(r, "WWW-Authenticate", "Bearer");
	r = http_send(&basic);
	assert_json(r, 401, "not authenticated");
}
END_TEST

START_TEST(test_token_banned)
{
	long id = fresh_user();
	http_resp *r;

	sql("UPDATE users SET is_banned = true WHERE id = %ld", id);
	r = http("GET", "/auth/me", token_for(id), NULL);
	assert_json(r, 403, NULL);
	assert_header(r, "WWW-Authenticate", "Bearer");
}
END_TEST

/* ---- PUT /auth/me/bio: limits and validation ---- */

/* {"bio":"xxx..."} of exactly len bytes. */
static char *bio_body_of_size(size_t len)
{
	char *b = malloc(len + 1);

	memset(b, 'x', len);
	memcpy(b, "{\"bio\":\"", 8);
	memcpy(b + len - 2, "\"}", 2);
	b[len] = '\0';
	return b;
}

START_TEST(test_body_over_json_cap)
{
	char *body = bio_body_of_size(2 * MAX_JSON_BYTES);
	http_resp *r = http("PUT", "/auth/me/bio", token_for(fresh_user()), body);

	assert_json(r, 413, "request body too large");
	ck_assert_int_ge(statement_count(r), 0);	/* the responder's */
	free(body);
}
END_TEST

/* nginx stops it, with the same JSON and the security headers. */
START_TEST(test_body_over_nginx_cap)
{
	char *body = bio_body_of_size((size_t)NGINX_BODY_CAP + 1);
	http_resp *r = http("PUT", "/auth/me/bio", token_for(fresh_user()), body);

	assert_json(r, 413, "request body too large");
	ck_assert_int_eq(statement_count(r), -1);	/* not a responder's */
	assert_security_headers(r);
	free(body);
}
END_TEST

/* 422 with a FastAPI-style list: [{"type","loc","msg",...}, ...]. */
static void assert_validation_error(const http_resp *r, const char *field)
{
	json_object *detail, *first, *loc;

	assert_json(r, 422, NULL);
	ck_assert(json_object_object_get_ex(r->json, "detail", &detail));
	ck_assert(json_object_is_type(detail, json_type_array));
	ck_assert_int_ge(json_object_array_length(detail), 1);
	first = json_object_array_get_idx(detail, 0);
	ck_assert(json_object_object_get_ex(first, "type", NULL));
	ck_assert(json_object_object_get_ex(first, "msg", NULL));
	ck_assert(json_object_object_get_ex(first, "loc", &loc));
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(loc, 0)),
			 "body");
	if (field != NULL)
		ck_assert_str_eq(json_object_get_string(
					 json_object_array_get_idx(loc, 1)), field);
}

START_TEST(test_bio_invalid)
{
	const char *token = token_for(fresh_user());

	assert_validation_error(http("PUT", "/auth/me/bio", token, "{\"bio\":"), NULL);
	assert_validation_error(http("PUT", "/auth/me/bio", token,
				     "{\"bio\":\"hi\",\"extra\":1}"), "extra");
	assert_validation_error(http("PUT", "/auth/me/bio", token,
				     "{\"bio\":5}"), "bio");
	assert_validation_error(http("PUT", "/auth/me/bio", token, "[]"), NULL);
}
END_TEST

/* "é" n times as a JSON body (2n bytes of UTF-8). */
static char *bio_of_chars(int n)
{
	char *b = malloc(16 + 2 * (size_t)n), *p = b;
	int i;

	p += sprintf(p, "{\"bio\":\"");
	for (i = 0; i < n; i++)
		p += sprintf(p, "\xc3\xa9");
	sprintf(p, "\"}");
	return b;
}

/* The limit counts code points (API.md 1.2): 500 é pass, 501 do not. */
START_TEST(test_bio_length)
{
	long id = fresh_user();
	const char *token = token_for(id);
	char *too_long = bio_of_chars(501), *longest = bio_of_chars(500);
	http_resp *r = http("PUT", "/auth/me/bio", token, too_long);

	assert_json(r, 400, NULL);
	ck_assert_ptr_null(sql_str("SELECT bio FROM users WHERE id = %ld", id));
	r = http("PUT", "/auth/me/bio", token, longest);
	assert_json(r, 200, NULL);
	ck_assert_int_eq(sql_long("SELECT char_length(bio) FROM users WHERE id = %ld",
				  id), 500);
	free(too_long);
	free(longest);
}
END_TEST

START_TEST(test_bio_set_and_clear)
{
	long id = fresh_user();
	const char *token = token_for(id);
	http_resp *r = http("PUT", "/auth/me/bio", token,
			    "{\"bio\":\"Hello \\u00e9 \\ud83d\\ude00\"}");

	assert_json(r, 200, NULL);
	ck_assert_str_eq(jstr(r, "bio"), "Hello \xc3\xa9 \xf0\x9f\x98\x80");
	ck_assert_str_eq(sql_str("SELECT bio FROM users WHERE id = %ld", id),
			 "Hello \xc3\xa9 \xf0\x9f\x98\x80");
	r = http("PUT", "/auth/me/bio", token, "{\"bio\":null}");
	assert_json(r, 200, NULL);
	ck_assert_ptr_null(sql_str("SELECT bio FROM users WHERE id = %ld", id));
}
END_TEST

/* nginx compresses JSON of 1 KiB or more for clients that take gzip. */
START_TEST(test_gzip_json)
{
	char *body = bio_of_chars(500);
	const char *headers[] = { "Accept-Encoding: gzip", NULL };
	struct http_req q = {
		.method = "PUT", .path = "/auth/me/bio",
		.token = token_for(fresh_user()), .body = body,
		.content_type = "application/json", .headers = headers,
	};
	http_resp *r = http_send(&q);

	ck_assert_int_eq(r->status, 200);
	assert_header(r, "Content-Encoding", "gzip");
	/* both nginx's and the responder's */
	ck_assert_ptr_nonnull(strstr(http_header(r, "Vary"), "Accept-Encoding"));
	ck_assert_ptr_nonnull(strstr(http_header(r, "Vary"), "Origin"));
	ck_assert_ptr_null(r->json);
	free(body);
}
END_TEST

/* ---- metrics ---- */

/* The value of the series (the text up to the value), 0 if absent. */
static long metric(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p;

	for (p = text; (p = strstr(p, series)) != NULL; p += n)
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtol(p + n + 1, NULL, 10);
	return 0;
}

/* How many responders logged a request for path. */
static int responders_serving(const char *path)
{
	char *log, *line = NULL, *needle;
	size_t cap = 0;
	long pids[16];
	int n = 0, i, seen;
	FILE *f;

	if (asprintf(&log, "%s/log/main.log", harness_data_dir()) < 0 ||
	    asprintf(&needle, "path=\"%s\"", path) < 0)
		abort();
	f = fopen(log, "r");
	ck_assert_ptr_nonnull(f);
	while (getline(&line, &cap, f) >= 0) {
		const char *p = strstr(line, " pid=");
		long pid;

		if (p == NULL || strstr(line, needle) == NULL)
			continue;
		pid = strtol(p + 5, NULL, 10);
		for (seen = 0, i = 0; i < n; i++)
			seen |= pids[i] == pid;
		if (!seen && n < 16)
			pids[n++] = pid;
	}
	fclose(f);
	free(line);
	free(needle);
	free(log);
	return n;
}

#define HEALTH_DB_200 \
	"http_requests_total{handler=\"/health/db\",method=\"GET\",status=\"200\"}"

/*
 * Responders count into one shared file: the total equals the requests
 * sent even when several responders served them.
 */
START_TEST(test_metrics_shared)
{
	http_resp *r = http("GET", "/metrics", NULL, NULL);
	long before, after;

	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(http_header(r, "Content-Type"), "text/plain"));
	ck_assert_ptr_nonnull(strstr(r->body, "# TYPE http_requests_total counter"));
	before = metric(r->body, HEALTH_DB_200);

	ck_assert_int_eq(http_burst("/health/db", 64), 64);
	r = http("GET", "/metrics", NULL, NULL);
	after = metric(r->body, HEALTH_DB_200);
	ck_assert_int_eq(after - before, 64);
	ck_assert_int_ge(responders_serving("/health/db"), 2);
}
END_TEST

/* ---- supervision ---- */

/* intentional-supervise replaces a responder that dies; the service keeps
 * answering. */
START_TEST(test_responder_killed)
{
	pid_t before[8], now[8];
	int n = harness_responders(MAIN_SERVICE, before, 8), i, m = 0;

	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(kill(before[0], SIGKILL), 0);
	for (i = 0; i < 50; i++) {
		m = harness_responders(MAIN_SERVICE, now, 8);
		if (m == 2 && now[0] != before[0] && now[1] != before[0])
			break;
		usleep(100 * 1000);
	}
	ck_assert_msg(i < 50, "the supervisor did not replace responder %d",
		      (int)before[0]);
	ck_assert_int_eq(http_burst("/health", 16), 16);
}
END_TEST

static Suite *foundation_suite(void)
{
	Suite *s = suite_create("foundation");
	TCase *tc = tcase_create("through nginx");

	tcase_add_checked_fixture(tc, NULL, harness_cleanup);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_health);
	tcase_add_test(tc, test_unknown_route);
	tcase_add_test(tc, test_wrong_method);
	tcase_add_test(tc, test_trailing_slash);
	tcase_add_test(tc, test_preflight_allowed);
	tcase_add_test(tc, test_preflight_disallowed);
	tcase_add_test(tc, test_cors_on_responses);
	tcase_add_test(tc, test_security_headers);
	tcase_add_test(tc, test_token_valid);
	tcase_add_test(tc, test_token_scheme_case);
	tcase_add_loop_test(tc, test_token_bad, 0, NBAD_TOKENS);
	tcase_add_test(tc, test_token_missing);
	tcase_add_test(tc, test_token_banned);
	tcase_add_test(tc, test_body_over_json_cap);
	tcase_add_test(tc, test_body_over_nginx_cap);
	tcase_add_test(tc, test_bio_invalid);
	tcase_add_test(tc, test_bio_length);
	tcase_add_test(tc, test_bio_set_and_clear);
	tcase_add_test(tc, test_gzip_json);
	tcase_add_test(tc, test_metrics_shared);
	tcase_add_test(tc, test_database_restart);
	tcase_add_test(tc, test_responder_killed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_run(foundation_suite(), settings);
}
