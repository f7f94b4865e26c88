/*
 * Unit tests of the route table matcher and the input validators, on a
 * table of their own so they do not change when routes are added.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jsonv.h"
#include "request.h"
#include "route.h"

static void h_none(struct req *r)
{
	(void)r;
}

enum { Q_SKIP, Q_LIMIT, Q_TAGS, Q_FLAG, Q_NAME };
static const struct field query_fields[] = {
	[Q_SKIP] = { "skip", F_INT, 0, 0, 2147483647, "0" },
	[Q_LIMIT] = { "limit", F_INT, 0, 1, 100, "20" },
	[Q_TAGS] = { "tag_ids", F_CSV_INTS, 0, 0, 50, NULL },
	[Q_FLAG] = { "unresolved_only", F_BOOL, 0, 0, 0, "false" },
	[Q_NAME] = { "q", F_STR, 0, 2, 10, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

static const struct route routes[] = {
	{ M_GET, "/posts/me", h_none, AUTH_USER, BODY_NONE, NULL },
	{ M_DELETE, "/posts/{post_id:int}", h_none, AUTH_USER, BODY_NONE, NULL },
	{ M_GET, "/posts/user/{user_id:int}", h_none, AUTH_USER, BODY_NONE, NULL },
	{ M_GET, "/feed/", h_none, AUTH_USER, BODY_NONE, query_fields },
	{ M_GET, "/auth/user/{username:str}", h_none, AUTH_USER, BODY_NONE, NULL },
	{ M_GET, "/images/{key:path}", h_none, AUTH_USER_OR_QUERY, BODY_NONE, NULL },
	{ M_GET, "/reactions/posts/{post_id:int}/emoji/{emoji:str}/reactors",
	  h_none, AUTH_USER, BODY_NONE, NULL },
};
static const struct route_group group = ROUTE_GROUP(routes);
static const struct route_group *const groups[] = { &group, NULL };
static struct route_table table = { groups, NULL, 0, NULL };

static struct arena *arena;
static struct req r;

static void setup(void)
{
	route_table_init(&table);
	arena = arena_new();
	memset(&r, 0, sizeof(r));
	r.arena = arena;
}

static void teardown(void)
{
	route_table_free(&table);
	arena_free(arena);
}

static enum match match(enum method m, const char *path)
{
	memset(r.path_arg, 0, sizeof(r.path_arg));
	r.method = m;
	r.path = path;
	return route_match(&table, &r);
}

START_TEST(literal_routes_and_both_slash_spellings_match)
{
	ck_assert_int_eq(match(M_GET, "/posts/me"), MATCH_OK);
	ck_assert_int_eq(r.route_index, 0);
	ck_assert_int_eq(match(M_GET, "/posts/me/"), MATCH_OK);
	ck_assert_int_eq(match(M_GET, "/feed"), MATCH_OK);
	ck_assert_int_eq(match(M_GET, "/feed/"), MATCH_OK);
	ck_assert_int_eq(match(M_HEAD, "/feed"), MATCH_OK);
}
END_TEST

START_TEST(parameters_capture_raw_segments)
{
	ck_assert_int_eq(match(M_DELETE, "/posts/42"), MATCH_OK);
	ck_assert_str_eq(r.path_arg[0].s, "42");
	ck_assert_int_eq(match(M_GET, "/reactions/posts/7/emoji/%F0%9F%91%8D/reactors"),
			 MATCH_OK);
	ck_assert_str_eq(r.path_arg[0].s, "7");
	ck_assert_str_eq(r.path_arg[1].s, "%F0%9F%91%8D");
	ck_assert_int_eq(match(M_GET, "/images/posts/photos/1/2/a.jpg"), MATCH_OK);
	ck_assert_str_eq(r.path_arg[0].s, "posts/photos/1/2/a.jpg");
}
END_TEST

START_TEST(unknown_paths_and_methods_are_told_apart)
{
	ck_assert_int_eq(match(M_GET, "/nope"), MATCH_NO_PATH);
	ck_assert_int_eq(match(M_GET, "/posts"), MATCH_NO_PATH);
	ck_assert_int_eq(match(M_GET, "/posts/1/2"), MATCH_NO_PATH);
	ck_assert_int_eq(match(M_GET, "/posts//"), MATCH_NO_PATH);
	ck_assert_int_eq(match(M_POST, "/feed"), MATCH_NO_METHOD);
	ck_assert_str_eq(r.allow, "GET");
	ck_assert_int_eq(match(M_GET, "/posts/42"), MATCH_NO_METHOD);
	ck_assert_int_eq(match(M_GET, "/images/"), MATCH_NO_PATH);
}
END_TEST

/* The "type" of the first validation error, or NULL when r is valid. */
static const char *first_error(void)
{
	json_object *errors = jv_owned(arena, validate_fields(&r)), *type;

	if (errors == NULL)
		return NULL;
	json_object_object_get_ex(json_object_array_get_idx(errors, 0), "type", &type);
	return json_object_get_string(type);
}

START_TEST(int_path_parameters_parse_strictly)
{
	const char *good[] = { "/posts/1", "/posts/2147483647", "/posts/-3" };
	const char *bad[] = { "/posts/abc", "/posts/1.5", "/posts/99999999999",
			      "/posts/+1", "/posts/%31", "/posts/1%00" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(match(M_DELETE, good[i]), MATCH_OK);
		ck_assert_msg(first_error() == NULL, "rejected %s", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(match(M_DELETE, bad[i]), MATCH_OK);
		ck_assert_msg(first_error() != NULL, "accepted %s", bad[i]);
		ck_assert_str_eq(first_error(), "int_parsing");
	}
}
END_TEST

START_TEST(string_path_parameters_are_decoded_and_checked)
{
	ck_assert_int_eq(match(M_GET, "/reactions/posts/7/emoji/%F0%9F%91%8D/reactors"),
			 MATCH_OK);
	ck_assert_ptr_null(first_error());
	ck_assert_str_eq(r.path_arg[1].s, "\xf0\x9f\x91\x8d");
	ck_assert_int_eq(match(M_GET, "/auth/user/%FF"), MATCH_OK);
	ck_assert_str_eq(first_error(), "string_type");
	ck_assert_int_eq(match(M_GET, "/auth/user/a%2"), MATCH_OK);
	ck_assert_str_eq(first_error(), "string_type");
}
END_TEST

static void query(const char *name, const char *value)
{
	r.query[r.nquery].name = name;
	r.query[r.nquery++].value = value;
}

START_TEST(query_fields_get_defaults_and_types)
{
	ck_assert_int_eq(match(M_GET, "/feed"), MATCH_OK);
	query("tag_ids", "1,,3, 4");
	query("unresolved_only", "true");
	query("extra", "ignored");
	ck_assert_ptr_null(first_error());
	ck_assert_int_eq(r.arg[Q_SKIP].i, 0);
	ck_assert_int_eq(r.arg[Q_LIMIT].i, 20);
	ck_assert_uint_eq(r.arg[Q_TAGS].nlist, 3);
	ck_assert_int_eq(r.arg[Q_TAGS].list[2], 4);
	ck_assert_int_eq(r.arg[Q_FLAG].b, 1);
	ck_assert_int_eq(r.arg[Q_NAME].present, 0);
}
END_TEST

START_TEST(query_fields_reject_bad_values)
{
	static const struct { const char *name, *value, *type; } cases[] = {
		{ "skip", "-1", "greater_than_equal" },
		{ "limit", "0", "greater_than_equal" },
		{ "limit", "101", "less_than_equal" },
		{ "limit", "ten", "int_parsing" },
		{ "tag_ids", "1,x", "int_parsing" },
		{ "unresolved_only", "maybe", "bool_parsing" },
		{ "q", "a", "string_too_short" },
		{ "q", "abcdefghijk", "string_too_long" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(match(M_GET, "/feed"), MATCH_OK);
		r.nquery = 0;
		query(cases[i].name, cases[i].value);
		ck_assert_msg(first_error() != NULL, "accepted %s=%s",
			      cases[i].name, cases[i].value);
		ck_assert_str_eq(first_error(), cases[i].type);
	}
}
END_TEST

enum { B_ID, B_TEXT, B_IDS, B_NOTE };
static const struct field body_table[] = {
	[B_ID] = { "post_id", F_INT, REQUIRED, 0, 0, NULL },
	[B_TEXT] = { "content", F_STR, REQUIRED, 1, 5, NULL },
	[B_IDS] = { "post_ids", F_INT_LIST, 0, 0, 3, NULL },
	[B_NOTE] = { "reason", F_STR, NULLABLE, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};
static const struct route body_route = {
	M_POST, "/comments/", h_none, AUTH_USER, BODY_JSON, body_table
};

static const char *body_error(const char *json)
{
	memset(r.arg, 0, sizeof(r.arg));
	r.route = &body_route;
	ck_assert_int_eq(jv_parse(arena, json, strlen(json), &r.body), 0);
	return first_error();
}

START_TEST(body_fields_follow_the_table)
{
	ck_assert_ptr_null(body_error("{\"post_id\": 3, \"content\": \"hé\"}"));
	ck_assert_int_eq(r.arg[B_ID].i, 3);
	ck_assert_str_eq(r.arg[B_TEXT].s, "hé");
	ck_assert_int_eq(r.arg[B_IDS].present, 0);
	ck_assert_ptr_null(body_error("{\"post_id\": \"3\", \"content\": \"x\","
				      " \"post_ids\": [1, 2], \"reason\": null}"));
	ck_assert_uint_eq(r.arg[B_IDS].nlist, 2);
	ck_assert_int_eq(r.arg[B_NOTE].present, 0);
	ck_assert_str_eq(body_error("{\"content\": \"x\"}"), "missing");
	ck_assert_str_eq(body_error("{\"post_id\": 1.5, \"content\": \"x\"}"), "int_type");
	ck_assert_str_eq(body_error("{\"post_id\": 1e3, \"content\": \"x\"}"), "int_type");
	ck_assert_str_eq(body_error("{\"post_id\": 9999999999, \"content\": \"x\"}"),
			 "int_type");
	ck_assert_str_eq(body_error("{\"post_id\": 1, \"content\": 5}"), "string_type");
	ck_assert_str_eq(body_error("{\"post_id\": 1, \"content\": \"\"}"),
			 "string_too_short");
	ck_assert_str_eq(body_error("{\"post_id\": 1, \"content\": \"ééééééé\"}"),
			 "string_too_long");
	ck_assert_str_eq(body_error("{\"post_id\": 1, \"content\": null}"), "null_input");
	ck_assert_str_eq(body_error("{\"post_id\": 1, \"content\": \"x\", \"x\": 1}"),
			 "extra_forbidden");
	ck_assert_str_eq(body_error("{\"post_id\": 1, \"content\": \"x\","
				    " \"post_ids\": [1, 2, 3, 4]}"), "too_long");
	ck_assert_str_eq(body_error("{\"post_id\": 1, \"content\": \"x\","
				    " \"post_ids\": [\"a\"]}"), "int_parsing");
	ck_assert_str_eq(body_error("[1]"), "model_attributes_type");
}
END_TEST

static Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("match");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, literal_routes_and_both_slash_spellings_match);
	tcase_add_test(tc, parameters_capture_raw_segments);
	tcase_add_test(tc, unknown_paths_and_methods_are_told_apart);
	tcase_add_test(tc, int_path_parameters_parse_strictly);
	tcase_add_test(tc, string_path_parameters_are_decoded_and_checked);
	tcase_add_test(tc, query_fields_get_defaults_and_types);
	tcase_add_test(tc, query_fields_reject_bad_values);
	tcase_add_test(tc, body_fields_follow_the_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(router_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

