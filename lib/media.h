/*
 * Photos and avatars (API.md 6.6, routes 9, 11 and 44): the key grammar,
 * validating and storing uploads, who may fetch an image, and the garbage
 * collector of objects no row references.
 *
 * Using it from POST /posts/ (the order keeps storage and database in step):
 *
 *   1. Before the transaction, for each photo part:
 *        media_prepare(a, "photo", part->data, part->len, part->size, &img[i])
 *      A failure is RES_BAD_REQUEST, detail "photo validation failed: ...".
 *   2. Inside the transaction, after inserting the post (its id is needed):
 *        media_store_photos(a, author_id, post_id, img, n, &keys)
 *      then write keys into posts.photo_urls.  It stores all n or none:
 *      on failure (RES_UNAVAILABLE 503, RES_STORAGE_FULL 507) what it
 *      stored is deleted again, and the caller rolls back.
 *   3. If the transaction does not commit (any later failure, or a retry
 *      of the transaction function by db_transaction()):
 *        storage_delete_keys(a, keys, n)
 *      for the keys of every attempt that was not committed.
 *
 * Deleting a post (routes 14, 59, 63): after COMMIT, storage_delete_keys()
 * with the keys of its photo_urls (lib/storage.h).  Failures are logged and
 * left to `intentionalctl media gc`.
 */
#ifndef MEDIA_H
#define MEDIA_H

#include <stddef.h>

#include "image.h"
#include "result.h"
#include "storage.h"

struct arena;
struct user;

#define MEDIA_MAX_PHOTOS 3

enum media_kind { MEDIA_PHOTO, MEDIA_AVATAR };

/* What a key names. */
struct media_key {
	enum media_kind kind;
	long owner_id;		/* the post's author, or the avatar's user */
	long post_id;		/* photos only */
};

/*
 * Parses a key of the grammar of 6.6:
 *   <STORAGE_PHOTO_PREFIX>/<author_id>/<post_id>/<YYYYMMDD>_<uuid4>.<ext>
 *   <STORAGE_AVATAR_PREFIX>/<user_id>/<YYYYMMDD>_<uuid4>.<ext>
 * with decimal ids, a lower-case 8-4-4-4-12 uuid and ext jpg, png or webp.
 * Returns 0, or -1 for anything else (so no "..", "//", "\", %, control
 * characters or absolute paths ever reach storage).
 */
int media_key_parse(const char *key, struct media_key *out);

/* A fresh key: today's UTC date and a random uuid4. */
const char *media_new_key(struct arena *a, enum media_kind kind, long owner_id,
			  long post_id, const char *ext);

/*
 * Checks an upload against 6.6 and re-encodes it without metadata, in the
 * image helper (lib/image.h).  what is "photo" or "avatar" and prefixes
 * the detail: RES_BAD_REQUEST "photo validation failed: file is larger
 * than 209715 bytes".  size is the part's full size, len the bytes kept of
 * it.  RES_UNAVAILABLE "image processing unavailable" when the helper
 * fails (missing, crashed, too slow).
 */
enum result media_prepare(struct arena *a, const char *what, const void *data,
			  size_t len, size_t size, struct image *out);

/* Stores n prepared photos of a post; *keys gets their keys in order.
 * All or nothing (see above). */
enum result media_store_photos(struct arena *a, long author_id, long post_id,
			       const struct image *imgs, int n,
			       const char ***keys);

/*
 * Route 9: stores the new avatar, commits its key to users.avatar_url,
 * then deletes the previous object (if it was one of ours).  Nothing
 * changes when storing or the update fails (the new object is deleted
 * again).  Reloads *u.
 */
enum result media_replace_avatar(struct arena *a, struct user *u,
				 const struct image *img);

/*
 * Route 44: may viewer fetch key?  A post photo needs the single
 * visibility rule (lib/visibility.h) on the post named by the key, and the
 * key to be among the post's photo_urls; an avatar needs to be some
 * member's current avatar.  RES_NOT_FOUND "image not found" otherwise,
 * never 403: a stranger learns nothing about what exists.  On RES_OK,
 * *loc says how to serve it.
 */
enum result media_authorize(struct arena *a, long viewer_id, const char *key,
			    struct storage_location *loc);

struct media_gc_stats {
	long objects;		/* objects listed */
	long referenced;	/* named by a row */
	long young;		/* unreferenced but newer than min_age */
	long deleted;		/* unreferenced and deleted (or, dry run, would be) */
	long failed;		/* deletes that failed */
};

/*
 * The garbage collector behind `intentionalctl media gc`: deletes every
 * stored object under the photo and avatar prefixes that no posts.
 * photo_urls or users.avatar_url names and that is older than min_age
 * seconds (so uploads whose transaction is still open are spared).  This
 * retries deletes that failed after a commit and removes what a crash left.
 */
enum result media_gc(struct arena *a, long min_age, int dry_run,
		     struct media_gc_stats *st);

#endif
