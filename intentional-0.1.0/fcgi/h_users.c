#include <string.h>

#include "handlers.h"
#include "jsonv.h"
#include "reply.h"
#include "users_json.h"

#define INT4_MAX 2147483647LL

enum { USERNAME_USERNAME };
static const struct field username_fields[] = {
	[USERNAME_USERNAME] = { "username", F_STR, REQUIRED, 3, 50, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

enum { PAGE_SKIP, PAGE_LIMIT };
static const struct field page_fields[] = {
	[PAGE_SKIP] = { "skip", F_INT, 0, 0, INT4_MAX, "0" },
	[PAGE_LIMIT] = { "limit", F_INT, 0, 0, INT4_MAX, "100" },
	{ NULL, 0, 0, 0, 0, NULL },
};

enum { SEARCH_Q };
static const struct field search_fields[] = {
	[SEARCH_Q] = { "q", F_STR, REQUIRED, 0, 320, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

enum { BIO_BIO };
static const struct field bio_fields[] = {
	[BIO_BIO] = { "bio", F_STR, NULLABLE, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/* GET /auth/me: 200 User (avatar mapped); 401/403 from authentication. */
static void h_me(struct req *r)
{
	reply_json(r, 200, user_json(&r->user, 1));
}

/*
 * PUT /auth/me/bio {"bio": string|null}: 200 User; 400 over 500
 * characters; 422 wrong type or unknown field.
 */
static void h_set_bio(struct req *r)
{
	enum result res = user_set_bio(r->arena, &r->user, r->arg[BIO_BIO].s);

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	reply_json(r, 200, user_json(&r->user, 1));
}

/*
 * POST /auth/username/select {"username"}: 200 User; 400 I have one
 * already, or it is taken; 422 not 3..50 of [A-Za-z0-9_-] with a letter
 * or digit.
 */
static void h_select_username(struct req *r)
{
	enum result res = user_select_username(r->arena, &r->user,
					       r->arg[USERNAME_USERNAME].s);

	if (res != RES_OK)
		reply_result(r, res);
	else
		reply_json(r, 200, user_json(&r->user, 1));
}

/* Another member as search finds them: the email only when it was the
 * search term q (the caller knows it then). */
static json_object *found_json(const struct user *u, const char *q)
{
	json_object *o = user_json(u, 0);

	if (u->email != NULL && strcmp(u->email, q) == 0)
		json_object_object_add(o, "email", json_object_new_string(u->email));
	return o;
}

/*
 * 200 [User] of l, or the failure res: as search found them for the term
 * q, or only their public fields when q is NULL.
 */
static void reply_users(struct req *r, enum result res,
			const struct user_list *l, const char *q)
{
	json_object *list;
	int i;

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	list = json_object_new_array();
	for (i = 0; i < l->n; i++)
		json_object_array_add(list, q ? found_json(&l->items[i], q)
					      : user_public_json(&l->items[i]));
	reply_json(r, 200, list);
}

/*
 * GET /auth/users?skip&limit: 200 [User] of members not banned, with only
 * id, username, display_name, full_name and avatar_url (API.md route 5
 * correction); limit capped at 100; 422 negative or non-integer values.
 */
static void h_list(struct req *r)
{
	struct user_list l;
	enum result res = user_list_page(r->arena, r->arg[PAGE_SKIP].i,
					 r->arg[PAGE_LIMIT].i, &l);

	reply_users(r, res, &l, NULL);
}

/*
 * GET /auth/users/search?q=: 200 [User] whose username (any case) or email
 * is exactly q, other than me and not banned; 400 q under 2 characters;
 * 422 q missing.
 */
static void h_search(struct req *r)
{
	struct user_list l;
	enum result res = user_search(r->arena, r->user.id, r->arg[SEARCH_Q].s, &l);

	reply_users(r, res, &l, r->arg[SEARCH_Q].s);
}

/* GET /auth/user/{username}: 200 User (email and google_id "" unless it
 * is me); 404 no such username. */
static void h_profile(struct req *r)
{
	struct user u;
	enum result res = user_by_username(r->arena, r->path_arg[0].s, &u);

	if (res != RES_OK)
		reply_result(r, res);
	else
		reply_json(r, 200, user_json(&u, u.id == r->user.id));
}

static const struct route routes[] = {
	{ M_GET, "/auth/me", h_me, AUTH_USER, BODY_NONE, NULL },
	{ M_POST, "/auth/username/select", h_select_username, AUTH_USER,
	  BODY_JSON, username_fields },
	{ M_GET, "/auth/users", h_list, AUTH_USER, BODY_NONE, page_fields },
	{ M_GET, "/auth/users/search", h_search, AUTH_USER, BODY_NONE,
	  search_fields },
	{ M_GET, "/auth/user/{username:str}", h_profile, AUTH_USER, BODY_NONE,
	  NULL },
	{ M_PUT, "/auth/me/bio", h_set_bio, AUTH_USER, BODY_JSON, bio_fields },
};
const struct route_group users_routes = ROUTE_GROUP(routes);
