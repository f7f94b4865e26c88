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

	if (token_verify(cfg.secret_key, token, time(NULL), &id) != RES_OK)
		return fail_with(RES_UNAUTHORIZED, BAD_CREDENTIALS);
	r = user_load(a, id, u);
	if (r == RES_NOT_FOUND)
		return fail_with(RES_UNAUTHORIZED, BAD_CREDENTIALS);
	if (r != RES_OK)
		return r;
	if (u->is_banned)
		return fail_with(RES_FORBIDDEN, "your account has been banned; "
			    "contact support");
	return RES_OK;
}

enum result auth_moderator(const struct user *u)
{
	if (cfg.moderator_emails == NULL || *cfg.moderator_emails == '\0')
		return fail_with(RES_FAIL, "moderator emails not configured");
	if (u->email == NULL || !csv_contains(cfg.moderator_emails, u->email, 1))
		return fail_with(RES_FORBIDDEN, "moderator privileges required");
	return RES_OK;
}
