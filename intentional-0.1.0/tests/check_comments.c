/*
 * Comments through nginx (API.md 4.9, rules 6.5 and 6.8): creation with
 * trimming, limits, the post_stats counter and the author's notification;
 * the list and count per viewer; bad input; atomicity; statement counts.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "fixtures_social.h"
#include "harness.h"
#include "social_test.h"

static http_resp *post_comment(long user, long post, const char *content_json)
{
	return http("POST", "/comments/", token_for(user), tfmt(
		"{\"post_id\": %ld, \"content\": %s}", post, content_json));
}

static http_resp *list_comments(long user, long post)
{
	return http("GET", tfmt("/comments/posts/%ld", post), token_for(user),
		    NULL);
}

/* Rows these routes write for a post, as one comparable string. */
static const char *post_state(long post)
{
	return tfmt("%s", sql_str(
		"SELECT concat_ws('/', (SELECT count(*) FROM comments"
		" WHERE post_id = %ld), (SELECT comment_count FROM post_stats"
		" WHERE post_id = %ld), (SELECT count(*) || ':' ||"
		" max(created_at) || ':' || max(actor_id) FROM notifications"
		" WHERE post_id = %ld))", post, post, post));
}

static long unread(long recipient, long post, const char *type)
{
	return sql_long("SELECT count(*) FROM notifications WHERE recipient_id"
			" = %ld AND post_id = %ld AND type = '%s' AND read_at"
			" IS NULL", recipient, post, type);
}

/*
 * 201 with the trimmed Comment; the counter row is created, then
 * incremented; the author's unread notification is created once, then
 * refreshed, and a new one starts after it was read; none for the author's
 * own comment; every timestamp is UTC.
 */
START_TEST(test_create)
{
	long a = fx_user("cr_author"), b = fx_user("cr_b"),
	     c = fx_user("cr_c"), d = fx_user("cr_d");
	long post = post_of(a);
	http_resp *r;

	fx_connect(a, b, "accepted");
	fx_connect(c, a, "accepted");
	fx_connect(a, d, "accepted");
	/* a post without its counter row (older data): created on demand */
	sql_free(sql("DELETE FROM post_stats WHERE post_id = %ld", post));

	r = post_comment(b, post, "\"  first words \\u3000\\n\"");
	ck_assert_int_eq(r->status, 201);
	ck_assert_str_eq(jstr(r, "content"), "first words");
	ck_assert_int_eq(jint(r, "post_id"), post);
	ck_assert_int_eq(jint(r, "author_id"), b);
	ck_assert_str_eq(jo_str(json_object_object_get(r->json, "author"),
				 "username"), "cr_b");
	ck_assert(!json_object_get_boolean(
		json_object_object_get(r->json, "has_unread_reply")));
	ck_assert_str_eq(sql_str("SELECT content FROM comments WHERE id = %lld",
				 jint(r, "id")), "first words");
	ck_assert_int_eq(sql_long("SELECT comment_count FROM post_stats"
				  " WHERE post_id = %ld", post), 1);
	ck_assert_int_eq(unread(a, post, "comment"), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM comments c JOIN"
				  " notifications n ON n.post_id = c.post_id"
				  " WHERE c.post_id = %ld AND abs(extract(epoch"
				  " FROM (now() AT TIME ZONE 'UTC') - c.created_at))"
				  " < 60 AND abs(extract(epoch FROM (now() AT TIME"
				  " ZONE 'UTC') - n.created_at)) < 60", post), 1);
	ck_assert_str_eq(jstr(r, "created_at"), sql_str(
		"SELECT to_char(created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS') ||"
		" CASE WHEN extract(microseconds FROM created_at)::int %% 1000000"
		" = 0 THEN '' ELSE to_char(created_at, '.US') END"
		" FROM comments WHERE id = %lld", jint(r, "id")));

	/* a second commenter refreshes the unread notification */
	ck_assert_int_eq(post_comment(c, post, "\"second\"")->status, 201);
	ck_assert_int_eq(sql_long("SELECT comment_count FROM post_stats"
				  " WHERE post_id = %ld", post), 2);
	ck_assert_int_eq(unread(a, post, "comment"), 1);
	ck_assert_int_eq(sql_long("SELECT actor_id FROM notifications WHERE"
				  " recipient_id = %ld AND post_id = %ld", a, post), c);

	/* the author's own comment notifies nobody */
	ck_assert_int_eq(post_comment(a, post, "\"mine\"")->status, 201);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " post_id = %ld", post), 1);
	ck_assert_int_eq(sql_long("SELECT actor_id FROM notifications WHERE"
				  " post_id = %ld", post), c);

	/* once read, the next comment starts a new notification */
	ck_assert_int_eq(http("POST", tfmt("/notifications/posts/%ld/read",
					     post), token_for(a), "{}")->status, 200);
	ck_assert_int_eq(post_comment(d, post, "\"third\"")->status, 201);
	ck_assert_int_eq(unread(a, post, "comment"), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM notifications WHERE"
				  " post_id = %ld", post), 2);
	ck_assert_int_eq(sql_long("SELECT comment_count FROM post_stats"
				  " WHERE post_id = %ld", post), 4);
}
END_TEST

/* 5000 code points (10000 bytes) pass; 5001, empty and blank are 400. */
START_TEST(test_lengths)
{
	long a = fx_user("len_author"), b = fx_user("len_b");
	long post = post_of(a);
	char *text = malloc(5001 * 2 + 3), *p = text, before[512];
	http_resp *r;
	int i;

	fx_connect(a, b, "accepted");
	*p++ = '"';
	for (i = 0; i < 5000; i++)
		p += sprintf(p, "\xc3\xa9");
	strcpy(p, "\"");
	r = post_comment(b, post, text);
	ck_assert_int_eq(r->status, 201);
	ck_assert_int_eq(sql_long("SELECT char_length(content) FROM comments"
				  " WHERE id = %lld", jint(r, "id")), 5000);

	snprintf(before, sizeof(before), "%s", post_state(post));
	strcpy(p, "\xc3\xa9\"");
	r = post_comment(b, post, text);
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(jstr(r, "detail"));
	ck_assert_int_eq(post_comment(b, post, "\"\"")->status, 400);
	ck_assert_int_eq(post_comment(b, post, "\" \\t\\r\\n\\u00a0\\u3000 \"")->status,
			 400);
	ck_assert_str_eq(post_state(post), before);
	free(text);
}
END_TEST

/* Malformed input is 422, a missing or hidden post 404, no token 401;
 * none of them writes anything. */
START_TEST(test_bad_input)
{
	static const char *const paths[] = {
		"/comments/posts/abc", "/comments/posts/1.0",
		"/comments/posts/99999999999", "/comments/posts/abc/count",
		"/comments/posts/-/count",
	};
	long a = fx_user("bad_author"), b = fx_user("bad_b");
	long post = post_of(a);
	char before[512];
	size_t i;
	http_resp *r;

	const char *const bodies[] = {
		"{}",
		"{\"content\": \"x\"}",
		"{\"post_id\": \"abc\", \"content\": \"x\"}",
		"{\"post_id\": 1.5, \"content\": \"x\"}",
		"{\"post_id\": 99999999999, \"content\": \"x\"}",
		"[1]",
		tfmt("{\"post_id\": %ld}", post),
		tfmt("{\"post_id\": %ld, \"content\": 5}", post),
		tfmt("{\"post_id\": %ld, \"content\": null}", post),
		tfmt("{\"post_id\": %ld, \"content\": [\"x\"]}", post),
		tfmt("{\"post_id\": %ld, \"content\": \"x\", \"extra\": 1}",
		       post),
		tfmt("{\"post_id\": %ld, \"content\": \"x\"", post),
	};

	fx_connect(a, b, "accepted");
	fx_comment(post, a, "exists");
	snprintf(before, sizeof(before), "%s", post_state(post));
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		r = http("POST", "/comments/", token_for(b), bodies[i]);
		ck_assert_msg(r->status == 422, "%s: %ld %s", bodies[i],
			      r->status, r->body);
		ck_assert_msg(json_object_is_type(json_object_object_get(
			r->json, "detail"), json_type_array), "%s", r->body);
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		r = http("GET", paths[i], token_for(b), NULL);
		ck_assert_msg(r->status == 422, "%s: %ld", paths[i], r->status);
	}
	ck_assert_int_eq(post_comment(b, 2147483647, "\"x\"")->status, 404);
	ck_assert_int_eq(list_comments(b, 2147483647)->status, 404);
	ck_assert_int_eq(http("GET", "/comments/posts/2147483647/count",
			      token_for(b), NULL)->status, 404);
	ck_assert_int_eq(http("POST", "/comments/", NULL, tfmt(
		"{\"post_id\": %ld, \"content\": \"x\"}", post))->status, 401);
	ck_assert_int_eq(http("GET", tfmt("/comments/posts/%ld", post), NULL,
			      NULL)->status, 401);
	ck_assert_int_eq(http("POST", "/comments/", "not.a.token", tfmt(
		"{\"post_id\": %ld, \"content\": \"x\"}", post))->status, 401);
	ck_assert_str_eq(post_state(post), before);
}
END_TEST

/*
 * Rule 6.5: the post's author sees every comment; others see their own
 * and those of people connected to them; oldest first, ties by id; the
 * count agrees with the list.
 */
START_TEST(test_list_rule)
{
	long a = fx_user("lr_author"), b = fx_user("lr_b"),
	     c = fx_user("lr_c"), d = fx_user("lr_d");
	long post = post_of(a), ca, cb, cc, cd;

	fx_connect(a, b, "accepted");
	fx_connect(a, c, "accepted");
	fx_connect(a, d, "accepted");
	fx_connect(b, c, "accepted");
	fx_connect(b, d, "pending");
	cd = fx_comment(post, d, "d");
	cb = fx_comment(post, b, "b");
	cc = fx_comment(post, c, "c");
	ca = fx_comment(post, a, "a");
	/* same created_at for c and a: id decides */
	sql_free(sql("UPDATE comments SET created_at = (SELECT created_at"
		     " FROM comments WHERE id = %ld) WHERE id = %ld", cc, ca));
	{
		long all[] = { cd, cb, cc, ca }, for_b[] = { cb, cc, ca },
		     for_c[] = { cb, cc, ca }, for_d[] = { cd, ca };

		assert_ids(list_comments(a, post), all, 4);
		assert_ids(list_comments(b, post), for_b, 3);
		assert_ids(list_comments(c, post), for_c, 3);
		assert_ids(list_comments(d, post), for_d, 2);
	}
	ck_assert_int_eq(jo_int(http("GET", tfmt("/comments/posts/%ld/count",
						    post), token_for(a), NULL)->json,
				 "count"), 4);
	ck_assert_int_eq(jo_int(http("GET", tfmt("/comments/posts/%ld/count",
						    post), token_for(d), NULL)->json,
				 "count"), 2);
}
END_TEST

/* The list and the count run the same number of statements for 1 and 50
 * comments (authors and unread flags come in the same statement). */
START_TEST(test_statement_counts)
{
	long a = fx_user("sc_author"), small = post_of(a),
	     big = post_of(a), base;
	long users[50];
	int i;
	http_resp *one, *fifty;

	base = statement_count(http("GET", "/auth/me", token_for(a), NULL));
	fx_comment(small, a, "only one");
	for (i = 0; i < 50; i++) {
		users[i] = fx_user(tfmt("sc_u%d", i));
		fx_connect(a, users[i], "accepted");
		fx_comment(big, users[i], "one of fifty");
	}
	one = list_comments(a, small);
	fifty = list_comments(a, big);
	ck_assert_int_eq(jo_len(one->json), 1);
	ck_assert_int_eq(jo_len(fifty->json), 50);
	ck_assert_int_eq(statement_count(one), base + 1);
	ck_assert_int_eq(statement_count(fifty), base + 1);
	one = http("GET", tfmt("/comments/posts/%ld/count", small),
		   token_for(a), NULL);
	fifty = http("GET", tfmt("/comments/posts/%ld/count", big),
		     token_for(a), NULL);
	ck_assert_int_eq(statement_count(one), base + 1);
	ck_assert_int_eq(statement_count(fifty), base + 1);
	/* creating runs its two statements however many comments exist */
	ck_assert_int_eq(statement_count(post_comment(users[0], big, "\"x\"")),
			 base + 2);
}
END_TEST

/*
 * A failure in the last write (the notification, made to fail by a
 * trigger) leaves no comment, no counter change and no refreshed
 * notification behind: the request is one transaction.
 */
START_TEST(test_atomic)
{
	long a = fx_user("at_author"), b = fx_user("at_b"),
	     c = fx_user("at_c");
	long post = post_of(a);
	char before[512];
	http_resp *r;

	fx_connect(a, b, "accepted");
	fx_connect(a, c, "accepted");
	ck_assert_int_eq(post_comment(b, post, "\"first\"")->status, 201);
	snprintf(before, sizeof(before), "%s", post_state(post));
	sql_free(sql("CREATE FUNCTION at_fail() RETURNS trigger LANGUAGE plpgsql"
		     " AS $$BEGIN RAISE EXCEPTION 'injected'; END$$"));
	sql_free(sql("CREATE TRIGGER at_fail BEFORE INSERT OR UPDATE ON"
		     " notifications FOR EACH ROW WHEN (NEW.post_id = %ld)"
		     " EXECUTE FUNCTION at_fail()", post));
	r = post_comment(c, post, "\"doomed\"");
	sql_free(sql("DROP TRIGGER at_fail ON notifications"));
	sql_free(sql("DROP FUNCTION at_fail()"));
	ck_assert_int_eq(r->status, 500);
	ck_assert_ptr_nonnull(jstr(r, "detail"));
	ck_assert_str_eq(post_state(post), before);
	ck_assert_int_eq(post_comment(c, post, "\"again\"")->status, 201);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("comments");
	TCase *tc = social_tcase("comments", 60);

	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_lengths);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_list_rule);
	tcase_add_test(tc, test_statement_counts);
	tcase_add_test(tc, test_atomic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_run(suite(), NULL);
}
