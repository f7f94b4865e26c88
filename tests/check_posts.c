/*
 * Posts through nginx (API.md 4.2, routes 11-16): creating with text,
 * tags and photos, the daily limit (also under concurrency) and the bound
 * on the client's clock, one author's posts, deleting with the whole
 * cascade, reporting; bad input on every route answers 4xx and changes
 * nothing; fixed statement counts.
 */
#define _GNU_SOURCE		/* nftw */

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures_social.h"
#include "harness.h"
#include "media_fixtures.h"
#include "posts_http.h"

/* ---- helpers ---- */

/* Everything route 11, 14 and 15 may write, as one fingerprint (freed by
 * harness_cleanup()). */
static const char *post_rows(void)
{
	return sql_str(
		"SELECT md5(concat_ws('|',"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM posts t),"
		" (SELECT string_agg(t::text, ',' ORDER BY post_id) FROM post_stats t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM post_audience_tags t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM reported_posts t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM comments t),"
		" (SELECT string_agg(t::text, ',' ORDER BY id) FROM notifications t)))");
}

static int files;

static int count_file(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)path;
	(void)st;
	(void)ftw;
	files += type == FTW_F;
	return 0;
}

/* Stored media objects (STORAGE_BACKEND=local, the harness default). */
static int media_files(void)
{
	files = 0;
	nftw(tfmt("%s/media", harness_data_dir()), count_file, 16, FTW_PHYS);
	return files;
}

static int media_exists(const char *key)
{
	return access(tfmt("%s/media/%s", harness_data_dir(), key), F_OK) == 0;
}

/* The post's field as text from the database. */
static const char *post_field(long id, const char *column)
{
	return sql_str("SELECT %s::text FROM posts WHERE id = %ld", column, id);
}

/* Item i of the array member key of r, as a string; the array's length. */
static const char *array_str(const http_resp *r, const char *key, int i)
{
	return json_object_get_string(jo_item(json_object_object_get(r->json,
								      key), i));
}

static int array_len(const http_resp *r, const char *key)
{
	return jo_len(json_object_object_get(r->json, key));
}

/* ---- route 11 ---- */

START_TEST(text_post_has_the_whole_shape)
{
	long u = fresh_user(), id;
	struct post_form f = { .content = " hello <b>world</b> " };
	http_resp *r = create_post(token_for(u), &f);
	json_object *author;

	assert_json(r, 201, NULL);
	ck_assert_int_eq(statement_count(r), 4);
	id = (long)jint(r, "id");
	ck_assert_int_eq(jint(r, "author_id"), u);
	ck_assert_str_eq(jstr(r, "content"), " hello <b>world</b> ");
	ck_assert_str_eq(jstr(r, "audience_type"), "all");
	ck_assert_int_eq(array_len(r, "photo_urls"), 0);
	ck_assert_int_eq(array_len(r, "photo_urls_presigned"), 0);
	ck_assert_int_eq(array_len(r, "audience_tags"), 0);
	ck_assert_int_eq(jint(r, "comment_count"), 0);
	ck_assert(json_object_object_get_ex(r->json, "digest_summary", &author));
	ck_assert_ptr_null(author);
	ck_assert(json_object_object_get_ex(r->json, "author", &author));
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(author, "id")), u);
	ck_assert_ptr_nonnull(json_object_object_get(author, "username"));
	/* no client time: the server's, in the contract's format */
	ck_assert_int_lt(seconds_from_now(jstr(r, "created_at")), 60);
	ck_assert_int_eq(strlen(jstr(r, "created_at")), 26);
	ck_assert_str_eq(post_field(id, "photo_urls"), "[]");
	ck_assert_int_eq(sql_long("SELECT comment_count FROM post_stats"
				  " WHERE post_id = %ld", id), 0);
}
END_TEST

START_TEST(post_for_tags_dedupes_and_returns_its_tags)
{
	long u = fresh_user(), t1 = fx_tag(u, "one", "friends"),
	     t2 = fx_tag(u, "two", "family");
	struct post_form f = { .content = "for some", .audience_type = "tags",
			       .audience_tag_ids = tfmt("%ld, %ld,,%ld,", t2, t1, t2) };
	http_resp *r = create_post(token_for(u), &f);
	json_object *tags, *t;

	assert_json(r, 201, NULL);
	ck_assert(json_object_object_get_ex(r->json, "audience_tags", &tags));
	ck_assert_int_eq(json_object_array_length(tags), 2);
	t = json_object_array_get_idx(tags, 0);
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(t, "id")), t1);
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(t, "owner_user_id")), u);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(t, "name")), "one");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(t, "color_scheme")),
			 "friends");
	ck_assert_ptr_nonnull(json_object_object_get(t, "created_at"));
	ck_assert_int_eq(sql_long("SELECT count(*) FROM post_audience_tags"
				  " WHERE post_id = %ld", (long)jint(r, "id")), 2);
	/* tag ids of an 'all' post are not stored */
	f.audience_type = "all";
	r = create_post(token_for(u), &f);
	assert_json(r, 201, NULL);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM post_audience_tags"
				  " WHERE post_id = %ld", (long)jint(r, "id")), 0);
	ck_assert_int_eq(array_len(r, "audience_tags"), 0);
}
END_TEST

START_TEST(photo_posts_store_and_delete_their_objects)
{
	long u = fresh_user(), id;
	size_t lens[2];
	unsigned char *imgs[2] = { fixture_image("png", 120, 80, &lens[0]),
				   fixture_image("jpg", 64, 64, &lens[1]) };
	const unsigned char *photos[2] = { imgs[0], imgs[1] };
	struct post_form f = { .content = "", .photos = photos,
			       .photo_lens = lens, .nphotos = 2 };
	http_resp *r = create_post(token_for(u), &f);
	char prefix[64], *keys[2];
	int i, before;

	assert_json(r, 201, NULL);
	ck_assert_int_eq(statement_count(r), 5);
	id = (long)jint(r, "id");
	snprintf(prefix, sizeof(prefix), "posts/photos/%ld/%ld/", u, id);
	ck_assert_int_eq(array_len(r, "photo_urls"), 2);
	for (i = 0; i < 2; i++) {
		keys[i] = strdup(array_str(r, "photo_urls", i));
		ck_assert_int_eq(strncmp(keys[i], prefix, strlen(prefix)), 0);
		ck_assert_str_eq(array_str(r, "photo_urls_presigned", i),
				 tfmt("/images/%s", keys[i]));
		ck_assert(media_exists(keys[i]));
	}
	ck_assert_str_eq(keys[0] + strlen(keys[0]) - 4, ".png");
	ck_assert_str_eq(keys[1] + strlen(keys[1]) - 4, ".jpg");
	ck_assert_str_eq(post_field(id, "photo_urls"),
			 tfmt("[\"%s\",\"%s\"]", keys[0], keys[1]));
	/* the feed shows the same keys */
	r = get_ok(u, "/feed/");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(
		json_object_object_get(json_object_array_get_idx(r->json, 0),
				       "photo_urls"), 1)), keys[1]);
	before = media_files();
	ck_assert_int_eq(http("DELETE", tfmt("/posts/%ld", id), token_for(u),
			      NULL)->status, 204);
	ck_assert(!media_exists(keys[0]) && !media_exists(keys[1]));
	ck_assert_int_eq(media_files(), before - 2);
	for (i = 0; i < 2; i++) {
		free(keys[i]);
		free(imgs[i]);
	}
}
END_TEST

START_TEST(content_limit_counts_code_points)
{
	long u = fresh_user();
	char *text = malloc(4 * 1001 + 1);
	struct post_form f = { .content = text };
	int i;

	for (i = 0; i < 1000; i++)
		memcpy(text + 4 * i, "\xf0\x9f\x98\x80", 4);	/* U+1F600 */
	text[4000] = '\0';
	assert_json(create_post(token_for(u), &f), 201, NULL);
	memcpy(text + 4000, "!", 2);
	assert_json(create_post(token_for(u), &f), 400,
		    "content must be at most 1000 characters");
	free(text);
}
END_TEST

/* One refused create: its form, and the status and detail it gets. */
struct bad_create {
	const char *content, *audience, *tag_ids;
	int nphotos;
	int junk;		/* index of a photo that is no image, or -1 */
	long status;
	const char *detail;
};

START_TEST(bad_creates_change_nothing)
{
	long u = fresh_user(), other = fresh_user();
	long mine = fx_tag(u, "mine", "friends"), theirs = fx_tag(other, "t", "friends");
	static const unsigned char junk[] = "this is not an image at all";
	static char long_text[1002];
	const struct bad_create cases[] = {
		{ long_text, NULL, NULL, 0, -1, 400,
		  "content must be at most 1000 characters" },
		{ "", NULL, NULL, 0, -1, 400, "post needs text or a photo" },
		{ " \n\t ", NULL, NULL, 0, -1, 400, "post needs text or a photo" },
		{ "\xe3\x80\x80\xc2\xa0", NULL, NULL, 0, -1, 400,	/* U+3000 U+00A0 */
		  "post needs text or a photo" },
		{ NULL, NULL, NULL, 0, -1, 400, "post needs text or a photo" },
		{ "x", "public", NULL, 0, -1, 400,
		  "audience_type must be all, private or tags" },
		{ "x", "connections", NULL, 0, -1, 400,
		  "audience_type must be all, private or tags" },
		{ "x", "", NULL, 0, -1, 400,
		  "audience_type must be all, private or tags" },
		{ "x", "tags", NULL, 0, -1, 400,
		  "a post for tags needs at least one tag" },
		{ "x", "tags", " , ", 0, -1, 400,
		  "a post for tags needs at least one tag" },
		{ "x", "tags", "1,x", 0, -1, 400,
		  "audience_tag_ids must be comma-separated integers" },
		{ "x", "all", "1.5", 0, -1, 400,
		  "audience_tag_ids must be comma-separated integers" },
		{ "x", "tags", "99999999999", 0, -1, 400,
		  "audience_tag_ids must be comma-separated integers" },
		{ "x", "tags", tfmt("%ld", theirs), 0, -1, 400,
		  "audience tags must be existing tags of yours" },
		{ "x", "tags", tfmt("%ld,%ld", mine, theirs), 0, -1, 400,
		  "audience tags must be existing tags of yours" },
		{ "x", "tags", "2000000000", 0, -1, 400,
		  "audience tags must be existing tags of yours" },
		{ "x", NULL, NULL, 4, -1, 400, "too many parts named photos" },
		{ "", NULL, NULL, 1, 0, 400,
		  "photo validation failed: not a JPEG, PNG or WebP image" },
		{ "x", NULL, NULL, 3, 2, 400,
		  "photo validation failed: not a JPEG, PNG or WebP image" },
	};
	size_t len, i;
	unsigned char *png = fixture_image("png", 60, 60, &len);
	const char *before = post_rows();
	int files_before = media_files(), j;

	memset(long_text, 'a', 1001);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_create *c = &cases[i];
		const unsigned char *photos[4];
		size_t lens[4];
		struct post_form f = { c->content, c->audience, c->tag_ids, NULL,
				       photos, lens, c->nphotos };

		for (j = 0; j < 4; j++) {
			photos[j] = j == c->junk ? junk : png;
			lens[j] = j == c->junk ? sizeof(junk) : len;
		}
		assert_json(create_post(token_for(u), &f), c->status, c->detail);
	}
	ck_assert_str_eq(post_rows(), before);
	ck_assert_int_eq(media_files(), files_before);
	free(png);
}
END_TEST

START_TEST(bad_bodies_change_nothing)
{
	long u = fresh_user();
	const char *before = post_rows();
	struct http_req req = { .method = "POST", .path = "/posts/",
				.token = token_for(u) };

	/* JSON instead of a form */
	assert_json(http("POST", "/posts/", token_for(u), "{\"content\": \"x\"}"),
		    400, NULL);
	/* a form whose closing boundary never comes */
	req.content_type = "multipart/form-data; boundary=b";
	req.body = "--b\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nhi";
	assert_json(http_send(&req), 400, NULL);
	/* no boundary */
	req.content_type = "multipart/form-data";
	assert_json(http_send(&req), 400, NULL);
	/* content twice */
	req.content_type = "multipart/form-data; boundary=b";
	req.body = "--b\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nhi\r\n"
		   "--b\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nho\r\n"
		   "--b--\r\n";
	assert_json(http_send(&req), 400, "field content may appear only once");
	/* invalid UTF-8 */
	req.body = "--b\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\n\xff\xfe\r\n"
		   "--b--\r\n";
	assert_json(http_send(&req), 400, "content must be UTF-8 text");
	/* no token */
	assert_json(create_post(NULL, &(struct post_form){ .content = "x" }), 401, NULL);
	ck_assert_str_eq(post_rows(), before);
}
END_TEST

/*
 * A local date other than today's that the client may still send: just
 * after midnight tomorrow or just before midnight yesterday, whichever
 * lies within 14 h 15 min of now (one always does).
 */
static const char *neighbour_date_time(void)
{
	const char *today = utc_wallclock(0);
	int hour = atoi(today + 11), min = atoi(today + 14);
	double h = hour + min / 60.0;

	if (h >= 10.5)
		return tfmt("%.10sT00:10:00", utc_wallclock(86400));
	return tfmt("%.10sT23:50:00", utc_wallclock(-86400));
}

START_TEST(daily_limit_counts_the_posts_local_date)
{
	long u = fresh_user();
	const char *now = utc_wallclock(0), *other = neighbour_date_time();
	struct post_form f = { .content = "x", .client_timestamp = now };
	http_resp *r;
	int i;

	for (i = 0; i < 3; i++) {
		r = create_post(token_for(u), &f);
		assert_json(r, 201, NULL);
		ck_assert_str_eq(jstr(r, "created_at"), now);
	}
	assert_json(create_post(token_for(u), &f), 429,
		    "daily limit of 3 posts reached");
	f.client_timestamp = other;
	r = create_post(token_for(u), &f);
	assert_json(r, 201, NULL);
	ck_assert_str_eq(jstr(r, "created_at"), other);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM posts WHERE author_id = %ld",
				  u), 4);
}
END_TEST

START_TEST(client_clock_is_bounded_and_its_offset_dropped)
{
	long u = fresh_user();
	struct post_form f = { .content = "x" };
	http_resp *r;

	/* an offset is dropped: the written wall clock is kept (each time
	 * read once: a second may pass during the request) */
	const char *ahead = utc_wallclock(5 * 3600), *behind = utc_wallclock(-14 * 3600);

	f.client_timestamp = tfmt("%s.250+05:30", ahead);
	r = create_post(token_for(u), &f);
	assert_json(r, 201, NULL);
	ck_assert_str_eq(jstr(r, "created_at"), tfmt("%s.250000", ahead));
	f.client_timestamp = tfmt("%sZ", behind);
	r = create_post(token_for(u), &f);
	assert_json(r, 201, NULL);
	ck_assert_str_eq(jstr(r, "created_at"), behind);
	/* too far from now, or not a time: the server's clock */
	u = fresh_user();
	f.client_timestamp = "2020-01-01T10:00:00";
	r = create_post(token_for(u), &f);
	assert_json(r, 201, NULL);
	ck_assert_int_lt(seconds_from_now(jstr(r, "created_at")), 60);
	f.client_timestamp = utc_wallclock(15 * 3600);
	r = create_post(token_for(u), &f);
	assert_json(r, 201, NULL);
	ck_assert_int_lt(seconds_from_now(jstr(r, "created_at")), 60);
	f.client_timestamp = "tomorrow";
	r = create_post(token_for(u), &f);
	assert_json(r, 201, NULL);
	ck_assert_int_lt(seconds_from_now(jstr(r, "created_at")), 60);
}
END_TEST

/* Two creates at once for an author with two posts today: one wins. */
START_TEST(parallel_creates_never_pass_the_limit)
{
	int round;

	for (round = 0; round < 5; round++) {
		long u = fresh_user();
		const char *now = utc_wallclock(0);
		struct post_form f = { .content = "x", .client_timestamp = now };
		int status[2] = { 0, 0 }, i, created = 0, limited = 0;
		pid_t pid[2];

		fx_post(u, "all", tfmt("%s", now), NULL, "[]");
		fx_post(u, "all", tfmt("%s", now), NULL, "[]");
		for (i = 0; i < 2; i++) {
			pid[i] = fork();
			ck_assert(pid[i] >= 0);
			if (pid[i] == 0)
				_exit((int)(create_post(token_for(u), &f)->status / 10));
		}
		for (i = 0; i < 2; i++) {
			ck_assert(waitpid(pid[i], &status[i], 0) == pid[i]);
			created += WEXITSTATUS(status[i]) == 20;
			limited += WEXITSTATUS(status[i]) == 42;
		}
		ck_assert_int_eq(created, 1);
		ck_assert_int_eq(limited, 1);
		ck_assert_int_eq(sql_long("SELECT count(*) FROM posts WHERE"
					  " author_id = %ld", u), 3);
	}
}
END_TEST

/* ---- routes 12 and 13 ---- */

START_TEST(own_posts_and_a_members_posts)
{
	long u = fresh_user(), friend = fresh_user(), stranger = fresh_user();
	long p_all, p_private, ids[64];
	http_resp *r;
	int n;

	fx_connect(u, friend, "accepted");
	p_all = fx_post(u, "all", "2025-03-02 10:00", NULL, "[]");
	p_private = fx_post(u, "private", "2025-03-02 11:00", NULL, NULL);
	r = get_ok(u, "/posts/me");
	n = post_ids(r, NULL, ids, 64);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(ids[0], p_private);	/* newest first */
	ck_assert_int_eq(ids[1], p_all);
	ck_assert_int_eq(statement_count(r), 2);
	n = post_ids(get_ok(u, tfmt("/posts/user/%ld", u)), NULL, ids, 64);
	ck_assert_int_eq(n, 2);
	n = post_ids(get_ok(friend, tfmt("/posts/user/%ld", u)), NULL, ids, 64);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ids[0], p_all);
	n = post_ids(get_ok(stranger, tfmt("/posts/user/%ld", u)), NULL, ids, 64);
	ck_assert_int_eq(n, 0);
	/* paging */
	n = post_ids(get_ok(u, "/posts/me?limit=1&skip=1"), NULL, ids, 64);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ids[0], p_all);
	n = post_ids(get_ok(u, "/posts/me?before=2025-03-02T11:00:00"), NULL, ids, 64);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ids[0], p_all);
	n = post_ids(get_ok(u, tfmt("/posts/me?before=2025-03-02T11:00:00"
				    "&before_id=%ld", p_private + 1)), NULL, ids, 64);
	ck_assert_int_eq(n, 2);
	/* no such member; bad ids and paging */
	assert_json(http("GET", "/posts/user/2000000000", token_for(u), NULL),
		    404, "user not found");
	assert_json(http("GET", "/posts/user/abc", token_for(u), NULL), 422, NULL);
	assert_json(http("GET", "/posts/user/99999999999", token_for(u), NULL), 422, NULL);
	assert_json(http("GET", "/posts/me?limit=0", token_for(u), NULL), 422, NULL);
	assert_json(http("GET", "/posts/me?limit=101", token_for(u), NULL), 422, NULL);
	assert_json(http("GET", "/posts/me?skip=-1", token_for(u), NULL), 422, NULL);
	assert_json(http("GET", "/posts/me?before=soon", token_for(u), NULL), 422, NULL);
	assert_json(http("GET", "/posts/me?before_id=3", token_for(u), NULL), 422, NULL);
	assert_json(http("GET", "/posts/me", NULL, NULL), 401, NULL);
}
END_TEST

START_TEST(profile_statement_count_does_not_grow_with_the_page)
{
	long u = fresh_user(), v = fresh_user();
	int i;

	fx_connect(u, v, "accepted");
	for (i = 0; i < 60; i++)
		fx_comment(fx_post(u, i % 3 ? "all" : "private",
				   tfmt("2025-01-%02d %02d:00", 1 + i / 24, i % 24),
				   NULL, "[]"), v, "c");
	ck_assert_int_eq(statement_count(get_ok(v, tfmt("/posts/user/%ld?limit=1", u))),
			 statement_count(get_ok(v, tfmt("/posts/user/%ld?limit=50", u))));
	ck_assert_int_eq(statement_count(get_ok(v, tfmt("/posts/user/%ld", u))), 2);
	ck_assert_int_eq(statement_count(get_ok(u, "/posts/me?limit=1")), 2);
	ck_assert_int_eq(statement_count(get_ok(u, "/posts/me?limit=50")), 2);
}
END_TEST

/* ---- route 14 ---- */

START_TEST(delete_takes_everything_with_the_post)
{
	long u = fresh_user(), v = fresh_user(), w = fresh_user();
	long tag = fx_tag(u, "t", "friends"), tags[] = { tag, 0 };
	long p = fx_post(u, "tags", "2025-03-02 10:00", tags, "[]");
	long keep = fx_post(u, "all", "2025-03-02 11:00", NULL, "[]");
	long c = fx_comment(p, v, "c");
	http_resp *r;
	const char *before;

	fx_connect(u, v, "accepted");
	fx_tag_user(u, v, tag);
	fx_reply(c, w, "r");
	fx_reaction(p, v, "x");
	fx_notification(u, v, p, 0, "comment");
	fx_notification(v, w, p, c, "reply");
	fx_report(p, v, 0);
	fx_comment(keep, v, "stays");
	/* others may not, bad ids are refused, and none of it changes a thing */
	before = post_rows();
	assert_json(http("DELETE", tfmt("/posts/%ld", p), token_for(v), NULL),
		    403, "not your post");
	assert_json(http("DELETE", "/posts/abc", token_for(u), NULL), 422, NULL);
	assert_json(http("DELETE", "/posts/2000000000", token_for(u), NULL), 404,
		    "post not found");
	assert_json(http("DELETE", tfmt("/posts/%ld", p), NULL, NULL), 401, NULL);
	ck_assert_str_eq(post_rows(), before);

	r = http("DELETE", tfmt("/posts/%ld", p), token_for(u), "{}");
	ck_assert_int_eq(r->status, 204);
	ck_assert_int_eq(r->len, 0);
	ck_assert_int_eq(statement_count(r), 3);
	ck_assert_int_eq(sql_long(
		"SELECT (SELECT count(*) FROM posts WHERE id = %ld)"
		" + (SELECT count(*) FROM comments WHERE post_id = %ld)"
		" + (SELECT count(*) FROM replies WHERE comment_id = %ld)"
		" + (SELECT count(*) FROM reactions WHERE post_id = %ld)"
		" + (SELECT count(*) FROM notifications WHERE post_id = %ld)"
		" + (SELECT count(*) FROM reported_posts WHERE post_id = %ld)"
		" + (SELECT count(*) FROM post_audience_tags WHERE post_id = %ld)"
		" + (SELECT count(*) FROM post_stats WHERE post_id = %ld)",
		p, p, c, p, p, p, p, p), 0);
	ck_assert_int_eq(sql_long("SELECT comment_count FROM post_stats WHERE"
				  " post_id = %ld", keep), 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM tags WHERE id = %ld", tag), 1);
	assert_json(http("DELETE", tfmt("/posts/%ld", p), token_for(u), NULL), 404,
		    "post not found");
}
END_TEST

/* ---- route 15 ---- */

START_TEST(reports_need_a_visible_post_and_come_once)
{
	long u = fresh_user(), v = fresh_user(), stranger = fresh_user();
	long p = fx_post(u, "all", "2025-03-02 10:00", NULL, "[]");
	long secret = fx_post(u, "private", "2025-03-02 11:00", NULL, "[]");
	struct http_req req = { .method = "POST", .token = token_for(v) };
	http_resp *r;
	const char *before;

	fx_connect(u, v, "accepted");
	r = http("POST", tfmt("/posts/%ld/report", p), token_for(v),
		 "{\"reason\": null}");
	assert_json(r, 201, NULL);
	ck_assert_int_eq(statement_count(r), 3);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM reported_posts WHERE id = %lld"
				  " AND post_id = %ld AND reported_by_id = %ld"
				  " AND reason IS NULL AND resolved_at IS NULL",
				  jint(r, "report_id"), p, v), 1);
	before = post_rows();
	assert_json(http("POST", tfmt("/posts/%ld/report", p), token_for(v), "{}"),
		    400, "you have already reported this post");
	assert_json(http("POST", tfmt("/posts/%ld/report", secret), token_for(v), "{}"),
		    404, "post not found");
	assert_json(http("POST", tfmt("/posts/%ld/report", p), token_for(stranger), "{}"),
		    404, "post not found");
	assert_json(http("POST", "/posts/2000000000/report", token_for(v), "{}"),
		    404, "post not found");
	assert_json(http("POST", "/posts/x/report", token_for(v), "{}"), 422, NULL);
	assert_json(http("POST", tfmt("/posts/%ld/report", secret), token_for(u),
			 "{\"reason\": 5}"), 422, NULL);
	assert_json(http("POST", tfmt("/posts/%ld/report", secret), token_for(u),
			 "{\"why\": \"x\"}"), 422, NULL);
	assert_json(http("POST", tfmt("/posts/%ld/report", secret), token_for(u),
			 "[1]"), 422, NULL);
	ck_assert_str_eq(post_rows(), before);
	/* no body at all, and a reason; the author may report their own */
	req.path = tfmt("/posts/%ld/report", secret);
	req.token = token_for(u);
	assert_json(http_send(&req), 201, NULL);
	r = http("POST", tfmt("/posts/%ld/report", p), token_for(u),
		 "{\"reason\": \"spam \\u00e9\"}");
	assert_json(r, 201, NULL);
	ck_assert_str_eq(sql_str("SELECT reason FROM reported_posts WHERE id = %lld",
				 jint(r, "report_id")), "spam \xc3\xa9");
}
END_TEST

START_TEST(parallel_reports_are_filed_once)
{
	long u = fresh_user(), v = fresh_user();
	long p = fx_post(u, "all", "2025-03-02 10:00", NULL, "[]");
	pid_t pid[4];
	int i, status, created = 0;

	fx_connect(u, v, "accepted");
	for (i = 0; i < 4; i++) {
		pid[i] = fork();
		ck_assert(pid[i] >= 0);
		if (pid[i] == 0)
			_exit((int)(http("POST", tfmt("/posts/%ld/report", p),
					 token_for(v), "{}")->status / 10));
	}
	for (i = 0; i < 4; i++) {
		ck_assert(waitpid(pid[i], &status, 0) == pid[i]);
		created += WEXITSTATUS(status) == 20;
		ck_assert(WEXITSTATUS(status) == 20 || WEXITSTATUS(status) == 40);
	}
	ck_assert_int_eq(created, 1);
	ck_assert_int_eq(sql_long("SELECT count(*) FROM reported_posts WHERE"
				  " post_id = %ld", p), 1);
}
END_TEST

/* ---- route 16, banned callers ---- */

START_TEST(test_presigned_is_not_served)
{
	long u = fresh_user();

	assert_json(http("GET", "/posts/test-presigned/posts/photos/1/2/x.jpg",
			 token_for(u), NULL), 404, "Not Found");
	assert_json(http("GET", "/posts/test-presigned/x", NULL, NULL), 404,
		    "Not Found");
}
END_TEST

START_TEST(banned_members_are_refused_everywhere)
{
	long u = fresh_user();
	long p = fx_post(u, "all", "2025-03-02 10:00", NULL, "[]");
	const char *t = token_for(u);
	const char *before = post_rows();

	fx_ban(u);
	assert_json(create_post(t, &(struct post_form){ .content = "x" }), 403, NULL);
	assert_json(http("GET", "/posts/me", t, NULL), 403, NULL);
	assert_json(http("GET", tfmt("/posts/user/%ld", u), t, NULL), 403, NULL);
	assert_json(http("DELETE", tfmt("/posts/%ld", p), t, NULL), 403, NULL);
	assert_json(http("POST", tfmt("/posts/%ld/report", p), t, "{}"), 403, NULL);
	ck_assert_str_eq(post_rows(), before);
}
END_TEST

static Suite *posts_suite(void)
{
	Suite *s = suite_create("posts");
	TCase *tc = social_tcase("posts", 60);

	tcase_add_test(tc, text_post_has_the_whole_shape);
	tcase_add_test(tc, post_for_tags_dedupes_and_returns_its_tags);
	tcase_add_test(tc, photo_posts_store_and_delete_their_objects);
	tcase_add_test(tc, content_limit_counts_code_points);
	tcase_add_test(tc, bad_creates_change_nothing);
	tcase_add_test(tc, bad_bodies_change_nothing);
	tcase_add_test(tc, daily_limit_counts_the_posts_local_date);
	tcase_add_test(tc, client_clock_is_bounded_and_its_offset_dropped);
	tcase_add_test(tc, parallel_creates_never_pass_the_limit);
	tcase_add_test(tc, own_posts_and_a_members_posts);
	tcase_add_test(tc, profile_statement_count_does_not_grow_with_the_page);
	tcase_add_test(tc, delete_takes_everything_with_the_post);
	tcase_add_test(tc, reports_need_a_visible_post_and_come_once);
	tcase_add_test(tc, parallel_reports_are_filed_once);
	tcase_add_test(tc, test_presigned_is_not_served);
	tcase_add_test(tc, banned_members_are_refused_everywhere);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_run(posts_suite(), NULL);
}
