/*
 * The moderation service's library (API.md section 5): reports, members
 * (ban, unban) and the waitlist (approve, deny).  Lists are PGresults in
 * the column orders given here; each is one statement.
 */
#ifndef MODERATION_H
#define MODERATION_H

#include <libpq-fe.h>

#include "result.h"

struct arena;

/* The ModUser columns: id, email, username, full_name, display_name,
 * is_banned, created_at (all NULL for an absent user). */
#define MOD_USER_NCOLS 7

/*
 * Reports, unresolved first then newest first: id, post_id,
 * reported_by_id, reason, created_at, resolved_at, resolved_by_id; the
 * post (NULL when gone): id, author_id, content cut to 200 characters
 * plus "...", created_at, photo_urls (JSON text); its author: id, email,
 * username; then the reporter's MOD_USER_NCOLS columns.
 */
enum result mod_reports(struct arena *a, long long skip, long long limit,
			int unresolved_only, PGresult **out);

/* RES_NOT_FOUND, RES_BAD_REQUEST when already resolved. */
enum result mod_resolve_report(struct arena *a, long moderator, long report_id);

/* Members newest first, ModUser columns; search (NULL: all) matches a part
 * of email, username or full name, ignoring case. */
enum result mod_users(struct arena *a, long long skip, long long limit,
		      const char *search, PGresult **out);

/*
 * Bans (ban = 1) or unbans a member; *email gets theirs.  RES_NOT_FOUND,
 * RES_BAD_REQUEST when a moderator would ban themself.
 */
enum result mod_set_banned(struct arena *a, long moderator, long user_id,
			   int ban, const char **email);

/*
 * Registration requests newest first: id, email, google_id, full_name,
 * picture_url, status (upper case), created_at, reviewed_at,
 * reviewed_by_id, then the reviewer's MOD_USER_NCOLS columns.  status is
 * NULL (all) or "pending", "approved", "denied" in any case (else
 * RES_BAD_REQUEST).
 */
enum result mod_requests(struct arena *a, long long skip, long long limit,
			 const char *status, PGresult **out);

/*
 * Approves a pending request and creates its member (or finds the one
 * with its email or Google id): *user_id.  RES_NOT_FOUND, RES_BAD_REQUEST
 * when it is not pending.
 */
enum result mod_approve(struct arena *a, long moderator, long request_id,
			long *user_id);

/* Denies a pending request: RES_NOT_FOUND, RES_BAD_REQUEST. */
enum result mod_deny(struct arena *a, long moderator, long request_id);

/*
 * Deletes anyone's post with everything on it (lib/cascade.h) in one
 * transaction, then its photos from storage.  RES_NOT_FOUND.
 */
enum result mod_delete_post(struct arena *a, long post_id);

/*
 * Deletes a member and everything of theirs (lib/cascade.h) in one
 * transaction, with their password and sign-in failures and their
 * registration request (signing in again starts on the waitlist), then
 * their photos and avatar from storage.  RES_NOT_FOUND, RES_BAD_REQUEST
 * for oneself.
 */
enum result mod_delete_user(struct arena *a, long moderator, long user_id);

/*
 * The direct URLs of the photo keys of a JSON array (API.md route 57: the
 * dashboard has no /images route): presigned GET URLs with the s3
 * backend; none with the local one, which has no URL outside nginx.
 */
struct json_object *mod_photo_urls(struct arena *a, const char *photo_keys_json);

#endif
