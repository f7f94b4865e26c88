/*
 * Images for the media tests, made in the test with libvips (no binary
 * fixtures in the tree): plain JPEG, PNG and WebP of any size, JPEGs padded
 * to an exact byte count, and JPEGs carrying an EXIF block with an
 * orientation and a GPS position.  Buffers are malloc'ed: free() them.
 */
#ifndef MEDIA_FIXTURES_H
#define MEDIA_FIXTURES_H

#include <stddef.h>

/* A w x h image of random colours in format "jpg", "png" or "webp". */
unsigned char *fixture_image(const char *format, int w, int h, size_t *len);

/* A JPEG of exactly len bytes (comment segments make up the rest);
 * NULL if the plain image is already larger. */
unsigned char *fixture_jpeg_of_size(int w, int h, size_t len);

/* A JPEG with an EXIF APP1 block: orientation (1..8, 0 = none) and, if
 * gps, GPSLatitude 48/1 51/1 24/1 (N) and GPSLongitude 2/1 21/1 3/1 (E). */
unsigned char *fixture_jpeg_with_exif(int w, int h, int orientation, int gps,
				      size_t *len);

/* Whether the bytes hold an EXIF block or the GPS rationals above. */
int fixture_has_exif(const unsigned char *data, size_t len);
int fixture_has_gps(const unsigned char *data, size_t len);

/* Width and height as libvips reads them; -1 if it cannot. */
int fixture_size(const unsigned char *data, size_t len, int *w, int *h);

#endif
