/*
 * Checking and cleaning an uploaded photo or avatar (API.md 6.6): the
 * format is sniffed from the bytes (never the Content-Type or the
 * filename), byte and pixel sizes are checked on the header before any
 * pixel is decoded, then the image is decoded, turned upright by its EXIF
 * orientation and re-encoded in the same format with every piece of
 * metadata (EXIF and its GPS position, XMP, IPTC, ICC, comments) dropped.
 *
 * Decoding happens in a program of its own, intentional-image, never in a
 * responder: the image decoders are the largest attack surface we have and
 * must not share a process with the database connection and SECRET_KEY,
 * and the ~80 libraries libvips loads would be most of a responder's
 * memory (README "Media").  Hence three parts:
 *
 *   lib/image_rules.c   the rules, without libvips (every program);
 *   lib/image.c         image_process(): libvips, linked only into
 *                       intentional-image (fcgi/image_main.c);
 *   lib/image_helper.c  image_process_isolated(), what the responder
 *                       calls: the cheap rules, then intentional-image in a
 *                       child process with resource limits.
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

/*
 * What becomes of an upload.  The values are also intentional-image's exit
 * statuses (2 is left to usage errors), so they never change.
 */
enum image_verdict {
	IMAGE_ACCEPTED = 0,
	IMAGE_FAILED = 1,		/* could not check it at all (libvips, I/O) */
	IMAGE_TOO_LARGE = 3,		/* more than max_bytes */
	IMAGE_NOT_AN_IMAGE = 4,		/* not JPEG, PNG or WebP by its bytes */
	IMAGE_UNDECODABLE = 5,		/* corrupt or truncated */
	IMAGE_TOO_WIDE = 6,
	IMAGE_TOO_HIGH = 7,
	IMAGE_TOO_SMALL = 8,		/* a side under min_side */
};

/*
 * intentional-image's protocol:
 *
 *   intentional-image MAX_BYTES MAX_WIDTH MAX_HEIGHT MIN_SIDE <upload
 *
 * exits with its verdict.  Once it has read the image's header it writes
 * the line "WIDTH HEIGHT LENGTH\n" to stdout, followed by the LENGTH bytes
 * of the cleaned image when accepted (LENGTH is 0 otherwise).  On stderr
 * it writes plain lines (libvips warnings, the reason of a refusal), which
 * the responder copies into its log.
 */
#define IMAGE_HEADER_MAX 48		/* the stdout line, '\n' included */

void image_limits_from_config(struct image_limits *lim);

/* The Content-Type of a stored file by its extension (.jpg, .png, .webp). */
const char *image_content_type_of(const char *name);

/* The format the bytes start with; -1 when not JPEG, PNG or WebP. */
int image_sniff(const void *data, size_t len);

/* Sets format, ext and content_type of img. */
void image_set_format(struct image *img, enum image_format f);

/*
 * The rules needing no decoding, for an upload of size bytes of which the
 * first len were kept (size > len: a multipart part cut at its limit):
 * IMAGE_TOO_LARGE, IMAGE_NOT_AN_IMAGE or IMAGE_ACCEPTED.
 */
enum image_verdict image_check_bytes(const void *data, size_t len, size_t size,
				     const struct image_limits *lim);

/* The pixel limits on the header's width and height. */
enum image_verdict image_check_dimensions(int w, int h,
					  const struct image_limits *lim);

/*
 * The result of a verdict: RES_OK; RES_BAD_REQUEST with the reason in
 * fail_detail() ("file is larger than 209715 bytes", "width 1300 is over
 * 1280", ...; w and h are those of the refused image); RES_UNAVAILABLE
 * "image processing unavailable" for IMAGE_FAILED and anything unknown.
 */
enum result image_verdict_result(enum image_verdict v, int w, int h,
				 const struct image_limits *lim);

/*
 * lib/image.c, in intentional-image only: checks and re-encodes the upload
 * with libvips.  out->width and out->height are set once the header is
 * read (also for IMAGE_TOO_WIDE, IMAGE_TOO_HIGH and IMAGE_TOO_SMALL); the
 * rest of *out on IMAGE_ACCEPTED.
 */
enum image_verdict image_process(struct arena *a, const void *data, size_t len,
				 size_t size, const struct image_limits *lim,
				 struct image *out);

/*
 * lib/image_helper.c: the same as image_process() as a result code, run
 * in a child process (IMAGE_HELPER, within IMAGE_TIMEOUT_MS and resource
 * limits).  RES_OK; RES_BAD_REQUEST with the reason; RES_UNAVAILABLE
 * "image processing unavailable" when the helper is missing, crashes,
 * hangs or breaks the protocol (logged).  The child is always reaped.
 */
enum result image_process_isolated(struct arena *a, const void *data,
				   size_t len, size_t size,
				   const struct image_limits *lim,
				   struct image *out);

#endif
