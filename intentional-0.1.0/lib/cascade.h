/*
 * Deleting a post or a user with everything that references it, in the
 * order of SCHEMA.md section 6 (the foreign keys do not cascade, except
 * post_stats).  Both functions run INSIDE THE CALLER'S TRANSACTION
 * (db_transaction()): they lock what they delete first, so rows that other
 * requests add meanwhile either are seen and deleted too or wait for the
 * commit (and then fail on the missing parent), and a failure anywhere
 * leaves the caller's transaction to roll everything back.
 *
 * Storage objects are not touched: the functions hand back the keys of the
 * photos (and avatar) the deleted rows named, and the caller deletes those
 * objects AFTER the commit (a rolled-back delete must not lose photos).
 */
#ifndef CASCADE_H
#define CASCADE_H

#include "result.h"

struct arena;

/* Storage keys, allocated in the arena; n may be 0. */
struct key_list {
	const char **keys;
	int n;
};

/*
 * Deletes post post_id: notifications on it or on its comments, replies
 * of its comments, its comments, reactions, reports, audience-tag rows,
 * post_stats, then the post.  With only_author > 0 the post must belong
 * to that user (RES_FORBIDDEN "not your post" otherwise, nothing deleted);
 * 0 deletes anyone's post (moderators).  RES_NOT_FOUND "post not found".
 * Two statements: lock the post row, delete.  *keys gets the post's photo
 * keys in upload order.
 */
enum result post_delete_cascade(struct arena *a, long post_id,
				long only_author, struct key_list *keys);

/*
 * Deletes user user_id and everything that references them: each of their
 * posts as above; their comments elsewhere (with the replies and
 * notifications of those comments, and post_stats.comment_count of those
 * posts decremented, never below 0), replies, reactions; notifications
 * they receive or caused; user_tags they own, are the target of, or that
 * use their tags; audience-tag rows using their tags; their tags;
 * connections they are part of or initiated; reports they filed.  Reports
 * they resolved and registration requests they reviewed are kept with
 * resolved_by_id / reviewed_by_id set to NULL.  RES_NOT_FOUND "user not
 * found".  Two statements: lock, delete.  *keys gets the photo keys of all
 * their posts, then their avatar's key if it is a stored object (under
 * STORAGE_AVATAR_PREFIX).
 */
enum result user_delete_cascade(struct arena *a, long user_id,
				struct key_list *keys);

#endif
