/*
 * Members: loading, searching and changing users rows.
 */
#ifndef USERS_H
#define USERS_H

#include <libpq-fe.h>

#include "result.h"

struct arena;

struct user {
	long id;
	const char *email;
	const char *username;		/* NULL until chosen */
	const char *google_id;
	const char *auth_provider;
	const char *full_name;
	const char *picture_url;
	const char *display_name;
	const char *avatar_url;		/* the stored key, unmapped */
	const char *bio;
	const char *created_at;		/* PostgreSQL text form */
	int is_banned;
};

/* Users of a list, in the arena. */
struct user_list {
	struct user *items;
	int n;
};

/* RES_OK, RES_NOT_FOUND, or a database failure. */
enum result user_load(struct arena *a, long id, struct user *out);

/* The member with exactly this username; RES_NOT_FOUND if none. */
enum result user_by_username(struct arena *a, const char *username,
			     struct user *out);

/*
 * Members who are not banned, by ascending id, skipping skip and at most
 * limit of them (capped at 100).
 */
enum result user_list_page(struct arena *a, long long skip, long long limit,
			   struct user_list *out);

/*
 * Members other than caller_id and not banned whose username equals q
 * (ignoring case) or whose email equals q.  RES_BAD_REQUEST when q is
 * shorter than 2 characters.
 */
enum result user_search(struct arena *a, long caller_id, const char *q,
			struct user_list *out);

/*
 * Sets u's username once: lower-cased, ASCII [a-z0-9_-]{3,50} with a letter
 * or digit (else RES_INVALID).  RES_BAD_REQUEST when u already has one or
 * another member has it (also when a concurrent request took it first).
 * Reloads *u.
 */
enum result user_select_username(struct arena *a, struct user *u,
				 const char *username);

/*
 * Creates a member without username; auth_provider is "password" for the
 * synthetic google_id "password:<email>" of password accounts, else
 * "google".  RES_CONFLICT when the email or Google id has an account.
 */
enum result user_create(struct arena *a, const char *email,
			const char *google_id, const char *full_name,
			const char *picture_url, struct user *out);

/* Whether name (already lower-cased) is a valid username (API.md 6.1). */
int username_valid(const char *name);

/* Fills *u from the USER_COLUMNS of a result row (for other lib files). */
void user_from_row(const PGresult *res, int row, struct user *u);

/* Sets (or with NULL or "" clears) the bio, at most 500 characters (else
 * RES_BAD_REQUEST), and reloads *u. */
enum result user_set_bio(struct arena *a, struct user *u, const char *bio);

/* The columns user_from_row() reads, for statements in other files. */
/* The google_id prefix of password accounts (lib/password.h). */
#define PASSWORD_ID_PREFIX "password:"

#define USER_COLUMNS \
	"id, email, username, google_id, auth_provider, full_name," \
	" picture_url, display_name, avatar_url, bio, created_at, is_banned"

/* Sets avatar_url to key and reloads *u; *old_key gets the value it
 * replaced (NULL if none). */
enum result user_set_avatar(struct arena *a, struct user *u, const char *key,
			    const char **old_key);

#endif
