#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

struct config cfg;

enum kind { K_STR, K_LONG, K_BOOL, K_DOUBLE };

struct setting {
	const char *name;
	enum kind kind;
	size_t offset;
	const char *def;
	long min, max;		/* K_LONG and K_DOUBLE bounds */
	int secret;
};

#define S(name, field, def) \
	{ name, K_STR, offsetof(struct config, field), def, 0, 0, 0 }
#define SECRET(name, field, def) \
	{ name, K_STR, offsetof(struct config, field), def, 0, 0, 1 }
#define L(name, field, def, lo, hi) \
	{ name, K_LONG, offsetof(struct config, field), def, lo, hi, 0 }
#define D(name, field, def, lo, hi) \
	{ name, K_DOUBLE, offsetof(struct config, field), def, lo, hi, 0 }
#define B(name, field, def) \
	{ name, K_BOOL, offsetof(struct config, field), def, 0, 1, 0 }

static const struct setting settings[] = {
	SECRET("DATABASE_URL", database_url, "postgresql:///intentional"),
	SECRET("SECRET_KEY", secret_key, NULL),
	S("ALGORITHM", algorithm, "HS256"),
	L("ACCESS_TOKEN_EXPIRE_MINUTES", access_token_expire_minutes, "1440", 1, 525600),
	L("MAX_BODY_BYTES", max_body_bytes, "10485760", 1024, 1L << 30),
	L("MAX_JSON_BYTES", max_json_bytes, "1048576", 1024, 1L << 30),
	S("CORS_ORIGINS", cors_origins,
	  "http://localhost:5173,http://localhost:3000,"
	  "https://intentional-social.pages.dev/,https://intentionalsocial.org,"
	  "https://dev.intentional-social.pages.dev"),
	S("OBSERVABILITY_CORS_ORIGINS", moderation_cors_origins,
	  "http://localhost:5174,http://localhost:3001"),
	S("FRONTEND_URL", frontend_url, "http://localhost:5173"),
	S("MODERATOR_EMAILS", moderator_emails, ""),
	S("GOOGLE_CLIENT_ID", google_client_id, ""),
	SECRET("GOOGLE_CLIENT_SECRET", google_client_secret, ""),
	S("GOOGLE_REDIRECT_URI", google_redirect_uri, ""),
	S("MODERATION_GOOGLE_REDIRECT_URI", moderation_google_redirect_uri, ""),
	S("GOOGLE_AUTH_URL", google_auth_url,
	  "https://accounts.google.com/o/oauth2/v2/auth"),
	S("GOOGLE_TOKEN_URL", google_token_url, "https://oauth2.googleapis.com/token"),
	S("GOOGLE_JWKS_URL", google_jwks_url, "https://www.googleapis.com/oauth2/v3/certs"),
	S("GOOGLE_ISSUERS", google_issuers,
	  "accounts.google.com,https://accounts.google.com"),
	S("REGISTRATION_MODE", registration_mode, "waitlist"),
	L("LOGIN_MAX_FAILURES", login_max_failures, "5", 1, 1000),
	L("LOGIN_LOCKOUT_SECONDS", login_lockout_seconds, "300", 1, 86400),
	/* read by intentional-supervise, at start and on SIGHUP; 0: one per core */
	L("RESPONDERS", responders, "0", 0, 256),
	S("STORAGE_PHOTO_PREFIX", photo_prefix, "posts/photos"),
	S("STORAGE_AVATAR_PREFIX", avatar_prefix, "users/avatars"),
	L("MAX_CONNECTIONS", max_connections, "100", 0, 100000),
	S("METRICS_FILE", metrics_file, ""),
	B("DEBUG_STATEMENTS", debug_statements, "0"),
	L("DB_STATEMENT_TIMEOUT_MS", db_statement_timeout_ms, "15000", 0, 3600000),
	S("STORAGE_BACKEND", storage_backend, "local"),
	S("MEDIA_DIR", media_dir, "var/media"),
	S("MEDIA_ACCEL_PREFIX", media_accel_prefix, "/_media/"),
	S("R2_ENDPOINT_URL", s3_endpoint_url, ""),
	S("R2_ACCESS_KEY_ID", s3_access_key_id, ""),
	SECRET("R2_SECRET_ACCESS_KEY", s3_secret_access_key, ""),
	S("R2_BUCKET_NAME", s3_bucket, ""),
	S("R2_REGION", s3_region, "auto"),
	L("STORAGE_TIMEOUT_MS", storage_timeout_ms, "10000", 100, 600000),
	L("STORAGE_PRESIGNED_URL_EXPIRATION", presigned_url_expiration, "43200",
	  1, 604800),
	L("STORAGE_REDIRECT_CACHE_MAX_AGE", redirect_cache_max_age, "3600", 0,
	  604800),
	L("MEDIA_MAX_BYTES", media_max_bytes, "209715", 1024, 10485760),
	L("MEDIA_MAX_WIDTH", media_max_width, "1280", 1, 16384),
	L("MEDIA_MAX_HEIGHT", media_max_height, "720", 1, 16384),
	L("MEDIA_MIN_SIDE", media_min_side, "50", 1, 16384),
	/* uploads are decoded by this program (README "Media") */
	S("IMAGE_HELPER", image_helper, LIBEXECDIR "/intentional-image"),
	L("IMAGE_TIMEOUT_MS", image_timeout_ms, "5000", 100, 600000),
	D("DIGEST_MIN_IMPORTANCE_THRESHOLD", digest_min_importance, "1.0", 0, 10),
	L("DIGEST_POSTS_PER_CONNECTION_PER_DAY", digest_posts_per_day, "2", 0, 100),
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/* Values read from the env file, parallel to settings[]. */
static char *file_values[NSETTINGS];
/* Strings owned by cfg, parallel to settings[]. */
static char *owned[NSETTINGS];

static const struct setting *find_setting(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strlen(settings[i].name) == len &&
		    strncmp(settings[i].name, name, len) == 0)
			return &settings[i];
	return NULL;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Removes one pair of matching surrounding quotes, as shells and dotenv do. */
static char *unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

/*
 * Reads KEY=VALUE lines; blank lines, comments and unknown keys are
 * skipped (one env file may serve the responder, the CLI and other tools).
 */
static int read_env_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "config: cannot open env file %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = trim(line), *eq, *key, *val;
		const struct setting *st;

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, "export ", 7) == 0)
			s = trim(s + 7);
		eq = strchr(s, '=');
		if (eq == NULL) {
			fprintf(stderr, "config: %s:%d: expected KEY=VALUE\n",
				path, lineno);
			fclose(f);
			return -1;
		}
		*eq = '\0';
		key = trim(s);
		val = unquote(trim(eq + 1));
		st = find_setting(key, strlen(key));
		if (st == NULL)
			continue;
		free(file_values[st - settings]);
		file_values[st - settings] = strdup(val);
	}
	fclose(f);
	return 0;
}

static int parse_long(const struct setting *st, const char *v, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < st->min ||
	    n > st->max) {
		fprintf(stderr, "config: %s must be an integer in %ld..%ld\n",
			st->name, st->min, st->max);
		return -1;
	}
	*out = n;
	return 0;
}

static int parse_double(const struct setting *st, const char *v, double *out)
{
	char *end;
	double n;

	errno = 0;
	n = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || !(n >= st->min) ||
	    !(n <= st->max)) {
		fprintf(stderr, "config: %s must be a number in %ld..%ld\n",
			st->name, st->min, st->max);
		return -1;
	}
	*out = n;
	return 0;
}

static int parse_bool(const struct setting *st, const char *v, int *out)
{
	if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0)
		*out = 1;
	else if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 ||
		 strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0 ||
		 *v == '\0')
		*out = 0;
	else {
		fprintf(stderr, "config: %s must be true or false\n", st->name);
		return -1;
	}
	return 0;
}

static int apply(size_t i, const char *v)
{
	const struct setting *st = &settings[i];
	char *field = (char *)&cfg + st->offset;

	switch (st->kind) {
	case K_STR:
		free(owned[i]);
		owned[i] = v ? strdup(v) : NULL;
		*(const char **)(void *)field = owned[i];
		return 0;
	case K_LONG:
		return parse_long(st, v ? v : "0", (long *)(void *)field);
	case K_BOOL:
		return parse_bool(st, v ? v : "0", (int *)(void *)field);
	case K_DOUBLE:
		return parse_double(st, v ? v : "0", (double *)(void *)field);
	}
	return -1;
}

/* The s3 backend needs all of its settings; the local one a directory
 * and an nginx location ending in '/'. */
static int check_storage(void)
{
	size_t n = strlen(cfg.media_accel_prefix);

	if (strcmp(cfg.storage_backend, "local") == 0) {
		if (*cfg.media_dir == '\0' || n < 2 ||
		    cfg.media_accel_prefix[0] != '/' ||
		    cfg.media_accel_prefix[n - 1] != '/') {
			fputs("config: MEDIA_DIR must be set and MEDIA_ACCEL_PREFIX"
			      " must be a path like /_media/\n", stderr);
			return -1;
		}
		return 0;
	}
	if (strcmp(cfg.storage_backend, "s3") != 0) {
		fputs("config: STORAGE_BACKEND must be local or s3\n", stderr);
		return -1;
	}
	if ((strncmp(cfg.s3_endpoint_url, "http://", 7) != 0 &&
	     strncmp(cfg.s3_endpoint_url, "https://", 8) != 0) ||
	    *cfg.s3_access_key_id == '\0' || *cfg.s3_secret_access_key == '\0' ||
	    *cfg.s3_bucket == '\0' || *cfg.s3_region == '\0') {
		fputs("config: STORAGE_BACKEND=s3 needs R2_ENDPOINT_URL (http or"
		      " https), R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY,"
		      " R2_BUCKET_NAME and R2_REGION\n", stderr);
		return -1;
	}
	return 0;
}

static int check(int need_secret)
{
	if (need_secret &&
	    (cfg.secret_key == NULL || strlen(cfg.secret_key) < 32)) {
		fputs("config: SECRET_KEY must be set to at least 32 characters\n",
		      stderr);
		return -1;
	}
	if (strcmp(cfg.algorithm, "HS256") != 0) {
		fputs("config: ALGORITHM must be HS256\n", stderr);
		return -1;
	}
	if (strcmp(cfg.registration_mode, "open") != 0 &&
	    strcmp(cfg.registration_mode, "waitlist") != 0 &&
	    strcmp(cfg.registration_mode, "closed") != 0) {
		fputs("config: REGISTRATION_MODE must be open, waitlist or closed\n",
		      stderr);
		return -1;
	}
	return check_storage();
}

static int load(const char *env_file, int need_secret)
{
	size_t i;

	if (env_file == NULL)
		env_file = getenv("INTENTIONAL_ENV_FILE");
	if (env_file != NULL && *env_file != '\0' &&
	    read_env_file(env_file) < 0)
		return -1;
	for (i = 0; i < NSETTINGS; i++) {
		const char *v = getenv(settings[i].name);

		if (v == NULL)
			v = file_values[i];
		if (v == NULL)
			v = settings[i].def;
		if (apply(i, v) < 0)
			return -1;
	}
	return check(need_secret);
}

int config_load(const char *env_file)
{
	return load(env_file, 1);
}

int config_load_without_secret(const char *env_file)
{
	return load(env_file, 0);
}

void config_free(void)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		free(file_values[i]);
		free(owned[i]);
		file_values[i] = owned[i] = NULL;
	}
	memset(&cfg, 0, sizeof(cfg));
}

void config_print(void)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		const struct setting *st = &settings[i];
		const char *field = (const char *)&cfg + st->offset;

		printf("%s=", st->name);
		if (st->kind == K_LONG)
			printf("%ld\n", *(const long *)(const void *)field);
		else if (st->kind == K_BOOL)
			printf("%d\n", *(const int *)(const void *)field);
		else if (st->kind == K_DOUBLE)
			printf("%g\n", *(const double *)(const void *)field);
		else if (st->secret)
			puts("(set, hidden)");
		else {
			const char *s = *(const char *const *)(const void *)field;

			puts(s ? s : "");
		}
	}
}
