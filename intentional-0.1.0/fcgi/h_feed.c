/*
 * Reading everyone's posts: the feed (route 17), the digest (route 18) and
 * the bell's recent feed posts (routes 45 and 49).
 */
#include "feed.h"
#include "handlers.h"
#include "jsonv.h"
#include "paging.h"
#include "reply.h"

enum { FEED_TAG_IDS = PG_NFIELDS };
static const struct field feed_fields[] = {
	PAGE_FIELDS("20"),
	[FEED_TAG_IDS] = { "tag_ids", F_CSV_INTS, 0, 0, 100, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/*
 * GET /feed and /feed/ ?skip=0&limit=20&tag_ids=1,2&before=&before_id=:
 * 200 [Post], the caller's and their connections' posts the caller may
 * see, newest first (ties: higher id first), filtered, then paginated.
 * skip 0..10000, limit 1..100; the cursor (before = created_at of the last
 * post shown, before_id = its id) continues after that post.  422 bad
 * numbers, a non-integer tag id, before_id without before.
 */
static void h_feed(struct req *r)
{
	const struct value *tags = &r->arg[FEED_TAG_IDS];
	struct post_page page;
	json_object *list;
	enum result res;

	if (page_args(r, &page) < 0)
		return;
	res = feed_read(r->arena, r->user.id, &page, tags->list,
			tags->present ? tags->nlist : 0, &list);
	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	reply_json(r, 200, list);
}

enum { DIGEST_TAG_FILTER, DIGEST_CLIENT_TIMESTAMP };
static const struct field digest_fields[] = {
	[DIGEST_TAG_FILTER] = { "tag_filter", F_STR, 0, 0, 64, "all" },
	[DIGEST_CLIENT_TIMESTAMP] = { "client_timestamp", F_STR, 0, 0, 64, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/*
 * GET /digest/?tag_filter=all&client_timestamp=: 200 {"posts",
 * "weekly_summary", "week_start", "week_end"} (rule 6.7; an unparsable
 * timestamp means now); 422 a parameter over 64 characters.
 */
static void h_digest(struct req *r)
{
	json_object *digest;
	enum result res = digest_read(r->arena, r->user.id,
				      r->arg[DIGEST_TAG_FILTER].s,
				      r->arg[DIGEST_CLIENT_TIMESTAMP].s, &digest);

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	reply_json(r, 200, digest);
}

enum { RECENT_LIMIT };
static const struct field recent_fields[] = {
	[RECENT_LIMIT] = { "limit_posts", F_INT, 0, 1, 100, "50" },
	{ NULL, 0, 0, 0, 0, NULL },
};

/*
 * GET /notifications/recent?limit_posts=50: 200 {"recent_post_ids",
 * "unread_post_ids"} over the newest visible feed posts; 422 limit_posts
 * outside 1..100.
 */
static void h_recent(struct req *r)
{
	json_object *o;
	enum result res = notifications_recent(r->arena, r->user.id,
					       (long)r->arg[RECENT_LIMIT].i, &o);

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	reply_json(r, 200, o);
}

/*
 * POST /notifications/recent/clear (any body ignored): 200 {"message",
 * "count"}, the caller's unread notifications on the 50 newest visible
 * feed posts marked read.
 */
static void h_clear_recent(struct req *r)
{
	long count;
	json_object *o;
	enum result res = notifications_clear_recent(r->arena, r->user.id,
						     &count);

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	o = json_object_new_object();
	jv_put(o, "message", json_object_new_string(
		"Recent notifications marked as read"));
	jv_put(o, "count", json_object_new_int64(count));
	reply_json(r, 200, o);
}

static const struct route routes[] = {
	{ M_GET, "/feed", h_feed, AUTH_USER, BODY_NONE, feed_fields },
	{ M_GET, "/digest/", h_digest, AUTH_USER, BODY_NONE, digest_fields },
	{ M_GET, "/notifications/recent", h_recent, AUTH_USER, BODY_NONE,
	  recent_fields },
	{ M_POST, "/notifications/recent/clear", h_clear_recent, AUTH_USER,
	  BODY_NONE, NULL },
};
const struct route_group feed_routes = ROUTE_GROUP(routes);
