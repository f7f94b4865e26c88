/*
 * post_delete_cascade() and user_delete_cascade() against a real
 * PostgreSQL (tests/pgtest.h) with rows written by SQL fixtures, as the
 * original backend leaves them: every dependent of SCHEMA.md section 6 goes,
 * nothing else changes, and a failure or a refusal changes nothing.  Each
 * test builds its own rows in the one migrated database of this program.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cascade.h"
#include "config.h"
#include "db.h"
#include "fixtures_social.h"
#include "migrate.h"
#include "pgtest.h"

static const char *url;

/* The row count of every table, one string, to compare before and after. */
static char *table_counts(void)
{
	PGresult *res = fx_sql(
		"SELECT concat_ws(' ',"
		" 'users=' || (SELECT count(*) FROM users),"
		" 'posts=' || (SELECT count(*) FROM posts),"
		" 'post_stats=' || (SELECT count(*) FROM post_stats),"
		" 'pat=' || (SELECT count(*) FROM post_audience_tags),"
		" 'comments=' || (SELECT count(*) FROM comments),"
		" 'replies=' || (SELECT count(*) FROM replies),"
		" 'reactions=' || (SELECT count(*) FROM reactions),"
		" 'notifications=' || (SELECT count(*) FROM notifications),"
		" 'reports=' || (SELECT count(*) FROM reported_posts),"
		" 'tags=' || (SELECT count(*) FROM tags),"
		" 'user_tags=' || (SELECT count(*) FROM user_tags),"
		" 'connections=' || (SELECT count(*) FROM connections),"
		" 'registrations=' || (SELECT count(*) FROM registration_requests),"
		" 'comment_counts=' || (SELECT sum(comment_count)"
		"  FROM post_stats))");
	char *s = strdup(PQgetvalue(res, 0, 0));

	PQclear(res);
	return s;
}

/* A digest of every row, to show that a refused delete changed nothing. */
static char *all_rows(void)
{
	PGresult *res = fx_sql(
		"SELECT md5(concat_ws('|',"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM users t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM posts t),"
		" (SELECT string_agg(t::text, ',' ORDER BY post_id) FROM post_stats t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM post_audience_tags t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM comments t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM replies t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM reactions t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM notifications t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM reported_posts t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM tags t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM user_tags t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM connections t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id)"
		"  FROM registration_requests t)))");
	char *s = strdup(PQgetvalue(res, 0, 0));

	PQclear(res);
	return s;
}

/* Parses "name=N" out of a table_counts() string. */
static long count_of(const char *counts, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(counts, key);
	if (p == NULL && strncmp(counts, key + 1, strlen(key + 1)) == 0)
		p = counts - 1;
	ck_assert_msg(p != NULL, "no %s in %s", name, counts);
	return strtol(p + strlen(key), NULL, 10);
}

static void expect_delta(const char *before, const char *after,
			 const char *name, long delta)
{
	long b = count_of(before, name), a = count_of(after, name);

	ck_assert_msg(a - b == delta, "%s: %ld -> %ld, expected a change of %ld",
		      name, b, a, delta);
}

/* ---- running the cascades in a transaction, as a route does ---- */

struct call {
	long id;
	long only_author;
	int user;		/* user_delete_cascade instead of post_... */
	int fail_after;		/* the caller fails after the cascade */
	struct key_list keys;
};

static enum result run_cascade(struct arena *a, void *ctx)
{
	struct call *c = ctx;
	enum result r = c->user
		? user_delete_cascade(a, c->id, &c->keys)
		: post_delete_cascade(a, c->id, c->only_author, &c->keys);

	if (r == RES_OK && c->fail_after)
		return fail_with(RES_FAIL, "later step failed");
	return r;
}

static enum result cascade(struct arena *a, struct call *c)
{
	return db_transaction(a, run_cascade, c);
}

/* Runs c and expects want, with not a single row changed. */
static void expect_unchanged(struct call *c, enum result want)
{
	struct arena *a = arena_new();
	char *before = all_rows(), *after;

	ck_assert_int_eq(cascade(a, c), want);
	after = all_rows();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	arena_free(a);
}

/* ---- a post with every kind of dependent ---- */

struct post_world {
	long author, b, c, mod;
	long post, other_post, tag1, tag2;
	long comment_b, comment_c, other_comment;
};

static void build_post_world(struct post_world *w, const char *p)
{
	long tags[3];

	w->author = fx_member(p, "author");
	w->b = fx_member(p, "b");
	w->c = fx_member(p, "c");
	w->mod = fx_member(p, "mod");
	w->tag1 = fx_tag(w->author, "one", "friends");
	w->tag2 = fx_tag(w->author, "two", "family");
	tags[0] = w->tag1;
	tags[1] = w->tag2;
	tags[2] = 0;
	w->post = fx_post(w->author, "tags", "2025-03-02 10:00", tags,
			  "[\"posts/photos/1/2/a.jpg\", \"posts/photos/1/2/b.png\"]");
	/* the same tag twice: no unique constraint keeps it out */
	PQclear(fx_sql("INSERT INTO post_audience_tags (post_id, tag_id)"
		       " VALUES (%ld, %ld)", w->post, w->tag1));
	w->other_post = fx_post(w->author, "all", "2025-03-03 10:00", NULL, "[]");
	w->comment_b = fx_comment(w->post, w->b, "hi");
	w->comment_c = fx_comment(w->post, w->c, "hello");
	w->other_comment = fx_comment(w->other_post, w->b, "stays");
	fx_reply(w->comment_b, w->author, "thanks");
	fx_reply(w->comment_b, w->c, "me too");
	fx_reply(w->other_comment, w->author, "stays too");
	fx_reaction(w->post, w->b, "x");
	fx_reaction(w->post, w->c, "y");
	fx_reaction(w->other_post, w->c, "z");
	fx_notification(w->author, w->c, w->post, 0, "comment");
	fx_notification(w->b, w->c, w->post, w->comment_b, "reply");
	/* inconsistent but possible: names the comment, not the post */
	fx_notification(w->c, w->author, w->other_post, w->comment_b, "reply");
	fx_notification(w->author, w->b, w->other_post, 0, "comment");
	fx_report(w->post, w->b, w->mod);
	fx_report(w->post, w->c, 0);
	fx_report(w->other_post, w->c, 0);
}

/* Nothing left that names the post or its comments. */
static void expect_post_gone(const struct post_world *w)
{
	ck_assert_int_eq(fx_long("SELECT count(*) FROM posts WHERE id = %ld",
				 w->post), 0);
	ck_assert_int_eq(fx_long("SELECT (SELECT count(*) FROM comments"
				 " WHERE post_id = %ld) + (SELECT count(*)"
				 " FROM reactions WHERE post_id = %ld) +"
				 " (SELECT count(*) FROM reported_posts"
				 " WHERE post_id = %ld) + (SELECT count(*)"
				 " FROM post_audience_tags WHERE post_id = %ld)"
				 " + (SELECT count(*) FROM post_stats"
				 " WHERE post_id = %ld) + (SELECT count(*)"
				 " FROM notifications WHERE post_id = %ld"
				 " OR comment_id IN (%ld, %ld)) +"
				 " (SELECT count(*) FROM replies"
				 " WHERE comment_id IN (%ld, %ld))",
				 w->post, w->post, w->post, w->post, w->post,
				 w->post, w->comment_b, w->comment_c,
				 w->comment_b, w->comment_c), 0);
}

START_TEST(post_delete_removes_every_dependent_and_nothing_else)
{
	struct arena *a = arena_new();
	struct post_world w;
	struct call c = { 0 };
	char *before, *after;

	build_post_world(&w, "pd");
	before = table_counts();
	c.id = w.post;
	c.only_author = w.author;
	ck_assert_int_eq(cascade(a, &c), RES_OK);
	after = table_counts();
	expect_post_gone(&w);
	expect_delta(before, after, "posts", -1);
	expect_delta(before, after, "post_stats", -1);
	expect_delta(before, after, "pat", -3);
	expect_delta(before, after, "comments", -2);
	expect_delta(before, after, "replies", -2);
	expect_delta(before, after, "reactions", -2);
	expect_delta(before, after, "notifications", -3);
	expect_delta(before, after, "reports", -2);
	expect_delta(before, after, "users", 0);
	expect_delta(before, after, "tags", 0);
	/* the other post keeps its comment, reply, reaction, report, stats */
	ck_assert_int_eq(fx_long("SELECT comment_count FROM post_stats"
				 " WHERE post_id = %ld", w.other_post), 1);
	ck_assert_int_eq(fx_long("SELECT count(*) FROM replies WHERE"
				 " comment_id = %ld", w.other_comment), 1);
	ck_assert_int_eq(c.keys.n, 2);
	ck_assert_str_eq(c.keys.keys[0], "posts/photos/1/2/a.jpg");
	ck_assert_str_eq(c.keys.keys[1], "posts/photos/1/2/b.png");
	free(before);
	free(after);
	arena_free(a);
}
END_TEST

START_TEST(post_delete_by_another_member_is_refused_unchanged)
{
	struct post_world w;
	struct call c = { 0 };

	build_post_world(&w, "pf");
	c.id = w.post;
	c.only_author = w.b;
	expect_unchanged(&c, RES_FORBIDDEN);
	ck_assert_str_eq(fail_detail(), "not your post");
}
END_TEST

START_TEST(post_delete_of_a_missing_post_is_not_found)
{
	struct arena *a = arena_new();
	struct call c = { 0 };

	c.id = 2000000000;
	ck_assert_int_eq(cascade(a, &c), RES_NOT_FOUND);
	ck_assert_str_eq(fail_detail(), "post not found");
	arena_free(a);
}
END_TEST

START_TEST(post_delete_by_a_moderator_takes_any_post)
{
	struct arena *a = arena_new();
	struct post_world w;
	struct call c = { 0 };

	build_post_world(&w, "pm");
	c.id = w.post;
	ck_assert_int_eq(cascade(a, &c), RES_OK);
	expect_post_gone(&w);
	arena_free(a);
}
END_TEST

START_TEST(post_delete_rolls_back_with_the_callers_transaction)
{
	struct post_world w;
	struct call c = { 0 };

	build_post_world(&w, "pr");
	c.id = w.post;
	c.fail_after = 1;
	expect_unchanged(&c, RES_FAIL);
}
END_TEST

START_TEST(post_delete_without_photos_returns_no_keys)
{
	struct arena *a = arena_new();
	struct call c = { 0 };
	long u = fx_user("pn_author");

	c.id = fx_post(u, "all", "2025-03-02 10:00", NULL, NULL);
	ck_assert_int_eq(cascade(a, &c), RES_OK);
	ck_assert_int_eq(c.keys.n, 0);
	c.id = fx_post(u, "all", "2025-03-02 11:00", NULL, "{\"not\": \"a list\"}");
	ck_assert_int_eq(cascade(a, &c), RES_OK);
	ck_assert_int_eq(c.keys.n, 0);
	arena_free(a);
}
END_TEST

/* ---- a member with every kind of row ---- */

struct user_world {
	long u, b, c, mod;
	long u_post, b_post, c_post;
	long u_comment_on_b, b_comment_on_u, c_comment_on_b;
	long resolved_report;
	long reviewed_request;
	long u_tag, b_tag;
};

static void build_user_world(struct user_world *w, const char *p)
{
	long tags[2];

	w->u = fx_member(p, "u");
	w->b = fx_member(p, "b");
	w->c = fx_member(p, "c");
	w->mod = fx_member(p, "mod");
	PQclear(fx_sql("UPDATE users SET avatar_url = 'users/avatars/%ld/x.jpg'"
		       " WHERE id = %ld", w->u, w->u));
	fx_connect(w->u, w->b, "accepted");
	fx_connect(w->c, w->u, "pending");
	fx_connect(w->b, w->c, "accepted");
	w->u_tag = fx_tag(w->u, "mine", "friends");
	w->b_tag = fx_tag(w->b, "theirs", "friends");
	fx_tag_user(w->u, w->b, w->u_tag);
	fx_tag_user(w->b, w->u, w->b_tag);
	fx_tag_user(w->b, w->c, w->b_tag);
	tags[0] = w->u_tag;
	tags[1] = 0;
	w->u_post = fx_post(w->u, "tags", "2025-03-02 10:00", tags,
			    "[\"posts/photos/u/1/a.jpg\"]");
	fx_post(w->u, "all", "2025-03-02 11:00", NULL,
		"[\"posts/photos/u/2/b.jpg\", \"posts/photos/u/2/c.jpg\"]");
	tags[0] = w->b_tag;
	w->b_post = fx_post(w->b, "tags", "2025-03-02 12:00", tags, "[]");
	w->c_post = fx_post(w->c, "all", "2025-03-02 13:00", NULL, NULL);
	/* U's activity on B's post */
	w->u_comment_on_b = fx_comment(w->b_post, w->u, "u says");
	fx_comment(w->b_post, w->u, "u says again");
	w->c_comment_on_b = fx_comment(w->b_post, w->c, "c says");
	fx_reply(w->u_comment_on_b, w->b, "b answers u");	/* others on U's comment */
	fx_reply(w->c_comment_on_b, w->u, "u answers c");
	fx_reply(w->c_comment_on_b, w->b, "b answers c");	/* stays */
	fx_reaction(w->b_post, w->u, "u");
	fx_reaction(w->b_post, w->c, "c");			/* stays */
	fx_notification(w->b, w->u, w->b_post, 0, "comment");
	fx_notification(w->c, w->b, w->b_post, w->u_comment_on_b, "reply");
	fx_notification(w->u, w->b, w->b_post, w->u_comment_on_b, "reply");
	fx_notification(w->c, w->b, w->b_post, w->c_comment_on_b, "reply"); /* stays */
	/* others' activity on U's post */
	w->b_comment_on_u = fx_comment(w->u_post, w->b, "b on u");
	fx_reply(w->b_comment_on_u, w->c, "c on b on u");
	fx_reaction(w->u_post, w->b, "b");
	fx_notification(w->u, w->b, w->u_post, 0, "comment");
	fx_notification(w->b, w->c, w->u_post, w->b_comment_on_u, "reply");
	/* reports: on U's post, filed by U, resolved by U */
	fx_report(w->u_post, w->b, w->mod);
	fx_report(w->c_post, w->u, 0);
	w->resolved_report = fx_report(w->c_post, w->b, w->u);
	fx_report(w->b_post, w->c, 0);				/* stays */
	w->reviewed_request = fx_long(
		"INSERT INTO registration_requests (email, google_id, status,"
		" created_at, reviewed_at, reviewed_by_id) VALUES"
		" ('%s_new@example.com', 'g-%s-new', 'APPROVED',"
		" now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', %ld)"
		" RETURNING id", p, p, w->u);
}

START_TEST(user_delete_removes_everything_that_names_them)
{
	struct arena *a = arena_new();
	struct user_world w;
	struct call c = { 0 };
	char *before, *after;

	build_user_world(&w, "ud");
	before = table_counts();
	c.id = w.u;
	c.user = 1;
	ck_assert_int_eq(cascade(a, &c), RES_OK);
	after = table_counts();
	expect_delta(before, after, "users", -1);
	expect_delta(before, after, "posts", -2);
	expect_delta(before, after, "post_stats", -2);
	expect_delta(before, after, "pat", -1);
	/* U's two on B's post, B's on U's post */
	expect_delta(before, after, "comments", -3);
	/* B's answer to U, U's answer to C, C's on B's comment on U's post */
	expect_delta(before, after, "replies", -3);
	expect_delta(before, after, "reactions", -2);
	expect_delta(before, after, "notifications", -5);
	/* on U's post, and filed by U; the one U resolved stays */
	expect_delta(before, after, "reports", -2);
	expect_delta(before, after, "tags", -1);
	expect_delta(before, after, "user_tags", -2);
	expect_delta(before, after, "connections", -2);
	expect_delta(before, after, "registrations", 0);
	/* B's post lost U's two comments: 3 -> 1 */
	ck_assert_int_eq(fx_long("SELECT comment_count FROM post_stats"
				 " WHERE post_id = %ld", w.b_post), 1);
	ck_assert_int_eq(fx_long("SELECT count(*) FROM reported_posts"
				 " WHERE id = %ld AND resolved_by_id IS NULL"
				 " AND resolved_at IS NOT NULL",
				 w.resolved_report), 1);
	ck_assert_int_eq(fx_long("SELECT count(*) FROM registration_requests"
				 " WHERE id = %ld AND reviewed_by_id IS NULL",
				 w.reviewed_request), 1);
	ck_assert_int_eq(fx_long("SELECT count(*) FROM users WHERE id IN"
				 " (%ld, %ld, %ld)", w.b, w.c, w.mod), 3);
	ck_assert_int_eq(c.keys.n, 4);
	ck_assert_str_eq(c.keys.keys[0], "posts/photos/u/1/a.jpg");
	ck_assert_str_eq(c.keys.keys[1], "posts/photos/u/2/b.jpg");
	ck_assert_str_eq(c.keys.keys[2], "posts/photos/u/2/c.jpg");
	ck_assert_int_eq(strncmp(c.keys.keys[3], "users/avatars/", 14), 0);
	free(before);
	free(after);
	arena_free(a);
}
END_TEST

START_TEST(user_delete_of_a_quiet_member_and_a_missing_one)
{
	struct arena *a = arena_new();
	struct call c = { 0 };

	c.user = 1;
	c.id = fx_user("uq_quiet");
	/* a Google picture is no stored object */
	PQclear(fx_sql("UPDATE users SET avatar_url = 'https://example.com/p.jpg'"
		       " WHERE id = %ld", c.id));
	ck_assert_int_eq(cascade(a, &c), RES_OK);
	ck_assert_int_eq(c.keys.n, 0);
	ck_assert_int_eq(cascade(a, &c), RES_NOT_FOUND);
	ck_assert_str_eq(fail_detail(), "user not found");
	arena_free(a);
}
END_TEST

START_TEST(user_delete_rolls_back_with_the_callers_transaction)
{
	struct user_world w;
	struct call c = { 0 };

	build_user_world(&w, "ur");
	c.id = w.u;
	c.user = 1;
	c.fail_after = 1;
	expect_unchanged(&c, RES_FAIL);
}
END_TEST

/* The matrix world is a good stress of the user cascade: two authors with
 * posts of every audience, eight viewers related to both. */
START_TEST(user_delete_of_matrix_members)
{
	struct arena *a = arena_new();
	struct fx_matrix m;
	struct call c = { 0 };
	int v;

	fx_build_matrix(&m, "um", "2025-03-02");
	c.user = 1;
	for (v = FX_TAGGED; v < FX_NVIEWERS; v++) {
		c.id = m.viewer[v];
		ck_assert_int_eq(cascade(a, &c), RES_OK);
	}
	c.id = m.author[FX_AUTHOR];
	ck_assert_int_eq(cascade(a, &c), RES_OK);
	ck_assert_int_eq(fx_long("SELECT count(*) FROM posts WHERE author_id"
				 " = %ld", m.author[FX_BANNED_AUTHOR]),
			 FX_NAUDIENCES);
	ck_assert_int_eq(fx_long("SELECT count(*) FROM user_tags WHERE"
				 " owner_user_id = %ld",
				 m.author[FX_BANNED_AUTHOR]), 0);
	arena_free(a);
}
END_TEST

/* Rows of the feed inbox with u as the viewer or the author. */
static long inbox_rows_of(long u)
{
	return fx_long("SELECT count(*) FROM intentional_feed_inbox"
		       " WHERE viewer_id = %ld OR author_id = %ld", u, u);
}

/* The feed inbox (migration 0005): both cascades take their rows along,
 * those of the member as a viewer and as an author. */
START_TEST(cascades_empty_the_feed_inbox)
{
	struct arena *a = arena_new();
	struct call c = { 0 };
	long u = fx_member("ib", "u"), b = fx_member("ib", "b"), b_post;

	fx_connect(u, b, "accepted");
	fx_post(u, "all", "now", NULL, "[]");
	fx_post(u, "private", "now", NULL, "[]");
	b_post = fx_post(b, "all", "now", NULL, "[]");
	fx_post(b, "all", "now", NULL, "[]");
	ck_assert_int_eq(inbox_rows_of(u), 5);
	c.id = b_post;
	ck_assert_int_eq(cascade(a, &c), RES_OK);
	ck_assert_int_eq(fx_long("SELECT count(*) FROM intentional_feed_inbox"
				 " WHERE post_id = %ld", b_post), 0);
	c.id = u;
	c.user = 1;
	ck_assert_int_eq(cascade(a, &c), RES_OK);
	ck_assert_int_eq(inbox_rows_of(u), 0);
	ck_assert_int_eq(fx_long("SELECT count(*) FROM intentional_feed_inbox"
				 " WHERE viewer_id = %ld", b), 1);
	arena_free(a);
}
END_TEST

static Suite *cascade_suite(void)
{
	Suite *s = suite_create("cascade");
	TCase *tc = tcase_create("postgresql");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, post_delete_removes_every_dependent_and_nothing_else);
	tcase_add_test(tc, post_delete_by_another_member_is_refused_unchanged);
	tcase_add_test(tc, post_delete_of_a_missing_post_is_not_found);
	tcase_add_test(tc, post_delete_by_a_moderator_takes_any_post);
	tcase_add_test(tc, post_delete_rolls_back_with_the_callers_transaction);
	tcase_add_test(tc, post_delete_without_photos_returns_no_keys);
	tcase_add_test(tc, user_delete_removes_everything_that_names_them);
	tcase_add_test(tc, user_delete_of_a_quiet_member_and_a_missing_one);
	tcase_add_test(tc, user_delete_rolls_back_with_the_callers_transaction);
	tcase_add_test(tc, user_delete_of_matrix_members);
	tcase_add_test(tc, cascades_empty_the_feed_inbox);
	suite_add_tcase(s, tc);
	return s;
}

/* Migrates the database in this process, then lets go of the connection
 * so that each forked test opens its own. */
static int migrate_database(void)
{
	struct arena *a = arena_new();
	enum result r;

	cfg.database_url = url;
	r = migrate_run(a, migrations, migration_count, NULL);
	arena_free(a);
	db_close();
	if (r != RES_OK)
		fprintf(stderr, "migration failed: %s\n", fail_detail());
	return r == RES_OK ? 0 : -1;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if ((url = pgtest_start()) == NULL)
		return 99;
	if (config_load_without_secret(NULL) < 0 || migrate_database() < 0) {
		pgtest_stop();
		return 99;
	}
	fx_use(url);
	sr = srunner_create(cascade_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	pgtest_stop();
	config_free();
	return failed == 0 ? 0 : 1;
}
