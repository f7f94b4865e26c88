#include <stddef.h>

#include "arena.h"
#include "comments.h"
#include "db.h"
#include "jsonv.h"
#include "social.h"
#include "text.h"

/*
 * Rule 6.5 for comment c on post p (with p.author_id) and viewer v: the
 * post's author sees all, others their own and those of their connections.
 */
#define COMMENT_SEEN(v) \
	"(p.author_id = " v " OR c.author_id = " v \
	" OR " SQL_CONNECTED("c.author_id", v) ")"

/*
 * Rule 6.5 for reply r under comment c (with c.author_id and
 * c.post_author): both authors see all, others their own and those of their
 * connections.
 */
#define REPLY_SEEN(v) \
	"(" v " IN (c.author_id, c.post_author, r.author_id)" \
	" OR " SQL_CONNECTED("r.author_id", v) ")"

/* The unread reply notifications of v tied to comment c (has_unread_reply). */
#define HAS_UNREAD_REPLY(v) \
	"EXISTS (SELECT 1 FROM notifications n WHERE n.recipient_id = " v \
	" AND n.comment_id = c.id AND n.type = 'reply' AND n.read_at IS NULL)"

#define COMMENT_COLUMNS \
	"c.id, c.post_id, c.author_id, c.content, c.created_at, " \
	SQL_AUTHOR_COLUMNS("u")

#define REPLY_COLUMNS \
	"r.id, r.comment_id, r.author_id, r.content, r.created_at, " \
	SQL_AUTHOR_COLUMNS("u")

enum {
	COMMENT_LOCK_POST,
	COMMENT_INSERT,
	COMMENT_LIST,
	COMMENT_COUNT,
	REPLY_LOCK_POST,
	REPLY_INSERT,
	REPLY_LIST,
};

static struct db_stmt stmts[] = {
	/*
	 * $1 post, $2 caller.  The row lock orders concurrent comments and
	 * replies on one post, so each sees the notifications the one before
	 * it wrote (no duplicate unread notifications), and holds off a
	 * concurrent delete of the post.
	 */
	[COMMENT_LOCK_POST] = { "comment_lock_post",
		SQL_VISIBLE_POST("$1", "$2") " FOR NO KEY UPDATE OF p", 0 },
	/*
	 * $1 post, $2 caller, $3 content, $4 post author.  The comment, the
	 * counter (row created if missing) and the author's notification
	 * (the unread one refreshed, else a new one; none for one's own post).
	 */
	[COMMENT_INSERT] = { "comment_insert",
		"WITH c AS (INSERT INTO comments (post_id, author_id, content,"
		" created_at) VALUES ($1, $2, $3, " SQL_NOW_UTC ")"
		" RETURNING id, post_id, author_id, content, created_at),"
		" s AS (INSERT INTO post_stats (post_id, comment_count)"
		" VALUES ($1, 1) ON CONFLICT (post_id) DO UPDATE"
		" SET comment_count = post_stats.comment_count + 1),"
		" t AS (SELECT (SELECT max(n.id) FROM notifications n"
		" WHERE n.recipient_id = $4 AND n.post_id = $1"
		" AND n.type = 'comment' AND n.read_at IS NULL) AS nid"
		" WHERE $4::integer <> $2::integer),"
		" upd AS (UPDATE notifications n SET actor_id = $2,"
		" created_at = " SQL_NOW_UTC " FROM t WHERE n.id = t.nid),"
		" ins AS (INSERT INTO notifications (recipient_id, actor_id,"
		" post_id, comment_id, type, created_at)"
		" SELECT $4, $2, $1, NULL, 'comment', " SQL_NOW_UTC
		" FROM t WHERE t.nid IS NULL)"
		" SELECT " COMMENT_COLUMNS ", false"
		" FROM c JOIN users u ON u.id = c.author_id", 0 },
	/* $1 post, $2 viewer; one row with NULL comment columns when none. */
	[COMMENT_LIST] = { "comment_list",
		"WITH p AS (" SQL_VISIBLE_POST("$1", "$2") ")"
		" SELECT " COMMENT_COLUMNS ", " HAS_UNREAD_REPLY("$2")
		" FROM p LEFT JOIN (comments c JOIN users u ON u.id = c.author_id)"
		" ON c.post_id = p.id AND " COMMENT_SEEN("$2")
		" ORDER BY c.created_at, c.id", 0 },
	[COMMENT_COUNT] = { "comment_count",
		"WITH p AS (" SQL_VISIBLE_POST("$1", "$2") ")"
		" SELECT count(c.id) FROM p LEFT JOIN comments c"
		" ON c.post_id = p.id AND " COMMENT_SEEN("$2")
		" GROUP BY p.id", 0 },
	/*
	 * $1 comment, $2 caller: post, post author, comment author, whether
	 * the caller may see the post and is connected to the comment's
	 * author.  Locks the post as COMMENT_LOCK_POST does.
	 */
	[REPLY_LOCK_POST] = { "reply_lock_post",
		"SELECT c.post_id, p.author_id, c.author_id, "
		SQL_POST_VISIBLE("p", "$2") ", " SQL_CONNECTED("c.author_id", "$2")
		" FROM comments c JOIN posts p ON p.id = c.post_id"
		" WHERE c.id = $1 FOR NO KEY UPDATE OF p", 0 },
	/*
	 * $1 comment, $2 caller, $3 content, $4 post, $5 post author,
	 * $6 comment author.  Rule 6.8 in one statement: the candidates are
	 * B (rank 0), A (rank 1), then the earlier repliers by their first
	 * reply (the snapshot does not hold the new one), each once with
	 * their first role (DISTINCT ON) and never the caller.  For each,
	 * the newest matching unread notification (A's: any reply
	 * notification on the post; others': on this comment) is refreshed,
	 * else a new one is inserted, in candidate order.
	 */
	[REPLY_INSERT] = { "reply_insert",
		"WITH r AS (INSERT INTO replies (comment_id, author_id, content,"
		" created_at) VALUES ($1, $2, $3, " SQL_NOW_UTC ")"
		" RETURNING id, comment_id, author_id, content, created_at),"
		" cand AS (SELECT DISTINCT ON (uid) uid, per_post, rank FROM ("
		" SELECT $6::integer AS uid, false AS per_post, 0::bigint AS rank"
		" UNION ALL SELECT $5::integer, true, 1"
		" UNION ALL SELECT author_id, false, 1 + id FROM replies"
		" WHERE comment_id = $1) x"
		" WHERE uid <> $2::integer ORDER BY uid, rank),"
		" t AS (SELECT cand.uid, cand.rank, (SELECT max(n.id)"
		" FROM notifications n WHERE n.recipient_id = cand.uid"
		" AND n.post_id = $4 AND n.type = 'reply' AND n.read_at IS NULL"
		" AND (cand.per_post OR n.comment_id = $1)) AS nid FROM cand),"
		" upd AS (UPDATE notifications n SET actor_id = $2,"
		" created_at = " SQL_NOW_UTC " FROM t WHERE n.id = t.nid),"
		" ins AS (INSERT INTO notifications (recipient_id, actor_id,"
		" post_id, comment_id, type, created_at)"
		" SELECT t.uid, $2, $4, $1, 'reply', " SQL_NOW_UTC
		" FROM t WHERE t.nid IS NULL ORDER BY t.rank)"
		" SELECT " REPLY_COLUMNS
		" FROM r JOIN users u ON u.id = r.author_id", 0 },
	/* $1 comment, $2 viewer; one row with NULL reply columns when none. */
	[REPLY_LIST] = { "reply_list",
		"WITH c AS (SELECT c.id, c.author_id, p.author_id AS post_author"
		" FROM comments c JOIN posts p ON p.id = c.post_id"
		" WHERE c.id = $1 AND " SQL_POST_VISIBLE("p", "$2") ")"
		" SELECT " REPLY_COLUMNS
		" FROM c LEFT JOIN (replies r JOIN users u ON u.id = r.author_id)"
		" ON r.comment_id = c.id AND " REPLY_SEEN("$2")
		" ORDER BY r.created_at, r.id", 0 },
};

static const struct row_keys comment_keys = {
	"id", "post_id", "author_id", "content", "author",
};

static const struct row_keys reply_keys = {
	"id", "comment_id", "author_id", "content", "author",
};

static json_object *comment_json(const PGresult *res, int row)
{
	json_object *o = social_row_json(res, row, &comment_keys);

	jv_put(o, "has_unread_reply",
	       json_object_new_boolean(db_get_bool(res, row, 9)));
	return o;
}

static json_object *reply_json_row(const PGresult *res, int row)
{
	return social_row_json(res, row, &reply_keys);
}

/* Runs a statement of $1 id (post or comment) and $2 viewer. */
static enum result exec_id_viewer(struct arena *a, int stmt, long id,
				  long viewer, PGresult **res)
{
	return social_exec(a, &stmts[stmt], 2, id, viewer, NULL, res);
}

struct create {
	long viewer, target;		/* target: post or comment id */
	const char *content;
	PGresult *res;			/* the stored row, for the response */
};

static enum result comment_create_tx(struct arena *a, void *ctx)
{
	struct create *c = ctx;
	const char *p[4];
	PGresult *res;
	enum result r;

	if ((r = exec_id_viewer(a, COMMENT_LOCK_POST, c->target, c->viewer,
				&res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "post not found");
	p[0] = db_int(a, c->target);
	p[1] = db_int(a, c->viewer);
	p[2] = c->content;
	p[3] = db_get_str(res, 0, 1);
	if ((r = db_exec(a, &stmts[COMMENT_INSERT], 4, p, &res)) != RES_OK)
		return r;
	if (PQntuples(res) != 1)
		return fail_with(RES_FAIL, "could not store the comment");
	c->res = res;
	return RES_OK;
}

/* Trims the text of c to 1..max code points; RES_BAD_REQUEST otherwise. */
static enum result trim_content(struct arena *a, struct create *c,
				const char *content, long max, const char *what)
{
	if (text_trimmed(a, content, max, &c->content) == 0)
		return RES_OK;
	if (*c->content == '\0')
		return fail_withf(RES_BAD_REQUEST, "%s cannot be empty", what);
	return fail_withf(RES_BAD_REQUEST, "%s must be at most %ld characters",
			  what, max);
}

/*
 * Trims, runs fn in a transaction and renders the row it stored once the
 * transaction has committed.
 */
static enum result create(struct arena *a, long viewer, long target,
			  const char *content, long max, const char *what,
			  enum result (*fn)(struct arena *, void *),
			  json_object *(*row_json)(const PGresult *, int),
			  json_object **out)
{
	struct create c = { viewer, target, NULL, NULL };
	enum result r;

	if ((r = trim_content(a, &c, content, max, what)) != RES_OK)
		return r;
	if ((r = db_transaction(a, fn, &c)) != RES_OK)
		return r;
	*out = row_json(c.res, 0);
	return RES_OK;
}

enum result comment_create(struct arena *a, long viewer, long post_id,
			   const char *content, json_object **out)
{
	return create(a, viewer, post_id, content, MAX_COMMENT_CHARS,
		      "comment", comment_create_tx, comment_json, out);
}

enum result comment_list(struct arena *a, long viewer, long post_id,
			 json_object **out)
{
	return social_list_query(a, &stmts[COMMENT_LIST], post_id, viewer,
				 comment_json, "post not found", out);
}

enum result comment_count(struct arena *a, long viewer, long post_id,
			  json_object **out)
{
	PGresult *res;
	enum result r = exec_id_viewer(a, COMMENT_COUNT, post_id, viewer, &res);

	if (r != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "post not found");
	*out = json_object_new_object();
	jv_put(*out, "count", json_object_new_int64(db_get_int(res, 0, 0)));
	return RES_OK;
}

/*
 * Checks who may reply (6.5: the post's and the comment's authors always,
 * others when they may see the post and are connected to the comment's
 * author; seeing the post already implies the connection to its author),
 * then stores the reply and its notifications.
 */
static enum result reply_create_tx(struct arena *a, void *ctx)
{
	struct create *c = ctx;
	const char *p[6];
	PGresult *res;
	enum result r;
	long post_author, comment_author;

	if ((r = exec_id_viewer(a, REPLY_LOCK_POST, c->target, c->viewer,
				&res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0 || !db_get_bool(res, 0, 3))
		return fail_with(RES_NOT_FOUND, "comment not found");
	post_author = (long)db_get_int(res, 0, 1);
	comment_author = (long)db_get_int(res, 0, 2);
	if (c->viewer != post_author && c->viewer != comment_author &&
	    !db_get_bool(res, 0, 4))
		return fail_with(RES_FORBIDDEN,
				 "you are not connected to the comment's author");
	p[0] = db_int(a, c->target);
	p[1] = db_int(a, c->viewer);
	p[2] = c->content;
	p[3] = db_get_str(res, 0, 0);
	p[4] = db_get_str(res, 0, 1);
	p[5] = db_get_str(res, 0, 2);
	if ((r = db_exec(a, &stmts[REPLY_INSERT], 6, p, &res)) != RES_OK)
		return r;
	if (PQntuples(res) != 1)
		return fail_with(RES_FAIL, "could not store the reply");
	c->res = res;
	return RES_OK;
}

enum result reply_create(struct arena *a, long viewer, long comment_id,
			 const char *content, json_object **out)
{
	return create(a, viewer, comment_id, content, MAX_REPLY_CHARS, "reply",
		      reply_create_tx, reply_json_row, out);
}

enum result reply_list(struct arena *a, long viewer, long comment_id,
		       json_object **out)
{
	return social_list_query(a, &stmts[REPLY_LIST], comment_id, viewer,
				 reply_json_row, "comment not found", out);
}
