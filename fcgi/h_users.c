#include "handlers.h"
#include "reply.h"
#include "users_json.h"

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

static const struct route routes[] = {
	{ M_GET, "/auth/me", h_me, AUTH_USER, BODY_NONE, NULL },
	{ M_PUT, "/auth/me/bio", h_set_bio, AUTH_USER, BODY_JSON, bio_fields },
};
const struct route_group users_routes = ROUTE_GROUP(routes);
