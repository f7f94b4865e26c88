/*
 * The feed inbox (migration 0005) through nginx and through plain SQL, as
 * the original backend writes: after every kind of write, every post a
 * member may see inside the horizon has its row (the invariant lib/feed.c
 * relies on), rows go with the connection, the post or the member, pages
 * past the horizon come from the authors exactly once and in order, a post
 * written while its author's connection is being accepted reaches the
 * inbox in either order, and new posts prune rows older than the horizon.
 */
#define _GNU_SOURCE		/* open_memstream, usleep */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures_social.h"
#include "harness.h"
#include "posts_http.h"

#define MAX_IDS 256

/* Rows of viewer for posts of author. */
static long rows_of(long viewer, long author)
{
	return sql_long("SELECT count(*) FROM intentional_feed_inbox"
			" WHERE viewer_id = %ld AND author_id = %ld", viewer, author);
}

/* Whether viewer has the row of post, with the post's created_at. */
static int has_row(long viewer, long post)
{
	return (int)sql_long("SELECT count(*) FROM intentional_feed_inbox i"
			     " JOIN posts p ON p.id = i.post_id"
			     " AND p.created_at = i.created_at"
			     " WHERE i.viewer_id = %ld AND i.post_id = %ld",
			     viewer, post);
}

/* The invariant for viewer: every post they may see (rule 6.3 written
 * plainly) that is inside the horizon has its row. */
static void assert_complete(long viewer)
{
	long missing = sql_long(
		"SELECT count(*) FROM posts p"
		" WHERE p.created_at >= intentional_feed_horizon_start() AND %s"
		" AND NOT EXISTS (SELECT 1 FROM intentional_feed_inbox i"
		" WHERE i.viewer_id = %ld AND i.created_at = p.created_at"
		" AND i.post_id = p.id)", plain_visible(viewer), viewer);

	ck_assert_msg(missing == 0, "member %ld misses %ld rows", viewer, missing);
}

/* A timestamp literal hours before now (UTC). */
static const char *hours_ago(int hours)
{
	return sql_str("SELECT (now() AT TIME ZONE 'UTC' - interval '%d hours')"
		       "::text", hours);
}

static long request(long from, long to)
{
	http_resp *r = http("POST", tfmt("/connections/request/%ld", to),
			    token_for(from), "{}");

	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	return (long)jint(r, "connection_id");
}

static void accept_request(long who, long id)
{
	assert_json(http("POST", tfmt("/connections/accept/%ld", id),
			 token_for(who), "{}"), 200, "Connection accepted");
}

/* A post through route 11; its id. */
static long create_as(long author, const char *audience, const char *tags)
{
	struct post_form f = { .content = "hello", .audience_type = audience,
			       .audience_tag_ids = tags };
	http_resp *r = create_post(token_for(author), &f);

	assert_json(r, 201, NULL);
	return (long)jint(r, "id");
}

START_TEST(posts_reach_the_author_and_accepted_connections)
{
	long a = fresh_user(), b = fresh_user(), c = fresh_user(),
	     d = fresh_user(), ids[MAX_IDS];
	long t = fx_tag(a, "close", "friends");
	long all, mine, tagged;
	http_resp *r;

	accept_request(b, request(a, b));
	request(a, c);				/* pending */
	fx_tag_user(a, b, t);
	all = create_as(a, "all", NULL);
	mine = create_as(a, "private", NULL);
	tagged = create_as(a, "tags", tfmt("%ld", t));
	ck_assert(has_row(a, all) && has_row(a, mine) && has_row(a, tagged));
	ck_assert(has_row(b, all) && has_row(b, tagged) && !has_row(b, mine));
	ck_assert_int_eq(rows_of(c, a) + rows_of(d, a), 0);
	assert_complete(a);
	assert_complete(b);
	/* the feed of b, read from the inbox */
	r = get_ok(b, "/feed?limit=2");
	ck_assert_int_eq(post_ids(r, NULL, ids, MAX_IDS), 2);
	ck_assert_int_eq(ids[0], tagged);
	ck_assert_int_eq(ids[1], all);
	ck_assert_int_eq(statement_count(r), 2);	/* the caller, the inbox */
	/* a page the inbox cannot fill: the authors are read too */
	r = get_ok(b, "/feed");
	ck_assert_int_eq(post_ids(r, NULL, ids, MAX_IDS), 2);
	ck_assert_int_eq(statement_count(r), 3);
}
END_TEST

START_TEST(accepting_fills_both_inboxes_with_the_horizon)
{
	long a = fresh_user(), b = fresh_user(), c = fresh_user(),
	     d = fresh_user();
	long a_new, a_day, a_private, a_old, b_new;

	a_new = fx_post(a, "all", hours_ago(1), NULL, "[]");
	/* 'tags' without audience rows: visible to a only, a row for b too
	 * (the inbox is a superset; the read applies the rule) */
	a_day = fx_post(a, "tags", hours_ago(30), NULL, "[]");
	a_private = fx_post(a, "private", hours_ago(2), NULL, "[]");
	a_old = fx_post(a, "all", hours_ago(24 * 30), NULL, "[]");
	b_new = fx_post(b, "all", hours_ago(3), NULL, "[]");
	ck_assert_int_eq(rows_of(b, a) + rows_of(a, b), 0);
	/* route 22 */
	accept_request(a, request(b, a));
	ck_assert(has_row(b, a_new) && has_row(b, a_day) && has_row(a, b_new));
	ck_assert(!has_row(b, a_private) && !has_row(b, a_old));
	ck_assert(has_row(a, a_private) && !has_row(a, a_old));
	assert_complete(a);
	assert_complete(b);
	/* route 19 answering a pending request: accepted at once */
	request(c, a);
	ck_assert_int_eq(rows_of(c, a), 0);
	ck_assert_int_eq(jint(http("POST", tfmt("/connections/request/%ld", c),
				   token_for(a), "{}"), "connection_id") > 0, 1);
	ck_assert(has_row(c, a_new));
	assert_complete(c);
	assert_complete(d);
}
END_TEST

START_TEST(disconnecting_empties_both_directions)
{
	long a = fresh_user(), b = fresh_user(), id, pa, pb;

	id = request(a, b);
	accept_request(b, id);
	pa = create_as(a, "all", NULL);
	pb = create_as(b, "all", NULL);
	ck_assert(has_row(b, pa) && has_row(a, pb));
	assert_json(http("DELETE", tfmt("/connections/%ld", id), token_for(a),
			 NULL), 200, NULL);
	ck_assert_int_eq(rows_of(a, b) + rows_of(b, a), 0);
	ck_assert(has_row(a, pa) && has_row(b, pb));
	assert_complete(a);
	assert_complete(b);
}
END_TEST

START_TEST(deleting_a_post_removes_its_rows)
{
	long a = fresh_user(), b = fresh_user(), p;

	accept_request(b, request(a, b));
	p = create_as(a, "all", NULL);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM intentional_feed_inbox"
				  " WHERE post_id = %ld", p), 2);
	ck_assert_int_eq(http("DELETE", tfmt("/posts/%ld", p), token_for(a),
			      NULL)->status, 204);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM intentional_feed_inbox"
				  " WHERE post_id = %ld", p), 0);
}
END_TEST

/* What the original backend or psql may do: every write is plain SQL. */
START_TEST(sql_writes_keep_the_inbox_complete)
{
	long a = fresh_user(), b = fresh_user(), c = fresh_user(), conn, p, q;
	long who[] = { a, b, c };
	int i;

	conn = fx_connect(a, b, "pending");
	p = fx_post(a, "all", hours_ago(5), NULL, "[]");
	q = fx_post(a, "private", hours_ago(6), NULL, "[]");
	ck_assert(!has_row(b, p));
	PQclear(fx_sql("UPDATE connections SET status = 'accepted' WHERE id = %ld",
		       conn));
	ck_assert(has_row(b, p) && !has_row(b, q));
	/* posts that change what the inbox depends on */
	PQclear(fx_sql("UPDATE posts SET audience_type = 'all' WHERE id = %ld", q));
	ck_assert(has_row(b, q));
	PQclear(fx_sql("UPDATE posts SET created_at = created_at - interval"
		       " '1 minute' WHERE id = %ld", q));
	ck_assert(has_row(b, q) && has_row(a, q));
	PQclear(fx_sql("UPDATE posts SET created_at = '2025-01-01' WHERE id = %ld",
		       q));
	ck_assert_int_eq(sql_long("SELECT count(*) FROM intentional_feed_inbox"
				  " WHERE post_id = %ld", q), 0);
	/* many posts and connections in one statement each */
	PQclear(fx_sql("INSERT INTO connections (status, created_at, updated_at,"
		       " user_a_id, user_b_id, initiated_by_user_id) VALUES"
		       " ('accepted', now(), now(), LEAST(%ld, %ld),"
		       " GREATEST(%ld, %ld), %ld)", a, c, a, c, a));
	PQclear(fx_sql("INSERT INTO posts (author_id, content, created_at,"
		       " audience_type, photo_urls) SELECT %ld, 'bulk',"
		       " now() AT TIME ZONE 'UTC' - i * interval '1 hour', 'all', '[]'"
		       " FROM generate_series(1, 20) i", b));
	ck_assert_int_eq(rows_of(a, b), 20);
	for (i = 0; i < 3; i++)
		assert_complete(who[i]);
	/* leaving 'accepted' and deleting */
	PQclear(fx_sql("UPDATE connections SET status = 'rejected' WHERE id = %ld",
		       conn));
	ck_assert_int_eq(rows_of(a, b) + rows_of(b, a), 0);
	PQclear(fx_sql("DELETE FROM connections WHERE user_a_id = LEAST(%ld, %ld)"
		       " AND user_b_id = GREATEST(%ld, %ld)", a, c, a, c));
	ck_assert_int_eq(rows_of(c, a) + rows_of(a, c), 0);
	for (i = 0; i < 3; i++)
		assert_complete(who[i]);
}
END_TEST

/*
 * A viewer with 40 visible posts inside the horizon and 40 older ones,
 * among invisible ones: offset and cursor pages hold each visible post
 * once, in feed order, across the horizon's start, in two statements.
 */
START_TEST(pages_past_the_horizon_come_from_the_authors)
{
	long v = fresh_user(), c = fresh_user(), s = fresh_user();
	long want[MAX_IDS], got[MAX_IDS], page[MAX_IDS];
	int nwant, ngot, n, k, skip, inside;
	const char *path;
	PGresult *res;
	http_resp *r;

	fx_connect(v, c, "accepted");
	PQclear(fx_sql("BEGIN"));
	for (k = 0; k < 80; k++) {
		/* every 5 hours over 16 days, the horizon being 7 */
		const char *when = hours_ago(5 * k);

		fx_post(k % 3 ? c : v, "all", when, NULL, "[]");
		fx_post(c, "private", when, NULL, "[]");
		fx_post(s, "all", when, NULL, "[]");
	}
	PQclear(fx_sql("COMMIT"));
	res = sql("SELECT p.id FROM posts p WHERE p.author_id IN (%ld, %ld, %ld)"
		  " AND %s ORDER BY p.created_at DESC, p.id DESC", v, c, s,
		  plain_visible(v));
	nwant = PQntuples(res);
	ck_assert_int_eq(nwant, 80);
	for (k = 0; k < nwant; k++)
		want[k] = atol(PQgetvalue(res, k, 0));
	ck_assert_int_gt(sql_long("SELECT count(*) FROM posts WHERE author_id = %ld"
				  " AND created_at < intentional_feed_horizon_start()",
				  c), 20);
	/* the visible posts inside the horizon: the first of want */
	inside = (int)sql_long("SELECT count(*) FROM posts p WHERE p.author_id IN"
			       " (%ld, %ld) AND p.audience_type = 'all' AND"
			       " p.created_at >= intentional_feed_horizon_start()",
			       v, c);
	ck_assert_int_gt(inside, 20);
	for (skip = 0, ngot = 0;; skip += n) {
		r = get_ok(v, tfmt("/feed?skip=%d&limit=7", skip));
		if ((n = post_ids(r, NULL, page, MAX_IDS)) == 0)
			break;
		/* the caller and the inbox; the authors too past its horizon */
		ck_assert_int_eq(statement_count(r), skip + 7 <= inside ? 2 : 3);
		memcpy(got + ngot, page, (size_t)n * sizeof(long));
		ngot += n;
	}
	ck_assert_int_eq(ngot, nwant);
	for (k = 0; k < nwant; k++)
		ck_assert_msg(got[k] == want[k], "offset, position %d", k);
	for (path = "/feed?limit=9", ngot = 0;;) {
		r = get_ok(v, path);
		if ((n = post_ids(r, NULL, page, MAX_IDS)) == 0)
			break;
		ck_assert_int_eq(statement_count(r), ngot + 9 <= inside ? 2 : 3);
		memcpy(got + ngot, page, (size_t)n * sizeof(long));
		ngot += n;
		path = tfmt("/feed?limit=9&before=%s&before_id=%ld",
			    jo_str(jo_item(r->json, n - 1), "created_at"),
			    page[n - 1]);
	}
	ck_assert_int_eq(ngot, nwant);
	for (k = 0; k < nwant; k++)
		ck_assert_msg(got[k] == want[k], "cursor, position %d", k);
	/* the bell's list straddles the horizon too */
	r = get_ok(v, "/notifications/recent?limit_posts=100");
	ck_assert_int_eq(post_ids(r, "recent_post_ids", page, MAX_IDS), 80);
	for (k = 0; k < nwant; k++)
		ck_assert_int_eq(page[k], want[k]);
	ck_assert_int_eq(statement_count(r), 3);
	r = get_ok(v, "/notifications/recent?limit_posts=20");
	ck_assert_int_eq(post_ids(r, "recent_post_ids", page, MAX_IDS), 20);
	ck_assert_int_eq(page[19], want[19]);
	ck_assert_int_eq(statement_count(r), 2);
	/* route 49 from the inbox: the 50 newest are not all inside */
	r = http("POST", "/notifications/recent/clear", token_for(v), NULL);
	assert_json(r, 200, NULL);
	ck_assert_int_eq(statement_count(r), inside >= 50 ? 2 : 3);
}
END_TEST

/* Routes 45 and 49 served by the inbox alone: the 50 newest posts. */
START_TEST(the_bell_reads_the_inbox)
{
	long v = fresh_user(), c = fresh_user(), w = fresh_user();
	long p[60], ids[MAX_IDS];
	http_resp *r;
	int k;

	fx_connect(v, c, "accepted");
	fx_connect(w, c, "accepted");
	PQclear(fx_sql("BEGIN"));
	for (k = 0; k < 60; k++)	/* p[0] the newest */
		p[k] = fx_post(c, "all", hours_ago(k + 1), NULL, "[]");
	PQclear(fx_sql("COMMIT"));
	fx_notification(v, c, p[0], 0, "comment");
	fx_notification(v, c, p[49], 0, "comment");
	fx_notification(v, c, p[50], 0, "comment");	/* the 51st: stays */
	fx_notification(w, c, p[0], 0, "comment");
	r = get_ok(v, "/notifications/recent");
	ck_assert_int_eq(post_ids(r, "recent_post_ids", ids, MAX_IDS), 50);
	ck_assert_int_eq(ids[49], p[49]);
	ck_assert_int_eq(post_ids(r, "unread_post_ids", ids, MAX_IDS), 2);
	ck_assert_int_eq(statement_count(r), 2);
	r = http("POST", "/notifications/recent/clear", token_for(v), NULL);
	assert_json(r, 200, NULL);
	ck_assert_int_eq(jint(r, "count"), 2);
	ck_assert_int_eq(statement_count(r), 2);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " read_at IS NULL AND recipient_id IN (%ld, %ld)",
				  v, w), 2);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " read_at IS NULL AND post_id = %ld", p[50]), 1);
}
END_TEST

/* Route 22 and route 11 at the same moment, many times: the post is in
 * the new connection's inbox and feed whichever commits first. */
START_TEST(a_post_during_an_acceptance_reaches_the_inbox)
{
	int round;

	for (round = 0; round < 12; round++) {
		long a = fresh_user(), b = fresh_user(), id = request(a, b), p;
		char *body = NULL;
		size_t len = 0;
		FILE *mp;
		struct http_req req[2] = { { 0 }, { 0 } };
		http_resp *out[2], *feed;
		long ids[MAX_IDS];

		/* create_post() sends at once: its body, by hand */
		mp = open_memstream(&body, &len);
		fputs("------b\r\nContent-Disposition: form-data; name=\"content\""
		      "\r\n\r\nnow\r\n------b--\r\n", mp);
		fclose(mp);
		req[0].method = "POST";
		req[0].path = tfmt("/connections/accept/%ld", id);
		req[0].token = token_for(b);
		req[0].body = "{}";
		req[0].content_type = "application/json";
		req[1].method = "POST";
		req[1].path = "/posts/";
		req[1].token = token_for(a);
		req[1].content_type = "multipart/form-data; boundary=----b";
		req[1].body = body;
		req[1].len = len;
		http_parallel(req, 2, out);
		free(body);
		assert_json(out[0], 200, NULL);
		assert_json(out[1], 201, NULL);
		p = (long)jint(out[1], "id");
		ck_assert_msg(has_row(b, p), "round %d: post %ld not in the inbox",
			      round, p);
		feed = get_ok(b, "/feed");
		ck_assert(has_id(ids, post_ids(feed, NULL, ids, MAX_IDS), p));
	}
}
END_TEST

/* A second connection of its own, for a transaction kept open. */
static PGconn *session(void)
{
	PGconn *c = PQconnectdb(harness_database_url());

	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	return c;
}

static void run(PGconn *c, const char *q)
{
	PGresult *res = PQexec(c, q);

	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK ||
		      PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", q,
		      PQerrorMessage(c));
	PQclear(res);
}

/*
 * The same race as plain SQL, which takes no lock of its own (the
 * original backend): one transaction accepts, another inserts a post of
 * the author, and whichever writes first commits last.  The triggers' locks
 * make the second wait, then see the first.
 */
START_TEST(sql_post_and_acceptance_race_either_way)
{
	int order;

	for (order = 0; order < 2; order++) {
		long a = fresh_user(), b = fresh_user();
		long conn = fx_connect(a, b, "pending"), p;
		PGconn *first = session(), *second = session();
		const char *accept = tfmt("UPDATE connections SET status ="
					  " 'accepted' WHERE id = %ld", conn);
		const char *post = tfmt("INSERT INTO posts (author_id, content,"
					" created_at, audience_type) VALUES (%ld,"
					" 'raced', now() AT TIME ZONE 'UTC', 'all')",
					a);
		PGresult *res;

		run(first, "BEGIN");
		run(first, order ? post : accept);
		run(second, "BEGIN");
		ck_assert_int_eq(PQsendQuery(second, order ? accept : post), 1);
		/* the second waits for the first's lock */
		usleep(300 * 1000);
		run(first, "COMMIT");
		while ((res = PQgetResult(second)) != NULL) {
			ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
			PQclear(res);
		}
		run(second, "COMMIT");
		p = sql_long("SELECT max(id) FROM posts WHERE author_id = %ld", a);
		ck_assert_msg(has_row(b, p), "order %d: post missing", order);
		assert_complete(b);
		PQfinish(first);
		PQfinish(second);
	}
}
END_TEST

/* Rows older than the horizon (and its day of slack) go when a post
 * touches their viewer. */
/* Rows of a and b older than the horizon and its day of slack. */
static long aged_rows(long a, long b)
{
	return sql_long("SELECT count(*) FROM intentional_feed_inbox"
			" WHERE viewer_id IN (%ld, %ld) AND created_at <"
			" intentional_feed_horizon_start() - interval '1 day'",
			a, b);
}

START_TEST(new_posts_prune_rows_older_than_the_horizon)
{
	long a = fresh_user(), b = fresh_user(), old;

	fx_connect(a, b, "accepted");
	old = fx_post(a, "all", hours_ago(24 * 20), NULL, "[]");
	/* rows that aged out since they were written */
	PQclear(fx_sql("INSERT INTO intentional_feed_inbox (viewer_id,"
		       " created_at, post_id, author_id) SELECT v, created_at,"
		       " id, author_id FROM posts, unnest('{%ld,%ld}'::int[]) v"
		       " WHERE id = %ld", a, b, old));
	ck_assert_int_eq(aged_rows(a, b), 2);
	create_as(a, "all", NULL);
	ck_assert_int_eq(aged_rows(a, b), 0);
	ck_assert_int_eq(rows_of(b, a), 1);
}
END_TEST

static Suite *inbox_suite(void)
{
	Suite *s = suite_create("inbox");
	TCase *tc = social_tcase("inbox", 120);

	tcase_add_test(tc, posts_reach_the_author_and_accepted_connections);
	tcase_add_test(tc, accepting_fills_both_inboxes_with_the_horizon);
	tcase_add_test(tc, disconnecting_empties_both_directions);
	tcase_add_test(tc, deleting_a_post_removes_its_rows);
	tcase_add_test(tc, sql_writes_keep_the_inbox_complete);
	tcase_add_test(tc, pages_past_the_horizon_come_from_the_authors);
	tcase_add_test(tc, the_bell_reads_the_inbox);
	tcase_add_test(tc, a_post_during_an_acceptance_reaches_the_inbox);
	tcase_add_test(tc, sql_post_and_acceptance_race_either_way);
	tcase_add_test(tc, new_posts_prune_rows_older_than_the_horizon);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_run(inbox_suite(), NULL);
}
