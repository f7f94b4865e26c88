#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "reply.h"
#include "request.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int percent_decode(char *s, int plus_is_space)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		if (*s == '%') {
			int hi = hexval((unsigned char)s[1]), lo;

			if (hi < 0 || (lo = hexval((unsigned char)s[2])) < 0 ||
			    (hi == 0 && lo == 0))
				return -1;
			*out++ = (char)(hi * 16 + lo);
			s += 2;
		} else if (*s == '+' && plus_is_space) {
			*out++ = ' ';
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
	return 0;
}

const char *req_param(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgx->envp);
}

const char *req_query(const struct req *r, const char *name)
{
	int i;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].name, name) == 0)
			return r->query[i].value;
	return NULL;
}

static const char *const method_names[] = {
	[M_GET] = "GET", [M_POST] = "POST", [M_PUT] = "PUT",
	[M_DELETE] = "DELETE", [M_OPTIONS] = "OPTIONS", [M_HEAD] = "HEAD",
	[M_OTHER] = "OTHER",
};

const char *method_str(enum method m)
{
	return method_names[m];
}

static enum method parse_method(const char *m)
{
	int i;

	for (i = 0; i < M_OTHER; i++)
		if (strcmp(m, method_names[i]) == 0)
			return (enum method)i;
	return M_OTHER;
}

int form_decode(struct arena *a, const char *text, struct kv *out, int max)
{
	char *copy = arena_strdup(a, text), *save = NULL, *pair;
	int n = 0;

	for (pair = strtok_r(copy, "&", &save); pair != NULL;
	     pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');

		if (n == max)
			return -1;
		if (eq != NULL)
			*eq = '\0';
		if (percent_decode(pair, 1) < 0 ||
		    (eq != NULL && percent_decode(eq + 1, 1) < 0))
			return -1;
		out[n].name = pair;
		out[n++].value = eq ? eq + 1 : "";
	}
	return n;
}

/* Path = REQUEST_URI up to '?', still percent-encoded (the router decodes
 * each parameter, so an encoded '/' cannot split a segment). */
static const char *raw_path(struct req *r)
{
	const char *uri = req_param(r, "REQUEST_URI");
	const char *q;

	if (uri == NULL || *uri != '/')
		uri = req_param(r, "DOCUMENT_URI");
	if (uri == NULL || *uri != '/')
		return NULL;
	q = strchr(uri, '?');
	return q ? arena_strndup(r->arena, uri, (size_t)(q - uri)) : uri;
}

int req_parse(struct req *r)
{
	const char *m = req_param(r, "REQUEST_METHOD");
	const char *qs = req_param(r, "QUERY_STRING");
	const char *cl = req_param(r, "CONTENT_LENGTH");

	r->method_name = m ? m : "GET";
	r->method = parse_method(r->method_name);
	r->origin = req_param(r, "HTTP_ORIGIN");
	r->authorization = req_param(r, "HTTP_AUTHORIZATION");
	r->content_type = req_param(r, "CONTENT_TYPE");
	r->acr_headers = req_param(r, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS");
	r->remote_addr = req_param(r, "REMOTE_ADDR");
	r->content_length = 0;
	if (cl != NULL && *cl != '\0') {
		char *end;

		errno = 0;
		r->content_length = strtoll(cl, &end, 10);
		if (errno != 0 || *end != '\0' || r->content_length < 0) {
			r->path = "/";
			reply_detail(r, 400, "invalid Content-Length");
			return -1;
		}
	}
	r->path = raw_path(r);
	if (r->path == NULL) {
		r->path = "/";
		reply_detail(r, 400, "invalid request URI");
		return -1;
	}
	if (qs != NULL &&
	    (r->nquery = form_decode(r->arena, qs, r->query, MAX_QUERY_PARAMS)) < 0) {
		r->nquery = 0;
		reply_detail(r, 400, "malformed query string");
		return -1;
	}
	return 0;
}

/*
 * nginx buffers the whole body and sends CONTENT_LENGTH, so a body over the
 * limit is refused before a byte is read; the count of bytes actually read
 * is bounded too, in case a front end streams without a length.
 */
int req_read_body(struct req *r, long limit, char **body, size_t *len)
{
	size_t cap, got = 0;
	char *buf;
	int n;

	if (r->content_length > limit) {
		reply_detail(r, 413, "request body too large");
		return -1;
	}
	cap = (size_t)r->content_length;
	buf = arena_alloc(r->arena, cap + 1);
	while (got < cap &&
	       (n = FCGX_GetStr(buf + got, (int)(cap - got), r->fcgx->in)) > 0)
		got += (size_t)n;
	if (got < cap) {
		reply_detail(r, 400, "request body shorter than Content-Length");
		return -1;
	}
	if (FCGX_GetChar(r->fcgx->in) != EOF) {
		reply_detail(r, 413, "request body too large");
		return -1;
	}
	buf[got] = '\0';
	*body = buf;
	*len = got;
	return 0;
}
