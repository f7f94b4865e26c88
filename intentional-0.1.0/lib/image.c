#include <string.h>
#include <vips/vips.h>

#include "arena.h"
#include "config.h"
#include "image.h"
#include "log.h"

#define JPEG_QUALITY 85
#define WEBP_QUALITY 85
#define PNG_COMPRESSION 6

static const struct {
	const char *ext;
	const char *content_type;
} formats[] = {
	[IMAGE_JPEG] = { "jpg", "image/jpeg" },
	[IMAGE_PNG] = { "png", "image/png" },
	[IMAGE_WEBP] = { "webp", "image/webp" },
};

void image_limits_from_config(struct image_limits *lim)
{
	lim->max_bytes = (size_t)cfg.media_max_bytes;
	lim->max_width = (int)cfg.media_max_width;
	lim->max_height = (int)cfg.media_max_height;
	lim->min_side = (int)cfg.media_min_side;
}

const char *image_content_type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(dot + 1, formats[i].ext) == 0)
			return formats[i].content_type;
	return "application/octet-stream";
}

int image_sniff(const void *data, size_t len)
{
	const unsigned char *b = data;

	if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return IMAGE_JPEG;
	if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return IMAGE_PNG;
	if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return IMAGE_WEBP;
	return -1;
}

/* libvips warns about damaged uploads ("premature end of JPEG file"):
 * the client's fault, so an info line in our format, not raw stderr. */
static void vips_log_line(const gchar *domain, GLogLevelFlags level,
		     const gchar *message, gpointer data)
{
	(void)domain;
	(void)level;
	(void)data;
	log_info("libvips: %s", message);
}

/*
 * libvips starts a thread pool and an operation cache on first use.  A
 * responder serves one request at a time, so one worker thread is enough,
 * and the cache would only keep the last upload's pixels alive.
 */
static int vips_ready(void)
{
	static int state;	/* 0 not tried, 1 ready, -1 failed */

	if (state == 0) {
		state = vips_init("intentional") == 0 ? 1 : -1;
		if (state > 0) {
			vips_concurrency_set(1);
			vips_cache_set_max(0);
			g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING |
					  G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO,
					  vips_log_line, NULL);
		} else {
			log_error("could not start libvips: %s", vips_error_buffer());
		}
	}
	return state > 0;
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

static enum result check_dimensions(int w, int h, const struct image_limits *lim)
{
	if (w > lim->max_width)
		return fail_withf(RES_BAD_REQUEST, "width %d is over %d", w,
				  lim->max_width);
	if (h > lim->max_height)
		return fail_withf(RES_BAD_REQUEST, "height %d is over %d", h,
				  lim->max_height);
	if (w < lim->min_side || h < lim->min_side)
		return fail_withf(RES_BAD_REQUEST, "width and height must be at"
				  " least %d", lim->min_side);
	return RES_OK;
}

enum result image_process(struct arena *a, const void *data, size_t len,
			  size_t size, const struct image_limits *lim,
			  struct image *out)
{
	int f = image_sniff(data, len);
	VipsImage *img, *upright;
	void *buf = NULL;
	size_t blen = 0;
	enum result r;

	if (size > lim->max_bytes)
		return fail_withf(RES_BAD_REQUEST, "file is larger than %zu bytes",
				  lim->max_bytes);
	if (f < 0)
		return fail_with(RES_BAD_REQUEST, "not a JPEG, PNG or WebP image");
	if (!vips_ready())
		return fail_with(RES_FAIL, "image processing unavailable");
	img = load_header(a, (enum image_format)f, data, len);
	if (img == NULL) {
		vips_error_clear();
		return fail_with(RES_BAD_REQUEST, "the image cannot be decoded");
	}
	out->width = vips_image_get_width(img);
	out->height = vips_image_get_height(img);
	if ((r = check_dimensions(out->width, out->height, lim)) != RES_OK)
		return r;
	if (vips_autorot(img, &upright, NULL) != 0) {
		vips_error_clear();
		return fail_with(RES_BAD_REQUEST, "the image cannot be decoded");
	}
	arena_defer(a, unref, upright);
	if (save((enum image_format)f, upright, &buf, &blen) != 0) {
		vips_error_clear();
		return fail_with(RES_BAD_REQUEST, "the image cannot be decoded");
	}
	arena_defer(a, g_free, buf);
	out->format = (enum image_format)f;
	out->ext = formats[f].ext;
	out->content_type = formats[f].content_type;
	out->data = buf;
	out->len = blen;
	return RES_OK;
}
