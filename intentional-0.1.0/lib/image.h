/*
 * Checking and cleaning an uploaded photo or avatar (API.md 6.6) with
 * libvips: the format is sniffed from the bytes (never the Content-Type or
 * the filename), byte and pixel sizes are checked on the header before any
 * pixel is decoded, then the image is decoded, turned upright by its EXIF
 * orientation and re-encoded in the same format with every piece of
 * metadata (EXIF and its GPS position, XMP, IPTC, ICC, comments) dropped.
 */
#ifndef IMAGE_H
#define IMAGE_H

#include <stddef.h>

#include "result.h"

struct arena;

enum image_format { IMAGE_JPEG, IMAGE_PNG, IMAGE_WEBP };

/* The rules of 6.6; image_limits_from_config() fills them from settings. */
struct image_limits {
	size_t max_bytes;
	int max_width, max_height, min_side;
};

struct image {
	enum image_format format;
	const char *ext;		/* "jpg", "png", "webp" */
	const char *content_type;	/* "image/jpeg", ... */
	int width, height;		/* of the upload, before orientation */
	const void *data;		/* the re-encoded bytes, freed with the arena */
	size_t len;
};

void image_limits_from_config(struct image_limits *lim);

/* The Content-Type of a stored file by its extension (.jpg, .png, .webp). */
const char *image_content_type_of(const char *name);

/* The format the bytes start with; -1 when not JPEG, PNG or WebP. */
int image_sniff(const void *data, size_t len);

/*
 * Checks and re-encodes an upload of size bytes of which the first len
 * were kept (size > len: a multipart part cut at its limit).  Returns
 * RES_OK, RES_BAD_REQUEST with the reason in fail_detail() ("file is
 * larger than 209715 bytes", "width 1300 is over 1280", ...), or RES_FAIL
 * when libvips cannot even start.
 */
enum result image_process(struct arena *a, const void *data, size_t len,
			  size_t size, const struct image_limits *lim,
			  struct image *out);

#endif
