/* The Post object of API.md 2.4, rendered from a row of POST_COLUMNS. */
#ifndef POSTS_JSON_H
#define POSTS_JSON_H

#include <json-c/json.h>
#include <libpq-fe.h>

struct arena;

/* The columns of POST_COLUMNS (lib/posts_sql.h), in order. */
enum post_col {
	PC_ID,
	PC_AUTHOR_ID,
	PC_CONTENT,
	PC_CREATED_AT,
	PC_AUDIENCE_TYPE,
	PC_PHOTO_URLS,		/* json text, NULL = [] */
	PC_AUTHOR,		/* 4 columns: id, username, display_name, full_name */
	PC_COMMENT_COUNT = PC_AUTHOR + 4,
	PC_AUDIENCE_TAGS,	/* json text of the viewer's own 'tags' posts */
	PC_NCOLS
};

/*
 * The Post of row: photo_urls from the stored keys (NULL and non-strings
 * read as none), photo_urls_presigned "/images/<key>" for each, the Author,
 * comment_count, audience_tags ([] unless the row carries them: only the
 * author's own 'tags' posts do), and digest_summary from column
 * summary_col, or null when summary_col < 0 (only /digest/ fills it).
 */
json_object *post_json(struct arena *a, const PGresult *res, int row,
		       int summary_col);

/* The rows of res as a JSON array of Post; rows whose PC_ID is NULL (a
 * LEFT JOIN that found no post) are skipped. */
json_object *posts_json(struct arena *a, const PGresult *res,
			int summary_col);

#endif
