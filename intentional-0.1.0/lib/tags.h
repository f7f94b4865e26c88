/*
 * Tags (API.md 4.6, 4.7, 6.4): private labels a member owns and puts on
 * the people they are connected with (user_tags).  Only the owner sees,
 * applies, edits or deletes them.  Lists are PGresults whose rows start
 * with TAG_COLUMNS, rendered by tag_json() (lib/tags_json.h).
 */
#ifndef TAGS_H
#define TAGS_H

#include <libpq-fe.h>

#include "result.h"

struct arena;

/* The columns of a Tag (API.md 2.3), in tag_json()'s order. */
#define TAG_COLUMNS "t.id, t.owner_user_id, t.name, t.color_scheme, t.created_at"

#define TAG_NAME_MAX 24
#define TAG_COLOR_MAX 20

/* The owner's tags, oldest first. */
enum result tag_list(struct arena *a, long owner, PGresult **out);

/*
 * Creates a tag.  The name is trimmed of white space (RES_INVALID when
 * nothing is left); color NULL means "generic".  RES_CONFLICT when the
 * owner has a tag of that name.  *out has one row.
 */
enum result tag_create(struct arena *a, long owner, const char *name,
		       const char *color, PGresult **out);

/* Renames and/or recolours (NULL or "" = unchanged); RES_NOT_FOUND,
 * RES_CONFLICT, RES_INVALID for a blank name. */
enum result tag_update(struct arena *a, long owner, long id, const char *name,
		       const char *color, PGresult **out);

/* Deletes an unused tag: RES_NOT_FOUND, RES_BAD_REQUEST while in use. */
enum result tag_delete(struct arena *a, long owner, long id);

/* The owner's tags put on target. */
enum result tag_list_on(struct arena *a, long owner, long target,
			PGresult **out);

/* Puts the owner's tag on target: RES_NOT_FOUND for a tag that is not the
 * owner's, RES_CONFLICT when target carries it already. */
enum result tag_put_on(struct arena *a, long owner, long target, long tag_id);

/*
 * Takes the owner's tag off target (RES_NOT_FOUND when the tag is not the
 * owner's or target does not carry it), then deletes the tag when nothing
 * uses it any more (*deleted = 1).
 */
enum result tag_take_off(struct arena *a, long owner, long target, long tag_id,
			 int *deleted);

#endif
