/*
 * Unit tests of the media pieces of lib/ that need no database: SigV4
 * presigning against AWS's published example, the key grammar, image
 * checks and cleaning through the image helper of the build tree (with
 * images made here by libvips), the helper's failures, and the local
 * storage backend in a temporary directory.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "image.h"
#include "media.h"
#include "media_fixtures.h"
#include "sigv4.h"
#include "storage.h"

#define SECRET "test-secret-key-with-at-least-32-characters!"
#define UUID "0b9e6a47-5b7e-4c3a-9d2e-1f2a3b4c5d6e"

#define PREFIX "photo validation failed: "

static struct arena *arena;

/* $TOP_BUILDDIR or $TOP_SRCDIR (make check sets both) joined with rel. */
static const char *tree_path(const char *var, const char *rel)
{
	const char *top = getenv(var);

	return arena_printf(arena, "%s/%s", top != NULL ? top : ".", rel);
}

static void setup(void)
{
	arena = arena_new();
	setenv("SECRET_KEY", SECRET, 1);
	setenv("IMAGE_HELPER", tree_path("TOP_BUILDDIR", "fcgi/intentional-image"), 1);
	ck_assert_int_eq(config_load(NULL), 0);
}

static void teardown(void)
{
	arena_free(arena);
	config_free();
}

/*
 * The example of "Authenticating Requests: Using Query Parameters (AWS
 * Signature Version 4)" in the Amazon S3 API reference: GET /test.txt of
 * examplebucket, 24 May 2013, us-east-1, valid 86400 seconds.
 */
START_TEST(presigned_url_matches_the_aws_example)
{
	struct sigv4_presign p = {
		.host = "examplebucket.s3.amazonaws.com",
		.path = "/test.txt",
		.region = "us-east-1",
		.access_key = "AKIAIOSFODNN7EXAMPLE",
		.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		.now = 1369353600,	/* 20130524T000000Z */
		.expires = 86400,
		.cache_control = NULL,
	};
	const char *sig, *q = sigv4_presign_query(arena, &p, &sig);

	ck_assert_str_eq(sig, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
	ck_assert_str_eq(q, "X-Amz-Algorithm=AWS4-HMAC-SHA256"
			 "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
			 "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
			 "&X-Amz-SignedHeaders=host"
			 "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
	/* the cache override is signed too, so it changes the signature */
	p.cache_control = STORAGE_OBJECT_CACHE_CONTROL;
	q = sigv4_presign_query(arena, &p, &sig);
	ck_assert_str_ne(sig, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
	ck_assert_ptr_nonnull(strstr(q, "&response-cache-control=private%2C%20max-age%3D31536000%2C%20immutable&"));
	ck_assert_str_eq(sigv4_uri_encode(arena, "a b/c~d_e.f-g+h%", 1),
			 "a%20b/c~d_e.f-g%2Bh%25");
	ck_assert_str_eq(sigv4_uri_encode(arena, "a/b", 0), "a%2Fb");
}
END_TEST

START_TEST(keys_follow_the_grammar)
{
	static const char *const bad[] = {
		"", "posts/photos", "posts/photos/7/42/", "/posts/photos/7/42/20250302_" UUID ".jpg",
		"posts/photos/7/20250302_" UUID ".jpg",
		"posts/photos/7/42/1/20250302_" UUID ".jpg",
		"posts/photos/07/42/20250302_" UUID ".jpg",
		"posts/photos/-7/42/20250302_" UUID ".jpg",
		"posts/photos/7/99999999999/20250302_" UUID ".jpg",
		"posts/photos/7/42/../42/20250302_" UUID ".jpg",
		"posts/photos/7/42/20250302_" UUID ".jpg/..",
		"posts/photos/7//42/20250302_" UUID ".jpg",
		"posts/photos/7/42/20250302_" UUID ".jpeg",
		"posts/photos/7/42/20250302_" UUID ".gif",
		"posts/photos/7/42/20250302_" UUID ".jpg\n",
		"posts/photos/7/42/2025030_" UUID ".jpg",
		"posts/photos/7/42/20250302_0B9E6A47-5b7e-4c3a-9d2e-1f2a3b4c5d6e.jpg",
		"posts/photos/7/42/20250302_0b9e6a475b7e4c3a9d2e1f2a3b4c5d6e.jpg",
		"posts/photos/7/42/20250302_" UUID "x.jpg",
		"posts/photos/7/42/20250302%2F_" UUID ".jpg",
		"posts/photos/7/42\\20250302_" UUID ".jpg",
		"posts/photosX/7/42/20250302_" UUID ".jpg",
		"users/avatars/7/42/20250302_" UUID ".png",
		"users/avatars/7/20250302_" UUID ".png/",
		"other/7/20250302_" UUID ".png",
	};
	struct media_key k;
	size_t i;

	ck_assert_int_eq(media_key_parse("posts/photos/7/42/20250302_" UUID ".jpg", &k), 0);
	ck_assert_int_eq(k.kind, MEDIA_PHOTO);
	ck_assert_int_eq(k.owner_id, 7);
	ck_assert_int_eq(k.post_id, 42);
	ck_assert_int_eq(media_key_parse("users/avatars/12/20250302_" UUID ".webp", &k), 0);
	ck_assert_int_eq(k.kind, MEDIA_AVATAR);
	ck_assert_int_eq(k.owner_id, 12);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(media_key_parse(bad[i], &k) < 0, "accepted %s", bad[i]);
	ck_assert_int_eq(media_key_parse(NULL, &k), -1);
	ck_assert(!storage_key_safe("../etc/passwd"));
	ck_assert(!storage_key_safe("a/.hidden"));
	ck_assert(!storage_key_safe("a b"));
	ck_assert(storage_key_safe("posts/photos/x.jpg"));
}
END_TEST

START_TEST(new_keys_parse_back)
{
	const char *a = media_new_key(arena, MEDIA_PHOTO, 7, 42, "png");
	const char *b = media_new_key(arena, MEDIA_PHOTO, 7, 42, "png");
	const char *c = media_new_key(arena, MEDIA_AVATAR, 9, 0, "webp");
	struct media_key k;

	ck_assert_int_eq(media_key_parse(a, &k), 0);
	ck_assert_int_eq(k.post_id, 42);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(a[strlen("posts/photos/7/42/20250302_") + 14], '4');
	ck_assert_int_eq(media_key_parse(c, &k), 0);
	ck_assert_int_eq(k.kind, MEDIA_AVATAR);
	ck_assert_int_eq(k.owner_id, 9);
}
END_TEST

/* Processes data in the helper, expecting RES_OK; the cleaned image. */
static struct image process_ok(const unsigned char *data, size_t len)
{
	struct image img;

	ck_assert_msg(media_prepare(arena, "photo", data, len, len, &img) == RES_OK,
		      "refused: %s", fail_detail());
	return img;
}

/* The reason media_prepare() gives for refusing, without its prefix. */
static const char *refusal(const unsigned char *data, size_t len, size_t size)
{
	struct image img;

	ck_assert_int_eq(media_prepare(arena, "photo", data, len, size, &img),
			 RES_BAD_REQUEST);
	ck_assert_int_eq(strncmp(fail_detail(), PREFIX, strlen(PREFIX)), 0);
	return fail_detail() + strlen(PREFIX);
}

START_TEST(each_format_is_accepted_and_kept)
{
	static const char *const fmt[] = { "jpg", "png", "webp" };
	static const char *const type[] = { "image/jpeg", "image/png", "image/webp" };
	int i, w, h;

	for (i = 0; i < 3; i++) {
		size_t len;
		unsigned char *data = fixture_image(fmt[i], 120, 80, &len);
		struct image img = process_ok(data, len);

		ck_assert_str_eq(img.ext, fmt[i]);
		ck_assert_str_eq(img.content_type, type[i]);
		ck_assert_int_eq(image_sniff(img.data, img.len), i);
		ck_assert_int_eq(fixture_size(img.data, img.len, &w, &h), 0);
		ck_assert_int_eq(w, 120);
		ck_assert_int_eq(h, 80);
		free(data);
	}
}
END_TEST

START_TEST(dimension_limits_just_under_and_over)
{
	static const struct { int w, h, ok; const char *why; } cases[] = {
		{ 1280, 50, 1, NULL }, { 1281, 50, 0, "width 1281 is over 1280" },
		{ 50, 720, 1, NULL }, { 50, 721, 0, "height 721 is over 720" },
		{ 50, 50, 1, NULL }, { 49, 60, 0, "width and height must be at least 50" },
		{ 60, 49, 0, "width and height must be at least 50" },
	};
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *data = fixture_image("png", cases[i].w, cases[i].h, &len);

		if (cases[i].ok)
			process_ok(data, len);
		else
			ck_assert_str_eq(refusal(data, len, len), cases[i].why);
		free(data);
	}
}
END_TEST

START_TEST(byte_limit_just_under_and_over)
{
	unsigned char *at = fixture_jpeg_of_size(400, 300, 209715);
	unsigned char *over = fixture_jpeg_of_size(400, 300, 209716);

	ck_assert_ptr_nonnull(at);
	ck_assert_ptr_nonnull(over);
	process_ok(at, 209715);
	ck_assert_str_eq(refusal(over, 209716, 209716),
			 "file is larger than 209715 bytes");
	/* a multipart part cut at the limit: size tells, not the kept bytes */
	ck_assert_str_eq(refusal(at, 209715, 300000),
			 "file is larger than 209715 bytes");
	free(at);
	free(over);
}
END_TEST

START_TEST(content_decides_not_names)
{
	size_t len;
	unsigned char *png = fixture_image("png", 100, 100, &len);
	unsigned char fake[200];
	char gif[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";

	/* claims to be JPEG (magic bytes) but is not */
	memset(fake, 'x', sizeof(fake));
	memcpy(fake, "\xff\xd8\xff\xe0", 4);
	ck_assert_str_eq(refusal(fake, sizeof(fake), sizeof(fake)),
			 "the image cannot be decoded");
	ck_assert_str_eq(refusal((const unsigned char *)"hello", 5, 5),
			 "not a JPEG, PNG or WebP image");
	ck_assert_str_eq(refusal((const unsigned char *)gif, sizeof(gif), sizeof(gif)),
			 "not a JPEG, PNG or WebP image");
	/* a truncated PNG is refused, not padded with grey */
	ck_assert_str_eq(refusal(png, len / 2, len / 2), "the image cannot be decoded");
	free(png);
}
END_TEST

START_TEST(metadata_is_stripped_and_orientation_applied)
{
	size_t len;
	unsigned char *jpeg = fixture_jpeg_with_exif(120, 80, 6, 1, &len);
	struct image img;
	int w, h;

	ck_assert(fixture_has_exif(jpeg, len));
	ck_assert(fixture_has_gps(jpeg, len));
	img = process_ok(jpeg, len);
	ck_assert(!fixture_has_exif(img.data, img.len));
	ck_assert(!fixture_has_gps(img.data, img.len));
	/* orientation 6 (rotate 90 degrees clockwise) turns 120x80 upright */
	ck_assert_int_eq(fixture_size(img.data, img.len, &w, &h), 0);
	ck_assert_int_eq(w, 80);
	ck_assert_int_eq(h, 120);
	free(jpeg);
}
END_TEST

/*
 * Runs the helper on data with args as its command line; its exit status,
 * and in head the first line of its stdout ("" if none).
 */
static int run_helper(const void *data, size_t len, const char *args,
		      char *head, int n)
{
	char in[] = "/tmp/check_media_inXXXXXX";
	int fd = mkstemp(in), status;
	char rest[4096];
	FILE *f;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	f = popen(arena_printf(arena, "%s %s <%s 2>/dev/null", cfg.image_helper,
			       args, in), "r");
	ck_assert_ptr_nonnull(f);
	if (fgets(head, n, f) == NULL)
		head[0] = '\0';
	while (fread(rest, 1, sizeof(rest), f) > 0)
		;
	status = pclose(f);
	unlink(in);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* What the responder never sends (it checks size and format itself) and
 * what it reads back: the exit statuses and header line of lib/image.h. */
START_TEST(helper_answers_with_its_exit_status)
{
	size_t len, wide_len;
	unsigned char *png = fixture_image("png", 120, 80, &len);
	unsigned char *wide = fixture_image("png", 1300, 60, &wide_len);
	unsigned char *over = fixture_jpeg_of_size(400, 300, 209716);
	const char *limits = "209715 1280 720 50";
	char head[64];

	ck_assert_int_eq(run_helper(png, len, limits, head, sizeof(head)), IMAGE_ACCEPTED);
	ck_assert_int_eq(strncmp(head, "120 80 ", 7), 0);
	ck_assert_int_eq(run_helper(wide, wide_len, limits, head, sizeof(head)),
			 IMAGE_TOO_WIDE);
	ck_assert_str_eq(head, "1300 60 0\n");
	ck_assert_int_eq(run_helper(png, len / 2, limits, head, sizeof(head)),
			 IMAGE_UNDECODABLE);
	ck_assert_int_eq(run_helper("hello", 5, limits, head, sizeof(head)),
			 IMAGE_NOT_AN_IMAGE);
	ck_assert_str_eq(head, "");
	ck_assert_int_eq(run_helper(over, 209716, limits, head, sizeof(head)),
			 IMAGE_TOO_LARGE);
	ck_assert_int_eq(run_helper(png, len, "209715 1280 720", head, sizeof(head)), 2);
	ck_assert_int_eq(run_helper(png, len, "0 1280 720 50", head, sizeof(head)), 2);
	free(png);
	free(wide);
	free(over);
}
END_TEST

/* The detail every failure of the helper answers with, and no child of
 * ours left behind, not even a zombie. */
static void assert_unavailable_and_reaped(const unsigned char *data, size_t len)
{
	struct image img;

	ck_assert_int_eq(media_prepare(arena, "photo", data, len, len, &img),
			 RES_UNAVAILABLE);
	ck_assert_str_eq(fail_detail(), "image processing unavailable");
	errno = 0;
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

START_TEST(helper_failures_are_503_and_leave_no_child)
{
	const char *const helpers[] = {
		"/nonexistent/intentional-image",			/* missing */
		tree_path("TOP_SRCDIR", "tests/image-helper-crash"),	/* SIGSEGV */
		"/bin/false",		/* exit status 1: could not process */
		"/bin/true",		/* accepted, but no answer */
		tree_path("TOP_SRCDIR", "tests/check_media.c"), /* not executable */
	};
	size_t len, i;
	unsigned char *png = fixture_image("png", 120, 80, &len);

	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		cfg.image_helper = helpers[i];
		assert_unavailable_and_reaped(png, len);
	}
	free(png);
}
END_TEST

/*
 * A helper that never answers is killed at IMAGE_TIMEOUT_MS with all it
 * started: the script's own child, orphaned, comes to this process (a
 * subreaper) already killed by SIGKILL.
 */
START_TEST(a_hanging_helper_is_killed_at_the_timeout)
{
	size_t len;
	unsigned char *png = fixture_image("png", 120, 80, &len);
	struct timespec t0, t1;
	double took;
	int status, orphans = 0, tries;
	pid_t p;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	cfg.image_helper = tree_path("TOP_SRCDIR", "tests/image-helper-hang");
	cfg.image_timeout_ms = 1000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(media_prepare(arena, "photo", png, len, len,
				       &(struct image){ 0 }), RES_UNAVAILABLE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(took >= 1.0 && took < 3.0, "gave up after %.2f s", took);
	ck_assert_str_eq(fail_detail(), "image processing unavailable");
	for (tries = 0; tries < 200; tries++) {
		p = waitpid(-1, &status, WNOHANG);
		if (p < 0)
			break;		/* ECHILD: none left */
		if (p == 0) {
			usleep(10000);
			continue;
		}
		ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		orphans++;
	}
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(orphans, 1);	/* sleep 600 */
	free(png);
}
END_TEST

struct listing {
	int n;
	char keys[8][128];
};

static int collect_key(const char *key, long age, void *ctx)
{
	struct listing *l = ctx;

	ck_assert_int_ge(age, 0);
	if (l->n < 8)
		snprintf(l->keys[l->n++], sizeof(l->keys[0]), "%s", key);
	return 0;
}

START_TEST(local_storage_writes_lists_serves_and_deletes)
{
	char dir[] = "/tmp/check_media_XXXXXX";
	const char *key = "posts/photos/7/42/20250302_" UUID ".jpg";
	struct storage_location loc;
	struct listing l = { 0 };
	char *path;
	FILE *f;
	char buf[16] = "";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("MEDIA_DIR", dir, 1);
	ck_assert_int_eq(config_load(NULL), 0);
	ck_assert_int_eq(storage_put(arena, key, "bytes", 5, "image/jpeg"), RES_OK);
	path = arena_printf(arena, "%s/%s", dir, key);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "bytes");
	ck_assert_int_eq(storage_locate(arena, key, &loc), RES_OK);
	ck_assert_str_eq(loc.accel_path, "/_media/posts/photos/7/42/20250302_" UUID ".jpg");
	ck_assert_ptr_null(loc.url);
	ck_assert_int_eq(storage_list(arena, "posts/photos", collect_key, &l), RES_OK);
	ck_assert_int_eq(l.n, 1);
	ck_assert_str_eq(l.keys[0], key);
	ck_assert_int_eq(storage_list(arena, "users/avatars", collect_key, &l), RES_OK);
	ck_assert_int_eq(l.n, 1);
	/* unsafe keys never touch the disk */
	ck_assert_int_eq(storage_put(arena, "../escape", "x", 1, NULL), RES_NOT_FOUND);
	ck_assert_int_eq(storage_delete(arena, "/etc/passwd"), RES_NOT_FOUND);
	ck_assert_int_eq(storage_delete(arena, key), RES_OK);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(storage_delete(arena, key), RES_OK);	/* already gone */
	/* a directory that cannot be written: 503, and no file left behind */
	chmod(dir, 0500);
	if (geteuid() != 0)
		ck_assert_int_eq(storage_put(arena, "users/avatars/1/20250302_" UUID ".png",
					     "x", 1, "image/png"), RES_UNAVAILABLE);
	chmod(dir, 0700);
	setenv("MEDIA_DIR", "/dev/null/not-a-dir", 1);
	ck_assert_int_eq(config_load(NULL), 0);
	ck_assert_int_eq(storage_put(arena, key, "x", 1, "image/jpeg"), RES_UNAVAILABLE);
	unsetenv("MEDIA_DIR");
	rmdir(arena_printf(arena, "%s/posts/photos/7", dir));
	rmdir(arena_printf(arena, "%s/posts/photos", dir));
	rmdir(arena_printf(arena, "%s/posts", dir));
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(storage_settings_are_checked)
{
	setenv("STORAGE_BACKEND", "ftp", 1);
	ck_assert_int_eq(config_load(NULL), -1);
	setenv("STORAGE_BACKEND", "s3", 1);
	ck_assert_int_eq(config_load(NULL), -1);	/* no endpoint, bucket, keys */
	setenv("R2_ENDPOINT_URL", "http://127.0.0.1:9", 1);
	setenv("R2_ACCESS_KEY_ID", "id", 1);
	setenv("R2_SECRET_ACCESS_KEY", "secret", 1);
	setenv("R2_BUCKET_NAME", "media", 1);
	ck_assert_int_eq(config_load(NULL), 0);
	ck_assert_str_eq(cfg.s3_region, "auto");
	ck_assert_int_eq(cfg.presigned_url_expiration, 43200);
	ck_assert_int_eq(cfg.redirect_cache_max_age, 3600);
	ck_assert_int_eq(cfg.media_max_bytes, 209715);
	/* nothing listens on port 9: storage down is a 503 */
	ck_assert_int_eq(storage_put(arena, "users/avatars/1/20250302_" UUID ".png",
				     "x", 1, "image/png"), RES_UNAVAILABLE);
	unsetenv("STORAGE_BACKEND");
	unsetenv("R2_ENDPOINT_URL");
	unsetenv("R2_ACCESS_KEY_ID");
	unsetenv("R2_SECRET_ACCESS_KEY");
	unsetenv("R2_BUCKET_NAME");
}
END_TEST

static Suite *media_suite(void)
{
	Suite *s = suite_create("media");
	TCase *tc = tcase_create("lib");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, presigned_url_matches_the_aws_example);
	tcase_add_test(tc, keys_follow_the_grammar);
	tcase_add_test(tc, new_keys_parse_back);
	tcase_add_test(tc, each_format_is_accepted_and_kept);
	tcase_add_test(tc, dimension_limits_just_under_and_over);
	tcase_add_test(tc, byte_limit_just_under_and_over);
	tcase_add_test(tc, content_decides_not_names);
	tcase_add_test(tc, metadata_is_stripped_and_orientation_applied);
	tcase_add_test(tc, helper_answers_with_its_exit_status);
	tcase_add_test(tc, helper_failures_are_503_and_leave_no_child);
	tcase_add_test(tc, a_hanging_helper_is_killed_at_the_timeout);
	tcase_add_test(tc, local_storage_writes_lists_serves_and_deletes);
	tcase_add_test(tc, storage_settings_are_checked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(media_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
