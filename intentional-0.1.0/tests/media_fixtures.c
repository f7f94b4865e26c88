#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "media_fixtures.h"

static void ensure_vips(void)
{
	static int ready;

	if (!ready && vips_init("tests") == 0)
		ready = 1;
}

static unsigned char *copy_out(void *buf, size_t n, size_t *len)
{
	unsigned char *out = malloc(n);

	memcpy(out, buf, n);
	g_free(buf);
	*len = n;
	return out;
}

unsigned char *fixture_image(const char *format, int w, int h, size_t *len)
{
	VipsImage *noise, *img;
	void *buf = NULL;
	size_t n = 0;
	int r;

	ensure_vips();
	if (vips_gaussnoise(&noise, w, h, "mean", 128.0, "sigma", 40.0, NULL) != 0)
		return NULL;
	r = vips_bandjoin_const1(noise, &img, 90.0, NULL);	/* 2 bands */
	g_object_unref(noise);
	if (r != 0)
		return NULL;
	noise = img;
	r = vips_bandjoin_const1(noise, &img, 200.0, NULL);	/* RGB */
	g_object_unref(noise);
	if (r != 0)
		return NULL;
	noise = img;
	r = vips_cast_uchar(noise, &img, NULL);
	g_object_unref(noise);
	if (r != 0)
		return NULL;
	if (strcmp(format, "jpg") == 0)
		r = vips_jpegsave_buffer(img, &buf, &n, "Q", 90, NULL);
	else if (strcmp(format, "png") == 0)
		r = vips_pngsave_buffer(img, &buf, &n, NULL);
	else
		r = vips_webpsave_buffer(img, &buf, &n, NULL);
	g_object_unref(img);
	return r == 0 ? copy_out(buf, n, len) : NULL;
}

/* Inserts segment (marker + payload) right after the SOI of a JPEG. */
static unsigned char *insert_segment(unsigned char *jpeg, size_t *len,
				     int marker, const unsigned char *payload,
				     size_t plen)
{
	unsigned char *out = malloc(*len + plen + 4);

	memcpy(out, jpeg, 2);
	out[2] = 0xff;
	out[3] = (unsigned char)marker;
	out[4] = (unsigned char)((plen + 2) >> 8);
	out[5] = (unsigned char)((plen + 2) & 0xff);
	memcpy(out + 6, payload, plen);
	memcpy(out + 6 + plen, jpeg + 2, *len - 2);
	free(jpeg);
	*len += plen + 4;
	return out;
}

unsigned char *fixture_jpeg_of_size(int w, int h, size_t want)
{
	size_t len;
	unsigned char *jpeg = fixture_image("jpg", w, h, &len);
	static unsigned char pad[65533];

	if (jpeg == NULL || len > want) {
		free(jpeg);
		return NULL;
	}
	memset(pad, 'p', sizeof(pad));
	while (len < want) {
		size_t gap = want - len, plen;

		if (gap < 4) {	/* too small for a segment: shrink the last */
			free(jpeg);
			return NULL;
		}
		plen = gap - 4 > sizeof(pad) ? sizeof(pad) : gap - 4;
		if (gap - 4 - plen > 0 && gap - 4 - plen < 4)
			plen -= 4;	/* leave room for one more segment */
		jpeg = insert_segment(jpeg, &len, 0xfe, pad, plen);
	}
	return jpeg;
}

/* Little-endian TIFF writer for the EXIF block. */
static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, unsigned long v)
{
	put16(p, (unsigned)(v & 0xffff));
	put16(p + 2, (unsigned)(v >> 16));
}

static void entry(unsigned char *p, unsigned tag, unsigned type,
		  unsigned long count, unsigned long value)
{
	put16(p, tag);
	put16(p + 2, type);
	put32(p + 4, count);
	put32(p + 8, value);
}

/* The GPS rationals as they sit in the block, for fixture_has_gps(). */
static const unsigned long gps_lat[6] = { 48, 1, 51, 1, 24, 1 };

unsigned char *fixture_jpeg_with_exif(int w, int h, int orientation, int gps,
				      size_t *len)
{
	static const unsigned long gps_lon[6] = { 2, 1, 21, 1, 3, 1 };
	unsigned char b[256], *t = b + 6;
	unsigned char *jpeg = fixture_image("jpg", w, h, len);
	int n0 = (orientation > 0) + (gps > 0), i;
	unsigned long gps_ifd = 8 + 2 + 12 * (unsigned long)n0 + 4, data;

	memset(b, 0, sizeof(b));
	memcpy(b, "Exif\0\0", 6);
	memcpy(t, "II*\0", 4);
	put32(t + 4, 8);
	put16(t + 8, (unsigned)n0);	/* IFD0 */
	i = 0;
	if (orientation > 0)
		entry(t + 10 + 12 * i++, 0x0112, 3, 1, (unsigned long)orientation);
	if (gps)
		entry(t + 10 + 12 * i++, 0x8825, 4, 1, gps_ifd);
	put32(t + 10 + 12 * i, 0);
	if (gps) {	/* GPS IFD: 4 entries, then 2 x 3 rationals */
		data = gps_ifd + 2 + 12 * 4 + 4;
		put16(t + gps_ifd, 4);
		entry(t + gps_ifd + 2, 0x0001, 2, 2, 'N');
		entry(t + gps_ifd + 14, 0x0002, 5, 3, data);
		entry(t + gps_ifd + 26, 0x0003, 2, 2, 'E');
		entry(t + gps_ifd + 38, 0x0004, 5, 3, data + 24);
		put32(t + gps_ifd + 50, 0);
		for (i = 0; i < 6; i++) {
			put32(t + data + 4 * (unsigned long)i, gps_lat[i]);
			put32(t + data + 24 + 4 * (unsigned long)i, gps_lon[i]);
		}
		return insert_segment(jpeg, len, 0xe1, b, 6 + data + 48);
	}
	return insert_segment(jpeg, len, 0xe1, b, 6 + gps_ifd);
}

static int contains(const unsigned char *data, size_t len,
		    const void *needle, size_t n)
{
	size_t i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(data + i, needle, n) == 0)
			return 1;
	return 0;
}

int fixture_has_exif(const unsigned char *data, size_t len)
{
	return contains(data, len, "Exif\0\0", 6);
}

int fixture_has_gps(const unsigned char *data, size_t len)
{
	unsigned char r[24];
	int i;

	for (i = 0; i < 6; i++)
		put32(r + 4 * i, gps_lat[i]);
	return contains(data, len, r, sizeof(r));
}

int fixture_size(const unsigned char *data, size_t len, int *w, int *h)
{
	VipsImage *img;

	ensure_vips();
	img = vips_image_new_from_buffer(data, len, "", NULL);
	if (img == NULL)
		return -1;
	*w = vips_image_get_width(img);
	*h = vips_image_get_height(img);
	g_object_unref(img);
	return 0;
}
