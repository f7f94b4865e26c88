/* The JSON shape of a Tag (API.md 2.3). */
#ifndef TAGS_JSON_H
#define TAGS_JSON_H

#include <json-c/json.h>
#include <libpq-fe.h>

/* The Tag object from the five TAG_COLUMNS (lib/tags.h) from col on. */
json_object *tag_json(const PGresult *res, int row, int col);

/* [Tag] of every row of res, each starting at column 0. */
json_object *tag_list_json(const PGresult *res);

#endif
