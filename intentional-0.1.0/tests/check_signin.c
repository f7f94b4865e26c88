/*
 * Sign-in with Google through nginx against tests/oidc_peer, a loopback
 * OpenID provider that issues real RS256 ID tokens: the whole journey
 * (authorize URL, the provider's redirect, our bounce to the client, the
 * code exchange, the waitlist, a moderator's approval, choosing a
 * username, /auth/me), every way an ID token can be wrong, banned and
 * denied people, moderator sign-in; then the user routes (4-8, 10) and
 * the moderation service's routes.
 */
#define _GNU_SOURCE		/* asprintf */

#include <check.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures_social.h"
#include "harness.h"
#include "pgtest.h"

#define CLIENT_ID "test-client.apps.example"
#define CLIENT_SECRET "test-secret"
#define FRONTEND "http://client.example"
#define DASHBOARD "http://dashboard.example"
/* where the provider sends browsers back: our GET callbacks, behind some
 * public name (the tests send the request to the stack's port instead) */
#define API "http://api.example"
#define MOD_API "http://mod-api.example"
#define MODERATOR "moderator"		/* make_user(): moderator@example.com */
#define VERIFIER "0123456789abcdef0123456789abcdef0123456789abcdef"

static pid_t peer_pid;
static char peer_url[64];

/* ---- helpers ---- */

#define fmt harness_printf

/* A Google identity no other test uses, as the peer's code of kind. */
static char *code_for(const char *kind, const char *tag)
{
	return fmt("%s:sub-%d-%s:%s%d@example.com", kind, (int)getpid(), tag, tag,
		   (int)getpid());
}

static http_resp *finish(enum service s, const char *code, const char *verifier)
{
	char *body = fmt("{\"code\": \"%s\", \"state\": \"st\", \"code_verifier\":"
			 " \"%s\"}", code, verifier);
	http_resp *r = s == MAIN_SERVICE
		? http("POST", "/auth/google/callback", NULL, body)
		: http_mod("POST", "/auth/google/callback", NULL, body);

	return r;
}

static long moderator_id(void)
{
	const char *id = sql_str("SELECT id FROM users WHERE username = '"
				 MODERATOR "'");

	return id ? strtol(id, NULL, 10) : make_user(MODERATOR);
}

static const char *mod_token(void)
{
	return token_for(moderator_id());
}

/* The Location of a redirect answered by url (no following). */
static char *location_of(const char *url, long *status)
{
	CURL *c = curl_easy_init();
	char *loc = NULL, *out;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fwrite);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, stderr);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
	out = harness_keep(strdup(loc ? loc : ""));
	curl_easy_cleanup(c);
	return out;
}

/* The decoded query parameter name of url. */
static char *query_param(const char *url, const char *name)
{
	char *key = fmt("%s=", name), *p = strstr(url, key), *v, *d;
	int n;

	ck_assert_msg(p != NULL, "no %s in %s", name, url);
	p += strlen(key);
	v = strndup(p, strcspn(p, "&"));
	d = curl_easy_unescape(NULL, v, 0, &n);
	free(v);
	v = harness_keep(strdup(d));
	curl_free(d);
	return v;
}

/* base64url(sha256(s)) */
static char *s256(const char *s)
{
	unsigned char d[32];
	char b64[64], *c;
	int n;

	EVP_Digest(s, strlen(s), d, NULL, EVP_sha256(), NULL);
	n = EVP_EncodeBlock((unsigned char *)b64, d, 32);
	while (n > 0 && b64[n - 1] == '=')
		b64[--n] = '\0';
	for (c = b64; *c; c++)
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	return harness_keep(strdup(b64));
}

/*
 * The browser's part of sign-in for the provider's code: authorize with
 * us, consent at the provider, come back through our GET callback; then
 * POST the code.  Returns the POST's response.
 */
static http_resp *journey(enum service s, const char *code)
{
	http_resp *r = s == MAIN_SERVICE
		? http("GET", "/auth/google/authorize", NULL, NULL)
		: http_mod("GET", "/auth/google/authorize", NULL, NULL);
	char *url, *back, *bounce, *verifier, *code_back, *state;
	long status;
	http_resp *cb;
	struct http_req q = { .service = s, .method = "GET" };

	assert_json(r, 200, NULL);
	verifier = harness_keep(strdup(jstr(r, "code_verifier")));
	state = harness_keep(strdup(jstr(r, "state")));
	ck_assert_int_eq(strlen(verifier), 43);
	ck_assert_int_eq(strlen(state), 43);
	ck_assert_str_eq(query_param(jstr(r, "authorization_url"),
				     "code_challenge"), s256(verifier));
	url = fmt("%s&login_hint=%s", jstr(r, "authorization_url"), code);
	back = location_of(url, &status);
	ck_assert_int_eq(status, 302);
	/* the provider sends the browser to our GET callback */
	ck_assert_msg(strncmp(back, s == MAIN_SERVICE ? API "/auth/google/callback?"
			      : MOD_API "/auth/google/callback?",
			      strlen(s == MAIN_SERVICE ? API : MOD_API) + 22) == 0,
		      "redirect to %s", back);
	q.path = strstr(back + 8, "/auth/google/callback");
	cb = http_send(&q);
	ck_assert_int_eq(cb->status, 307);
	bounce = harness_keep(strdup(http_header(cb, "Location")));
	ck_assert_msg(strncmp(bounce, s == MAIN_SERVICE ? FRONTEND "/login?code="
			      : DASHBOARD "/login?code=",
			      strlen(s == MAIN_SERVICE ? FRONTEND : DASHBOARD) + 12) == 0,
		      "bounce to %s", bounce);
	code_back = query_param(bounce, "code");
	ck_assert_str_eq(code_back, code);
	ck_assert_str_eq(query_param(bounce, "state"), state);
	return finish(s, code_back, verifier);
}

static long request_id_of(const char *email)
{
	return sql_long("SELECT id FROM registration_requests WHERE email = '%s'",
			email);
}

/* ---- the journey ---- */

START_TEST(test_authorize_url)
{
	http_resp *r = http("GET", "/auth/google/authorize", NULL, NULL);
	const char *url;

	assert_json(r, 200, NULL);
	url = jstr(r, "authorization_url");
	ck_assert_msg(strncmp(url, peer_url, strlen(peer_url)) == 0, "%s", url);
	ck_assert_str_eq(query_param(url, "client_id"), CLIENT_ID);
	ck_assert_str_eq(query_param(url, "redirect_uri"),
			 API "/auth/google/callback");
	/* percent-encoded, not raw */
	ck_assert_ptr_nonnull(strstr(url, "redirect_uri=http%3A%2F%2Fapi.example"
				     "%2Fauth%2Fgoogle%2Fcallback&"));
	ck_assert_str_eq(query_param(jstr(http_mod("GET", "/auth/google/authorize",
						   NULL, NULL), "authorization_url"),
				     "redirect_uri"), MOD_API "/auth/google/callback");
	ck_assert_ptr_nonnull(strstr(url, "&scope=openid%20email%20profile&"));
	ck_assert_ptr_nonnull(strstr(url, "&code_challenge_method=S256&"));
	ck_assert_ptr_nonnull(strstr(url, "&response_type=code&"));
	ck_assert_ptr_nonnull(strstr(url, "&access_type=offline&prompt=consent"));
	ck_assert_str_eq(query_param(url, "state"), jstr(r, "state"));
	/* fresh values every time */
	ck_assert_str_ne(jstr(http("GET", "/auth/google/authorize", NULL, NULL),
			      "code_verifier"), jstr(r, "code_verifier"));
}
END_TEST

START_TEST(test_full_journey)
{
	char *code = code_for("ok", "new"), *email = strrchr(code, ':') + 1;
	http_resp *r;
	const char *token;
	long id;

	r = journey(MAIN_SERVICE, code);
	assert_json(r, 403, NULL);
	ck_assert_ptr_nonnull(strstr(jstr(r, "detail"), "submitted"));
	ck_assert_ptr_null(jstr(r, "access_token"));
	ck_assert_str_eq(sql_str("SELECT status FROM registration_requests"
				 " WHERE email = '%s'", email), "PENDING");
	r = journey(MAIN_SERVICE, code);
	assert_json(r, 403, NULL);
	ck_assert_ptr_nonnull(strstr(jstr(r, "detail"), "pending"));
	ck_assert_int_eq(sql_long("SELECT count(*) FROM registration_requests"
				  " WHERE email = '%s'", email), 1);

	/* a moderator approves */
	id = request_id_of(email);
	r = http_mod("GET", "/moderation/registration-requests?status_filter=pending",
		     mod_token(), NULL);
	assert_json(r, 200, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, email));
	r = http_mod("POST", fmt("/moderation/registration-requests/%ld/approve", id),
		     mod_token(), "{}");
	assert_json(r, 200, NULL);
	ck_assert_int_eq(jint(r, "user_id"), sql_long("SELECT id FROM users WHERE"
						       " email = '%s'", email));

	r = journey(MAIN_SERVICE, code);
	assert_json(r, 200, NULL);
	ck_assert_str_eq(jstr(r, "token_type"), "bearer");
	ck_assert_ptr_nonnull(strstr(r->body, "\"needs_username\":true"));
	ck_assert_ptr_nonnull(strstr(r->body, fmt("\"email\":\"%s\"", email)));
	ck_assert_ptr_nonnull(strstr(r->body, "\"full_name\":\"Test sub-"));
	token = harness_keep(strdup(jstr(r, "access_token")));
	r = http("POST", "/auth/username/select", token,
		 fmt("{\"username\": \"Journey_%d\"}", (int)getpid()));
	assert_json(r, 200, NULL);
	ck_assert_str_eq(jstr(r, "username"), fmt("journey_%d", (int)getpid()));
	r = http("GET", "/auth/me", token, NULL);
	assert_json(r, 200, NULL);
	ck_assert_str_eq(jstr(r, "username"), fmt("journey_%d", (int)getpid()));
	ck_assert_str_eq(jstr(r, "email"), email);
	/* signing in again: needs_username is over */
	r = journey(MAIN_SERVICE, code);
	ck_assert_ptr_nonnull(strstr(r->body, "\"needs_username\":false"));
}
END_TEST

/* Each bad ID token or answer, its status, and no trace in the database. */
START_TEST(test_bad_id_tokens)
{
	static const struct { const char *kind; long status; } cases[] = {
		{ "wrongaud", 401 }, { "wrongiss", 401 }, { "expired", 401 },
		{ "tampered", 401 }, { "badsig", 401 }, { "unknownkid", 401 },
		{ "none", 401 }, { "unverified", 400 }, { "noemail", 400 },
		{ "noidtoken", 400 }, { "error", 400 },
	};
	long before = sql_long("SELECT count(*) FROM registration_requests");
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_resp *r = finish(MAIN_SERVICE, code_for(cases[i].kind, "bad"),
				      VERIFIER);

		assert_json(r, cases[i].status, NULL);
		ck_assert_ptr_null(jstr(r, "access_token"));
	}
	/* a verifier that does not match the challenge: the provider refuses */
	ck_assert_int_eq(journey(MAIN_SERVICE, code_for("ok", "pkce"))->status, 403);
	assert_json(finish(MAIN_SERVICE, code_for("ok", "pkce"), VERIFIER), 400,
		    "Google sign-in failed: invalid_grant: Bad Request");
	ck_assert_int_eq(sql_long("SELECT count(*) FROM registration_requests"),
			 before + 1);
	assert_json(finish(MAIN_SERVICE, "", VERIFIER), 422, NULL);
	assert_json(finish(MAIN_SERVICE, "ok:a:b", "short"), 422, NULL);
	assert_json(http("POST", "/auth/google/callback", NULL,
			 "{\"code\": \"x\", \"state\": \"s\"}"), 422, NULL);
	assert_json(http("POST", "/auth/google/callback", NULL,
			 "{\"code\": \"x\", \"state\": \"s\", \"code_verifier\": \""
			 VERIFIER "\", \"extra\": 1}"), 422, NULL);
}
END_TEST

static size_t to_buffer(char *data, size_t size, size_t n, void *ud)
{
	char *buf = ud;
	size_t have = strlen(buf), add = size * n;

	if (have + add < 256)
		memcpy(buf + have, data, add), buf[have + add] = '\0';
	return add;
}

/* How often the responders fetched the provider's signing keys. */
static long jwks_fetches(void)
{
	char body[256] = "", *url = fmt("%s/stats", peer_url), *n;

	CURL *c = curl_easy_init();

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buffer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	n = strchr(body, ':');
	ck_assert_ptr_nonnull(n);
	return strtol(n + 1, NULL, 10);
}

/* Signing keys are cached per responder, not fetched per sign-in; a token
 * naming an unknown key makes one more fetch. */
START_TEST(test_signing_keys_are_cached)
{
	long before;
	int i;

	for (i = 0; i < 2; i++)	/* both responders have the keys */
		finish(MAIN_SERVICE, code_for("expired", "warm"), VERIFIER);
	before = jwks_fetches();
	for (i = 0; i < 6; i++)
		assert_json(finish(MAIN_SERVICE, code_for("expired", "cached"),
				   VERIFIER), 401, NULL);
	ck_assert_int_le(jwks_fetches() - before, 2);
	before = jwks_fetches();
	assert_json(finish(MAIN_SERVICE, code_for("unknownkid", "k"), VERIFIER),
		    401, NULL);
	ck_assert_int_eq(jwks_fetches() - before, 1);
}
END_TEST

START_TEST(test_callback_redirects)
{
	http_resp *r = http("GET", "/auth/google/callback?code=a%2Fb%20c&state=x%26y",
			    NULL, NULL);

	ck_assert_int_eq(r->status, 307);
	assert_header(r, "Location", FRONTEND "/login?code=a%2Fb%20c&state=x%26y");
	r = http("GET", "/auth/google/callback?error=access_denied&state=x", NULL, NULL);
	ck_assert_int_eq(r->status, 307);
	assert_header(r, "Location", FRONTEND "/login?error=access_denied");
	assert_json(http("GET", "/auth/google/callback?state=x", NULL, NULL), 422, NULL);
	r = http_mod("GET", "/auth/google/callback?code=c&state=s", NULL, NULL);
	assert_header(r, "Location", DASHBOARD "/login?code=c&state=s");
}
END_TEST

START_TEST(test_banned_denied_and_taken)
{
	char *banned = code_for("ok", "banned"), *denied = code_for("ok", "denied");
	char *sub = harness_keep(strndup(banned + 3, strcspn(banned + 3, ":")));
	long id;

	sql("INSERT INTO users (email, google_id, created_at, is_banned) VALUES"
	    " ('%s', '%s', now(), true)", strrchr(banned, ':') + 1, sub);
	assert_json(finish(MAIN_SERVICE, banned, VERIFIER), 403,
		    "your account has been banned; contact support");
	ck_assert_int_eq(journey(MAIN_SERVICE, denied)->status, 403);
	id = request_id_of(strrchr(denied, ':') + 1);
	assert_json(http_mod("POST", fmt("/moderation/registration-requests/%ld/deny",
					 id), mod_token(), "{}"), 200, NULL);
	assert_json(journey(MAIN_SERVICE, denied), 403,
		    "your registration request was not approved");
	ck_assert_int_eq(sql_long("SELECT count(*) FROM registration_requests WHERE"
				  " email = '%s'", strrchr(denied, ':') + 1), 1);
	/* a known email under another Google id */
	make_user(fmt("taken%d", (int)getpid()));
	assert_json(finish(MAIN_SERVICE, fmt("ok:other-%d:taken%d@example.com",
					     (int)getpid(), (int)getpid()),
			   VERIFIER), 400, NULL);
}
END_TEST

START_TEST(test_moderator_signin)
{
	char *code = code_for("ok", "mod2");
	http_resp *r;

	/* not on MODERATOR_EMAILS */
	assert_json(finish(MOD_SERVICE, code, VERIFIER), 403,
		    "moderator privileges required");
	/* on it (any case): the users row is made, no waitlist */
	r = journey(MOD_SERVICE, "ok:boss-sub:Boss@Example.com");
	assert_json(r, 200, NULL);
	r = http_mod("GET", "/auth/me", jstr(r, "access_token"), NULL);
	assert_json(r, 200, NULL);
	ck_assert_str_eq(jstr(r, "email"), "Boss@Example.com");
	ck_assert_int_eq(sql_long("SELECT count(*) FROM registration_requests WHERE"
				  " email = 'Boss@Example.com'"), 0);
	/* members are no moderators */
	assert_json(http_mod("GET", "/auth/me", token_for(fresh_user()), NULL), 403,
		    "moderator privileges required");
}
END_TEST

/* ---- users: routes 4-8, 10 ---- */

START_TEST(test_username_select)
{
	long u = sql_long("INSERT INTO users (email, google_id, created_at) VALUES"
			  " ('nameless%d@example.com', 'g-nameless%d', now())"
			  " RETURNING id", (int)getpid(), (int)getpid());
	const char *t = token_for(u);
	static const char *const invalid[] = {
		"{\"username\": \"ab\"}", "{\"username\": \"a b c\"}",
		"{\"username\": \"___\"}", "{\"username\": \"caf\\u00e9s\"}",
		"{\"username\": \"x123456789x123456789x123456789x123456789x1234567891\"}",
		"{\"username\": 12345}", "{\"username\": null}", "{}",
		"{\"username\": \"okname\", \"x\": 1}",
	};
	size_t i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		assert_json(http("POST", "/auth/username/select", t, invalid[i]),
			    422, NULL);
	make_user(fmt("taken_%d", (int)getpid()));
	assert_json(http("POST", "/auth/username/select", t,
			 fmt("{\"username\": \"TAKEN_%d\"}", (int)getpid())),
		    400, "username already taken");
	ck_assert_ptr_null(sql_str("SELECT username FROM users WHERE id = %ld", u));
	assert_json(http("POST", "/auth/username/select", t,
			 fmt("{\"username\": \"Mine-%d\"}", (int)getpid())), 200, NULL);
	assert_json(http("POST", "/auth/username/select", t,
			 "{\"username\": \"another\"}"), 400, NULL);
	ck_assert_str_eq(sql_str("SELECT username FROM users WHERE id = %ld", u),
			 fmt("mine-%d", (int)getpid()));
}
END_TEST

/* Two members taking one name at once: one gets it, the other a 400
 * "already taken" from the unique index, never a 500. */
START_TEST(test_username_race)
{
	char *body;
	struct http_req q[2];
	http_resp *out[2];
	int i, round;

	for (round = 0; round < 3; round++) {
		char *name = fmt("race%d_%d", round, (int)getpid());

		body = fmt("{\"username\": \"%s\"}", name);
		for (i = 0; i < 2; i++) {
			long u = sql_long("INSERT INTO users (email, google_id, created_at)"
					  " VALUES ('r%d_%d_%d@example.com', 'g-r%d_%d_%d',"
					  " now()) RETURNING id", round, i, (int)getpid(),
					  round, i, (int)getpid());

			q[i] = (struct http_req){ .method = "POST",
				.path = "/auth/username/select", .token = token_for(u),
				.body = body, .content_type = "application/json" };
		}
		http_parallel(q, 2, out);
		ck_assert_msg((out[0]->status == 200 && out[1]->status == 400) ||
			      (out[0]->status == 400 && out[1]->status == 200),
			      "%ld %s / %ld %s", out[0]->status, out[0]->body,
			      out[1]->status, out[1]->body);
		assert_json(out[out[0]->status == 200], 400, "username already taken");
		ck_assert_int_eq(sql_long("SELECT count(*) FROM users WHERE username"
					  " = '%s'", name), 1);
	}
}
END_TEST

START_TEST(test_users_search_and_profiles)
{
	long me = fresh_user(), other = fresh_user(), banned = fresh_user();
	const char *t = token_for(me);
	char *other_name = strdup(sql_str("SELECT username FROM users WHERE id = %ld",
					  other));
	http_resp *r;

	sql("UPDATE users SET is_banned = true WHERE id = %ld", banned);
	/* list: members' public fields only, no banned */
	assert_json(http("GET", "/auth/users", NULL, NULL), 401, NULL);
	r = http("GET", "/auth/users?limit=100000", t, NULL);
	assert_json(r, 200, NULL);
	ck_assert_uint_le(json_object_array_length(r->json), 100);
	ck_assert_ptr_null(strstr(r->body, "@example.com"));
	ck_assert_ptr_null(strstr(r->body, "\"g-"));
	assert_json(http("GET", "/auth/users?skip=-1", t, NULL), 422, NULL);
	assert_json(http("GET", "/auth/users?limit=x", t, NULL), 422, NULL);
	ck_assert_ptr_null(strstr(http("GET", "/auth/users?limit=100&skip=0", t,
				       NULL)->body, fmt("\"id\":%ld,", banned)));
	/* search: exact username in any case, or exact email */
	r = http("GET", fmt("/auth/users/search?q=%s", other_name), t, NULL);
	assert_json(r, 200, NULL);
	ck_assert_uint_eq(json_object_array_length(r->json), 1);
	ck_assert_ptr_nonnull(strstr(r->body, "\"email\":\"\""));	/* not searched by */
	ck_assert_ptr_nonnull(strstr(r->body, "\"google_id\":\"\""));
	r = http("GET", fmt("/auth/users/search?q=%s%%40example.com", other_name), t,
		 NULL);
	ck_assert_ptr_nonnull(strstr(r->body, fmt("\"email\":\"%s@example.com\"",
						   other_name)));
	r = http("GET", fmt("/auth/users/search?q=%s",
			    sql_str("SELECT upper(username) FROM users WHERE id = %ld",
				    other)), t, NULL);
	ck_assert_uint_eq(json_object_array_length(r->json), 1);
	ck_assert_uint_eq(json_object_array_length(http("GET", fmt(
		"/auth/users/search?q=%s", sql_str("SELECT username FROM users WHERE"
						   " id = %ld", banned)), t, NULL)->json), 0);
	ck_assert_uint_eq(json_object_array_length(http("GET", fmt(
		"/auth/users/search?q=%s", sql_str("SELECT username FROM users WHERE"
						   " id = %ld", me)), t, NULL)->json), 0);
	assert_json(http("GET", "/auth/users/search?q=a", t, NULL), 400, NULL);
	assert_json(http("GET", "/auth/users/search", t, NULL), 422, NULL);
	/* profiles: others without email and Google id */
	r = http("GET", fmt("/auth/user/%s", other_name), t, NULL);
	assert_json(r, 200, NULL);
	ck_assert_str_eq(jstr(r, "email"), "");
	ck_assert_str_eq(jstr(r, "google_id"), "");
	ck_assert_str_eq(jstr(r, "username"), other_name);
	r = http("GET", fmt("/auth/user/%s", other_name), token_for(other), NULL);
	ck_assert_str_eq(jstr(r, "email"), fmt("%s@example.com", other_name));
	assert_json(http("GET", "/auth/user/no-such-user", t, NULL), 404,
		    "user not found");
	free(other_name);
}
END_TEST

START_TEST(test_bio)
{
	const char *t = token_for(fresh_user());
	char big[600];

	memset(big, 'b', 501);
	big[501] = '\0';
	assert_json(http("PUT", "/auth/me/bio", t, fmt("{\"bio\": \"%s\"}", big)),
		    400, NULL);
	assert_json(http("PUT", "/auth/me/bio", t, "{\"bio\": 5}"), 422, NULL);
	assert_json(http("PUT", "/auth/me/bio", t, "{\"bio\": \"hi\", \"x\": 1}"),
		    422, NULL);
	ck_assert_str_eq(jstr(http("PUT", "/auth/me/bio", t, "{\"bio\": \"hi\"}"),
			      "bio"), "hi");
	ck_assert_ptr_nonnull(strstr(http("PUT", "/auth/me/bio", t, "{}")->body,
				     "\"bio\":null"));
}
END_TEST

/* ---- the moderation service ---- */

START_TEST(test_moderation_users)
{
	long u = fresh_user(), me = moderator_id();
	const char *mt = mod_token(), *ut = token_for(u);
	http_resp *r;

	assert_json(http_mod("POST", fmt("/moderation/users/%ld/ban", me), mt, "{}"),
		    400, NULL);
	assert_json(http_mod("POST", "/moderation/users/2147483647/ban", mt, "{}"),
		    404, NULL);
	assert_json(http_mod("POST", "/moderation/users/abc/ban", mt, "{}"), 422, NULL);
	assert_json(http_mod("POST", fmt("/moderation/users/%ld/ban", u), ut, "{}"),
		    403, "moderator privileges required");
	r = http_mod("POST", fmt("/moderation/users/%ld/ban", u), mt, "{}");
	assert_json(r, 200, NULL);
	ck_assert_ptr_nonnull(strstr(jstr(r, "message"), "@example.com"));
	assert_json(http("GET", "/auth/me", ut, NULL), 403,
		    "your account has been banned; contact support");
	r = http_mod("GET", fmt("/moderation/users?search=%s",
				sql_str("SELECT upper(email) FROM users WHERE id = %ld",
					u)), mt, NULL);
	assert_json(r, 200, NULL);
	ck_assert_uint_eq(json_object_array_length(r->json), 1);
	ck_assert_ptr_nonnull(strstr(r->body, "\"is_banned\":true"));
	assert_json(http_mod("POST", fmt("/moderation/users/%ld/unban", u), mt, "{}"),
		    200, NULL);
	assert_json(http("GET", "/auth/me", ut, NULL), 200, NULL);
	assert_json(http_mod("GET", "/moderation/users?limit=101", mt, NULL), 422, NULL);
	assert_json(http_mod("GET", "/moderation/users?skip=-1", mt, NULL), 422, NULL);
	assert_json(http_mod("GET", "/moderation/users", NULL, NULL), 401, NULL);
}
END_TEST

START_TEST(test_moderation_reports)
{
	long author = fresh_user(), reporter = fresh_user();
	long post = sql_long("INSERT INTO posts (author_id, content, created_at,"
			     " audience_type, photo_urls) VALUES (%ld, repeat('y', 300),"
			     " now(), 'all', '[]') RETURNING id", author);
	long report = sql_long("INSERT INTO reported_posts (post_id, reported_by_id,"
			       " reason, created_at) VALUES (%ld, %ld, 'spam', now())"
			       " RETURNING id", post, reporter);
	const char *mt = mod_token();
	http_resp *r = http_mod("GET", "/moderation/reported-posts?skip=0&limit=100"
				"&unresolved_only=true", mt, NULL);

	assert_json(r, 200, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, fmt("\"id\":%ld,\"post_id\":%ld",
						   report, post)));
	ck_assert_ptr_nonnull(strstr(r->body, "yyy...\""));
	ck_assert_ptr_nonnull(strstr(r->body, "\"reason\":\"spam\""));
	assert_json(http_mod("POST", fmt("/moderation/reported-posts/%ld/resolve",
					 report), mt, "{}"), 200, NULL);
	assert_json(http_mod("POST", fmt("/moderation/reported-posts/%ld/resolve",
					 report), mt, "{}"), 400, NULL);
	assert_json(http_mod("POST", "/moderation/reported-posts/2147483647/resolve",
			     mt, "{}"), 404, NULL);
	ck_assert_int_eq(sql_long("SELECT resolved_by_id FROM reported_posts WHERE"
				  " id = %ld", report), moderator_id());
	r = http_mod("GET", "/moderation/reported-posts?unresolved_only=true", mt, NULL);
	ck_assert_ptr_null(strstr(r->body, fmt("\"id\":%ld,\"post_id\"", report)));
	assert_json(http_mod("GET", "/moderation/reported-posts?unresolved_only=maybe",
			     mt, NULL), 422, NULL);
}
END_TEST

START_TEST(test_moderation_requests)
{
	const char *mt = mod_token();
	long id = sql_long("INSERT INTO registration_requests (email, google_id,"
			   " status, created_at) VALUES ('req%d@example.com',"
			   " 'g-req%d', 'PENDING', now()) RETURNING id",
			   (int)getpid(), (int)getpid());

	assert_json(http_mod("GET", "/moderation/registration-requests?status_filter"
			     "=maybe", mt, NULL), 400, NULL);
	ck_assert_ptr_nonnull(strstr(http_mod("GET", "/moderation/registration-"
					      "requests?status_filter=PENDING", mt,
					      NULL)->body, "\"status\":\"pending\""));
	assert_json(http_mod("POST", "/moderation/registration-requests/2147483647"
			     "/approve", mt, "{}"), 404, NULL);
	assert_json(http_mod("POST", fmt("/moderation/registration-requests/%ld/deny",
					 id), mt, "{}"), 200, NULL);
	assert_json(http_mod("POST", fmt("/moderation/registration-requests/%ld/approve",
					 id), mt, "{}"), 400, NULL);
	ck_assert_ptr_nonnull(strstr(http_mod("GET", "/moderation/registration-"
					      "requests?status_filter=denied", mt,
					      NULL)->body, "\"reviewed_by\":{"));
	ck_assert_int_eq(sql_long("SELECT count(*) FROM users WHERE email ="
				  " 'req%d@example.com'", (int)getpid()), 0);
}
END_TEST

/* Route 59: anyone's post, with all on it, in one go. */
START_TEST(test_moderation_delete_post)
{
	long author, other, post, comment;
	const char *mt = mod_token();

	fx_use(harness_database_url());
	author = fx_member(fmt("delpost%d", (int)getpid()), "author");
	other = fx_member(fmt("delpost%d", (int)getpid()), "other");
	post = fx_post(author, "all", "2025-03-02 10:00", NULL,
		       "[\"posts/photos/1/2/a.jpg\"]");
	comment = fx_comment(post, other, "hi");
	fx_reply(comment, author, "hello");
	fx_reaction(post, other, "x");
	fx_notification(author, other, post, 0, "comment");
	fx_report(post, other, 0);
	assert_json(http_mod("DELETE", fmt("/moderation/posts/%ld", post),
			     token_for(author), NULL), 403, NULL);
	assert_json(http_mod("DELETE", fmt("/moderation/posts/%ld", post), mt, NULL),
		    200, NULL);
	ck_assert_int_eq(sql_long("SELECT (SELECT count(*) FROM posts WHERE id = %ld)"
				  " + (SELECT count(*) FROM comments WHERE post_id = %ld)"
				  " + (SELECT count(*) FROM reactions WHERE post_id = %ld)"
				  " + (SELECT count(*) FROM reported_posts WHERE post_id = %ld)"
				  " + (SELECT count(*) FROM notifications WHERE post_id = %ld)",
				  post, post, post, post, post), 0);
	assert_json(http_mod("DELETE", fmt("/moderation/posts/%ld", post), mt, NULL),
		    404, NULL);
	assert_json(http_mod("DELETE", "/moderation/posts/x", mt, NULL), 422, NULL);
}
END_TEST

/* Route 63: a member and all of theirs; reports they resolved stay. */
START_TEST(test_moderation_delete_user)
{
	const char *mt = mod_token();
	char *email = fmt("gone%d@example.com", (int)getpid());
	long gone, friend, post, resolved;
	http_resp *r;

	fx_use(harness_database_url());
	r = http("POST", "/auth/register", NULL, fmt("{\"email\": \"%s\","
		 " \"password\": \"soon gone\"}", email));
	assert_json(r, 202, NULL);
	assert_json(http_mod("POST", fmt("/moderation/registration-requests/%ld/"
					 "approve", request_id_of(email)), mt, "{}"),
		    200, NULL);
	gone = sql_long("SELECT id FROM users WHERE email = '%s'", email);
	friend = fx_member(fmt("deluser%d", (int)getpid()), "friend");
	fx_connect(gone, friend, "accepted");
	fx_tag_user(gone, friend, fx_tag(gone, "pals", "friends"));
	fx_tag_user(friend, gone, fx_tag(friend, "them", "generic"));
	post = fx_post(gone, "all", "2025-03-02 10:00", NULL, NULL);
	fx_comment(post, friend, "nice");
	fx_comment(fx_post(friend, "all", "2025-03-02 11:00", NULL, NULL), gone, "ok");
	resolved = fx_report(fx_post(friend, "all", "2025-03-02 12:00", NULL, NULL),
			     friend, gone);

	assert_json(http_mod("DELETE", fmt("/moderation/users/%ld", moderator_id()),
			     mt, NULL), 400, NULL);
	assert_json(http_mod("DELETE", fmt("/moderation/users/%ld", gone), mt, NULL),
		    200, NULL);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM users WHERE id = %ld", gone), 0);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM connections WHERE"
				  " user_a_id = %ld OR user_b_id = %ld", gone, gone), 0);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM user_tags WHERE"
				  " owner_user_id = %ld OR target_user_id = %ld",
				  gone, gone), 0);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM reported_posts WHERE id = %ld"
				  " AND resolved_by_id IS NULL", resolved), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM intentional_credentials"
				  " WHERE google_id = 'password:%s'", email), 0);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM registration_requests"
				  " WHERE email = '%s'", email), 0);
	assert_json(http_mod("DELETE", fmt("/moderation/users/%ld", gone), mt, NULL),
		    404, NULL);
	/* the friend goes on */
	assert_json(http("GET", "/connections", token_for(friend), NULL), 200, NULL);
}
END_TEST

/* Bad ids and queries on every moderation route: 4xx {"detail"}, and the
 * tables they write stay as they were. */
START_TEST(test_moderation_bad_input)
{
	static const char *const ids[] = { "abc", "-1", "99999999999", "1.5", "0x1" };
	static const char *const routes[][3] = {
		{ "POST", "/moderation/reported-posts/", "/resolve" },
		{ "DELETE", "/moderation/posts/", "" },
		{ "POST", "/moderation/users/", "/ban" },
		{ "POST", "/moderation/users/", "/unban" },
		{ "DELETE", "/moderation/users/", "" },
		{ "POST", "/moderation/registration-requests/", "/approve" },
		{ "POST", "/moderation/registration-requests/", "/deny" },
	};
	static const char *const queries[] = {
		"/moderation/reported-posts?limit=0", "/moderation/reported-posts?skip=x",
		"/moderation/users?limit=-5", "/moderation/registration-requests?limit=1000",
		"/moderation/registration-requests?status_filter=123456789012345678901",
	};
	const char *digest = "SELECT md5(concat((SELECT string_agg(concat_ws(',', id,"
		" is_banned), ';' ORDER BY id) FROM users), (SELECT string_agg("
		"concat_ws(',', id, resolved_at), ';' ORDER BY id) FROM reported_posts),"
		" (SELECT string_agg(concat_ws(',', id, status), ';' ORDER BY id) FROM"
		" registration_requests), (SELECT count(*) FROM posts)))";
	const char *mt = mod_token();
	char *before = strdup(sql_str("%s", digest));
	size_t i, j;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		for (j = 0; j < sizeof(ids) / sizeof(ids[0]); j++) {
			http_resp *r = http_mod(routes[i][0], fmt("%s%s%s", routes[i][1],
						ids[j], routes[i][2]), mt, "{}");

			ck_assert_msg(r->status >= 400 && r->status < 500 && r->json &&
				      json_object_object_get_ex(r->json, "detail", NULL),
				      "%s %s%s%s: %ld", routes[i][0], routes[i][1], ids[j],
				      routes[i][2], r->status);
			http_free(r);
		}
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		assert_json(http_mod("GET", queries[i], mt, NULL), 422, NULL);
	ck_assert_str_eq(sql_str("%s", digest), before);
	free(before);
}
END_TEST

/* REGISTRATION_MODE=waitlist (the default): a password registration
 * waits for a moderator like a Google newcomer. */
START_TEST(test_password_waitlist)
{
	char *email = fmt("wait%d@example.com", (int)getpid());
	char *form = fmt("username=%s&password=patient+person", email);
	struct http_req q = { .method = "POST", .path = "/auth/login",
			      .content_type = "application/x-www-form-urlencoded",
			      .body = form };
	http_resp *r = http("POST", "/auth/register", NULL,
			    fmt("{\"email\": \"%s\", \"password\":"
				" \"patient person\"}", email));

	assert_json(r, 202, NULL);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM users WHERE email = '%s'",
				  email), 0);
	assert_json(http_send(&q), 403, "your registration request is still "
		    "pending approval");
	assert_json(http_mod("POST", fmt("/moderation/registration-requests/%ld/"
					 "approve", request_id_of(email)),
			     mod_token(), "{}"), 200, NULL);
	r = http_send(&q);
	assert_json(r, 200, NULL);
	r = http("GET", "/auth/me", jstr(r, "access_token"), NULL);
	ck_assert_str_eq(jstr(r, "auth_provider"), "password");
	ck_assert_str_eq(jstr(r, "email"), email);
}
END_TEST

static Suite *signin_suite(void)
{
	Suite *s = suite_create("signin");
	TCase *google = tcase_create("google"), *users = tcase_create("users");
	TCase *mod = tcase_create("moderation");

	tcase_add_checked_fixture(google, NULL, harness_cleanup);
	tcase_add_test(google, test_authorize_url);
	tcase_add_test(google, test_full_journey);
	tcase_add_test(google, test_bad_id_tokens);
	tcase_add_test(google, test_callback_redirects);
	tcase_add_test(google, test_signing_keys_are_cached);
	tcase_add_test(google, test_banned_denied_and_taken);
	tcase_add_test(google, test_moderator_signin);
	suite_add_tcase(s, google);
	tcase_add_checked_fixture(users, NULL, harness_cleanup);
	tcase_add_test(users, test_username_select);
	tcase_add_test(users, test_username_race);
	tcase_add_test(users, test_users_search_and_profiles);
	tcase_add_test(users, test_bio);
	suite_add_tcase(s, users);
	tcase_add_checked_fixture(mod, NULL, harness_cleanup);
	tcase_add_test(mod, test_moderation_users);
	tcase_add_test(mod, test_moderation_reports);
	tcase_add_test(mod, test_moderation_requests);
	tcase_add_test(mod, test_password_waitlist);
	tcase_add_test(mod, test_moderation_delete_post);
	tcase_add_test(mod, test_moderation_delete_user);
	tcase_add_test(mod, test_moderation_bad_input);
	suite_add_tcase(s, mod);
	return s;
}

/* Starts tests/oidc_peer and returns the settings that point at it. */
static const char *const *start_peer(void)
{
	static const char *settings[16];
	char *argv[] = { pgtest_buildpath("tests/oidc_peer"), CLIENT_ID,
			 CLIENT_SECRET, NULL };
	char port[16] = "";
	int fd, n = 0;
	ssize_t got;

	peer_pid = pgtest_spawn(argv, &fd);
	got = peer_pid > 0 ? read(fd, port, sizeof(port) - 1) : -1;
	if (got <= 0) {
		fputs("check_signin: tests/oidc_peer did not start\n", stderr);
		exit(99);
	}
	port[strcspn(port, "\n")] = '\0';
	snprintf(peer_url, sizeof(peer_url), "http://127.0.0.1:%s", port);
	settings[n++] = "GOOGLE_CLIENT_ID=" CLIENT_ID;
	settings[n++] = "GOOGLE_CLIENT_SECRET=" CLIENT_SECRET;
	settings[n++] = fmt("GOOGLE_AUTH_URL=%s/authorize", peer_url);
	settings[n++] = fmt("GOOGLE_TOKEN_URL=%s/token", peer_url);
	settings[n++] = fmt("GOOGLE_JWKS_URL=%s/jwks", peer_url);
	settings[n++] = "FRONTEND_URL=" FRONTEND "/";
	settings[n++] = "OBSERVABILITY_CORS_ORIGINS=" DASHBOARD ",http://other";
	settings[n++] = "MODERATOR_EMAILS=" MODERATOR "@example.com, BOSS@example.com";
	settings[n++] = "GOOGLE_REDIRECT_URI=" API "/auth/google/callback";
	settings[n++] = "MODERATION_GOOGLE_REDIRECT_URI=" MOD_API
			"/auth/google/callback";
	settings[n] = NULL;
	free(argv[0]);
	return settings;
}

int main(void)
{
	int status = harness_run(signin_suite(), start_peer()), peer;

	kill(peer_pid, SIGTERM);
	waitpid(peer_pid, &peer, 0);
	harness_cleanup();	/* the settings */
	return status;
}
