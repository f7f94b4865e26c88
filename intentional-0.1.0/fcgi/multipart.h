/*
 * multipart/form-data (RFC 7578) for the two upload routes, POST /posts/
 * and PUT /auth/me/avatar.
 *
 * A push parser: mp_feed() takes the body in chunks of any size as it is
 * read from the FastCGI stream, mp_finish() says the body ended.  What the
 * form may hold is declared in a field table, like the JSON field tables
 * of route.h; everything is bounded: the number of parts, the size of each
 * part's headers, the bytes kept per field, and the whole body.
 *
 * Strict where the input is malformed (no boundary, no opening delimiter,
 * bad part headers, a part without a name, a body that ends before the
 * closing delimiter, a repeated field that may not repeat), tolerant where
 * browsers differ (any filename, "blob" included; a file part without a
 * filename; unknown fields, which are skipped).
 */
#ifndef MULTIPART_H
#define MULTIPART_H

#include <stddef.h>

struct arena;
struct req;

enum mp_kind {
	MP_TEXT,	/* a text field: larger than max_bytes is an error */
	MP_FILE,	/* a file: bytes past max_bytes are counted, not kept */
};

/* One field a form may carry.  A table ends with a NULL name. */
struct mp_field {
	const char *name;
	enum mp_kind kind;
	int max_count;		/* 1: a second occurrence is an error */
	size_t max_bytes;	/* bytes kept per part */
};

struct mp_limits {
	int max_parts;			/* parts of any name, unknown ones too */
	size_t max_header_bytes;	/* the header block of one part */
	size_t max_total_bytes;		/* the whole body */
};

/* The defaults of the upload routes: 16 parts, 2 KiB of headers. */
extern const struct mp_limits mp_default_limits;

struct mp_part {
	const struct mp_field *field;
	const char *filename;		/* NULL if the part had none */
	const char *content_type;	/* NULL if the part had none */
	const char *data;		/* NUL-terminated, len bytes kept */
	size_t len;
	size_t size;			/* bytes the part had; > len: cut */
};

enum mp_error {
	MP_OK,
	MP_E_CONTENT_TYPE,	/* not multipart/form-data, or no usable boundary */
	MP_E_MALFORMED,		/* delimiter or part headers not as RFC 7578 says */
	MP_E_TRUNCATED,		/* the body ended before the closing delimiter */
	MP_E_HEADERS_TOO_LARGE,
	MP_E_TOO_MANY_PARTS,
	MP_E_DUPLICATE,		/* a field that may not repeat came again */
	MP_E_FIELD_TOO_LARGE,	/* a text field over its max_bytes */
	MP_E_TOO_LARGE,		/* the body over max_total_bytes */
};

struct mp_parser;

/*
 * A parser for a body of the given Content-Type; NULL with *err set to
 * MP_E_CONTENT_TYPE when it names no multipart/form-data boundary.
 */
struct mp_parser *mp_new(struct arena *a, const char *content_type,
			 const struct mp_field *fields,
			 const struct mp_limits *limits, enum mp_error *err);

/* Parses the next len bytes.  Returns 0, or -1 once the body is known bad
 * (every later call returns -1 too). */
int mp_feed(struct mp_parser *p, const char *buf, size_t len);

/* The body has ended.  Returns 0 if it closed properly, else -1. */
int mp_finish(struct mp_parser *p);

enum mp_error mp_error(const struct mp_parser *p);

/* A message fit for the client ("malformed multipart body: ..."). */
const char *mp_error_message(const struct mp_parser *p);

/* The HTTP status of the error: 413 for sizes, else 400. */
int mp_error_status(const struct mp_parser *p);

/* How many parts of the field name arrived, and the i-th of them. */
int mp_count(const struct mp_parser *p, const char *name);
const struct mp_part *mp_get(const struct mp_parser *p, const char *name,
			     int i);

/* A text field's value, or NULL if absent. */
const char *mp_text(const struct mp_parser *p, const char *name);

/*
 * Reads the request body of r through a parser for fields, in chunks, up
 * to MAX_BODY_BYTES.  Returns the parser, or NULL after replying: 413 over
 * a size limit; 400 for a malformed or truncated body, and for a body that
 * is not multipart/form-data at all (the original answers 422 "field
 * required" there; no client depends on it).  Required fields are the
 * handler's to check (422).
 */
struct mp_parser *req_read_multipart(struct req *r,
				     const struct mp_field *fields);

#endif
