/*
 * Reading notifications (API.md 4.13).  Notifications are written by
 * comment_create() and reply_create() (rule 6.8).  Per the contract these
 * calls do not check that the posts or comments exist: they only touch
 * the caller's own rows.  Results are the response bodies; reply_json()
 * takes them over.
 */
#ifndef NOTIFICATIONS_H
#define NOTIFICATIONS_H

#include <json-c/json.h>
#include <stddef.h>

#include "result.h"

struct arena;

/* The most post ids one post-summary call takes (route 46; 422 above). */
#define MAX_SUMMARY_POSTS 1000

/*
 * {"summary": {"<id>": {"has_unread_comments", "has_unread_replies"}}}
 * with one entry per distinct id of ids.
 */
enum result notification_post_summary(struct arena *a, long viewer,
				      const long long *ids, size_t n,
				      json_object **out);

/* Marks viewer's unread notifications on the post read; {"message", "count"}. */
enum result notification_read_post(struct arena *a, long viewer, long post_id,
				   json_object **out);

/* Marks viewer's unread reply notifications of the comment read; as above. */
enum result notification_read_comment(struct arena *a, long viewer,
				      long comment_id, json_object **out);

#endif
