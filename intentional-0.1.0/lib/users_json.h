/* The JSON shapes of members: User (2.1) and Author (2.2). */
#ifndef USERS_JSON_H
#define USERS_JSON_H

#include <json-c/json.h>
#include <libpq-fe.h>

#include "users.h"

/*
 * The User object.  For anyone but the member themself, email and
 * google_id are "" (API.md route 8 correction); avatar_url is mapped.
 */
json_object *user_json(const struct user *u, int is_self);

/*
 * The User object with only id, username, display_name, full_name and
 * avatar_url filled and every other field null (API.md route 5).
 */
json_object *user_public_json(const struct user *u);

/*
 * The Author object {"id","username","display_name","full_name"} from
 * four columns of a result row starting at col (id, username,
 * display_name, full_name); a NULL username stays null (API.md 2.2).
 */
json_object *author_json(const PGresult *res, int row, int col);

/* "/images/<key>" for a stored key under a storage prefix, else as is. */
json_object *avatar_json(const char *avatar_url);

#endif
