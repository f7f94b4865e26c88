/*
 * bench/mint-tokens: one access token per input line, for the benchmark.
 *
 *   SECRET_KEY=... bench/mint-tokens [TTL_SECONDS] <lines >out
 *
 * Each input line starts with a user id (digits, then a tab or the end of
 * the line); the output line is the token, a tab and the input line, so a
 * plan of "user, friend, post, ..." rows comes out with its tokens in front.
 * Tokens are made by lib/token.c, exactly as the responders issue them, and
 * live TTL_SECONDS (default a week).  Minting 100,000 takes about a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

int main(int argc, char **argv)
{
	const char *secret = getenv("SECRET_KEY");
	long ttl = argc > 1 ? strtol(argv[1], NULL, 10) : 7 * 86400L;
	char line[4096];
	long n = 0;

	if (secret == NULL || strlen(secret) < 32 || ttl <= 0) {
		fputs("usage: SECRET_KEY=... mint-tokens [TTL_SECONDS] <lines\n",
		      stderr);
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *end, *token;
		long uid = strtol(line, &end, 10);

		line[strcspn(line, "\n")] = '\0';
		if (uid <= 0 || (*end != '\t' && *end != '\0')) {
			fprintf(stderr, "mint-tokens: line %ld: no user id\n",
				n + 1);
			return 1;
		}
		token = token_issue(secret, uid, ttl);
		if (token == NULL) {
			fputs("mint-tokens: could not issue a token\n", stderr);
			return 1;
		}
		printf("%s\t%s\n", token, line);
		free(token);
		n++;
	}
	return ferror(stdout) || fflush(stdout) != 0;
}
