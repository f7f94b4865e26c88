/*
 * The route table is data: method, path pattern, who may call, what body it
 * takes, the fields to validate, and the handler.  Patterns name typed path
 * parameters: {post_id:int}, {username:str} (one segment), {key:path} (the
 * rest of the path).  A trailing slash is optional on every pattern.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include "request.h"

enum auth {
	AUTH_NONE,
	AUTH_USER,		/* Bearer token of a member who is not banned */
	AUTH_USER_OR_QUERY,	/* also ?token= (for <img src>) */
	AUTH_MODERATOR,		/* member whose email is on MODERATOR_EMAILS */
};

enum body {
	BODY_NONE,		/* whatever arrives is ignored */
	BODY_JSON,		/* a JSON object is required */
	BODY_JSON_OPTIONAL,	/* a JSON object, or nothing */
	BODY_RAW,		/* the handler reads the stream (multipart) */
	BODY_FORM,		/* application/x-www-form-urlencoded fields */
};

enum ftype {
	F_INT,			/* JSON integer, or decimal text in a query */
	F_STR,			/* string (valid UTF-8, no NUL) */
	F_BOOL,			/* JSON boolean, or true/false in a query */
	F_INT_LIST,		/* JSON array of integers */
	F_CSV_INTS,		/* query text "1,2,3" (empty items ignored) */
	F_TIMESTAMP,		/* ISO-8601 date-time; s becomes a timestamp literal */
};

#define REQUIRED 0x1
#define NULLABLE 0x2

/*
 * For F_INT, min..max bound the value; for F_STR, the length in code
 * points; for lists, the number of items.  min == max == 0: no bound.
 */
struct field {
	const char *name;
	enum ftype type;
	unsigned flags;
	long long min, max;
	const char *def;	/* default text for absent query fields */
};

typedef void handler_fn(struct req *r);

struct route {
	enum method method;
	const char *pattern;
	handler_fn *handler;
	enum auth auth;
	enum body body;
	const struct field *fields;	/* body fields for JSON and form bodies,
					   else query */
};

/* The routes of one h_*.c file, in match order (literal paths first). */
struct route_group {
	const struct route *routes;
	int count;
};

#define ROUTE_GROUP(array) { array, (int)(sizeof(array) / sizeof(array[0])) }

/* A service: its groups, flattened at start into one table. */
struct route_table {
	const struct route_group *const *groups;	/* NULL-terminated */
	struct route *routes;
	int count;
	const char **labels;	/* "GET /feed", for metrics and logs */
};

extern struct route_table main_service, moderation_service;

/* Builds t->routes and t->labels from t->groups; once, at start. */
void route_table_init(struct route_table *t);
void route_table_free(struct route_table *t);

enum match { MATCH_OK, MATCH_NO_PATH, MATCH_NO_METHOD };

/* Finds the route of r->method and r->path, filling r->path_arg. */
enum match route_match(const struct route_table *t, struct req *r);

/*
 * Reads the JSON body if the route takes one, validates the path
 * parameters, query or body of r against its route and fills r->arg.
 * Returns 0, or -1 after replying (422, 413).
 */
int validate_request(struct req *r);

/* 422 for a required field that did not arrive, as FastAPI words it
 * (for handlers that read their own body: multipart forms). */
void reply_missing(struct req *r, const char *where, const char *name);

/* The validation step alone, on a parsed r->body: NULL when r is valid,
 * else the FastAPI-style list of errors. */
json_object *validate_fields(struct req *r);

#endif
