/*
 * Photos and avatars over HTTP: the avatar upload (route 9) and the
 * authorised image URL (route 44).  The posts code stores photos through
 * lib/media.h itself.
 */
#include <string.h>

#include "arena.h"
#include "config.h"
#include "handlers.h"
#include "media.h"
#include "multipart.h"
#include "reply.h"
#include "users_json.h"

/*
 * PUT /auth/me/avatar, multipart/form-data with one file field "avatar":
 * 200 User with the new avatar mapped to /images/<key>; 400 "avatar
 * validation failed: ..." (rules of 6.6) or a malformed body; 413 over
 * MAX_BODY_BYTES; 422 without an avatar field; 503 or 507 when storage or
 * the database fails, and then nothing has changed.  The previous avatar
 * object is deleted only after the new key is committed.
 */
static void h_set_avatar(struct req *r)
{
	const struct mp_field form[] = {
		{ "avatar", MP_FILE, 1, (size_t)cfg.media_max_bytes },
		{ NULL, 0, 0, 0 },
	};
	struct mp_parser *p = req_read_multipart(r, form);
	const struct mp_part *part;
	struct image img;
	enum result res;

	if (p == NULL)
		return;
	if ((part = mp_get(p, "avatar", 0)) == NULL) {
		reply_missing(r, "body", "avatar");
		return;
	}
	res = media_prepare(r->arena, "avatar", part->data, part->len, part->size,
			    &img);
	if (res == RES_OK)
		res = media_replace_avatar(r->arena, &r->user, &img);
	if (res != RES_OK) {
		reply_result(r, res);
		return;
	}
	reply_json(r, 200, user_json(&r->user, 1));
}

/*
 * GET /images/{key}, token in ?token= or Authorization (401/403 from
 * authentication).  404 "image not found" for a key outside the grammar of
 * 6.6 (any %-escape included, so no encoded slash or dot gets through), a
 * photo of a post the caller may not see, or an avatar that is no
 * member's.  Local storage: 200 with the bytes sent by nginx from its
 * internal location (X-Accel-Redirect), cached privately for a year.
 * s3: 302 to a presigned URL, cacheable for STORAGE_REDIRECT_CACHE_MAX_AGE.
 * 503 when the database is down.
 */
static void h_image(struct req *r)
{
	const char *key = r->path_arg[0].s;
	struct storage_location loc;
	enum result res;

	if (strchr(r->path, '%') != NULL) {
		reply_detail(r, 404, "image not found");
		return;
	}
	if ((res = media_authorize(r->arena, r->user.id, key, &loc)) != RES_OK) {
		reply_result(r, res);
		return;
	}
	reply_header(r, "Vary", "Authorization");
	if (loc.url != NULL) {
		reply_header(r, "Cache-Control",
			     arena_printf(r->arena, "private, max-age=%ld",
					  cfg.redirect_cache_max_age));
		reply_redirect(r, 302, loc.url);
		return;
	}
	reply_header(r, "Content-Type", image_content_type_of(key));
	reply_header(r, "Cache-Control", STORAGE_OBJECT_CACHE_CONTROL);
	reply_header(r, "X-Accel-Redirect", loc.accel_path);
	reply_raw(r, 200, NULL, NULL, 0);
}

static const struct route routes[] = {
	{ M_PUT, "/auth/me/avatar", h_set_avatar, AUTH_USER, BODY_RAW, NULL },
	{ M_GET, "/images/{key:path}", h_image, AUTH_USER_OR_QUERY, BODY_NONE, NULL },
};
const struct route_group media_routes = ROUTE_GROUP(routes);
