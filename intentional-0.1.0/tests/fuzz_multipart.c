/*
 * Fuzz harness of the multipart parser, in the manner of kcgi's afl/
 * harnesses: each file named on the command line (or standard input) holds
 * a Content-Type value on its first line and the body after it.  The body
 * goes through the parser the server uses twice, whole and in reads of 1
 * to 7 bytes, and the two runs must agree; a disagreement aborts, so
 * afl-fuzz and the sanitizers report it as a crash.
 *
 *   afl-fuzz -i tests/fuzz/multipart -o /tmp/out tests/fuzz_multipart
 *
 * make check runs it over the seed corpus in tests/fuzz/multipart/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "multipart.h"

static const struct mp_field fields[] = {
	{ "content", MP_TEXT, 1, 4000 },
	{ "audience_type", MP_TEXT, 1, 64 },
	{ "photos", MP_FILE, 3, 2048 },
	{ "avatar", MP_FILE, 1, 2048 },
	{ NULL, 0, 0, 0 },
};

static const struct mp_limits limits = { 16, 1024, 1 << 20 };

static struct mp_parser *run(struct arena *a, const char *ct,
			     const char *body, size_t len, int split)
{
	enum mp_error err;
	struct mp_parser *p = mp_new(a, ct, fields, &limits, &err);
	size_t at = 0, n = len;

	if (p == NULL)
		return NULL;
	while (at < len) {
		if (split)
			n = (size_t)(at % 7) + 1;
		if (n > len - at)
			n = len - at;
		if (mp_feed(p, body + at, n) < 0)
			return p;
		at += n;
	}
	mp_finish(p);
	return p;
}

static void agree(const struct mp_parser *x, const struct mp_parser *y)
{
	const struct mp_field *f;
	int i;

	if ((x == NULL) != (y == NULL))
		abort();
	if (x == NULL)
		return;
	if (mp_error(x) != mp_error(y) || strlen(mp_error_message(x)) >= 160)
		abort();
	for (f = fields; f->name != NULL; f++) {
		if (mp_count(x, f->name) != mp_count(y, f->name))
			abort();
		for (i = 0; i < mp_count(x, f->name); i++) {
			const struct mp_part *a = mp_get(x, f->name, i);
			const struct mp_part *b = mp_get(y, f->name, i);

			if (a->len != b->len || a->size != b->size ||
			    a->len > f->max_bytes || a->data[a->len] != '\0' ||
			    memcmp(a->data, b->data, a->len) != 0)
				abort();
		}
	}
}

static int fuzz_one(FILE *in)
{
	static char buf[1 << 20];
	size_t len = fread(buf, 1, sizeof(buf) - 1, in);
	char *nl;
	struct arena *a = arena_new();

	buf[len] = '\0';
	nl = memchr(buf, '\n', len);
	if (nl != NULL) {
		*nl = '\0';
		agree(run(a, buf, nl + 1, len - (size_t)(nl + 1 - buf), 0),
		      run(a, buf, nl + 1, len - (size_t)(nl + 1 - buf), 1));
	}
	arena_free(a);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2)
		return fuzz_one(stdin);
	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");

		if (f == NULL) {
			perror(argv[i]);
			return 1;
		}
		fuzz_one(f);
		fclose(f);
	}
	printf("%d passed, 0 failed\n", argc - 1);
	return 0;
}
