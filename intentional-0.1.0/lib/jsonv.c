#include <string.h>

#include "arena.h"
#include "jsonv.h"

#define MAX_DEPTH 32

json_object *jv_str(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/*
 * PostgreSQL prints "2025-03-02 09:15:00.12" (ISO DateStyle, fraction
 * trimmed); the contract wants "2025-03-02T09:15:00.120000".
 */
json_object *jv_timestamp(const char *pg)
{
	char buf[40];
	size_t n, dot;

	if (pg == NULL)
		return NULL;
	n = strlen(pg);
	if (n < 19 || n > 26 || pg[10] != ' ')
		return json_object_new_string(pg);	/* infinity, BC, ... */
	memcpy(buf, pg, n);
	buf[10] = 'T';
	if (n > 19 && buf[19] == '.') {
		for (dot = n; dot < 26; dot++)
			buf[dot] = '0';
		n = 26;
	}
	buf[n] = '\0';
	return json_object_new_string_len(buf, (int)n);
}

void jv_put(json_object *obj, const char *key, json_object *val)
{
	json_object_object_add_ex(obj, key, val,
				  JSON_C_OBJECT_ADD_KEY_IS_NEW |
				  JSON_C_OBJECT_KEY_IS_CONSTANT);
}

static void put_object(void *obj)
{
	json_object_put(obj);
}

json_object *jv_owned(struct arena *a, json_object *obj)
{
	if (obj != NULL)
		arena_defer(a, put_object, obj);
	return obj;
}

const char *jv_render(struct arena *a, json_object *obj, size_t *len)
{
	const char *s = json_object_to_json_string_length(obj,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);

	return arena_strndup(a, s, *len);
}

int jv_parse(struct arena *a, const char *text, size_t len, json_object **out)
{
	struct json_tokener *tok;
	json_object *obj;
	int ok;

	*out = NULL;
	if (len == 0 || len >= (size_t)0x7fffffff || text[len] != '\0' ||
	    memchr(text, '\0', len) != NULL)
		return -1;
	tok = json_tokener_new_ex(MAX_DEPTH);
	if (tok == NULL)
		return -1;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
				    JSON_TOKENER_VALIDATE_UTF8);
	/* the terminating NUL ends a top-level number or literal */
	obj = json_tokener_parse_ex(tok, text, (int)len + 1);
	ok = json_tokener_get_error(tok) == json_tokener_success &&
	     json_tokener_get_parse_end(tok) == len;
	json_tokener_free(tok);
	if (!ok) {
		json_object_put(obj);
		return -1;
	}
	*out = jv_owned(a, obj);
	return 0;
}

/* Lengths of UTF-8 sequences by lead byte; 0 = invalid lead byte. */
static int seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* Rejects overlong forms, surrogates and code points above U+10FFFF. */
static int valid_seq(const unsigned char *p, int n)
{
	int i;

	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) ||
		       (p[0] == 0xed && p[1] > 0x9f)))
		return 0;
	if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) ||
		       (p[0] == 0xf4 && p[1] > 0x8f)))
		return 0;
	return 1;
}

long utf8_length(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	long count = 0;

	while (i < len) {
		int n = seq_len(p[i]);

		if (n == 0 || p[i] == 0 || i + (size_t)n > len ||
		    !valid_seq(p + i, n))
			return -1;
		i += (size_t)n;
		count++;
	}
	return count;
}
