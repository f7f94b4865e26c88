/*
 * The social graph through nginx (API.md 4.5-4.8, 6.2, 6.4): connection
 * requests, mutual requests, accept/reject/disconnect, the limit of
 * MAX_CONNECTIONS for both people even when accepts race, connection tags,
 * tags and insights; who may not do what, and bad input that changes
 * nothing.
 */
#define _GNU_SOURCE		/* asprintf */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "social_test.h"

#define MAX_CONNECTIONS 100	/* the default, which the stack keeps */

/* ---- helpers ---- */

/* A request from a to b; returns the connection id. */
static long request(long a, long b)
{
	http_resp *r = http("POST", tfmt("/connections/request/%ld", b),
			    token_for(a), "{}");

	assert_json(r, 201, "Connection request sent");
	return (long)jint(r, "connection_id");
}

/* a and b connected through the API; returns the connection id. */
static long connect_pair(long a, long b)
{
	long id = request(a, b);

	assert_json(http("POST", tfmt("/connections/accept/%ld", id),
			 token_for(b), "{}"), 200, "Connection accepted");
	return id;
}

/* Accepted connections of u, counted in the database. */
static long accepted_of(long u)
{
	return sql_long("SELECT count(*) FROM connections WHERE status = 'accepted'"
			" AND (user_a_id = %ld OR user_b_id = %ld)", u, u);
}

/* A fingerprint of everything the social routes write. */
static char *graph_digest(void)
{
	return harness_keep(strdup(sql_str(
		"SELECT md5(coalesce((SELECT string_agg(concat_ws(',', id, status,"
		" user_a_id, user_b_id, initiated_by_user_id, updated_at), ';'"
		" ORDER BY id) FROM connections), '') || '|' ||"
		" coalesce((SELECT string_agg(concat_ws(',', id, owner_user_id, name,"
		" color_scheme), ';' ORDER BY id) FROM tags), '') || '|' ||"
		" coalesce((SELECT string_agg(concat_ws(',', id, owner_user_id,"
		" target_user_id, tag_id), ';' ORDER BY id) FROM user_tags), ''))")));
}

static long make_tag(long owner, const char *name)
{
	char *body;
	http_resp *r;

	ck_assert_int_ge(asprintf(&body, "{\"name\": \"%s\"}", name), 0);
	r = http("POST", "/tags", token_for(owner), body);
	free(body);
	assert_json(r, 201, NULL);
	return (long)jint(r, "id");
}

static size_t list_len(const http_resp *r)
{
	ck_assert_msg(json_object_is_type(r->json, json_type_array),
		      "not a list: %s", r->body);
	return json_object_array_length(r->json);
}

/* Member key of the i-th object of a list body. */
static json_object *item(const http_resp *r, size_t i, const char *key)
{
	json_object *v = NULL;

	ck_assert_uint_gt(list_len(r), i);
	json_object_object_get_ex(json_object_array_get_idx(r->json, i), key, &v);
	return v;
}

/* ---- connections ---- */

START_TEST(test_two_users)
{
	long a = fresh_user(), b = fresh_user(), id;
	http_resp *r;

	id = request(a, b);
	assert_json(http("POST", tfmt("/connections/request/%ld", b),
			 token_for(a), "{}"), 409, NULL);
	r = http("GET", "/connections/requests/outgoing", token_for(a), NULL);
	assert_json(r, 200, NULL);
	ck_assert_uint_eq(list_len(r), 1);
	ck_assert_int_eq(json_object_get_int64(item(r, 0, "id")), id);
	ck_assert_str_eq(json_object_get_string(item(r, 0, "status")), "pending");
	ck_assert_int_eq(json_object_get_int64(item(r, 0, "other_user_id")), b);
	ck_assert_ptr_null(item(r, 0, "other_user_email"));
	r = http("GET", "/connections/requests/incoming", token_for(b), NULL);
	ck_assert_uint_eq(list_len(r), 1);
	ck_assert_int_eq(json_object_get_int64(item(r, 0, "other_user_id")), a);
	ck_assert_uint_eq(list_len(http("GET", "/connections/requests/incoming",
					token_for(a), NULL)), 0);
	/* only the recipient accepts */
	assert_json(http("POST", tfmt("/connections/accept/%ld", id),
			 token_for(a), "{}"), 403, NULL);
	/* b asking a back is the acceptance */
	r = http("POST", tfmt("/connections/request/%ld", a), token_for(b), "{}");
	assert_json(r, 201, "Connection accepted (mutual request)");
	ck_assert_int_eq(jint(r, "connection_id"), id);
	r = http("GET", "/connections", token_for(a), NULL);
	ck_assert_uint_eq(list_len(r), 1);
	ck_assert_str_eq(json_object_get_string(item(r, 0, "status")), "accepted");
	ck_assert_int_eq(statement_count(r), 2);	/* token's user + the list */
	assert_json(http("POST", tfmt("/connections/request/%ld", b),
			 token_for(a), "{}"), 409, "already connected");
	assert_json(http("POST", tfmt("/connections/accept/%ld", id),
			 token_for(b), "{}"), 400, NULL);
	/* reject is for pending requests; disconnect for connections */
	assert_json(http("DELETE", tfmt("/connections/reject/%ld", id),
			 token_for(b), NULL), 400, NULL);
	assert_json(http("DELETE", tfmt("/connections/%ld", id), token_for(b),
			 NULL), 200, "Disconnected successfully");
	ck_assert_int_eq(accepted_of(a), 0);
	/* a new request, cancelled by its sender */
	id = request(a, b);
	assert_json(http("DELETE", tfmt("/connections/reject/%ld", id),
			 token_for(a), NULL), 200, NULL);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM connections WHERE id = %ld",
				  id), 0);
}
END_TEST

START_TEST(test_request_rules)
{
	long a = fresh_user(), banned = fresh_user();

	sql("UPDATE users SET is_banned = true WHERE id = %ld", banned);
	assert_json(http("POST", tfmt("/connections/request/%ld", a),
			 token_for(a), "{}"), 400, NULL);
	assert_json(http("POST", tfmt("/connections/request/%ld", banned),
			 token_for(a), "{}"), 404, "user not found");
	assert_json(http("POST", "/connections/request/2147483647",
			 token_for(a), "{}"), 404, "user not found");
	ck_assert_int_eq(sql_long("SELECT count(*) FROM connections WHERE"
				  " user_a_id = %ld OR user_b_id = %ld", a, a), 0);
}
END_TEST

/* A request from a banned member is hidden and cannot be accepted. */
START_TEST(test_banned_requester)
{
	long a = fresh_user(), b = fresh_user(), id = request(a, b);

	sql("UPDATE users SET is_banned = true WHERE id = %ld", a);
	ck_assert_uint_eq(list_len(http("GET", "/connections/requests/incoming",
					token_for(b), NULL)), 0);
	assert_json(http("POST", tfmt("/connections/accept/%ld", id),
			 token_for(b), "{}"), 404, NULL);
}
END_TEST

/* Inserts n accepted connections between u and fresh members. */
static void connect_many(long u, int n)
{
	sql("WITH o AS (INSERT INTO users (email, username, google_id, created_at)"
	    " SELECT 'bulk' || %ld || '_' || g || '@example.com',"
	    " 'bulk' || %ld || '_' || g, 'g-bulk' || %ld || '_' || g,"
	    " now() AT TIME ZONE 'UTC' FROM generate_series(1, %d) g RETURNING id)"
	    " INSERT INTO connections (status, created_at, updated_at, user_a_id,"
	    " user_b_id, initiated_by_user_id) SELECT 'accepted', now(), now(),"
	    " least(o.id, %ld), greatest(o.id, %ld), o.id FROM o",
	    u, u, u, n, u, u);
}

/*
 * 101 members: x connects with 100 through the API, the statement count of
 * the lists stays constant, and the 101st request fails on both sides.
 */
START_TEST(test_limit_with_101_users)
{
	long x = fresh_user(), others[MAX_CONNECTIONS + 1];
	const char *tx = token_for(x);
	http_resp *r;
	int i;

	for (i = 0; i <= MAX_CONNECTIONS; i++)
		others[i] = fresh_user();
	for (i = 0; i < MAX_CONNECTIONS; i++)
		connect_pair(others[i], x);
	ck_assert_int_eq(accepted_of(x), MAX_CONNECTIONS);
	r = http("GET", "/connections", tx, NULL);
	ck_assert_uint_eq(list_len(r), MAX_CONNECTIONS);
	ck_assert_int_eq(statement_count(r), 2);
	r = http("GET", "/insights/connections", tx, NULL);
	assert_json(r, 200, NULL);
	ck_assert_int_eq(jint(r, "current_connections"), MAX_CONNECTIONS);
	ck_assert_int_eq(statement_count(r), 2);
	/* x at the limit can neither ask nor be accepted */
	assert_json(http("POST", tfmt("/connections/request/%ld",
				      others[MAX_CONNECTIONS]), tx, "{}"),
		    400, "you have reached the maximum of 100 connections");
	r = http("POST", tfmt("/connections/request/%ld", x),
		 token_for(others[MAX_CONNECTIONS]), "{}");
	assert_json(r, 201, NULL);
	assert_json(http("POST", tfmt("/connections/accept/%ld", (long)jint(r,
				      "connection_id")), tx, "{}"), 400, NULL);
	/* nor does a mutual request go through */
	assert_json(http("POST", tfmt("/connections/request/%ld",
				      others[MAX_CONNECTIONS]), tx, "{}"), 400, NULL);
	ck_assert_int_eq(accepted_of(x), MAX_CONNECTIONS);
}
END_TEST

/*
 * The race at 99: two accepts that would each be the 100th must not both
 * pass, whether x accepts two requests at once or two people accept x's
 * requests at once.
 */
START_TEST(test_parallel_accepts_at_the_limit)
{
	long x = fresh_user(), a = fresh_user(), b = fresh_user();
	long c = fresh_user(), d = fresh_user(), ids[2];
	struct http_req q[2] = { { .method = "POST", .body = "{}",
				   .content_type = "application/json" },
				 { .method = "POST", .body = "{}",
				   .content_type = "application/json" } };
	http_resp *out[2];
	long status[2];
	int round;

	connect_many(x, MAX_CONNECTIONS - 1);
	for (round = 0; round < 2; round++) {
		long p = round ? c : a, y = round ? d : b;

		if (round == 0) {	/* x accepts both at once */
			ids[0] = request(p, x);
			ids[1] = request(y, x);
			q[0].token = q[1].token = token_for(x);
		} else {		/* both accept x's requests at once */
			ids[0] = request(x, p);
			ids[1] = request(x, y);
			q[0].token = token_for(p);
			q[1].token = token_for(y);
		}
		q[0].path = tfmt("/connections/accept/%ld", ids[0]);
		q[1].path = tfmt("/connections/accept/%ld", ids[1]);
		http_parallel(q, 2, out);
		status[0] = out[0]->status;
		status[1] = out[1]->status;
		ck_assert_msg((status[0] == 200) + (status[1] == 200) == 1 &&
			      (status[0] == 400) + (status[1] == 400) == 1,
			      "statuses %ld and %ld", status[0], status[1]);
		ck_assert_int_eq(accepted_of(x), MAX_CONNECTIONS);
		/* back to 99 for the next round */
		assert_json(http("DELETE", tfmt("/connections/%ld",
						ids[status[0] == 200 ? 0 : 1]),
				 token_for(x), NULL), 200, NULL);
		assert_json(http("DELETE", tfmt("/connections/reject/%ld",
						ids[status[0] == 200 ? 1 : 0]),
				 token_for(x), NULL), 200, NULL);
	}
}
END_TEST

/* ---- tags and connection tags ---- */

START_TEST(test_tags)
{
	long a = fresh_user(), b = fresh_user(), conn = connect_pair(a, b);
	const char *ta = token_for(a);
	long friends = make_tag(a, " friends "), work;
	http_resp *r;

	r = http("GET", "/tags", ta, NULL);
	ck_assert_uint_eq(list_len(r), 1);
	ck_assert_str_eq(json_object_get_string(item(r, 0, "name")), "friends");
	ck_assert_str_eq(json_object_get_string(item(r, 0, "color_scheme")),
			 "generic");
	ck_assert_int_eq(json_object_get_int64(item(r, 0, "owner_user_id")), a);
	assert_json(http("POST", "/tags", ta, "{\"name\": \"friends\"}"), 409, NULL);
	r = http("POST", "/tags", ta, "{\"name\": \"work\", \"color_scheme\": \"work\"}");
	assert_json(r, 201, NULL);
	work = (long)jint(r, "id");
	ck_assert_str_eq(jstr(r, "color_scheme"), "work");
	r = http("PUT", tfmt("/tags/%ld", work), ta,
		 "{\"name\": \"colleagues\", \"color_scheme\": null}");
	assert_json(r, 200, NULL);
	ck_assert_str_eq(jstr(r, "name"), "colleagues");
	ck_assert_str_eq(jstr(r, "color_scheme"), "work");
	assert_json(http("PUT", tfmt("/tags/%ld", work), ta,
			 "{\"name\": \"friends\"}"), 409, NULL);

	/* on the connection: listed, counted, refused twice */
	assert_json(http("POST", tfmt("/connections/%ld/tags", conn), ta,
			 tfmt("{\"tag_id\": %ld}", friends)), 201,
		    "Tag added to connection");
	assert_json(http("POST", tfmt("/connections/%ld/tags", conn), ta,
			 tfmt("{\"tag_id\": %ld}", friends)), 409, NULL);
	r = http("GET", tfmt("/connections/%ld/tags", conn), ta, NULL);
	ck_assert_uint_eq(list_len(r), 1);
	ck_assert_int_eq(json_object_get_int64(item(r, 0, "id")), friends);
	/* the tagged person sees nothing of it */
	ck_assert_uint_eq(list_len(http("GET", tfmt("/connections/%ld/tags", conn),
					token_for(b), NULL)), 0);
	r = http("GET", "/insights/connections", ta, NULL);
	assert_json(r, 200, NULL);
	ck_assert_int_eq(jint(r, "current_connections"), 1);
	ck_assert_int_eq(jint(r, "max_connections"), MAX_CONNECTIONS);
	ck_assert_ptr_nonnull(strstr(r->body, "\"connection_percentage\":1.0"));
	ck_assert_ptr_nonnull(strstr(r->body, "\"count\":1,\"percentage\":100.0"));
	/* in use: not deletable; taking off the last use deletes it */
	assert_json(http("DELETE", tfmt("/tags/%ld", friends), ta, NULL), 400, NULL);
	assert_json(http("DELETE", tfmt("/connections/%ld/tags/2147483647",
					conn), ta, NULL), 404, "tag not found");
	assert_json(http("DELETE", tfmt("/connections/%ld/tags/%ld", conn, friends),
			 ta, NULL), 200,
		    "Tag removed from connection and deleted (no longer in use)");
	assert_json(http("DELETE", tfmt("/connections/%ld/tags/%ld", conn, friends),
			 ta, NULL), 404, NULL);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM tags WHERE id = %ld",
				  friends), 0);
	assert_json(http("DELETE", tfmt("/tags/%ld", work), ta, NULL), 200,
		    "Tag deleted successfully");
	ck_assert_uint_eq(list_len(http("GET", "/tags", ta, NULL)), 0);
}
END_TEST

/* Pending connections take no tags (API.md 9.23). */
START_TEST(test_tags_need_accepted_connection)
{
	long a = fresh_user(), b = fresh_user(), conn = request(a, b);
	long tag = make_tag(a, "family");

	assert_json(http("POST", tfmt("/connections/%ld/tags", conn), token_for(a),
			 tfmt("{\"tag_id\": %ld}", tag)), 404, "connection not found");
	assert_json(http("GET", tfmt("/connections/%ld/tags", conn), token_for(a),
			 NULL), 404, NULL);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM user_tags WHERE tag_id = %ld",
				  tag), 0);
}
END_TEST

/*
 * User c cannot see or change the tags, connection tags or requests of a
 * and b, nor accept a request addressed to b: 403/404, nothing changes.
 */
START_TEST(test_authorization_matrix)
{
	long a = fresh_user(), b = fresh_user(), c = fresh_user();
	long conn = connect_pair(a, b), pending = request(a, fresh_user());
	long to_b = request(fresh_user(), b);
	long tag = make_tag(a, "inner"), ctag = make_tag(c, "mine");
	const char *tc = token_for(c);
	char *before;

	assert_json(http("POST", tfmt("/connections/%ld/tags", conn),
			 token_for(a), tfmt("{\"tag_id\": %ld}", tag)), 201, NULL);
	before = graph_digest();
	/* someone else's tag */
	assert_json(http("PUT", tfmt("/tags/%ld", tag), tc, "{\"name\": \"x\"}"),
		    404, NULL);
	assert_json(http("DELETE", tfmt("/tags/%ld", tag), tc, NULL), 404, NULL);
	ck_assert_uint_eq(list_len(http("GET", "/tags", tc, NULL)), 1);
	/* someone else's connection */
	assert_json(http("GET", tfmt("/connections/%ld/tags", conn), tc, NULL),
		    403, NULL);
	assert_json(http("POST", tfmt("/connections/%ld/tags", conn), tc,
			 tfmt("{\"tag_id\": %ld}", ctag)), 403, NULL);
	assert_json(http("DELETE", tfmt("/connections/%ld/tags/%ld", conn, tag),
			 tc, NULL), 403, NULL);
	assert_json(http("DELETE", tfmt("/connections/%ld", conn), tc, NULL),
		    403, NULL);
	/* someone else's requests */
	assert_json(http("POST", tfmt("/connections/accept/%ld", to_b), tc, "{}"),
		    403, NULL);
	assert_json(http("DELETE", tfmt("/connections/reject/%ld", pending), tc,
			 NULL), 403, NULL);
	ck_assert_uint_eq(list_len(http("GET", "/connections/requests/incoming",
					tc, NULL)), 0);
	ck_assert_uint_eq(list_len(http("GET", "/connections/requests/outgoing",
					tc, NULL)), 0);
	/* a's own tag on a's connection, by a, but a's tag on b's side: b's
	 * view of the same connection shows none of a's tags */
	assert_json(http("POST", tfmt("/connections/%ld/tags", conn), token_for(b),
			 tfmt("{\"tag_id\": %ld}", tag)), 404, "tag not found");
	ck_assert_str_eq(graph_digest(), before);
}
END_TEST

/* ---- bad input on every route: 4xx {"detail"}, nothing changes ---- */

START_TEST(test_bad_input)
{
	static const char *const bad_ids[] = {
		"abc", "1.5", "99999999999", "-1", "0x10", "%20", "1e3",
	};
	/* method, the path before the id, the path after it */
	static const char *const id_routes[][3] = {
		{ "POST", "/connections/request/", "" },
		{ "POST", "/connections/accept/", "" },
		{ "DELETE", "/connections/reject/", "" },
		{ "DELETE", "/connections/", "" },
		{ "GET", "/connections/", "/tags" },
		{ "POST", "/connections/", "/tags" },
		{ "DELETE", "/connections/", "/tags/1" },
		{ "DELETE", "/connections/1/tags/", "" },
		{ "PUT", "/tags/", "" },
		{ "DELETE", "/tags/", "" },
	};
	static const char *const bodies[][2] = {
		{ "/tags", "{\"name\": \"ok\", \"extra\": 1}" },
		{ "/tags", "{\"name\": 5}" },
		{ "/tags", "{\"name\": \"\"}" },
		{ "/tags", "{\"name\": \"   \"}" },
		{ "/tags", "{\"name\": \"1234567890123456789012345\"}" },
		{ "/tags", "{\"name\": \"ok\", \"color_scheme\": \"123456789012345678901\"}" },
		{ "/tags", "{\"name\": \"ok\", \"color_scheme\": \"<script>\"}" },
		{ "/tags", "{\"name\": null}" },
		{ "/tags", "[]" },
		{ "/tags", "{\"name\": \"ok\"" },
		{ "/tags", "{}" },
	};
	long a = fresh_user(), b = fresh_user(), conn = connect_pair(a, b);
	long tag = make_tag(a, "kept");
	const char *ta = token_for(a);
	char *before = graph_digest();
	size_t i, j;

	for (i = 0; i < sizeof(id_routes) / sizeof(id_routes[0]); i++)
		for (j = 0; j < sizeof(bad_ids) / sizeof(bad_ids[0]); j++) {
			char *p;
			http_resp *r;

			ck_assert_int_ge(asprintf(&p, "%s%s%s", id_routes[i][1],
						  bad_ids[j], id_routes[i][2]), 0);
			r = http(id_routes[i][0], p, ta,
				 strcmp(id_routes[i][0], "DELETE") ? "{\"tag_id\": 1}"
								   : NULL);
			ck_assert_msg(r->status >= 400 && r->status < 500 &&
				      r->json != NULL &&
				      json_object_object_get_ex(r->json, "detail", NULL),
				      "%s %s: %ld %s", id_routes[i][0], p, r->status,
				      r->body);
			free(p);
			http_free(r);
		}
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		assert_json(http("POST", bodies[i][0], ta, bodies[i][1]), 422, NULL);
	assert_json(http("PUT", tfmt("/tags/%ld", tag), ta, "{\"name\": 1}"),
		    422, NULL);
	assert_json(http("PUT", tfmt("/tags/%ld", tag), ta, "{\"nam\": \"x\"}"),
		    422, NULL);
	assert_json(http("POST", tfmt("/connections/%ld/tags", conn), ta,
			 "{\"tag_id\": \"x\"}"), 422, NULL);
	assert_json(http("POST", tfmt("/connections/%ld/tags", conn), ta,
			 "{\"tag_id\": 1, \"other\": 2}"), 422, NULL);
	assert_json(http("POST", tfmt("/connections/%ld/tags", conn), ta, "{}"),
		    422, NULL);
	ck_assert_str_eq(graph_digest(), before);
}
END_TEST

/* Without a token, every route of the graph answers 401. */
START_TEST(test_needs_token)
{
	static const char *const routes[][2] = {
		{ "GET", "/connections" }, { "GET", "/connections/requests/incoming" },
		{ "GET", "/connections/requests/outgoing" },
		{ "POST", "/connections/request/1" }, { "POST", "/connections/accept/1" },
		{ "DELETE", "/connections/reject/1" }, { "DELETE", "/connections/1" },
		{ "GET", "/connections/1/tags" }, { "POST", "/connections/1/tags" },
		{ "DELETE", "/connections/1/tags/1" }, { "GET", "/tags" },
		{ "POST", "/tags" }, { "PUT", "/tags/1" }, { "DELETE", "/tags/1" },
		{ "GET", "/insights/connections" },
	};
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		assert_json(http(routes[i][0], routes[i][1], NULL, "{}"), 401,
			    "not authenticated");
}
END_TEST

static Suite *social_suite(void)
{
	Suite *s = suite_create("social");
	TCase *tc = tcase_create("graph");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, harness_cleanup);
	tcase_add_test(tc, test_two_users);
	tcase_add_test(tc, test_request_rules);
	tcase_add_test(tc, test_banned_requester);
	tcase_add_test(tc, test_limit_with_101_users);
	tcase_add_test(tc, test_parallel_accepts_at_the_limit);
	tcase_add_test(tc, test_tags);
	tcase_add_test(tc, test_tags_need_accepted_connection);
	tcase_add_test(tc, test_authorization_matrix);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_needs_token);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_run(social_suite(), NULL);
}
