#include <string.h>

#include "arena.h"
#include "db.h"
#include "jsonv.h"
#include "posts_json.h"
#include "tags_json.h"
#include "users_json.h"

/* Parses the JSON text of a column; NULL for SQL NULL, bad text, and the
 * empty list most posts have (not worth a parser). */
static json_object *json_column(struct arena *a, const PGresult *res,
				int row, int col)
{
	const char *text = db_get_str(res, row, col);
	json_object *j;

	if (text == NULL || strcmp(text, "[]") == 0 ||
	    jv_parse(a, text, strlen(text), &j) < 0)
		return NULL;
	return j;
}

/* photo_urls and photo_urls_presigned from the stored list of keys. */
static void put_photos(struct arena *a, json_object *post, json_object *keys)
{
	json_object *urls = json_object_new_array();
	json_object *presigned = json_object_new_array();
	size_t i, n = json_object_is_type(keys, json_type_array)
		? json_object_array_length(keys) : 0;

	for (i = 0; i < n; i++) {
		json_object *k = json_object_array_get_idx(keys, i);
		const char *key;

		if (!json_object_is_type(k, json_type_string))
			continue;
		key = json_object_get_string(k);
		json_object_array_add(urls, json_object_new_string(key));
		json_object_array_add(presigned, json_object_new_string(
			arena_printf(a, "/images/%s", key)));
	}
	jv_put(post, "photo_urls", urls);
	jv_put(post, "photo_urls_presigned", presigned);
}

/* A member of a JSON object from POST_COLUMNS' json_build_object. */
static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* The Tag objects (2.3) of the audience tags' JSON. */
static json_object *audience_tags_json(json_object *tags)
{
	json_object *list = json_object_new_array();
	size_t i, n = json_object_is_type(tags, json_type_array)
		? json_object_array_length(tags) : 0;

	for (i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(tags, i);

		json_object_array_add(list, tag_json_of(
			json_object_get_int64(member(t, "id")),
			json_object_get_int64(member(t, "owner_user_id")),
			json_object_get_string(member(t, "name")),
			json_object_get_string(member(t, "color_scheme")),
			json_object_get_string(member(t, "created_at"))));
	}
	return list;
}

json_object *post_json(struct arena *a, const PGresult *res, int row,
		       int summary_col)
{
	json_object *o = json_object_new_object();

	jv_put(o, "id", json_object_new_int64(db_get_int(res, row, PC_ID)));
	jv_put(o, "author_id", json_object_new_int64(
		db_get_int(res, row, PC_AUTHOR_ID)));
	jv_put(o, "content", jv_str(db_get_str(res, row, PC_CONTENT)));
	jv_put(o, "audience_type", jv_str(db_get_str(res, row,
						     PC_AUDIENCE_TYPE)));
	put_photos(a, o, json_column(a, res, row, PC_PHOTO_URLS));
	jv_put(o, "created_at", jv_timestamp(db_get_str(res, row,
							PC_CREATED_AT)));
	jv_put(o, "author", author_json(res, row, PC_AUTHOR));
	jv_put(o, "audience_tags", audience_tags_json(
		json_column(a, res, row, PC_AUDIENCE_TAGS)));
	jv_put(o, "digest_summary", summary_col < 0 ? NULL
	       : jv_str(db_get_str(res, row, summary_col)));
	jv_put(o, "comment_count", json_object_new_int64(
		db_get_int(res, row, PC_COMMENT_COUNT)));
	return o;
}

json_object *posts_json(struct arena *a, const PGresult *res,
			int summary_col)
{
	json_object *list = json_object_new_array();
	int row, n = PQntuples(res);

	for (row = 0; row < n; row++)
		if (!PQgetisnull(res, row, PC_ID))
			json_object_array_add(list, post_json(a, res, row,
							      summary_col));
	return list;
}
