/*
 * Sending the response.  Every response other than 204, redirects and
 * pre-flights carries a JSON body; errors are {"detail": "..."} (422 has a
 * list of {"type","loc","msg","input"} as FastAPI does).
 */
#ifndef REPLY_H
#define REPLY_H

#include <json-c/json.h>
#include <stddef.h>

#include "result.h"

struct arena;
struct pg_result;
struct req;

/* Adds a response header; name and value must outlive the request. */
void reply_header(struct req *r, const char *name, const char *value);

/* Sends obj (which the reply takes ownership of) with status. */
void reply_json(struct req *r, int status, json_object *obj);
void reply_detail(struct req *r, int status, const char *detail);

/* The status and detail of a failed library call (fail_with()). */
void reply_result(struct req *r, enum result res);

/*
 * 200 with [row_json(r, res, i) for each row], or the failure rr (res is
 * not read then).  For handlers that render one lib query.
 */
void reply_rows(struct req *r, enum result rr, const struct pg_result *res,
		json_object *(*row_json)(struct req *r,
					 const struct pg_result *res, int row));

/*
 * The outcome of a library call that builds a body: obj with status when
 * res is RES_OK, else the failure (reply_result()).
 */
void reply_outcome(struct req *r, enum result res, int status, json_object *obj);

/* A library call answering for viewer about one id (a post or comment). */
typedef enum result id_call_fn(struct arena *a, long viewer, long id,
			       json_object **out);

/* 200 with what fn(caller, first path parameter) built, else its failure. */
void reply_id_call(struct req *r, id_call_fn *fn);

/* 422 with a list of {"type","loc","msg","input"} built by the validators. */
void reply_validation_list(struct req *r, json_object *errors);

void reply_no_content(struct req *r);
void reply_redirect(struct req *r, int status, const char *location);
void reply_raw(struct req *r, int status, const char *content_type,
	       const char *body, size_t len);

#endif
