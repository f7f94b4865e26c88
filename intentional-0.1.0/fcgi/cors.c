#include <string.h>

#include "config.h"
#include "cors.h"
#include "csvlist.h"
#include "reply.h"
#include "request.h"

#define ALLOWED_METHODS "GET, POST, PUT, DELETE, OPTIONS"

static int origin_allowed(const struct req *r)
{
	return csv_contains(r->moderation ? cfg.moderation_cors_origins
					  : cfg.cors_origins, r->origin, 0);
}

void cors_add_headers(struct req *r)
{
	reply_header(r, "Vary", "Origin");
	if (!origin_allowed(r))
		return;
	reply_header(r, "Access-Control-Allow-Origin", r->origin);
	reply_header(r, "Access-Control-Allow-Credentials", "true");
	reply_header(r, "Access-Control-Expose-Headers", "*");
}

int cors_preflight(struct req *r)
{
	if (r->method != M_OPTIONS || r->origin == NULL ||
	    req_param(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD") == NULL)
		return 0;
	if (!origin_allowed(r)) {
		reply_raw(r, 400, "text/plain; charset=utf-8",
			  "Disallowed CORS origin", 22);
		return 1;
	}
	reply_header(r, "Access-Control-Allow-Methods", ALLOWED_METHODS);
	if (r->acr_headers != NULL)
		reply_header(r, "Access-Control-Allow-Headers", r->acr_headers);
	reply_header(r, "Access-Control-Max-Age", "600");
	reply_raw(r, 200, "text/plain; charset=utf-8", "OK", 2);
	return 1;
}
