#include <stdarg.h>
#include <stdio.h>

#include "fixtures_social.h"
#include "social_test.h"

const char *tfmt(const char *fmt, ...)
{
	static char bufs[16][32768];
	static int next;
	char *buf = bufs[next++ % 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(bufs[0]), fmt, ap);
	va_end(ap);
	return buf;
}

long long jo_int(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

const char *jo_str(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int jo_bool(json_object *o, const char *key)
{
	json_object *v;

	return o != NULL && json_object_object_get_ex(o, key, &v) &&
	       json_object_get_boolean(v);
}

int jo_len(json_object *o)
{
	if (o == NULL || !json_object_is_type(o, json_type_array))
		return -1;
	return (int)json_object_array_length(o);
}

json_object *jo_item(json_object *array, int i)
{
	return jo_len(array) > i ? json_object_array_get_idx(array, (size_t)i)
			       : NULL;
}

long post_with(long author, const char *audience)
{
	return fx_post(author, audience, "2025-03-02 10:00", NULL, "[]");
}

long post_of(long author)
{
	return post_with(author, "all");
}

void assert_ids(const http_resp *r, const long *ids, int n)
{
	int i;

	ck_assert_msg(jo_len(r->json) == n, "%s", r->body);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(jo_int(jo_item(r->json, i), "id"), ids[i]);
}

/* Points the fixtures at the stack's database (in each forked test). */
static void use_stack_database(void)
{
	fx_use(harness_database_url());
}

TCase *social_tcase(const char *name, int timeout)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout);
	tcase_add_checked_fixture(tc, use_stack_database, harness_cleanup);
	return tc;
}
