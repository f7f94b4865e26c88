#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "db.h"
#include "jsonv.h"
#include "notifications.h"
#include "social.h"

enum {
	NOTIFICATION_SUMMARY,
	NOTIFICATION_READ_POST,
	NOTIFICATION_READ_COMMENT,
};

static struct db_stmt stmts[] = {
	/* $1 viewer, $2 post ids as an int[] literal; in request order. */
	[NOTIFICATION_SUMMARY] = { "notification_summary",
		"SELECT ids.id, COALESCE(bool_or(n.type = 'comment'), false),"
		" COALESCE(bool_or(n.type = 'reply'), false)"
		" FROM unnest($2::integer[]) WITH ORDINALITY AS ids (id, ord)"
		" LEFT JOIN notifications n ON n.recipient_id = $1"
		" AND n.post_id = ids.id AND n.read_at IS NULL"
		" GROUP BY ids.id ORDER BY min(ids.ord)", 0 },
	/* $1 viewer, $2 post. */
	[NOTIFICATION_READ_POST] = { "notification_read_post",
		"UPDATE notifications SET read_at = " SQL_NOW_UTC
		" WHERE recipient_id = $1 AND post_id = $2 AND read_at IS NULL", 0 },
	/* $1 viewer, $2 comment. */
	[NOTIFICATION_READ_COMMENT] = { "notification_read_comment",
		"UPDATE notifications SET read_at = " SQL_NOW_UTC
		" WHERE recipient_id = $1 AND comment_id = $2 AND type = 'reply'"
		" AND read_at IS NULL", 0 },
};

enum result notification_post_summary(struct arena *a, long viewer,
				      const long long *ids, size_t n,
				      json_object **out)
{
	const char *p[2];
	json_object *summary, *item;
	PGresult *res;
	enum result r;
	int i;

	if (n > MAX_SUMMARY_POSTS)
		return fail_with(RES_INVALID, "at most 1000 post ids");
	p[0] = db_int(a, viewer);
	p[1] = db_int_array(a, ids, n);
	if ((r = db_exec(a, &stmts[NOTIFICATION_SUMMARY], 2, p, &res)) != RES_OK)
		return r;
	summary = json_object_new_object();
	for (i = 0; i < PQntuples(res); i++) {
		item = json_object_new_object();
		jv_put(item, "has_unread_comments",
		       json_object_new_boolean(db_get_bool(res, i, 1)));
		jv_put(item, "has_unread_replies",
		       json_object_new_boolean(db_get_bool(res, i, 2)));
		/* the key is copied: PQgetvalue() text dies with the result */
		json_object_object_add(summary, PQgetvalue(res, i, 0), item);
	}
	*out = json_object_new_object();
	jv_put(*out, "summary", summary);
	return RES_OK;
}

/* Runs one of the "mark read" updates; {"message", "count": rows changed}. */
static enum result mark_read(struct arena *a, int stmt, long viewer, long id,
			     json_object **out)
{
	const char *p[] = { db_int(a, viewer), db_int(a, id) };
	PGresult *res;
	enum result r = db_exec(a, &stmts[stmt], 2, p, &res);

	if (r != RES_OK)
		return r;
	*out = json_object_new_object();
	jv_put(*out, "message", json_object_new_string("notifications marked as read"));
	jv_put(*out, "count", json_object_new_int64(atoll(PQcmdTuples(res))));
	return RES_OK;
}

enum result notification_read_post(struct arena *a, long viewer, long post_id,
				   json_object **out)
{
	return mark_read(a, NOTIFICATION_READ_POST, viewer, post_id, out);
}

enum result notification_read_comment(struct arena *a, long viewer,
				      long comment_id, json_object **out)
{
	return mark_read(a, NOTIFICATION_READ_COMMENT, viewer, comment_id, out);
}
