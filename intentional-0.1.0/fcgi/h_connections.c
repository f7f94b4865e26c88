#include <stdio.h>

#include "config.h"
#include "connections.h"
#include "db.h"
#include "handlers.h"
#include "jsonv.h"
#include "reply.h"
#include "tags.h"
#include "tags_json.h"

enum { TAG_ID };
static const struct field tag_fields[] = {
	[TAG_ID] = { "tag_id", F_INT, REQUIRED, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

static json_object *connection_json(const struct connection *c)
{
	json_object *o = json_object_new_object();

	jv_put(o, "id", json_object_new_int64(c->id));
	jv_put(o, "status", json_object_new_string(c->status));
	jv_put(o, "created_at", jv_timestamp(c->created_at));
	jv_put(o, "other_user_id", json_object_new_int64(c->other_id));
	jv_put(o, "other_user_username", jv_str(c->other_username));
	return o;
}

static void reply_list(struct req *r, enum connection_kind kind)
{
	struct connection_list l;
	json_object *list;
	enum result res = connection_list(r->arena, r->user.id, kind, &l);
	int i;

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	list = json_object_new_array();
	for (i = 0; i < l.n; i++)
		json_object_array_add(list, connection_json(&l.items[i]));
	reply_json(r, 200, list);
}

/* {"detail": detail} with status, or the failure of res. */
static void reply_done(struct req *r, enum result res, int status,
		       const char *detail)
{
	if (res != RES_OK)
		reply_result(r, res);
	else
		reply_detail(r, status, detail);
}

/* GET /connections: 200 [ConnectionWithUser] accepted, one statement. */
static void h_list(struct req *r)
{
	reply_list(r, CONN_ACCEPTED);
}

/* GET /connections/requests/incoming: 200 pending requests to me. */
static void h_incoming(struct req *r)
{
	reply_list(r, CONN_INCOMING);
}

/* GET /connections/requests/outgoing: 200 pending requests I sent. */
static void h_outgoing(struct req *r)
{
	reply_list(r, CONN_OUTGOING);
}

/*
 * POST /connections/request/{recipient_id}: 201 {"detail","connection_id"}
 * (sent, or accepted when the recipient had asked me); 400 myself or
 * either side at the limit; 404 no such (or a banned) user; 409 already
 * requested or connected; 422 bad id.
 */
static void h_request(struct req *r)
{
	long id;
	int mutual;
	enum result res = connection_request(r->arena, r->user.id,
					     (long)r->path_arg[0].i, &id, &mutual);
	json_object *o;

	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	o = json_object_new_object();
	jv_put(o, "detail", json_object_new_string(mutual
		? "Connection accepted (mutual request)" : "Connection request sent"));
	jv_put(o, "connection_id", json_object_new_int64(id));
	reply_json(r, 201, o);
}

/*
 * POST /connections/accept/{connection_id}: 200; 404 no such request (or
 * its sender is banned); 403 not mine or I sent it; 400 already accepted
 * or either side at the limit.
 */
static void h_accept(struct req *r)
{
	reply_done(r, connection_accept(r->arena, r->user.id,
					(long)r->path_arg[0].i),
		   200, "Connection accepted");
}

/* DELETE /connections/reject/{connection_id}: 200; 404; 403 not mine;
 * 400 already accepted (disconnect instead). */
static void h_reject(struct req *r)
{
	reply_done(r, connection_reject(r->arena, r->user.id,
					(long)r->path_arg[0].i),
		   200, "Connection request rejected");
}

/* DELETE /connections/{connection_id}: 200; 404; 403 not mine. */
static void h_disconnect(struct req *r)
{
	reply_done(r, connection_remove(r->arena, r->user.id,
					(long)r->path_arg[0].i),
		   200, "Disconnected successfully");
}

/*
 * The other person of the accepted connection in the path, or -1 after
 * replying 404 (none, or not accepted) or 403 (not mine).
 */
static long connection_target(struct req *r)
{
	long other;
	enum result res = connection_other(r->arena, r->user.id,
					   (long)r->path_arg[0].i, &other);

	if (res != RES_OK) {
		reply_result(r, res);
		return -1;
	}
	return other;
}

/* GET /connections/{connection_id}/tags: 200 [Tag] I put on the other
 * person; 404 no such accepted connection; 403 not mine. */
static void h_connection_tags(struct req *r)
{
	long other = connection_target(r);
	PGresult *res;
	enum result rr;

	if (other < 0)
		return;
	if ((rr = tag_list_on(r->arena, r->user.id, other, &res)) != RES_OK)
		reply_result(r, rr);
	else
		reply_json(r, 200, tag_list_json(res));
}

/*
 * POST /connections/{connection_id}/tags {"tag_id"}: 201; 404 no such
 * accepted connection or not my tag; 403 not mine; 409 already tagged.
 */
static void h_connection_tag_add(struct req *r)
{
	long other = connection_target(r);

	if (other < 0)
		return;
	reply_done(r, tag_put_on(r->arena, r->user.id, other,
				 (long)r->arg[TAG_ID].i),
		   201, "Tag added to connection");
}

/*
 * DELETE /connections/{connection_id}/tags/{tag_id}: 200, and the tag is
 * deleted when nothing uses it any more; 404 no such accepted connection,
 * not my tag, or not on this person; 403 not mine.
 */
static void h_connection_tag_remove(struct req *r)
{
	long other = connection_target(r);
	int deleted = 0;
	enum result res;

	if (other < 0)
		return;
	res = tag_take_off(r->arena, r->user.id, other, (long)r->path_arg[1].i,
			   &deleted);
	reply_done(r, res, 200, deleted
		   ? "Tag removed from connection and deleted (no longer in use)"
		   : "Tag removed from connection");
}

/* A percentage rounded to one decimal, printed as such ("33.3"). */
static json_object *percent_json(long long part, long long whole)
{
	double v = whole > 0 ? (double)part * 100.0 / (double)whole : 0.0;
	char buf[32];

	snprintf(buf, sizeof(buf), "%.1f", v);
	return json_object_new_double_s(v, buf);
}

/* GET /insights/connections: 200 counts and tag distribution, one
 * statement. */
static void h_insights(struct req *r)
{
	PGresult *res;
	enum result rr = connection_insights(r->arena, r->user.id, &res);
	json_object *o, *dist;
	long long current;
	int i;

	if (rr != RES_OK) {
		reply_result(r, rr);
		return;
	}
	current = db_get_int(res, 0, 0);
	dist = json_object_new_array();
	for (i = 0; i < PQntuples(res) && !PQgetisnull(res, i, 1); i++) {
		json_object *t = json_object_new_object();
		long long n = db_get_int(res, i, 4);

		jv_put(t, "tag_id", json_object_new_int64(db_get_int(res, i, 1)));
		jv_put(t, "tag_name", jv_str(db_get_str(res, i, 2)));
		jv_put(t, "color_scheme", json_object_new_string(
			db_get_str(res, i, 3) ? db_get_str(res, i, 3) : "generic"));
		jv_put(t, "count", json_object_new_int64(n));
		jv_put(t, "percentage", percent_json(n, current));
		json_object_array_add(dist, t);
	}
	o = json_object_new_object();
	jv_put(o, "current_connections", json_object_new_int64(current));
	jv_put(o, "max_connections", json_object_new_int64(cfg.max_connections));
	jv_put(o, "connection_percentage", percent_json(current, cfg.max_connections));
	jv_put(o, "tag_distribution", dist);
	reply_json(r, 200, o);
}

static const struct route routes[] = {
	{ M_GET, "/connections", h_list, AUTH_USER, BODY_NONE, NULL },
	{ M_GET, "/connections/requests/incoming", h_incoming, AUTH_USER,
	  BODY_NONE, NULL },
	{ M_GET, "/connections/requests/outgoing", h_outgoing, AUTH_USER,
	  BODY_NONE, NULL },
	{ M_POST, "/connections/request/{recipient_id:int}", h_request,
	  AUTH_USER, BODY_NONE, NULL },
	{ M_POST, "/connections/accept/{connection_id:int}", h_accept,
	  AUTH_USER, BODY_NONE, NULL },
	{ M_DELETE, "/connections/reject/{connection_id:int}", h_reject,
	  AUTH_USER, BODY_NONE, NULL },
	{ M_DELETE, "/connections/{connection_id:int}", h_disconnect,
	  AUTH_USER, BODY_NONE, NULL },
	{ M_GET, "/connections/{connection_id:int}/tags", h_connection_tags,
	  AUTH_USER, BODY_NONE, NULL },
	{ M_POST, "/connections/{connection_id:int}/tags", h_connection_tag_add,
	  AUTH_USER, BODY_JSON, tag_fields },
	{ M_DELETE, "/connections/{connection_id:int}/tags/{tag_id:int}",
	  h_connection_tag_remove, AUTH_USER, BODY_NONE, NULL },
	{ M_GET, "/insights/connections", h_insights, AUTH_USER, BODY_NONE, NULL },
};
const struct route_group connections_routes = ROUTE_GROUP(routes);
