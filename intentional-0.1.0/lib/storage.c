#include <string.h>

#include "arena.h"
#include "config.h"
#include "log.h"
#include "storage_backend.h"

int storage_key_safe(const char *key)
{
	const char *s;

	if (key == NULL || *key == '\0' || *key == '/' || *key == '.' ||
	    strstr(key, "..") != NULL || strstr(key, "//") != NULL ||
	    strstr(key, "/.") != NULL)
		return 0;
	for (s = key; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		      *s == '.' || *s == '/'))
			return 0;
	return s[-1] != '/';
}

static const struct storage_backend *backend(void)
{
	return strcmp(cfg.storage_backend, "s3") == 0 ? &storage_s3
						       : &storage_local;
}

static enum result bad_key(void)
{
	return fail_with(RES_NOT_FOUND, "image not found");
}

enum result storage_put(struct arena *a, const char *key, const void *data,
			size_t len, const char *content_type)
{
	if (!storage_key_safe(key))
		return bad_key();
	return backend()->put(a, key, data, len, content_type);
}

enum result storage_delete(struct arena *a, const char *key)
{
	if (!storage_key_safe(key))
		return bad_key();
	return backend()->del(a, key);
}

/* Keeps the caller's failure detail: it often runs while a request is
 * failing for another reason, which the client must still be told. */
int storage_delete_keys(struct arena *a, const char *const *keys, int n)
{
	const char *detail = arena_strdup(a, fail_detail());
	int i, failed = 0;

	for (i = 0; i < n; i++)
		if (keys[i] != NULL && storage_delete(a, keys[i]) != RES_OK) {
			log_error("could not delete stored object %s (media gc"
				  " will retry): %s", keys[i], fail_detail());
			failed++;
		}
	fail_with(RES_OK, detail);
	return failed;
}

enum result storage_locate(struct arena *a, const char *key,
			   struct storage_location *out)
{
	memset(out, 0, sizeof(*out));
	if (!storage_key_safe(key))
		return bad_key();
	return backend()->locate(a, key, out);
}

enum result storage_list(struct arena *a, const char *prefix,
			 storage_list_fn *fn, void *ctx)
{
	if (!storage_key_safe(prefix))
		return bad_key();
	return backend()->list(a, prefix, fn, ctx);
}
