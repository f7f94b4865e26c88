#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "cascade.h"
#include "config.h"
#include "db.h"
#include "jsonv.h"

enum {
	POST_LOCK,
	POST_DELETE,
	USER_LOCK,
	USER_DELETE,
};

/*
 * The lock statements take the rows that new dependents would reference
 * (the post, its comments; the user, their posts, the comments under or by
 * them, their tags) FOR UPDATE: an insert of a comment, reply, reaction,
 * report, notification, audience tag or user tag then waits for our
 * commit, and the delete statement that follows, with a snapshot taken
 * after the locks, sees every dependent committed before them.
 *
 * The delete statements remove everything in one statement: data-modifying
 * CTEs see one snapshot, and the NO ACTION foreign keys are checked at the
 * end of the statement, when parents and dependents are all gone.
 */
static struct db_stmt stmts[] = {
	[POST_LOCK] = { "cascade_post_lock",
		"WITH p AS (SELECT id, author_id FROM posts WHERE id = $1"
		"  FOR UPDATE),"
		" c AS (SELECT id FROM comments WHERE post_id = $1 FOR UPDATE)"
		" SELECT p.author_id, (SELECT count(*) FROM c) FROM p", 0 },
	[POST_DELETE] = { "cascade_post_delete",
		"WITH pc AS (SELECT id FROM comments WHERE post_id = $1),"
		" n AS (DELETE FROM notifications WHERE post_id = $1"
		"  OR comment_id IN (SELECT id FROM pc)),"
		" r AS (DELETE FROM replies WHERE comment_id IN"
		"  (SELECT id FROM pc)),"
		" c AS (DELETE FROM comments WHERE id IN (SELECT id FROM pc)),"
		" re AS (DELETE FROM reactions WHERE post_id = $1),"
		" rp AS (DELETE FROM reported_posts WHERE post_id = $1),"
		" pat AS (DELETE FROM post_audience_tags WHERE post_id = $1),"
		" ps AS (DELETE FROM post_stats WHERE post_id = $1)"
		" DELETE FROM posts WHERE id = $1 RETURNING photo_urls::text", 0 },
	[USER_LOCK] = { "cascade_user_lock",
		"WITH u AS (SELECT id FROM users WHERE id = $1 FOR UPDATE),"
		" p AS (SELECT id FROM posts WHERE author_id = $1 FOR UPDATE),"
		" c AS (SELECT id FROM comments WHERE author_id = $1"
		"  OR post_id IN (SELECT id FROM p) FOR UPDATE),"
		" t AS (SELECT id FROM tags WHERE owner_user_id = $1 FOR UPDATE)"
		" SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM c),"
		"  (SELECT count(*) FROM t) FROM u", 0 },
	[USER_DELETE] = { "cascade_user_delete",
		"WITH up AS (SELECT id, photo_urls FROM posts"
		"  WHERE author_id = $1),"
		" uc AS (SELECT id FROM comments WHERE author_id = $1"
		"  OR post_id IN (SELECT id FROM up)),"
		" ut AS (SELECT id FROM tags WHERE owner_user_id = $1),"
		/* U's comments on posts that stay: their counters go down */
		" lost AS (SELECT post_id, count(*) AS n FROM comments"
		"  WHERE author_id = $1 AND post_id NOT IN (SELECT id FROM up)"
		"  GROUP BY post_id),"
		" n AS (DELETE FROM notifications WHERE recipient_id = $1"
		"  OR actor_id = $1 OR post_id IN (SELECT id FROM up)"
		"  OR comment_id IN (SELECT id FROM uc)),"
		" r AS (DELETE FROM replies WHERE author_id = $1"
		"  OR comment_id IN (SELECT id FROM uc)),"
		" c AS (DELETE FROM comments WHERE id IN (SELECT id FROM uc)),"
		" psd AS (UPDATE post_stats s"
		"  SET comment_count = GREATEST(s.comment_count - lost.n, 0)"
		"  FROM lost WHERE s.post_id = lost.post_id),"
		" re AS (DELETE FROM reactions WHERE user_id = $1"
		"  OR post_id IN (SELECT id FROM up)),"
		" rp AS (DELETE FROM reported_posts WHERE reported_by_id = $1"
		"  OR post_id IN (SELECT id FROM up)),"
		" rpn AS (UPDATE reported_posts SET resolved_by_id = NULL"
		"  WHERE resolved_by_id = $1 AND reported_by_id IS DISTINCT FROM $1"
		"  AND post_id NOT IN (SELECT id FROM up)),"
		" pat AS (DELETE FROM post_audience_tags"
		"  WHERE post_id IN (SELECT id FROM up)"
		"  OR tag_id IN (SELECT id FROM ut)),"
		" utg AS (DELETE FROM user_tags WHERE owner_user_id = $1"
		"  OR target_user_id = $1 OR tag_id IN (SELECT id FROM ut)),"
		" t AS (DELETE FROM tags WHERE id IN (SELECT id FROM ut)),"
		" cn AS (DELETE FROM connections WHERE user_a_id = $1"
		"  OR user_b_id = $1 OR initiated_by_user_id = $1),"
		" rr AS (UPDATE registration_requests SET reviewed_by_id = NULL"
		"  WHERE reviewed_by_id = $1),"
		" ps AS (DELETE FROM post_stats WHERE post_id IN"
		"  (SELECT id FROM up)),"
		" p AS (DELETE FROM posts WHERE id IN (SELECT id FROM up)),"
		" u AS (DELETE FROM users WHERE id = $1 RETURNING avatar_url)"
		" SELECT (SELECT json_agg(photo_urls ORDER BY id) FROM up"
		"  WHERE photo_urls IS NOT NULL)::text, u.avatar_url FROM u",
		0 },
};

/* Room for up to max more keys in *keys. */
static void keys_reserve(struct arena *a, struct key_list *keys, int max)
{
	const char **v = arena_calloc(a, (size_t)(keys->n + max + 1),
				      sizeof(*v));

	if (keys->n > 0)
		memcpy(v, keys->keys, (size_t)keys->n * sizeof(*v));
	keys->keys = v;
}

/* Counts, then (when add) copies, the strings of j: a string, an array of
 * strings, or an array of such arrays.  Anything else is skipped. */
static int walk_keys(struct arena *a, json_object *j, int depth,
		     struct key_list *keys, int add)
{
	size_t i, n;
	int found = 0;

	if (json_object_is_type(j, json_type_string)) {
		if (add)
			keys->keys[keys->n++] = arena_strdup(a,
				json_object_get_string(j));
		return 1;
	}
	if (depth == 2 || !json_object_is_type(j, json_type_array))
		return 0;
	n = json_object_array_length(j);
	for (i = 0; i < n; i++)
		found += walk_keys(a, json_object_array_get_idx(j, i),
				   depth + 1, keys, add);
	return found;
}

/* Appends the storage keys of json_text (photo_urls, or a list of them). */
static void add_photo_keys(struct arena *a, const char *json_text,
			   struct key_list *keys)
{
	json_object *j;

	if (json_text == NULL ||
	    jv_parse(a, json_text, strlen(json_text), &j) < 0)
		return;
	keys_reserve(a, keys, walk_keys(a, j, 0, keys, 0));
	walk_keys(a, j, 0, keys, 1);
}

/* A concurrent insert that slipped past the locks (a reply to a comment
 * added after them): the statement fails on a foreign key, and a retry of
 * the whole request will see and delete the newcomer. */
static enum result cascade_failed(enum result r)
{
	if (strcmp(db_sqlstate(), "23503") == 0)
		return fail_with(RES_UNAVAILABLE,
				 "content changed while deleting, try again");
	return r;
}

enum result post_delete_cascade(struct arena *a, long post_id,
				long only_author, struct key_list *keys)
{
	const char *p[] = { db_int(a, post_id) };
	PGresult *res;
	enum result r;

	keys->keys = NULL;
	keys->n = 0;
	if ((r = db_exec(a, &stmts[POST_LOCK], 1, p, &res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "post not found");
	if (only_author > 0 && db_get_int(res, 0, 0) != only_author)
		return fail_with(RES_FORBIDDEN, "not your post");
	if ((r = db_exec(a, &stmts[POST_DELETE], 1, p, &res)) != RES_OK)
		return cascade_failed(r);
	if (PQntuples(res) == 1)
		add_photo_keys(a, db_get_str(res, 0, 0), keys);
	return RES_OK;
}

/* Whether key names a stored avatar ("<STORAGE_AVATAR_PREFIX>/..."). */
static int stored_avatar(const char *key)
{
	size_t n = strlen(cfg.avatar_prefix);

	return key != NULL && n > 0 && strncmp(key, cfg.avatar_prefix, n) == 0 &&
	       key[n] == '/';
}

enum result user_delete_cascade(struct arena *a, long user_id,
				struct key_list *keys)
{
	const char *p[] = { db_int(a, user_id) };
	const char *avatar;
	PGresult *res;
	enum result r;

	keys->keys = NULL;
	keys->n = 0;
	if ((r = db_exec(a, &stmts[USER_LOCK], 1, p, &res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "user not found");
	if ((r = db_exec(a, &stmts[USER_DELETE], 1, p, &res)) != RES_OK)
		return cascade_failed(r);
	if (PQntuples(res) != 1)
		return fail_with(RES_NOT_FOUND, "user not found");
	add_photo_keys(a, db_get_str(res, 0, 0), keys);
	avatar = db_get_str(res, 0, 1);
	if (stored_avatar(avatar)) {
		keys_reserve(a, keys, 1);
		keys->keys[keys->n++] = arena_strdup(a, avatar);
	}
	return RES_OK;
}
