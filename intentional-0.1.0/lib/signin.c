#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "auth.h"
#include "config.h"
#include "csvlist.h"
#include "db.h"
#include "jsonv.h"
#include "oidc.h"
#include "signin.h"
#include "token.h"
#include "users_json.h"

enum {
	SIGNIN_BY_GOOGLE_ID,
	SIGNIN_EMAIL_TAKEN,
	SIGNIN_REQUEST_STATUS,
	SIGNIN_REQUEST_INSERT,
};

static struct db_stmt stmts[] = {
	/* the member, with names from Google filled in where empty */
	[SIGNIN_BY_GOOGLE_ID] = { "signin_by_google_id",
		"UPDATE users SET full_name = coalesce(nullif(full_name, ''), $2),"
		" picture_url = coalesce(nullif(picture_url, ''), $3)"
		" WHERE google_id = $1 RETURNING " USER_COLUMNS, 0 },
	[SIGNIN_EMAIL_TAKEN] = { "signin_email_taken",
		"SELECT 1 FROM users WHERE lower(email) = lower($1)", 0 },
	[SIGNIN_REQUEST_STATUS] = { "signin_request_status",
		"SELECT status FROM registration_requests WHERE google_id = $1", 0 },
	[SIGNIN_REQUEST_INSERT] = { "signin_request_insert",
		"INSERT INTO registration_requests (email, google_id, full_name,"
		" picture_url, status, created_at) VALUES ($1, $2, $3, $4,"
		" 'PENDING', now() AT TIME ZONE 'UTC')", 0 },
};

#define BANNED "your account has been banned; contact support"

enum result waitlist_join(struct arena *a, const char *google_id,
			  const char *email, const char *full_name,
			  const char *picture_url, enum result *outcome)
{
	const char *p[] = { email, google_id, full_name, picture_url };
	PGresult *res;
	enum result r = db_exec(a, &stmts[SIGNIN_REQUEST_STATUS], 1, p + 1, &res);
	const char *status;

	if (r != RES_OK)
		return r;
	if (PQntuples(res) == 0) {
		r = db_exec(a, &stmts[SIGNIN_REQUEST_INSERT], 4, p, &res);
		if (r == RES_CONFLICT)	/* a concurrent first sign-in */
			status = "PENDING";
		else if (r != RES_OK)
			return r;
		else {
			*outcome = fail_with(RES_FORBIDDEN, "registration request "
					     "submitted; it awaits approval by "
					     "an administrator");
			return RES_OK;
		}
	} else {
		status = db_get_str(res, 0, 0);
	}
	if (strcmp(status, "PENDING") == 0)
		*outcome = fail_with(RES_FORBIDDEN, "your registration request is "
				     "still pending approval");
	else if (strcmp(status, "DENIED") == 0)
		*outcome = fail_with(RES_FORBIDDEN, "your registration request "
				     "was not approved");
	else
		*outcome = fail_with(RES_FAIL, "your registration was approved "
				     "but no account exists; contact support");
	return RES_OK;
}

/* The users row of who, names filled in; *found = 0 when there is none. */
static enum result member_of(struct arena *a, const struct oidc_identity *who,
			     struct user *out, int *found)
{
	const char *p[] = { who->sub, who->name, who->picture };
	PGresult *res;
	enum result r = db_exec(a, &stmts[SIGNIN_BY_GOOGLE_ID], 3, p, &res);

	if (r != RES_OK)
		return r;
	*found = PQntuples(res) > 0;
	if (*found)
		user_from_row(res, 0, out);
	return RES_OK;
}

static enum result email_taken(struct arena *a, const char *email)
{
	const char *p[] = { email };
	PGresult *res;
	enum result r = db_exec(a, &stmts[SIGNIN_EMAIL_TAKEN], 1, p, &res);

	if (r == RES_OK && PQntuples(res) > 0)
		return fail_with(RES_BAD_REQUEST, "this email is already used by "
				 "another account");
	return r;
}

struct signin_ctx {
	const struct oidc_identity *who;
	struct user *user;
	enum result outcome;	/* answered after COMMIT */
};

/*
 * The start of both sign-ins: the member (*found; RES_FORBIDDEN if
 * banned), or, for someone new, RES_BAD_REQUEST when the email is taken.
 */
static enum result known_or_new(struct arena *a, struct signin_ctx *c,
				int *found)
{
	enum result r = member_of(a, c->who, c->user, found);

	if (r != RES_OK)
		return r;
	if (*found)
		return c->user->is_banned ? fail_with(RES_FORBIDDEN, BANNED) : RES_OK;
	return email_taken(a, c->who->email);
}

static enum result member_tx(struct arena *a, void *ctx)
{
	struct signin_ctx *c = ctx;
	enum result r;
	int found;

	if ((r = known_or_new(a, c, &found)) != RES_OK || found)
		return r;
	return waitlist_join(a, c->who->sub, c->who->email, c->who->name,
			     c->who->picture, &c->outcome);
}

enum result signin_member(struct arena *a, const struct oidc_identity *who,
			  struct user *out)
{
	struct signin_ctx c = { who, out, RES_OK };
	enum result r = db_transaction(a, member_tx, &c);

	return r != RES_OK ? r : c.outcome;
}

static enum result moderator_tx(struct arena *a, void *ctx)
{
	struct signin_ctx *c = ctx;
	enum result r;
	int found;

	if ((r = known_or_new(a, c, &found)) != RES_OK || found)
		return r;
	r = user_create(a, c->who->email, c->who->sub, c->who->name,
			c->who->picture, c->user);
	if (r == RES_CONFLICT)
		return fail_with(RES_BAD_REQUEST, "this email is already used by "
				 "another account");
	return r;
}

enum result signin_moderator(struct arena *a, const struct oidc_identity *who,
			     struct user *out)
{
	struct signin_ctx c = { who, out, RES_OK };
	struct user probe = { .email = who->email };
	enum result r = auth_moderator(&probe);

	if (r != RES_OK)
		return r;
	return db_transaction(a, moderator_tx, &c);
}

json_object *signin_response(const struct user *u)
{
	char *token = token_issue(cfg.secret_key, u->id,
				  cfg.access_token_expire_minutes * 60);
	json_object *o;

	if (token == NULL)
		return NULL;
	o = json_object_new_object();
	jv_put(o, "access_token", json_object_new_string(token));
	jv_put(o, "token_type", json_object_new_string("bearer"));
	jv_put(o, "needs_username", json_object_new_boolean(u->username == NULL));
	jv_put(o, "user", user_json(u, 1));
	free(token);
	return o;
}
