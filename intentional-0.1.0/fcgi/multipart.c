#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "config.h"
#include "multipart.h"
#include "reply.h"
#include "request.h"

#define MAX_BOUNDARY 70		/* RFC 2046 */
#define READ_CHUNK 16384

const struct mp_limits mp_default_limits = { 16, 2048, 0 };

enum state {
	S_PREAMBLE,	/* matching the first "--boundary" */
	S_DELIM_END,	/* after a delimiter: "--", padding or CRLF */
	S_DELIM_LF,	/* after a delimiter's CR */
	S_CLOSE_DASH,	/* after a delimiter's first '-' */
	S_HEADERS,	/* a part's header block, up to the empty line */
	S_DATA,		/* a part's body, up to CRLF "--boundary" */
	S_EPILOGUE,	/* after the closing delimiter: ignored */
	S_FAILED,
};

struct mp_parser {
	struct arena *arena;
	const struct mp_field *fields;
	struct mp_limits lim;

	char delim[4 + MAX_BOUNDARY + 1];	/* CRLF "--" boundary */
	size_t delim_len;
	size_t matched;		/* bytes of delim matched so far */
	enum state state;
	size_t total;

	char *hdr;		/* the header block being read */
	size_t hdr_len;

	struct mp_part *parts;	/* parts kept, in arrival order */
	int nparts;
	int seen;		/* parts of any name so far */
	struct mp_part *cur;	/* part being filled, NULL if skipped */
	size_t cur_cap;

	enum mp_error err;
	char msg[160];
};

static int fail(struct mp_parser *p, enum mp_error e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records why the body is refused; every later call fails too. */
static int fail(struct mp_parser *p, enum mp_error e, const char *fmt, ...)
{
	va_list ap;

	p->err = e;
	p->state = S_FAILED;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* RFC 2046 bchars: the boundary's own characters (a space not last). */
static int boundary_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || strchr("'()+_,-./:=? ", c) != NULL;
}

/*
 * The value of parameter name in a header value such as
 * `form-data; name="photos"; filename="blob"`, unquoted, into out.
 * Returns 1 if found, 0 if absent, -1 if the parameter list is malformed
 * or names the parameter twice.
 */
static int header_param(const char *v, const char *name, char *out,
			size_t outsz)
{
	size_t nlen = strlen(name);
	int found = 0;

	v = strchr(v, ';');
	while (v != NULL && *v == ';') {
		const char *key, *val;
		size_t klen, n = 0;

		for (v++; *v == ' ' || *v == '\t'; v++)
			;
		key = v;
		while (*v != '\0' && *v != '=' && *v != ';' && *v != ' ')
			v++;
		klen = (size_t)(v - key);
		if (*v != '=' || klen == 0)
			return -1;
		val = ++v;
		if (*v == '"') {
			for (v++; *v != '"'; v++) {
				if (*v == '\\' && v[1] != '\0')
					v++;
				if (*v == '\0')
					return -1;	/* unterminated quote */
			}
			v++;
		} else {
			while (*v != '\0' && *v != ';' && *v != ' ' && *v != '\t')
				v++;
			if (v == val)
				return -1;
		}
		if (klen == nlen && strncasecmp(key, name, nlen) == 0) {
			const char *s = val, *end = v;

			if (found++)
				return -1;
			if (*s == '"') {
				s++;
				end--;
			}
			for (; s < end && n + 1 < outsz; s++) {
				if (*s == '\\' && s + 1 < end && val[0] == '"')
					s++;
				out[n++] = *s;
			}
			if (s < end)
				return -1;	/* longer than out */
			out[n] = '\0';
		}
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '\0' && *v != ';')
			return -1;
	}
	return found;
}

static int media_type_is(const char *v, const char *type)
{
	size_t n = strlen(type);

	return strncasecmp(v, type, n) == 0 &&
	       (v[n] == '\0' || v[n] == ';' || v[n] == ' ' || v[n] == '\t');
}

struct mp_parser *mp_new(struct arena *a, const char *content_type,
			 const struct mp_field *fields,
			 const struct mp_limits *limits, enum mp_error *err)
{
	struct mp_parser *p;
	char boundary[MAX_BOUNDARY + 2];
	size_t blen;

	*err = MP_E_CONTENT_TYPE;
	if (content_type == NULL ||
	    !media_type_is(content_type, "multipart/form-data") ||
	    header_param(content_type, "boundary", boundary,
			 sizeof(boundary)) != 1)
		return NULL;
	blen = strlen(boundary);
	if (blen == 0 || blen > MAX_BOUNDARY || boundary[blen - 1] == ' ')
		return NULL;
	for (size_t i = 0; i < blen; i++)
		if (!boundary_char((unsigned char)boundary[i]))
			return NULL;
	p = arena_calloc(a, 1, sizeof(*p));
	p->arena = a;
	p->fields = fields;
	p->lim = *limits;
	p->delim_len = (size_t)snprintf(p->delim, sizeof(p->delim), "\r\n--%s",
				       boundary);
	p->matched = 2;		/* the first delimiter has no CRLF before it */
	p->state = S_PREAMBLE;
	p->hdr = arena_alloc(a, p->lim.max_header_bytes + 1);
	p->parts = arena_calloc(a, (size_t)p->lim.max_parts,
				sizeof(struct mp_part));
	*err = MP_OK;
	return p;
}

static const struct mp_field *find_field(const struct mp_parser *p,
					 const char *name)
{
	const struct mp_field *f;

	for (f = p->fields; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* A failed parser holds no parts: what arrived before the fault depends
 * on how the body was split into reads. */
int mp_count(const struct mp_parser *p, const char *name)
{
	int i, n = 0;

	for (i = 0; p->state != S_FAILED && i < p->nparts; i++)
		n += strcmp(p->parts[i].field->name, name) == 0;
	return n;
}

const struct mp_part *mp_get(const struct mp_parser *p, const char *name,
			     int i)
{
	int k;

	for (k = 0; p->state != S_FAILED && k < p->nparts; k++)
		if (strcmp(p->parts[k].field->name, name) == 0 && i-- == 0)
			return &p->parts[k];
	return NULL;
}

const char *mp_text(const struct mp_parser *p, const char *name)
{
	const struct mp_part *part = mp_get(p, name, 0);

	return part ? part->data : NULL;
}

/*
 * One "Name: value" line of a part's header block.  Content-Disposition
 * must be form-data with a name; Content-Type is kept; other headers are
 * ignored.  Folded (indented) lines are obsolete and refused.
 */
static int header_line(struct mp_parser *p, char *line, char *name,
		       size_t namesz, char **filename, char **ctype)
{
	char *colon = strchr(line, ':'), *v, *buf;
	int r;

	if (colon == NULL || colon == line || line[0] == ' ' || line[0] == '\t')
		return fail(p, MP_E_MALFORMED,
			    "malformed multipart body: bad part header");
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	if (strcasecmp(line, "Content-Type") == 0) {
		*ctype = arena_strdup(p->arena, v);
		return 0;
	}
	if (strcasecmp(line, "Content-Disposition") != 0)
		return 0;
	if (!media_type_is(v, "form-data") || name[0] != '\0' ||
	    header_param(v, "name", name, namesz) != 1 || name[0] == '\0')
		return fail(p, MP_E_MALFORMED, "malformed multipart body: a part "
			    "needs Content-Disposition: form-data with a name");
	buf = arena_alloc(p->arena, namesz);
	r = header_param(v, "filename", buf, namesz);
	if (r < 0)
		return fail(p, MP_E_MALFORMED,
			    "malformed multipart body: bad filename");
	if (r == 1)
		*filename = arena_strdup(p->arena, buf);
	return 0;
}

/*
 * The header block of a part is complete: decide where its bytes go.  A
 * file part with an empty filename is a browser's empty file input and is
 * skipped, like a field the form does not declare.
 */
static int begin_part(struct mp_parser *p)
{
	size_t namesz = p->lim.max_header_bytes + 1;
	char *name = arena_alloc(p->arena, namesz);
	char *filename = NULL, *ctype = NULL, *line, *save = NULL;
	const struct mp_field *f;
	struct mp_part *part;

	name[0] = '\0';
	if (++p->seen > p->lim.max_parts)
		return fail(p, MP_E_TOO_MANY_PARTS,
			    "multipart body has too many parts");
	p->hdr[p->hdr_len - 2] = '\0';	/* drop the final CRLF */
	for (line = strtok_r(p->hdr, "\r\n", &save); line != NULL;
	     line = strtok_r(NULL, "\r\n", &save))
		if (header_line(p, line, name, namesz, &filename, &ctype) < 0)
			return -1;
	if (name[0] == '\0')
		return fail(p, MP_E_MALFORMED, "malformed multipart body: a part "
			    "has no Content-Disposition");
	p->cur = NULL;
	f = find_field(p, name);
	if (f == NULL || (f->kind == MP_FILE && filename && filename[0] == '\0'))
		return 0;
	if (mp_count(p, name) >= f->max_count)
		return fail(p, MP_E_DUPLICATE, f->max_count == 1
			    ? "field %s may appear only once"
			    : "too many parts named %s", f->name);
	part = p->cur = &p->parts[p->nparts++];
	part->field = f;
	part->filename = filename;
	part->content_type = ctype;
	p->cur_cap = f->max_bytes;
	if (p->lim.max_total_bytes && p->cur_cap > p->lim.max_total_bytes)
		p->cur_cap = p->lim.max_total_bytes;
	part->data = arena_alloc(p->arena, p->cur_cap + 1);
	return 0;
}

/* Appends n bytes of the current part's body (the part may be skipped). */
static int keep(struct mp_parser *p, const char *s, size_t n)
{
	struct mp_part *part = p->cur;
	size_t room;

	if (part == NULL || n == 0)
		return 0;
	part->size += n;
	if (part->field->kind == MP_TEXT && part->size > part->field->max_bytes)
		return fail(p, MP_E_FIELD_TOO_LARGE, "field %s is too large",
			    part->field->name);
	room = p->cur_cap - part->len;
	if (n > room)
		n = room;
	memcpy((char *)part->data + part->len, s, n);
	part->len += n;
	return 0;
}

static void end_part(struct mp_parser *p)
{
	if (p->cur != NULL)
		((char *)p->cur->data)[p->cur->len] = '\0';
	p->cur = NULL;
}

/* Collects a header block byte by byte until the empty line; lines end
 * in CRLF, and a lone CR or LF is refused. */
static int header_byte(struct mp_parser *p, char c)
{
	int after_cr = p->hdr_len > 0 && p->hdr[p->hdr_len - 1] == '\r';

	if (p->hdr_len == p->lim.max_header_bytes)
		return fail(p, MP_E_HEADERS_TOO_LARGE,
			    "multipart part headers too large");
	if ((c == '\n') != after_cr || c == '\0')
		return fail(p, MP_E_MALFORMED, "malformed multipart body: "
			    "part header lines must end in CRLF");
	p->hdr[p->hdr_len++] = c;
	if (p->hdr_len == 2 && memcmp(p->hdr, "\r\n", 2) == 0)
		return fail(p, MP_E_MALFORMED, "malformed multipart body: a part "
			    "has no headers");
	if (p->hdr_len >= 4 && memcmp(p->hdr + p->hdr_len - 4, "\r\n\r\n", 4) == 0) {
		if (begin_part(p) < 0)
			return -1;
		p->state = S_DATA;
		p->matched = 0;
	}
	return 0;
}

/*
 * The body of a part, up to the next delimiter.  No byte of a delimiter
 * after its leading CR can be a CR (a boundary holds no CR or LF), so when
 * a partial match breaks, the matched bytes are data and the breaking byte
 * starts over from the delimiter's first byte: no backtracking is needed.
 */
static int data_bytes(struct mp_parser *p, const char *s, size_t n,
		      size_t *used)
{
	size_t i = 0;

	while (i < n) {
		if (p->matched == 0) {
			const char *cr = memchr(s + i, '\r', n - i);
			size_t run = cr ? (size_t)(cr - (s + i)) : n - i;

			if (keep(p, s + i, run) < 0)
				return -1;
			i += run;
			if (cr == NULL)
				break;
			p->matched = 1;
			i++;
			continue;
		}
		if (s[i] == p->delim[p->matched]) {
			i++;
			if (++p->matched == p->delim_len) {
				end_part(p);
				p->state = S_DELIM_END;
				break;
			}
			continue;
		}
		if (keep(p, p->delim, p->matched) < 0)
			return -1;
		p->matched = 0;
	}
	*used = i;
	return 0;
}

static int step(struct mp_parser *p, char c)
{
	switch (p->state) {
	case S_PREAMBLE:
		if (c != p->delim[p->matched])
			return fail(p, MP_E_MALFORMED, "malformed multipart body: "
				    "it does not start with the boundary");
		if (++p->matched == p->delim_len)
			p->state = S_DELIM_END;
		return 0;
	case S_DELIM_END:
		if (c == '-')
			p->state = S_CLOSE_DASH;
		else if (c == '\r')
			p->state = S_DELIM_LF;
		else if (c != ' ' && c != '\t')	/* transport padding */
			return fail(p, MP_E_MALFORMED, "malformed multipart body: "
				    "bad delimiter line");
		return 0;
	case S_DELIM_LF:
		if (c != '\n')
			return fail(p, MP_E_MALFORMED, "malformed multipart body: "
				    "bad delimiter line");
		p->state = S_HEADERS;
		p->hdr_len = 0;
		return 0;
	case S_CLOSE_DASH:
		if (c != '-')
			return fail(p, MP_E_MALFORMED, "malformed multipart body: "
				    "bad delimiter line");
		p->state = S_EPILOGUE;
		return 0;
	case S_HEADERS:
		return header_byte(p, c);
	case S_EPILOGUE:
		return 0;
	case S_DATA:
	case S_FAILED:
		break;
	}
	return -1;
}

int mp_feed(struct mp_parser *p, const char *buf, size_t len)
{
	size_t i = 0;

	if (p->state == S_FAILED)
		return -1;
	p->total += len;
	if (p->lim.max_total_bytes && p->total > p->lim.max_total_bytes)
		return fail(p, MP_E_TOO_LARGE, "request body too large");
	while (i < len) {
		if (p->state == S_EPILOGUE)
			return 0;
		if (p->state == S_DATA) {
			size_t used;

			if (data_bytes(p, buf + i, len - i, &used) < 0)
				return -1;
			i += used;
		} else if (step(p, buf[i++]) < 0) {
			return -1;
		}
	}
	return 0;
}

int mp_finish(struct mp_parser *p)
{
	if (p->state == S_FAILED)
		return -1;
	if (p->state != S_EPILOGUE)
		return fail(p, MP_E_TRUNCATED, "malformed multipart body: it "
			    "ends before the closing boundary");
	return 0;
}

enum mp_error mp_error(const struct mp_parser *p)
{
	return p->err;
}

const char *mp_error_message(const struct mp_parser *p)
{
	return p->msg;
}

int mp_error_status(const struct mp_parser *p)
{
	return p->err == MP_E_TOO_LARGE || p->err == MP_E_FIELD_TOO_LARGE
		? 413 : 400;
}

/*
 * nginx buffers the whole upload before it calls us (request buffering on)
 * and sends CONTENT_LENGTH, so the declared length is checked first and the
 * stream is read in chunks that go straight into the parser: a part's
 * bytes are copied once, into its buffer.
 */
struct mp_parser *req_read_multipart(struct req *r,
				     const struct mp_field *fields)
{
	struct mp_limits lim = mp_default_limits;
	struct mp_parser *p;
	enum mp_error err;
	char buf[READ_CHUNK];
	int n;

	if (r->content_length > cfg.max_body_bytes) {
		reply_detail(r, 413, "request body too large");
		return NULL;
	}
	lim.max_total_bytes = (size_t)cfg.max_body_bytes;
	p = mp_new(r->arena, r->content_type, fields, &lim, &err);
	if (p == NULL) {
		reply_detail(r, 400, "expected a multipart/form-data body "
			     "with a boundary");
		return NULL;
	}
	while ((n = FCGX_GetStr(buf, sizeof(buf), r->fcgx->in)) > 0)
		if (mp_feed(p, buf, (size_t)n) < 0)
			break;
	if (mp_finish(p) < 0) {
		reply_detail(r, mp_error_status(p), mp_error_message(p));
		return NULL;
	}
	return p;
}
