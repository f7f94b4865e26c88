/* The operations of one storage backend (lib/storage_local.c,
 * lib/storage_s3.c); lib/storage.c picks one and checks keys first. */
#ifndef STORAGE_BACKEND_H
#define STORAGE_BACKEND_H

#include "storage.h"

struct storage_backend {
	enum result (*put)(struct arena *a, const char *key, const void *data,
			   size_t len, const char *content_type);
	enum result (*del)(struct arena *a, const char *key);
	enum result (*locate)(struct arena *a, const char *key,
			      struct storage_location *out);
	enum result (*list)(struct arena *a, const char *prefix,
			    storage_list_fn *fn, void *ctx);
};

extern const struct storage_backend storage_local, storage_s3;

#endif
