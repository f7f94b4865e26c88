/*
 * Unit tests of the multipart/form-data parser on crafted bodies.  Every
 * body is parsed whole and again one byte at a time, and both runs must
 * agree: a delimiter split across reads is the parser's hardest case.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "multipart.h"

#define CT "multipart/form-data; boundary=XyZ"

static const struct mp_field fields[] = {
	{ "content", MP_TEXT, 1, 64 },
	{ "photos", MP_FILE, 3, 100 },
	{ NULL, 0, 0, 0 },
};

static const struct mp_limits limits = { 8, 256, 4096 };

static struct arena *arena;

static void setup(void)
{
	arena = arena_new();
}

static void teardown(void)
{
	arena_free(arena);
}

/* Parses body in chunks of chunk bytes (0: whole); the parser or NULL. */
static struct mp_parser *parse_chunked(const char *ct, const char *body,
				       size_t len, size_t chunk)
{
	enum mp_error err;
	struct mp_parser *p = mp_new(arena, ct, fields, &limits, &err);
	size_t at = 0;

	if (p == NULL)
		return NULL;
	if (chunk == 0)
		chunk = len ? len : 1;
	while (at < len) {
		size_t n = len - at < chunk ? len - at : chunk;

		if (mp_feed(p, body + at, n) < 0)
			return p;
		at += n;
	}
	mp_finish(p);
	return p;
}

/* Both ways of feeding give the same error and parts; returns the error. */
static enum mp_error parse_len(const char *body, size_t len,
			       struct mp_parser **out)
{
	struct mp_parser *whole = parse_chunked(CT, body, len, 0);
	struct mp_parser *bytes = parse_chunked(CT, body, len, 1);
	const char *names[] = { "content", "photos" };
	size_t k;

	ck_assert_int_eq(mp_error(whole), mp_error(bytes));
	for (k = 0; k < 2; k++) {
		int i, n = mp_count(whole, names[k]);

		ck_assert_int_eq(n, mp_count(bytes, names[k]));
		for (i = 0; i < n; i++) {
			const struct mp_part *a = mp_get(whole, names[k], i);
			const struct mp_part *b = mp_get(bytes, names[k], i);

			ck_assert_uint_eq(a->len, b->len);
			ck_assert_uint_eq(a->size, b->size);
			ck_assert_mem_eq(a->data, b->data, a->len);
		}
	}
	*out = whole;
	return mp_error(whole);
}

static enum mp_error parse(const char *body, struct mp_parser **out)
{
	return parse_len(body, strlen(body), out);
}

#define PART(name, extra, data) \
	"--XyZ\r\nContent-Disposition: form-data; name=\"" name "\"" extra \
	"\r\n\r\n" data "\r\n"
#define FILEPART(name, data) \
	"--XyZ\r\nContent-Disposition: form-data; name=\"" name "\";" \
	" filename=\"blob\"\r\nContent-Type: image/jpeg\r\n\r\n" data "\r\n"
#define END "--XyZ--\r\n"

START_TEST(browser_form_with_text_and_files)
{
	struct mp_parser *p;
	const struct mp_part *ph;

	ck_assert_int_eq(parse(PART("content", "", "hello\r\nworld")
			       FILEPART("photos", "\xff\xd8\r\n--XyQ\r\r\n-")
			       PART("ignored", "", "whatever")
			       FILEPART("photos", "")
			       END, &p), MP_OK);
	ck_assert_str_eq(mp_text(p, "content"), "hello\r\nworld");
	ck_assert_int_eq(mp_count(p, "photos"), 2);
	ph = mp_get(p, "photos", 0);
	ck_assert_str_eq(ph->filename, "blob");
	ck_assert_str_eq(ph->content_type, "image/jpeg");
	ck_assert_uint_eq(ph->len, 13);
	ck_assert_mem_eq(ph->data, "\xff\xd8\r\n--XyQ\r\r\n-", 13);
	ck_assert_uint_eq(mp_get(p, "photos", 1)->len, 0);
	ck_assert_ptr_null(mp_get(p, "photos", 2));
	ck_assert_ptr_null(mp_text(p, "ignored"));
	ck_assert_ptr_null(mp_text(p, "absent"));
}
END_TEST

START_TEST(tolerates_padding_epilogue_quoting_and_empty_file_inputs)
{
	struct mp_parser *p;
	enum mp_error err;

	/* transport padding after a delimiter, an epilogue after the end,
	 * header names in any case, a quoted name with an escaped quote */
	ck_assert_int_eq(parse("--XyZ \t\r\ncontent-disposition: form-data; "
			       "name=content\r\nX-Other: 1\r\n\r\nv\r\n"
			       PART("photos", "; filename=\"\"", "")
			       "--XyZ--epilogue\r\n", &p), MP_OK);
	ck_assert_str_eq(mp_text(p, "content"), "v");
	ck_assert_int_eq(mp_count(p, "photos"), 0);	/* empty file input */
	ck_assert_ptr_nonnull(mp_new(arena, "Multipart/Form-Data; charset=x; "
				     "boundary=\"a b'c\"", fields, &limits, &err));
	ck_assert_int_eq(parse(PART("content", "", "") END, &p), MP_OK);
	ck_assert_str_eq(mp_text(p, "content"), "");
}
END_TEST

START_TEST(content_type_needs_a_boundary)
{
	static const char *const bad[] = {
		NULL, "", "application/json", "multipart/form-data",
		"multipart/form-data; boundary=", "multipart/form-dataX; boundary=a",
		"multipart/mixed; boundary=a", "multipart/form-data; boundary=a\"b",
		"multipart/form-data; boundary=a; boundary=b",
		"multipart/form-data; boundary=\"a ",
		"multipart/form-data; boundary=\"trailing \"",
		"multipart/form-data; boundary="
		"12345678901234567890123456789012345678901234567890123456789012345678901",
	};
	enum mp_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_ptr_null(mp_new(arena, bad[i], fields, &limits, &err));
		ck_assert_int_eq(err, MP_E_CONTENT_TYPE);
	}
}
END_TEST

START_TEST(truncated_bodies_are_refused)
{
	static const char *const bodies[] = {
		"",
		"--XyZ",
		"--XyZ\r\n",
		"--XyZ\r\nContent-Disposition: form-data; name=\"content\"\r\n",
		PART("content", "", "abc"),
		"--XyZ\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nab",
		PART("content", "", "abc") "--XyZ-",
	};
	struct mp_parser *p;
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		ck_assert_int_eq(parse(bodies[i], &p), MP_E_TRUNCATED);
		ck_assert_int_eq(mp_error_status(p), 400);
		ck_assert_ptr_nonnull(strstr(mp_error_message(p), "closing boundary"));
	}
}
END_TEST

START_TEST(malformed_bodies_are_refused)
{
	static const char *const bodies[] = {
		"preamble\r\n" PART("content", "", "x") END,
		"--XyZx\r\n",
		"--XyZ\r\n\r\nno headers\r\n" END,
		"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n" END,
		"--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n" END,
		"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n" END,
		"--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n" END,
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n" END,
		"--XyZ\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n" END,
		"--XyZ\r\nContent-Disposition: form-data; name\r\n\r\nx\r\n" END,
		"--XyZ\r\nContent-Disposition: form-data; name=a\n\r\n\r\nx\r\n" END,
		"--XyZ\r\nContent-Disposition: form-data; name=a\r\n folded\r\n\r\nx\r\n" END,
		"--XyZ\r\nno colon\r\n\r\nx\r\n" END,
		"--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
		"Content-Disposition: form-data; name=b\r\n\r\nx\r\n" END,
		PART("content", "", "x") "--XyZ\n",
		PART("content", "", "x") "--XyZ-x",
	};
	struct mp_parser *p;
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		ck_assert_msg(parse(bodies[i], &p) == MP_E_MALFORMED,
			      "body %zu: %s", i, mp_error_message(p));
		ck_assert_int_eq(mp_error_status(p), 400);
	}
}
END_TEST

START_TEST(repeated_fields_and_part_counts_are_bounded)
{
	struct mp_parser *p;

	ck_assert_int_eq(parse(PART("content", "", "a") PART("content", "", "b")
			       END, &p), MP_E_DUPLICATE);
	ck_assert_str_eq(mp_error_message(p), "field content may appear only once");
	ck_assert_int_eq(parse(FILEPART("photos", "1") FILEPART("photos", "2")
			       FILEPART("photos", "3") END, &p), MP_OK);
	ck_assert_int_eq(parse(FILEPART("photos", "1") FILEPART("photos", "2")
			       FILEPART("photos", "3") FILEPART("photos", "4")
			       END, &p), MP_E_DUPLICATE);
	ck_assert_str_eq(mp_error_message(p), "too many parts named photos");
	/* unknown parts count towards the part limit (8) */
	ck_assert_int_eq(parse(PART("a", "", "") PART("b", "", "") PART("c", "", "")
			       PART("d", "", "") PART("e", "", "") PART("f", "", "")
			       PART("g", "", "") PART("h", "", "") END, &p), MP_OK);
	ck_assert_int_eq(parse(PART("a", "", "") PART("b", "", "") PART("c", "", "")
			       PART("d", "", "") PART("e", "", "") PART("f", "", "")
			       PART("g", "", "") PART("h", "", "") PART("i", "", "")
			       END, &p), MP_E_TOO_MANY_PARTS);
	ck_assert_int_eq(mp_error_status(p), 400);
}
END_TEST

START_TEST(sizes_are_bounded)
{
	char body[8192], data[5000];
	struct mp_parser *p;
	const struct mp_part *ph;
	int n;

	/* a text field of 64 bytes passes, of 65 is refused with 413 */
	memset(data, 'c', sizeof(data));
	n = snprintf(body, sizeof(body), PART("content", "", "%.64s") END, data);
	ck_assert_int_eq(parse_len(body, (size_t)n, &p), MP_OK);
	ck_assert_uint_eq(strlen(mp_text(p, "content")), 64);
	n = snprintf(body, sizeof(body), PART("content", "", "%.65s") END, data);
	ck_assert_int_eq(parse_len(body, (size_t)n, &p), MP_E_FIELD_TOO_LARGE);
	ck_assert_int_eq(mp_error_status(p), 413);
	/* a file keeps 100 bytes and counts the rest, for the caller to refuse */
	n = snprintf(body, sizeof(body), FILEPART("photos", "%.150s") END, data);
	ck_assert_int_eq(parse_len(body, (size_t)n, &p), MP_OK);
	ph = mp_get(p, "photos", 0);
	ck_assert_uint_eq(ph->len, 100);
	ck_assert_uint_eq(ph->size, 150);
	/* the header block: 256 bytes */
	n = snprintf(body, sizeof(body), "--XyZ\r\nX-Pad: %.240s\r\n"
		     "Content-Disposition: form-data; name=a\r\n\r\n\r\n" END, data);
	ck_assert_int_eq(parse_len(body, (size_t)n, &p), MP_E_HEADERS_TOO_LARGE);
	/* the whole body: 4096 bytes */
	n = snprintf(body, sizeof(body), FILEPART("photos", "%.4000s") END, data);
	ck_assert_int_eq(parse_len(body, (size_t)n, &p), MP_E_TOO_LARGE);
	ck_assert_int_eq(mp_error_status(p), 413);
}
END_TEST

START_TEST(a_failed_parser_stays_failed)
{
	struct mp_parser *p = parse_chunked(CT, "junk", 4, 0);

	ck_assert_int_eq(mp_error(p), MP_E_MALFORMED);
	ck_assert_int_eq(mp_feed(p, END, strlen(END)), -1);
	ck_assert_int_eq(mp_finish(p), -1);
	ck_assert_int_eq(mp_error(p), MP_E_MALFORMED);
}
END_TEST

static Suite *multipart_suite(void)
{
	Suite *s = suite_create("multipart");
	TCase *tc = tcase_create("parser");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, browser_form_with_text_and_files);
	tcase_add_test(tc, tolerates_padding_epilogue_quoting_and_empty_file_inputs);
	tcase_add_test(tc, content_type_needs_a_boundary);
	tcase_add_test(tc, truncated_bodies_are_refused);
	tcase_add_test(tc, malformed_bodies_are_refused);
	tcase_add_test(tc, repeated_fields_and_part_counts_are_bounded);
	tcase_add_test(tc, sizes_are_bounded);
	tcase_add_test(tc, a_failed_parser_stays_failed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(multipart_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
