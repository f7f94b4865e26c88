/*
 * Settings, read once at start from the environment and an optional env file
 * (KEY=VALUE lines).  The environment wins over the file, the file over the
 * defaults.  Names are those of the original backend where it had one.
 */
#ifndef CONFIG_H
#define CONFIG_H

struct config {
	const char *database_url;
	const char *secret_key;
	const char *algorithm;
	long access_token_expire_minutes;

	long max_body_bytes;
	long max_json_bytes;
	const char *cors_origins;
	const char *moderation_cors_origins;
	const char *frontend_url;

	const char *moderator_emails;

	/* Google sign-in (OpenID Connect); endpoints are settings for tests */
	const char *google_client_id;
	const char *google_client_secret;
	const char *google_redirect_uri;
	const char *moderation_google_redirect_uri;
	const char *google_auth_url;
	const char *google_token_url;
	const char *google_jwks_url;
	const char *google_issuers;

	/* password sign-in */
	const char *registration_mode;	/* open, waitlist or closed */
	long login_max_failures;
	long login_lockout_seconds;

	long responders;		/* per service; 0: the number of cores */
	const char *photo_prefix;
	const char *avatar_prefix;
	long max_connections;
	const char *metrics_file;
	int debug_statements;
	long db_statement_timeout_ms;

	/* media (API.md 6.6; README "Media") */
	const char *storage_backend;		/* "local" or "s3" */
	const char *media_dir;			/* local: where objects live */
	const char *media_accel_prefix;		/* local: nginx internal location */
	const char *s3_endpoint_url;
	const char *s3_access_key_id;
	const char *s3_secret_access_key;
	const char *s3_bucket;
	const char *s3_region;
	long storage_timeout_ms;
	long presigned_url_expiration;
	long redirect_cache_max_age;
	long media_max_bytes;
	long media_max_width;
	long media_max_height;
	long media_min_side;
	const char *image_helper;		/* intentional-image's path */
	long image_timeout_ms;			/* one upload's processing */

	/* digest (API.md 6.7) */
	double digest_min_importance;	/* scores must be above it (6.7) */
	long digest_posts_per_day;	/* per author and day, used clamped to 1..2 */
};

extern struct config cfg;

/*
 * Loads settings; env_file may be NULL (then INTENTIONAL_ENV_FILE is used if
 * set).  Returns 0, or -1 after printing why to stderr.
 */
int config_load(const char *env_file);

/*
 * As config_load(), for tools that never sign or verify tokens (the admin
 * CLI): SECRET_KEY may be missing or short there.
 */
int config_load_without_secret(const char *env_file);

/* Frees what config_load() allocated (for leak-checked tests). */
void config_free(void);

/* Prints every setting with its value, secrets masked (for --help and doctor). */
void config_print(void);

#endif
