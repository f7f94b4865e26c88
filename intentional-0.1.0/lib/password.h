/*
 * Password accounts, for self-hosters without Google (README "Password
 * sign-in").  A password account is an ordinary users row whose google_id
 * is "password:<lower-cased email>" and auth_provider "password"; its hash
 * (yescrypt, through libcrypt) is in intentional_credentials under that
 * key, so a waitlisted registration finds its hash once approved.
 * REGISTRATION_MODE decides what registering does: open (the account
 * exists at once), waitlist (a registration request for the moderators),
 * closed (refused).  Failed sign-ins are counted per account in the
 * database, for all responders and hosts: LOGIN_MAX_FAILURES within
 * LOGIN_LOCKOUT_SECONDS lock the account for LOGIN_LOCKOUT_SECONDS.
 */
#ifndef PASSWORD_H
#define PASSWORD_H

#include "result.h"
#include "users.h"

struct arena;

#define PASSWORD_MIN 8
#define PASSWORD_MAX 128

/*
 * Registers email with password.  RES_OK with *out filled in open mode;
 * in waitlist mode RES_OK with out->id == 0 (the request awaits
 * approval); RES_FORBIDDEN when registration is closed; RES_INVALID for a
 * malformed email or a password of other than 8..128 characters;
 * RES_CONFLICT when the email has an account or a registration request.
 */
enum result password_register(struct arena *a, const char *email,
			      const char *password, const char *full_name,
			      struct user *out);

/*
 * Signs in with an email or a username and a password.  Every failure
 * costs one hash computation, known account or not.  RES_UNAUTHORIZED for
 * a wrong pair; RES_TOO_MANY while the account is locked (*retry_after
 * seconds); RES_FORBIDDEN for a banned member or a registration still
 * waiting or denied.
 */
enum result password_login(struct arena *a, const char *login,
			   const char *password, struct user *out,
			   long *retry_after);

/* Hashes password with a fresh yescrypt salt (malloc'd; NULL on failure). */
char *password_hash(const char *password);

/* Whether password matches hash, in time independent of where they differ. */
int password_matches(const char *password, const char *hash);

#endif
