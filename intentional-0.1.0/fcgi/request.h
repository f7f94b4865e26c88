/*
 * One HTTP request as the responder sees it, and the response being built.
 * Everything hangs off the per-request arena.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include <fcgiapp.h>
#include <json-c/json.h>
#include <stddef.h>

#include "users.h"

struct arena;
struct route;

enum method { M_GET, M_POST, M_PUT, M_DELETE, M_OPTIONS, M_HEAD, M_OTHER };

#define MAX_QUERY_PARAMS 64
#define MAX_PATH_PARAMS 4
#define MAX_FIELDS 16
#define MAX_RESP_HEADERS 16

struct kv {
	const char *name;
	const char *value;
};

/* A validated input value (path parameter, query parameter or body field). */
struct value {
	int present;		/* 0 = absent (or JSON null for nullable fields) */
	long long i;
	const char *s;
	long long *list;	/* F_INT_LIST */
	size_t nlist;
	int b;
};

struct req {
	struct arena *arena;
	FCGX_Request *fcgx;

	enum method method;
	const char *method_name;
	const char *path;		/* raw path, without the query */
	struct kv query[MAX_QUERY_PARAMS];
	int nquery;
	struct kv form[MAX_QUERY_PARAMS];	/* BODY_FORM routes */
	int nform;
	const char *origin;
	const char *authorization;
	const char *content_type;
	const char *acr_headers;	/* Access-Control-Request-Headers */
	const char *remote_addr;
	long long content_length;
	int moderation;			/* served by the moderation service */

	/* filled by the router and the validators */
	const struct route *route;
	int route_index;
	const char *allow;		/* methods of the path, when not r->method */
	struct value path_arg[MAX_PATH_PARAMS];
	struct value arg[MAX_FIELDS];	/* query or body fields, by field index */
	json_object *body;		/* parsed JSON body, if any */

	/* filled by authentication */
	struct user user;

	/* the response */
	int status;
	struct kv headers[MAX_RESP_HEADERS];
	int nheaders;
	int responded;
};

const char *method_str(enum method m);

/* Fills r from the FastCGI parameters; returns 0, or -1 with an error sent. */
int req_parse(struct req *r);

const char *req_param(const struct req *r, const char *name);
const char *req_query(const struct req *r, const char *name);

/*
 * Reads the body into the arena, at most limit bytes.  Returns 0, or -1
 * after replying 413 (too large) or 400 (short read).
 */
int req_read_body(struct req *r, long limit, char **body, size_t *len);

/*
 * Splits "a=1&b=x%20y" (a query string, or an
 * application/x-www-form-urlencoded body) into at most max decoded pairs
 * in the arena.  Returns their number, or -1 for a malformed escape or too
 * many pairs.
 */
int form_decode(struct arena *a, const char *text, struct kv *out, int max);

/* Percent-decodes in place; '+' becomes ' ' when plus_is_space.
 * Returns -1 on a malformed escape or an encoded NUL. */
int percent_decode(char *s, int plus_is_space);

#endif
