/*
 * Posts: creating, listing one author's posts, deleting and reporting
 * (API.md routes 11-15).  Every read applies the visibility rule of
 * lib/visibility.h; every write is one transaction.
 */
#ifndef POSTS_H
#define POSTS_H

#include <json-c/json.h>
#include <stddef.h>

#include "cascade.h"
#include "media.h"
#include "result.h"

struct arena;

/* API.md 6.9 and 4.2. */
#define POST_MAX_CHARS 1000
#define POST_MAX_PHOTOS MEDIA_MAX_PHOTOS

/*
 * Where a list of posts starts: skip posts, then at most limit (0: all),
 * all strictly older than the keyset cursor (before, before_id) when
 * before is set (a timestamp literal; before_id 0: older than before).
 */
struct post_page {
	long skip;
	long limit;
	const char *before;
	long before_id;
};

/* An uploaded photo: the first len of its size bytes (size > len: cut). */
struct post_photo {
	const void *data;
	size_t len;
	size_t size;
};

/* A post to create, as the multipart form gives it (route 11). */
struct post_new {
	const char *content;		/* NULL: absent */
	const char *audience_type;	/* NULL: "all" */
	const char *audience_tag_ids;	/* "3,8", empty items ignored; NULL */
	const char *client_timestamp;	/* NULL or any text */
	const struct post_photo *photos;
	int nphotos;
};

/*
 * Creates a post of author in one transaction, in the order of API.md 4.2
 * with its corrections: 400 content over 1000 characters, or empty without
 * a photo, unknown audience_type, a non-integer tag id, more than 3 photos,
 * 'tags' without tag ids or with ids that are not the author's tags; 429
 * the 4th post on the local calendar day of the post time (race-free: the
 * author's row is locked); 400 "photo validation failed: ..." (6.6);
 * 503/507 when storage fails.  *out is the new Post.  Photos are checked
 * before the transaction, stored inside it under the new post's id, and
 * deleted again if it does not commit.
 */
enum result post_create(struct arena *a, long author, const struct post_new *in,
			json_object **out);

/*
 * The posts of author that viewer may see, newest first, as a JSON array
 * of Post (routes 12 and 13).  RES_NOT_FOUND "user not found".
 */
enum result posts_of_author(struct arena *a, long viewer, long author,
			    const struct post_page *page, json_object **out);

/*
 * Deletes viewer's post post_id and everything that depends on it in one
 * transaction (route 14), then its photo objects (failures only logged,
 * `intentionalctl media gc` retries): RES_NOT_FOUND, RES_FORBIDDEN "not
 * your post".
 */
enum result post_delete(struct arena *a, long viewer, long post_id);

/*
 * Files viewer's report of post post_id (route 15); reason may be NULL.
 * RES_NOT_FOUND when the post does not exist or viewer may not see it;
 * RES_BAD_REQUEST when viewer already reported it (race-free).
 */
enum result post_report(struct arena *a, long viewer, long post_id,
			const char *reason, long *report_id);

#endif
