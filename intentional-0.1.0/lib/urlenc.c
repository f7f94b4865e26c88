#include <string.h>

#include "arena.h"
#include "urlenc.h"

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *url_encode(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

char *b64url_encode(struct arena *a, const unsigned char *p, size_t n)
{
	char *out = arena_alloc(a, (n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

		*o++ = b64url[v >> 18];
		*o++ = b64url[(v >> 12) & 63];
		*o++ = b64url[(v >> 6) & 63];
		*o++ = b64url[v & 63];
	}
	if (n - i == 1) {
		*o++ = b64url[p[i] >> 2];
		*o++ = b64url[(p[i] & 3) << 4];
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 8 | p[i + 1];

		*o++ = b64url[v >> 10];
		*o++ = b64url[(v >> 4) & 63];
		*o++ = b64url[(v & 15) << 2];
	}
	*o = '\0';
	return out;
}

unsigned char *b64url_decode(struct arena *a, const char *s, size_t len,
			     size_t *n)
{
	unsigned char *out;
	unsigned v = 0;
	size_t i, o = 0;
	int bits = 0;

	if (len % 4 == 1)
		return NULL;
	out = arena_alloc(a, len * 3 / 4 + 1);
	for (i = 0; i < len; i++) {
		const char *c = s[i] ? strchr(b64url, s[i]) : NULL;

		if (c == NULL)
			return NULL;
		v = (v << 6) | (unsigned)(c - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits);
			v &= (1u << bits) - 1;
		}
	}
	out[o] = '\0';
	*n = o;
	return out;
}
