/*
 * Integration tests of photos and avatars through nginx: PUT
 * /auth/me/avatar (uploads, limits, bad bodies, replacing), GET /images
 * (the visibility matrix, key grammar, how bytes are served), storage
 * failures and `intentionalctl media gc`.
 *
 * Built twice: tests/check_media_local (STORAGE_BACKEND=local, files served
 * by nginx through X-Accel-Redirect) and tests/check_media_s3 (-DS3_BACKEND:
 * an S3-compatible server on loopback that verifies SigV4 signatures,
 * tests/s3rver.js; GET /images answers 302 to a presigned URL that the test
 * then fetches from that server).
 *
 * The test process loads the stack's own env file, so it reaches the same
 * storage through lib/storage.h to seed photos and to look at what was
 * stored.
 */
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "harness.h"
#include "media.h"
#include "media_fixtures.h"
#include "pgtest.h"
#include "storage.h"

#define BOUNDARY "----intentionalTestBoundary7MA4YWxk"

static struct arena *arena;	/* of the test process's own lib calls */

/* The stack's IMAGE_HELPER: a symlink to the build tree's helper, which
 * the helper failure test points elsewhere for a while. */
static char helper_dir[] = "/tmp/check_media_helperXXXXXX";
static char helper_link[64], *real_helper;

/* Replaces the symlink at once: a responder sees the old or the new one. */
static int point_helper_at(const char *target)
{
	char *tmp = arena_printf(arena, "%s.new", helper_link);

	unlink(tmp);
	return symlink(target, tmp) == 0 && rename(tmp, helper_link) == 0 ? 0 : -1;
}

/* ---- the S3 server (s3 build only) ---- */

#ifdef S3_BACKEND
static pid_t s3_pid;
static int s3_port;
static char s3_dir[] = "/tmp/check_media_s3XXXXXX";

/* Starts node tests/s3rver.js and reads the port it prints. */
static void s3rver_start(void)
{
	const char *src = getenv("TOP_SRCDIR") ? getenv("TOP_SRCDIR") : ".";
	char script[4096], line[64] = "";
	int fds[2];
	FILE *out;

	snprintf(script, sizeof(script), "%s/tests/node_modules/@20minutes/s3rver", src);
	if (access(script, R_OK) != 0) {
		fprintf(stderr, "skipped: %s is missing (.ci/run installs it)\n", script);
		exit(77);
	}
	snprintf(script, sizeof(script), "%s/tests/s3rver.js", src);
	if (mkdtemp(s3_dir) == NULL || pipe(fds) < 0)
		exit(99);
	s3_pid = fork();
	if (s3_pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execlp("node", "node", script, s3_dir, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	if (out == NULL || fgets(line, sizeof(line), out) == NULL ||
	    sscanf(line, "port %d", &s3_port) != 1) {
		fprintf(stderr, "s3rver did not start\n");
		exit(99);
	}
	fclose(out);
}

static void s3rver_stop(void)
{
	char cmd[128];

	if (s3_pid > 0 && kill(s3_pid, SIGTERM) == 0)
		waitpid(s3_pid, NULL, 0);
	s3_pid = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", s3_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", s3_dir);
}
#endif

/* ---- helpers ---- */

struct buf {
	char *data;
	size_t len;
};

#ifdef S3_BACKEND
static size_t append(char *p, size_t size, size_t n, void *userdata)
{
	struct buf *b = userdata;

	b->data = realloc(b->data, b->len + size * n + 1);
	memcpy(b->data + b->len, p, size * n);
	b->len += size * n;
	b->data[b->len] = '\0';
	return size * n;
}

/* A plain GET of an absolute URL (a presigned one); the status. */
static long fetch_url(const char *url, struct buf *body)
{
	CURL *h = curl_easy_init();
	long status = 0;

	memset(body, 0, sizeof(*body));
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	return status;
}
#endif

/*
 * GET /images/<key>?token=: the status the client ends with, following the
 * s3 backend's 302 to storage, and the bytes.  Checks the caching headers
 * of each backend on the way.
 */
static long get_image(const char *key, const char *token, struct buf *bytes)
{
	char path[512];
	http_resp *r;

	snprintf(path, sizeof(path), "/images/%s%s%s", key, token ? "?token=" : "",
		 token ? token : "");
	r = http("GET", path, NULL, NULL);
	memset(bytes, 0, sizeof(*bytes));
#ifdef S3_BACKEND
	if (r->status == 302) {
		ck_assert_str_eq(http_header(r, "Cache-Control"), "private, max-age=3600");
		ck_assert_ptr_nonnull(strstr(http_header(r, "Location"), "X-Amz-Signature="));
		return fetch_url(http_header(r, "Location"), bytes);
	}
#else
	if (r->status == 200) {
		ck_assert_str_eq(http_header(r, "Cache-Control"),
				 STORAGE_OBJECT_CACHE_CONTROL);
		ck_assert_ptr_null(http_header(r, "X-Accel-Redirect"));
		bytes->data = malloc(r->len + 1);
		memcpy(bytes->data, r->body, r->len);
		bytes->len = r->len;
	}
#endif
	return r->status;
}

/* Whether storage holds key (listing its directory, as gc does). */
static int list_match(const char *k, long age, void *ctx)
{
	(void)age;
	if (*(const char **)ctx != NULL && strcmp(k, *(const char **)ctx) == 0)
		*(const char **)ctx = NULL;
	return 0;
}

static int object_exists(const char *key)
{
	char *dir = arena_strdup(arena, key);
	const char *want = key;

	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(storage_list(arena, dir, list_match, &want), RES_OK);
	return want == NULL;
}

/* The text part name=value of a multipart body, for multipart_with(). */
#define TEXT_PART(name, value) "--" BOUNDARY "\r\nContent-Disposition:" \
	" form-data; name=\"" name "\"\r\n\r\n" value "\r\n"

/* A multipart body of the text parts (TEXT_PART()s), then one file part
 * (name, data). */
static char *multipart_with(const char *text_parts, const char *name,
			    const void *data, size_t len, size_t *out_len)
{
	const char *tail = "\r\n--" BOUNDARY "--\r\n";
	char h[512];
	int hn = snprintf(h, sizeof(h), "%s--" BOUNDARY "\r\nContent-Disposition:"
			  " form-data; name=\"%s\"; filename=\"blob\"\r\n"
			  "Content-Type: image/jpeg\r\n\r\n", text_parts, name);
	char *body = arena_alloc(arena, (size_t)hn + len + strlen(tail));

	memcpy(body, h, (size_t)hn);
	memcpy(body + hn, data, len);
	memcpy(body + hn + len, tail, strlen(tail));
	*out_len = (size_t)hn + len + strlen(tail);
	return body;
}

/* A multipart body with one file part (name, data) and a text part. */
static char *multipart_file(const char *name, const void *data, size_t len,
			    size_t *out_len)
{
	return multipart_with(TEXT_PART("note", "hello"), name, data, len,
			      out_len);
}

static http_resp *put_raw(const char *token, const char *ctype,
			  const char *body, size_t len)
{
	struct http_req req = { .method = "PUT", .path = "/auth/me/avatar",
				.token = token, .content_type = ctype,
				.body = body, .len = len };

	return http_send(&req);
}

static http_resp *put_avatar(const char *token, const void *data, size_t len)
{
	size_t n;
	char *body = multipart_file("avatar", data, len, &n);

	return put_raw(token, "multipart/form-data; boundary=" BOUNDARY, body, n);
}

static const char *avatar_of(long user)
{
	return sql_str("SELECT avatar_url FROM users WHERE id = %ld", user);
}

/* The stored key behind a User's mapped avatar_url "/images/<key>". */
static const char *key_of(http_resp *r)
{
	json_object *v;
	const char *url;

	ck_assert_ptr_nonnull(r->json);
	ck_assert(json_object_object_get_ex(r->json, "avatar_url", &v));
	url = json_object_get_string(v);
	ck_assert_int_eq(strncmp(url, "/images/", 8), 0);
	return arena_strdup(arena, url + 8);
}

static const char *detail_of(http_resp *r)
{
	json_object *v;

	ck_assert_ptr_nonnull(r->json);
	ck_assert(json_object_object_get_ex(r->json, "detail", &v));
	return json_object_get_string(v);
}

static void setup(void)
{
	char *env = arena_printf(arena = arena_new(), "%s/intentional.env",
				 harness_data_dir());

	ck_assert_int_eq(config_load(env), 0);
}

#ifndef S3_BACKEND
static char *full_dir;		/* the media dir while a full tmpfs covers it */

/* Takes the full tmpfs of the disk-full test away again. */
static void uncover(void)
{
	if (full_dir != NULL && umount2(full_dir, MNT_DETACH) == 0)
		full_dir = NULL;
}
#endif

static void teardown(void)
{
	point_helper_at(real_helper);	/* whatever a failed test left */
#ifndef S3_BACKEND
	uncover();
#endif
	harness_cleanup();
	config_free();
	arena_free(arena);
}

/* ---- uploads ---- */

START_TEST(avatar_upload_of_each_format)
{
	static const char *const fmt[] = { "jpg", "png", "webp" };
	long u = make_user("fmt");
	const char *t = token_for(u);
	int i;

	for (i = 0; i < 3; i++) {
		size_t len;
		unsigned char *img = fixture_image(fmt[i], 100, 60, &len);
		http_resp *r = put_avatar(t, img, len);
		const char *key;
		struct buf got;
		int w, h;

		ck_assert_int_eq(r->status, 200);
		key = key_of(r);
		ck_assert_str_eq(strrchr(key, '.') + 1, fmt[i]);
		ck_assert_str_eq(avatar_of(u), key);
		ck_assert_int_eq(get_image(key, t, &got), 200);
		ck_assert_int_eq(image_sniff(got.data, got.len), i);
		ck_assert_int_eq(fixture_size((unsigned char *)got.data, got.len, &w, &h), 0);
		ck_assert_int_eq(w, 100);
		free(got.data);
		free(img);
	}
}
END_TEST

START_TEST(gps_exif_is_not_stored)
{
	long u = make_user("gps");
	size_t len;
	unsigned char *jpeg = fixture_jpeg_with_exif(200, 100, 6, 1, &len);
	http_resp *r = put_avatar(token_for(u), jpeg, len);
	struct buf got;

	ck_assert(fixture_has_gps(jpeg, len));
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(get_image(key_of(r), token_for(u), &got), 200);
	ck_assert(got.len > 1000);
	ck_assert(!fixture_has_exif((unsigned char *)got.data, got.len));
	ck_assert(!fixture_has_gps((unsigned char *)got.data, got.len));
	free(got.data);
	free(jpeg);
}
END_TEST

/* Uploads an image as u's avatar and expects status (400: nothing changed). */
static void expect_upload(long u, const unsigned char *img, size_t len,
			  long status, const char *detail)
{
	const char *before = avatar_of(u);
	http_resp *r = put_avatar(token_for(u), img, len);

	ck_assert_msg(r->status == status, "%ld: %s", r->status, r->body);
	if (detail != NULL)
		ck_assert_str_eq(detail_of(r), detail);
	if (status != 200) {
		if (before == NULL)
			ck_assert_ptr_null(avatar_of(u));
		else
			ck_assert_str_eq(avatar_of(u), before);
	}
}

START_TEST(limits_just_under_and_over)
{
	static const struct { int w, h; long status; const char *detail; } px[] = {
		{ 1280, 60, 200, NULL },
		{ 1281, 60, 400, "avatar validation failed: width 1281 is over 1280" },
		{ 60, 720, 200, NULL },
		{ 60, 721, 400, "avatar validation failed: height 721 is over 720" },
		{ 50, 50, 200, NULL },
		{ 49, 50, 400, "avatar validation failed: width and height must be at least 50" },
		{ 50, 49, 400, "avatar validation failed: width and height must be at least 50" },
	};
	long u = make_user("limits");
	unsigned char *img;
	size_t i, len;

	for (i = 0; i < sizeof(px) / sizeof(px[0]); i++) {
		img = fixture_image("png", px[i].w, px[i].h, &len);
		expect_upload(u, img, len, px[i].status, px[i].detail);
		free(img);
	}
	img = fixture_jpeg_of_size(400, 300, 209715);
	expect_upload(u, img, 209715, 200, NULL);
	free(img);
	img = fixture_jpeg_of_size(400, 300, 209716);
	expect_upload(u, img, 209716, 400,
		      "avatar validation failed: file is larger than 209715 bytes");
	free(img);
}
END_TEST

START_TEST(bad_files_and_bodies_change_nothing)
{
	long u = make_user("badbody");
	const char *t = token_for(u);
	unsigned char fake[4096];
	size_t len, n;
	unsigned char *png = fixture_image("png", 80, 80, &len);
	char *body;
	http_resp *r;

	/* claims to be a JPEG (magic bytes, filename, Content-Type) but is not */
	memset(fake, 'x', sizeof(fake));
	memcpy(fake, "\xff\xd8\xff\xe0", 4);
	expect_upload(u, fake, sizeof(fake), 400,
		      "avatar validation failed: the image cannot be decoded");
	expect_upload(u, (const unsigned char *)"GIF89a....", 10, 400,
		      "avatar validation failed: not a JPEG, PNG or WebP image");
	/* a truncated multipart body: the closing boundary never comes */
	body = multipart_file("avatar", png, len, &n);
	r = put_raw(t, "multipart/form-data; boundary=" BOUNDARY, body, n - 30);
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(strstr(detail_of(r), "closing boundary"));
	/* a form without the avatar field */
	body = multipart_file("picture", png, len, &n);
	r = put_raw(t, "multipart/form-data; boundary=" BOUNDARY, body, n);
	ck_assert_int_eq(r->status, 422);
	/* not multipart at all, or no boundary */
	r = put_raw(t, "application/json", "{}", 2);
	ck_assert_int_eq(r->status, 400);
	r = put_raw(t, "multipart/form-data", body, n);
	ck_assert_int_eq(r->status, 400);
	/* a second avatar part */
	{
		static const char first[] = "--" BOUNDARY "\r\nContent-Disposition:"
			" form-data; name=\"avatar\"; filename=\"a.png\"\r\n\r\nxyz\r\n";
		char *two;

		body = multipart_file("avatar", png, len, &n);
		two = arena_alloc(arena, sizeof(first) - 1 + n);
		memcpy(two, first, sizeof(first) - 1);
		memcpy(two + sizeof(first) - 1, body, n);
		r = put_raw(t, "multipart/form-data; boundary=" BOUNDARY, two,
			    sizeof(first) - 1 + n);
	}
	ck_assert_int_eq(r->status, 400);
	ck_assert_str_eq(detail_of(r), "field avatar may appear only once");
	/* over MAX_BODY_BYTES (1 MiB in this stack) */
	body = arena_calloc(arena, 1, 1100000);
	r = put_raw(t, "multipart/form-data; boundary=" BOUNDARY, body, 1100000);
	ck_assert_int_eq(r->status, 413);
	/* no token */
	r = put_raw(NULL, "multipart/form-data; boundary=" BOUNDARY, body, 10);
	ck_assert_int_eq(r->status, 401);
	ck_assert_ptr_null(avatar_of(u));
	free(png);
}
END_TEST

START_TEST(replacing_an_avatar_deletes_the_old_object)
{
	long u = make_user("replace");
	size_t len;
	unsigned char *img = fixture_image("jpg", 120, 120, &len);
	http_resp *r = put_avatar(token_for(u), img, len);
	const char *first, *second;
	struct buf got;

	ck_assert_int_eq(r->status, 200);
	first = key_of(r);
	ck_assert(object_exists(first));
	r = put_avatar(token_for(u), img, len);
	ck_assert_int_eq(r->status, 200);
	second = key_of(r);
	ck_assert_str_ne(first, second);
	ck_assert(object_exists(second));
	ck_assert(!object_exists(first));
	ck_assert_int_eq(get_image(first, token_for(u), &got), 404);
	ck_assert_int_eq(get_image(second, token_for(u), &got), 200);
	free(got.data);
	free(img);
}
END_TEST

/* ---- serving: the visibility matrix ---- */

struct world {
	long author, tagged, untagged, stranger, banned;
	const char *key_tags, *key_all, *key_private, *avatar;
};

/* A post of author with one stored photo; returns the photo's key. */
static const char *photo_post(long author, const char *audience, long tag)
{
	long post = sql_long("INSERT INTO posts (author_id, content, created_at,"
			     " audience_type, photo_urls) VALUES (%ld, 'p', now(),"
			     " '%s', '[]') RETURNING id", author, audience);
	const char *key = media_new_key(arena, MEDIA_PHOTO, author, post, "jpg");
	size_t len;
	unsigned char *img = fixture_image("jpg", 64, 64, &len);

	ck_assert_int_eq(storage_put(arena, key, img, len, "image/jpeg"), RES_OK);
	free(img);
	sql_free(sql("UPDATE posts SET photo_urls = json_build_array('%s') WHERE id = %ld",
		     key, post));
	if (tag > 0)
		sql_free(sql("INSERT INTO post_audience_tags (post_id, tag_id)"
			     " VALUES (%ld, %ld)", post, tag));
	return key;
}

static void connect_users(long a, long b)
{
	sql_free(sql("INSERT INTO connections (status, created_at, user_a_id,"
		     " user_b_id, initiated_by_user_id) VALUES ('accepted', now(),"
		     " %ld, %ld, %ld)", a < b ? a : b, a < b ? b : a, a));
}

static void make_world(struct world *w, const char *tag)
{
	char name[32];
	long t;
	size_t len;
	unsigned char *img = fixture_image("png", 60, 60, &len);

	snprintf(name, sizeof(name), "%s_author", tag);
	w->author = make_user(name);
	snprintf(name, sizeof(name), "%s_tagged", tag);
	w->tagged = make_user(name);
	snprintf(name, sizeof(name), "%s_untagged", tag);
	w->untagged = make_user(name);
	snprintf(name, sizeof(name), "%s_stranger", tag);
	w->stranger = make_user(name);
	snprintf(name, sizeof(name), "%s_banned", tag);
	w->banned = make_user(name);
	connect_users(w->author, w->tagged);
	connect_users(w->author, w->untagged);
	connect_users(w->author, w->banned);
	sql_free(sql("UPDATE users SET is_banned = true WHERE id = %ld", w->banned));
	t = sql_long("INSERT INTO tags (owner_user_id, name, color_scheme, created_at)"
		     " VALUES (%ld, 'close', 'generic', now()) RETURNING id", w->author);
	sql_free(sql("INSERT INTO user_tags (owner_user_id, target_user_id, tag_id,"
		     " created_at) VALUES (%ld, %ld, %ld, now())", w->author,
		     w->tagged, t));
	w->key_tags = photo_post(w->author, "tags", t);
	w->key_all = photo_post(w->author, "all", 0);
	w->key_private = photo_post(w->author, "private", 0);
	ck_assert_int_eq(put_avatar(token_for(w->author), img, len)->status, 200);
	w->avatar = avatar_of(w->author);
	free(img);
}

static void expect_image(const char *key, const char *token, long status)
{
	struct buf got;
	long s = get_image(key, token, &got);

	ck_assert_msg(s == status, "%s with %s: %ld, expected %ld", key,
		      token ? token : "no token", s, status);
	if (status == 200)
		ck_assert_int_eq(image_sniff(got.data, got.len), strstr(key, ".png")
				 ? IMAGE_PNG : IMAGE_JPEG);
	free(got.data);
}

START_TEST(image_visibility_matrix)
{
	struct world w;
	const char *ta, *tt, *tu, *ts;
	const char *bad = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.AAAA";
	const char *keys[3];
	int i;

	make_world(&w, "vis");
	ta = token_for(w.author);
	tt = token_for(w.tagged);
	tu = token_for(w.untagged);
	ts = token_for(w.stranger);
	/* audience "tags": the author and the tagged connection only */
	expect_image(w.key_tags, ta, 200);
	expect_image(w.key_tags, tt, 200);
	expect_image(w.key_tags, tu, 404);
	expect_image(w.key_tags, ts, 404);
	/* audience "all": every connection, no stranger */
	expect_image(w.key_all, tu, 200);
	expect_image(w.key_all, tt, 200);
	expect_image(w.key_all, ts, 404);
	/* "private": the author only */
	expect_image(w.key_private, ta, 200);
	expect_image(w.key_private, tt, 404);
	expect_image(w.key_private, tu, 404);
	/* avatars: any member */
	expect_image(w.avatar, ts, 200);
	keys[0] = w.key_tags;
	keys[1] = w.key_all;
	keys[2] = w.avatar;
	for (i = 0; i < 3; i++) {
		expect_image(keys[i], NULL, 401);
		expect_image(keys[i], bad, 401);
		expect_image(keys[i], token_for(w.banned), 403);
	}
	/* the Authorization header works as well as ?token= */
	{
		char *path = arena_printf(arena, "/images/%s", w.key_all);

		ck_assert_int_ne(http("GET", path, tu, NULL)->status, 404);
		ck_assert_int_eq(http("GET", path, ts, NULL)->status, 404);
		ck_assert_int_eq(http("GET", path, NULL, NULL)->status, 401);
	}
}
END_TEST

START_TEST(keys_outside_the_grammar_are_not_found)
{
	struct world w;
	const char *ta;
	char *k, *p;
	size_t i;
	static const char *const bad[] = {
		"posts/photos/../../etc/passwd",
		"posts/photos/1/2/..%2F..%2F20250302_x.jpg",
		"posts%2Fphotos/1/2/20250302_0b9e6a47-5b7e-4c3a-9d2e-1f2a3b4c5d6e.jpg",
		"users/avatars//1/20250302_0b9e6a47-5b7e-4c3a-9d2e-1f2a3b4c5d6e.jpg",
		"users/avatars/1/20250302_0b9e6a47-5b7e-4c3a-9d2e-1f2a3b4c5d6e.jpg%2e",
		"users/avatars/1/20250302_0b9e6a47-5b7e-4c3a-9d2e-1f2a3b4c5d6e.jpg/",
		"etc/passwd",
		"_media/users/avatars/1/x.jpg",
	};

	make_world(&w, "grammar");
	ta = token_for(w.author);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_image(bad[i], ta, 404);
	/* a well-formed key of a real post that is not one of its photos */
	k = arena_strdup(arena, w.key_all);
	p = strrchr(k, '_') + 1;
	*p = *p == 'a' ? 'b' : 'a';
	expect_image(k, ta, 404);
	/* nginx never serves its internal location from outside */
	ck_assert_int_eq(http("GET", arena_printf(arena, "/_media/%s", w.key_all),
			      ta, NULL)->status, 404);
}
END_TEST

/* ---- garbage collection ---- */

static int ctl(const char *args)
{
	const char *b = getenv("TOP_BUILDDIR") ? getenv("TOP_BUILDDIR") : ".";
	char *cmd = arena_printf(arena, "%s/spawn/intentionalctl --env-file %s/intentional.env %s"
				 " >/dev/null 2>&1", b, harness_data_dir(), args);

	return WEXITSTATUS(system(cmd));
}

START_TEST(gc_deletes_only_what_no_row_names)
{
	struct world w;
	const char *orphan_photo, *orphan_avatar;

	make_world(&w, "gc");
	orphan_photo = media_new_key(arena, MEDIA_PHOTO, w.author, 999999, "jpg");
	orphan_avatar = media_new_key(arena, MEDIA_AVATAR, w.stranger, 0, "png");
	ck_assert_int_eq(storage_put(arena, orphan_photo, "x", 1, "image/jpeg"), RES_OK);
	ck_assert_int_eq(storage_put(arena, orphan_avatar, "x", 1, "image/png"), RES_OK);
	/* young objects are spared: an upload may still be committing */
	ck_assert_int_eq(ctl("media gc"), 0);
	ck_assert(object_exists(orphan_photo));
	ck_assert_int_eq(ctl("media gc --min-age 0 --dry-run"), 0);
	ck_assert(object_exists(orphan_photo));
	ck_assert_int_eq(ctl("media gc --min-age 0"), 0);
	ck_assert(!object_exists(orphan_photo));
	ck_assert(!object_exists(orphan_avatar));
	ck_assert(object_exists(w.key_tags));
	ck_assert(object_exists(w.key_private));
	ck_assert(object_exists(w.avatar));
	ck_assert_int_eq(ctl("media gc --min-age -1"), 2);
	ck_assert_int_eq(ctl("media"), 2);
}
END_TEST

/* ---- storage failures ---- */

#ifdef S3_BACKEND
START_TEST(signatures_are_checked_by_the_store)
{
	const char *key = media_new_key(arena, MEDIA_AVATAR, 1, 0, "png");
	struct storage_location loc;
	struct buf got;
	char *tampered;

	ck_assert_int_eq(storage_put(arena, key, "abc", 3, "image/png"), RES_OK);
	ck_assert_int_eq(storage_locate(arena, key, &loc), RES_OK);
	ck_assert_int_eq(fetch_url(loc.url, &got), 200);
	ck_assert_str_eq(got.data, "abc");
	free(got.data);
	/* a presigned URL whose signature was altered */
	tampered = arena_strdup(arena, loc.url);
	tampered[strlen(tampered) - 1] = tampered[strlen(tampered) - 1] == '0' ? '1' : '0';
	ck_assert_int_eq(fetch_url(tampered, &got), 403);
	free(got.data);
	/* the wrong secret: uploads and presigned URLs are refused */
	cfg.s3_secret_access_key = "not-the-secret";
	ck_assert_int_eq(storage_put(arena, key, "abc", 3, "image/png"), RES_UNAVAILABLE);
	ck_assert_int_eq(storage_locate(arena, key, &loc), RES_OK);
	ck_assert_int_eq(fetch_url(loc.url, &got), 403);
	free(got.data);
}
END_TEST
#endif

static int count_object(const char *k, long age, void *ctx)
{
	(void)k;
	(void)age;
	++*(int *)ctx;
	return 0;
}

/* Children of the main service's responders (a zombie included). */
static int responder_children(void)
{
	pid_t pids[8];
	int n = harness_responders(MAIN_SERVICE, pids, 8), i, found = 0;
	char *out = NULL;

	for (i = 0; i < n; i++) {
		char *ppid = arena_printf(arena, "%d", (int)pids[i]);
		char *argv[] = { "pgrep", "-P", ppid, NULL };

		found += pgtest_run(argv, &out) == 0;
		free(out);
	}
	return found;
}

/*
 * The image helper missing, hanging or crashing: 503 "image processing
 * unavailable" within IMAGE_TIMEOUT_MS (2 s here), nothing stored, the
 * avatar unchanged, no child left to a responder; and uploads work again
 * once the helper is back.
 */
START_TEST(helper_failures_give_503_and_store_nothing)
{
	const char *const helpers[] = {
		"/nonexistent/intentional-image",
		harness_keep(pgtest_srcpath("tests/image-helper-hang")),
		harness_keep(pgtest_srcpath("tests/image-helper-crash")),
	};
	long u = make_user("helper");
	size_t len, i;
	unsigned char *img = fixture_image("jpg", 80, 80, &len);
	char *dir = arena_printf(arena, "%s/%ld", cfg.avatar_prefix, u);
	struct timespec t0, t1;
	http_resp *r;
	int stored = 0;

	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		ck_assert_int_eq(point_helper_at(helpers[i]), 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = put_avatar(token_for(u), img, len);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ck_assert_msg(r->status == 503, "%s: %ld", helpers[i], r->status);
		ck_assert_str_eq(detail_of(r), "image processing unavailable");
		ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 4);
		ck_assert_ptr_null(avatar_of(u));
		ck_assert_int_eq(storage_list(arena, dir, count_object, &stored), RES_OK);
		ck_assert_int_eq(stored, 0);
		ck_assert_int_eq(responder_children(), 0);
	}
	ck_assert_int_eq(point_helper_at(real_helper), 0);
	ck_assert_int_eq(put_avatar(token_for(u), img, len)->status, 200);
	free(img);
}
END_TEST

#ifndef S3_BACKEND
/* Covers dir with a tmpfs of its owner and mode, filled up: every write
 * then fails with ENOSPC, as on a full disk.  0, or -1 when this process
 * may not mount (not root, or a container without CAP_SYS_ADMIN). */
static int cover_with_full_tmpfs(char *dir)
{
	struct stat st;
	char opts[128], *filler = arena_printf(arena, "%s/filler", dir);
	static const char zeros[65536];
	FILE *f;

	ck_assert_int_eq(stat(dir, &st), 0);
	snprintf(opts, sizeof(opts), "size=256k,mode=%o,uid=%d,gid=%d",
		 (unsigned)(st.st_mode & 07777), (int)st.st_uid, (int)st.st_gid);
	if (mount("tmpfs", dir, "tmpfs", 0, opts) < 0) {
		ck_assert_msg(errno == EPERM, "mount: %s", strerror(errno));
		return -1;
	}
	full_dir = dir;
	f = fopen(filler, "w");
	ck_assert_ptr_nonnull(f);
	while (fwrite(zeros, 1, sizeof(zeros), f) == sizeof(zeros))
		;
	fclose(f);
	return 0;
}

/* Files under dir (recursively), but the filler. */
static int files_under(const char *dir)
{
	char *argv[] = { "find", (char *)dir, "-type", "f", "!", "-name",
			 "filler", NULL };
	char *out = NULL;
	int n = 0;
	const char *p;

	ck_assert_int_eq(pgtest_run(argv, &out), 0);
	for (p = out; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	free(out);
	return n;
}

/*
 * Disk full (a full tmpfs over MEDIA_DIR): an avatar and a photo post
 * answer 507, no row changes, no file (not even a temporary one) is left,
 * and uploads work again once there is room.
 */
START_TEST(disk_full_gives_507_and_changes_nothing)
{
	long u = make_user("full");
	size_t len, n;
	unsigned char *img = fixture_image("jpg", 80, 80, &len);
	char *dir = arena_printf(arena, "%s/media", harness_data_dir());
	char *post = multipart_with(TEXT_PART("content", "a full disk")
				    TEXT_PART("audience_type", "all"),
				    "photos", img, len, &n);
	struct http_req req = { .method = "POST", .path = "/posts/",
				.token = token_for(u), .body = post, .len = n,
				.content_type = "multipart/form-data; boundary="
						BOUNDARY };
	http_resp *r;

	if (cover_with_full_tmpfs(dir) < 0) {
		fputs("disk_full_gives_507_and_changes_nothing: may not mount"
		      " a tmpfs (root only); not run\n", stderr);
		free(img);
		return;
	}
	r = put_avatar(token_for(u), img, len);
	ck_assert_int_eq(r->status, 507);
	ck_assert_str_eq(detail_of(r), "storage is full");
	ck_assert_ptr_null(avatar_of(u));
	r = http_send(&req);
	ck_assert_int_eq(r->status, 507);
	ck_assert_str_eq(detail_of(r), "storage is full");
	ck_assert_int_eq(sql_long("SELECT count(*) FROM posts WHERE author_id = %ld",
				  u), 0);
	ck_assert_int_eq(files_under(dir), 0);
	ck_assert_int_eq(unlink(arena_printf(arena, "%s/filler", dir)), 0);
	ck_assert_int_eq(put_avatar(token_for(u), img, len)->status, 200);
	ck_assert_int_eq(http_send(&req)->status, 201);
	ck_assert_int_eq(files_under(dir), 2);
	uncover();
	free(img);
}
END_TEST
#endif

/*
 * Storage down: the upload answers 503 and the database is unchanged.  The
 * s3 build stops its S3 server for good, so this test runs last.
 */
START_TEST(storage_down_gives_503_and_changes_nothing)
{
	long u = make_user("down");
	size_t len;
	unsigned char *img = fixture_image("jpg", 80, 80, &len);
	http_resp *r;
#ifdef S3_BACKEND
	kill(s3_pid, SIGTERM);
	usleep(300000);
#else
	char *dir = arena_printf(arena, "%s/media", harness_data_dir());
	char *moved = arena_printf(arena, "%s.away", dir);
	FILE *f;

	/* a regular file where the media directory was */
	ck_assert_int_eq(rename(dir, moved), 0);
	f = fopen(dir, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
#endif
	r = put_avatar(token_for(u), img, len);
	ck_assert_int_eq(r->status, 503);
	ck_assert_str_eq(detail_of(r), "storage unavailable");
	ck_assert_ptr_null(avatar_of(u));
#ifndef S3_BACKEND
	ck_assert_int_eq(unlink(dir), 0);
	ck_assert_int_eq(rename(moved, dir), 0);
	ck_assert_int_eq(put_avatar(token_for(u), img, len)->status, 200);
#endif
	free(img);
}
END_TEST

static Suite *media_http_suite(void)
{
	Suite *s = suite_create("media_http");
	TCase *tc = tcase_create("media");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, avatar_upload_of_each_format);
	tcase_add_test(tc, gps_exif_is_not_stored);
	tcase_add_test(tc, limits_just_under_and_over);
	tcase_add_test(tc, bad_files_and_bodies_change_nothing);
	tcase_add_test(tc, replacing_an_avatar_deletes_the_old_object);
	tcase_add_test(tc, image_visibility_matrix);
	tcase_add_test(tc, keys_outside_the_grammar_are_not_found);
	tcase_add_test(tc, gc_deletes_only_what_no_row_names);
#ifdef S3_BACKEND
	tcase_add_test(tc, signatures_are_checked_by_the_store);
#endif
	tcase_add_test(tc, helper_failures_give_503_and_store_nothing);
#ifndef S3_BACKEND
	tcase_add_test(tc, disk_full_gives_507_and_changes_nothing);
#endif
	tcase_add_test(tc, storage_down_gives_503_and_changes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	const char *settings[10];
	char endpoint[64], helper_setting[96];
	int status, n = 0;

	settings[n++] = "MAX_BODY_BYTES=1048576";
	real_helper = pgtest_buildpath("fcgi/intentional-image");
	if (mkdtemp(helper_dir) == NULL)
		return 99;
	snprintf(helper_link, sizeof(helper_link), "%s/intentional-image", helper_dir);
	snprintf(helper_setting, sizeof(helper_setting), "IMAGE_HELPER=%s", helper_link);
	if (symlink(real_helper, helper_link) != 0)
		return 99;
	settings[n++] = helper_setting;
	settings[n++] = "IMAGE_TIMEOUT_MS=2000";
#ifdef S3_BACKEND
	s3rver_start();
	snprintf(endpoint, sizeof(endpoint), "R2_ENDPOINT_URL=http://127.0.0.1:%d",
		 s3_port);
	settings[n++] = "STORAGE_BACKEND=s3";
	settings[n++] = endpoint;
	settings[n++] = "R2_ACCESS_KEY_ID=S3RVER";
	settings[n++] = "R2_SECRET_ACCESS_KEY=S3RVER";
	settings[n++] = "R2_BUCKET_NAME=media";
#else
	(void)endpoint;
#endif
	settings[n] = NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	status = harness_run(media_http_suite(), settings);
	unlink(helper_link);
	rmdir(helper_dir);
	free(real_helper);
#ifdef S3_BACKEND
	s3rver_stop();
#endif
	curl_global_cleanup();
	return status;
}
