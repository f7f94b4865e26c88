#include <string.h>
#include <strings.h>

#include "auth.h"
#include "dispatch.h"
#include "reply.h"
#include "route.h"

/* "Bearer <token>" with the scheme word in any case; NULL otherwise. */
static const char *bearer_token(const struct req *r)
{
	const char *h = r->authorization;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

/*
 * The front-line check of a route's auth kind.  Statuses: 401 with
 * WWW-Authenticate for a missing or bad token, 403 for banned members and
 * non-moderators, 500 when no moderator list is configured, 503 when the
 * database is down.
 */
int authenticate(struct req *r)
{
	const char *token = NULL;
	enum result res;

	if (r->route->auth == AUTH_NONE)
		return 0;
	if (r->route->auth == AUTH_USER_OR_QUERY)
		token = req_query(r, "token");
	if (token == NULL)
		token = bearer_token(r);
	if (token == NULL) {
		reply_detail(r, 401, r->route->auth == AUTH_USER_OR_QUERY
			     ? "missing authentication token" : "not authenticated");
		return -1;
	}
	res = auth_member(r->arena, token, &r->user);
	if (res == RES_OK && r->route->auth == AUTH_MODERATOR)
		res = auth_moderator(&r->user);
	if (res != RES_OK) {
		if (res != RES_FORBIDDEN || !r->user.is_banned)
			memset(&r->user, 0, sizeof(r->user));
		reply_result(r, res);
		return -1;
	}
	return 0;
}
