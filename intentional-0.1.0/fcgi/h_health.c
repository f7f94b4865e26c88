#include <string.h>

#include "db.h"
#include "handlers.h"
#include "jsonv.h"
#include "metrics.h"
#include "reply.h"

/*
 * {"status": status, key: value} from the pair [down, up] chosen by whether
 * the database answers: 200 when it does, else 503 with a detail.
 */
static void reply_health(struct req *r, const char *const status[2],
			 const char *key, const char *const value[2])
{
	int up = db_ping(r->arena) == RES_OK;
	json_object *o = json_object_new_object();

	jv_put(o, "status", json_object_new_string(status[up]));
	jv_put(o, key, json_object_new_string(value[up]));
	if (!up)
		jv_put(o, "detail", json_object_new_string("database unavailable"));
	reply_json(r, up ? 200 : 503, o);
}

static const char *const connected[2] = { "disconnected", "connected" };

/* GET /health: 200 {"status":"ok","database":"connected"}, else 503. */
static void h_health(struct req *r)
{
	static const char *const status[2] = { "unavailable", "ok" };

	reply_health(r, status, "database", connected);
}

/* GET /health/db: 200 healthy/connected, 503 unhealthy/disconnected. */
static void h_health_db(struct req *r)
{
	static const char *const status[2] = { "unhealthy", "healthy" };

	reply_health(r, status, "database", connected);
}

/* GET /health of the moderation service: 200, or 503 without a database. */
static void h_moderation_health(struct req *r)
{
	static const char *const status[2] = { "unavailable", "ok" };
	static const char *const service[2] = { "observability-backend",
						"observability-backend" };

	reply_health(r, status, "service", service);
}

/* GET /metrics: Prometheus text for all responders of this service.
 * nginx lets only loopback (or an allow-list) reach it. */
static void h_metrics(struct req *r)
{
	const char *text = metrics_render(r->arena);

	reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", text,
		  strlen(text));
}

static const struct route routes[] = {
	{ M_GET, "/health", h_health, AUTH_NONE, BODY_NONE, NULL },
	{ M_GET, "/health/db", h_health_db, AUTH_NONE, BODY_NONE, NULL },
	{ M_GET, "/metrics", h_metrics, AUTH_NONE, BODY_NONE, NULL },
};
const struct route_group health_routes = ROUTE_GROUP(routes);

static const struct route moderation_routes[] = {
	{ M_GET, "/health", h_moderation_health, AUTH_NONE, BODY_NONE, NULL },
	{ M_GET, "/metrics", h_metrics, AUTH_NONE, BODY_NONE, NULL },
};
const struct route_group moderation_health_routes = ROUTE_GROUP(moderation_routes);
