/*
 * Replies and notifications through nginx (API.md 4.10, 4.13 routes 46-48,
 * rules 6.5 and 6.8, notes 12 and 15): who may reply, the reply list per
 * viewer, the notification fan-out of a thread with four participants,
 * marking read, the post summary, bad input and statement counts.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures_social.h"
#include "harness.h"
#include "social_test.h"

static http_resp *post_reply(long user, long comment, const char *content_json)
{
	return http("POST", "/replies/", token_for(user), tfmt(
		"{\"comment_id\": %ld, \"content\": %s}", comment, content_json));
}

static http_resp *list_replies(long user, long comment)
{
	return http("GET", tfmt("/replies/comment/%ld", comment),
		    token_for(user), NULL);
}

/* Rows a reply may write, as one comparable string (copied). */
static const char *replies_state(void)
{
	return tfmt("%s", sql_str("SELECT concat_ws('/', (SELECT count(*)"
				    " FROM replies), (SELECT count(*) FROM"
				    " notifications), (SELECT max(created_at)"
				    " FROM notifications))"));
}

/* POST /comments/ as user; the new comment's id. */
static long api_comment(long user, long post)
{
	http_resp *r = http("POST", "/comments/", token_for(user), tfmt(
		"{\"post_id\": %ld, \"content\": \"comment\"}", post));

	ck_assert_msg(r->status == 201, "%s", r->body);
	return (long)jint(r, "id");
}

static void reply_ok(long user, long comment)
{
	http_resp *r = post_reply(user, comment, "\"reply\"");

	ck_assert_msg(r->status == 201, "%s", r->body);
}

static long mark_read(long user, const char *what, long id)
{
	http_resp *r = http("POST", tfmt("/notifications/%s/%ld/read", what,
					   id), token_for(user), "{}");

	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_ptr_nonnull(jstr(r, "message"));
	return (long)jint(r, "count");
}

/*
 * The notifications of a post, oldest first, as
 * "recipient,type,comment,actor,unread" lines with the users named by
 * their position in users[] (A, B, C, D, ...), comments by cmt[].
 */
static const char *notifications_of(long post, const long *users, int nusers,
				    const long *cmt, int ncmt)
{
	static char out[2048];
	PGresult *res = sql("SELECT recipient_id, type, coalesce(comment_id, 0),"
			    " actor_id, read_at IS NULL FROM notifications"
			    " WHERE post_id = %ld ORDER BY id", post);
	size_t len = 0;
	int i, j;

	out[0] = '\0';
	for (i = 0; i < PQntuples(res); i++) {
		char who = '?', actor = '?', on = '-';
		long rec = atol(PQgetvalue(res, i, 0)),
		     act = atol(PQgetvalue(res, i, 3)),
		     com = atol(PQgetvalue(res, i, 2));

		for (j = 0; j < nusers; j++) {
			if (users[j] == rec)
				who = (char)('A' + j);
			if (users[j] == act)
				actor = (char)('A' + j);
		}
		for (j = 0; j < ncmt; j++)
			if (cmt[j] == com)
				on = (char)('1' + j);
		len += (size_t)snprintf(out + len, sizeof(out) - len,
					"%c %s %c by %c%s\n", who,
					PQgetvalue(res, i, 1), on, actor,
					PQgetvalue(res, i, 4)[0] == 't' ? "" : " read");
	}
	sql_free(res);
	return out;
}

/*
 * Rule 6.8 on a thread of four: A's post, B's comment 1, replies by C, D,
 * A and B, then again after reading, then on a second comment.  Each step
 * notifies B, A (once per post) and the earlier repliers, each at most
 * once and never the actor; refreshes are stored even when nothing new is
 * inserted (note 12).
 */
START_TEST(test_fan_out)
{
	long u[4], post, cmt[2];
	int i, j;

	for (i = 0; i < 4; i++)
		u[i] = fx_user(tfmt("fan_%c", 'a' + i));
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++)
			fx_connect(u[i], u[j], "accepted");
	post = post_of(u[0]);
	cmt[0] = api_comment(u[1], post);
	ck_assert_str_eq(notifications_of(post, u, 4, cmt, 1),
			 "A comment - by B\n");

	reply_ok(u[2], cmt[0]);		/* C */
	ck_assert_str_eq(notifications_of(post, u, 4, cmt, 1),
			 "A comment - by B\n"
			 "B reply 1 by C\n"
			 "A reply 1 by C\n");
	reply_ok(u[3], cmt[0]);		/* D */
	ck_assert_str_eq(notifications_of(post, u, 4, cmt, 1),
			 "A comment - by B\n"
			 "B reply 1 by D\n"
			 "A reply 1 by D\n"
			 "C reply 1 by D\n");
	reply_ok(u[0], cmt[0]);		/* A: never notified of their own */
	ck_assert_str_eq(notifications_of(post, u, 4, cmt, 1),
			 "A comment - by B\n"
			 "B reply 1 by A\n"
			 "A reply 1 by D\n"
			 "C reply 1 by A\n"
			 "D reply 1 by A\n");
	/* B: only refreshes, and they must be stored (note 12) */
	sql_free(sql("UPDATE notifications SET created_at = created_at -"
		     " interval '1 hour' WHERE post_id = %ld", post));
	reply_ok(u[1], cmt[0]);
	ck_assert_str_eq(notifications_of(post, u, 4, cmt, 1),
			 "A comment - by B\n"
			 "B reply 1 by A\n"
			 "A reply 1 by B\n"
			 "C reply 1 by B\n"
			 "D reply 1 by B\n");
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " post_id = %ld AND actor_id = %ld AND"
				  " created_at > (now() AT TIME ZONE 'UTC') -"
				  " interval '1 minute'", post, u[1]), 3);

	/* read: B the comment's replies, A the post, C the post */
	ck_assert_int_eq(mark_read(u[1], "comments", cmt[0]), 1);
	ck_assert_int_eq(mark_read(u[1], "comments", cmt[0]), 0);
	ck_assert_int_eq(mark_read(u[0], "posts", post), 2);
	ck_assert_int_eq(mark_read(u[2], "posts", post), 1);
	reply_ok(u[3], cmt[0]);		/* D again: new rows for B, A, C */
	ck_assert_str_eq(notifications_of(post, u, 4, cmt, 1),
			 "A comment - by B read\n"
			 "B reply 1 by A read\n"
			 "A reply 1 by B read\n"
			 "C reply 1 by B read\n"
			 "D reply 1 by B\n"
			 "B reply 1 by D\n"
			 "A reply 1 by D\n"
			 "C reply 1 by D\n");

	/*
	 * Comment 2 by C: A's unread reply notification (on comment 1) is
	 * per post, so replies on comment 2 refresh it instead of adding one.
	 */
	cmt[1] = api_comment(u[2], post);
	reply_ok(u[1], cmt[1]);		/* B */
	reply_ok(u[3], cmt[1]);		/* D */
	ck_assert_str_eq(notifications_of(post, u, 4, cmt, 2),
			 "A comment - by B read\n"
			 "B reply 1 by A read\n"
			 "A reply 1 by B read\n"
			 "C reply 1 by B read\n"
			 "D reply 1 by B\n"
			 "B reply 1 by D\n"
			 "A reply 1 by D\n"
			 "C reply 1 by D\n"
			 "A comment - by C\n"
			 "C reply 2 by D\n"
			 "B reply 2 by D\n");
}
END_TEST

/*
 * Who may reply (6.5 with the 6.3 correction): the post's author always,
 * the comment's author while they may see the post, others connected to
 * both authors (403 when only to the post's).  A refused reply writes
 * nothing.
 */
START_TEST(test_who_may_reply)
{
	long a = fx_user("wr_author"), b = fx_user("wr_b"),
	     c = fx_user("wr_c"), e = fx_user("wr_e");
	long post = post_of(a), comment;
	const char *before;
	http_resp *r;

	fx_connect(a, b, "accepted");
	fx_connect(a, c, "accepted");
	fx_connect(b, c, "accepted");
	fx_connect(a, e, "accepted");
	comment = api_comment(b, post);
	reply_ok(c, comment);
	before = replies_state();
	r = post_reply(e, comment, "\"not connected to b\"");
	ck_assert_int_eq(r->status, 403);
	ck_assert_ptr_nonnull(jstr(r, "detail"));
	ck_assert_str_eq(replies_state(), before);
	/* e may still read the replies of people connected to them */
	r = list_replies(e, comment);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jo_len(r->json), 0);

	/* b disconnected: a may reply, b no longer sees the post */
	sql_free(sql("DELETE FROM connections WHERE user_a_id = %ld AND"
		     " user_b_id = %ld", a < b ? a : b, a < b ? b : a));
	reply_ok(a, comment);
	ck_assert_int_eq(post_reply(b, comment, "\"gone\"")->status, 404);
	ck_assert_int_eq(list_replies(b, comment)->status, 404);
}
END_TEST

/*
 * Rule 6.5 for the list: both authors see every reply; others their own
 * and those of their connections; oldest first, ties by id.
 */
START_TEST(test_list_rule)
{
	long a = fx_user("rl_author"), b = fx_user("rl_b"),
	     c = fx_user("rl_c"), d = fx_user("rl_d"), e = fx_user("rl_e");
	long post = post_of(a), comment, ra, rb, rc, rd, re;

	fx_connect(a, b, "accepted");
	fx_connect(a, c, "accepted");
	fx_connect(a, d, "accepted");
	fx_connect(a, e, "accepted");
	fx_connect(e, c, "accepted");
	comment = fx_comment(post, b, "comment of b");
	rd = fx_reply(comment, d, "d");
	rb = fx_reply(comment, b, "b");
	rc = fx_reply(comment, c, "c");
	re = fx_reply(comment, e, "e");
	ra = fx_reply(comment, a, "a");
	sql_free(sql("UPDATE replies SET created_at = (SELECT created_at FROM"
		     " replies WHERE id = %ld) WHERE id = %ld", re, ra));
	{
		long all[] = { rd, rb, rc, re, ra }, for_e[] = { rc, re, ra },
		     for_d[] = { rd, ra };

		assert_ids(list_replies(a, comment), all, 5);
		assert_ids(list_replies(b, comment), all, 5);
		assert_ids(list_replies(e, comment), for_e, 3);
		assert_ids(list_replies(d, comment), for_d, 2);
	}
	ck_assert_str_eq(jo_str(json_object_array_get_idx(
		list_replies(a, comment)->json, 0), "content"), "d");
}
END_TEST

/* has_unread_reply follows the caller's unread reply notifications. */
START_TEST(test_has_unread_reply)
{
	long a = fx_user("hu_author"), b = fx_user("hu_b"),
	     c = fx_user("hu_c");
	long post = post_of(a), c1, c2;
	http_resp *r;

	fx_connect(a, b, "accepted");
	fx_connect(a, c, "accepted");
	fx_connect(b, c, "accepted");
	c1 = api_comment(b, post);
	c2 = api_comment(b, post);
	reply_ok(c, c2);
	r = http("GET", tfmt("/comments/posts/%ld", post), token_for(b), NULL);
	ck_assert_int_eq(jo_int(json_object_array_get_idx(r->json, 0), "id"), c1);
	ck_assert(!json_object_get_boolean(json_object_object_get(
		json_object_array_get_idx(r->json, 0), "has_unread_reply")));
	ck_assert(json_object_get_boolean(json_object_object_get(
		json_object_array_get_idx(r->json, 1), "has_unread_reply")));
	ck_assert_int_eq(mark_read(b, "comments", c2), 1);
	r = http("GET", tfmt("/comments/posts/%ld", post), token_for(b), NULL);
	ck_assert(!json_object_get_boolean(json_object_object_get(
		json_object_array_get_idx(r->json, 1), "has_unread_reply")));
}
END_TEST

/*
 * Routes 47 and 48 change only the caller's unread rows of the right kind,
 * count what they changed, stamp read_at in UTC, and do not care whether
 * the post or comment exists.
 */
START_TEST(test_mark_read)
{
	long a = fx_user("mr_author"), b = fx_user("mr_b"),
	     c = fx_user("mr_c");
	long post = post_of(a), comment;

	fx_connect(a, b, "accepted");
	fx_connect(a, c, "accepted");
	fx_connect(b, c, "accepted");
	comment = api_comment(b, post);
	reply_ok(c, comment);	/* a: comment + reply; b: reply */
	ck_assert_int_eq(mark_read(a, "comments", comment), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " recipient_id = %ld AND read_at IS NULL"
				  " AND type = 'comment'", a), 1);
	ck_assert_int_eq(mark_read(a, "posts", post), 1);
	ck_assert_int_eq(mark_read(a, "posts", post), 0);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " recipient_id = %ld AND read_at IS NULL", b), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " recipient_id = %ld AND abs(extract(epoch FROM"
				  " (now() AT TIME ZONE 'UTC') - read_at)) < 60", a), 2);
	ck_assert_int_eq(mark_read(c, "posts", 2147483647), 0);
	ck_assert_int_eq(mark_read(c, "comments", 2147483647), 0);
	ck_assert_int_eq(mark_read(c, "posts", -5), 0);
	/* routes without a body ignore whatever arrives */
	ck_assert_int_eq(http("POST", tfmt("/notifications/posts/%ld/read",
					     post), token_for(b), "not json")->status,
			 200);
	ck_assert_int_eq(http("POST", "/notifications/posts/abc/read",
			      token_for(b), "{}")->status, 422);
	ck_assert_int_eq(http("POST", "/notifications/comments/1.5/read",
			      token_for(b), "{}")->status, 422);
	ck_assert_int_eq(http("POST", "/notifications/comments/99999999999/read",
			      token_for(b), "{}")->status, 422);
	ck_assert_int_eq(http("POST", tfmt("/notifications/posts/%ld/read",
					     post), NULL, "{}")->status, 401);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " recipient_id = %ld AND read_at IS NULL", b), 0);
}
END_TEST

static json_object *entry(const http_resp *r, long id)
{
	json_object *summary = json_object_object_get(r->json, "summary");

	return json_object_object_get(summary, tfmt("%ld", id));
}

static int flag(json_object *o, const char *key)
{
	return json_object_get_boolean(json_object_object_get(o, key));
}

/*
 * Route 46: one entry per distinct id, flags from the caller's unread
 * notifications, {} for an empty list, 422 above 1000 ids or on a body
 * that is not a list of integers; the same statements for 1 or 1000 ids.
 */
START_TEST(test_post_summary)
{
	long a = fx_user("ps_author"), b = fx_user("ps_b"),
	     c = fx_user("ps_c");
	long p1 = post_of(a), p2 = post_of(a), comment;
	const char *tok = token_for(a);
	char *big = malloc(1001 * 12 + 32), *q;
	http_resp *r, *one;
	int i;

	fx_connect(a, b, "accepted");
	fx_connect(a, c, "accepted");
	fx_connect(b, c, "accepted");
	api_comment(b, p1);
	comment = api_comment(b, p2);
	reply_ok(c, comment);
	mark_read(a, "posts", p1);
	sql_free(sql("UPDATE notifications SET read_at = now() AT TIME ZONE"
		     " 'UTC' WHERE recipient_id = %ld AND post_id = %ld AND"
		     " type = 'comment'", a, p2));
	r = http("POST", "/notifications/post-summary", tok, tfmt(
		"{\"post_ids\": [%ld, %ld, %ld, 2147483647]}", p1, p2, p1));
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(json_object_object_length(json_object_object_get(
		r->json, "summary")), 3);
	ck_assert(!flag(entry(r, p1), "has_unread_comments"));
	ck_assert(!flag(entry(r, p1), "has_unread_replies"));
	ck_assert(!flag(entry(r, p2), "has_unread_comments"));
	ck_assert(flag(entry(r, p2), "has_unread_replies"));
	ck_assert(!flag(entry(r, 2147483647), "has_unread_replies"));
	/* b sees their own reply notification, not a's */
	r = http("POST", "/notifications/post-summary", token_for(b), tfmt(
		"{\"post_ids\": [%ld]}", p1));
	ck_assert(!flag(entry(r, p1), "has_unread_comments"));

	r = http("POST", "/notifications/post-summary", tok, "{\"post_ids\": []}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, "{\"summary\":{}}");

	q = big + sprintf(big, "{\"post_ids\": [1");
	for (i = 2; i <= 1000; i++)
		q += sprintf(q, ",%d", i);
	strcpy(q, "]}");
	r = http("POST", "/notifications/post-summary", tok, big);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(json_object_object_length(json_object_object_get(
		r->json, "summary")), 1000);
	one = http("POST", "/notifications/post-summary", tok,
		   "{\"post_ids\": [1]}");
	ck_assert_int_eq(statement_count(r), statement_count(one));
	strcpy(q, ",1001]}");
	r = http("POST", "/notifications/post-summary", tok, big);
	ck_assert_int_eq(r->status, 422);
	ck_assert(json_object_is_type(json_object_object_get(r->json, "detail"),
				      json_type_array));
	free(big);

	ck_assert_int_eq(http("POST", "/notifications/post-summary", tok,
			      "{}")->status, 422);
	ck_assert_int_eq(http("POST", "/notifications/post-summary", tok,
			      "{\"post_ids\": null}")->status, 422);
	ck_assert_int_eq(http("POST", "/notifications/post-summary", tok,
			      "{\"post_ids\": 5}")->status, 422);
	ck_assert_int_eq(http("POST", "/notifications/post-summary", tok,
			      "{\"post_ids\": [\"x\"]}")->status, 422);
	ck_assert_int_eq(http("POST", "/notifications/post-summary", tok,
			      "{\"post_ids\": [1.5]}")->status, 422);
	ck_assert_int_eq(http("POST", "/notifications/post-summary", tok,
			      "{\"post_ids\": [99999999999]}")->status, 422);
	ck_assert_int_eq(http("POST", "/notifications/post-summary", tok,
			      NULL)->status, 422);
	ck_assert_int_eq(http("POST", "/notifications/post-summary", NULL,
			      "{\"post_ids\": []}")->status, 401);
}
END_TEST

/* Limits (2000 code points), blank text, malformed bodies and ids: 4xx,
 * nothing written. */
START_TEST(test_bad_input)
{
	long a = fx_user("rb_author"), b = fx_user("rb_b");
	long post = post_of(a), comment;
	char *text = malloc(2001 * 4 + 3), *p = text, before[256];
	http_resp *r;
	size_t i;
	const char *const bodies[] = {
		"{}",
		"{\"content\": \"x\"}",
		"{\"comment_id\": \"abc\", \"content\": \"x\"}",
		"{\"comment_id\": 99999999999, \"content\": \"x\"}",
		"[]",
		"{\"comment_id\": 1, \"content\": \"x\"",
		tfmt("{\"comment_id\": %ld}", post),
		tfmt("{\"comment_id\": %ld, \"content\": false}", post),
		tfmt("{\"comment_id\": %ld, \"content\": \"x\", \"post_id\": 1}",
		       post),
	};

	fx_connect(a, b, "accepted");
	comment = api_comment(b, post);
	*p++ = '"';
	for (i = 0; i < 2000; i++)
		p += sprintf(p, "\xf0\x9f\x98\x8a");	/* 4 bytes, 1 code point */
	strcpy(p, "\"");
	r = post_reply(a, comment, text);
	ck_assert_int_eq(r->status, 201);
	ck_assert_int_eq(sql_long("SELECT char_length(content) FROM replies"
				  " WHERE id = %lld", jint(r, "id")), 2000);

	snprintf(before, sizeof(before), "%s", replies_state());
	strcpy(p, "x\"");
	ck_assert_int_eq(post_reply(a, comment, text)->status, 400);
	ck_assert_int_eq(post_reply(a, comment, "\"\"")->status, 400);
	ck_assert_int_eq(post_reply(a, comment, "\"\\u2003 \\n\"")->status, 400);
	ck_assert_int_eq(post_reply(a, 2147483647, "\"x\"")->status, 404);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		r = http("POST", "/replies/", token_for(b), bodies[i]);
		ck_assert_msg(r->status == 422, "%s: %ld", bodies[i], r->status);
	}
	ck_assert_int_eq(http("GET", "/replies/comment/abc", token_for(b),
			      NULL)->status, 422);
	ck_assert_int_eq(list_replies(b, 2147483647)->status, 404);
	ck_assert_int_eq(http("GET", tfmt("/replies/comment/%ld", comment),
			      NULL, NULL)->status, 401);
	ck_assert_int_eq(http("POST", "/replies/", NULL, tfmt(
		"{\"comment_id\": %ld, \"content\": \"x\"}", comment))->status, 401);
	ck_assert_str_eq(replies_state(), before);
	free(text);
}
END_TEST

/*
 * The list runs one statement for 1 or 50 replies; creating runs two
 * whatever the number of earlier repliers it notifies.
 */
START_TEST(test_statement_counts)
{
	long a = fx_user("rs_author"), post = post_of(a), small, big,
	     base, users[50];
	http_resp *one, *fifty;
	int i;

	base = statement_count(http("GET", "/auth/me", token_for(a), NULL));
	small = fx_comment(post, a, "small");
	big = fx_comment(post, a, "big");
	fx_reply(small, a, "one");
	for (i = 0; i < 50; i++) {
		users[i] = fx_user(tfmt("rs_u%d", i));
		fx_connect(a, users[i], "accepted");
		fx_reply(big, users[i], "one of fifty");
	}
	one = list_replies(a, small);
	fifty = list_replies(a, big);
	ck_assert_int_eq(jo_len(one->json), 1);
	ck_assert_int_eq(jo_len(fifty->json), 50);
	ck_assert_int_eq(statement_count(one), base + 1);
	ck_assert_int_eq(statement_count(fifty), base + 1);
	one = post_reply(a, small, "\"to one\"");
	fifty = post_reply(a, big, "\"to fifty\"");
	ck_assert_int_eq(statement_count(one), base + 2);
	ck_assert_int_eq(statement_count(fifty), base + 2);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " comment_id = %ld", big), 50);
}
END_TEST

/*
 * Concurrent replies on one comment (two responders at a time) still
 * leave each recipient one unread notification: the post row lock orders
 * the writers, so each sees the notifications of the one before.
 */
START_TEST(test_concurrent_replies)
{
	enum { N = 8 };
	long a = fx_user("cc_author"), b = fx_user("cc_b"), users[N];
	long post = post_of(a), comment;
	pid_t pids[N];
	int i, j, status;

	fx_connect(a, b, "accepted");
	for (i = 0; i < N; i++) {
		users[i] = fx_user(tfmt("cc_u%d", i));
		fx_connect(a, users[i], "accepted");
		fx_connect(b, users[i], "accepted");
		for (j = 0; j < i; j++)
			fx_connect(users[j], users[i], "accepted");
	}
	comment = api_comment(b, post);
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			/* _exit: the stack belongs to the test program */
			for (j = 0; j < 3; j++)
				if (post_reply(users[i], comment,
					       "\"race\"")->status != 201)
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "replier %d failed", i);
	}
	ck_assert_int_eq(sql_long("SELECT count(*) FROM replies WHERE"
				  " comment_id = %ld", comment), N * 3);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " post_id = %ld AND type = 'reply' AND read_at"
				  " IS NULL GROUP BY recipient_id ORDER BY count(*)"
				  " DESC LIMIT 1", post), 1);
	/* A, B, and every replier someone else replied after */
	ck_assert_int_eq(sql_long("SELECT count(DISTINCT recipient_id) FROM"
				  " notifications WHERE post_id = %ld AND type ="
				  " 'reply'", post),
			 2 + sql_long("SELECT count(*) FROM (SELECT author_id,"
				      " min(id) AS first FROM replies WHERE"
				      " comment_id = %ld GROUP BY author_id) f"
				      " WHERE EXISTS (SELECT 1 FROM replies r"
				      " WHERE r.comment_id = %ld AND r.id > f.first"
				      " AND r.author_id <> f.author_id)",
				      comment, comment));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("replies and notifications");
	TCase *tc = social_tcase("replies", 60);

	tcase_add_test(tc, test_fan_out);
	tcase_add_test(tc, test_who_may_reply);
	tcase_add_test(tc, test_list_rule);
	tcase_add_test(tc, test_has_unread_reply);
	tcase_add_test(tc, test_mark_read);
	tcase_add_test(tc, test_post_summary);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_statement_counts);
	tcase_add_test(tc, test_concurrent_replies);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_run(suite(), NULL);
}
