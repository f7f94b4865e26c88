#include "handlers.h"
#include "reply.h"
#include "tags.h"
#include "tags_json.h"

enum { TAG_NAME, TAG_COLOR };
static const struct field create_fields[] = {
	[TAG_NAME] = { "name", F_STR, REQUIRED, 1, TAG_NAME_MAX, NULL },
	[TAG_COLOR] = { "color_scheme", F_STR, 0, 1, TAG_COLOR_MAX, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};
static const struct field update_fields[] = {
	[TAG_NAME] = { "name", F_STR, NULLABLE, 1, TAG_NAME_MAX, NULL },
	[TAG_COLOR] = { "color_scheme", F_STR, NULLABLE, 0, TAG_COLOR_MAX, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/* 200 or 201 with the one Tag of res, or the failure rr. */
static void reply_tag(struct req *r, enum result rr, int status, PGresult *res)
{
	if (rr != RES_OK)
		reply_result(r, rr);
	else
		reply_json(r, status, tag_json(res, 0, 0));
}

/* GET /tags: 200 [Tag] of mine, oldest first. */
static void h_list(struct req *r)
{
	PGresult *res;
	enum result rr = tag_list(r->arena, r->user.id, &res);

	if (rr != RES_OK)
		reply_result(r, rr);
	else
		reply_json(r, 200, tag_list_json(res));
}

/*
 * POST /tags {"name","color_scheme"}: 201 Tag; 409 I have a tag of that
 * name; 422 blank or over-long name, bad colour, unknown field.
 */
static void h_create(struct req *r)
{
	PGresult *res = NULL;
	enum result rr = tag_create(r->arena, r->user.id, r->arg[TAG_NAME].s,
				    r->arg[TAG_COLOR].s, &res);

	reply_tag(r, rr, 201, res);
}

/* PUT /tags/{tag_id} {"name"?, "color_scheme"?}: 200 Tag; 404 not mine;
 * 409 name taken by another of my tags; 422 as POST. */
static void h_update(struct req *r)
{
	PGresult *res = NULL;
	enum result rr = tag_update(r->arena, r->user.id, (long)r->path_arg[0].i,
				    r->arg[TAG_NAME].s, r->arg[TAG_COLOR].s, &res);

	reply_tag(r, rr, 200, res);
}

/* DELETE /tags/{tag_id}: 200; 404 not mine; 400 still in use. */
static void h_delete(struct req *r)
{
	enum result rr = tag_delete(r->arena, r->user.id, (long)r->path_arg[0].i);

	if (rr != RES_OK)
		reply_result(r, rr);
	else
		reply_detail(r, 200, "Tag deleted successfully");
}

static const struct route routes[] = {
	{ M_GET, "/tags", h_list, AUTH_USER, BODY_NONE, NULL },
	{ M_POST, "/tags", h_create, AUTH_USER, BODY_JSON, create_fields },
	{ M_PUT, "/tags/{tag_id:int}", h_update, AUTH_USER, BODY_JSON,
	  update_fields },
	{ M_DELETE, "/tags/{tag_id:int}", h_delete, AUTH_USER, BODY_NONE, NULL },
};
const struct route_group tags_routes = ROUTE_GROUP(routes);
