#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "arena.h"
#include "cascade.h"
#include "db.h"
#include "jsonv.h"
#include "moderation.h"
#include "storage.h"
#include "users.h"

#define UTC_NOW "(now() AT TIME ZONE 'UTC')"
#define MOD_USER(t) \
	t ".id, " t ".email, " t ".username, " t ".full_name, " \
	t ".display_name, " t ".is_banned, " t ".created_at"
#define MAX_PAGE 100

enum {
	MOD_REPORTS,
	MOD_RESOLVE,
	MOD_USERS,
	MOD_SET_BANNED,
	MOD_REQUESTS,
	MOD_REQUEST_LOCK,
	MOD_EXISTING_USER,
	MOD_REVIEW,
	MOD_FORGET_ACCOUNT,
};

static struct db_stmt stmts[] = {
	[MOD_REPORTS] = { "mod_reports",
		"SELECT r.id, r.post_id, r.reported_by_id, r.reason, r.created_at,"
		" r.resolved_at, r.resolved_by_id, p.id, p.author_id,"
		" CASE WHEN char_length(p.content) > 200"
		"  THEN left(p.content, 200) || '...' ELSE p.content END,"
		" p.created_at, coalesce(p.photo_urls::text, '[]'),"
		" a.id, a.email, a.username, " MOD_USER("u")
		" FROM reported_posts r LEFT JOIN posts p ON p.id = r.post_id"
		" LEFT JOIN users a ON a.id = p.author_id"
		" LEFT JOIN users u ON u.id = r.reported_by_id"
		" WHERE NOT $3 OR r.resolved_at IS NULL"
		" ORDER BY r.resolved_at IS NULL DESC, r.created_at DESC, r.id DESC"
		" OFFSET $1 LIMIT $2", 0 },
	/* reports found, reports resolved now */
	[MOD_RESOLVE] = { "mod_resolve",
		"WITH r AS (SELECT id, resolved_at FROM reported_posts"
		"  WHERE id = $1 FOR UPDATE),"
		" u AS (UPDATE reported_posts SET resolved_at = " UTC_NOW ","
		"  resolved_by_id = $2 WHERE id IN"
		"  (SELECT id FROM r WHERE resolved_at IS NULL) RETURNING id)"
		" SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM u)", 0 },
	[MOD_USERS] = { "mod_users",
		"SELECT " MOD_USER("u") " FROM users u WHERE $3::text IS NULL"
		" OR strpos(lower(u.email), lower($3)) > 0"
		" OR strpos(lower(u.username), lower($3)) > 0"
		" OR strpos(lower(u.full_name), lower($3)) > 0"
		" ORDER BY u.created_at DESC, u.id DESC OFFSET $1 LIMIT $2", 0 },
	[MOD_SET_BANNED] = { "mod_set_banned",
		"UPDATE users SET is_banned = $2 WHERE id = $1 RETURNING email", 0 },
	[MOD_REQUESTS] = { "mod_requests",
		"SELECT q.id, q.email, q.google_id, q.full_name, q.picture_url,"
		" q.status, q.created_at, q.reviewed_at, q.reviewed_by_id, "
		MOD_USER("u") " FROM registration_requests q"
		" LEFT JOIN users u ON u.id = q.reviewed_by_id"
		" WHERE $3::registrationstatus IS NULL OR q.status = $3"
		" ORDER BY q.created_at DESC, q.id DESC OFFSET $1 LIMIT $2", 0 },
	[MOD_REQUEST_LOCK] = { "mod_request_lock",
		"SELECT email, google_id, full_name, picture_url, status"
		" FROM registration_requests WHERE id = $1 FOR UPDATE", 0 },
	[MOD_EXISTING_USER] = { "mod_existing_user",
		"SELECT id FROM users WHERE email = $1 OR google_id = $2"
		" ORDER BY id LIMIT 1", 0 },
	[MOD_REVIEW] = { "mod_review",
		"UPDATE registration_requests SET status = $2,"
		" reviewed_at = " UTC_NOW ", reviewed_by_id = $3 WHERE id = $1", 0 },
	/* what the cascade does not know: our password tables, the request */
	[MOD_FORGET_ACCOUNT] = { "mod_forget_account",
		"WITH u AS (SELECT google_id FROM users WHERE id = $1),"
		" c AS (DELETE FROM intentional_credentials"
		"  WHERE google_id IN (SELECT google_id FROM u)),"
		" f AS (DELETE FROM intentional_login_failures"
		"  WHERE account IN (SELECT google_id FROM u))"
		" DELETE FROM registration_requests"
		" WHERE google_id IN (SELECT google_id FROM u)", 0 },
};

static const char *page_limit(struct arena *a, long long limit)
{
	return db_int(a, limit > MAX_PAGE ? MAX_PAGE : limit);
}

enum result mod_reports(struct arena *a, long long skip, long long limit,
			int unresolved_only, PGresult **out)
{
	const char *p[] = { db_int(a, skip), page_limit(a, limit),
			    db_bool(unresolved_only) };

	return db_exec(a, &stmts[MOD_REPORTS], 3, p, out);
}

enum result mod_resolve_report(struct arena *a, long moderator, long report_id)
{
	const char *p[] = { db_int(a, report_id), db_int(a, moderator) };
	PGresult *res;
	enum result r = db_exec(a, &stmts[MOD_RESOLVE], 2, p, &res);

	if (r != RES_OK)
		return r;
	if (db_get_int(res, 0, 0) == 0)
		return fail_with(RES_NOT_FOUND, "report not found");
	if (db_get_int(res, 0, 1) == 0)
		return fail_with(RES_BAD_REQUEST, "report already resolved");
	return RES_OK;
}

enum result mod_users(struct arena *a, long long skip, long long limit,
		      const char *search, PGresult **out)
{
	const char *p[] = { db_int(a, skip), page_limit(a, limit),
			    search && *search ? search : NULL };

	return db_exec(a, &stmts[MOD_USERS], 3, p, out);
}

enum result mod_set_banned(struct arena *a, long moderator, long user_id,
			   int ban, const char **email)
{
	const char *p[] = { db_int(a, user_id), db_bool(ban) };
	PGresult *res;
	enum result r;

	if (ban && user_id == moderator)
		return fail_with(RES_BAD_REQUEST, "you cannot ban yourself");
	if ((r = db_exec(a, &stmts[MOD_SET_BANNED], 2, p, &res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "user not found");
	*email = db_get_str(res, 0, 0);
	return RES_OK;
}

enum result mod_requests(struct arena *a, long long skip, long long limit,
			 const char *status, PGresult **out)
{
	static const char *const known[] = { "PENDING", "APPROVED", "DENIED" };
	const char *p[] = { db_int(a, skip), page_limit(a, limit), NULL };
	size_t i;

	if (status != NULL && *status != '\0') {
		for (i = 0; i < 3 && strcasecmp(status, known[i]) != 0; i++)
			;
		if (i == 3)
			return fail_with(RES_BAD_REQUEST, "status_filter must be "
					 "pending, approved or denied");
		p[2] = known[i];
	}
	return db_exec(a, &stmts[MOD_REQUESTS], 3, p, out);
}

struct review_ctx {
	long moderator, id;
	int approve;
	long user_id;
};

/* Locks the request; RES_NOT_FOUND, RES_BAD_REQUEST when not pending. */
static enum result review_tx(struct arena *a, void *ctx)
{
	struct review_ctx *c = ctx;
	const char *id = db_int(a, c->id);
	const char *review[] = { id, c->approve ? "APPROVED" : "DENIED",
				 db_int(a, c->moderator) };
	PGresult *req, *res;
	struct user u;
	enum result r = db_exec(a, &stmts[MOD_REQUEST_LOCK], 1, &id, &req);

	if (r != RES_OK)
		return r;
	if (PQntuples(req) == 0)
		return fail_with(RES_NOT_FOUND, "registration request not found");
	if (strcmp(db_get_str(req, 0, 4), "PENDING") != 0)
		return fail_with(RES_BAD_REQUEST, "registration request is not "
				 "pending");
	if (c->approve) {
		const char *who[] = { db_get_str(req, 0, 0), db_get_str(req, 0, 1) };

		r = db_exec(a, &stmts[MOD_EXISTING_USER], 2, who, &res);
		if (r != RES_OK)
			return r;
		if (PQntuples(res) > 0)
			c->user_id = (long)db_get_int(res, 0, 0);
		else if ((r = user_create(a, who[0], who[1], db_get_str(req, 0, 2),
					  db_get_str(req, 0, 3), &u)) != RES_OK)
			return r;
		else
			c->user_id = u.id;
	}
	return db_exec(a, &stmts[MOD_REVIEW], 3, review, &res);
}

enum result mod_approve(struct arena *a, long moderator, long request_id,
			long *user_id)
{
	struct review_ctx c = { moderator, request_id, 1, 0 };
	enum result r = db_transaction(a, review_tx, &c);

	*user_id = c.user_id;
	return r;
}

enum result mod_deny(struct arena *a, long moderator, long request_id)
{
	struct review_ctx c = { moderator, request_id, 0, 0 };

	return db_transaction(a, review_tx, &c);
}

struct delete_ctx {
	long id;
	struct key_list keys;
};

static enum result delete_post_tx(struct arena *a, void *ctx)
{
	struct delete_ctx *c = ctx;

	return post_delete_cascade(a, c->id, 0, &c->keys);
}

static enum result delete_user_tx(struct arena *a, void *ctx)
{
	struct delete_ctx *c = ctx;
	const char *p[] = { db_int(a, c->id) };
	PGresult *res;
	enum result r = db_exec(a, &stmts[MOD_FORGET_ACCOUNT], 1, p, &res);

	return r != RES_OK ? r : user_delete_cascade(a, c->id, &c->keys);
}

/* Runs fn in a transaction, then deletes the storage keys it collected. */
static enum result delete_then_forget_keys(struct arena *a, long id,
					   enum result (*fn)(struct arena *,
							     void *))
{
	struct delete_ctx c = { id, { NULL, 0 } };
	enum result r = db_transaction(a, fn, &c);

	if (r == RES_OK && c.keys.n > 0)
		storage_delete_keys(a, c.keys.keys, c.keys.n);
	return r;
}

enum result mod_delete_post(struct arena *a, long post_id)
{
	return delete_then_forget_keys(a, post_id, delete_post_tx);
}

enum result mod_delete_user(struct arena *a, long moderator, long user_id)
{
	if (user_id == moderator)
		return fail_with(RES_BAD_REQUEST, "you cannot delete yourself");
	return delete_then_forget_keys(a, user_id, delete_user_tx);
}

json_object *mod_photo_urls(struct arena *a, const char *photo_keys_json)
{
	json_object *keys = NULL, *urls = json_object_new_array();
	size_t i, n;

	if (photo_keys_json == NULL ||
	    jv_parse(a, photo_keys_json, strlen(photo_keys_json), &keys) < 0 ||
	    !json_object_is_type(keys, json_type_array))
		return urls;
	n = json_object_array_length(keys);
	for (i = 0; i < n; i++) {
		json_object *k = json_object_array_get_idx(keys, i);
		struct storage_location loc = { NULL, NULL };

		if (json_object_is_type(k, json_type_string) &&
		    storage_locate(a, json_object_get_string(k), &loc) == RES_OK &&
		    loc.url != NULL)
			json_object_array_add(urls, json_object_new_string(loc.url));
	}
	return urls;
}
