#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "media.h"
#include "users.h"
#include "visibility.h"

enum {
	MEDIA_PHOTO_VISIBLE,
	MEDIA_AVATAR_CURRENT,
	MEDIA_REFERENCED_KEYS,
};

static struct db_stmt stmts[] = {
	/* $1 viewer, $2 post, $3 author, $4 key; the key must be one of the
	 * post's photos, so an object left by a failed upload is never served */
	[MEDIA_PHOTO_VISIBLE] = { "media_photo_visible",
		"SELECT 1 FROM posts p WHERE p.id = $2 AND p.author_id = $3"
		" AND json_typeof(p.photo_urls) = 'array'"
		" AND p.photo_urls::jsonb ? $4"
		" AND " SQL_POST_VISIBLE("p", "$1"), 0 },
	[MEDIA_AVATAR_CURRENT] = { "media_avatar_current",
		"SELECT 1 FROM users WHERE id = $1 AND avatar_url = $2", 0 },
	/* every key a row names, in byte order for bsearch() */
	[MEDIA_REFERENCED_KEYS] = { "media_referenced_keys",
		"SELECT k FROM (SELECT json_array_elements_text(photo_urls) AS k"
		" FROM posts WHERE json_typeof(photo_urls) = 'array'"
		" UNION SELECT avatar_url FROM users WHERE avatar_url IS NOT NULL) r"
		" ORDER BY k COLLATE \"C\"", 0 },
};

static const char *const exts[] = { "jpg", "png", "webp" };

/* Skips prefix + "/" at the start of s; NULL if s does not start so. */
static const char *after_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 0 || strncmp(s, prefix, n) != 0 || s[n] != '/')
		return NULL;
	return s + n + 1;
}

/* A decimal id (no sign, no leading zero, int4) then '/'. */
static const char *id_segment(const char *s, long *out)
{
	long v = 0;
	int n = 0;

	if (*s == '0')
		return NULL;
	for (; *s >= '0' && *s <= '9' && n < 10; s++, n++)
		v = v * 10 + (*s - '0');
	if (n == 0 || *s != '/' || v > 2147483647L)
		return NULL;
	*out = v;
	return s + 1;
}

/* n characters of class: 'd' digits, 'x' lower-case hex. */
static const char *run_of(const char *s, int n, char class)
{
	for (; n > 0; n--, s++)
		if (!(*s >= '0' && *s <= '9') &&
		    !(class == 'x' && *s >= 'a' && *s <= 'f'))
			return NULL;
	return s;
}

/* "YYYYMMDD_xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.ext" and nothing more. */
static int file_name_ok(const char *s)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	size_t i;

	if ((s = run_of(s, 8, 'd')) == NULL || *s++ != '_')
		return 0;
	for (i = 0; i < 5; i++) {
		if ((s = run_of(s, groups[i], 'x')) == NULL)
			return 0;
		if (*s++ != (i < 4 ? '-' : '.'))
			return 0;
	}
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcmp(s, exts[i]) == 0)
			return 1;
	return 0;
}

int media_key_parse(const char *key, struct media_key *out)
{
	const char *s;

	memset(out, 0, sizeof(*out));
	if (key == NULL)
		return -1;
	if ((s = after_prefix(key, cfg.photo_prefix)) != NULL) {
		out->kind = MEDIA_PHOTO;
		if ((s = id_segment(s, &out->owner_id)) == NULL ||
		    (s = id_segment(s, &out->post_id)) == NULL)
			return -1;
	} else if ((s = after_prefix(key, cfg.avatar_prefix)) != NULL) {
		out->kind = MEDIA_AVATAR;
		if ((s = id_segment(s, &out->owner_id)) == NULL)
			return -1;
	} else {
		return -1;
	}
	return file_name_ok(s) && storage_key_safe(key) ? 0 : -1;
}

const char *media_new_key(struct arena *a, enum media_kind kind, long owner_id,
			  long post_id, const char *ext)
{
	unsigned char u[16];
	char date[9];
	time_t now = time(NULL);
	struct tm tm;

	if (getrandom(u, sizeof(u), 0) != (ssize_t)sizeof(u)) {
		log_error("getrandom failed");
		abort();
	}
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);	/* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y%m%d", &tm);
	return arena_printf(a, "%s/%ld/%s%s_%02x%02x%02x%02x-%02x%02x-%02x%02x-"
			    "%02x%02x-%02x%02x%02x%02x%02x%02x.%s",
			    kind == MEDIA_PHOTO ? cfg.photo_prefix : cfg.avatar_prefix,
			    owner_id,
			    kind == MEDIA_PHOTO ? arena_printf(a, "%ld/", post_id) : "",
			    date, u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
			    u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15], ext);
}

enum result media_prepare(struct arena *a, const char *what, const void *data,
			  size_t len, size_t size, struct image *out)
{
	struct image_limits lim;
	enum result r;

	image_limits_from_config(&lim);
	r = image_process_isolated(a, data, len, size, &lim, out);
	if (r == RES_BAD_REQUEST)	/* copy: the detail is the buffer written */
		return fail_withf(r, "%s validation failed: %s", what,
				  arena_strdup(a, fail_detail()));
	return r;
}

enum result media_store_photos(struct arena *a, long author_id, long post_id,
			       const struct image *imgs, int n,
			       const char ***keys)
{
	const char **k = arena_calloc(a, (size_t)(n > 0 ? n : 1), sizeof(*k));
	enum result r;
	int i;

	for (i = 0; i < n; i++) {
		k[i] = media_new_key(a, MEDIA_PHOTO, author_id, post_id, imgs[i].ext);
		r = storage_put(a, k[i], imgs[i].data, imgs[i].len,
				imgs[i].content_type);
		if (r != RES_OK) {
			storage_delete_keys(a, k, i);
			return r;
		}
	}
	*keys = k;
	return RES_OK;
}

/* Whether a stored avatar_url is an object of ours (not an outside URL). */
static int is_our_avatar(const char *key)
{
	struct media_key mk;

	return key != NULL && media_key_parse(key, &mk) == 0 &&
	       mk.kind == MEDIA_AVATAR;
}

enum result media_replace_avatar(struct arena *a, struct user *u,
				 const struct image *img)
{
	const char *key = media_new_key(a, MEDIA_AVATAR, u->id, 0, img->ext);
	const char *old = NULL;
	enum result r;

	if ((r = storage_put(a, key, img->data, img->len, img->content_type)) != RES_OK)
		return r;
	if ((r = user_set_avatar(a, u, key, &old)) != RES_OK) {
		storage_delete_keys(a, &key, 1);
		return r;
	}
	if (is_our_avatar(old) && strcmp(old, key) != 0)
		storage_delete_keys(a, &old, 1);
	return RES_OK;
}

static enum result exists(struct arena *a, struct db_stmt *st, int n,
			  const char *const *params)
{
	PGresult *res;
	enum result r = db_exec(a, st, n, params, &res);

	if (r != RES_OK)
		return r;
	return PQntuples(res) > 0 ? RES_OK
				  : fail_with(RES_NOT_FOUND, "image not found");
}

enum result media_authorize(struct arena *a, long viewer_id, const char *key,
			    struct storage_location *loc)
{
	struct media_key mk;
	enum result r;

	if (media_key_parse(key, &mk) < 0)
		return fail_with(RES_NOT_FOUND, "image not found");
	if (mk.kind == MEDIA_PHOTO) {
		const char *p[] = { db_int(a, viewer_id), db_int(a, mk.post_id),
				    db_int(a, mk.owner_id), key };

		r = exists(a, &stmts[MEDIA_PHOTO_VISIBLE], 4, p);
	} else {
		const char *p[] = { db_int(a, mk.owner_id), key };

		r = exists(a, &stmts[MEDIA_AVATAR_CURRENT], 2, p);
	}
	if (r != RES_OK)
		return r;
	return storage_locate(a, key, loc);
}

struct gc {
	struct arena *arena;
	const char **refs;	/* sorted */
	size_t nrefs;
	long min_age;
	int dry_run;
	struct media_gc_stats *st;
};

static int cmp_key(const void *k, const void *elem)
{
	return strcmp(k, *(const char *const *)elem);
}

static int gc_object(const char *key, long age, void *ctx)
{
	struct gc *g = ctx;

	g->st->objects++;
	if (bsearch(key, g->refs, g->nrefs, sizeof(*g->refs), cmp_key) != NULL) {
		g->st->referenced++;
		return 0;
	}
	if (age < g->min_age) {
		g->st->young++;
		return 0;
	}
	if (!g->dry_run && storage_delete(g->arena, key) != RES_OK) {
		log_error("media gc: could not delete %s: %s", key, fail_detail());
		g->st->failed++;
		return 0;
	}
	log_info("media gc: %s %s (age %lds, no row names it)",
		 g->dry_run ? "would delete" : "deleted", key, age);
	g->st->deleted++;
	return 0;
}

enum result media_gc(struct arena *a, long min_age, int dry_run,
		     struct media_gc_stats *st)
{
	struct gc g = { a, NULL, 0, min_age, dry_run, st };
	PGresult *res;
	enum result r;
	size_t i;

	memset(st, 0, sizeof(*st));
	if ((r = db_exec(a, &stmts[MEDIA_REFERENCED_KEYS], 0, NULL, &res)) != RES_OK)
		return r;
	g.nrefs = (size_t)PQntuples(res);
	g.refs = arena_calloc(a, g.nrefs ? g.nrefs : 1, sizeof(*g.refs));
	for (i = 0; i < g.nrefs; i++)
		g.refs[i] = db_get_str(res, (int)i, 0);
	if ((r = storage_list(a, cfg.photo_prefix, gc_object, &g)) != RES_OK)
		return r;
	return storage_list(a, cfg.avatar_prefix, gc_object, &g);
}
