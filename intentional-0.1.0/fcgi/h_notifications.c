/* Notifications: routes 46-48 of API.md (4.13). */
#include "handlers.h"
#include "notifications.h"
#include "reply.h"

enum { SUMMARY_POST_IDS };
static const struct field summary_fields[] = {
	[SUMMARY_POST_IDS] = { "post_ids", F_INT_LIST, REQUIRED, 0,
			       MAX_SUMMARY_POSTS, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/*
 * POST /notifications/post-summary {"post_ids": [int]}: 200 {"summary"}
 * with an entry per id; 422 missing, not a list of integers, or more than
 * 1000 ids.
 */
static void h_post_summary(struct req *r)
{
	json_object *out = NULL;
	enum result res = notification_post_summary(
		r->arena, r->user.id, r->arg[SUMMARY_POST_IDS].list,
		r->arg[SUMMARY_POST_IDS].nlist, &out);

	reply_outcome(r, res, 200, out);
}

/*
 * POST /notifications/posts/{post_id}/read (body ignored): 200
 * {"message", "count"}; the post is not checked; 422 id.
 */
static void h_read_post(struct req *r)
{
	reply_id_call(r, notification_read_post);
}

/*
 * POST /notifications/comments/{comment_id}/read (body ignored): 200
 * {"message", "count"} of reply notifications; 422 id.
 */
static void h_read_comment(struct req *r)
{
	reply_id_call(r, notification_read_comment);
}

static const struct route routes[] = {
	{ M_POST, "/notifications/post-summary", h_post_summary, AUTH_USER,
	  BODY_JSON, summary_fields },
	{ M_POST, "/notifications/posts/{post_id:int}/read", h_read_post,
	  AUTH_USER, BODY_NONE, NULL },
	{ M_POST, "/notifications/comments/{comment_id:int}/read",
	  h_read_comment, AUTH_USER, BODY_NONE, NULL },
};
const struct route_group notifications_routes = ROUTE_GROUP(routes);
