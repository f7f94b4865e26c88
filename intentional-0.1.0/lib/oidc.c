#include <curl/curl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "csvlist.h"
#include "jsonv.h"
#include "log.h"
#include "oidc.h"
#include "urlenc.h"

#define MAX_RESPONSE (256 * 1024)
#define JWKS_TTL 3600
#define NOT_CONFIGURED "Google sign-in not configured"
#define INVALID_TOKEN "invalid Google ID token"

/* The provider's signing keys: {"keys": [JWK, ...]}, per process. */
static json_object *jwks;
static time_t jwks_fetched;

void oidc_forget_keys(void)
{
	json_object_put(jwks);
	jwks = NULL;
	jwks_fetched = 0;
}

static int configured(const char *redirect_uri)
{
	return *cfg.google_client_id && *cfg.google_client_secret &&
	       redirect_uri != NULL && *redirect_uri;
}

static const char *random_b64url(struct arena *a)
{
	unsigned char b[32];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return NULL;
	return b64url_encode(a, b, sizeof(b));
}

enum result oidc_authorize(struct arena *a, const char *redirect_uri,
			   struct oidc_start *out)
{
	unsigned char digest[32];
	const char *challenge;

	if (!configured(redirect_uri))
		return fail_with(RES_FAIL, NOT_CONFIGURED);
	out->state = random_b64url(a);
	out->code_verifier = random_b64url(a);
	if (out->state == NULL || out->code_verifier == NULL ||
	    EVP_Digest(out->code_verifier, strlen(out->code_verifier), digest,
		       NULL, EVP_sha256(), NULL) != 1)
		return fail_with(RES_FAIL, "could not generate random values");
	challenge = b64url_encode(a, digest, sizeof(digest));
	out->authorization_url = arena_printf(a,
		"%s%cclient_id=%s&redirect_uri=%s&response_type=code"
		"&scope=openid%%20email%%20profile&state=%s&code_challenge=%s"
		"&code_challenge_method=S256&access_type=offline&prompt=consent",
		cfg.google_auth_url, strchr(cfg.google_auth_url, '?') ? '&' : '?',
		url_encode(a, cfg.google_client_id), url_encode(a, redirect_uri),
		url_encode(a, out->state), url_encode(a, challenge));
	return RES_OK;
}

struct body {
	char *p;
	size_t n;
	int overflow;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct body *b = ud;
	size_t n = size * nmemb;

	if (b->n + n > MAX_RESPONSE) {
		b->overflow = 1;
		return 0;
	}
	memcpy(b->p + b->n, ptr, n);
	b->n += n;
	return n;
}

/*
 * GETs url, or POSTs form to it, and parses the JSON answer into *json
 * (NULL when it is not JSON).  Returns the HTTP status, or -1 when the
 * provider could not be reached or answered too much.
 */
static long http_json(struct arena *a, const char *url, const char *form,
		      json_object **json)
{
	struct body b = { arena_alloc(a, MAX_RESPONSE + 1), 0, 0 };
	struct curl_slist *headers = curl_slist_append(NULL,
						       "Accept: application/json");
	CURL *c = curl_easy_init();
	long status = -1;
	CURLcode rc;

	*json = NULL;
	if (c == NULL || headers == NULL) {
		curl_slist_free_all(headers);
		curl_easy_cleanup(c);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (form != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK && !b.overflow) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		b.p[b.n] = '\0';
		if (jv_parse(a, b.p, b.n, json) < 0)
			*json = NULL;
	} else {
		log_error("could not fetch %s: %s", url, b.overflow
			  ? "answer too large" : curl_easy_strerror(rc));
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return status;
}

static const char *json_string(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static enum result fetch_keys(struct arena *a)
{
	json_object *doc, *keys;

	if (http_json(a, cfg.google_jwks_url, NULL, &doc) != 200 ||
	    !json_object_object_get_ex(doc, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array))
		return fail_with(RES_FAIL, "OAuth callback failed: could not "
				 "fetch the provider's signing keys");
	json_object_put(jwks);
	jwks = json_object_get(keys);
	jwks_fetched = time(NULL);
	return RES_OK;
}

/* The JWK named kid (or the only RSA key when kid is NULL), or NULL. */
static json_object *cached_key(const char *kid)
{
	json_object *found = NULL;
	size_t i, n = jwks ? json_object_array_length(jwks) : 0;

	for (i = 0; i < n; i++) {
		json_object *k = json_object_array_get_idx(jwks, i);
		const char *kty = json_string(k, "kty"), *id = json_string(k, "kid");

		if (kty == NULL || strcmp(kty, "RSA") != 0)
			continue;
		if (kid == NULL ? found == NULL : id && strcmp(id, kid) == 0)
			found = k;
		else if (kid == NULL)
			return NULL;	/* ambiguous */
	}
	return found;
}

/* The signing key kid, fetching the keys when stale or when kid is new. */
static enum result find_key(struct arena *a, const char *kid, json_object **key)
{
	enum result r;

	if (jwks == NULL || time(NULL) - jwks_fetched >= JWKS_TTL) {
		if ((r = fetch_keys(a)) != RES_OK)
			return r;
	} else if (cached_key(kid) == NULL && (r = fetch_keys(a)) != RES_OK) {
		return r;
	}
	if ((*key = cached_key(kid)) == NULL)
		return fail_with(RES_UNAUTHORIZED, INVALID_TOKEN);
	return RES_OK;
}

/* A big-endian integer member of a JWK ("n", "e") as a BIGNUM, or NULL. */
static BIGNUM *jwk_bn(struct arena *a, json_object *key, const char *name)
{
	const char *s = json_string(key, name);
	unsigned char *bytes;
	size_t n;

	if (s == NULL || (bytes = b64url_decode(a, s, strlen(s), &n)) == NULL ||
	    n == 0)
		return NULL;
	return BN_bin2bn(bytes, (int)n, NULL);
}

/* The RSA public key of a JWK through OpenSSL 3's provider API. */
static EVP_PKEY *jwk_public_key(struct arena *a, json_object *key)
{
	BIGNUM *n = jwk_bn(a, key, "n"), *e = jwk_bn(a, key, "e");
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (n == NULL || e == NULL || bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* RSASSA-PKCS1-v1_5 with SHA-256 of signed by the JWK key. */
static int rs256_ok(struct arena *a, json_object *key, const char *signed_part,
		    size_t signed_len, const unsigned char *sig, size_t sig_len)
{
	EVP_PKEY *pkey = jwk_public_key(a, key);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = pkey != NULL && md != NULL &&
		 EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
		 EVP_DigestVerify(md, sig, sig_len,
				  (const unsigned char *)signed_part,
				  signed_len) == 1;

	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return ok;
}

/* Decodes one base64url JSON object of a JWS; NULL if it is not one. */
static json_object *jws_json(struct arena *a, const char *s, size_t len)
{
	size_t n;
	unsigned char *text = b64url_decode(a, s, len, &n);
	json_object *o;

	if (text == NULL || jv_parse(a, (const char *)text, n, &o) < 0 ||
	    !json_object_is_type(o, json_type_object))
		return NULL;
	return o;
}

static int audience_ok(json_object *claims)
{
	json_object *aud;
	size_t i;

	if (!json_object_object_get_ex(claims, "aud", &aud))
		return 0;
	if (json_object_is_type(aud, json_type_string))
		return strcmp(json_object_get_string(aud), cfg.google_client_id) == 0;
	if (!json_object_is_type(aud, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(aud); i++) {
		json_object *v = json_object_array_get_idx(aud, i);

		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), cfg.google_client_id) == 0)
			return 1;
	}
	return 0;
}

/* Google sends a boolean; some providers send the string "true". */
static int email_verified(json_object *claims)
{
	json_object *v;

	if (!json_object_object_get_ex(claims, "email_verified", &v))
		return 0;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v);
	return json_object_is_type(v, json_type_string) &&
	       strcmp(json_object_get_string(v), "true") == 0;
}

/* iss, aud and exp (401), then sub and email (400), email_verified (400). */
static enum result check_claims(json_object *claims, time_t now,
				struct oidc_identity *out)
{
	const char *iss = json_string(claims, "iss");
	json_object *exp;

	if (iss == NULL || !csv_contains(cfg.google_issuers, iss, 0) ||
	    !audience_ok(claims) ||
	    !json_object_object_get_ex(claims, "exp", &exp) ||
	    !(json_object_is_type(exp, json_type_int) ||
	      json_object_is_type(exp, json_type_double)) ||
	    json_object_get_int64(exp) <= (int64_t)now)
		return fail_with(RES_UNAUTHORIZED, INVALID_TOKEN);
	out->sub = json_string(claims, "sub");
	out->email = json_string(claims, "email");
	out->name = json_string(claims, "name");
	out->picture = json_string(claims, "picture");
	if (out->sub == NULL || *out->sub == '\0' || out->email == NULL ||
	    *out->email == '\0')
		return fail_with(RES_BAD_REQUEST, "Google's data lacks the "
				 "account id or email");
	if (!email_verified(claims))
		return fail_with(RES_BAD_REQUEST, "email address not verified "
				 "by Google");
	return RES_OK;
}

enum result oidc_verify_id_token(struct arena *a, const char *id_token,
				 time_t now, struct oidc_identity *out)
{
	const char *dot1 = strchr(id_token, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	json_object *header, *claims, *key;
	const char *alg;
	unsigned char *sig;
	size_t sig_len;
	enum result r;

	if (dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
		return fail_with(RES_UNAUTHORIZED, INVALID_TOKEN);
	header = jws_json(a, id_token, (size_t)(dot1 - id_token));
	claims = jws_json(a, dot1 + 1, (size_t)(dot2 - dot1 - 1));
	sig = b64url_decode(a, dot2 + 1, strlen(dot2 + 1), &sig_len);
	if (header == NULL || claims == NULL || sig == NULL ||
	    (alg = json_string(header, "alg")) == NULL ||
	    strcmp(alg, "RS256") != 0)
		return fail_with(RES_UNAUTHORIZED, INVALID_TOKEN);
	if ((r = find_key(a, json_string(header, "kid"), &key)) != RES_OK)
		return r;
	if (!rs256_ok(a, key, id_token, (size_t)(dot2 - id_token), sig, sig_len))
		return fail_with(RES_UNAUTHORIZED, INVALID_TOKEN);
	return check_claims(claims, now, out);
}

/* "error: description" of a refusal, or a generic text. */
static const char *provider_error(struct arena *a, json_object *answer)
{
	const char *e = json_string(answer, "error");
	const char *d = json_string(answer, "error_description");

	if (e == NULL)
		return "the provider refused the code";
	return d ? arena_printf(a, "%s: %s", e, d) : e;
}

enum result oidc_sign_in(struct arena *a, const char *code,
			 const char *code_verifier, const char *redirect_uri,
			 struct oidc_identity *out)
{
	json_object *answer;
	const char *form, *id_token;
	long status;

	if (!configured(redirect_uri))
		return fail_with(RES_FAIL, NOT_CONFIGURED);
	form = arena_printf(a, "code=%s&code_verifier=%s&client_id=%s"
			    "&client_secret=%s&grant_type=authorization_code"
			    "&redirect_uri=%s", url_encode(a, code),
			    url_encode(a, code_verifier),
			    url_encode(a, cfg.google_client_id),
			    url_encode(a, cfg.google_client_secret),
			    url_encode(a, redirect_uri));
	status = http_json(a, cfg.google_token_url, form, &answer);
	if (status < 0)
		return fail_with(RES_FAIL, "OAuth callback failed: could not "
				 "reach the token endpoint");
	if (status != 200)
		return fail_withf(RES_BAD_REQUEST, "Google sign-in failed: %s",
				  provider_error(a, answer));
	if ((id_token = json_string(answer, "id_token")) == NULL)
		return fail_with(RES_BAD_REQUEST, "no ID token in Google's answer");
	return oidc_verify_id_token(a, id_token, time(NULL), out);
}
