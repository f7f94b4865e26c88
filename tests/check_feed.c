/*
 * The feed, the digest and the bell's recent posts through nginx (API.md
 * 4.3, 4.4, 4.13 routes 45 and 49, rules 6.3 and 6.7): paging over
 * visible posts mixed with invisible ones by offset and by cursor, the tag
 * filter, the digest's week and selection rules on crafted scores, read
 * and clear semantics of notifications, bad input, and statement counts
 * that do not grow with the page.
 *
 * The stack runs with DIGEST_POSTS_PER_CONNECTION_PER_DAY=5, which the
 * digest clamps to 2 (6.7 step 7).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures_social.h"
#include "harness.h"
#include "posts_http.h"

#define MAX_IDS 512

/* The ids of the page, asserting 200. */
static int page_ids(long user, const char *path, long *ids)
{
	return post_ids(get_ok(user, path), NULL, ids, MAX_IDS);
}

/* The int[] literal of the ids (malloc'd). */
static char *id_array(const long *ids, int n)
{
	char *list = malloc((size_t)n * 12 + 3), *w = list;
	int i;

	*w++ = '{';
	for (i = 0; i < n; i++)
		w += sprintf(w, "%s%ld", i ? "," : "", ids[i]);
	strcpy(w, "}");
	return list;
}

/* ids ordered as the feed orders them, read from the database. */
static int feed_order(const long *ids, int n, long *out)
{
	char *list = id_array(ids, n);
	PGresult *res = sql("SELECT id FROM posts WHERE id = ANY('%s'::int[])"
			    " ORDER BY created_at DESC, id DESC", list);
	int i;

	for (i = 0; i < PQntuples(res); i++)
		out[i] = atol(PQgetvalue(res, i, 0));
	free(list);
	return i;
}

static void assert_same_ids(const long *got, int ngot, const long *want,
			    int nwant)
{
	int i;

	ck_assert_int_eq(ngot, nwant);
	for (i = 0; i < nwant; i++)
		ck_assert_msg(got[i] == want[i], "position %d: %ld, expected %ld",
			      i, got[i], want[i]);
}

/* ---- the feed ---- */

/*
 * A viewer whose candidate posts are 120 visible ones interleaved in time
 * with 200 invisible ones (private, other tags, tag-less 'tags', NULL and
 * unknown audiences, a pending connection, a stranger), inserted in a
 * shuffled order so that ids do not follow time, two posts per minute.
 */
struct feed_world {
	long viewer, conn[5], pending, stranger;
	long visible[120];
	int nvisible;
};

static void build_feed_world(struct feed_world *w)
{
	long t1, t2, tv, tags1[2], tags2[2], tagsv[2];
	int k, i;

	memset(w, 0, sizeof(*w));
	w->viewer = fresh_user();
	for (k = 0; k < 4; k++) {
		w->conn[k] = fresh_user();
		fx_connect(k % 2 ? w->viewer : w->conn[k],
			   k % 2 ? w->conn[k] : w->viewer, "accepted");
	}
	w->pending = fresh_user();
	fx_connect(w->pending, w->viewer, "pending");
	w->stranger = fresh_user();
	t1 = fx_tag(w->conn[0], "t1", "friends");
	fx_tag_user(w->conn[0], w->viewer, t1);
	t2 = fx_tag(w->conn[1], "t2", "friends");
	tv = fx_tag(w->viewer, "mine", "work");
	tags1[0] = t1, tags2[0] = t2, tagsv[0] = tv;
	tags1[1] = tags2[1] = tagsv[1] = 0;
	PQclear(fx_sql("BEGIN"));
	for (k = 0; k < 320; k++) {
		int n = (k * 97) % 320, kind = n % 8, c = (n / 8) % 4;
		const char *when = tfmt("2025-02-01 %02d:%02d", n / 2 / 60,
					n / 2 % 60);
		long id = 0;

		switch (kind) {
		case 0:
			id = fx_post(w->viewer, c % 3 == 0 ? "all" : c % 3 == 1
				     ? "private" : "tags", when,
				     c % 3 == 2 ? tagsv : NULL, "[]");
			break;
		case 1:
			id = fx_post(w->conn[c], "all", when, NULL, "[]");
			break;
		case 2:
			id = fx_post(w->conn[0], "tags", when, tags1, "[]");
			break;
		case 3:
			fx_post(w->conn[c], "private", when, NULL, "[]");
			break;
		case 4:
			fx_post(w->conn[1], "tags", when, tags2, "[]");
			break;
		case 5:
			fx_post(w->stranger, "all", when, NULL, "[]");
			break;
		case 6:
			fx_post(w->pending, "all", when, NULL, "[]");
			break;
		default:
			fx_post(w->conn[2 + c % 2], c % 3 == 0 ? "tags" : c % 3 == 1
				? NULL : "connections", when, NULL, "[]");
			break;
		}
		if (id != 0)
			w->visible[w->nvisible++] = id;
	}
	PQclear(fx_sql("COMMIT"));
	for (i = 0; i < w->nvisible; i++)
		ck_assert(w->visible[i] > 0);
}

START_TEST(offset_paging_returns_each_visible_post_once_in_order)
{
	struct feed_world w;
	long want[MAX_IDS], got[MAX_IDS], page[MAX_IDS];
	int nwant, ngot = 0, n, skip;

	build_feed_world(&w);
	ck_assert_int_eq(w.nvisible, 120);
	nwant = feed_order(w.visible, w.nvisible, want);
	for (skip = 0;; skip += n) {
		n = page_ids(w.viewer, tfmt("/feed/?skip=%d&limit=7", skip), page);
		if (n == 0)
			break;
		/* never a short page while more posts exist */
		ck_assert_int_eq(n, skip + 7 <= 120 ? 7 : 120 - skip);
		memcpy(got + ngot, page, (size_t)n * sizeof(long));
		ngot += n;
	}
	assert_same_ids(got, ngot, want, nwant);
	/* one page of everything, and the tail after a large offset */
	assert_same_ids(page, page_ids(w.viewer, "/feed?limit=100&skip=100", page),
			want + 100, 20);
	ck_assert_int_eq(page_ids(w.viewer, "/feed?skip=10000", page), 0);
}
END_TEST

START_TEST(cursor_paging_is_stable_while_posts_arrive)
{
	struct feed_world w;
	long want[MAX_IDS], got[MAX_IDS], page[MAX_IDS];
	int nwant, ngot = 0, n, newer = 0, skip;
	http_resp *r;
	const char *path = "/feed?limit=9";
	char *list;

	build_feed_world(&w);
	nwant = feed_order(w.visible, w.nvisible, want);
	for (;;) {
		r = get_ok(w.viewer, path);
		n = post_ids(r, NULL, page, MAX_IDS);
		if (n == 0)
			break;
		memcpy(got + ngot, page, (size_t)n * sizeof(long));
		ngot += n;
		path = tfmt("/feed?limit=9&before=%s&before_id=%ld",
			    jo_str(jo_item(r->json, n - 1), "created_at"), page[n - 1]);
		/* a new post at the top between two pages */
		fx_post(w.conn[newer % 4], "all", tfmt("2025-03-01 10:%02d", newer),
			NULL, "[]");
		newer++;
	}
	assert_same_ids(got, ngot, want, nwant);
	/* the new posts are at the top of a fresh first page */
	n = page_ids(w.viewer, tfmt("/feed?limit=%d", newer + 1), page);
	ck_assert_int_eq(n, newer + 1);
	ck_assert_int_eq(page[newer], want[0]);
	/* before alone: strictly older than that time */
	list = id_array(want, nwant);
	skip = (int)sql_long("SELECT count(*) FROM posts WHERE id = ANY('%s')"
			     " AND created_at >= (SELECT created_at FROM posts"
			     " WHERE id = %ld)", list, want[60]);
	free(list);
	n = page_ids(w.viewer, tfmt("/feed?limit=100&before=%s",
				    sql_str("SELECT to_char(created_at,"
					    " 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM posts"
					    " WHERE id = %ld", want[60])), page);
	assert_same_ids(page, n, want + skip, nwant - skip);
}
END_TEST

/*
 * The feed against rule 6.3 written plainly over every post, for each
 * member of a random community (accepted and pending connections, tags,
 * every audience, few and many posts per author, equal times) and many
 * pages: the two-pass bound of the feed statement must never lose a post.
 * With recent, the posts spread over the last 20 days, across the start of
 * the inbox's horizon (migration 0005): pages from the inbox, from the
 * authors, and those the inbox cannot fill.
 */
static void feed_matches_the_rule(int recent)
{
	enum { MEMBERS = 12, POSTS = 400 };
	static const char *const audience[] = { "all", "all", "all", "tags",
						"private", NULL, "connections" };
	static const int pages[][2] = { { 0, 1 }, { 0, 20 }, { 3, 7 }, { 20, 20 },
					{ 0, 100 }, { 57, 13 }, { 150, 100 } };
	long u[MEMBERS], tag[MEMBERS], got[MAX_IDS];
	char *ids;
	int i, j, k, n;

	srand(42);
	for (i = 0; i < MEMBERS; i++) {
		u[i] = fresh_user();
		tag[i] = fx_tag(u[i], "t", "friends");
	}
	ids = id_array(u, MEMBERS);
	PQclear(fx_sql("BEGIN"));
	for (i = 0; i < MEMBERS; i++)
		for (j = i + 1; j < MEMBERS; j++) {
			int r = rand() % 4;

			if (r < 2)
				fx_connect(u[i], u[j], r ? "accepted" : "pending");
			if (rand() % 3 == 0)
				fx_tag_user(u[i], u[j], tag[i]);
			if (rand() % 3 == 0)
				fx_tag_user(u[j], u[i], tag[j]);
		}
	for (k = 0; k < POSTS; k++) {
		/* a skewed author distribution: some post a lot */
		int a = (rand() % MEMBERS) * (rand() % MEMBERS) / MEMBERS;
		int x = rand() % 7, day = rand() % 20, hour = rand() % 3;
		long tags[] = { tag[a], 0 };
		const char *when = recent
			? sql_str("SELECT (date_trunc('hour', now() AT TIME ZONE"
				  " 'UTC') - interval '%d days %d hours')::text",
				  day, hour)
			: tfmt("2025-04-%02d %02d:00", 1 + day, hour);

		fx_post(u[a], audience[x], when, x == 3 && rand() % 4 ? tags : NULL,
			"[]");
	}
	PQclear(fx_sql("COMMIT"));
	for (i = 0; i < MEMBERS; i++)
		for (k = 0; k < (int)(sizeof(pages) / sizeof(pages[0])); k++) {
			int skip = pages[k][0], limit = pages[k][1];
			PGresult *want = sql("SELECT p.id FROM posts p"
				" WHERE p.author_id = ANY('%s') AND %s"
				" ORDER BY p.created_at DESC, p.id DESC OFFSET %d LIMIT %d",
				ids, plain_visible(u[i]), skip, limit);
			http_resp *r = get_ok(u[i], tfmt("/feed?skip=%d&limit=%d",
							 skip, limit));

			n = post_ids(r, NULL, got, MAX_IDS);
			ck_assert_msg(n == PQntuples(want), "member %d, skip %d, limit %d:"
				      " %d posts, expected %d", i, skip, limit, n,
				      PQntuples(want));
			for (j = 0; j < n; j++)
				ck_assert_msg(got[j] == atol(PQgetvalue(want, j, 0)),
					      "member %d, skip %d, limit %d, position %d",
					      i, skip, limit, j);
			/* the caller, the inbox, and the authors past its horizon */
			ck_assert_int_eq(statement_count(r), recent &&
					 sql_long("SELECT count(*) FROM posts p"
						  " WHERE p.author_id = ANY('%s') AND %s"
						  " AND p.created_at >="
						  " intentional_feed_horizon_start()",
						  ids, plain_visible(u[i])) >=
					 skip + limit ? 2 : 3);
			sql_free(want);
		}
	free(ids);
}

START_TEST(feed_matches_the_rule_over_a_random_community)
{
	feed_matches_the_rule(0);
}
END_TEST

START_TEST(feed_matches_the_rule_across_the_inbox_horizon)
{
	feed_matches_the_rule(1);
}
END_TEST

START_TEST(tag_filter_keeps_tagged_people_and_own_matching_posts)
{
	long v = fresh_user(), c1 = fresh_user(), c2 = fresh_user(),
	     c3 = fresh_user(), other = fresh_user();
	long x = fx_tag(v, "x", "friends"), y = fx_tag(v, "y", "family");
	long theirs = fx_tag(c2, "z", "friends"), foreign = fx_tag(other, "f", "work");
	long tx[] = { x, 0 }, ty[] = { y, 0 }, tz[] = { theirs, 0 };
	long c1_all, c2_all, c3_all, v_all, v_tags_x, v_tags_y, ids[MAX_IDS];
	int n;

	fx_connect(v, c1, "accepted");
	fx_connect(c2, v, "accepted");
	fx_connect(v, c3, "accepted");
	fx_tag_user(v, c1, x);
	fx_tag_user(v, c2, x);
	fx_tag_user(v, c3, y);
	fx_tag_user(c2, v, theirs);
	c1_all = fx_post(c1, "all", "2025-02-01 10:00", NULL, "[]");
	fx_post(c1, "private", "2025-02-01 10:01", NULL, "[]");
	c2_all = fx_post(c2, "all", "2025-02-01 10:02", NULL, "[]");
	fx_post(c2, "tags", "2025-02-01 10:03", tz, "[]");	/* visible, never matches */
	c3_all = fx_post(c3, "all", "2025-02-01 10:04", NULL, "[]");
	v_all = fx_post(v, "all", "2025-02-01 10:05", NULL, "[]");
	fx_post(v, "private", "2025-02-01 10:06", NULL, "[]");
	v_tags_x = fx_post(v, "tags", "2025-02-01 10:07", tx, "[]");
	v_tags_y = fx_post(v, "tags", "2025-02-01 10:08", ty, "[]");

	/* all but c1's private post */
	ck_assert_int_eq(page_ids(v, "/feed?limit=100", ids), 8);
	n = page_ids(v, tfmt("/feed?tag_ids=%ld", x), ids);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(ids[0], v_tags_x);
	ck_assert_int_eq(ids[1], v_all);
	ck_assert_int_eq(ids[2], c2_all);
	ck_assert_int_eq(ids[3], c1_all);
	n = page_ids(v, tfmt("/feed?tag_ids=%ld,,%ld&limit=50", y, x), ids);
	ck_assert_int_eq(n, 6);
	ck_assert(has_id(ids, n, c3_all) && has_id(ids, n, v_tags_y));
	/* someone else's tag: no tagged people, only the viewer's 'all' posts */
	n = page_ids(v, tfmt("/feed?tag_ids=%ld,%ld", foreign, theirs), ids);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ids[0], v_all);
	/* an empty list is no filter */
	ck_assert_int_eq(page_ids(v, "/feed?tag_ids=,&limit=100", ids), 8);
}
END_TEST

/* The world's posts are older than the inbox's horizon: the unfiltered
 * feed reads the inbox, then the authors; the tag filter only the authors
 * (tests/check_inbox.c has pages the inbox fills). */
START_TEST(feed_statement_count_does_not_grow_with_the_page)
{
	struct feed_world w;
	http_resp *r;
	int counts[5], i;

	build_feed_world(&w);
	counts[0] = statement_count(get_ok(w.viewer, "/feed?limit=1"));
	counts[1] = statement_count(get_ok(w.viewer, "/feed?limit=50"));
	counts[2] = statement_count(get_ok(w.viewer, "/feed?limit=50&skip=60"));
	r = get_ok(w.viewer, "/feed?limit=50&before=2025-02-01T01:00:00&before_id=7");
	counts[3] = statement_count(r);
	counts[4] = statement_count(get_ok(w.viewer, "/feed?limit=50&tag_ids=1,2,3"));
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(counts[i], 3);	/* the caller, inbox, authors */
	ck_assert_int_eq(counts[4], 2);		/* the caller, the authors */
	ck_assert_int_eq(statement_count(get_ok(w.viewer, "/notifications/recent"
						"?limit_posts=1")), 3);
	ck_assert_int_eq(statement_count(get_ok(w.viewer, "/notifications/recent"
						"?limit_posts=100")), 3);
}
END_TEST

START_TEST(bad_feed_queries_are_422)
{
	long u = fresh_user();
	static const char *const bad[] = {
		"/feed?limit=0", "/feed?limit=101", "/feed?limit=-5",
		"/feed?limit=ten", "/feed?skip=-1", "/feed?skip=10001",
		"/feed?skip=1.5", "/feed/?tag_ids=1,x", "/feed?tag_ids=1;2",
		"/feed?tag_ids=99999999999", "/feed?before=yesterday",
		"/feed?before=2025-02-30T10:00:00", "/feed?before_id=5",
		"/feed?before=2025-02-01T10:00:00&before_id=0",
		"/feed?before=2025-02-01T10:00:00&before_id=x",
		"/notifications/recent?limit_posts=0",
		"/notifications/recent?limit_posts=101",
		"/notifications/recent?limit_posts=x",
		"/digest/?tag_filter=" "0123456789012345678901234567890123456789"
		"01234567890123456789012345",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_resp *r = http("GET", bad[i], token_for(u), NULL);

		assert_json(r, 422, NULL);
		ck_assert_msg(json_object_is_type(json_object_object_get(r->json,
			"detail"), json_type_array), "%s: %s", bad[i], r->body);
	}
	assert_json(http("GET", "/feed", NULL, NULL), 401, NULL);
	assert_json(http("GET", "/digest/", NULL, NULL), 401, NULL);
	assert_json(http("GET", "/notifications/recent", NULL, NULL), 401, NULL);
	assert_json(http("POST", "/notifications/recent/clear", NULL, "{}"), 401, NULL);
}
END_TEST

/* ---- the digest ---- */

/* GET /digest/ of user with the query; asserts 200. */
static http_resp *digest(long user, const char *query)
{
	return get_ok(user, tfmt("/digest/?%s", query));
}

static int digest_ids(long user, const char *query, long *ids)
{
	return post_ids(digest(user, query), "posts", ids, MAX_IDS);
}

static long scored(long author, const char *audience, const char *when,
		   double score)
{
	long id = fx_post(author, audience, when, NULL, "[]");

	fx_score(id, score, "summary");
	return id;
}

START_TEST(digest_week_runs_from_sunday_to_saturday)
{
	long u = fresh_user(), c = fresh_user(), ids[MAX_IDS];
	long in_first, in_last;
	static const char *const same_week[] = {
		"2025-03-05T12:00:00", "2025-03-02T00:00:00", "2025-03-08T23:59:59",
		"2025-03-05", "2025-03-05T23:30:00-08:00", "2025-03-08T23:30:00%2B14:00",
		"2025-03-02T00:00:00Z",
	};
	struct tm tm;
	time_t now = time(NULL);
	char start[32];
	http_resp *r;
	size_t i;

	fx_connect(u, c, "accepted");
	scored(c, "all", "2025-03-01 23:59:59.5", 5);
	in_first = scored(c, "all", "2025-03-02 00:00:00", 5);
	in_last = scored(c, "all", "2025-03-08 23:59:59.9", 5);
	scored(c, "all", "2025-03-09 00:00:00", 5);
	for (i = 0; i < sizeof(same_week) / sizeof(same_week[0]); i++) {
		r = digest(u, tfmt("client_timestamp=%s", same_week[i]));
		ck_assert_str_eq(jstr(r, "week_start"), "2025-03-02T00:00:00");
		ck_assert_str_eq(jstr(r, "week_end"), "2025-03-08T23:59:59");
		ck_assert_int_eq(post_ids(r, "posts", ids, MAX_IDS), 2);
		ck_assert_int_eq(ids[0], in_first);
		ck_assert_int_eq(ids[1], in_last);
	}
	r = digest(u, "client_timestamp=2025-03-09T00:00:00");
	ck_assert_str_eq(jstr(r, "week_start"), "2025-03-09T00:00:00");
	ck_assert_str_eq(jstr(r, "week_end"), "2025-03-15T23:59:59");
	ck_assert_int_eq(post_ids(r, "posts", ids, MAX_IDS), 1);
	/* absent or unparsable: this week of the server's local time */
	localtime_r(&now, &tm);
	tm.tm_mday -= tm.tm_wday;
	tm.tm_hour = 12;
	mktime(&tm);
	strftime(start, sizeof(start), "%Y-%m-%dT00:00:00", &tm);
	ck_assert_str_eq(jstr(digest(u, "tag_filter=all"), "week_start"), start);
	ck_assert_str_eq(jstr(digest(u, "client_timestamp=soon"), "week_start"), start);
	ck_assert_ptr_null(json_object_object_get(digest(u, "")->json,
						  "weekly_summary"));
}
END_TEST

START_TEST(digest_selects_by_score_day_and_order)
{
	long u = fresh_user(), c1 = fresh_user(), c2 = fresh_user(), ids[MAX_IDS];
	long a6, b6, own, low_in, c2_low;
	http_resp *r;
	json_object *post;

	fx_connect(u, c1, "accepted");
	fx_connect(c2, u, "accepted");
	/* Monday, c1: the best two of four (ties by lower id), 5.0 dropped */
	a6 = scored(c1, "all", "2025-03-03 09:00", 6);
	b6 = scored(c1, "all", "2025-03-03 10:00", 6);
	scored(c1, "all", "2025-03-03 11:00", 6);
	scored(c1, "all", "2025-03-03 08:00", 5);
	/* Tuesday, c1: only a score above the threshold 1.0 counts */
	scored(c1, "all", "2025-03-04 09:00", 1.0);
	low_in = scored(c1, "all", "2025-03-04 10:00", 1.01);
	fx_post(c1, "all", "2025-03-04 11:00", NULL, "[]");	/* not scored */
	/* c2: a private post is not for u */
	scored(c2, "private", "2025-03-03 12:00", 9);
	c2_low = scored(c2, "all", "2025-03-03 12:00", 3);
	/* the caller's own, with a comment */
	own = scored(u, "private", "2025-03-05 09:00", 2);
	fx_comment(own, c1, "nice");
	fx_score(own, 2, "a very long summary "
		 "..................................................................."
		 "..................................................................."
		 "..................................................................."
		 "..................................................................."
		 "..................................................................."
		 "..................................................................."
		 "..................................................................."
		 "...................................................................");

	r = digest(u, "client_timestamp=2025-03-06T10:00:00");
	ck_assert_int_eq(post_ids(r, "posts", ids, MAX_IDS), 5);
	ck_assert_int_eq(ids[0], a6);
	ck_assert_int_eq(ids[1], b6);
	ck_assert_int_eq(ids[2], c2_low);
	ck_assert_int_eq(ids[3], low_in);
	ck_assert_int_eq(ids[4], own);
	/* mean (6 + 6 + 3 + 1.01 + 2) / 5 = 3.6: a quiet week */
	ck_assert_str_eq(jstr(r, "weekly_summary"), "A quieter, restful week.");
	post = json_object_array_get_idx(json_object_object_get(r->json, "posts"), 4);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(post,
		"comment_count")), 1);
	ck_assert_int_eq(strlen(json_object_get_string(json_object_object_get(post,
		"digest_summary"))), 500);
	post = json_object_array_get_idx(json_object_object_get(r->json, "posts"), 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(post,
		"digest_summary")), "summary");
	ck_assert_int_eq(statement_count(r), 2);
}
END_TEST

START_TEST(digest_drops_the_low_in_an_eventful_week)
{
	long u = fresh_user(), c = fresh_user(), ids[MAX_IDS];
	long high, mid;
	http_resp *r;

	fx_connect(u, c, "accepted");
	high = scored(c, "all", "2025-03-03 09:00", 7.0);
	scored(c, "all", "2025-03-04 09:00", 4.0);
	mid = scored(c, "all", "2025-03-05 09:00", 4.1);
	scored(c, "all", "2025-03-06 09:00", 2.0);
	r = digest(u, "client_timestamp=2025-03-06T10:00:00");
	ck_assert_int_eq(post_ids(r, "posts", ids, MAX_IDS), 2);
	ck_assert_int_eq(ids[0], high);
	ck_assert_int_eq(ids[1], mid);
	ck_assert_str_eq(jstr(r, "weekly_summary"),
			 "A balanced week of routines and small joys.");
	/* without a 7.0 the 4.0 stays */
	u = fresh_user();
	c = fresh_user();
	fx_connect(u, c, "accepted");
	scored(c, "all", "2025-03-03 09:00", 6.9);
	scored(c, "all", "2025-03-04 09:00", 4.0);
	ck_assert_int_eq(digest_ids(u, "client_timestamp=2025-03-06T10:00:00", ids), 2);
	/* eventful: a mean over 6 */
	u = fresh_user();
	c = fresh_user();
	fx_connect(u, c, "accepted");
	scored(c, "all", "2025-03-03 09:00", 9);
	scored(c, "all", "2025-03-04 09:00", 6.5);
	ck_assert_str_eq(jstr(digest(u, "client_timestamp=2025-03-06T10:00:00"),
			      "weekly_summary"),
			 "An eventful week with several significant moments.");
}
END_TEST

START_TEST(digest_keeps_the_first_twelve_in_time_order)
{
	long u = fresh_user(), c[3], all[15], ids[MAX_IDS], want[12];
	int a, d, n = 0, i;
	http_resp *r;

	for (a = 0; a < 3; a++) {
		c[a] = fresh_user();
		fx_connect(u, c[a], "accepted");
	}
	/* one post per author and day, the same hour: ties by score, then id */
	for (d = 0; d < 5; d++)
		for (a = 0; a < 3; a++)
			all[n++] = scored(c[a], "all", tfmt("2025-03-%02d 09:00", 2 + d),
					  a == 1 ? 6 : 5);
	for (d = 0, n = 0; d < 4; d++) {
		want[n++] = all[3 * d + 1];	/* the 6.0 first */
		want[n++] = all[3 * d];
		want[n++] = all[3 * d + 2];
	}
	r = digest(u, "client_timestamp=2025-03-06T10:00:00");
	n = post_ids(r, "posts", ids, MAX_IDS);
	ck_assert_int_eq(n, 12);
	for (i = 0; i < 12; i++)
		ck_assert_int_eq(ids[i], want[i]);
	ck_assert_int_eq(statement_count(r), 2);
}
END_TEST

START_TEST(digest_tag_filter_narrows_the_authors)
{
	long u = fresh_user(), c1 = fresh_user(), c2 = fresh_user(),
	     c3 = fresh_user(), other = fresh_user(), ids[MAX_IDS];
	long f = fx_tag(u, "pals", "friends"), m = fx_tag(u, "kin", "family"),
	     z = fx_tag(u, "z", "custom"), foreign = fx_tag(other, "o", "friends");
	long p1, p2, p3, own;
	const char *q = "client_timestamp=2025-03-06T10:00:00";

	fx_connect(u, c1, "accepted");
	fx_connect(u, c2, "accepted");
	fx_connect(u, c3, "accepted");
	fx_tag_user(u, c1, f);
	fx_tag_user(u, c2, m);
	fx_tag_user(u, c3, z);
	fx_tag_user(other, c3, foreign);
	p1 = scored(c1, "all", "2025-03-03 09:00", 5);
	p2 = scored(c2, "all", "2025-03-03 10:00", 5);
	p3 = scored(c3, "all", "2025-03-03 11:00", 5);
	own = scored(u, "all", "2025-03-03 12:00", 5);
	ck_assert_int_eq(digest_ids(u, tfmt("%s&tag_filter=friends", q), ids), 1);
	ck_assert_int_eq(ids[0], p1);
	ck_assert_int_eq(digest_ids(u, tfmt("%s&tag_filter=family", q), ids), 1);
	ck_assert_int_eq(ids[0], p2);
	ck_assert_int_eq(digest_ids(u, tfmt("%s&tag_filter=%ld", q, z), ids), 1);
	ck_assert_int_eq(ids[0], p3);
	ck_assert_int_eq(digest_ids(u, tfmt("%s&tag_filter=%ld", q, foreign), ids), 0);
	ck_assert_int_eq(digest_ids(u, tfmt("%s&tag_filter=99999999999999", q), ids), 0);
	ck_assert_int_eq(digest_ids(u, tfmt("%s&tag_filter=all", q), ids), 4);
	ck_assert_int_eq(ids[3], own);
	ck_assert_int_eq(digest_ids(u, tfmt("%s&tag_filter=Friends", q), ids), 4);
	ck_assert_int_eq(digest_ids(u, tfmt("%s&tag_filter=-3", q), ids), 4);
	ck_assert_int_eq(digest_ids(u, q, ids), 4);
}
END_TEST

/* ---- notifications of recent feed posts ---- */

START_TEST(recent_posts_and_their_unread_notifications)
{
	long v = fresh_user(), c = fresh_user(), w = fresh_user();
	long p[61], secret, ids[MAX_IDS];
	int i, n;
	http_resp *r;

	fx_connect(v, c, "accepted");
	fx_connect(w, c, "accepted");
	for (i = 1; i <= 60; i++)	/* p[60] the newest */
		p[i] = fx_post(c, "all", tfmt("2025-01-%02d %02d:00", 1 + i / 24,
					      i % 24), NULL, "[]");
	secret = fx_post(c, "private", "2025-06-01 10:00", NULL, "[]");
	PQclear(fx_sql("INSERT INTO notifications (recipient_id, actor_id, post_id,"
		       " comment_id, type, created_at, read_at) VALUES"
		       " (%ld, %ld, %ld, NULL, 'comment', '2025-07-01 09:00', NULL),"
		       " (%ld, %ld, %ld, NULL, 'comment', '2025-07-01 11:00', NULL),"
		       " (%ld, %ld, %ld, NULL, 'comment', '2025-07-01 10:00', NULL),"
		       " (%ld, %ld, %ld, NULL, 'comment', '2025-07-01 12:00',"
		       "  '2025-07-01 12:30'),"
		       " (%ld, %ld, %ld, NULL, 'comment', '2025-07-01 08:00', NULL),"
		       " (%ld, %ld, %ld, NULL, 'comment', '2025-07-01 13:00', NULL),"
		       " (%ld, %ld, %ld, NULL, 'comment', '2025-07-01 13:00', NULL)",
		       v, c, p[50], v, c, p[50], v, c, p[60], v, c, p[58],
		       v, c, p[5], v, c, secret, w, c, p[20]));
	r = get_ok(v, "/notifications/recent");
	n = post_ids(r, "recent_post_ids", ids, MAX_IDS);
	ck_assert_int_eq(n, 50);
	for (i = 0; i < 50; i++)
		ck_assert_int_eq(ids[i], p[60 - i]);
	n = post_ids(r, "unread_post_ids", ids, MAX_IDS);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(ids[0], p[50]);
	ck_assert_int_eq(ids[1], p[60]);
	r = get_ok(v, "/notifications/recent?limit_posts=100");
	ck_assert_int_eq(post_ids(r, "recent_post_ids", ids, MAX_IDS), 60);
	n = post_ids(r, "unread_post_ids", ids, MAX_IDS);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(ids[2], p[5]);
	r = get_ok(v, "/notifications/recent?limit_posts=1");
	ck_assert_int_eq(post_ids(r, "recent_post_ids", ids, MAX_IDS), 1);
	ck_assert_int_eq(post_ids(r, "unread_post_ids", ids, MAX_IDS), 1);
	ck_assert_int_eq(ids[0], p[60]);

	/* clear: the unread ones on the 50 newest, whatever the body says */
	r = http("POST", "/notifications/recent/clear", token_for(v), "{oops");
	assert_json(r, 200, NULL);
	ck_assert_int_eq(jint(r, "count"), 3);
	ck_assert_int_eq(statement_count(r), 3);	/* past the inbox */
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " read_at IS NULL AND recipient_id = %ld", v), 2);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " read_at IS NULL AND recipient_id = %ld", w), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " read_at IS NOT NULL AND post_id = %ld AND"
				  " read_at > '2025-07-02'", p[50]), 2);
	ck_assert_int_eq(jint(http("POST", "/notifications/recent/clear",
				   token_for(v), NULL), "count"), 0);
	r = get_ok(v, "/notifications/recent");
	ck_assert_int_eq(post_ids(r, "unread_post_ids", ids, MAX_IDS), 0);
}
END_TEST

static Suite *feed_suite(void)
{
	Suite *s = suite_create("feed");
	TCase *tc = social_tcase("feed", 120);

	tcase_add_test(tc, offset_paging_returns_each_visible_post_once_in_order);
	tcase_add_test(tc, cursor_paging_is_stable_while_posts_arrive);
	tcase_add_test(tc, feed_matches_the_rule_over_a_random_community);
	tcase_add_test(tc, feed_matches_the_rule_across_the_inbox_horizon);
	tcase_add_test(tc, tag_filter_keeps_tagged_people_and_own_matching_posts);
	tcase_add_test(tc, feed_statement_count_does_not_grow_with_the_page);
	tcase_add_test(tc, bad_feed_queries_are_422);
	tcase_add_test(tc, digest_week_runs_from_sunday_to_saturday);
	tcase_add_test(tc, digest_selects_by_score_day_and_order);
	tcase_add_test(tc, digest_drops_the_low_in_an_eventful_week);
	tcase_add_test(tc, digest_keeps_the_first_twelve_in_time_order);
	tcase_add_test(tc, digest_tag_filter_narrows_the_authors);
	tcase_add_test(tc, recent_posts_and_their_unread_notifications);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	static const char *const settings[] = {
		"DIGEST_POSTS_PER_CONNECTION_PER_DAY=5", NULL,
	};

	return harness_run(feed_suite(), settings);
}
