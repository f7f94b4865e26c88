/*
 * Reactions through nginx (API.md 4.11, rule 6.10, notes 11 and 14): one
 * per member and post, emoji limits, the route 40 and 43 privacy
 * corrections, removal of one's own reaction only, bad input and statement
 * counts.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures_social.h"
#include "harness.h"
#include "social_test.h"

#define THUMBS "\xf0\x9f\x91\x8d"
#define HEART "\xe2\x9d\xa4\xef\xb8\x8f"	/* U+2764 U+FE0F: 2 code points */

static http_resp *react(long user, long post, const char *body)
{
	return http("POST", tfmt("/reactions/posts/%ld", post), token_for(user),
		    body);
}

static http_resp *reactions(long user, long post)
{
	return http("GET", tfmt("/reactions/posts/%ld", post), token_for(user),
		    NULL);
}

static http_resp *reactors(long user, long post)
{
	return http("GET", tfmt("/reactions/posts/%ld/reactors", post),
		    token_for(user), NULL);
}

static const char *reactions_state(long post)
{
	return tfmt("%s", sql_str("SELECT count(*) || ':' || coalesce("
				  "string_agg(user_id || '=' || emoji || '@' ||"
				  " created_at, ',' ORDER BY id), '') FROM"
				  " reactions WHERE post_id = %ld", post));
}

/*
 * 201 both for a new reaction and a change, which keeps id and
 * created_at; the emoji is trimmed; ❤️ (two code points) and ten code
 * points pass.
 */
START_TEST(test_set_and_change)
{
	long a = fx_user("sx_author"), b = fx_user("sx_b");
	long post = post_of(a);
	const char *created;
	long long id;
	http_resp *r;

	fx_connect(a, b, "accepted");
	r = react(b, post, "{\"emoji\": \"  " THUMBS " \\n\"}");
	ck_assert_int_eq(r->status, 201);
	ck_assert_str_eq(jstr(r, "emoji"), THUMBS);
	ck_assert_int_eq(jint(r, "user_id"), b);
	ck_assert_int_eq(jint(r, "post_id"), post);
	ck_assert_str_eq(jo_str(json_object_object_get(r->json, "user"),
			      "username"), "sx_b");
	id = jint(r, "id");
	created = tfmt("%s", jstr(r, "created_at"));
	ck_assert_int_eq(sql_long("SELECT count(*) FROM reactions WHERE"
				  " id = %lld AND abs(extract(epoch FROM (now()"
				  " AT TIME ZONE 'UTC') - created_at)) < 60", id), 1);

	r = react(b, post, "{\"emoji\": \"" HEART "\"}");
	ck_assert_int_eq(r->status, 201);
	ck_assert_str_eq(jstr(r, "emoji"), HEART);
	ck_assert_int_eq(jint(r, "id"), id);
	ck_assert_str_eq(jstr(r, "created_at"), created);
	r = react(b, post, "{\"emoji\": \"" THUMBS THUMBS THUMBS THUMBS THUMBS
		  THUMBS THUMBS THUMBS THUMBS THUMBS "\"}");
	ck_assert_int_eq(r->status, 201);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM reactions WHERE"
				  " post_id = %ld", post), 1);
	/* the author may react to their own post */
	ck_assert_int_eq(react(a, post, "{\"emoji\": \"ok\"}")->status, 201);
}
END_TEST

/* Over ten code points, blank, or not a string: 4xx, nothing changes. */
START_TEST(test_bad_emoji)
{
	static const char *const invalid[] = {
		"{}", "{\"emoji\": null}", "{\"emoji\": 5}", "{\"emoji\": [\"x\"]}",
		"{\"emoji\": \"x\", \"post_id\": 1}", "[]", "{\"emoji\": \"x\"",
	};
	long a = fx_user("be_author"), b = fx_user("be_b");
	long post = post_of(a);
	const char *before;
	size_t i;

	fx_connect(a, b, "accepted");
	ck_assert_int_eq(react(b, post, "{\"emoji\": \"" THUMBS "\"}")->status,
			 201);
	before = reactions_state(post);
	ck_assert_int_eq(react(b, post, "{\"emoji\": \"" THUMBS THUMBS THUMBS
			       THUMBS THUMBS THUMBS THUMBS THUMBS THUMBS THUMBS
			       THUMBS "\"}")->status, 400);
	ck_assert_int_eq(react(b, post, "{\"emoji\": \"" HEART HEART HEART
			       HEART HEART HEART "\"}")->status, 400);
	ck_assert_int_eq(react(b, post, "{\"emoji\": \"\"}")->status, 400);
	ck_assert_int_eq(react(b, post, "{\"emoji\": \" \\t\\u3000\"}")->status,
			 400);
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		http_resp *r = react(b, post, invalid[i]);

		ck_assert_msg(r->status == 422, "%s: %ld", invalid[i], r->status);
	}
	ck_assert_int_eq(react(b, 2147483647, "{\"emoji\": \"x\"}")->status, 404);
	ck_assert_str_eq(reactions_state(post), before);
}
END_TEST

/* The reaction of list item i: its user_id and whether it names the user. */
static void assert_reaction(const http_resp *r, int i, long user_id, int named)
{
	json_object *item = jo_item(r->json, i), *user;

	ck_assert_msg(item != NULL, "%s", r->body);
	ck_assert_int_eq(jo_int(item, "user_id"), user_id);
	user = json_object_object_get(item, "user");
	if (named)
		ck_assert_int_eq(jo_int(user, "id"), user_id);
	else
		ck_assert_ptr_null(user);
}

/* The reactor ids of route 43's answer, as "id,id,". */
static const char *reactor_ids(const http_resp *r)
{
	static char out[256];
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < jo_len(r->json); i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%lld,",
					jo_int(json_object_object_get(
						jo_item(r->json, i), "user"), "id"));
	return out;
}

/*
 * Route 40 keeps every reaction but names only the caller, their
 * connections, and everyone for the post's author; route 43 lists the
 * caller always, and others connected to the caller and to the author
 * (or the author); route 42 filters one exact emoji, percent-decoded,
 * with "" for an unset username.
 */
START_TEST(test_privacy)
{
	long a = fx_user("pv_author"), b = fx_user("pv_b"),
	     c = fx_user("pv_c"), d = fx_user("pv_d");
	long post = post_of(a);
	http_resp *r;

	fx_connect(a, b, "accepted");
	fx_connect(a, c, "accepted");
	fx_connect(a, d, "accepted");
	fx_connect(b, d, "accepted");
	sql_free(sql("UPDATE users SET username = NULL WHERE id = %ld", d));
	ck_assert_int_eq(react(a, post, "{\"emoji\": \"" THUMBS "\"}")->status, 201);
	ck_assert_int_eq(react(b, post, "{\"emoji\": \"" THUMBS "\"}")->status, 201);
	ck_assert_int_eq(react(c, post, "{\"emoji\": \"" HEART "\"}")->status, 201);
	ck_assert_int_eq(react(d, post, "{\"emoji\": \"" THUMBS "\"}")->status, 201);

	r = reactions(a, post);
	ck_assert_int_eq(jo_len(r->json), 4);
	assert_reaction(r, 0, a, 1);
	assert_reaction(r, 1, b, 1);
	assert_reaction(r, 2, c, 1);
	assert_reaction(r, 3, d, 1);
	ck_assert_ptr_null(jo_str(json_object_object_get(jo_item(r->json, 3), "user"),
				"username"));
	r = reactions(b, post);
	ck_assert_int_eq(jo_len(r->json), 4);
	assert_reaction(r, 0, a, 1);
	assert_reaction(r, 1, b, 1);
	assert_reaction(r, 2, 0, 0);	/* c: not connected to b */
	ck_assert_str_eq(jo_str(jo_item(r->json, 2), "emoji"), HEART);
	assert_reaction(r, 3, d, 1);
	r = reactions(c, post);
	assert_reaction(r, 0, a, 1);
	assert_reaction(r, 1, 0, 0);
	assert_reaction(r, 2, c, 1);
	assert_reaction(r, 3, 0, 0);

	ck_assert_str_eq(reactor_ids(reactors(a, post)),
			 tfmt("%ld,%ld,%ld,%ld,", a, b, c, d));
	ck_assert_str_eq(reactor_ids(reactors(b, post)),
			 tfmt("%ld,%ld,%ld,", a, b, d));
	ck_assert_str_eq(reactor_ids(reactors(c, post)), tfmt("%ld,%ld,", a, c));
	r = reactors(c, post);
	ck_assert_str_eq(jo_str(jo_item(r->json, 1), "emoji"), HEART);
	ck_assert_str_eq(jo_str(json_object_object_get(jo_item(r->json, 1), "user"),
			      "username"), "pv_c");

	r = http("GET", tfmt("/reactions/posts/%ld/emoji/%%F0%%9F%%91%%8D/"
			     "reactors", post), token_for(b), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r, "emoji"), THUMBS);
	{
		json_object *list = json_object_object_get(r->json, "reactors");

		ck_assert_int_eq(jo_len(list), 3);
		ck_assert_int_eq(jo_int(jo_item(list, 0), "id"), a);
		ck_assert_int_eq(jo_int(jo_item(list, 1), "id"), b);
		ck_assert_int_eq(jo_int(jo_item(list, 2), "id"), d);
		ck_assert_str_eq(jo_str(jo_item(list, 2), "username"), "");
	}
	r = http("GET", tfmt("/reactions/posts/%ld/emoji/%%E2%%9D%%A4%%EF%%B8%%8F/"
			     "reactors", post), token_for(b), NULL);
	ck_assert_int_eq(jo_len(json_object_object_get(r->json, "reactors")), 0);
	r = http("GET", tfmt("/reactions/posts/%ld/emoji/%%E2%%9D%%A4%%EF%%B8%%8F/"
			     "reactors", post), token_for(c), NULL);
	ck_assert_str_eq(jstr(r, "emoji"), HEART);
	ck_assert_int_eq(jo_len(json_object_object_get(r->json, "reactors")), 1);
}
END_TEST

/*
 * DELETE removes the caller's own reaction only: 204, then 404; another
 * member's reaction is out of reach; a post the caller no longer sees is
 * 404 and keeps everything.
 */
START_TEST(test_delete)
{
	long a = fx_user("dl_author"), b = fx_user("dl_b"), c = fx_user("dl_c");
	long post = post_of(a);
	const char *before;
	http_resp *r;

	fx_connect(a, b, "accepted");
	fx_connect(a, c, "accepted");
	ck_assert_int_eq(react(b, post, "{\"emoji\": \"b\"}")->status, 201);
	ck_assert_int_eq(react(c, post, "{\"emoji\": \"c\"}")->status, 201);
	before = reactions_state(post);
	r = http("DELETE", tfmt("/reactions/posts/%ld", post), token_for(a), NULL);
	ck_assert_int_eq(r->status, 404);
	ck_assert_str_eq(jstr(r, "detail"), "reaction not found");
	ck_assert_str_eq(reactions_state(post), before);

	r = http("DELETE", tfmt("/reactions/posts/%ld", post), token_for(c), NULL);
	ck_assert_int_eq(r->status, 204);
	ck_assert_str_eq(r->body, "");
	ck_assert_int_eq(http("DELETE", tfmt("/reactions/posts/%ld", post),
			      token_for(c), NULL)->status, 404);
	ck_assert_int_eq(sql_long("SELECT user_id FROM reactions WHERE"
				  " post_id = %ld", post), b);

	/* b disconnected: the post is hidden, the reaction stays */
	sql_free(sql("DELETE FROM connections WHERE user_a_id = %ld AND"
		     " user_b_id = %ld", a < b ? a : b, a < b ? b : a));
	before = reactions_state(post);
	r = http("DELETE", tfmt("/reactions/posts/%ld", post), token_for(b), NULL);
	ck_assert_int_eq(r->status, 404);
	ck_assert_str_eq(jstr(r, "detail"), "post not found");
	ck_assert_str_eq(reactions_state(post), before);
}
END_TEST

/* Malformed ids and escapes are 422, unknown posts 404, no token 401. */
START_TEST(test_bad_paths)
{
	static const char *const methods[] = { "GET", "DELETE", "POST", "GET",
					       "GET" };
	static const char *const paths[] = {
		"/reactions/posts/abc", "/reactions/posts/1.5",
		"/reactions/posts/99999999999", "/reactions/posts/x/reactors",
		"/reactions/posts/1/emoji/%C3%28/reactors",
	};
	long a = fx_user("bp_author"), post = post_of(a);
	const char *tok = token_for(a), *before = reactions_state(post);
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		http_resp *r = http(methods[i], paths[i], tok,
				    strcmp(methods[i], "POST") == 0
				    ? "{\"emoji\": \"x\"}" : NULL);

		ck_assert_msg(r->status == 422, "%s %s: %ld %s", methods[i],
			      paths[i], r->status, r->body);
	}
	ck_assert_int_eq(reactions(a, 2147483647)->status, 404);
	ck_assert_int_eq(reactors(a, 2147483647)->status, 404);
	ck_assert_int_eq(http("GET", "/reactions/posts/2147483647/emoji/x/"
			      "reactors", tok, NULL)->status, 404);
	ck_assert_int_eq(http("DELETE", "/reactions/posts/2147483647", tok,
			      NULL)->status, 404);
	ck_assert_int_eq(http("POST", tfmt("/reactions/posts/%ld", post), NULL,
			      "{\"emoji\": \"x\"}")->status, 401);
	ck_assert_int_eq(http("GET", tfmt("/reactions/posts/%ld", post), NULL,
			      NULL)->status, 401);
	ck_assert_str_eq(reactions_state(post), before);
}
END_TEST

/* One statement for each route, whether 1 or 50 reactions are listed. */
START_TEST(test_statement_counts)
{
	long a = fx_user("rx_author"), small = post_of(a), big = post_of(a),
	     base;
	http_resp *one, *fifty;
	int i;

	base = statement_count(http("GET", "/auth/me", token_for(a), NULL));
	fx_reaction(small, a, "x");
	for (i = 0; i < 50; i++) {
		long u = fx_user(tfmt("rx_u%d", i));

		fx_connect(a, u, "accepted");
		fx_reaction(big, u, "y");
	}
	one = reactions(a, small);
	fifty = reactions(a, big);
	ck_assert_int_eq(jo_len(fifty->json), 50);
	ck_assert_int_eq(statement_count(one), base + 1);
	ck_assert_int_eq(statement_count(fifty), base + 1);
	one = reactors(a, small);
	fifty = reactors(a, big);
	ck_assert_int_eq(jo_len(fifty->json), 50);
	ck_assert_int_eq(statement_count(one), base + 1);
	ck_assert_int_eq(statement_count(fifty), base + 1);
	ck_assert_int_eq(statement_count(react(a, big, "{\"emoji\": \"z\"}")),
			 base + 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("reactions");
	TCase *tc = social_tcase("reactions", 60);

	tcase_add_test(tc, test_set_and_change);
	tcase_add_test(tc, test_bad_emoji);
	tcase_add_test(tc, test_privacy);
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_bad_paths);
	tcase_add_test(tc, test_statement_counts);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_run(suite(), NULL);
}
