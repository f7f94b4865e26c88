#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "jsonv.h"
#include "media.h"
#include "posts.h"
#include "posts_json.h"
#include "posts_sql.h"
#include "social.h"
#include "text.h"
#include "wallclock.h"

/* Audience tag ids one post may list (more is a 400, not a long array). */
#define MAX_AUDIENCE_TAGS 100

/* The pg_advisory_xact_lock(int, int) class of report locks: "rprt". */
#define REPORT_LOCK_CLASS "1920102516"

enum {
	POST_LOCK_AUTHOR,
	POST_INSERT,
	POST_SET_PHOTOS,
	POST_READ,
	POSTS_OF_AUTHOR,
	REPORT_LOCK,
	REPORT_INSERT,
};

static struct db_stmt stmts[] = {
	/* Serialises an author's creates (the daily limit) and counts which
	 * of the tag ids $2 are the author's. */
	[POST_LOCK_AUTHOR] = { "post_lock_author",
		"SELECT (SELECT count(*) FROM tags WHERE owner_user_id = $1"
		" AND id = ANY($2::int[])) FROM users WHERE id = $1"
		" FOR NO KEY UPDATE", 0 },
	/* The post unless the author has POSTS_PER_DAY on its calendar day,
	 * its post_stats row and its audience tags; no row: the limit. */
	[POST_INSERT] = { "post_insert",
		"WITH ins AS (INSERT INTO posts (author_id, content, created_at,"
		"  audience_type, photo_urls)"
		"  SELECT $1, $2, $3::timestamp, $4, '[]'::json"
		"  WHERE (SELECT count(*) FROM posts WHERE author_id = $1"
		"  AND created_at >= date_trunc('day', $3::timestamp)"
		"  AND created_at < date_trunc('day', $3::timestamp)"
		"  + interval '1 day') < " SQL_INT(POSTS_PER_DAY) " RETURNING id),"
		" st AS (INSERT INTO post_stats (post_id, comment_count)"
		"  SELECT id, 0 FROM ins),"
		" pat AS (INSERT INTO post_audience_tags (post_id, tag_id)"
		"  SELECT ins.id, t.id FROM ins, unnest($5::int[]) AS t(id))"
		" SELECT id FROM ins", 0 },
	[POST_SET_PHOTOS] = { "post_set_photos",
		"UPDATE posts SET photo_urls = $2::json WHERE id = $1", 0 },
	[POST_READ] = { "post_read",
		"SELECT " POST_COLUMNS("$1") " FROM posts p" POST_JOINS
		" WHERE p.id = $2 AND " SQL_POST_VISIBLE("p", "$1"), 0 },
	/* One row with a NULL post when the author exists but shows none. */
	[POSTS_OF_AUTHOR] = { "posts_of_author",
		"SELECT " POST_COLUMNS("$1") " FROM users author"
		" LEFT JOIN LATERAL (SELECT * FROM posts p"
		"  WHERE p.author_id = author.id"
		"  AND " SQL_POST_VISIBLE("p", "$1")
		"  AND ($5::timestamp IS NULL OR "
		KEYSET_BEFORE("$5::timestamp", "$6::int") ")"
		"  ORDER BY " POST_ORDER " OFFSET $3::int LIMIT $4::int) p ON true"
		POST_JOINS " WHERE author.id = $2 ORDER BY " POST_ORDER, 0 },
	/* The post, if $1 may see it, kept from deletion until the commit;
	 * reports of it by one member at a time. */
	[REPORT_LOCK] = { "report_lock",
		"SELECT pg_advisory_xact_lock(" REPORT_LOCK_CLASS ", p.id)"
		" FROM posts p WHERE p.id = $2 AND " SQL_POST_VISIBLE("p", "$1")
		" FOR KEY SHARE OF p", 0 },
	[REPORT_INSERT] = { "report_insert",
		"INSERT INTO reported_posts (post_id, reported_by_id, reason,"
		" created_at) SELECT $2, $1, $3, " SQL_NOW_UTC
		" WHERE NOT EXISTS (SELECT 1 FROM reported_posts"
		" WHERE post_id = $2 AND reported_by_id = $1) RETURNING id", 0 },
};

/* ---- creating ---- */

struct create {
	long author;
	const struct post_new *in;
	const char *content;
	const char *audience;
	const char *created_at;
	const char *tag_array;	/* int[] literal, "{}" unless 'tags' */
	long ntags;
	struct image photos[POST_MAX_PHOTOS];
	/* keys stored by every attempt of the transaction (db_transaction()
	 * retries), those of the last attempt at the end */
	const char *stored[POST_MAX_PHOTOS * 4];
	int nstored, last_stored;
	json_object *post;
};

static int cmp_long(const void *x, const void *y)
{
	long a = *(const long *)x, b = *(const long *)y;

	return (a > b) - (a < b);
}

/*
 * "3,8, ,3" -> the int[] literal "{3,8}" (sorted, without repeats) and the
 * count of distinct ids.  Returns -1 for an item that is not an integer.
 */
static int parse_tag_ids(struct arena *a, const char *text,
			 const char **array, long *count)
{
	long ids[MAX_AUDIENCE_TAGS + 1];
	char *copy = arena_strdup(a, text ? text : ""), *item, *save = NULL;
	char *lit = arena_alloc(a, (MAX_AUDIENCE_TAGS + 1) * 12 + 3), *w = lit;
	long n = 0, i;

	for (item = strtok_r(copy, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		char *end;

		item += strspn(item, " ");
		if (*item == '\0')
			continue;
		errno = 0;
		ids[n] = strtol(item, &end, 10);
		end += strspn(end, " ");
		if (errno != 0 || *end != '\0' || ids[n] < -2147483647L ||
		    ids[n] > 2147483647L)
			return -1;
		if (++n > MAX_AUDIENCE_TAGS)
			break;
	}
	qsort(ids, (size_t)n, sizeof(ids[0]), cmp_long);
	*count = 0;
	*w++ = '{';
	for (i = 0; i < n; i++)
		if (i == 0 || ids[i] != ids[i - 1])
			w += sprintf(w, "%s%ld", (*count)++ ? "," : "", ids[i]);
	strcpy(w, "}");
	*array = lit;
	return 0;
}

/* The checks of route 11 that need no database, in the order of 4.2. */
static enum result check_new_post(struct arena *a, struct create *c)
{
	const struct post_new *in = c->in;
	const char *content = in->content ? in->content : "";
	long chars = utf8_length(content, strlen(content));

	if (chars < 0)
		return fail_with(RES_BAD_REQUEST, "content must be UTF-8 text");
	if (chars > POST_MAX_CHARS)
		return fail_with(RES_BAD_REQUEST,
				 "content must be at most 1000 characters");
	c->content = content;
	c->audience = in->audience_type ? in->audience_type : "all";
	if (strcmp(c->audience, "all") != 0 &&
	    strcmp(c->audience, "private") != 0 &&
	    strcmp(c->audience, "tags") != 0)
		return fail_with(RES_BAD_REQUEST,
				 "audience_type must be all, private or tags");
	if (parse_tag_ids(a, in->audience_tag_ids, &c->tag_array,
			  &c->ntags) < 0)
		return fail_with(RES_BAD_REQUEST,
				 "audience_tag_ids must be comma-separated integers");
	if (c->ntags > MAX_AUDIENCE_TAGS)
		return fail_with(RES_BAD_REQUEST, "too many audience tags");
	if (in->nphotos > POST_MAX_PHOTOS)
		return fail_with(RES_BAD_REQUEST, "at most 3 photos per post");
	if (*text_strip(a, content) == '\0' && in->nphotos == 0)
		return fail_with(RES_BAD_REQUEST, "post needs text or a photo");
	if (strcmp(c->audience, "tags") != 0) {
		c->tag_array = "{}";
		c->ntags = 0;
	} else if (c->ntags == 0) {
		return fail_with(RES_BAD_REQUEST,
				 "a post for tags needs at least one tag");
	}
	return RES_OK;
}

/*
 * Stores the photos prepared by post_create() under the new post's id and
 * writes their keys into posts.photo_urls (lib/media.h steps 2 and 3).
 * The keys are remembered so that post_create() can delete the objects of
 * every attempt that does not commit.
 */
static enum result store_photos(struct arena *a, struct create *c,
				const char *post_id)
{
	const char **keys, *p[2];
	json_object *list;
	PGresult *res;
	size_t len;
	enum result r;
	int i, n = c->in->nphotos;

	c->last_stored = c->nstored;
	if (n == 0)
		return RES_OK;
	if (c->nstored + n > (int)(sizeof(c->stored) / sizeof(c->stored[0])))
		return fail_with(RES_UNAVAILABLE, "database busy, try again");
	r = media_store_photos(a, c->author, atol(post_id), c->photos, n, &keys);
	if (r != RES_OK)
		return r;
	list = jv_owned(a, json_object_new_array());
	for (i = 0; i < n; i++) {
		c->stored[c->nstored++] = keys[i];
		json_object_array_add(list, json_object_new_string(keys[i]));
	}
	p[0] = post_id;
	p[1] = jv_render(a, list, &len);
	return db_exec(a, &stmts[POST_SET_PHOTOS], 2, p, &res);
}

static enum result create_tx(struct arena *a, void *ctx)
{
	struct create *c = ctx;
	const char *author = db_int(a, c->author), *id;
	const char *lock[] = { author, c->tag_array };
	const char *ins[] = { author, c->content, c->created_at, c->audience,
			      c->tag_array };
	const char *read[2];
	PGresult *res;
	enum result r;

	json_object_put(c->post);	/* from an attempt whose COMMIT failed */
	c->post = NULL;
	if ((r = db_exec(a, &stmts[POST_LOCK_AUTHOR], 2, lock, &res)) != RES_OK)
		return r;
	if (PQntuples(res) != 1)
		return fail_with(RES_NOT_FOUND, "user not found");
	if (db_get_int(res, 0, 0) != c->ntags)
		return fail_with(RES_BAD_REQUEST,
				 "audience tags must be existing tags of yours");
	if ((r = db_exec(a, &stmts[POST_INSERT], 5, ins, &res)) != RES_OK)
		return r;
	if (PQntuples(res) != 1)
		return fail_with(RES_TOO_MANY, "daily limit of "
				 SQL_INT(POSTS_PER_DAY) " posts reached");
	id = db_get_str(res, 0, 0);
	if ((r = store_photos(a, c, id)) != RES_OK)
		return r;
	read[0] = author;
	read[1] = id;
	if ((r = db_exec(a, &stmts[POST_READ], 2, read, &res)) != RES_OK)
		return r;
	if (PQntuples(res) != 1)
		return fail_with(RES_FAIL, "new post not found");
	c->post = post_json(a, res, 0, -1);
	return RES_OK;
}

/* Checks and re-encodes each photo before any database work (6.6). */
static enum result prepare_photos(struct arena *a, struct create *c)
{
	const struct post_new *in = c->in;
	enum result r;
	int i;

	for (i = 0; i < in->nphotos; i++) {
		r = media_prepare(a, "photo", in->photos[i].data,
				  in->photos[i].len, in->photos[i].size,
				  &c->photos[i]);
		if (r != RES_OK)
			return r;
	}
	return RES_OK;
}

enum result post_create(struct arena *a, long author, const struct post_new *in,
			json_object **out)
{
	struct create c = { .author = author, .in = in };
	struct wallclock local, when;
	enum result r;

	*out = NULL;
	if ((r = check_new_post(a, &c)) != RES_OK ||
	    (r = prepare_photos(a, &c)) != RES_OK)
		return r;
	wallclock_local_now(&local);
	wallclock_post_time(in->client_timestamp, (long long)time(NULL),
			    &local, &when);
	c.created_at = wallclock_sql(a, &when);
	r = db_transaction(a, create_tx, &c);
	/* objects of attempts that did not commit: all of them on failure */
	storage_delete_keys(a, c.stored, r == RES_OK ? c.last_stored : c.nstored);
	if (r != RES_OK) {
		json_object_put(c.post);
		return r;
	}
	*out = c.post;
	return RES_OK;
}

/* ---- reading ---- */

enum result posts_of_author(struct arena *a, long viewer, long author,
			    const struct post_page *page, json_object **out)
{
	const char *p[] = {
		db_int(a, viewer), db_int(a, author), db_int(a, page->skip),
		page->limit > 0 ? db_int(a, page->limit) : NULL,
		page->before, db_int(a, page->before_id),
	};
	PGresult *res;
	enum result r;

	*out = NULL;
	if ((r = db_exec(a, &stmts[POSTS_OF_AUTHOR], 6, p, &res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "user not found");
	*out = posts_json(a, res, -1);
	return RES_OK;
}

/* ---- deleting ---- */

struct delete {
	long viewer, post_id;
	struct key_list keys;
};

static enum result delete_tx(struct arena *a, void *ctx)
{
	struct delete *d = ctx;

	return post_delete_cascade(a, d->post_id, d->viewer, &d->keys);
}

enum result post_delete(struct arena *a, long viewer, long post_id)
{
	struct delete d = { viewer, post_id, { NULL, 0 } };
	enum result r = db_transaction(a, delete_tx, &d);

	if (r == RES_OK)
		storage_delete_keys(a, d.keys.keys, d.keys.n);
	return r;
}

/* ---- reporting ---- */

struct report {
	const char *params[3];
	long id;
};

static enum result report_tx(struct arena *a, void *ctx)
{
	struct report *rp = ctx;
	PGresult *res;
	enum result r;

	if ((r = db_exec(a, &stmts[REPORT_LOCK], 2, rp->params, &res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "post not found");
	if ((r = db_exec(a, &stmts[REPORT_INSERT], 3, rp->params, &res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_BAD_REQUEST,
				 "you have already reported this post");
	rp->id = (long)db_get_int(res, 0, 0);
	return RES_OK;
}

enum result post_report(struct arena *a, long viewer, long post_id,
			const char *reason, long *report_id)
{
	struct report rp = { { db_int(a, viewer), db_int(a, post_id), reason }, 0 };
	enum result r = db_transaction(a, report_tx, &rp);

	*report_id = rp.id;
	return r;
}
