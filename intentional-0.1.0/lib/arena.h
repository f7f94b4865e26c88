/*
 * Per-request memory: a bump allocator released in one call at the end of
 * each request, with cleanup hooks for what other libraries allocate
 * (PGresult, json_object) so nothing allocated during a request outlives it.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena;

typedef void arena_cleanup_fn(void *);

struct arena *arena_new(void);
void arena_free(struct arena *a);
void arena_reset(struct arena *a);

void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t count, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Runs fn(ptr) at the next arena_reset() or arena_free(), newest first. */
void arena_defer(struct arena *a, arena_cleanup_fn *fn, void *ptr);

#endif
