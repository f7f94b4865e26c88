#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "sigv4.h"

#define SERVICE "s3"

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	hex(md, sizeof(md), out);
}

static void hmac(const unsigned char *key, size_t klen, const char *msg,
		 unsigned char out[SHA256_DIGEST_LENGTH])
{
	unsigned int n = SHA256_DIGEST_LENGTH;

	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
	     strlen(msg), out, &n);
}

const char *sigv4_uri_encode(struct arena *a, const char *s, int keep_slash)
{
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~' || (c == '/' && keep_slash))
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

/*
 * The signing key is HMAC chained over date, region, service and
 * "aws4_request", starting from "AWS4" + secret; the signature is the
 * HMAC of the string to sign under it.
 */
static void sign(const char *secret, const char *date, const char *region,
		 const char *string_to_sign, char sig[65])
{
	unsigned char k[SHA256_DIGEST_LENGTH];
	char first[256];

	snprintf(first, sizeof(first), "AWS4%s", secret);
	hmac((const unsigned char *)first, strlen(first), date, k);
	hmac(k, sizeof(k), region, k);
	hmac(k, sizeof(k), SERVICE, k);
	hmac(k, sizeof(k), "aws4_request", k);
	hmac(k, sizeof(k), string_to_sign, k);
	hex(k, sizeof(k), sig);
	OPENSSL_cleanse(first, sizeof(first));
}

/*
 * Canonical request of a presigned GET: the query parameters in byte
 * order (every X-Amz-* sorts before response-*), the host as the only
 * signed header, and an unsigned payload.
 */
const char *sigv4_presign_query(struct arena *a, const struct sigv4_presign *p,
				const char **signature)
{
	char date[9], stamp[17], hash[65], *sig;
	struct tm tm;
	const char *scope, *query, *canonical, *to_sign, *result;

	gmtime_r(&p->now, &tm);
	strftime(date, sizeof(date), "%Y%m%d", &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	scope = arena_printf(a, "%s/%s/" SERVICE "/aws4_request", date, p->region);
	query = arena_printf(a, "X-Amz-Algorithm=AWS4-HMAC-SHA256"
			     "&X-Amz-Credential=%s&X-Amz-Date=%s&X-Amz-Expires=%ld"
			     "&X-Amz-SignedHeaders=host%s%s",
			     sigv4_uri_encode(a, arena_printf(a, "%s/%s",
							     p->access_key, scope), 0),
			     stamp, p->expires,
			     p->cache_control ? "&response-cache-control=" : "",
			     p->cache_control
			     ? sigv4_uri_encode(a, p->cache_control, 0) : "");
	canonical = arena_printf(a, "GET\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD",
				 sigv4_uri_encode(a, p->path, 1), query, p->host);
	sigv4_sha256_hex(canonical, strlen(canonical), hash);
	to_sign = arena_printf(a, "AWS4-HMAC-SHA256\n%s\n%s\n%s", stamp, scope,
			       hash);
	sig = arena_alloc(a, 65);
	sign(p->secret_key, date, p->region, to_sign, sig);
	result = arena_printf(a, "%s&X-Amz-Signature=%s", query, sig);
	if (signature != NULL)
		*signature = result + strlen(result) - 64;
	return result;
}
