#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "config.h"
#include "jsonv.h"
#include "reply.h"
#include "route.h"
#include "wallclock.h"

#define INT4_MIN (-2147483647LL - 1)
#define INT4_MAX 2147483647LL

/* Collects FastAPI-style errors: {"type","loc":[where,name],"msg","input"}. */
struct errors {
	struct req *r;
	json_object *list;
};

static void add_error(struct errors *e, const char *where, const char *name,
		      const char *type, const char *msg, json_object *input)
{
	json_object *err = json_object_new_object();
	json_object *loc = json_object_new_array();

	if (e->list == NULL)
		e->list = json_object_new_array();
	json_object_array_add(loc, json_object_new_string(where));
	if (name != NULL)
		json_object_array_add(loc, json_object_new_string(name));
	jv_put(err, "type", json_object_new_string(type));
	jv_put(err, "loc", loc);
	jv_put(err, "msg", json_object_new_string(msg));
	jv_put(err, "input", input);
	json_object_array_add(e->list, err);
}

/* An error whose message is "<before> <n><after>". */
static void add_error_n(struct errors *e, const char *where, const char *name,
			const char *type, json_object *input,
			const char *before, long long n, const char *after)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s %lld%s", before, n, after);
	add_error(e, where, name, type, msg, input);
}

/* Strict decimal integer of the int4 range, as text. */
static int parse_int(const char *s, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < INT4_MIN || v > INT4_MAX)
		return -1;
	*out = v;
	return 0;
}

static void check_int_bounds(struct errors *e, const char *where,
			     const struct field *f, struct value *v,
			     json_object *input)
{
	if (f->min == 0 && f->max == 0)
		return;
	if (v->i < f->min)
		add_error_n(e, where, f->name, "greater_than_equal",
				    json_object_get(input),
				    "Input should be greater than or equal to",
				    f->min, "");
	else if (v->i > f->max)
		add_error_n(e, where, f->name, "less_than_equal",
				    json_object_get(input),
				    "Input should be less than or equal to",
				    f->max, "");
}

static void check_str(struct errors *e, const char *where,
		      const struct field *f, struct value *v, size_t len,
		      json_object *input)
{
	long n = utf8_length(v->s, len);

	if (n < 0) {
		add_error(e, where, f->name, "string_unicode",
			  "Input should be a valid string", NULL);
		return;
	}
	if ((f->min || f->max) && n < f->min)
		add_error_n(e, where, f->name, "string_too_short",
				    json_object_get(input),
				    "String should have at least", f->min,
				    " characters");
	else if (f->max && n > f->max)
		add_error_n(e, where, f->name, "string_too_long",
				    json_object_get(input),
				    "String should have at most", f->max,
				    " characters");
}

static void check_count(struct errors *e, const char *where,
			const struct field *f, size_t n)
{
	if (f->max && n > (size_t)f->max)
		add_error_n(e, where, f->name, "too_long", NULL,
				    "List should have at most", f->max, " items");
	else if (f->min && n < (size_t)f->min)
		add_error_n(e, where, f->name, "too_short", NULL,
				    "List should have at least", f->min, " items");
}

/* An ISO-8601 date-time (lib/wallclock.h), stored in v->s as the
 * timestamp literal PostgreSQL takes. */
static void check_timestamp(struct errors *e, const char *where,
			    const struct field *f, struct value *v,
			    json_object *input)
{
	struct wallclock w;

	if (wallclock_parse(v->s, &w) < 0) {
		add_error(e, where, f->name, "datetime_from_date_parsing",
			  "Input should be a valid datetime",
			  json_object_get(input));
		return;
	}
	v->s = wallclock_sql(e->r->arena, &w);
}

/* "1,2,,3" -> {1,2,3}; empty items are skipped, as the original does. */
static int parse_csv_ints(struct arena *a, const char *s, struct value *v)
{
	size_t cap = 1, n = 0;
	const char *p;
	char *copy, *save = NULL, *item;

	for (p = s; *p != '\0'; p++)
		cap += *p == ',';
	v->list = arena_calloc(a, cap, sizeof(long long));
	copy = arena_strdup(a, s);
	for (item = strtok_r(copy, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ')
			item++;
		if (*item == '\0')
			continue;
		if (parse_int(item, &v->list[n]) < 0)
			return -1;
		n++;
	}
	v->nlist = n;
	return 0;
}

static int parse_bool_text(const char *s, int *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on", "t", "y" };
	static const char *const no[] = { "false", "0", "no", "off", "f", "n" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* The value of name in a form body (the last one wins), or NULL. */
static const char *form_value(const struct req *r, const char *name)
{
	const char *v = NULL;
	int i;

	for (i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].name, name) == 0)
			v = r->form[i].value;
	return v;
}

/* A query parameter, or a field of a form body (where = "body"). */
static void query_field(struct errors *e, const char *where,
			const struct field *f, struct value *v)
{
	const char *s = *where == 'b' ? form_value(e->r, f->name)
				      : req_query(e->r, f->name);
	json_object *input;

	if (s == NULL)
		s = f->def;
	if (s == NULL) {
		if (f->flags & REQUIRED)
			add_error(e, where, f->name, "missing",
				  "Field required", NULL);
		return;
	}
	input = jv_owned(e->r->arena, json_object_new_string(s));
	v->present = 1;
	v->s = s;
	switch (f->type) {
	case F_INT:
		if (parse_int(s, &v->i) < 0)
			add_error(e, where, f->name, "int_parsing",
				  "Input should be a valid integer, unable to "
				  "parse string as an integer", json_object_get(input));
		else
			check_int_bounds(e, where, f, v, input);
		break;
	case F_BOOL:
		if (parse_bool_text(s, &v->b) < 0)
			add_error(e, where, f->name, "bool_parsing",
				  "Input should be a valid boolean",
				  json_object_get(input));
		break;
	case F_CSV_INTS:
		if (parse_csv_ints(e->r->arena, s, v) < 0)
			add_error(e, where, f->name, "int_parsing",
				  "Input should be a comma-separated list of "
				  "integers", json_object_get(input));
		else
			check_count(e, where, f, v->nlist);
		break;
	case F_STR:
	case F_INT_LIST:
		check_str(e, where, f, v, strlen(s), input);
		break;
	case F_TIMESTAMP:
		check_timestamp(e, "query", f, v, input);
		break;
	}
}

static int json_int_value(json_object *j, long long *out)
{
	if (json_object_is_type(j, json_type_int)) {
		errno = 0;
		*out = json_object_get_int64(j);
		return (errno == 0 && *out >= INT4_MIN && *out <= INT4_MAX) ? 0 : -1;
	}
	/* pydantic's lax mode takes "42" for an int; HTML selects send strings */
	if (json_object_is_type(j, json_type_string))
		return parse_int(json_object_get_string(j), out);
	return -1;
}

static void body_int_list(struct errors *e, const struct field *f,
			  struct value *v, json_object *j)
{
	size_t i, n;

	if (!json_object_is_type(j, json_type_array)) {
		add_error(e, "body", f->name, "list_type",
			  "Input should be a valid list", json_object_get(j));
		return;
	}
	n = json_object_array_length(j);
	check_count(e, "body", f, n);
	if (f->max && n > (size_t)f->max)
		return;
	v->list = arena_calloc(e->r->arena, n ? n : 1, sizeof(long long));
	v->nlist = n;
	for (i = 0; i < n; i++)
		if (json_int_value(json_object_array_get_idx(j, i),
				   &v->list[i]) < 0) {
			add_error(e, "body", f->name, "int_parsing",
				  "Input should be a list of valid integers",
				  json_object_get(j));
			return;
		}
}

static void body_field(struct errors *e, const struct field *f,
		       struct value *v, json_object *body)
{
	json_object *j = NULL;

	if (!json_object_object_get_ex(body, f->name, &j)) {
		if (f->flags & REQUIRED)
			add_error(e, "body", f->name, "missing", "Field required",
				  json_object_get(body));
		return;
	}
	if (j == NULL) {
		if (!(f->flags & NULLABLE))
			add_error(e, "body", f->name, "null_input",
				  "Input should not be null", NULL);
		return;
	}
	v->present = 1;
	switch (f->type) {
	case F_INT:
		if (json_int_value(j, &v->i) < 0)
			add_error(e, "body", f->name, "int_type",
				  "Input should be a valid integer",
				  json_object_get(j));
		else
			check_int_bounds(e, "body", f, v, j);
		break;
	case F_STR:
	case F_TIMESTAMP:
		if (!json_object_is_type(j, json_type_string)) {
			add_error(e, "body", f->name, "string_type",
				  "Input should be a valid string",
				  json_object_get(j));
			break;
		}
		v->s = json_object_get_string(j);
		if (f->type == F_TIMESTAMP)
			check_timestamp(e, "body", f, v, j);
		else
			check_str(e, "body", f, v,
				  (size_t)json_object_get_string_len(j), j);
		break;
	case F_BOOL:
		if (!json_object_is_type(j, json_type_boolean))
			add_error(e, "body", f->name, "bool_type",
				  "Input should be a valid boolean",
				  json_object_get(j));
		else
			v->b = json_object_get_boolean(j);
		break;
	case F_INT_LIST:
	case F_CSV_INTS:
		body_int_list(e, f, v, j);
		break;
	}
}

static int is_known(const struct field *fields, const char *key)
{
	for (; fields != NULL && fields->name != NULL; fields++)
		if (strcmp(fields->name, key) == 0)
			return 1;
	return 0;
}

static void body_fields(struct errors *e, const struct field *fields,
			json_object *body)
{
	int i;

	if (!json_object_is_type(body, json_type_object)) {
		add_error(e, "body", NULL, "model_attributes_type",
			  "Input should be a valid dictionary or object to "
			  "extract fields from", json_object_get(body));
		return;
	}
	json_object_object_foreach(body, key, val) {
		if (!is_known(fields, key))
			add_error(e, "body", key, "extra_forbidden",
				  "Extra inputs are not permitted",
				  json_object_get(val));
	}
	for (i = 0; fields != NULL && fields[i].name != NULL; i++)
		body_field(e, &fields[i], &e->r->arg[i], body);
}

/* Walks the {name:type} parameters of the pattern in order. */
static void path_params(struct errors *e)
{
	const char *p = e->r->route->pattern;
	int i = 0;

	while ((p = strchr(p, '{')) != NULL && i < MAX_PATH_PARAMS) {
		const char *colon = strchr(p, ':'), *close = strchr(p, '}');
		char *name = arena_strndup(e->r->arena, p + 1,
					   (size_t)(colon - p - 1));
		struct value *v = &e->r->path_arg[i++];
		char *raw = (char *)v->s;

		if (strncmp(colon, ":int}", 5) == 0) {
			if (parse_int(raw, &v->i) < 0)
				add_error(e, "path", name, "int_parsing",
					  "Input should be a valid integer, unable "
					  "to parse string as an integer",
					  jv_owned(e->r->arena,
						   json_object_get(json_object_new_string(raw))));
		} else if (percent_decode(raw, 0) < 0 ||
			   utf8_length(raw, strlen(raw)) < 0) {
			add_error(e, "path", name, "string_type",
				  "Input should be a valid string", NULL);
		}
		p = close;
	}
}

/*
 * Reads and parses the JSON body of routes that take one.  An empty body is
 * "missing" for BODY_JSON and {} for BODY_JSON_OPTIONAL; so is a literal
 * null.  Returns 0, or -1 after replying (413); malformed JSON is a 422.
 */
static int read_json_body(struct req *r)
{
	char *text;
	size_t len;

	if (r->content_length > 0) {
		if (req_read_body(r, cfg.max_json_bytes, &text, &len) < 0)
			return -1;
		if (jv_parse(r->arena, text, len, &r->body) < 0) {
			struct errors e = { r, NULL };

			add_error(&e, "body", NULL, "json_invalid",
				  "JSON decode error", NULL);
			reply_validation_list(r, e.list);
			return -1;
		}
	}
	if (r->body == NULL && r->route->body == BODY_JSON_OPTIONAL)
		r->body = jv_owned(r->arena, json_object_new_object());
	return 0;
}

void reply_missing(struct req *r, const char *where, const char *name)
{
	struct errors e = { r, NULL };

	add_error(&e, where, name, "missing", "Field required", NULL);
	reply_validation_list(r, e.list);
}

json_object *validate_fields(struct req *r)
{
	struct errors e = { r, NULL };
	const struct route *rt = r->route;
	int i;

	path_params(&e);
	if (rt->body == BODY_JSON || rt->body == BODY_JSON_OPTIONAL) {
		if (r->body == NULL)
			add_error(&e, "body", NULL, "missing", "Field required", NULL);
		else
			body_fields(&e, rt->fields, r->body);
	} else {
		const char *where = rt->body == BODY_FORM ? "body" : "query";

		for (i = 0; rt->body == BODY_FORM && i < r->nform; i++)
			if (!is_known(rt->fields, r->form[i].name))
				add_error(&e, "body", r->form[i].name,
					  "extra_forbidden",
					  "Extra inputs are not permitted", NULL);
		for (i = 0; rt->fields != NULL && rt->fields[i].name != NULL; i++)
			query_field(&e, where, &rt->fields[i], &r->arg[i]);
	}
	return e.list;
}

/*
 * Reads an application/x-www-form-urlencoded body into r->form.  Another
 * content type leaves the form empty (so required fields are missing,
 * 422); a malformed escape is a 400.  Returns 0, or -1 after replying.
 */
static int read_form_body(struct req *r)
{
	const char *ct = r->content_type ? r->content_type : "";
	char *text;
	size_t len;

	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0 ||
	    (ct[33] != '\0' && ct[33] != ';' && ct[33] != ' '))
		return 0;
	if (req_read_body(r, cfg.max_json_bytes, &text, &len) < 0)
		return -1;
	if (strlen(text) != len ||
	    (r->nform = form_decode(r->arena, text, r->form, MAX_QUERY_PARAMS)) < 0) {
		r->nform = 0;
		reply_detail(r, 400, "malformed form body");
		return -1;
	}
	return 0;
}

int validate_request(struct req *r)
{
	json_object *errors;

	if ((r->route->body == BODY_JSON || r->route->body == BODY_JSON_OPTIONAL) &&
	    read_json_body(r) < 0)
		return -1;
	if (r->route->body == BODY_FORM && read_form_body(r) < 0)
		return -1;
	errors = validate_fields(r);
	if (errors == NULL)
		return 0;
	reply_validation_list(r, errors);
	return -1;
}
