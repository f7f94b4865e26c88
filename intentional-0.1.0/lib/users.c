#include <string.h>

#include "arena.h"
#include "db.h"
#include "jsonv.h"
#include "users.h"

#define MAX_BIO 500
#define MAX_PAGE 100

enum {
	USER_BY_ID,
	USER_SET_BIO,
	USER_BY_USERNAME,
	USER_PAGE,
	USER_SEARCH,
	USER_SET_USERNAME,
	USER_INSERT,

	USER_SET_AVATAR,
};

static struct db_stmt stmts[] = {
	[USER_BY_ID] = { "user_by_id",
		"SELECT " USER_COLUMNS " FROM users WHERE id = $1", 0 },
	[USER_SET_BIO] = { "user_set_bio",
		"UPDATE users SET bio = $2 WHERE id = $1"
		" RETURNING " USER_COLUMNS, 0 },
	[USER_BY_USERNAME] = { "user_by_username",
		"SELECT " USER_COLUMNS " FROM users WHERE username = $1", 0 },
	[USER_PAGE] = { "user_page",
		"SELECT " USER_COLUMNS " FROM users WHERE NOT is_banned"
		" ORDER BY id OFFSET $1 LIMIT $2", 0 },
	[USER_SEARCH] = { "user_search",
		"SELECT " USER_COLUMNS " FROM users"
		" WHERE id <> $1 AND NOT is_banned"
		" AND (lower(username) = lower($2) OR email = $2) ORDER BY id", 0 },
	/* only while unset: a username is chosen once */
	[USER_SET_USERNAME] = { "user_set_username",
		"UPDATE users SET username = $2 WHERE id = $1 AND username IS NULL"
		" RETURNING " USER_COLUMNS, 0 },
	[USER_INSERT] = { "user_insert",
		"INSERT INTO users (email, username, created_at, google_id,"
		" auth_provider, full_name, picture_url, is_banned)"
		" VALUES ($1, NULL, now() AT TIME ZONE 'UTC', $2, $3, $4, $5, false)"
		" RETURNING " USER_COLUMNS, 0 },
	/* the old key comes from a row locked before the update, so it is
	 * the one this update replaced even when two uploads race */
	[USER_SET_AVATAR] = { "user_set_avatar",
		"UPDATE users SET avatar_url = $2 FROM (SELECT id AS old_id,"
		" avatar_url AS old_avatar FROM users WHERE id = $1 FOR UPDATE) o"
		" WHERE users.id = o.old_id"
		" RETURNING " USER_COLUMNS ", o.old_avatar", 0 },
};

/* Column order of every statement that returns whole users. */
void user_from_row(const PGresult *res, int row, struct user *u)
{
	u->id = (long)db_get_int(res, row, 0);
	u->email = db_get_str(res, row, 1);
	u->username = db_get_str(res, row, 2);
	u->google_id = db_get_str(res, row, 3);
	u->auth_provider = db_get_str(res, row, 4);
	u->full_name = db_get_str(res, row, 5);
	u->picture_url = db_get_str(res, row, 6);
	u->display_name = db_get_str(res, row, 7);
	u->avatar_url = db_get_str(res, row, 8);
	u->bio = db_get_str(res, row, 9);
	u->created_at = db_get_str(res, row, 10);
	u->is_banned = db_get_bool(res, row, 11);
}

/* The one user statement st finds for param; RES_NOT_FOUND if none. */
static enum result load_one(struct arena *a, int st, const char *param,
			    struct user *out)
{
	PGresult *res;
	enum result r = db_exec(a, &stmts[st], 1, &param, &res);

	if (r != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "user not found");
	user_from_row(res, 0, out);
	return RES_OK;
}

enum result user_load(struct arena *a, long id, struct user *out)
{
	return load_one(a, USER_BY_ID, db_int(a, id), out);
}

enum result user_set_bio(struct arena *a, struct user *u, const char *bio)
{
	const char *p[2];
	PGresult *res;
	enum result r;

	if (bio != NULL && utf8_length(bio, strlen(bio)) > MAX_BIO)
		return fail_with(RES_BAD_REQUEST, "bio must be at most 500 characters");
	p[0] = db_int(a, u->id);
	p[1] = bio;
	if ((r = db_exec(a, &stmts[USER_SET_BIO], 2, p, &res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "user not found");
	user_from_row(res, 0, u);
	return RES_OK;
}

enum result user_by_username(struct arena *a, const char *username,
			     struct user *out)
{
	return load_one(a, USER_BY_USERNAME, username, out);
}

static void list_from_result(struct arena *a, const PGresult *res,
			     struct user_list *out)
{
	int i;

	out->n = PQntuples(res);
	out->items = arena_calloc(a, (size_t)(out->n ? out->n : 1),
				  sizeof(struct user));
	for (i = 0; i < out->n; i++)
		user_from_row(res, i, &out->items[i]);
}

enum result user_list_page(struct arena *a, long long skip, long long limit,
			   struct user_list *out)
{
	const char *p[] = { db_int(a, skip),
			    db_int(a, limit > MAX_PAGE ? MAX_PAGE : limit) };
	PGresult *res;
	enum result r = db_exec(a, &stmts[USER_PAGE], 2, p, &res);

	if (r == RES_OK)
		list_from_result(a, res, out);
	return r;
}

enum result user_search(struct arena *a, long caller_id, const char *q,
			struct user_list *out)
{
	const char *p[] = { db_int(a, caller_id), q };
	PGresult *res;
	enum result r;

	if (utf8_length(q, strlen(q)) < 2)
		return fail_with(RES_BAD_REQUEST,
				 "search query must be at least 2 characters");
	if ((r = db_exec(a, &stmts[USER_SEARCH], 2, p, &res)) == RES_OK)
		list_from_result(a, res, out);
	return r;
}

int username_valid(const char *name)
{
	size_t n = strlen(name), i;
	int alnum = 0;

	if (n < 3 || n > 50)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			alnum = 1;
		else if (c != '_' && c != '-')
			return 0;
	}
	return alnum;
}

enum result user_select_username(struct arena *a, struct user *u,
				 const char *username)
{
	char *name = arena_strdup(a, username), *c;
	const char *p[2];
	PGresult *res;
	enum result r;

	for (c = name; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (!username_valid(name))
		return fail_with(RES_INVALID, "username must be 3 to 50 characters"
				 " of letters, digits, '_' and '-', with at least"
				 " one letter or digit");
	if (u->username != NULL)
		return fail_with(RES_BAD_REQUEST, "username already set; it "
				 "cannot be changed");
	p[0] = db_int(a, u->id);
	p[1] = name;
	r = db_exec(a, &stmts[USER_SET_USERNAME], 2, p, &res);
	if (r == RES_CONFLICT)
		return fail_with(RES_BAD_REQUEST, "username already taken");
	if (r != RES_OK)
		return r;
	if (PQntuples(res) == 0)	/* set by a concurrent request */
		return fail_with(RES_BAD_REQUEST, "username already set; it "
				 "cannot be changed");
	user_from_row(res, 0, u);
	return RES_OK;
}

enum result user_create(struct arena *a, const char *email,
			const char *google_id, const char *full_name,
			const char *picture_url, struct user *out)
{
	const char *provider = strncmp(google_id, PASSWORD_ID_PREFIX,
				       strlen(PASSWORD_ID_PREFIX)) == 0
			       ? "password" : "google";
	const char *p[] = { email, google_id, provider, full_name, picture_url };
	PGresult *res;
	enum result r = db_exec(a, &stmts[USER_INSERT], 5, p, &res);

	if (r == RES_OK)
		user_from_row(res, 0, out);
	return r;
}

enum result user_set_avatar(struct arena *a, struct user *u, const char *key,
			    const char **old_key)
{
	const char *p[] = { db_int(a, u->id), key };
	PGresult *res;
	enum result r = db_exec(a, &stmts[USER_SET_AVATAR], 2, p, &res);

	if (r != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "user not found");
	user_from_row(res, 0, u);
	*old_key = db_get_str(res, 0, PQfnumber(res, "old_avatar"));
	return RES_OK;
}
