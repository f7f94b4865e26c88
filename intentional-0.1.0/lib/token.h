/*
 * Our access tokens: JWS HS256 with exactly the claims of the original,
 * {"sub": "<user id>", "exp": <unix seconds>}, so tokens issued by the
 * original backend (PyJWT) with the same SECRET_KEY verify here and the
 * other way round.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <time.h>

#include "result.h"

/* Issues a token for user_id expiring ttl_seconds from now; caller frees. */
char *token_issue(const char *secret, long user_id, long ttl_seconds);

/*
 * Verifies signature (HS256 only), exp (required, in the future at `now`)
 * and sub (a positive decimal user id).  RES_OK and *user_id, or
 * RES_UNAUTHORIZED.
 */
enum result token_verify(const char *secret, const char *token, time_t now,
			 long *user_id);

#endif
