/* The JSON shape of a Tag (API.md 2.3). */
#ifndef TAGS_JSON_H
#define TAGS_JSON_H

#include <json-c/json.h>
#include <libpq-fe.h>

/* The Tag object of these values: a NULL colour reads as "generic", the
 * timestamp text (PostgreSQL's, or NULL) is put in the contract's form. */
json_object *tag_json_of(long long id, long long owner_user_id,
			 const char *name, const char *color_scheme,
			 const char *created_at);

/* The Tag object from the five TAG_COLUMNS (lib/tags.h) from col on. */
json_object *tag_json(const PGresult *res, int row, int col);

/* [Tag] of every row of res, each starting at column 0. */
json_object *tag_list_json(const PGresult *res);

#endif
