#include "db.h"
#include "jsonv.h"
#include "social.h"
#include "users_json.h"

json_object *social_row_json(const PGresult *res, int row,
			     const struct row_keys *keys)
{
	json_object *o = json_object_new_object();
	int hidden = PQgetisnull(res, row, 5);

	jv_put(o, keys->id, json_object_new_int64(db_get_int(res, row, 0)));
	jv_put(o, keys->parent_id, json_object_new_int64(db_get_int(res, row, 1)));
	jv_put(o, keys->author_id,
	       json_object_new_int64(hidden ? 0 : db_get_int(res, row, 2)));
	jv_put(o, keys->text, jv_str(db_get_str(res, row, 3)));
	jv_put(o, "created_at", jv_timestamp(db_get_str(res, row, 4)));
	jv_put(o, keys->author, hidden ? NULL : author_json(res, row, 5));
	return o;
}

enum result social_list(const PGresult *res, row_json_fn *row_json,
			const char *missing, json_object **out)
{
	int i, n = PQntuples(res);

	if (n == 0)
		return fail_with(RES_NOT_FOUND, missing);
	*out = json_object_new_array();
	for (i = 0; i < n; i++)
		if (!PQgetisnull(res, i, 0))
			json_object_array_add(*out, row_json(res, i));
	return RES_OK;
}

enum result social_exec(struct arena *a, struct db_stmt *st, int nparams,
			long id, long viewer, const char *text, PGresult **res)
{
	const char *p[] = { db_int(a, id), db_int(a, viewer), text };

	return db_exec(a, st, nparams, p, res);
}

enum result social_list_query(struct arena *a, struct db_stmt *st, long id,
			      long viewer, row_json_fn *row_json,
			      const char *missing, json_object **out)
{
	PGresult *res;
	enum result r = social_exec(a, st, 2, id, viewer, NULL, &res);

	if (r != RES_OK)
		return r;
	return social_list(res, row_json, missing, out);
}
