#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "feed.h"
#include "jsonv.h"
#include "posts_json.h"
#include "posts_sql.h"
#include "social.h"
#include "wallclock.h"

/* API.md 4.13 route 49. */
#define CLEAR_RECENT_POSTS "50"

/*
 * Each read of the unfiltered feed runs its INBOX_ statement first, and
 * the author-driven one only when the inbox cannot fill the page (posts
 * older than intentional_feed_horizon(), migration 0005): one statement,
 * two past the horizon.  Two statements rather than one with both
 * branches: executor start-up of the author-driven branch costs about as
 * much as running the inbox's.
 */
enum {
	FEED_FIRST,
	FEED_BEFORE,
	FEED_INBOX_FIRST,
	FEED_INBOX_BEFORE,
	RECENT,
	RECENT_INBOX,
	CLEAR_RECENT,
	CLEAR_RECENT_INBOX,
	DIGEST,
};

/* The page (a CTE of posts ids) with the Post columns, newest first. */
#define FEED_SELECT(ctes, page) \
	"WITH " ctes " SELECT " POST_COLUMNS("$1") " FROM " page " fp" \
	" JOIN posts p ON p.id = fp.id" POST_JOINS " ORDER BY " POST_ORDER

/*
 * The feed of $1, skip $2, limit $3, tag ids $4 (NULL: all), after the
 * cursor ($5, $6) when keyset, author by author.  The only statement of a
 * feed filtered by tags: the filter narrows the authors to the few the
 * viewer tagged, where the inbox would scan past every other author's rows.
 */
#define FEED_AUTHORS_SELECT(keyset) \
	FEED_SELECT(FEED_CTES("$1::int", "$2::int", "$3::int", "$4::int[]", \
			      keyset), "feed_page")

/* The feed of $1, skip $2, limit $3, after the cursor ($4, $5) when
 * keyset, from the inbox (its posts are already read: no second join). */
#define FEED_INBOX_SELECT(keyset) \
	"WITH " INBOX_PAGE("$1::int", "$2::int", "$3::int", keyset) \
	" SELECT " POST_COLUMNS("$1") " FROM inbox_page p" POST_JOINS \
	" ORDER BY " POST_ORDER

/* The ids of page (id, created_at), the newest $2 feed posts of $1, and
 * those with unread notifications of $1 ordered by their newest unread
 * one; then what follows. */
#define RECENT_SELECT(page, more) \
	" SELECT (SELECT COALESCE(json_agg(id ORDER BY created_at DESC," \
	"  id DESC), '[]') FROM " page ")::text," \
	" (SELECT COALESCE(json_agg(post_id ORDER BY newest DESC," \
	"  post_id DESC), '[]') FROM (SELECT n.post_id," \
	"  max(n.created_at) AS newest FROM notifications n" \
	"  WHERE n.recipient_id = $1 AND n.read_at IS NULL" \
	"  AND n.post_id IN (SELECT id FROM " page ")" \
	"  GROUP BY n.post_id) unread)::text" more

/* Marks read the unread notifications of $1 on the posts of page, when
 * cond. */
#define CLEAR_UPDATE(page, cond) \
	"UPDATE notifications SET read_at = " SQL_NOW_UTC \
	" WHERE recipient_id = $1 AND read_at IS NULL" \
	" AND post_id IN (SELECT id FROM " page ")" cond

/* The inbox page of route 49 is full. */
#define CLEAR_INBOX_FULL \
	"(SELECT count(*) FROM inbox_page) = " CLEAR_RECENT_POSTS

/*
 * The digest of rule 6.7, steps 3 to 9, for $1 and the week [$2, $3):
 * candidate authors narrowed by colour $4 or tag id $5 (both NULL: the
 * caller and all connections), visible posts of the week scored above $6,
 * the best $7 per author and calendar day, those of 4.0 or less dropped
 * when the week has a 7.0, then the first DIGEST_MAX_POSTS in time order.
 * The last two columns: the capped digest_summary, the mean kept score.
 */
#define DIGEST_SQL \
	"WITH dg_authors AS (SELECT a.id, a.id IN " SQL_TAGGERS_OF("$1") \
	"  AS tagged FROM (SELECT $1::int AS id" \
	"  WHERE $4::text IS NULL AND $5::int IS NULL" \
	"  UNION SELECT c.id FROM " CONNECTIONS_OF("$1::int") " c" \
	"  WHERE ($4::text IS NULL AND $5::int IS NULL)" \
	"  OR EXISTS (SELECT 1 FROM user_tags dt JOIN tags t ON t.id = dt.tag_id" \
	"  WHERE dt.owner_user_id = $1 AND dt.target_user_id = c.id" \
	"  AND t.owner_user_id = $1" \
	"  AND (t.color_scheme = $4::text OR t.id = $5::int))) a)," \
	" dg_scored AS (SELECT p.id, p.created_at, p.importance_score," \
	"  row_number() OVER (PARTITION BY p.author_id, p.created_at::date" \
	"  ORDER BY p.importance_score DESC, p.id) AS day_rank," \
	"  bool_or(p.importance_score >= 7.0) OVER () AS eventful" \
	"  FROM dg_authors fa JOIN posts p ON p.author_id = fa.id" \
	"  WHERE p.created_at >= $2::timestamp AND p.created_at < $3::timestamp" \
	"  AND p.importance_score > $6::float8 AND (p.author_id = $1 OR " \
	SQL_AUDIENCE_ADMITS_TAGGED("p", "$1", "fa.tagged") "))," \
	" dg_kept AS (SELECT id, created_at, importance_score FROM dg_scored" \
	"  WHERE day_rank <= $7::int AND (NOT eventful OR importance_score > 4.0)" \
	"  ORDER BY created_at, importance_score DESC, id" \
	"  LIMIT " SQL_INT(DIGEST_MAX_POSTS) ")" \
	" SELECT " POST_COLUMNS("$1") ", left(p.digest_summary, " \
	SQL_INT(DIGEST_SUMMARY_MAX_CHARS) ")," \
	"  avg(k.importance_score) OVER ()" \
	" FROM dg_kept k JOIN posts p ON p.id = k.id" POST_JOINS \
	" ORDER BY k.created_at, k.importance_score DESC, k.id"

static struct db_stmt stmts[] = {
	[FEED_FIRST] = { "feed_first", FEED_AUTHORS_SELECT(""), 0 },
	[FEED_BEFORE] = { "feed_before",
		FEED_AUTHORS_SELECT(" AND " KEYSET_BEFORE("$5::timestamp",
							  "$6::int")), 0 },
	[FEED_INBOX_FIRST] = { "feed_inbox_first", FEED_INBOX_SELECT(""), 0 },
	[FEED_INBOX_BEFORE] = { "feed_inbox_before", FEED_INBOX_SELECT(
		" AND " KEYSET_BEFORE_OF("ib.created_at", "ib.post_id",
					 "$4::timestamp", "$5::int")), 0 },
	[RECENT] = { "notifications_recent",
		"WITH " FEED_CTES("$1::int", "0", "$2::int", "NULL::int[]", "")
		RECENT_SELECT("feed_page", ""), 0 },
	/* and the number of posts the inbox found */
	[RECENT_INBOX] = { "notifications_recent_inbox",
		"WITH " INBOX_PAGE("$1::int", "0", "$2::int", "")
		RECENT_SELECT("inbox_page",
			      ", (SELECT count(*) FROM inbox_page)"), 0 },
	[CLEAR_RECENT] = { "notifications_clear_recent",
		"WITH " FEED_CTES("$1::int", "0", CLEAR_RECENT_POSTS,
				  "NULL::int[]", "")
		" " CLEAR_UPDATE("feed_page", ""), 0 },
	/* whether the inbox's page was full (else nothing is changed), and
	 * how many notifications were marked */
	[CLEAR_RECENT_INBOX] = { "notifications_clear_recent_inbox",
		"WITH " INBOX_PAGE("$1::int", "0", CLEAR_RECENT_POSTS, "") ","
		" cleared AS (" CLEAR_UPDATE("inbox_page",
					     " AND " CLEAR_INBOX_FULL)
		" RETURNING 1)"
		" SELECT " CLEAR_INBOX_FULL ", (SELECT count(*) FROM cleared)", 0 },
	[DIGEST] = { "digest", DIGEST_SQL, 0 },
};

/* Columns after POST_COLUMNS in the digest. */
enum { DG_SUMMARY = PC_NCOLS, DG_MEAN };

enum result feed_read(struct arena *a, long viewer, const struct post_page *page,
		      const long long *tag_ids, size_t ntags, json_object **out)
{
	const char *v = db_int(a, viewer), *skip = db_int(a, page->skip),
		   *limit = db_int(a, page->limit),
		   *before_id = db_int(a, page->before_id);
	const char *p[] = { v, skip, limit,
			    ntags ? db_int_array(a, tag_ids, ntags) : NULL,
			    page->before, before_id };
	const char *q[] = { v, skip, limit, page->before, before_id };
	int before = page->before != NULL;
	PGresult *res = NULL;
	enum result r;

	*out = NULL;
	if (ntags == 0) {
		r = db_exec(a, &stmts[before ? FEED_INBOX_BEFORE
				      : FEED_INBOX_FIRST], before ? 5 : 3, q, &res);
		if (r != RES_OK)
			return r;
	}
	if (ntags > 0 || PQntuples(res) < page->limit) {
		r = db_exec(a, &stmts[before ? FEED_BEFORE : FEED_FIRST],
			    before ? 6 : 4, p, &res);
		if (r != RES_OK)
			return r;
	}
	*out = posts_json(a, res, -1);
	return RES_OK;
}

/* ---- notifications of recent feed posts ---- */

/* The JSON text of a column as an object (an empty array if unparsable). */
static json_object *json_text(struct arena *a, const char *text)
{
	json_object *j;

	if (text == NULL || jv_parse(a, text, strlen(text), &j) < 0 || j == NULL)
		return json_object_new_array();
	return json_object_get(j);
}

enum result notifications_recent(struct arena *a, long viewer, long limit,
				 json_object **out)
{
	const char *p[] = { db_int(a, viewer), db_int(a, limit) };
	PGresult *res;
	enum result r;

	*out = NULL;
	if ((r = db_exec(a, &stmts[RECENT_INBOX], 2, p, &res)) != RES_OK)
		return r;
	if (db_get_int(res, 0, 2) < limit &&
	    (r = db_exec(a, &stmts[RECENT], 2, p, &res)) != RES_OK)
		return r;
	*out = json_object_new_object();
	jv_put(*out, "recent_post_ids", json_text(a, db_get_str(res, 0, 0)));
	jv_put(*out, "unread_post_ids", json_text(a, db_get_str(res, 0, 1)));
	return RES_OK;
}

enum result notifications_clear_recent(struct arena *a, long viewer,
				       long *count)
{
	const char *p[] = { db_int(a, viewer) };
	PGresult *res;
	enum result r;

	*count = 0;
	if ((r = db_exec(a, &stmts[CLEAR_RECENT_INBOX], 1, p, &res)) != RES_OK)
		return r;
	if (db_get_bool(res, 0, 0)) {
		*count = (long)db_get_int(res, 0, 1);
		return RES_OK;
	}
	if ((r = db_exec(a, &stmts[CLEAR_RECENT], 1, p, &res)) != RES_OK)
		return r;
	*count = atol(PQcmdTuples(res));
	return RES_OK;
}

/* ---- the digest ---- */

/* Rule 6.7 step 3: the colour or the tag id tag_filter names, if any. */
static void digest_filter(struct arena *a, const char *tag_filter,
			  const char **color, const char **tag_id)
{
	long id;

	*color = *tag_id = NULL;
	if (tag_filter == NULL)
		return;
	if (strcmp(tag_filter, "friends") == 0 ||
	    strcmp(tag_filter, "family") == 0) {
		*color = tag_filter;
	} else if (*tag_filter != '\0' &&
		   strspn(tag_filter, "0123456789") == strlen(tag_filter)) {
		errno = 0;
		id = strtol(tag_filter, NULL, 10);
		/* too large for a tag id: 0, which matches no tag */
		*tag_id = db_int(a, errno == 0 && id <= 2147483647L ? id : 0);
	}
}

/* Rule 6.7 step 10, by the mean score of the kept posts. */
static const char *weekly_summary(double mean)
{
	if (mean > 6.0)
		return "An eventful week with several significant moments.";
	if (mean > 4.0)
		return "A balanced week of routines and small joys.";
	return "A quieter, restful week.";
}

/* "YYYY-MM-DDTHH:MM:SS" of w without the fraction. */
static json_object *week_bound(struct arena *a, const struct wallclock *w)
{
	return json_object_new_string(arena_printf(a,
		"%04d-%02d-%02dT%02d:%02d:%02d", w->year, w->mon, w->day,
		w->hour, w->min, w->sec));
}

enum result digest_read(struct arena *a, long viewer, const char *tag_filter,
			const char *client_timestamp, json_object **out)
{
	struct wallclock start, next, end;
	const char *p[7];
	long per_day = cfg.digest_posts_per_day;
	PGresult *res;
	enum result r;

	*out = NULL;
	if (client_timestamp == NULL ||
	    wallclock_parse(client_timestamp, &start) < 0)
		wallclock_local_now(&start);
	wallclock_add_days(&start, -wallclock_weekday(&start));
	start.hour = start.min = start.sec = start.usec = 0;
	next = end = start;
	wallclock_add_days(&next, 7);
	wallclock_add_days(&end, 6);
	end.hour = 23;
	end.min = end.sec = 59;

	p[0] = db_int(a, viewer);
	p[1] = wallclock_sql(a, &start);
	p[2] = wallclock_sql(a, &next);
	digest_filter(a, tag_filter, &p[3], &p[4]);
	p[5] = arena_printf(a, "%.17g", cfg.digest_min_importance);
	p[6] = db_int(a, per_day < 1 ? 1 : per_day > 2 ? 2 : per_day);
	if ((r = db_exec(a, &stmts[DIGEST], 7, p, &res)) != RES_OK)
		return r;

	*out = json_object_new_object();
	jv_put(*out, "posts", posts_json(a, res, DG_SUMMARY));
	jv_put(*out, "weekly_summary", PQntuples(res) == 0 ? NULL
	       : json_object_new_string(weekly_summary(
			db_get_double(res, 0, DG_MEAN))));
	jv_put(*out, "week_start", week_bound(a, &start));
	jv_put(*out, "week_end", week_bound(a, &end));
	return RES_OK;
}
