#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "cors.h"
#include "db.h"
#include "jsonv.h"
#include "reply.h"
#include "request.h"

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 302: return "Found";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	default: return "Unknown";
	}
}

void reply_header(struct req *r, const char *name, const char *value)
{
	if (r->nheaders == MAX_RESP_HEADERS || strpbrk(value, "\r\n") != NULL)
		return;
	r->headers[r->nheaders].name = name;
	r->headers[r->nheaders++].value = value;
}

/* The one place that writes to the FastCGI stream. */
static void send_response(struct req *r, int status, const char *ctype,
			  const char *body, size_t len)
{
	FCGX_Stream *out = r->fcgx->out;
	int i;

	if (r->responded)
		return;
	r->responded = 1;
	r->status = status;
	cors_add_headers(r);
	/* only with DEBUG_STATEMENTS: the tests assert it, production hides it */
	if (cfg.debug_statements)
		reply_header(r, "X-Statement-Count",
			     arena_printf(r->arena, "%d", db_statement_count()));
	FCGX_FPrintF(out, "Status: %d %s\r\n", status, reason(status));
	/* libfcgi has its own printf, which knows no %z */
	if (ctype != NULL)
		FCGX_FPrintF(out, "Content-Type: %s\r\nContent-Length: %lu\r\n",
			     ctype, (unsigned long)len);
	for (i = 0; i < r->nheaders; i++)
		FCGX_FPrintF(out, "%s: %s\r\n", r->headers[i].name,
			     r->headers[i].value);
	FCGX_PutS("\r\n", out);
	if (len > 0 && r->method != M_HEAD)
		FCGX_PutStr(body, (int)len, out);
}

void reply_raw(struct req *r, int status, const char *content_type,
	       const char *body, size_t len)
{
	send_response(r, status, content_type, body, len);
}

void reply_json(struct req *r, int status, json_object *obj)
{
	size_t len;
	const char *text;

	jv_owned(r->arena, obj);
	text = jv_render(r->arena, obj, &len);
	send_response(r, status, "application/json", text, len);
}

void reply_detail(struct req *r, int status, const char *detail)
{
	json_object *obj = json_object_new_object();

	jv_put(obj, "detail", json_object_new_string(detail));
	if (status == 401)
		reply_header(r, "WWW-Authenticate", "Bearer");
	reply_json(r, status, obj);
}

void reply_result(struct req *r, enum result res)
{
	int status = result_http_status(res);

	if (status == 403 && r->user.id != 0 && r->user.is_banned)
		reply_header(r, "WWW-Authenticate", "Bearer");
	if (status == 503)
		reply_header(r, "Retry-After", "1");
	if (status == 422) {	/* a rule on the body's values: a list too */
		json_object *errors = json_object_new_array();
		json_object *err = json_object_new_object();
		json_object *loc = json_object_new_array();

		json_object_array_add(loc, json_object_new_string("body"));
		jv_put(err, "type", json_object_new_string("value_error"));
		jv_put(err, "loc", loc);
		jv_put(err, "msg", json_object_new_string(fail_detail()));
		jv_put(err, "input", NULL);
		json_object_array_add(errors, err);
		reply_validation_list(r, errors);
		return;
	}
	reply_detail(r, status, fail_detail());
}

void reply_rows(struct req *r, enum result rr, const struct pg_result *res,
		json_object *(*row_json)(struct req *r,
					 const struct pg_result *res, int row))
{
	json_object *list;
	int i;

	if (rr != RES_OK) {
		reply_result(r, rr);
		return;
	}
	list = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++)
		json_object_array_add(list, row_json(r, res, i));
	reply_json(r, 200, list);
}

void reply_outcome(struct req *r, enum result res, int status, json_object *obj)
{
	if (res == RES_OK)
		reply_json(r, status, obj);
	else
		reply_result(r, res);
}

void reply_id_call(struct req *r, id_call_fn *fn)
{
	json_object *out = NULL;
	enum result res = fn(r->arena, r->user.id, r->path_arg[0].i, &out);

	reply_outcome(r, res, 200, out);
}

void reply_validation_list(struct req *r, json_object *errors)
{
	json_object *obj = json_object_new_object();

	jv_put(obj, "detail", errors);
	reply_json(r, 422, obj);
}

void reply_no_content(struct req *r)
{
	send_response(r, 204, NULL, NULL, 0);
}

void reply_redirect(struct req *r, int status, const char *location)
{
	reply_header(r, "Location", location);
	send_response(r, status, NULL, NULL, 0);
}
