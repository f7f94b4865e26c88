/*
 * The rules of 6.6 that need no libvips, shared by the responder (which
 * checks what it cheaply can before starting the helper, and turns the
 * helper's verdict into a response) and intentional-image: one place for
 * every limit and every detail a client can see.
 */
#include <string.h>

#include "config.h"
#include "image.h"

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

void image_set_format(struct image *img, enum image_format f)
{
	img->format = f;
	img->ext = formats[f].ext;
	img->content_type = formats[f].content_type;
}

enum image_verdict image_check_bytes(const void *data, size_t len, size_t size,
				     const struct image_limits *lim)
{
	if (size > lim->max_bytes)
		return IMAGE_TOO_LARGE;
	if (image_sniff(data, len) < 0)
		return IMAGE_NOT_AN_IMAGE;
	return IMAGE_ACCEPTED;
}

enum image_verdict image_check_dimensions(int w, int h,
					  const struct image_limits *lim)
{
	if (w > lim->max_width)
		return IMAGE_TOO_WIDE;
	if (h > lim->max_height)
		return IMAGE_TOO_HIGH;
	if (w < lim->min_side || h < lim->min_side)
		return IMAGE_TOO_SMALL;
	return IMAGE_ACCEPTED;
}

enum result image_verdict_result(enum image_verdict v, int w, int h,
				 const struct image_limits *lim)
{
	switch (v) {
	case IMAGE_ACCEPTED:
		return RES_OK;
	case IMAGE_TOO_LARGE:
		return fail_withf(RES_BAD_REQUEST, "file is larger than %zu bytes",
				  lim->max_bytes);
	case IMAGE_NOT_AN_IMAGE:
		return fail_with(RES_BAD_REQUEST, "not a JPEG, PNG or WebP image");
	case IMAGE_UNDECODABLE:
		return fail_with(RES_BAD_REQUEST, "the image cannot be decoded");
	case IMAGE_TOO_WIDE:
		return fail_withf(RES_BAD_REQUEST, "width %d is over %d", w,
				  lim->max_width);
	case IMAGE_TOO_HIGH:
		return fail_withf(RES_BAD_REQUEST, "height %d is over %d", h,
				  lim->max_height);
	case IMAGE_TOO_SMALL:
		return fail_withf(RES_BAD_REQUEST, "width and height must be at"
				  " least %d", lim->min_side);
	case IMAGE_FAILED:
		break;
	}
	return fail_with(RES_UNAVAILABLE, "image processing unavailable");
}
