/*
 * oidc_peer CLIENT_ID CLIENT_SECRET: a small OpenID provider on loopback
 * for the sign-in tests, standing in for Google.  It listens on a free
 * port of 127.0.0.1, prints the port on stdout, and serves one connection
 * at a time until killed:
 *
 *   GET  /authorize?redirect_uri&state&code_challenge&login_hint=CODE
 *        remembers the S256 challenge of CODE and redirects (302) to
 *        redirect_uri?code=CODE&state=STATE, as Google does after consent;
 *   POST /token  (form: code, code_verifier, client_id, client_secret,
 *        grant_type, redirect_uri) checks the client, the grant type and
 *        the PKCE verifier against the remembered challenge (or, for a code
 *        that never went through /authorize, that one of 43+ characters
 *        was sent), then answers as the code says;
 *   GET  /jwks   the public key of its RSA key, generated at start;
 *   GET  /stats  {"jwks_fetches": n}.
 *
 * The code chooses the answer, "KIND:SUB:EMAIL":
 *   ok          a valid RS256 ID token        expired     exp in the past
 *   wrongaud    aud of another client         wrongiss    another issuer
 *   unverified  email_verified false          tampered    claims changed after signing
 *   badsig      signed by a key not in /jwks  unknownkid  kid not in /jwks
 *   none        alg "none", no signature      noemail     no email claim
 *   noidtoken   200 without id_token          error       400 invalid_grant
 */
#define _GNU_SOURCE		/* strcasestr */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "urlenc.h"

#define MAX_REQUEST 65536
#define MAX_CODES 256
#define ISSUER "https://accounts.google.com"

static const char *client_id, *client_secret;
static EVP_PKEY *key, *other_key;	/* other_key is never published */
static int jwks_fetches;
static struct arena *A;

static struct {
	char code[256];
	char challenge[64];
} codes[MAX_CODES];
static int ncodes;

/* Value of name in a query string or form (decoded, in the arena). */
static const char *param(const char *qs, const char *name)
{
	size_t n = strlen(name);
	const char *p = qs;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			char *v = arena_strndup(A, p + n + 1, len - n - 1), *o = v;
			const char *s;

			for (s = v; *s; s++) {
				unsigned x;

				if (*s == '%' && sscanf(s + 1, "%2x", &x) == 1) {
					*o++ = (char)x;
					s += 2;
				} else {
					*o++ = *s == '+' ? ' ' : *s;
				}
			}
			*o = '\0';
			return v;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

static void respond(int fd, int status, const char *ctype, const char *extra,
		    const char *body)
{
	char head[1024];
	int n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
			 status, ctype, strlen(body), extra ? extra : "");

	if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
		perror("oidc_peer: write");
}

static const char *bn_b64(EVP_PKEY *k, const char *name)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	int n;

	if (!EVP_PKEY_get_bn_param(k, name, &bn))
		return "";
	n = BN_bn2bin(bn, buf);
	BN_free(bn);
	return b64url_encode(A, buf, (size_t)n);
}

static const char *sign(EVP_PKEY *k, const char *data)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t len = sizeof(sig);
	const char *out = "";

	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestSign(md, sig, &len, (const unsigned char *)data,
			   strlen(data)) == 1)
		out = b64url_encode(A, sig, len);
	EVP_MD_CTX_free(md);
	return out;
}

static const char *b64(const char *s)
{
	return b64url_encode(A, (const unsigned char *)s, strlen(s));
}

/* The ID token the code asks for; NULL for "noidtoken". */
static const char *id_token(const char *code)
{
	char kind[32] = "", sub[128] = "", email[128] = "";
	const char *alg = "RS256", *kid = "k1", *iss = ISSUER, *aud = client_id;
	const char *verified = "true", *header, *claims, *signing;
	long exp = (long)time(NULL) + 3600;

	sscanf(code, "%31[^:]:%127[^:]:%127s", kind, sub, email);
	if (strcmp(kind, "noidtoken") == 0)
		return NULL;
	if (strcmp(kind, "wrongaud") == 0)
		aud = "another-client.apps.example";
	if (strcmp(kind, "wrongiss") == 0)
		iss = "https://accounts.example.net";
	if (strcmp(kind, "expired") == 0)
		exp = (long)time(NULL) - 60;
	if (strcmp(kind, "unverified") == 0)
		verified = "false";
	if (strcmp(kind, "unknownkid") == 0)
		kid = "k9";
	if (strcmp(kind, "none") == 0)
		alg = "none";
	header = arena_printf(A, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
			      alg, kid);
	claims = arena_printf(A, "{\"iss\":\"%s\",\"azp\":\"%s\",\"aud\":\"%s\","
			      "\"sub\":\"%s\",%s\"email_verified\":%s,"
			      "\"name\":\"Test %s\",\"picture\":"
			      "\"https://pictures.example/%s.png\",\"iat\":%ld,"
			      "\"exp\":%ld}", iss, client_id, aud, sub,
			      strcmp(kind, "noemail") == 0 ? "" :
			      arena_printf(A, "\"email\":\"%s\",", email),
			      verified, sub, sub, (long)time(NULL) - 5, exp);
	signing = arena_printf(A, "%s.%s", b64(header), b64(claims));
	if (strcmp(kind, "none") == 0)
		return arena_printf(A, "%s.", signing);
	if (strcmp(kind, "tampered") == 0) {
		const char *sig = sign(key, signing);
		const char *evil = arena_printf(A, "{\"iss\":\"%s\",\"aud\":\"%s\","
			"\"sub\":\"admin\",\"email\":\"admin@example.com\","
			"\"email_verified\":true,\"exp\":%ld}", iss, aud, exp);

		return arena_printf(A, "%s.%s.%s", b64(header), b64(evil), sig);
	}
	return arena_printf(A, "%s.%s", signing,
			    sign(strcmp(kind, "badsig") == 0 ? other_key : key,
				 signing));
}

static const char *s256(const char *verifier)
{
	unsigned char d[32];

	EVP_Digest(verifier, strlen(verifier), d, NULL, EVP_sha256(), NULL);
	return b64url_encode(A, d, sizeof(d));
}

/* Checks the client, grant type and PKCE; NULL if fine, else an error. */
static const char *token_request_error(const char *form)
{
	const char *code = param(form, "code"), *v = param(form, "code_verifier");
	const char *id = param(form, "client_id"), *secret = param(form, "client_secret");
	const char *grant = param(form, "grant_type");
	int i;

	if (id == NULL || secret == NULL || strcmp(id, client_id) != 0 ||
	    strcmp(secret, client_secret) != 0)
		return "invalid_client";
	if (grant == NULL || strcmp(grant, "authorization_code") != 0 ||
	    param(form, "redirect_uri") == NULL || code == NULL || v == NULL)
		return "invalid_request";
	for (i = 0; i < ncodes; i++)
		if (strcmp(codes[i].code, code) == 0)
			return strcmp(codes[i].challenge, s256(v)) == 0
			       ? NULL : "invalid_grant";
	return strlen(v) >= 43 ? NULL : "invalid_grant";
}

static void serve_token(int fd, const char *form)
{
	const char *err = token_request_error(form), *code = param(form, "code");
	const char *tok;

	if (err == NULL && strncmp(code, "error", 5) == 0)
		err = "invalid_grant";
	if (err != NULL) {
		respond(fd, 400, "application/json", NULL, arena_printf(A,
			"{\"error\":\"%s\",\"error_description\":\"Bad Request\"}",
			err));
		return;
	}
	tok = id_token(code);
	respond(fd, 200, "application/json", NULL, tok == NULL
		? "{\"access_token\":\"ya29.x\",\"token_type\":\"Bearer\"}"
		: arena_printf(A, "{\"access_token\":\"ya29.x\",\"expires_in\":3599,"
			       "\"token_type\":\"Bearer\",\"id_token\":\"%s\"}", tok));
}

static void serve_authorize(int fd, const char *qs)
{
	const char *code = param(qs, "login_hint"), *state = param(qs, "state");
	const char *redirect = param(qs, "redirect_uri");
	const char *challenge = param(qs, "code_challenge");
	const char *method = param(qs, "code_challenge_method");
	int i;

	if (code == NULL || state == NULL || redirect == NULL || challenge == NULL ||
	    method == NULL || strcmp(method, "S256") != 0 ||
	    strlen(code) >= sizeof(codes[0].code) ||
	    strlen(challenge) >= sizeof(codes[0].challenge)) {
		respond(fd, 400, "text/plain", NULL, "bad authorization request");
		return;
	}
	for (i = 0; i < ncodes && strcmp(codes[i].code, code) != 0; i++)
		;
	if (i < MAX_CODES) {	/* a code authorized again: its new challenge */
		strcpy(codes[i].code, code);
		strcpy(codes[i].challenge, challenge);
		ncodes += i == ncodes;
	}
	respond(fd, 302, "text/plain", arena_printf(A,
		"Location: %s?code=%s&state=%s\r\n", redirect,
		url_encode(A, code), url_encode(A, state)), "");
}

static void serve(int fd)
{
	char *buf = arena_alloc(A, MAX_REQUEST + 1), *body, *qs;
	size_t got = 0;
	long clen = 0;
	char method[8], path[4096];

	while (got < MAX_REQUEST) {
		ssize_t n = read(fd, buf + got, MAX_REQUEST - got);

		if (n <= 0)
			return;
		got += (size_t)n;
		buf[got] = '\0';
		if ((body = strstr(buf, "\r\n\r\n")) != NULL) {
			const char *cl = strcasestr(buf, "\r\nContent-Length:");

			clen = cl ? strtol(cl + 17, NULL, 10) : 0;
			body += 4;
			if ((size_t)(body - buf) + (size_t)clen <= got)
				break;
		}
	}
	if (body == NULL || sscanf(buf, "%7s %4095s", method, path) != 2)
		return;
	body[clen] = '\0';
	if ((qs = strchr(path, '?')) != NULL)
		*qs++ = '\0';
	if (strcmp(method, "POST") == 0 && strcmp(path, "/token") == 0)
		serve_token(fd, body);
	else if (strcmp(path, "/authorize") == 0)
		serve_authorize(fd, qs ? qs : "");
	else if (strcmp(path, "/jwks") == 0) {
		jwks_fetches++;
		respond(fd, 200, "application/json", NULL, arena_printf(A,
			"{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\","
			"\"kid\":\"k1\",\"n\":\"%s\",\"e\":\"%s\"}]}",
			bn_b64(key, OSSL_PKEY_PARAM_RSA_N),
			bn_b64(key, OSSL_PKEY_PARAM_RSA_E)));
	} else if (strcmp(path, "/stats") == 0)
		respond(fd, 200, "application/json", NULL,
			arena_printf(A, "{\"jwks_fetches\":%d}", jwks_fetches));
	else
		respond(fd, 404, "application/json", NULL, "{\"error\":\"not_found\"}");
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (argc != 3) {
		fputs("usage: oidc_peer CLIENT_ID CLIENT_SECRET\n", stderr);
		return 2;
	}
	client_id = argv[1];
	client_secret = argv[2];
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);	/* ends with the test program */
	key = EVP_RSA_gen(2048);
	other_key = EVP_RSA_gen(2048);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (key == NULL || other_key == NULL ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 64) < 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) < 0) {
		perror("oidc_peer");
		return 1;
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	A = arena_new();
	for (;;) {
		int fd = accept(s, NULL, NULL);

		if (fd < 0)
			continue;
		serve(fd);
		close(fd);
		arena_reset(A);
	}
}
