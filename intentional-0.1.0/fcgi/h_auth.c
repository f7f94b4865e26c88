/*
 * Signing in: Google (routes 1-3 of the main service, 53-55 of the
 * moderation service, same handlers) and passwords (POST /auth/register,
 * POST /auth/login).  Sign-in routes are rate limited per client IP by
 * nginx (the nginx configuration) and password failures per account here.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "auth.h"
#include "config.h"
#include "handlers.h"
#include "jsonv.h"
#include "oidc.h"
#include "password.h"
#include "reply.h"
#include "signin.h"
#include "token.h"
#include "urlenc.h"

enum { CB_CODE, CB_STATE, CB_ERROR };
static const struct field callback_query[] = {
	[CB_CODE] = { "code", F_STR, 0, 0, 2048, NULL },
	[CB_STATE] = { "state", F_STR, 0, 0, 512, NULL },
	[CB_ERROR] = { "error", F_STR, 0, 0, 512, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

enum { FINISH_CODE, FINISH_STATE, FINISH_VERIFIER };
static const struct field callback_body[] = {
	[FINISH_CODE] = { "code", F_STR, REQUIRED, 1, 2048, NULL },
	[FINISH_STATE] = { "state", F_STR, REQUIRED, 0, 512, NULL },
	/* RFC 7636: 43..128 characters */
	[FINISH_VERIFIER] = { "code_verifier", F_STR, REQUIRED, 43, 128, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

enum { REG_EMAIL, REG_PASSWORD, REG_FULL_NAME };
static const struct field register_body[] = {
	[REG_EMAIL] = { "email", F_STR, REQUIRED, 3, 255, NULL },
	[REG_PASSWORD] = { "password", F_STR, REQUIRED, PASSWORD_MIN,
			   PASSWORD_MAX, NULL },
	[REG_FULL_NAME] = { "full_name", F_STR, NULLABLE, 0, 255, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/* OAuth2 password request form (RFC 6749 4.3), as FastAPI reads it. */
enum { LOGIN_USERNAME, LOGIN_PASSWORD, LOGIN_GRANT, LOGIN_SCOPE,
       LOGIN_CLIENT_ID, LOGIN_CLIENT_SECRET };
static const struct field login_form[] = {
	[LOGIN_USERNAME] = { "username", F_STR, REQUIRED, 1, 320, NULL },
	[LOGIN_PASSWORD] = { "password", F_STR, REQUIRED, 1, 1024, NULL },
	[LOGIN_GRANT] = { "grant_type", F_STR, 0, 0, 64, NULL },
	[LOGIN_SCOPE] = { "scope", F_STR, 0, 0, 1024, NULL },
	[LOGIN_CLIENT_ID] = { "client_id", F_STR, 0, 0, 255, NULL },
	[LOGIN_CLIENT_SECRET] = { "client_secret", F_STR, 0, 0, 255, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/* Google's redirect_uri for this service: its own /auth/google/callback. */
static const char *redirect_uri(const struct req *r)
{
	if (r->moderation && *cfg.moderation_google_redirect_uri)
		return cfg.moderation_google_redirect_uri;
	return cfg.google_redirect_uri;
}

/*
 * GET /auth/google/authorize: 200 {"authorization_url","state",
 * "code_verifier"} with a percent-encoded URL and an S256 challenge; 500
 * when Google sign-in is not configured.
 */
static void h_authorize(struct req *r)
{
	struct oidc_start s;
	enum result res = oidc_authorize(r->arena, redirect_uri(r), &s);
	json_object *o;

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	o = json_object_new_object();
	jv_put(o, "authorization_url", json_object_new_string(s.authorization_url));
	jv_put(o, "state", json_object_new_string(s.state));
	jv_put(o, "code_verifier", json_object_new_string(s.code_verifier));
	reply_json(r, 200, o);
}

/* The client's origin without a trailing slash: FRONTEND_URL, or the first
 * of OBSERVABILITY_CORS_ORIGINS for the moderation dashboard (3.3). */
static char *client_base(const struct req *r)
{
	const char *s = r->moderation ? cfg.moderation_cors_origins
				      : cfg.frontend_url;
	size_t n = strcspn(s, ",");

	while (n > 0 && (s[n - 1] == '/' || s[n - 1] == ' '))
		n--;
	while (n > 0 && *s == ' ')
		s++, n--;
	return arena_strndup(r->arena, s, n);
}

/*
 * GET /auth/google/callback?code&state: 307 to the client's /login with
 * both values percent-encoded; with ?error= (the person cancelled) 307 to
 * /login?error=...; 422 when code or state is missing.
 */
static void h_callback_redirect(struct req *r)
{
	const char *base = client_base(r);
	const struct value *code = &r->arg[CB_CODE], *state = &r->arg[CB_STATE];

	if (r->arg[CB_ERROR].present) {
		reply_redirect(r, 307, arena_printf(r->arena, "%s/login?error=%s",
			       base, url_encode(r->arena, r->arg[CB_ERROR].s)));
		return;
	}
	if (!code->present || !state->present) {
		reply_result(r, fail_with(RES_INVALID, "code and state are required"));
		return;
	}
	reply_redirect(r, 307, arena_printf(r->arena, "%s/login?code=%s&state=%s",
		       base, url_encode(r->arena, code->s),
		       url_encode(r->arena, state->s)));
}

/* 200 with signin_response(u), or 500 when the token cannot be made. */
static void reply_signed_in(struct req *r, const struct user *u)
{
	json_object *o = signin_response(u);

	if (o == NULL)
		reply_detail(r, 500, "could not issue a token");
	else
		reply_json(r, 200, o);
}

/*
 * POST /auth/google/callback {"code","state","code_verifier"}: 200
 * {"access_token","token_type","needs_username","user"}.  400 Google
 * refused the code, sent no ID token, no sub or email, an unverified
 * email, or the email belongs to another account; 401 the ID token failed
 * verification (signature, issuer, audience, expiry); 403 banned, on the
 * waitlist (a new person's request is created), denied, or (moderation)
 * not a moderator; 500 not configured, provider unreachable, or an
 * approved request without a user; 422 missing fields.
 */
static void h_callback(struct req *r)
{
	struct oidc_identity who;
	struct user u;
	enum result res = oidc_sign_in(r->arena, r->arg[FINISH_CODE].s,
				       r->arg[FINISH_VERIFIER].s, redirect_uri(r),
				       &who);

	if (res == RES_OK)
		res = r->moderation ? signin_moderator(r->arena, &who, &u)
				    : signin_member(r->arena, &who, &u);
	if (res != RES_OK)
		reply_result(r, res);
	else
		reply_signed_in(r, &u);
}

/*
 * POST /auth/register {"email","password","full_name"?}: 201 as route 3
 * when REGISTRATION_MODE is open; 202 {"detail"} when it is waitlist (a
 * registration request awaits a moderator); 403 closed; 409 the email has
 * an account or request; 422 malformed email, password not 8..128.
 */
static void h_register(struct req *r)
{
	struct user u;
	enum result res = password_register(r->arena, r->arg[REG_EMAIL].s,
					    r->arg[REG_PASSWORD].s,
					    r->arg[REG_FULL_NAME].s, &u);
	json_object *o;

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	if (u.id == 0) {
		reply_detail(r, 202, "registration request submitted; it awaits "
			     "approval by an administrator");
		return;
	}
	if ((o = signin_response(&u)) == NULL)
		reply_detail(r, 500, "could not issue a token");
	else
		reply_json(r, 201, o);
}

/*
 * POST /auth/login, form username (email or username) and password: 200
 * {"access_token","token_type":"bearer"}; 401 wrong pair (with
 * WWW-Authenticate); 403 banned, waiting or denied, or (moderation) not a
 * moderator; 429 with Retry-After while the account is locked after
 * LOGIN_MAX_FAILURES failures; 422 missing fields or grant_type other
 * than "password".
 */
static void h_login(struct req *r)
{
	struct user u;
	long retry = 0;
	enum result res;
	char *token;
	json_object *o;

	if (r->arg[LOGIN_GRANT].present &&
	    strcmp(r->arg[LOGIN_GRANT].s, "password") != 0) {
		reply_result(r, fail_with(RES_INVALID, "grant_type must be password"));
		return;
	}
	res = password_login(r->arena, r->arg[LOGIN_USERNAME].s,
			     r->arg[LOGIN_PASSWORD].s, &u, &retry);
	if (res == RES_OK && r->moderation)
		res = auth_moderator(&u);
	if (res == RES_TOO_MANY)
		reply_header(r, "Retry-After", arena_printf(r->arena, "%ld", retry));
	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	token = token_issue(cfg.secret_key, u.id,
			    cfg.access_token_expire_minutes * 60);
	if (token == NULL) {
		reply_detail(r, 500, "could not issue a token");
		return;
	}
	o = json_object_new_object();
	jv_put(o, "access_token", json_object_new_string(token));
	jv_put(o, "token_type", json_object_new_string("bearer"));
	free(token);
	reply_json(r, 200, o);
}

static const struct route routes[] = {
	{ M_GET, "/auth/google/authorize", h_authorize, AUTH_NONE, BODY_NONE, NULL },
	{ M_GET, "/auth/google/callback", h_callback_redirect, AUTH_NONE,
	  BODY_NONE, callback_query },
	{ M_POST, "/auth/google/callback", h_callback, AUTH_NONE, BODY_JSON,
	  callback_body },
	{ M_POST, "/auth/register", h_register, AUTH_NONE, BODY_JSON,
	  register_body },
	{ M_POST, "/auth/login", h_login, AUTH_NONE, BODY_FORM, login_form },
};
const struct route_group auth_routes = ROUTE_GROUP(routes);

/* The moderation service signs in the same way, without registration. */
static const struct route moderation_routes[] = {
	{ M_GET, "/auth/google/authorize", h_authorize, AUTH_NONE, BODY_NONE, NULL },
	{ M_GET, "/auth/google/callback", h_callback_redirect, AUTH_NONE,
	  BODY_NONE, callback_query },
	{ M_POST, "/auth/google/callback", h_callback, AUTH_NONE, BODY_JSON,
	  callback_body },
	{ M_POST, "/auth/login", h_login, AUTH_NONE, BODY_FORM, login_form },
};
const struct route_group moderation_auth_routes = ROUTE_GROUP(moderation_routes);
