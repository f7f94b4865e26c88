/*
 * Members: loading, searching and changing users rows.
 */
#ifndef USERS_H
#define USERS_H

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

/* RES_OK, RES_NOT_FOUND, or a database failure. */
enum result user_load(struct arena *a, long id, struct user *out);

/* Sets (or with NULL or "" clears) the bio, at most 500 characters (else
 * RES_BAD_REQUEST), and reloads *u. */
enum result user_set_bio(struct arena *a, struct user *u, const char *bio);

#endif
