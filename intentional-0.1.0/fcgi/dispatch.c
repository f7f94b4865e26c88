#include <time.h>

#include "cors.h"
#include "db.h"
#include "dispatch.h"
#include "log.h"
#include "metrics.h"
#include "reply.h"
#include "route.h"

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void route_and_handle(struct req *r, const struct route_table *t)
{
	if (req_parse(r) < 0 || cors_preflight(r))
		return;
	switch (route_match(t, r)) {
	case MATCH_NO_PATH:
		reply_detail(r, 404, "Not Found");
		return;
	case MATCH_NO_METHOD:
		reply_header(r, "Allow", r->allow);
		reply_detail(r, 405, "Method Not Allowed");
		return;
	case MATCH_OK:
		break;
	}
	if (authenticate(r) < 0 || validate_request(r) < 0)
		return;
	r->route->handler(r);
	if (!r->responded) {
		log_error("handler for %s sent no response", t->labels[r->route_index]);
		reply_detail(r, 500, "internal error");
	}
}

void dispatch(struct req *r, const struct route_table *t)
{
	double start = now_seconds(), elapsed;
	unsigned long db_errors = db_error_count();

	r->route_index = t->count;	/* "unmatched" until routed */
	db_request_begin();
	route_and_handle(r, t);
	db_request_end();
	elapsed = now_seconds() - start;
	metrics_observe(r->route_index, r->status, elapsed);
	metrics_db_errors(db_error_count() - db_errors);
	log_request(r->method_name, r->path, r->status, elapsed * 1000.0,
		    r->user.id, db_statement_count());
}
