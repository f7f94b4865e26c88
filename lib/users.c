#include <string.h>

#include "arena.h"
#include "db.h"
#include "jsonv.h"
#include "users.h"

#define USER_COLUMNS \
	"id, email, username, google_id, auth_provider, full_name," \
	" picture_url, display_name, avatar_url, bio, created_at, is_banned"

#define MAX_BIO 500

enum {
	USER_BY_ID,
	USER_SET_BIO,
};

static struct db_stmt stmts[] = {
	[USER_BY_ID] = { "user_by_id",
		"SELECT " USER_COLUMNS " FROM users WHERE id = $1", 0 },
	[USER_SET_BIO] = { "user_set_bio",
		"UPDATE users SET bio = $2 WHERE id = $1"
		" RETURNING " USER_COLUMNS, 0 },
};

/* Column order of every statement that returns whole users. */
static void user_from_row(const PGresult *res, int row, struct user *u)
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

enum result user_load(struct arena *a, long id, struct user *out)
{
	const char *p[] = { db_int(a, id) };
	PGresult *res;
	enum result r = db_exec(a, &stmts[USER_BY_ID], 1, p, &res);

	if (r != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "user not found");
	user_from_row(res, 0, out);
	return RES_OK;
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
