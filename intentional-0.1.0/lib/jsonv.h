/*
 * Small helpers over json-c for building responses and reading bodies.
 * Keys passed to jv_put() must be string literals (json-c keeps the pointer).
 */
#ifndef JSONV_H
#define JSONV_H

#include <json-c/json.h>
#include <stddef.h>

struct arena;

/* A JSON string, or null when s is NULL. */
json_object *jv_str(const char *s);

/* A PostgreSQL timestamp in the contract's form: YYYY-MM-DDTHH:MM:SS with
 * .ffffff only when the fraction is non-zero; null when pg is NULL. */
json_object *jv_timestamp(const char *pg);

/* Adds val under a literal key (no copy of the key). */
void jv_put(json_object *obj, const char *key, json_object *val);

/* Serializes without escaping '/' and keeps the text until the arena resets. */
const char *jv_render(struct arena *a, json_object *obj, size_t *len);

/* Releases obj when the arena resets. */
json_object *jv_owned(struct arena *a, json_object *obj);

/*
 * Parses exactly one JSON document of len bytes (valid UTF-8, depth <= 32,
 * nothing after it; text[len] must be the terminating NUL) into *out (NULL for the literal null), owned by the
 * arena.  Returns 0, or -1 if the text is not such a document.
 */
int jv_parse(struct arena *a, const char *text, size_t len, json_object **out);

/* Number of Unicode code points of valid UTF-8 s, or -1 if s is not valid
 * UTF-8 (or holds a NUL byte before len). */
long utf8_length(const char *s, size_t len);

#endif
