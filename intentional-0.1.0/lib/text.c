#include <string.h>

#include "arena.h"
#include "jsonv.h"
#include "text.h"

/* The code point of the UTF-8 sequence at p (already validated), and its length. */
static unsigned long decode(const unsigned char *p, int *n)
{
	if (p[0] < 0x80)
		return *n = 1, p[0];
	if (p[0] < 0xe0)
		return *n = 2, ((p[0] & 0x1fUL) << 6) | (p[1] & 0x3f);
	if (p[0] < 0xf0)
		return *n = 3, ((p[0] & 0x0fUL) << 12) | ((p[1] & 0x3fUL) << 6) |
			(p[2] & 0x3f);
	return *n = 4, ((p[0] & 0x07UL) << 18) | ((p[1] & 0x3fUL) << 12) |
		((p[2] & 0x3fUL) << 6) | (p[3] & 0x3f);
}

static int is_space(unsigned long c)
{
	return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) ||
	       c == 0x85 || c == 0xa0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202f || c == 0x205f || c == 0x3000;
}

char *text_strip(struct arena *a, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t start = 0, end = strlen(s), last;
	int n;

	while (start < end && is_space(decode(p + start, &n)))
		start += (size_t)n;
	while (end > start) {
		last = end - 1;
		while (last > start && (p[last] & 0xc0) == 0x80)
			last--;
		if (!is_space(decode(p + last, &n)))
			break;
		end = last;
	}
	return arena_strndup(a, s + start, end - start);
}

int text_trimmed(struct arena *a, const char *s, long max, const char **out)
{
	char *t = text_strip(a, s);
	long n = utf8_length(t, strlen(t));

	*out = t;
	return (n < 1 || n > max) ? -1 : 0;
}
