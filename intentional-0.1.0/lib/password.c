#include <crypt.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "jsonv.h"
#include "password.h"
#include "signin.h"

#define EMAIL_MAX 255
#define BAD_PAIR "incorrect username or password"

enum {
	PW_ACCOUNT_TAKEN,
	PW_INSERT_CREDENTIALS,
	PW_ACCOUNT,
	PW_FAILED,
	PW_SUCCEEDED,
};

/* $1 login: lower-cased email or username */
#define ACCOUNT_OF_LOGIN \
	"SELECT c.google_id, c.password_hash, u.id AS user_id" \
	" FROM intentional_credentials c LEFT JOIN users u" \
	" ON u.google_id = c.google_id" \
	" WHERE c.google_id = '" PASSWORD_ID_PREFIX "' || $1" \
	" OR c.google_id = (SELECT google_id FROM users WHERE username = $1)" \
	" LIMIT 1"

#define UTC_NOW "(now() AT TIME ZONE 'UTC')"
#define LOCKOUT "($3 * interval '1 second')"
#define WINDOW_OVER "(f.first_failure_at < " UTC_NOW " - " LOCKOUT ")"

static struct db_stmt stmts[] = {
	[PW_ACCOUNT_TAKEN] = { "pw_account_taken",
		"SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = $1"
		"  OR google_id = $2)"
		" OR EXISTS (SELECT 1 FROM registration_requests"
		"  WHERE lower(email) = $1 OR google_id = $2)"
		" OR EXISTS (SELECT 1 FROM intentional_credentials"
		"  WHERE google_id = $2)", 0 },
	[PW_INSERT_CREDENTIALS] = { "pw_insert_credentials",
		"INSERT INTO intentional_credentials (google_id, password_hash,"
		" created_at) VALUES ($1, $2, " UTC_NOW ")", 0 },
	/* the account key (the unknown login name when there is none), its
	 * hash and user, and the seconds left of a lock */
	[PW_ACCOUNT] = { "pw_account",
		"WITH acct AS (" ACCOUNT_OF_LOGIN "),"
		" k AS (SELECT coalesce((SELECT google_id FROM acct),"
		"  'unknown:' || $1) AS account)"
		" SELECT k.account, (SELECT password_hash FROM acct),"
		" (SELECT user_id FROM acct),"
		" (SELECT ceil(extract(epoch FROM f.locked_until - " UTC_NOW "))"
		"  FROM intentional_login_failures f WHERE f.account = k.account"
		"  AND f.locked_until > " UTC_NOW ")"
		" FROM k", 0 },
	/* one more failure in the window (a new window once it is over);
	 * the lock starts with the failure that reaches $2 */
	[PW_FAILED] = { "pw_failed",
		"INSERT INTO intentional_login_failures AS f (account, failures,"
		" first_failure_at, locked_until) VALUES ($1, 1, " UTC_NOW ","
		" CASE WHEN $2 <= 1 THEN " UTC_NOW " + " LOCKOUT " END)"
		" ON CONFLICT (account) DO UPDATE SET"
		" failures = CASE WHEN " WINDOW_OVER " THEN 1"
		"  ELSE f.failures + 1 END,"
		" first_failure_at = CASE WHEN " WINDOW_OVER " THEN " UTC_NOW
		" ELSE f.first_failure_at END,"
		" locked_until = CASE WHEN NOT " WINDOW_OVER
		" AND f.failures + 1 >= $2 THEN " UTC_NOW " + " LOCKOUT
		" ELSE f.locked_until END", 0 },
	[PW_SUCCEEDED] = { "pw_succeeded",
		"DELETE FROM intentional_login_failures WHERE account = $1", 0 },
};

char *password_hash(const char *password)
{
	struct crypt_data data;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	char *hash;

	memset(&data, 0, sizeof(data));
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL)
		return NULL;
	hash = crypt_r(password, salt, &data);
	if (hash == NULL || hash[0] == '*')
		return NULL;
	return strdup(hash);
}

int password_matches(const char *password, const char *hash)
{
	struct crypt_data data;
	const char *out;
	size_t n = strlen(hash);

	memset(&data, 0, sizeof(data));
	out = crypt_r(password, hash, &data);
	return out != NULL && out[0] != '*' && strlen(out) == n &&
	       CRYPTO_memcmp(out, hash, n) == 0;
}

/*
 * A hash of the same kind and cost as real ones, so an unknown login name
 * costs what a wrong password does.  Made once per process.
 */
static const char *dummy_hash(void)
{
	static char *dummy;

	if (dummy == NULL)
		dummy = password_hash("intentional-dummy-password");
	return dummy ? dummy : "$y$j9T$AAAAAAAAAAAAAAAAAAAAA.$"
			       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
}

static char *lower_trimmed(struct arena *a, const char *s)
{
	char *out, *c;
	size_t n;

	while (*s == ' ')
		s++;
	out = arena_strdup(a, s);
	n = strlen(out);
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
	for (c = out; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return out;
}

/* local@domain.tld of printable ASCII, no spaces, at most 255 bytes. */
static int email_valid(const char *e)
{
	const char *at = strchr(e, '@'), *c;

	if (at == NULL || at == e || strchr(at + 1, '@') != NULL ||
	    strchr(at, '.') == NULL || strlen(e) > EMAIL_MAX ||
	    e[strlen(e) - 1] == '.')
		return 0;
	for (c = e; *c != '\0'; c++)
		if (*c <= ' ' || *c >= 127)
			return 0;
	return 1;
}

struct register_ctx {
	const char *email, *google_id, *hash, *full_name;
	struct user *out;
	enum result outcome;
};

static enum result register_tx(struct arena *a, void *ctx)
{
	struct register_ctx *c = ctx;
	const char *p[] = { c->email, c->google_id };
	const char *cred[] = { c->google_id, c->hash };
	PGresult *res;
	enum result r;

	if ((r = db_exec(a, &stmts[PW_ACCOUNT_TAKEN], 2, p, &res)) != RES_OK)
		return r;
	if (db_get_bool(res, 0, 0))
		return fail_with(RES_CONFLICT, "an account or registration "
				 "request with this email exists");
	r = db_exec(a, &stmts[PW_INSERT_CREDENTIALS], 2, cred, &res);
	if (r != RES_OK)
		return r;
	if (strcmp(cfg.registration_mode, "open") == 0)
		return user_create(a, c->email, c->google_id, c->full_name, NULL,
				   c->out);
	return waitlist_join(a, c->google_id, c->email, c->full_name, NULL,
			     &c->outcome);
}

enum result password_register(struct arena *a, const char *email,
			      const char *password, const char *full_name,
			      struct user *out)
{
	struct register_ctx c = { lower_trimmed(a, email), NULL, NULL, full_name,
				  out, RES_OK };
	long n = utf8_length(password, strlen(password));
	char *hash;
	enum result r;

	memset(out, 0, sizeof(*out));
	if (strcmp(cfg.registration_mode, "closed") == 0)
		return fail_with(RES_FORBIDDEN, "registration is closed");
	if (!email_valid(c.email))
		return fail_with(RES_INVALID, "email must be a valid address");
	if (n < PASSWORD_MIN || n > PASSWORD_MAX)
		return fail_with(RES_INVALID, "password must be 8 to 128 characters");
	if ((hash = password_hash(password)) == NULL)
		return fail_with(RES_FAIL, "could not hash the password");
	c.google_id = arena_printf(a, PASSWORD_ID_PREFIX "%s", c.email);
	c.hash = arena_strdup(a, hash);
	free(hash);
	r = db_transaction(a, register_tx, &c);
	/* waitlist: the request is kept; "submitted" is the success here */
	if (r == RES_OK && c.outcome != RES_OK && c.outcome != RES_FORBIDDEN)
		return c.outcome;
	return r;
}

/* Counts a failure against account and answers 401. */
static enum result failed(struct arena *a, const char *account)
{
	const char *p[] = { account, db_int(a, cfg.login_max_failures),
			    db_int(a, cfg.login_lockout_seconds) };
	PGresult *res;
	enum result r = db_exec(a, &stmts[PW_FAILED], 3, p, &res);

	return r != RES_OK ? r : fail_with(RES_UNAUTHORIZED, BAD_PAIR);
}

enum result password_login(struct arena *a, const char *login,
			   const char *password, struct user *out,
			   long *retry_after)
{
	const char *p[] = { lower_trimmed(a, login) };
	const char *account, *hash;
	enum result outcome = RES_OK;
	PGresult *res;
	enum result r = db_exec(a, &stmts[PW_ACCOUNT], 1, p, &res);

	if (r != RES_OK)
		return r;
	account = arena_strdup(a, db_get_str(res, 0, 0));
	hash = db_get_str(res, 0, 1);
	if (!PQgetisnull(res, 0, 3)) {
		*retry_after = (long)db_get_int(res, 0, 3);
		return fail_withf(RES_TOO_MANY, "too many failed sign-ins; try "
				  "again in %ld seconds", *retry_after);
	}
	if (!password_matches(password, hash ? hash : dummy_hash()) ||
	    hash == NULL)
		return failed(a, account);
	if (PQgetisnull(res, 0, 2)) {	/* on the waitlist */
		r = waitlist_join(a, account, account + strlen(PASSWORD_ID_PREFIX),
				  NULL, NULL, &outcome);
		return r != RES_OK ? r : outcome;
	}
	if ((r = user_load(a, (long)db_get_int(res, 0, 2), out)) != RES_OK)
		return r;
	if (out->is_banned)
		return fail_with(RES_FORBIDDEN, "your account has been banned; "
				 "contact support");
	return db_exec(a, &stmts[PW_SUCCEEDED], 1, &account, &res);
}
