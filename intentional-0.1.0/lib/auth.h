/*
 * Who is calling: the member behind an access token, and whether that
 * member may moderate.  Shared by the main and the moderation service.
 */
#ifndef AUTH_H
#define AUTH_H

#include "result.h"
#include "users.h"

struct arena;

/*
 * Verifies token and loads its member into *u.  RES_UNAUTHORIZED for a bad,
 * expired or orphaned token, RES_FORBIDDEN for a banned member (the user is
 * still filled in), RES_UNAVAILABLE when the database is down.
 */
enum result auth_member(struct arena *a, const char *token, struct user *u);

/* RES_OK if u's email is on MODERATOR_EMAILS (case-insensitive). */
enum result auth_moderator(const struct user *u);

#endif
