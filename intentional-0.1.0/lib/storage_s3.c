/*
 * The S3 backend: path-style requests (<endpoint>/<bucket>/<key>), which
 * R2, AWS S3, MinIO and s3rver all accept.  PUT, DELETE and ListObjectsV2
 * go through libcurl, which signs them with SigV4 (CURLOPT_AWS_SIGV4); we
 * send the payload's SHA-256 as x-amz-content-sha256, which S3 requires
 * and libcurl 7.88 does not add.  One easy handle is kept per process so
 * the connection to the store is reused across requests.
 */
#define _GNU_SOURCE	/* strptime */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "config.h"
#include "log.h"
#include "sigv4.h"
#include "storage_backend.h"

#define MAX_RESPONSE (4 << 20)	/* a ListObjectsV2 page is ~1000 x 300 B */

struct response {
	struct arena *arena;
	char *data;
	size_t len, cap;
};

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
	struct response *r = userdata;
	size_t add = size * n;

	if (r->len + add > MAX_RESPONSE)
		return 0;
	if (r->len + add + 1 > r->cap) {
		size_t cap = (r->len + add + 1) * 2;
		char *data = arena_alloc(r->arena, cap);

		if (r->len > 0)
			memcpy(data, r->data, r->len);
		r->data = data;
		r->cap = cap;
	}
	memcpy(r->data + r->len, p, add);
	r->len += add;
	r->data[r->len] = '\0';
	return add;
}

/* The endpoint without a trailing slash, and its host[:port]. */
static const char *endpoint(struct arena *a, const char **host)
{
	const char *e = cfg.s3_endpoint_url, *h = strstr(e, "://") + 3;
	size_t n = strlen(e);

	while (n > 0 && e[n - 1] == '/')
		n--;
	if (host != NULL)
		*host = arena_strndup(a, h, strcspn(h, "/"));
	return arena_strndup(a, e, n);
}

static const char *object_url(struct arena *a, const char *key)
{
	return arena_printf(a, "%s/%s/%s", endpoint(a, NULL),
			    sigv4_uri_encode(a, cfg.s3_bucket, 0),
			    sigv4_uri_encode(a, key, 1));
}

static CURL *handle(void)
{
	static CURL *h;

	if (h == NULL)
		h = curl_easy_init();
	else
		curl_easy_reset(h);
	return h;
}

/*
 * One signed request.  Returns the HTTP status (0 when no answer came) and
 * the body in *resp.  The payload hash header is part of the signature.
 */
static long request(struct arena *a, const char *method, const char *url,
		    const void *body, size_t len, const char *content_type,
		    struct response *resp)
{
	CURL *h = handle();
	struct curl_slist *hdrs = NULL;
	char hash[65], sigv4[128];
	long status = 0;
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	resp->arena = a;
	if (h == NULL)
		return 0;
	sigv4_sha256_hex(body ? body : "", len, hash);
	hdrs = curl_slist_append(hdrs, arena_printf(a, "x-amz-content-sha256: %s", hash));
	if (content_type != NULL) {
		hdrs = curl_slist_append(hdrs, arena_printf(a, "Content-Type: %s",
							     content_type));
		hdrs = curl_slist_append(hdrs, "Cache-Control: "
					 STORAGE_OBJECT_CACHE_CONTROL);
	}
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", cfg.s3_region);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(h, CURLOPT_USERNAME, cfg.s3_access_key_id);
	curl_easy_setopt(h, CURLOPT_PASSWORD, cfg.s3_secret_access_key);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg.storage_timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	else
		log_error("storage: %s %s failed: %s", method, url,
			  curl_easy_strerror(rc));
	curl_slist_free_all(hdrs);
	return status;
}

/* S3 answers errors as <Error><Code>...</Code>; log it, never show it. */
static enum result s3_failure(const char *method, const char *key, long status,
			      const struct response *resp)
{
	if (status != 0)
		log_error("storage: %s %s answered %ld: %.300s", method, key,
			  status, resp->data ? resp->data : "");
	if (status == 507 || (resp->data && strstr(resp->data,
					    "<Code>QuotaExceeded</Code>")))
		return fail_with(RES_STORAGE_FULL, "storage is full");
	return fail_with(RES_UNAVAILABLE, "storage unavailable");
}

static enum result s3_put(struct arena *a, const char *key, const void *data,
			  size_t len, const char *content_type)
{
	struct response resp;
	long status = request(a, "PUT", object_url(a, key), data, len,
			      content_type, &resp);

	return status == 200 ? RES_OK : s3_failure("PUT", key, status, &resp);
}

static enum result s3_del(struct arena *a, const char *key)
{
	struct response resp;
	long status = request(a, "DELETE", object_url(a, key), NULL, 0, NULL,
			      &resp);

	return status == 204 || status == 200 || status == 404
		? RES_OK : s3_failure("DELETE", key, status, &resp);
}

static enum result s3_locate(struct arena *a, const char *key,
			     struct storage_location *out)
{
	struct sigv4_presign p;
	const char *host, *base = endpoint(a, &host);

	p.host = host;
	p.path = arena_printf(a, "/%s/%s", cfg.s3_bucket, key);
	p.region = cfg.s3_region;
	p.access_key = cfg.s3_access_key_id;
	p.secret_key = cfg.s3_secret_access_key;
	p.now = time(NULL);
	p.expires = cfg.presigned_url_expiration;
	p.cache_control = STORAGE_OBJECT_CACHE_CONTROL;
	out->url = arena_printf(a, "%s%s?%s", base, sigv4_uri_encode(a, p.path, 1),
				sigv4_presign_query(a, &p, NULL));
	return RES_OK;
}

/* The raw text of the first <tag>...</tag> at or after *at; *at moves
 * past it.  NULL if there is none. */
static char *xml_element(struct arena *a, const char **at, const char *tag)
{
	const char *open = arena_printf(a, "<%s>", tag);
	const char *close = arena_printf(a, "</%s>", tag);
	const char *s = strstr(*at, open), *e;

	if (s == NULL || (e = strstr(s += strlen(open), close)) == NULL)
		return NULL;
	*at = e + strlen(close);
	return arena_strndup(a, s, (size_t)(e - s));
}

/* The text of an element with the five XML entities decoded. */
static char *xml_text(struct arena *a, const char *in, const char *tag)
{
	static const char *const ent[][2] = {
		{ "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
		{ "&quot;", "\"" }, { "&apos;", "'" },
	};
	char *out = xml_element(a, &in, tag), *o = out;
	const char *s;

	for (s = out; s != NULL && *s != '\0';) {
		size_t i;

		for (i = 0; i < 5; i++)
			if (strncmp(s, ent[i][0], strlen(ent[i][0])) == 0)
				break;
		if (i < 5) {
			*o++ = ent[i][1][0];
			s += strlen(ent[i][0]);
		} else {
			*o++ = *s++;
		}
	}
	if (o != NULL)
		*o = '\0';
	return out;
}

/* "2025-03-02T09:15:00.000Z" -> seconds since then. */
static long age_of(const char *iso, time_t now)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return 0;
	return (long)(now - timegm(&tm));
}

/*
 * ListObjectsV2, page by page.  The query parameters are written already
 * in SigV4's canonical order (sorted, encoded), which libcurl signs as
 * they stand.
 */
static enum result s3_list(struct arena *a, const char *prefix,
			   storage_list_fn *fn, void *ctx)
{
	const char *token = NULL, *base = arena_printf(a, "%s/%s", endpoint(a, NULL),
						       sigv4_uri_encode(a, cfg.s3_bucket, 0));
	time_t now = time(NULL);

	do {
		struct response resp;
		const char *url = arena_printf(a, "%s?%s%s%slist-type=2&prefix=%s",
					       base, token ? "continuation-token=" : "",
					       token ? sigv4_uri_encode(a, token, 0) : "",
					       token ? "&" : "",
					       sigv4_uri_encode(a, arena_printf(a, "%s/", prefix), 0));
		long status = request(a, "GET", url, NULL, 0, NULL, &resp);
		const char *at;
		char *block;

		if (status != 200 || resp.data == NULL)
			return s3_failure("LIST", prefix, status, &resp);
		at = resp.data;
		while ((block = xml_element(a, &at, "Contents")) != NULL) {
			char *key = xml_text(a, block, "Key");

			if (key != NULL &&
			    fn(key, age_of(xml_text(a, block, "LastModified"), now), ctx))
				return RES_OK;
		}
		token = strstr(resp.data, "<IsTruncated>true</IsTruncated>")
			? xml_text(a, resp.data, "NextContinuationToken") : NULL;
	} while (token != NULL);
	return RES_OK;
}

const struct storage_backend storage_s3 = {
	s3_put, s3_del, s3_locate, s3_list,
};
