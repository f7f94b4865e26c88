/*
 * Reading many people's posts at once: the feed (route 17), the weekly
 * digest (route 18), and the bell's list of recent feed posts (routes 45
 * and 49).  One statement each, whatever the page size; the feed and the
 * bell take a second when the feed inbox cannot fill their page.
 */
#ifndef FEED_H
#define FEED_H

#include <json-c/json.h>
#include <stddef.h>

#include "posts.h"
#include "result.h"

struct arena;

/* API.md 6.7 step 9. */
#define DIGEST_MAX_POSTS 12
/* Characters of digest_summary sent (the outside job writes it unbounded). */
#define DIGEST_SUMMARY_MAX_CHARS 500

/*
 * A page of viewer's feed as a JSON array of Post: the viewer's and their
 * accepted connections' posts that the viewer may see, newest first; with
 * ntags > 0 only those of tag_ids (the viewer's tags) as API.md 4.3 says.
 */
enum result feed_read(struct arena *a, long viewer, const struct post_page *page,
		      const long long *tag_ids, size_t ntags, json_object **out);

/*
 * {"posts", "weekly_summary", "week_start", "week_end"} of rule 6.7 for
 * the Sunday-to-Saturday week holding client_timestamp's wall-clock date
 * (any offset dropped; server local time when absent or unparsable; any
 * date: it only picks the week read).  tag_filter: NULL or "all", "friends"
 * or "family" (tags of that colour), or a tag id (API.md 6.7 step 3).
 */
enum result digest_read(struct arena *a, long viewer, const char *tag_filter,
			const char *client_timestamp, json_object **out);

/* {"recent_post_ids", "unread_post_ids"} of route 45 for the newest limit
 * feed posts of viewer. */
enum result notifications_recent(struct arena *a, long viewer, long limit,
				 json_object **out);

/* Marks viewer's unread notifications on the newest 50 feed posts read
 * (route 49); *count: how many. */
enum result notifications_clear_recent(struct arena *a, long viewer,
				       long *count);

#endif
