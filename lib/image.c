/*
 * The libvips part of lib/image.h, linked only into intentional-image
 * (fcgi/image_main.c), which runs it on one upload and exits: nothing here
 * ever runs in a responder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <vips/vips.h>

#include "arena.h"
#include "image.h"

#define JPEG_QUALITY 85
#define WEBP_QUALITY 85
#define PNG_COMPRESSION 6

/* libvips warns about damaged uploads ("premature end of JPEG file"):
 * one plain line on stderr, which the responder copies into its log. */
static void vips_log_line(const gchar *domain, GLogLevelFlags level,
			  const gchar *message, gpointer data)
{
	(void)domain;
	(void)level;
	(void)data;
	fprintf(stderr, "libvips: %s\n", message);
}

/*
 * vips_init() loads libvips's optional modules (ImageMagick, HEIF, JPEG
 * XL, PDF, OpenSlide) from $VIPSHOME/lib: none is needed, as we call the
 * JPEG, PNG and WebP loaders of libvips itself, and each would add its
 * decoders to the attack surface and its libraries to the address space
 * RLIMIT_AS bounds (40 MB).  /dev/null/lib cannot exist.
 *
 * One worker thread: the program handles one image, and more threads
 * would only add stacks.  No operation cache: nothing is ever reused.
 */
static int vips_ready(void)
{
	setenv("VIPSHOME", "/dev/null", 1);
	if (vips_init("intentional-image") != 0) {
		fprintf(stderr, "could not start libvips: %s\n",
			vips_error_buffer());
		return 0;
	}
	vips_concurrency_set(1);
	vips_cache_set_max(0);
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
			  G_LOG_LEVEL_INFO, vips_log_line, NULL);
	return 1;
}

static void unref(void *obj)
{
	g_object_unref(obj);
}

/* The header only: pixels are decoded later, when the image is saved.
 * fail_on=error makes a truncated or corrupt file an error, not a grey
 * band at the bottom. */
static VipsImage *load_header(struct arena *a, enum image_format f,
			      const void *data, size_t len)
{
	VipsImage *img = NULL;
	void *buf = (void *)data;
	int r = -1;

	switch (f) {
	case IMAGE_JPEG:
		r = vips_jpegload_buffer(buf, len, &img, "fail_on",
					 VIPS_FAIL_ON_ERROR, NULL);
		break;
	case IMAGE_PNG:
		r = vips_pngload_buffer(buf, len, &img, "fail_on",
					VIPS_FAIL_ON_ERROR, NULL);
		break;
	case IMAGE_WEBP:
		r = vips_webpload_buffer(buf, len, &img, "fail_on",
					 VIPS_FAIL_ON_ERROR, NULL);
		break;
	}
	if (r != 0)
		return NULL;
	arena_defer(a, unref, img);
	return img;
}

/* Saves in the upload's format with strip=TRUE (no metadata at all). */
static int save(enum image_format f, VipsImage *img, void **buf, size_t *len)
{
	switch (f) {
	case IMAGE_JPEG:
		return vips_jpegsave_buffer(img, buf, len, "strip", TRUE,
					    "Q", JPEG_QUALITY, NULL);
	case IMAGE_PNG:
		return vips_pngsave_buffer(img, buf, len, "strip", TRUE,
					   "compression", PNG_COMPRESSION, NULL);
	case IMAGE_WEBP:
		return vips_webpsave_buffer(img, buf, len, "strip", TRUE,
					    "Q", WEBP_QUALITY, NULL);
	}
	return -1;
}

enum image_verdict image_process(struct arena *a, const void *data, size_t len,
				 size_t size, const struct image_limits *lim,
				 struct image *out)
{
	enum image_verdict v = image_check_bytes(data, len, size, lim);
	enum image_format f;
	VipsImage *img, *upright;
	void *buf = NULL;
	size_t blen = 0;

	out->width = out->height = 0;
	if (v != IMAGE_ACCEPTED)
		return v;
	f = (enum image_format)image_sniff(data, len);
	if (!vips_ready())
		return IMAGE_FAILED;
	if ((img = load_header(a, f, data, len)) == NULL)
		return IMAGE_UNDECODABLE;
	out->width = vips_image_get_width(img);
	out->height = vips_image_get_height(img);
	if ((v = image_check_dimensions(out->width, out->height, lim)) != IMAGE_ACCEPTED)
		return v;
	if (vips_autorot(img, &upright, NULL) != 0)
		return IMAGE_UNDECODABLE;
	arena_defer(a, unref, upright);
	if (save(f, upright, &buf, &blen) != 0)
		return IMAGE_UNDECODABLE;
	arena_defer(a, g_free, buf);
	image_set_format(out, f);
	out->data = buf;
	out->len = blen;
	return IMAGE_ACCEPTED;
}
