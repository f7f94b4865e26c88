/*
 * Unit tests of lib/ pieces that need no database: arena, settings, tokens,
 * JSON helpers, comma lists, metrics rendering.
 */
#include <check.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "csvlist.h"
#include "jsonv.h"
#include "metrics.h"
#include "oidc.h"
#include "password.h"
#include "result.h"
#include "text.h"
#include "token.h"
#include "urlenc.h"
#include "users.h"

#define SECRET "test-secret-key-with-at-least-32-characters!"

/* Issued by PyJWT-compatible code (compact JSON, HS256) for sub "42",
 * exp 2100-01-01: what the original backend hands out. */
#define ORIGINAL_TOKEN \
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." \
	"eyJzdWIiOiI0MiIsImV4cCI6NDEwMjQ0NDgwMH0." \
	"AOHQ-vF2SLaXH1ZaplLW8vvoBET9KmDkqlGMqBgrX7k"

static void cleanup_count(void *p)
{
	(*(int *)p)++;
}

START_TEST(arena_allocates_aligned_and_runs_cleanups)
{
	struct arena *a = arena_new();
	int ran = 0;
	char *big;
	void *p;

	p = arena_alloc(a, 3);
	ck_assert_uint_eq((uintptr_t)arena_alloc(a, 8) % 16, 0);
	ck_assert_ptr_nonnull(p);
	big = arena_alloc(a, 100000);
	memset(big, 'x', 100000);
	ck_assert_str_eq(arena_printf(a, "%d-%s", 7, "x"), "7-x");
	ck_assert_str_eq(arena_strndup(a, "abcdef", 3), "abc");
	arena_defer(a, cleanup_count, &ran);
	arena_defer(a, cleanup_count, &ran);
	arena_reset(a);
	ck_assert_int_eq(ran, 2);
	arena_reset(a);
	ck_assert_int_eq(ran, 2);
	arena_free(a);
}
END_TEST

static char *write_env_file(const char *text)
{
	static char path[] = "/tmp/check_lib_envXXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(config_reads_env_file_and_environment_wins)
{
	char *path = write_env_file(
		"# comment\n"
		"export SECRET_KEY=\"0123456789abcdef0123456789abcdef\"\n"
		"MAX_CONNECTIONS = 7\n"
		"ACCESS_TOKEN_EXPIRE_MINUTES=60\n"
		"UNKNOWN_SETTING=ignored\n");

	setenv("ACCESS_TOKEN_EXPIRE_MINUTES", "30", 1);
	ck_assert_int_eq(config_load(path), 0);
	ck_assert_str_eq(cfg.secret_key, "0123456789abcdef0123456789abcdef");
	ck_assert_int_eq(cfg.max_connections, 7);
	ck_assert_int_eq(cfg.access_token_expire_minutes, 30);
	ck_assert_str_eq(cfg.algorithm, "HS256");
	unsetenv("ACCESS_TOKEN_EXPIRE_MINUTES");
	config_free();
	unlink(path);
}
END_TEST

START_TEST(config_refuses_short_secret_and_bad_numbers)
{
	setenv("SECRET_KEY", "short", 1);
	ck_assert_int_eq(config_load(NULL), -1);
	config_free();
	setenv("SECRET_KEY", SECRET, 1);
	setenv("MAX_CONNECTIONS", "12abc", 1);
	ck_assert_int_eq(config_load(NULL), -1);
	config_free();
	setenv("MAX_CONNECTIONS", "-1", 1);
	ck_assert_int_eq(config_load(NULL), -1);
	config_free();
	unsetenv("MAX_CONNECTIONS");
	ck_assert_int_eq(config_load(NULL), 0);
	ck_assert_int_eq(cfg.max_connections, 100);
	config_free();
	unsetenv("SECRET_KEY");
}
END_TEST

/* Encodes claims with libjwt; alg may be any, key NULL for "none". */
static char *encode(jwt_alg_t alg, const char *key, const char *sub, long exp)
{
	jwt_t *jwt;
	char *s;

	ck_assert_int_eq(jwt_new(&jwt), 0);
	if (sub != NULL)
		jwt_add_grant(jwt, "sub", sub);
	if (exp != 0)
		jwt_add_grant_int(jwt, "exp", exp);
	jwt_set_alg(jwt, alg, (const unsigned char *)key,
		    key ? (int)strlen(key) : 0);
	s = jwt_encode_str(jwt);
	jwt_free(jwt);
	return s;
}

static enum result verify(const char *token, long *id)
{
	return token_verify(SECRET, token, time(NULL), id);
}

START_TEST(token_round_trip_and_original_tokens_verify)
{
	long id = 0;
	char *t = token_issue(SECRET, 42, 3600);

	ck_assert_int_eq(verify(t, &id), RES_OK);
	ck_assert_int_eq(id, 42);
	free(t);
	id = 0;
	ck_assert_int_eq(verify(ORIGINAL_TOKEN, &id), RES_OK);
	ck_assert_int_eq(id, 42);
}
END_TEST

START_TEST(token_rejects_every_bad_form)
{
	long id, future = (long)time(NULL) + 3600;
	struct { const char *why; char *token; } bad[] = {
		{ "expired", encode(JWT_ALG_HS256, SECRET, "42", (long)time(NULL) - 1) },
		{ "no exp", encode(JWT_ALG_HS256, SECRET, "42", 0) },
		{ "wrong key", encode(JWT_ALG_HS256, SECRET "x", "42", future) },
		{ "HS512", encode(JWT_ALG_HS512, SECRET, "42", future) },
		{ "alg none", encode(JWT_ALG_NONE, NULL, "42", future) },
		{ "no sub", encode(JWT_ALG_HS256, SECRET, NULL, future) },
		{ "sub not a number", encode(JWT_ALG_HS256, SECRET, "4x2", future) },
		{ "sub negative", encode(JWT_ALG_HS256, SECRET, "-5", future) },
		{ "sub zero", encode(JWT_ALG_HS256, SECRET, "0", future) },
		{ "sub huge", encode(JWT_ALG_HS256, SECRET, "99999999999", future) },
		{ "garbage", strdup("not.a.token") },
		{ "empty", strdup("") },
		{ "tampered", NULL },
	};
	size_t i, n = sizeof(bad) / sizeof(bad[0]);
	char *good = token_issue(SECRET, 42, 3600);

	/* flip one character of the payload */
	bad[n - 1].token = strdup(good);
	bad[n - 1].token[strchr(good, '.') - good + 3] ^= 1;
	for (i = 0; i < n; i++) {
		ck_assert_msg(verify(bad[i].token, &id) == RES_UNAUTHORIZED,
			      "accepted a token with %s", bad[i].why);
		free(bad[i].token);
	}
	free(good);
}
END_TEST

static const char *ts(const char *pg)
{
	static char out[64];
	json_object *j = jv_timestamp(pg);

	snprintf(out, sizeof(out), "%s", j ? json_object_get_string(j) : "null");
	json_object_put(j);
	return out;
}

START_TEST(timestamps_use_the_contract_form)
{
	ck_assert_str_eq(ts("2025-03-02 09:15:00"), "2025-03-02T09:15:00");
	ck_assert_str_eq(ts("2025-03-02 09:15:00.123"), "2025-03-02T09:15:00.123000");
	ck_assert_str_eq(ts("2025-03-02 09:15:00.000001"), "2025-03-02T09:15:00.000001");
	ck_assert_str_eq(ts(NULL), "null");
}
END_TEST

START_TEST(utf8_length_counts_code_points_and_rejects_bad_bytes)
{
	ck_assert_int_eq(utf8_length("abc", 3), 3);
	ck_assert_int_eq(utf8_length("\xe2\x9d\xa4\xef\xb8\x8f", 6), 2);	/* ❤️ */
	ck_assert_int_eq(utf8_length("\xf0\x9f\x91\x8d", 4), 1);		/* 👍 */
	ck_assert_int_eq(utf8_length("\xc0\xaf", 2), -1);	/* overlong */
	ck_assert_int_eq(utf8_length("\xed\xa0\x80", 3), -1);	/* surrogate */
	ck_assert_int_eq(utf8_length("\xe2\x9d", 2), -1);	/* truncated */
	ck_assert_int_eq(utf8_length("a\0b", 3), -1);
}
END_TEST

static int parses(const char *text)
{
	struct arena *a = arena_new();
	json_object *j;
	int r = jv_parse(a, text, strlen(text), &j);

	arena_free(a);
	return r == 0;
}

/* Python's str.strip() white space, ASCII and Unicode; nothing else. */
START_TEST(text_strip_trims_like_python)
{
	struct arena *a = arena_new();
	const char *out;

	ck_assert_str_eq(text_strip(a, " \t\n\v\f\r\x1c hi there \x1f"), "hi there");
	ck_assert_str_eq(text_strip(a, "\xc2\xa0\xe3\x80\x80x\xe2\x80\x83"
				    "\xe2\x80\xa8\xc2\x85"), "x");
	ck_assert_str_eq(text_strip(a, "\xe2\x80\x8bx\xe2\x80\x8b"),
			 "\xe2\x80\x8bx\xe2\x80\x8b");	/* U+200B is not space */
	ck_assert_str_eq(text_strip(a, "   "), "");
	ck_assert_str_eq(text_strip(a, ""), "");
	ck_assert_str_eq(text_strip(a, "\xe2\x9d\xa4\xef\xb8\x8f "),
			 "\xe2\x9d\xa4\xef\xb8\x8f");
	ck_assert_int_eq(text_trimmed(a, " ab ", 2, &out), 0);
	ck_assert_str_eq(out, "ab");
	ck_assert_int_eq(text_trimmed(a, "abc", 2, &out), -1);
	ck_assert_int_eq(text_trimmed(a, " \xe3\x80\x80 ", 2, &out), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(text_trimmed(a, "\xe2\x9d\xa4\xef\xb8\x8f", 2, &out), 0);
	ck_assert_int_eq(text_trimmed(a, "\xe2\x9d\xa4\xef\xb8\x8f", 1, &out), -1);
	arena_free(a);
}
END_TEST

START_TEST(json_parse_is_strict)
{
	ck_assert(parses("{\"a\": 1}"));
	ck_assert(parses("{\"a\": [1, 2]}\n"));
	ck_assert(parses("null"));
	ck_assert(!parses("{\"a\": 1"));
	ck_assert(!parses("{\"a\": 1} x"));
	ck_assert(!parses("{\"a\": \"\xff\"}"));
	ck_assert(!parses(""));
	ck_assert(!parses("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"));
}
END_TEST

START_TEST(csv_lists_match_whole_trimmed_items)
{
	const char *list = "http://a.test, https://b.test/ ,c@x.org";

	ck_assert(csv_contains(list, "http://a.test", 0));
	ck_assert(csv_contains(list, "https://b.test/", 0));
	ck_assert(!csv_contains(list, "https://b.test", 0));
	ck_assert(!csv_contains(list, "http://a.tes", 0));
	ck_assert(csv_contains(list, "C@X.org", 1));
	ck_assert(!csv_contains(list, "C@X.org", 0));
	ck_assert(!csv_contains(list, "", 0));
	ck_assert(!csv_contains(NULL, "x", 0));
}
END_TEST

START_TEST(metrics_render_prometheus_text)
{
	static const char *const labels[] = { "GET /feed", "POST /posts/" };
	struct arena *a = arena_new();
	const char *text;

	ck_assert_int_eq(metrics_open(NULL, labels, 2), 0);
	metrics_observe(0, 200, 0.003);
	metrics_observe(0, 200, 0.2);
	metrics_observe(1, 429, 0.001);
	metrics_observe(2, 404, 0.001);
	metrics_db_errors(3);
	text = metrics_render(a);
	ck_assert_ptr_nonnull(strstr(text,
		"http_requests_total{handler=\"/feed\",method=\"GET\",status=\"200\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"http_requests_total{handler=\"/posts/\",method=\"POST\",status=\"429\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"http_request_duration_seconds_bucket{handler=\"/feed\",method=\"GET\",le=\"0.005\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text,
		"http_request_duration_seconds_bucket{handler=\"/feed\",method=\"GET\",le=\"+Inf\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "handler=\"unmatched\""));
	ck_assert_ptr_nonnull(strstr(text, "db_errors_total 3\n"));
	metrics_close();
	arena_free(a);
}
END_TEST

START_TEST(results_map_to_http_statuses)
{
	ck_assert_int_eq(result_http_status(fail_with(RES_NOT_FOUND, "post not found")), 404);
	ck_assert_str_eq(fail_detail(), "post not found");
	ck_assert_int_eq(result_http_status(RES_UNAVAILABLE), 503);
	ck_assert_int_eq(result_http_status(RES_INVALID), 422);
	ck_assert_int_eq(result_http_status((enum result)999), 500);
}
END_TEST

START_TEST(base64url_and_percent_encoding)
{
	struct arena *a = arena_new();
	const unsigned char bytes[] = { 0xfb, 0xff, 0x00, 'a', 'b' };
	size_t i, n;
	unsigned char *back;

	for (i = 0; i <= sizeof(bytes); i++) {
		char *enc = b64url_encode(a, bytes, i);

		ck_assert_uint_eq(strlen(enc), (i * 4 + 2) / 3);
		back = b64url_decode(a, enc, strlen(enc), &n);
		ck_assert_ptr_nonnull(back);
		ck_assert_uint_eq(n, i);
		ck_assert_int_eq(memcmp(back, bytes, i), 0);
	}
	ck_assert_str_eq(b64url_encode(a, bytes, 3), "-_8A");
	ck_assert_ptr_null(b64url_decode(a, "ab+/", 4, &n));
	ck_assert_ptr_null(b64url_decode(a, "abcde", 5, &n));
	ck_assert_ptr_null(b64url_decode(a, "ab=", 3, &n));
	ck_assert_str_eq(url_encode(a, "a b/c?d=e&f~g.h_i-j%\xc3\xa9"),
			 "a%20b%2Fc%3Fd%3De%26f~g.h_i-j%25%C3%A9");
	arena_free(a);
}
END_TEST

START_TEST(usernames_follow_the_ascii_rule)
{
	static const char *const good[] = { "abc", "a_b-c", "___a", "123",
		"x123456789x123456789x123456789x123456789x123456789" };
	static const char *const bad[] = { "ab", "___", "-_-", "a b", "ABC",
		"caf\xc3\xa9", "x123456789x123456789x123456789x123456789x1234567891",
		"" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(username_valid(good[i]), "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!username_valid(bad[i]), "%s", bad[i]);
}
END_TEST

START_TEST(passwords_hash_with_yescrypt)
{
	char *h = password_hash("correct horse"), *h2 = password_hash("correct horse");

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(strncmp(h, "$y$", 3), 0);
	ck_assert_str_ne(h, h2);	/* fresh salt */
	ck_assert(password_matches("correct horse", h));
	ck_assert(!password_matches("correct horsE", h));
	ck_assert(!password_matches("", h));
	ck_assert(!password_matches("correct horse", "*"));
	ck_assert(!password_matches("correct horse", "$y$broken"));
	free(h);
	free(h2);
}
END_TEST

/* REGISTRATION_MODE=closed refuses every registration, good or bad,
 * before the database is asked anything (there is none here). */
START_TEST(closed_registration_refuses_before_anything)
{
	struct arena *a = arena_new();
	struct user u;

	memset(&cfg, 0, sizeof(cfg));
	cfg.registration_mode = "closed";
	ck_assert_int_eq(password_register(a, "new@example.org", "a good password",
					   "New", &u), RES_FORBIDDEN);
	ck_assert_str_eq(fail_detail(), "registration is closed");
	ck_assert_int_eq(password_register(a, "not an email", "", NULL, &u),
			 RES_FORBIDDEN);
	arena_free(a);
}
END_TEST

/* Without client id, secret or redirect URI, and with a token that is
 * no JWS, nothing reaches the network. */
START_TEST(oidc_refuses_without_settings_or_token)
{
	struct arena *a = arena_new();
	struct oidc_start st;
	struct oidc_identity id;

	memset(&cfg, 0, sizeof(cfg));
	cfg.google_client_id = "";
	cfg.google_client_secret = "s";
	cfg.google_auth_url = "https://accounts.example/auth";
	ck_assert_int_eq(oidc_authorize(a, "https://api.example/cb", &st), RES_FAIL);
	ck_assert_str_eq(fail_detail(), "Google sign-in not configured");
	cfg.google_client_id = "client id";
	ck_assert_int_eq(oidc_authorize(a, "", &st), RES_FAIL);
	ck_assert_int_eq(oidc_authorize(a, "https://api.example/cb", &st), RES_OK);
	ck_assert_uint_eq(strlen(st.state), 43);
	ck_assert_uint_eq(strlen(st.code_verifier), 43);
	ck_assert_ptr_nonnull(strstr(st.authorization_url,
		"https://accounts.example/auth?client_id=client%20id&redirect_uri="
		"https%3A%2F%2Fapi.example%2Fcb&response_type=code&scope=openid%20"));
	ck_assert_int_eq(oidc_sign_in(a, "c", st.code_verifier, "", &id), RES_FAIL);
	ck_assert_int_eq(oidc_verify_id_token(a, "not.a.jws.token", 0, &id),
			 RES_UNAUTHORIZED);
	ck_assert_int_eq(oidc_verify_id_token(a, "e30.e30.", 0, &id),
			 RES_UNAUTHORIZED);	/* {} header: no alg */
	memset(&cfg, 0, sizeof(cfg));
	arena_free(a);
}
END_TEST

static Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, arena_allocates_aligned_and_runs_cleanups);
	tcase_add_test(tc, config_reads_env_file_and_environment_wins);
	tcase_add_test(tc, config_refuses_short_secret_and_bad_numbers);
	tcase_add_test(tc, token_round_trip_and_original_tokens_verify);
	tcase_add_test(tc, token_rejects_every_bad_form);
	tcase_add_test(tc, timestamps_use_the_contract_form);
	tcase_add_test(tc, utf8_length_counts_code_points_and_rejects_bad_bytes);
	tcase_add_test(tc, text_strip_trims_like_python);
	tcase_add_test(tc, json_parse_is_strict);
	tcase_add_test(tc, csv_lists_match_whole_trimmed_items);
	tcase_add_test(tc, metrics_render_prometheus_text);
	tcase_add_test(tc, results_map_to_http_statuses);
	tcase_add_test(tc, base64url_and_percent_encoding);
	tcase_add_test(tc, usernames_follow_the_ascii_rule);
	tcase_add_test(tc, passwords_hash_with_yescrypt);
	tcase_add_test(tc, closed_registration_refuses_before_anything);
	tcase_add_test(tc, oidc_refuses_without_settings_or_token);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
