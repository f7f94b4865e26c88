#include <stdio.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "jsonv.h"
#include "users_json.h"

static int has_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return n > 0 && strncmp(s, prefix, n) == 0;
}

json_object *avatar_json(const char *avatar_url)
{
	char buf[600];

	if (avatar_url == NULL)
		return NULL;
	if (!has_prefix(avatar_url, cfg.photo_prefix) &&
	    !has_prefix(avatar_url, cfg.avatar_prefix))
		return json_object_new_string(avatar_url);
	snprintf(buf, sizeof(buf), "/images/%s", avatar_url);
	return json_object_new_string(buf);
}

json_object *user_json(const struct user *u, int is_self)
{
	json_object *o = json_object_new_object();

	jv_put(o, "id", json_object_new_int64(u->id));
	jv_put(o, "email", json_object_new_string(is_self && u->email ? u->email : ""));
	jv_put(o, "username", jv_str(u->username));
	jv_put(o, "google_id", json_object_new_string(is_self && u->google_id
						       ? u->google_id : ""));
	jv_put(o, "auth_provider", json_object_new_string(
		u->auth_provider ? u->auth_provider : "google"));
	jv_put(o, "full_name", jv_str(u->full_name));
	jv_put(o, "picture_url", jv_str(u->picture_url));
	jv_put(o, "display_name", jv_str(u->display_name));
	jv_put(o, "avatar_url", avatar_json(u->avatar_url));
	jv_put(o, "bio", jv_str(u->bio));
	jv_put(o, "created_at", jv_timestamp(u->created_at));
	return o;
}

json_object *user_public_json(const struct user *u)
{
	json_object *o = json_object_new_object();

	jv_put(o, "id", json_object_new_int64(u->id));
	jv_put(o, "email", NULL);
	jv_put(o, "username", jv_str(u->username));
	jv_put(o, "google_id", NULL);
	jv_put(o, "auth_provider", NULL);
	jv_put(o, "full_name", jv_str(u->full_name));
	jv_put(o, "picture_url", NULL);
	jv_put(o, "display_name", jv_str(u->display_name));
	jv_put(o, "avatar_url", avatar_json(u->avatar_url));
	jv_put(o, "bio", NULL);
	jv_put(o, "created_at", NULL);
	return o;
}

json_object *author_json(const PGresult *res, int row, int col)
{
	json_object *o = json_object_new_object();

	jv_put(o, "id", json_object_new_int64(db_get_int(res, row, col)));
	jv_put(o, "username", jv_str(db_get_str(res, row, col + 1)));
	jv_put(o, "display_name", jv_str(db_get_str(res, row, col + 2)));
	jv_put(o, "full_name", jv_str(db_get_str(res, row, col + 3)));
	return o;
}
