#include "db.h"
#include "jsonv.h"
#include "tags_json.h"

json_object *tag_json(const PGresult *res, int row, int col)
{
	json_object *o = json_object_new_object();
	const char *color = db_get_str(res, row, col + 3);

	jv_put(o, "id", json_object_new_int64(db_get_int(res, row, col)));
	jv_put(o, "owner_user_id",
	       json_object_new_int64(db_get_int(res, row, col + 1)));
	jv_put(o, "name", jv_str(db_get_str(res, row, col + 2)));
	jv_put(o, "color_scheme", json_object_new_string(color ? color : "generic"));
	jv_put(o, "created_at", jv_timestamp(db_get_str(res, row, col + 4)));
	return o;
}

json_object *tag_list_json(const PGresult *res)
{
	json_object *list = json_object_new_array();
	int i;

	for (i = 0; i < PQntuples(res); i++)
		json_object_array_add(list, tag_json(res, i, 0));
	return list;
}
