#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK (16 * 1024)
#define ARENA_ALIGN 16

struct chunk {
	struct chunk *next;
	size_t size;
	size_t used;
	unsigned char data[] __attribute__((aligned(ARENA_ALIGN)));
};

struct cleanup {
	struct cleanup *next;
	arena_cleanup_fn *fn;
	void *ptr;
};

struct arena {
	struct chunk *head;	/* the chunk being filled; older ones follow */
	struct cleanup *cleanups;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		fputs("out of memory\n", stderr);
		abort();
	}
	return p;
}

static struct chunk *chunk_new(size_t min)
{
	size_t size = min > ARENA_CHUNK ? min : ARENA_CHUNK;
	struct chunk *c = xmalloc(sizeof(*c) + size);

	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *arena_new(void)
{
	struct arena *a = xmalloc(sizeof(*a));

	a->head = chunk_new(ARENA_CHUNK);
	a->cleanups = NULL;
	return a;
}

static void run_cleanups(struct arena *a)
{
	while (a->cleanups != NULL) {
		struct cleanup *c = a->cleanups;

		a->cleanups = c->next;
		c->fn(c->ptr);
	}
}

/*
 * Keeps the first chunk so that a responder in steady state does not call
 * malloc for small requests at all; larger requests give their extra chunks
 * back to the system so RSS stays flat.
 */
void arena_reset(struct arena *a)
{
	struct chunk *c, *next;

	run_cleanups(a);
	for (c = a->head; c->next != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = c;
	if (c->size > ARENA_CHUNK) {
		free(c);
		a->head = chunk_new(ARENA_CHUNK);
	}
	a->head->used = 0;
}

void arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->head);
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t at = (c->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (n > SIZE_MAX - ARENA_ALIGN) {
		fputs("arena: allocation too large\n", stderr);
		abort();
	}
	if (at + n > c->size) {
		c = chunk_new(n);
		c->next = a->head;
		a->head = c;
		at = 0;
	}
	c->used = at + n;
	return c->data + at;
}

void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size) {
		fputs("arena: allocation too large\n", stderr);
		abort();
	}
	p = arena_alloc(a, count * size);
	memset(p, 0, count * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_defer(struct arena *a, arena_cleanup_fn *fn, void *ptr)
{
	struct cleanup *c = arena_alloc(a, sizeof(*c));

	c->fn = fn;
	c->ptr = ptr;
	c->next = a->cleanups;
	a->cleanups = c;
}
