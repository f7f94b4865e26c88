/*
 * Sign-in with Google: OAuth 2.0 authorization code with PKCE and the
 * OpenID Connect ID token (API.md 3.1, 7).  The endpoints are settings
 * (GOOGLE_AUTH_URL, GOOGLE_TOKEN_URL, GOOGLE_JWKS_URL), so tests point them
 * at a loopback provider (tests/oidc_peer.c).  The server keeps no state
 * between the steps; only the provider's signing keys are cached, per
 * process.
 */
#ifndef OIDC_H
#define OIDC_H

#include <time.h>

#include "result.h"

struct arena;

/* Step 1 of 3.1: where to send the browser, and what the client keeps. */
struct oidc_start {
	const char *authorization_url;
	const char *state;		/* 32 random bytes, base64url */
	const char *code_verifier;	/* 32 random bytes, base64url */
};

/* Who the provider says signed in (verified claims of the ID token). */
struct oidc_identity {
	const char *sub;
	const char *email;
	const char *name;		/* NULL if absent */
	const char *picture;		/* NULL if absent */
};

/*
 * Fills *out for redirect_uri.  RES_FAIL "Google sign-in not configured"
 * without GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET or a redirect URI.
 */
enum result oidc_authorize(struct arena *a, const char *redirect_uri,
			   struct oidc_start *out);

/*
 * Exchanges code and code_verifier at the token endpoint and verifies the
 * ID token it returns.  RES_BAD_REQUEST when the provider refuses the code
 * (its error text in the detail), sends no ID token, or the token lacks
 * sub or email or has email_verified false; RES_UNAUTHORIZED when the ID
 * token fails verification; RES_FAIL when the provider cannot be reached
 * or sign-in is not configured.
 */
enum result oidc_sign_in(struct arena *a, const char *code,
			 const char *code_verifier, const char *redirect_uri,
			 struct oidc_identity *out);

/*
 * Verifies an ID token at time now: RS256 only, signed by a key of the
 * provider's JWKS (fetched once per hour, and again once when the token
 * names an unknown key), iss one of GOOGLE_ISSUERS, aud GOOGLE_CLIENT_ID,
 * exp in the future.  Then requires sub, email and email_verified.
 */
enum result oidc_verify_id_token(struct arena *a, const char *id_token,
				 time_t now, struct oidc_identity *out);

/* Drops the cached signing keys (tests; exit). */
void oidc_forget_keys(void);

#endif
