/*
 * The query parameters of post lists (feed, profile): skip/limit offset
 * paging as the client uses it, and the keyset cursor before/before_id for
 * stable paging while new posts arrive.  Route field tables start with
 * PAGE_FIELDS so that page_args() finds them at the same indexes.
 */
#ifndef PAGING_H
#define PAGING_H

#include "posts.h"
#include "route.h"

/* Deep offsets are slow and the cursor serves them better. */
#define PAGE_MAX_SKIP 10000
#define PAGE_MAX_LIMIT 100

enum { PG_SKIP, PG_LIMIT, PG_BEFORE, PG_BEFORE_ID, PG_NFIELDS };

/* default_limit: text ("20"), or NULL for "all" (profile lists). */
#define PAGE_FIELDS(default_limit) \
	[PG_SKIP] = { "skip", F_INT, 0, 0, PAGE_MAX_SKIP, "0" }, \
	[PG_LIMIT] = { "limit", F_INT, 0, 1, PAGE_MAX_LIMIT, default_limit }, \
	[PG_BEFORE] = { "before", F_TIMESTAMP, 0, 0, 0, NULL }, \
	[PG_BEFORE_ID] = { "before_id", F_INT, 0, 1, 2147483647, NULL }

/*
 * Fills *page from r->arg.  Returns 0, or -1 after replying 422 when
 * before_id comes without before.
 */
int page_args(struct req *r, struct post_page *page);

#endif
