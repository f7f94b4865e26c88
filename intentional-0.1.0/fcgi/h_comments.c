/* Comments and replies: routes 34-38 of API.md (4.9, 4.10). */
#include "comments.h"
#include "handlers.h"
#include "reply.h"

enum { COMMENT_POST_ID, COMMENT_CONTENT };
static const struct field comment_fields[] = {
	[COMMENT_POST_ID] = { "post_id", F_INT, REQUIRED, 0, 0, NULL },
	[COMMENT_CONTENT] = { "content", F_STR, REQUIRED, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

enum { REPLY_COMMENT_ID, REPLY_CONTENT };
static const struct field reply_fields[] = {
	[REPLY_COMMENT_ID] = { "comment_id", F_INT, REQUIRED, 0, 0, NULL },
	[REPLY_CONTENT] = { "content", F_STR, REQUIRED, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/*
 * POST /comments/ {"post_id", "content"}: 201 Comment; 400 content empty
 * after trimming or over 5000 characters; 404 no post the caller may see;
 * 422 malformed body; 503 database down (nothing stored).
 */
static void h_create_comment(struct req *r)
{
	json_object *out = NULL;
	enum result res = comment_create(r->arena, r->user.id,
					 r->arg[COMMENT_POST_ID].i,
					 r->arg[COMMENT_CONTENT].s, &out);

	reply_outcome(r, res, 201, out);
}

/*
 * GET /comments/posts/{post_id}: 200 [Comment] the caller may see, oldest
 * first, with has_unread_reply; 404 no post the caller may see; 422 id.
 */
static void h_list_comments(struct req *r)
{
	reply_id_call(r, comment_list);
}

/* GET /comments/posts/{post_id}/count: 200 {"count"}; 404; 422 as above. */
static void h_count_comments(struct req *r)
{
	reply_id_call(r, comment_count);
}

/*
 * POST /replies/ {"comment_id", "content"}: 201 Reply; 400 content empty
 * after trimming or over 2000 characters; 403 not connected to the
 * comment's author (unless the post's or comment's author); 404 no comment
 * on a post the caller may see; 422 malformed body; 503 (nothing stored).
 */
static void h_create_reply(struct req *r)
{
	json_object *out = NULL;
	enum result res = reply_create(r->arena, r->user.id,
				       r->arg[REPLY_COMMENT_ID].i,
				       r->arg[REPLY_CONTENT].s, &out);

	reply_outcome(r, res, 201, out);
}

/*
 * GET /replies/comment/{comment_id}: 200 [Reply] the caller may see,
 * oldest first; 404 no comment on a post the caller may see; 422 id.
 */
static void h_list_replies(struct req *r)
{
	reply_id_call(r, reply_list);
}

static const struct route routes[] = {
	{ M_POST, "/comments/", h_create_comment, AUTH_USER, BODY_JSON,
	  comment_fields },
	{ M_GET, "/comments/posts/{post_id:int}", h_list_comments, AUTH_USER,
	  BODY_NONE, NULL },
	{ M_GET, "/comments/posts/{post_id:int}/count", h_count_comments,
	  AUTH_USER, BODY_NONE, NULL },
	{ M_POST, "/replies/", h_create_reply, AUTH_USER, BODY_JSON,
	  reply_fields },
	{ M_GET, "/replies/comment/{comment_id:int}", h_list_replies, AUTH_USER,
	  BODY_NONE, NULL },
};
const struct route_group comments_routes = ROUTE_GROUP(routes);
