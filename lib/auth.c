#include <time.h>

#include "auth.h"
#include "config.h"
#include "csvlist.h"
#include "token.h"

#define BAD_CREDENTIALS "could not validate credentials"

enum result auth_member(struct arena *a, const char *token, struct user *u)
{
	long id;
	enum result r;

	if (token_verify(cfg.secret_key, token, time(NULL), &id) != R_OK)
		return fail(R_UNAUTHORIZED, BAD_CREDENTIALS);
	r = user_load(a, id, u);
	if (r == R_NOT_FOUND)
		return fail(R_UNAUTHORIZED, BAD_CREDENTIALS);
	if (r != R_OK)
		return r;
	if (u->is_banned)
		return fail(R_FORBIDDEN, "your account has been banned; "
			    "contact support");
	return R_OK;
}

enum result auth_moderator(const struct user *u)
{
	if (cfg.moderator_emails == NULL || *cfg.moderator_emails == '\0')
		return fail(R_FAIL, "moderator emails not configured");
	if (u->email == NULL || !csv_contains(cfg.moderator_emails, u->email, 1))
		return fail(R_FORBIDDEN, "moderator privileges required");
	return R_OK;
}
