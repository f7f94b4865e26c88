/* Percent-encoding for URLs and application/x-www-form-urlencoded bodies. */
#ifndef URLENC_H
#define URLENC_H

#include <stddef.h>

struct arena;

/* s with every byte but A-Z a-z 0-9 - . _ ~ as %XX (RFC 3986 unreserved). */
char *url_encode(struct arena *a, const char *s);

/* base64url without padding of n bytes (RFC 7515 appendix C). */
char *b64url_encode(struct arena *a, const unsigned char *p, size_t n);

/*
 * Decodes base64url without padding into the arena; NULL for a character
 * outside the alphabet or an impossible length.  *n gets the byte count;
 * the result is NUL-terminated for text.
 */
unsigned char *b64url_decode(struct arena *a, const char *s, size_t len,
			     size_t *n);

#endif
