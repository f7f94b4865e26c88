/*
 * The moderation service's routes (API.md section 5): every one needs the
 * token of a member on MODERATOR_EMAILS (AUTH_MODERATOR: 401, 403 banned
 * or not a moderator, 500 without a moderator list).
 */
#include <ctype.h>
#include <stdio.h>

#include "arena.h"
#include "db.h"
#include "handlers.h"
#include "jsonv.h"
#include "moderation.h"
#include "reply.h"
#include "users_json.h"

#define INT4_MAX 2147483647LL

enum { PAGE_SKIP, PAGE_LIMIT, PAGE_FILTER };
#define PAGE_FIELDS \
	[PAGE_SKIP] = { "skip", F_INT, 0, 0, INT4_MAX, "0" }, \
	[PAGE_LIMIT] = { "limit", F_INT, 0, 1, 100, "50" }
static const struct field reports_query[] = {
	PAGE_FIELDS,
	[PAGE_FILTER] = { "unresolved_only", F_BOOL, 0, 0, 0, "false" },
	{ NULL, 0, 0, 0, 0, NULL },
};
static const struct field users_query[] = {
	PAGE_FIELDS,
	[PAGE_FILTER] = { "search", F_STR, 0, 0, 255, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};
static const struct field requests_query[] = {
	PAGE_FIELDS,
	[PAGE_FILTER] = { "status_filter", F_STR, 0, 0, 20, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/* The ModUser object from MOD_USER_NCOLS columns at col; null if absent. */
static json_object *mod_user_json(const PGresult *res, int row, int col)
{
	json_object *o;

	if (PQgetisnull(res, row, col))
		return NULL;
	o = json_object_new_object();
	jv_put(o, "id", json_object_new_int64(db_get_int(res, row, col)));
	jv_put(o, "email", jv_str(db_get_str(res, row, col + 1)));
	jv_put(o, "username", jv_str(db_get_str(res, row, col + 2)));
	jv_put(o, "full_name", jv_str(db_get_str(res, row, col + 3)));
	jv_put(o, "display_name", jv_str(db_get_str(res, row, col + 4)));
	jv_put(o, "is_banned", json_object_new_boolean(db_get_bool(res, row, col + 5)));
	jv_put(o, "created_at", jv_timestamp(db_get_str(res, row, col + 6)));
	return o;
}

static json_object *int_or_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL
		: json_object_new_int64(db_get_int(res, row, col));
}

/* {"message": message} */
static void reply_message(struct req *r, const char *message)
{
	json_object *o = json_object_new_object();

	jv_put(o, "message", json_object_new_string(message));
	reply_json(r, 200, o);
}

/* GET /auth/me: 200 User of the moderator. */
static void h_me(struct req *r)
{
	reply_json(r, 200, user_json(&r->user, 1));
}

/* The post of a report row (columns 7..14), null when it is gone. */
static json_object *report_post_json(struct req *r, const PGresult *res, int i)
{
	json_object *p, *author, *photos;

	if (PQgetisnull(res, i, 7))
		return NULL;
	p = json_object_new_object();
	jv_put(p, "id", json_object_new_int64(db_get_int(res, i, 7)));
	jv_put(p, "author_id", json_object_new_int64(db_get_int(res, i, 8)));
	jv_put(p, "content", jv_str(db_get_str(res, i, 9)));
	jv_put(p, "created_at", jv_timestamp(db_get_str(res, i, 10)));
	photos = json_tokener_parse(db_get_str(res, i, 11));
	jv_put(p, "photo_urls", photos ? photos : json_object_new_array());
	jv_put(p, "photo_urls_presigned",
	       mod_photo_urls(r->arena, db_get_str(res, i, 11)));
	author = NULL;
	if (!PQgetisnull(res, i, 12)) {
		author = json_object_new_object();
		jv_put(author, "id", json_object_new_int64(db_get_int(res, i, 12)));
		jv_put(author, "email", jv_str(db_get_str(res, i, 13)));
		jv_put(author, "username", jv_str(db_get_str(res, i, 14)));
	}
	jv_put(p, "author", author);
	return p;
}

/* One Report of a mod_reports() row. */
static json_object *report_json(struct req *r, const PGresult *res, int i)
{
	json_object *o = json_object_new_object();

	jv_put(o, "id", json_object_new_int64(db_get_int(res, i, 0)));
	jv_put(o, "post_id", json_object_new_int64(db_get_int(res, i, 1)));
	jv_put(o, "reported_by_id", int_or_null(res, i, 2));
	jv_put(o, "reason", jv_str(db_get_str(res, i, 3)));
	jv_put(o, "created_at", jv_timestamp(db_get_str(res, i, 4)));
	jv_put(o, "resolved_at", jv_timestamp(db_get_str(res, i, 5)));
	jv_put(o, "resolved_by_id", int_or_null(res, i, 6));
	jv_put(o, "post", report_post_json(r, res, i));
	jv_put(o, "reported_by", mod_user_json(res, i, 15));
	return o;
}

/*
 * GET /moderation/reported-posts?skip&limit&unresolved_only: 200 [Report],
 * unresolved first, then newest; 422 bad paging.
 */
static void h_reports(struct req *r)
{
	PGresult *res = NULL;
	enum result rr = mod_reports(r->arena, r->arg[PAGE_SKIP].i,
				     r->arg[PAGE_LIMIT].i, r->arg[PAGE_FILTER].b,
				     &res);

	reply_rows(r, rr, res, report_json);
}

/* POST /moderation/reported-posts/{report_id}/resolve: 200; 404; 400
 * already resolved. */
static void h_resolve(struct req *r)
{
	enum result rr = mod_resolve_report(r->arena, r->user.id,
					    (long)r->path_arg[0].i);

	if (rr != RES_OK)
		reply_result(r, rr);
	else
		reply_message(r, "Report marked as resolved");
}

static json_object *mod_user_row(struct req *r, const PGresult *res, int i)
{
	(void)r;
	return mod_user_json(res, i, 0);
}

/* GET /moderation/users?skip&limit&search: 200 [ModUser] newest first. */
static void h_users(struct req *r)
{
	PGresult *res = NULL;
	enum result rr = mod_users(r->arena, r->arg[PAGE_SKIP].i,
				   r->arg[PAGE_LIMIT].i, r->arg[PAGE_FILTER].s,
				   &res);

	reply_rows(r, rr, res, mod_user_row);
}

static void set_banned(struct req *r, int ban)
{
	const char *email = NULL;
	enum result rr = mod_set_banned(r->arena, r->user.id,
					(long)r->path_arg[0].i, ban, &email);

	if (rr != RES_OK)
		reply_result(r, rr);
	else
		reply_message(r, arena_printf(r->arena, "User %s has been %s",
					      email, ban ? "banned" : "unbanned"));
}

/* POST /moderation/users/{user_id}/ban: 200; 404; 400 oneself. */
static void h_ban(struct req *r)
{
	set_banned(r, 1);
}

/* POST /moderation/users/{user_id}/unban: 200; 404. */
static void h_unban(struct req *r)
{
	set_banned(r, 0);
}

/* One registration request of a mod_requests() row; status lower-cased. */
static json_object *request_json(struct req *r, const PGresult *res, int i)
{
	json_object *o = json_object_new_object();
	char status[16];
	size_t n;

	(void)r;
	snprintf(status, sizeof(status), "%s", db_get_str(res, i, 5));
	for (n = 0; status[n]; n++)
		status[n] = (char)tolower((unsigned char)status[n]);
	jv_put(o, "id", json_object_new_int64(db_get_int(res, i, 0)));
	jv_put(o, "email", jv_str(db_get_str(res, i, 1)));
	jv_put(o, "google_id", jv_str(db_get_str(res, i, 2)));
	jv_put(o, "full_name", jv_str(db_get_str(res, i, 3)));
	jv_put(o, "picture_url", jv_str(db_get_str(res, i, 4)));
	jv_put(o, "status", json_object_new_string(status));
	jv_put(o, "created_at", jv_timestamp(db_get_str(res, i, 6)));
	jv_put(o, "reviewed_at", jv_timestamp(db_get_str(res, i, 7)));
	jv_put(o, "reviewed_by_id", int_or_null(res, i, 8));
	jv_put(o, "reviewed_by", mod_user_json(res, i, 9));
	return o;
}

/*
 * GET /moderation/registration-requests?skip&limit&status_filter: 200
 * newest first; 400 unknown status_filter; 422 bad paging.
 */
static void h_requests(struct req *r)
{
	PGresult *res = NULL;
	enum result rr = mod_requests(r->arena, r->arg[PAGE_SKIP].i,
				      r->arg[PAGE_LIMIT].i, r->arg[PAGE_FILTER].s,
				      &res);

	reply_rows(r, rr, res, request_json);
}

/* POST /moderation/registration-requests/{request_id}/approve: 200
 * {"message","user_id"}; 404; 400 not pending. */
static void h_approve(struct req *r)
{
	long user_id = 0;
	enum result rr = mod_approve(r->arena, r->user.id, (long)r->path_arg[0].i,
				     &user_id);
	json_object *o;

	if (rr != RES_OK) {
		reply_result(r, rr);
		return;
	}
	o = json_object_new_object();
	jv_put(o, "message", json_object_new_string("Registration approved"));
	jv_put(o, "user_id", json_object_new_int64(user_id));
	reply_json(r, 200, o);
}

/* POST /moderation/registration-requests/{request_id}/deny: 200; 404;
 * 400 not pending. */
static void h_deny(struct req *r)
{
	enum result rr = mod_deny(r->arena, r->user.id, (long)r->path_arg[0].i);

	if (rr != RES_OK)
		reply_result(r, rr);
	else
		reply_message(r, "Registration denied");
}

/* DELETE /moderation/posts/{post_id}: 200 {"message"}, the post and all
 * on it gone in one transaction, its photos deleted after; 404. */
static void h_delete_post(struct req *r)
{
	enum result rr = mod_delete_post(r->arena, (long)r->path_arg[0].i);

	if (rr != RES_OK)
		reply_result(r, rr);
	else
		reply_message(r, "Post deleted");
}

/* DELETE /moderation/users/{user_id}: 200 {"message"}, the member and
 * all of theirs gone in one transaction; 404; 400 oneself. */
static void h_delete_user(struct req *r)
{
	enum result rr = mod_delete_user(r->arena, r->user.id,
					 (long)r->path_arg[0].i);

	if (rr != RES_OK)
		reply_result(r, rr);
	else
		reply_message(r, "User and all their data deleted");
}

static const struct route routes[] = {
	{ M_GET, "/auth/me", h_me, AUTH_MODERATOR, BODY_NONE, NULL },
	{ M_GET, "/moderation/reported-posts", h_reports, AUTH_MODERATOR,
	  BODY_NONE, reports_query },
	{ M_POST, "/moderation/reported-posts/{report_id:int}/resolve", h_resolve,
	  AUTH_MODERATOR, BODY_NONE, NULL },
	{ M_DELETE, "/moderation/posts/{post_id:int}", h_delete_post,
	  AUTH_MODERATOR, BODY_NONE, NULL },
	{ M_GET, "/moderation/users", h_users, AUTH_MODERATOR, BODY_NONE,
	  users_query },
	{ M_DELETE, "/moderation/users/{user_id:int}", h_delete_user,
	  AUTH_MODERATOR, BODY_NONE, NULL },
	{ M_POST, "/moderation/users/{user_id:int}/ban", h_ban, AUTH_MODERATOR,
	  BODY_NONE, NULL },
	{ M_POST, "/moderation/users/{user_id:int}/unban", h_unban,
	  AUTH_MODERATOR, BODY_NONE, NULL },
	{ M_GET, "/moderation/registration-requests", h_requests, AUTH_MODERATOR,
	  BODY_NONE, requests_query },
	{ M_POST, "/moderation/registration-requests/{request_id:int}/approve",
	  h_approve, AUTH_MODERATOR, BODY_NONE, NULL },
	{ M_POST, "/moderation/registration-requests/{request_id:int}/deny",
	  h_deny, AUTH_MODERATOR, BODY_NONE, NULL },
};
const struct route_group moderation_admin_routes = ROUTE_GROUP(routes);
