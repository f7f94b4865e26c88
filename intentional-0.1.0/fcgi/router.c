#include <string.h>

#include "arena.h"
#include "route.h"

/* Length of the path without one trailing slash ("/" stays "/"). */
static size_t trimmed_len(const char *p)
{
	size_t n = strlen(p);

	return (n > 1 && p[n - 1] == '/') ? n - 1 : n;
}

static size_t segment_len(const char *s, size_t left)
{
	const char *slash = memchr(s, '/', left);

	return slash ? (size_t)(slash - s) : left;
}

/*
 * Compares the path with a pattern segment by segment.  A parameter matches
 * any non-empty segment ({key:path}: all that is left); its type is checked
 * later, so "/posts/abc" reaches DELETE /posts/{post_id:int} and gets 422,
 * as in FastAPI.  Raw segments go to r->path_arg[i].s.
 */
static int match_pattern(const char *pat, const char *path, size_t plen,
			 struct req *r)
{
	size_t patlen = trimmed_len(pat), pi = 0, xi = 0;
	int nargs = 0;

	while (pi < patlen && xi < plen) {
		size_t ps = segment_len(pat + pi, patlen - pi);
		size_t xs = segment_len(path + xi, plen - xi);

		if (pat[pi] == '{') {
			int rest = ps >= 6 && memcmp(pat + pi + ps - 6, ":path}", 6) == 0;

			if (rest)
				xs = plen - xi;
			if (xs == 0 || nargs == MAX_PATH_PARAMS)
				return 0;
			r->path_arg[nargs].s = arena_strndup(r->arena, path + xi, xs);
			r->path_arg[nargs++].present = 1;
		} else if (ps != xs || memcmp(pat + pi, path + xi, ps) != 0) {
			return 0;
		}
		pi += ps;
		xi += xs;
		if (pi < patlen && xi < plen && pat[pi] == '/' && path[xi] == '/') {
			pi++;
			xi++;
		}
	}
	return pi == patlen && xi == plen;
}

/* Adds m to the comma-separated r->allow (for the Allow header of a 405). */
static void allow_method(struct req *r, enum method m)
{
	r->allow = r->allow ? arena_printf(r->arena, "%s, %s", r->allow, method_str(m))
			    : method_str(m);
}

enum match route_match(const struct route_table *t, struct req *r)
{
	size_t plen = trimmed_len(r->path);
	int i;

	r->allow = NULL;
	for (i = 0; i < t->count; i++) {
		const struct route *rt = &t->routes[i];

		if (!match_pattern(rt->pattern, r->path, plen, r))
			continue;
		allow_method(r, rt->method);
		if (rt->method == r->method ||
		    (r->method == M_HEAD && rt->method == M_GET)) {
			r->route = rt;
			r->route_index = i;
			return MATCH_OK;
		}
	}
	return r->allow ? MATCH_NO_METHOD : MATCH_NO_PATH;
}
