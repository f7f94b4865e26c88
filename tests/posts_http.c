#define _GNU_SOURCE		/* open_memstream, strptime */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "posts_http.h"

#define BOUNDARY "----intentionalPostsBoundaryQ2Vx"

static void text_part(FILE *f, const char *name, const char *value)
{
	if (value != NULL)
		fprintf(f, "--" BOUNDARY "\r\nContent-Disposition: form-data;"
			" name=\"%s\"\r\n\r\n%s\r\n", name, value);
}

http_resp *create_post(const char *token, const struct post_form *pf)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	struct http_req req = { 0 };
	http_resp *r;
	int i;

	text_part(f, "content", pf->content);
	text_part(f, "audience_type", pf->audience_type);
	text_part(f, "audience_tag_ids", pf->audience_tag_ids);
	text_part(f, "client_timestamp", pf->client_timestamp);
	for (i = 0; i < pf->nphotos; i++) {
		fprintf(f, "--" BOUNDARY "\r\nContent-Disposition: form-data;"
			" name=\"photos\"; filename=\"blob\"\r\nContent-Type:"
			" image/jpeg\r\n\r\n");
		fwrite(pf->photos[i], 1, pf->photo_lens[i], f);
		fputs("\r\n", f);
	}
	fputs("--" BOUNDARY "--\r\n", f);
	fclose(f);
	req.method = "POST";
	req.path = "/posts/";
	req.token = token;
	req.content_type = "multipart/form-data; boundary=" BOUNDARY;
	req.body = body;
	req.len = len;
	r = http_send(&req);
	free(body);
	return r;
}

long create_text_post(const char *token, const char *content)
{
	struct post_form f = { .content = content };
	http_resp *r = create_post(token, &f);

	assert_json(r, 201, NULL);
	return (long)jint(r, "id");
}

int post_ids(const http_resp *r, const char *key, long *ids, int max)
{
	json_object *list = r->json, *item, *id;
	int i, n;

	if (key != NULL)
		ck_assert(r->json != NULL &&
			  json_object_object_get_ex(r->json, key, &list));
	ck_assert_msg(json_object_is_type(list, json_type_array),
		      "not a list: %s", r->body);
	n = (int)json_object_array_length(list);
	ck_assert_msg(n <= max, "%d ids, room for %d", n, max);
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(list, i);
		if (json_object_is_type(item, json_type_int))
			ids[i] = (long)json_object_get_int64(item);
		else {
			ck_assert(json_object_object_get_ex(item, "id", &id));
			ids[i] = (long)json_object_get_int64(id);
		}
	}
	return n;
}

int has_id(const long *ids, int n, long id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

const char *plain_visible(long viewer)
{
	return tfmt("(p.author_id = %ld OR (EXISTS (SELECT 1 FROM connections c"
		    " WHERE c.status = 'accepted' AND c.user_a_id ="
		    " least(p.author_id, %ld) AND c.user_b_id ="
		    " greatest(p.author_id, %ld)) AND (p.audience_type = 'all'"
		    " OR (p.audience_type = 'tags' AND EXISTS (SELECT 1"
		    " FROM post_audience_tags pat JOIN user_tags ut"
		    " ON ut.tag_id = pat.tag_id WHERE pat.post_id = p.id"
		    " AND ut.owner_user_id = p.author_id"
		    " AND ut.target_user_id = %ld)))))",
		    viewer, viewer, viewer, viewer);
}

http_resp *get_ok(long user, const char *path)
{
	http_resp *r = http("GET", path, token_for(user), NULL);

	assert_json(r, 200, NULL);
	return r;
}

static const char *wallclock(long seconds, int utc)
{
	time_t t = time(NULL) + seconds;
	struct tm tm;
	char buf[32];

	if (utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return tfmt("%s", buf);
}

const char *utc_wallclock(long seconds)
{
	return wallclock(seconds, 1);
}

const char *local_wallclock(long seconds)
{
	return wallclock(seconds, 0);
}

long seconds_from_now(const char *ts)
{
	struct tm tm;
	long d;

	memset(&tm, 0, sizeof(tm));
	ck_assert_msg(strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm) != NULL,
		      "not a timestamp: %s", ts);
	tm.tm_isdst = -1;
	d = (long)(mktime(&tm) - time(NULL));
	return d < 0 ? -d : d;
}
