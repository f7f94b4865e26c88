#include <errno.h>
#include <stdio.h>
#include <jwt.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

#define BAD_TOKEN "could not validate credentials"

char *token_issue(const char *secret, long user_id, long ttl_seconds)
{
	jwt_t *jwt = NULL;
	char sub[24], *out = NULL;

	snprintf(sub, sizeof(sub), "%ld", user_id);
	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grant(jwt, "sub", sub) == 0 &&
	    jwt_add_grant_int(jwt, "exp", (long)time(NULL) + ttl_seconds) == 0 &&
	    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret,
			(int)strlen(secret)) == 0)
		out = jwt_encode_str(jwt);
	jwt_free(jwt);
	return out;
}

/* A decimal string of 1..10 digits with no sign, no spaces, > 0. */
static int parse_sub(const char *s, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 10)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0 || v > 2147483647L)
		return -1;
	*out = v;
	return 0;
}

/*
 * libjwt 1.10 verifies the signature with whatever HMAC the header names
 * and checks no time claims, so both the algorithm and exp are checked here.
 * A numeric exp is required: jwt_get_grant_int() fails (ENOENT or EINVAL)
 * when it is absent or not an integer.
 */
enum result token_verify(const char *secret, const char *token, time_t now,
			 long *user_id)
{
	jwt_t *jwt = NULL;
	long exp;
	enum result r = fail_with(RES_UNAUTHORIZED, BAD_TOKEN);

	if (token == NULL || *token == '\0' || strlen(token) > 4096)
		return r;
	if (jwt_decode(&jwt, token, (const unsigned char *)secret,
		       (int)strlen(secret)) != 0 || jwt == NULL)
		return r;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto done;
	errno = 0;
	exp = jwt_get_grant_int(jwt, "exp");
	if (errno != 0 || exp <= (long)now)
		goto done;
	if (parse_sub(jwt_get_grant(jwt, "sub"), user_id) < 0)
		goto done;
	r = RES_OK;
done:
	jwt_free(jwt);
	return r;
}
