/*
 * Pieces shared by comments, replies and reactions (lib/comments.c,
 * lib/reactions.c): SQL fragments pasted into their prepared statements
 * and the JSON of their rows.
 */
#ifndef SOCIAL_H
#define SOCIAL_H

#include <json-c/json.h>
#include <libpq-fe.h>

#include "result.h"
#include "visibility.h"

struct arena;
struct db_stmt;

/* Every stored timestamp but posts.created_at is UTC wall-clock time. */
#define SQL_NOW_UTC "(now() AT TIME ZONE 'UTC')"

/*
 * The post of id, with its author, if viewer may see it: the first step of
 * every comment, reply and reaction statement.  Invisible and missing
 * posts look the same (404), so existence is never revealed.
 */
#define SQL_VISIBLE_POST(id, viewer) \
	"SELECT p.id, p.author_id FROM posts p WHERE p.id = " id \
	" AND " SQL_POST_VISIBLE("p", viewer)

/* The Author columns of users alias u (users_json.h author_json()). */
#define SQL_AUTHOR_COLUMNS(u) \
	u ".id, " u ".username, " u ".display_name, " u ".full_name"

/*
 * Comments, replies and reactions share a row shape: columns 0..4 are
 * id, parent id, author id, text, created_at, and columns 5..8 the
 * author's Author columns (all NULL to hide the author).  keys names the
 * first four in the JSON ({"id", "post_id", "author_id", "content"});
 * author_key names the Author object.  A hidden author is sent as
 * author_key: null with the author id 0 (API.md route 40).
 */
struct row_keys {
	const char *id, *parent_id, *author_id, *text, *author;
};

json_object *social_row_json(const PGresult *res, int row,
			     const struct row_keys *keys);

/* Renders one row of a result. */
typedef json_object *row_json_fn(const PGresult *res, int row);

/*
 * The JSON array of a list statement that starts from SQL_VISIBLE_POST
 * and LEFT JOINs the listed rows: no row means the post (or comment) is
 * missing or hidden, RES_NOT_FOUND with the message missing; rows with a
 * NULL column 0 are the empty side of the join and are skipped.
 */
enum result social_list(const PGresult *res, row_json_fn *row_json,
			const char *missing, json_object **out);

/*
 * Runs st with $1 id (a post or comment), $2 viewer and, when nparams is
 * 3, $3 text (NULL = SQL NULL).
 */
enum result social_exec(struct arena *a, struct db_stmt *st, int nparams,
			long id, long viewer, const char *text, PGresult **res);

/* social_exec() of a two-parameter list statement, then social_list(). */
enum result social_list_query(struct arena *a, struct db_stmt *st, long id,
			      long viewer, row_json_fn *row_json,
			      const char *missing, json_object **out);

#endif
