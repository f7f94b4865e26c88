#include "jsonv.h"
#include "paging.h"
#include "reply.h"

int page_args(struct req *r, struct post_page *page)
{
	json_object *err, *loc, *list;

	page->skip = (long)r->arg[PG_SKIP].i;
	page->limit = r->arg[PG_LIMIT].present ? (long)r->arg[PG_LIMIT].i : 0;
	page->before = r->arg[PG_BEFORE].present ? r->arg[PG_BEFORE].s : NULL;
	page->before_id = r->arg[PG_BEFORE_ID].present
		? (long)r->arg[PG_BEFORE_ID].i : 0;
	if (page->before != NULL || page->before_id == 0)
		return 0;
	err = json_object_new_object();
	loc = json_object_new_array();
	json_object_array_add(loc, json_object_new_string("query"));
	json_object_array_add(loc, json_object_new_string("before_id"));
	jv_put(err, "type", json_object_new_string("missing"));
	jv_put(err, "loc", loc);
	jv_put(err, "msg", json_object_new_string(
		"before_id needs before, the created_at of that post"));
	jv_put(err, "input", json_object_new_int64(page->before_id));
	list = json_object_new_array();
	json_object_array_add(list, err);
	reply_validation_list(r, list);
	return -1;
}
