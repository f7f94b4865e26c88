/*
 * SQL text shared by the post statements of lib/posts.c and lib/feed.c:
 * the columns of a Post (read by post_json()) and the feed page, the one
 * definition of "the newest posts of my feed" that the feed, the bell's
 * recent posts (route 45) and "mark recent read" (route 49) all use.
 * Pasted into string literals at compile time, like lib/visibility.h.
 */
#ifndef POSTS_SQL_H
#define POSTS_SQL_H

#include "visibility.h"

/* A numeric macro as SQL text: SQL_INT(POSTS_PER_DAY) is "3". */
#define SQL_INT_(n) #n
#define SQL_INT(n) SQL_INT_(n)

/* API.md 6.9: posts per author per local calendar day. */
#define POSTS_PER_DAY 3

/*
 * The columns of a Post, in the order of enum post_col (lib/posts_json.h),
 * for a posts row p joined with POST_JOINS.  Audience tags are loaded only
 * for the viewer's own 'tags' posts (6.4: nobody else sees them), as JSON
 * text; the tag rows are de-duplicated (post_audience_tags may repeat).
 */
#define POST_COLUMNS(viewer) \
	"p.id, p.author_id, p.content, p.created_at, p.audience_type," \
	" p.photo_urls::text, u.id, u.username, u.display_name, u.full_name," \
	" COALESCE(ps.comment_count, 0)," \
	" CASE WHEN p.author_id = " viewer " AND p.audience_type = 'tags' THEN" \
	" (SELECT json_agg(json_build_object('id', t.id, 'owner_user_id'," \
	" t.owner_user_id, 'name', t.name, 'color_scheme', t.color_scheme," \
	" 'created_at', t.created_at::text) ORDER BY t.id) FROM tags t" \
	" WHERE t.id IN (SELECT pat.tag_id FROM post_audience_tags pat" \
	" WHERE pat.post_id = p.id))::text END"

/* LEFT joins, so that a LEFT JOIN LATERAL of no post still gives a row. */
#define POST_JOINS \
	" LEFT JOIN users u ON u.id = p.author_id" \
	" LEFT JOIN post_stats ps ON ps.post_id = p.id"

/* Newest first; id breaks ties (the keyset order of the cursors). */
#define POST_ORDER "p.created_at DESC, p.id DESC"

/*
 * The ids of viewer's accepted connections, from both sides of the pair
 * (each side has its index), as a subquery with the column id.
 */
#define CONNECTIONS_OF(viewer) \
	"(SELECT cn.user_b_id AS id FROM connections cn" \
	" WHERE cn.user_a_id = " viewer " AND cn.status = 'accepted'" \
	" UNION ALL SELECT cn.user_a_id FROM connections cn" \
	" WHERE cn.user_b_id = " viewer " AND cn.status = 'accepted')"

/*
 * The candidate authors of viewer's feed (API.md 4.3): the viewer and
 * everyone with an accepted connection to them, read from both sides of
 * the pair; with the int[] tags not NULL, the connections the viewer gave
 * one of those tags.  tagged: whether the author has tagged the viewer
 * (for SQL_AUDIENCE_ADMITS_TAGGED).  A dangling connection (user gone)
 * contributes no posts: posts.author_id is a foreign key.
 */
#define FEED_AUTHORS(viewer, tags) \
	"feed_authors AS (SELECT a.id, a.id IN " SQL_TAGGERS_OF(viewer) \
	" AS tagged FROM (SELECT " viewer " AS id UNION" \
	" SELECT c.id FROM " CONNECTIONS_OF(viewer) " c" \
	" WHERE " tags " IS NULL OR EXISTS (SELECT 1 FROM user_tags ft" \
	" WHERE ft.owner_user_id = " viewer " AND ft.target_user_id = c.id" \
	" AND ft.tag_id = ANY(" tags "))) a)"

/*
 * Posts p of the feed author fa that the viewer may see (6.3) and that the
 * tag filter keeps: with tags, only 'all' posts and 'tags' posts listing
 * one of them (4.3; the viewer's own private posts go too, note 22).
 * keyset: "" or an extra condition such as the cursor's.
 */
#define FEED_POST_FILTER(viewer, tags, keyset) \
	" p.author_id = fa.id" keyset \
	" AND (p.author_id = " viewer " OR " \
	SQL_AUDIENCE_ADMITS_TAGGED("p", viewer, "fa.tagged") ")" \
	" AND (" tags " IS NULL OR p.audience_type = 'all'" \
	" OR (p.audience_type = 'tags' AND EXISTS (SELECT 1" \
	" FROM post_audience_tags fpat WHERE fpat.post_id = p.id" \
	" AND fpat.tag_id = ANY(" tags "))))"

/*
 * The CTEs feed_authors, feed_heads, feed_bound and feed_page(id,
 * created_at): the viewer's visible feed posts ranked skip+1 .. skip+limit,
 * newest first.  Filtered in SQL, then paginated (note 4).
 *
 * Each author's posts are read newest first from the index
 * posts(author_id, created_at DESC, id DESC) INCLUDE (audience_type), so
 * the visibility test needs no heap access.  Reading skip+limit posts of
 * every author would read ~authors x limit index entries for a page of
 * limit; two passes read far fewer:
 *   feed_heads: each author's newest m visible posts, m = ceil(n /
 *     authors) with n = skip + limit, so together at least n of them
 *     if the authors have that many;
 *   feed_bound: the n-th newest of those heads.  At least n visible posts
 *     are that new, so every post of the page is at least that new
 *     (-infinity when the heads are fewer than n);
 *   feed_page: for the authors with a head no older than the bound (the
 *     others have no post that new: at most n authors), their newest n
 *     visible posts no older than the bound, then the page of them.
 */
#define FEED_CTES(viewer, skip, limit, tags, keyset) \
	FEED_AUTHORS(viewer, tags) "," \
	" feed_heads AS (SELECT fa.id, fa.tagged, h.created_at" \
	" FROM feed_authors fa CROSS JOIN LATERAL (SELECT p.created_at" \
	" FROM posts p WHERE" FEED_POST_FILTER(viewer, tags, keyset) \
	" ORDER BY " POST_ORDER " LIMIT ((" skip " + " limit " - 1) /" \
	" (SELECT count(*) FROM feed_authors) + 1)) h)," \
	" feed_bound AS (SELECT COALESCE((SELECT created_at FROM feed_heads" \
	" ORDER BY created_at DESC OFFSET " skip " + " limit " - 1 LIMIT 1)," \
	" '-infinity') AS t)," \
	" feed_page AS (SELECT fp.id, fp.created_at FROM (SELECT DISTINCT id," \
	" tagged FROM feed_heads WHERE created_at >= (SELECT t FROM feed_bound))" \
	" fa CROSS JOIN LATERAL (SELECT p.id, p.created_at FROM posts p WHERE" \
	FEED_POST_FILTER(viewer, tags, keyset) \
	" AND p.created_at >= (SELECT t FROM feed_bound)" \
	" ORDER BY " POST_ORDER " LIMIT " skip " + " limit ") fp" \
	" ORDER BY fp.created_at DESC, fp.id DESC" \
	" OFFSET " skip " LIMIT " limit ")"

/* The keyset cursor on the columns created and id: strictly older than
 * (before, before_id) in feed order; before_id 0 means "older than
 * before". */
#define KEYSET_BEFORE_OF(created, id, before, before_id) \
	"(" created ", " id ") < (" before ", " before_id ")"
#define KEYSET_BEFORE(before, before_id) \
	KEYSET_BEFORE_OF("p.created_at", "p.id", before, before_id)

/*
 * inbox_page: the same page as feed_page without a tag filter, as posts
 * rows, read from the viewer's rows of intentional_feed_inbox (migration
 * 0005) instead of author by author: one backward range scan of its
 * primary key (viewer_id, created_at, post_id) from the cursor down to
 * intentional_feed_horizon_start(), each row joined to its post and kept
 * if the rule allows (the inbox holds a superset: the rule decides).  The
 * created_at of the join skips a row left over from a post that changed.
 * keyset: "" or a condition on ib.created_at and ib.post_id, so that it
 * bounds the scan.  skip and limit are read through subqueries, values the
 * planner never knows: with them known, each call's custom plan looks
 * cheaper than the generic one, and PostgreSQL's plan cache would plan the
 * statement anew for every call (2 ms, more than running it).
 *
 * Complete only inside the horizon.  A full page is the page: every
 * visible post it lacks is older than the horizon, so older than all of
 * its posts.  A page of fewer than limit posts may lack older ones, which
 * only the author-driven feed_page finds: lib/feed.c then runs that.
 */
#define INBOX_PAGE(viewer, skip, limit, keyset) \
	"inbox_page AS (SELECT p.* FROM intentional_feed_inbox ib" \
	" JOIN posts p ON p.id = ib.post_id AND p.created_at = ib.created_at" \
	" WHERE ib.viewer_id = " viewer keyset \
	" AND ib.created_at >= intentional_feed_horizon_start()" \
	" AND " SQL_POST_VISIBLE_AMONG("p", viewer, CONNECTIONS_OF(viewer)) \
	" ORDER BY ib.created_at DESC, ib.post_id DESC" \
	" OFFSET (SELECT " skip ") LIMIT (SELECT " limit "))"

#endif
