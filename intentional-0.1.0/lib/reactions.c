#include <stddef.h>

#include "arena.h"
#include "db.h"
#include "jsonv.h"
#include "reactions.h"
#include "social.h"
#include "text.h"
#include "users_json.h"

/* Whether viewer v may see who reactor r.user_id is (routes 40 and 43). */
#define REACTOR_NAMED(v) \
	"(p.author_id = " v " OR r.user_id = " v " OR " \
	SQL_CONNECTED("r.user_id", v) ")"

#define REACTOR_LISTED(v) \
	"(p.author_id = " v " OR r.user_id = " v " OR (" \
	SQL_CONNECTED("r.user_id", v) " AND (r.user_id = p.author_id OR " \
	SQL_CONNECTED("r.user_id", "p.author_id") ")))"

#define REACTION_COLUMNS \
	"r.id, r.post_id, r.user_id, r.emoji, r.created_at, " \
	SQL_AUTHOR_COLUMNS("u")

enum {
	REACTION_SET,
	REACTION_LIST,
	REACTION_DELETE,
	REACTION_REACTORS,
};

static struct db_stmt stmts[] = {
	/*
	 * $1 post, $2 caller, $3 emoji.  The key-share lock keeps the post
	 * from being deleted under the new row; the unique constraint makes
	 * concurrent first reactions of one member one row.
	 */
	[REACTION_SET] = { "reaction_set",
		"WITH p AS (" SQL_VISIBLE_POST("$1", "$2") " FOR KEY SHARE OF p),"
		" r AS (INSERT INTO reactions (post_id, user_id, emoji, created_at)"
		" SELECT p.id, $2, $3, " SQL_NOW_UTC " FROM p"
		" ON CONFLICT ON CONSTRAINT uq_reaction_post_user"
		" DO UPDATE SET emoji = EXCLUDED.emoji"
		" RETURNING id, post_id, user_id, emoji, created_at)"
		" SELECT " REACTION_COLUMNS
		" FROM r JOIN users u ON u.id = r.user_id", 0 },
	/* $1 post, $2 viewer; one row with NULL reaction columns when none. */
	[REACTION_LIST] = { "reaction_list",
		"WITH p AS (" SQL_VISIBLE_POST("$1", "$2") ")"
		" SELECT " REACTION_COLUMNS
		" FROM p LEFT JOIN reactions r ON r.post_id = p.id"
		" LEFT JOIN users u ON u.id = r.user_id AND " REACTOR_NAMED("$2")
		" ORDER BY r.created_at, r.id", 0 },
	/* $1 post, $2 caller: whether the post is visible, rows deleted. */
	[REACTION_DELETE] = { "reaction_delete",
		"WITH p AS (" SQL_VISIBLE_POST("$1", "$2") "),"
		" d AS (DELETE FROM reactions r USING p"
		" WHERE r.post_id = p.id AND r.user_id = $2 RETURNING r.id)"
		" SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM d)", 0 },
	/*
	 * $1 post, $2 viewer, $3 emoji or NULL for all.  One row with NULL
	 * columns when nobody is listed.
	 */
	[REACTION_REACTORS] = { "reaction_reactors",
		"WITH p AS (" SQL_VISIBLE_POST("$1", "$2") ")"
		" SELECT " SQL_AUTHOR_COLUMNS("u") ", r.emoji"
		" FROM p LEFT JOIN (reactions r JOIN users u ON u.id = r.user_id)"
		" ON r.post_id = p.id AND ($3::text IS NULL OR r.emoji = $3::text)"
		" AND " REACTOR_LISTED("$2")
		" ORDER BY r.created_at, r.id", 0 },
};

static const struct row_keys reaction_keys = {
	"id", "post_id", "user_id", "emoji", "user",
};

static json_object *reaction_json(const PGresult *res, int row)
{
	return social_row_json(res, row, &reaction_keys);
}

/* Runs a statement of $1 post, $2 viewer and, for set and reactors, $3. */
static enum result run(struct arena *a, int stmt, long post_id, long viewer,
		       const char *text, PGresult **res)
{
	int nparams = stmt == REACTION_SET || stmt == REACTION_REACTORS ? 3 : 2;

	return social_exec(a, &stmts[stmt], nparams, post_id, viewer, text, res);
}

enum result reaction_set(struct arena *a, long viewer, long post_id,
			 const char *emoji, json_object **out)
{
	const char *trimmed;
	PGresult *res;
	enum result r;

	if (text_trimmed(a, emoji, MAX_EMOJI_CHARS, &trimmed) < 0)
		return fail_with(RES_BAD_REQUEST, *trimmed == '\0'
				 ? "emoji cannot be empty"
				 : "emoji must be at most 10 characters");
	if ((r = run(a, REACTION_SET, post_id, viewer, trimmed, &res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "post not found");
	*out = reaction_json(res, 0);
	return RES_OK;
}

enum result reaction_list(struct arena *a, long viewer, long post_id,
			  json_object **out)
{
	return social_list_query(a, &stmts[REACTION_LIST], post_id, viewer,
				 reaction_json, "post not found", out);
}

enum result reaction_delete(struct arena *a, long viewer, long post_id)
{
	PGresult *res;
	enum result r;

	if ((r = run(a, REACTION_DELETE, post_id, viewer, NULL, &res)) != RES_OK)
		return r;
	if (db_get_int(res, 0, 0) == 0)
		return fail_with(RES_NOT_FOUND, "post not found");
	if (db_get_int(res, 0, 1) == 0)
		return fail_with(RES_NOT_FOUND, "reaction not found");
	return RES_OK;
}

/* Route 42's reactor: an Author whose unset username is "". */
static json_object *reactor_json(const PGresult *res, int row)
{
	json_object *o = author_json(res, row, 0);

	if (PQgetisnull(res, row, 1))
		json_object_object_add(o, "username", json_object_new_string(""));
	return o;
}

/* Route 43's item: {"user": Author, "emoji"}. */
static json_object *reactor_item_json(const PGresult *res, int row)
{
	json_object *o = json_object_new_object();

	jv_put(o, "user", author_json(res, row, 0));
	jv_put(o, "emoji", jv_str(db_get_str(res, row, 4)));
	return o;
}

enum result reaction_reactors(struct arena *a, long viewer, long post_id,
			      const char *emoji, json_object **out)
{
	json_object *list;
	PGresult *res;
	enum result r;

	if ((r = run(a, REACTION_REACTORS, post_id, viewer, emoji, &res)) != RES_OK)
		return r;
	if (emoji == NULL)
		return social_list(res, reactor_item_json, "post not found", out);
	if ((r = social_list(res, reactor_json, "post not found", &list)) != RES_OK)
		return r;
	*out = json_object_new_object();
	jv_put(*out, "emoji", json_object_new_string(emoji));
	jv_put(*out, "reactors", list);
	return RES_OK;
}
