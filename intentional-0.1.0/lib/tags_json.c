#include "db.h"
#include "jsonv.h"
#include "tags_json.h"

json_object *tag_json_of(long long id, long long owner_user_id,
			 const char *name, const char *color_scheme,
			 const char *created_at)
{
	json_object *o = json_object_new_object();

	jv_put(o, "id", json_object_new_int64(id));
	jv_put(o, "owner_user_id", json_object_new_int64(owner_user_id));
	jv_put(o, "name", jv_str(name));
	jv_put(o, "color_scheme", json_object_new_string(color_scheme
							 ? color_scheme : "generic"));
	jv_put(o, "created_at", jv_timestamp(created_at));
	return o;
}

json_object *tag_json(const PGresult *res, int row, int col)
{
	return tag_json_of(db_get_int(res, row, col),
			   db_get_int(res, row, col + 1),
			   db_get_str(res, row, col + 2),
			   db_get_str(res, row, col + 3),
			   db_get_str(res, row, col + 4));
}

json_object *tag_list_json(const PGresult *res)
{
	json_object *list = json_object_new_array();
	int i;

	for (i = 0; i < PQntuples(res); i++)
		json_object_array_add(list, tag_json(res, i, 0));
	return list;
}
