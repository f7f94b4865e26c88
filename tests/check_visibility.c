/*
 * The visibility rule of API.md 6.3 on every read path of posts, feed and
 * notifications (routes 13, 15, 17, 18, 45, 49): the matrix of
 * tests/fixtures_social.h, 2 authors (one of them banned, whose posts stay
 * visible) x 8 viewers x 6 audiences, every cell asserted on every path.
 * A banned viewer (and the banned author as a viewer) gets 403 everywhere.
 * The matrix is built twice: in a week of 2025, whose feed pages come from
 * the authors, and in this week, inside the feed inbox's horizon
 * (migration 0005), whose pages come from the inbox.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures_social.h"
#include "harness.h"
#include "posts_http.h"

#define MAX_IDS 64

/* The old matrix's week: Sunday 2025-03-02 to Saturday 2025-03-08. */
#define SUNDAY "2025-03-02"
#define IN_THE_WEEK "2025-03-05T12:00:00"

/* The matrix of the test case, and a time in its week. */
static struct fx_matrix m;
static char in_the_week[32];

/* Whether the viewer can call anything at all. */
static int banned(int a, enum fx_viewer v)
{
	return v == FX_BANNED || (v == FX_SELF && a == FX_BANNED_AUTHOR);
}

/*
 * Calls check(a, v, ids, n) for every author and viewer with the ids a
 * path answers viewer v (the path made by path_of), or asserts 403 for a
 * banned viewer.  key: the member of the body holding the posts, or NULL.
 */
typedef const char *path_fn(int a, enum fx_viewer v);

static void for_each_cell(path_fn *path_of, const char *key)
{
	long ids[MAX_IDS];
	int a, v, x, n;

	for (a = 0; a < FX_NAUTHORS; a++)
		for (v = 0; v < FX_NVIEWERS; v++) {
			long who = fx_viewer(&m, a, v);
			http_resp *r = http("GET", path_of(a, v), token_for(who), NULL);

			if (banned(a, v)) {
				assert_json(r, 403, NULL);
				continue;
			}
			assert_json(r, 200, NULL);
			n = post_ids(r, key, ids, MAX_IDS);
			for (x = 0; x < FX_NAUDIENCES; x++)
				ck_assert_msg(has_id(ids, n, m.post[a][x]) ==
					      fx_visible(v, x),
					      "%s: author %d, viewer %s, audience %s",
					      path_of(a, v), a, fx_viewer_name(v),
					      fx_audience_name(x));
			http_free(r);
		}
}

static const char *feed_path(int a, enum fx_viewer v)
{
	(void)a;
	(void)v;
	return "/feed?limit=100";
}

static const char *profile_path(int a, enum fx_viewer v)
{
	(void)v;
	return tfmt("/posts/user/%ld", m.author[a]);
}

static const char *digest_path(int a, enum fx_viewer v)
{
	(void)a;
	(void)v;
	return tfmt("/digest/?client_timestamp=%s", in_the_week);
}

static const char *recent_path(int a, enum fx_viewer v)
{
	(void)a;
	(void)v;
	return "/notifications/recent?limit_posts=100";
}

START_TEST(feed_matrix)
{
	for_each_cell(feed_path, NULL);
}
END_TEST

START_TEST(profile_matrix)
{
	for_each_cell(profile_path, NULL);
}
END_TEST

START_TEST(digest_matrix)
{
	for_each_cell(digest_path, "posts");
}
END_TEST

START_TEST(recent_posts_matrix)
{
	for_each_cell(recent_path, "recent_post_ids");
}
END_TEST

/* The own-posts list has one cell per author: everything of theirs. */
START_TEST(own_posts_matrix)
{
	long ids[MAX_IDS];
	int x, n;

	n = post_ids(get_ok(m.author[FX_AUTHOR], "/posts/me"), NULL, ids, MAX_IDS);
	ck_assert_int_eq(n, FX_NAUDIENCES);
	for (x = 0; x < FX_NAUDIENCES; x++)
		ck_assert(has_id(ids, n, m.post[FX_AUTHOR][x]));
	assert_json(http("GET", "/posts/me", token_for(m.author[FX_BANNED_AUTHOR]),
			 NULL), 403, NULL);
}
END_TEST

/* Reporting: 201 where the viewer may see the post, else 404. */
START_TEST(report_matrix)
{
	int a, v, x;

	for (a = 0; a < FX_NAUTHORS; a++)
		for (v = 0; v < FX_NVIEWERS; v++)
			for (x = 0; x < FX_NAUDIENCES; x++) {
				http_resp *r = http("POST", tfmt("/posts/%ld/report",
						    m.post[a][x]),
						    token_for(fx_viewer(&m, a, v)),
						    "{\"reason\": null}");
				long want = banned(a, v) ? 403
					: fx_visible(v, x) ? 201 : 404;

				ck_assert_msg(r->status == want,
					      "author %d, viewer %s, audience %s: %ld",
					      a, fx_viewer_name(v),
					      fx_audience_name(x), r->status);
				http_free(r);
			}
}
END_TEST

/*
 * Notifications: every viewer has an unread notification on every post;
 * only those on posts they may see are listed as unread and cleared.
 */
START_TEST(notification_matrix)
{
	long ids[MAX_IDS];
	int a, v, x, n;

	for (a = 0; a < FX_NAUTHORS; a++)
		for (v = 0; v < FX_NVIEWERS; v++)
			for (x = 0; x < FX_NAUDIENCES; x++)
				fx_notification(fx_viewer(&m, a, v), m.author[a],
						m.post[a][x], 0, "comment");
	for (a = 0; a < FX_NAUTHORS; a++)
		for (v = 0; v < FX_NVIEWERS; v++) {
			long who = fx_viewer(&m, a, v);
			http_resp *r;

			if (banned(a, v)) {
				assert_json(http("POST", "/notifications/recent/clear",
						 token_for(who), NULL), 403, NULL);
				continue;
			}
			r = get_ok(who, "/notifications/recent?limit_posts=100");
			n = post_ids(r, "unread_post_ids", ids, MAX_IDS);
			for (x = 0; x < FX_NAUDIENCES; x++)
				ck_assert_msg(has_id(ids, n, m.post[a][x]) ==
					      fx_visible(v, x),
					      "unread: author %d, viewer %s, %s", a,
					      fx_viewer_name(v), fx_audience_name(x));
		}
	/* clearing reads exactly the visible ones: once per member who may */
	for (v = 0; v < FX_NVIEWERS; v++)
		if (!banned(FX_AUTHOR, v))
			assert_json(http("POST", "/notifications/recent/clear",
					 token_for(fx_viewer(&m, FX_AUTHOR, v)),
					 "{}"), 200, NULL);
	for (a = 0; a < FX_NAUTHORS; a++)
		for (v = 0; v < FX_NVIEWERS; v++)
			for (x = 0; x < FX_NAUDIENCES; x++) {
				long read = sql_long(
					"SELECT count(*) FROM notifications WHERE"
					" recipient_id = %ld AND post_id = %ld AND"
					" read_at IS NOT NULL", fx_viewer(&m, a, v),
					m.post[a][x]);

				ck_assert_msg(read == (!banned(a, v) && fx_visible(v, x)),
					      "read: author %d, viewer %s, %s", a,
					      fx_viewer_name(v), fx_audience_name(x));
			}
}
END_TEST

/* Once per test case, in the parent process: the forked tests inherit m
 * (and open connections of their own). */
static void build_matrix(const char *prefix, const char *sunday)
{
	fx_use(harness_database_url());
	fx_build_matrix(&m, prefix, sunday);
	fx_close();
}

static void build_old_matrix(void)
{
	build_matrix("vis", SUNDAY);
	snprintf(in_the_week, sizeof(in_the_week), "%s", IN_THE_WEEK);
}

/* This week's Sunday (UTC): the posts lie within 6 days of now. */
static void build_recent_matrix(void)
{
	time_t now = time(NULL), sunday;
	struct tm tm;
	char day[16];

	gmtime_r(&now, &tm);
	sunday = now - (time_t)tm.tm_wday * 86400;
	gmtime_r(&sunday, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	build_matrix("vir", day);
	tm.tm_mday += 3;
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	sunday = timegm(&tm);
	gmtime_r(&sunday, &tm);
	strftime(in_the_week, sizeof(in_the_week), "%Y-%m-%dT%H:%M:%S", &tm);
}

/* Every path over the matrix that build makes. */
static TCase *matrix_tcase(const char *name, void (*build)(void))
{
	TCase *tc = social_tcase(name, 120);

	tcase_add_unchecked_fixture(tc, build, NULL);
	tcase_add_test(tc, feed_matrix);
	tcase_add_test(tc, profile_matrix);
	tcase_add_test(tc, own_posts_matrix);
	tcase_add_test(tc, digest_matrix);
	tcase_add_test(tc, recent_posts_matrix);
	tcase_add_test(tc, report_matrix);
	tcase_add_test(tc, notification_matrix);
	return tc;
}

static Suite *visibility_suite(void)
{
	Suite *s = suite_create("visibility");

	suite_add_tcase(s, matrix_tcase("old", build_old_matrix));
	suite_add_tcase(s, matrix_tcase("inbox", build_recent_matrix));
	return s;
}

int main(void)
{
	return harness_run(visibility_suite(), NULL);
}
