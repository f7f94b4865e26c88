/*
 * Where photos and avatars live: one small interface, two backends chosen
 * by STORAGE_BACKEND.
 *
 *   local  files under MEDIA_DIR, written to a temporary file, synced and
 *          renamed into place; nginx serves them from an internal location
 *          (MEDIA_ACCEL_PREFIX) once the responder has authorised the
 *          request and answered with X-Accel-Redirect.
 *   s3     any S3-compatible service (Cloudflare R2, AWS S3, MinIO): PUT,
 *          DELETE and listing through libcurl signed with SigV4, and
 *          presigned GET URLs (lib/sigv4.c) for a 302.
 *
 * Keys are storage-relative paths such as posts/photos/7/42/x.jpg; every
 * call refuses a key that could leave the store ("..", absolute, "//",
 * characters outside [A-Za-z0-9._/-]).
 */
#ifndef STORAGE_H
#define STORAGE_H

#include <stddef.h>

#include "result.h"

struct arena;

/* The Cache-Control of a stored object: private, a year, immutable (6.6). */
#define STORAGE_OBJECT_CACHE_CONTROL "private, max-age=31536000, immutable"

/* How GET /images/{key} hands out an object: exactly one is set. */
struct storage_location {
	const char *accel_path;		/* local: for X-Accel-Redirect */
	const char *url;		/* s3: presigned URL for a 302 */
};

/*
 * Stores len bytes under key, replacing nothing (keys are unique).
 * RES_OK; RES_STORAGE_FULL (507) when the disk is full; RES_UNAVAILABLE
 * (503) for any other storage failure, details logged; RES_NOT_FOUND for
 * a key that breaks the rules above.
 */
enum result storage_put(struct arena *a, const char *key, const void *data,
			size_t len, const char *content_type);

/* Deletes key; a key already gone is RES_OK.  Failures as storage_put. */
enum result storage_delete(struct arena *a, const char *key);

/*
 * Deletes each key, best effort: for objects whose rows are gone (after
 * the commit that removed a post or replaced an avatar) and for objects
 * stored by a request whose transaction then failed.  Failures are logged
 * only; `intentionalctl media gc` finds and removes what is left.  NULL
 * entries are skipped.  fail_detail() is left as it was.  Returns the
 * number of failures.
 */
int storage_delete_keys(struct arena *a, const char *const *keys, int n);

/* How to serve key (no existence check). */
enum result storage_locate(struct arena *a, const char *key,
			   struct storage_location *out);

/*
 * Calls fn for every object whose key starts with prefix + "/", with its
 * age in seconds; fn returns 0 to go on.  For the garbage collector.
 */
typedef int storage_list_fn(const char *key, long age_seconds, void *ctx);
enum result storage_list(struct arena *a, const char *prefix,
			 storage_list_fn *fn, void *ctx);

/* Whether key is a safe storage-relative path (see above). */
int storage_key_safe(const char *key);

#endif
