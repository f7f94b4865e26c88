/*
 * Who may sign in, once an identity is proven (Google ID token or
 * password): members with a users row who are not banned; everyone else
 * goes on the waitlist of registration_requests until a moderator approves
 * them (API.md 3.1, route 3).  The moderation service admits only the
 * emails of MODERATOR_EMAILS and creates their users row itself (3.3).
 */
#ifndef SIGNIN_H
#define SIGNIN_H

#include "result.h"
#include "users.h"

struct arena;
struct oidc_identity;

/*
 * The member with the Google id of who; fills an empty full_name and
 * picture_url from it.  RES_FORBIDDEN for a banned member and for everyone
 * without a users row: a new person's registration request is created (and
 * kept) then, a pending or denied one is reported.  RES_BAD_REQUEST when
 * another account has the email; RES_FAIL for an approved request without
 * a user.
 */
enum result signin_member(struct arena *a, const struct oidc_identity *who,
			  struct user *out);

/*
 * The moderator who: RES_FAIL without MODERATOR_EMAILS, RES_FORBIDDEN when
 * the email is not on it or the member is banned, RES_BAD_REQUEST when
 * another account has the email.  Creates the users row when missing.
 */
enum result signin_moderator(struct arena *a, const struct oidc_identity *who,
			     struct user *out);

/*
 * Puts google_id on the waitlist in the caller's transaction, or tells
 * where it stands.  Sets *outcome to the RES_FORBIDDEN (or RES_FAIL)
 * failure to answer once the transaction has committed; the message is
 * in fail_detail() then.  Returns a database failure, else RES_OK.
 */
enum result waitlist_join(struct arena *a, const char *google_id,
			  const char *email, const char *full_name,
			  const char *picture_url, enum result *outcome);

/* The JSON body of a successful sign-in (route 3): our access token for u,
 * "bearer", needs_username and the User; NULL if the token fails. */
struct json_object *signin_response(const struct user *u);

#endif
