/*
 * Comments and replies (API.md 4.9, 4.10, rules 6.5 and 6.8).  Every call
 * first checks that the caller may see the post (6.3) and answers
 * RES_NOT_FOUND otherwise, so a hidden post looks like a missing one.
 * Results are the response bodies; reply_json() takes them over.
 */
#ifndef COMMENTS_H
#define COMMENTS_H

#include <json-c/json.h>

#include "result.h"

struct arena;

#define MAX_COMMENT_CHARS 5000
#define MAX_REPLY_CHARS 2000

/*
 * Stores content trimmed (1..5000 code points, else RES_BAD_REQUEST),
 * counts it in post_stats and notifies the post's author (6.8), in one
 * transaction.  *out: the Comment.
 */
enum result comment_create(struct arena *a, long viewer, long post_id,
			   const char *content, json_object **out);

/* The comments viewer may see on the post, oldest first (6.5). */
enum result comment_list(struct arena *a, long viewer, long post_id,
			 json_object **out);

/* {"count": n}: how many comments comment_list() would return. */
enum result comment_count(struct arena *a, long viewer, long post_id,
			  json_object **out);

/*
 * Stores a reply trimmed (1..2000 code points) if viewer is the post's or
 * the comment's author or connected to both (else RES_FORBIDDEN), and
 * notifies per 6.8, in one transaction.  *out: the Reply.
 */
enum result reply_create(struct arena *a, long viewer, long comment_id,
			 const char *content, json_object **out);

/* The replies viewer may see on the comment, oldest first (6.5). */
enum result reply_list(struct arena *a, long viewer, long comment_id,
		       json_object **out);

#endif
