/*
 * Posts: create, list, delete, report (API.md routes 11-15).  Route 16,
 * GET /posts/test-presigned/{key}, is deliberately absent (its correction:
 * 404, which the router answers).
 */
#include <stdlib.h>

#include "config.h"
#include "handlers.h"
#include "jsonv.h"
#include "multipart.h"
#include "paging.h"
#include "posts.h"
#include "reply.h"

/*
 * POST /posts/ (multipart): 201 Post.  400 content over 1000 characters,
 * no text and no photo, audience_type not all/private/tags, a non-integer
 * tag id, 'tags' without tag ids or with ids that are not the caller's
 * tags, more than 3 photos, a photo that breaks 6.6 ("photo validation
 * failed: ..."), a malformed form; 413 a part or the body too large; 429
 * the 4th post of the day; 503 database or storage down, 507 storage full.
 * Nothing is written or stored unless 201.
 */
static void h_create_post(struct req *r)
{
	/*
	 * Text fields are kept up to sizes well past their rules (1000
	 * characters are at most 4000 bytes) so that the rules answer 400;
	 * beyond these sizes the parser answers 413.  A 4th photo is a 400.
	 */
	const struct mp_field form[] = {
		{ "content", MP_TEXT, 1, 65536 },
		{ "audience_type", MP_TEXT, 1, 1024 },
		{ "audience_tag_ids", MP_TEXT, 1, 8192 },
		{ "client_timestamp", MP_TEXT, 1, 1024 },
		{ "photos", MP_FILE, POST_MAX_PHOTOS, (size_t)cfg.media_max_bytes },
		{ NULL, 0, 0, 0 },
	};
	struct mp_parser *mp = req_read_multipart(r, form);
	struct post_photo photos[POST_MAX_PHOTOS];
	struct post_new in;
	json_object *post;
	enum result res;
	int i;

	if (mp == NULL)
		return;
	in.content = mp_text(mp, "content");
	in.audience_type = mp_text(mp, "audience_type");
	in.audience_tag_ids = mp_text(mp, "audience_tag_ids");
	in.client_timestamp = mp_text(mp, "client_timestamp");
	in.nphotos = mp_count(mp, "photos");
	for (i = 0; i < in.nphotos && i < POST_MAX_PHOTOS; i++) {
		const struct mp_part *part = mp_get(mp, "photos", i);

		photos[i].data = part->data;
		photos[i].len = part->len;
		photos[i].size = part->size;
	}
	in.photos = photos;
	res = post_create(r->arena, r->user.id, &in, &post);
	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	reply_json(r, 201, post);
}

static const struct field list_fields[] = {
	PAGE_FIELDS(NULL),
	{ NULL, 0, 0, 0, 0, NULL },
};

/* A list of one author's posts; the page comes from list_fields. */
static void reply_posts_of(struct req *r, long author)
{
	struct post_page page;
	json_object *list;
	enum result res;

	if (page_args(r, &page) < 0)
		return;
	res = posts_of_author(r->arena, r->user.id, author, &page, &list);
	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	reply_json(r, 200, list);
}

/*
 * GET /posts/me[?skip&limit&before&before_id]: 200 [Post], all the
 * caller's posts newest first (limit absent: all); 422 bad paging.
 */
static void h_my_posts(struct req *r)
{
	reply_posts_of(r, r->user.id);
}

/*
 * GET /posts/user/{user_id}: 200 [Post], the posts of that user the caller
 * may see (6.3; a stranger sees []); 404 no such user; 422 bad id or
 * paging.
 */
static void h_user_posts(struct req *r)
{
	reply_posts_of(r, (long)r->path_arg[0].i);
}

/*
 * DELETE /posts/{post_id}: 204; 404 no such post; 403 not the caller's;
 * 422 bad id; 503 database down (nothing deleted).  The post and all that
 * depends on it go in one transaction, its photos after the commit.
 */
static void h_delete_post(struct req *r)
{
	enum result res = post_delete(r->arena, r->user.id,
				      (long)r->path_arg[0].i);

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	reply_no_content(r);
}

enum { REPORT_REASON };
static const struct field report_fields[] = {
	[REPORT_REASON] = { "reason", F_STR, NULLABLE, 0, 2000, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/*
 * POST /posts/{post_id}/report {"reason": string|null} (body optional):
 * 201 {"message", "report_id"}; 404 no such post or the caller may not see
 * it; 400 already reported by the caller; 422 bad id, reason not a string
 * or over 2000 characters.
 */
static void h_report_post(struct req *r)
{
	long id;
	json_object *o;
	enum result res = post_report(r->arena, r->user.id,
				      (long)r->path_arg[0].i,
				      r->arg[REPORT_REASON].s, &id);

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	o = json_object_new_object();
	jv_put(o, "message", json_object_new_string("Post reported successfully"));
	jv_put(o, "report_id", json_object_new_int64(id));
	reply_json(r, 201, o);
}

static const struct route routes[] = {
	{ M_POST, "/posts/", h_create_post, AUTH_USER, BODY_RAW, NULL },
	{ M_GET, "/posts/me", h_my_posts, AUTH_USER, BODY_NONE, list_fields },
	{ M_GET, "/posts/user/{user_id:int}", h_user_posts, AUTH_USER,
	  BODY_NONE, list_fields },
	{ M_DELETE, "/posts/{post_id:int}", h_delete_post, AUTH_USER,
	  BODY_NONE, NULL },
	{ M_POST, "/posts/{post_id:int}/report", h_report_post, AUTH_USER,
	  BODY_JSON_OPTIONAL, report_fields },
};
const struct route_group posts_routes = ROUTE_GROUP(routes);
