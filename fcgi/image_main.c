/*
 * intentional-image: checks and cleans one uploaded image (lib/image.c)
 * for a responder, which runs it per upload (lib/image_helper.c) so that
 * the image decoders never run inside the process holding the database
 * connection and SECRET_KEY, and libvips is never loaded there.  The
 * protocol is in lib/image.h; the responder supplies the limits, so this
 * program reads no settings and needs no environment.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "fdio.h"
#include "image.h"

#define USAGE_ERROR 2

static void usage(FILE *f)
{
	fputs("usage: intentional-image MAX_BYTES MAX_WIDTH MAX_HEIGHT MIN_SIDE"
	      " <upload >cleaned\n"
	      "  Checks one JPEG, PNG or WebP image against the limits and\n"
	      "  writes \"WIDTH HEIGHT LENGTH\" and the image re-encoded without\n"
	      "  metadata.  The exit status is the verdict: 0 accepted, 3 too\n"
	      "  large, 4 not an image, 5 undecodable, 6 too wide, 7 too high,\n"
	      "  8 too small, 1 failure, 2 usage.  Run by intentional-fcgi.\n", f);
}

/* A decimal number in 1..max, nothing else. */
static int parse_limit(const char *s, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out >= 1 && *out <= max
	       ? 0 : -1;
}

static int parse_limits(int argc, char **argv, struct image_limits *lim)
{
	long v[4];
	int i;

	if (argc != 5)
		return -1;
	for (i = 0; i < 4; i++)
		if (parse_limit(argv[i + 1], i == 0 ? 1L << 30 : 1L << 16, &v[i]) < 0)
			return -1;
	lim->max_bytes = (size_t)v[0];
	lim->max_width = (int)v[1];
	lim->max_height = (int)v[2];
	lim->min_side = (int)v[3];
	return 0;
}

/* Reads stdin to EOF, but at most cap bytes (one more than max_bytes
 * tells a larger file).  NULL on a read error. */
static unsigned char *read_all(struct arena *a, size_t cap, size_t *len)
{
	unsigned char *buf = arena_alloc(a, cap);
	ssize_t n;

	*len = 0;
	while (*len < cap) {
		n = read(0, buf + *len, cap - *len);
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		*len += (size_t)n;
	}
	return buf;
}

/* The header line once width and height are known, then the image. */
static int answer(enum image_verdict v, const struct image *img)
{
	char head[IMAGE_HEADER_MAX];
	size_t len = v == IMAGE_ACCEPTED ? img->len : 0;
	int n;

	if (img->width <= 0)
		return 0;
	n = snprintf(head, sizeof(head), "%d %d %zu\n", img->width, img->height, len);
	if (fd_write_all(1, head, (size_t)n) < 0 ||
	    fd_write_all(1, img->data, len) < 0) {
		fprintf(stderr, "could not write the result: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct image_limits lim;
	struct image img = { 0 };
	struct arena *a;
	enum image_verdict v;
	unsigned char *data;
	size_t len;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (parse_limits(argc, argv, &lim) < 0) {
		usage(stderr);
		return USAGE_ERROR;
	}
	/* One malloc arena: per-thread ones reserve 64 MB of address space
	 * each, which would make the RLIMIT_AS the responder sets depend on
	 * how many threads libvips happens to start rather than on pixels. */
	mallopt(M_ARENA_MAX, 1);
	a = arena_new();
	if ((data = read_all(a, lim.max_bytes + 1, &len)) == NULL) {
		fprintf(stderr, "could not read the upload: %s\n", strerror(errno));
		v = IMAGE_FAILED;
	} else {
		v = image_process(a, data, len, len, &lim, &img);
	}
	if (answer(v, &img) < 0)
		v = IMAGE_FAILED;
	else if (v != IMAGE_ACCEPTED &&
		 image_verdict_result(v, img.width, img.height, &lim) == RES_BAD_REQUEST)
		fprintf(stderr, "refused: %s\n", fail_detail());
	arena_free(a);		/* unrefs the images: no leak reports */
	return (int)v;
}
