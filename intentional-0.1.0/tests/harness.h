/*
 * The integration test harness: each test program runs one whole stack
 * (PostgreSQL, the main and moderation responders, nginx) started by
 * spawn/intentional-stack in a fresh data dir under $TMPDIR (or /tmp), and
 * talks to it the way the client does, over HTTP through nginx.
 *
 *	int main(void)
 *	{
 *		static const char *const settings[] = { "MAX_JSON_BYTES=2048", NULL };
 *		SRunner *sr = srunner_create(my_suite());
 *		int failed;
 *
 *		harness_start(settings);
 *		srunner_run_all(sr, CK_NORMAL);
 *		failed = srunner_ntests_failed(sr);
 *		srunner_free(sr);
 *		harness_stop();
 *		return failed ? 1 : 0;
 *	}
 *
 * Tests run in Check's forked children; the stack belongs to the parent.
 * Whatever way the program ends, even killed, the stack is stopped and its
 * data dir removed (a watchdog process sees the program's end).
 *
 * Everything a test gets from here (responses, results, tokens) is
 * released by harness_cleanup(), registered as a checked teardown with
 * tcase_add_checked_fixture(tc, NULL, harness_cleanup), or when the forked
 * test ends; http_free() and sql_free() release one early.  Failures
 * inside helpers (no connection, SQL error) fail the calling test.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <check.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Starts the stack with DEBUG_STATEMENTS=1, RATE_LIMIT_FACTOR=1000 (nginx's
 * rate limits 1000 times the real ones) and the NULL-terminated
 * "KEY=VALUE" settings (may be NULL) in its env file: random free ports,
 * two responders per service, the build tree $TOP_BUILDDIR and the scripts
 * of $TOP_SRCDIR (make check sets both; "." otherwise).  Exits with 99
 * (a hard error to automake) if the stack does not come up.
 */
void harness_start(const char *const *settings);

/*
 * The whole main() of a test program: harness_start(settings), runs the
 * suite (CK_ENV verbosity), harness_stop(); returns the exit status.
 */
int harness_run(Suite *suite, const char *const *settings);

/* Stops the stack and removes its data dir; also run at exit. */
void harness_stop(void);

/* What harness_start() read from DATA/stack.env and the env file. */
const char *harness_url(void);		/* main service, http://127.0.0.1:N */
const char *harness_mod_url(void);	/* moderation service */
const char *harness_database_url(void);
const char *harness_secret_key(void);
const char *harness_data_dir(void);

/* Frees everything the helpers below handed out (a checked teardown). */
void harness_cleanup(void);

/* printf into a string that harness_cleanup() frees. */
char *harness_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Takes the malloc'd s (may be NULL) for harness_cleanup() to free. */
char *harness_keep(char *s);

/* ---- HTTP (libcurl) ---- */

typedef struct http_resp {
	long status;		/* 0: no response (connection failed) */
	char *body;		/* NUL-terminated; "" when empty */
	size_t len;
	json_object *json;	/* the parsed body, NULL if not JSON */
	char *headers_;		/* private: "name\0value\0" pairs */
	size_t headers_len_;
} http_resp;

enum service { MAIN_SERVICE, MOD_SERVICE };

/* A request in full; unset fields are defaults (GET, no body). */
struct http_req {
	enum service service;
	const char *method;
	const char *path;		/* with the query, e.g. "/feed?skip=0" */
	const char *token;		/* sent as "Authorization: Bearer" */
	const char *content_type;	/* for body */
	const char *body;		/* NULL: no body */
	size_t len;			/* of body; 0: strlen(body) */
	const char *const *headers;	/* NULL-terminated "Name: value" */
};

http_resp *http_send(const struct http_req *req);

/* method path [token] [json_body] on the main or moderation service;
 * a body is sent as application/json. */
http_resp *http(const char *method, const char *path, const char *token,
		const char *json_body);
http_resp *http_mod(const char *method, const char *path, const char *token,
		    const char *json_body);

/* The value of the response header name (any case; repeated ones joined
 * with ", "), or NULL. */
const char *http_header(const http_resp *r, const char *name);

/* X-Statement-Count of r (statements the request ran), or -1 without it. */
int statement_count(const http_resp *r);

/* Sends the n requests at once, each on its own connection (so that
 * different responders serve them), and stores the responses in out. */
void http_parallel(const struct http_req *reqs, int n, http_resp **out);

/* GETs path on the main service n times, up to 8 at once on separate
 * connections; returns how many answered 200. */
int http_burst(const char *path, int n);

void http_free(http_resp *r);

/* ---- assertions on responses ---- */

/* The string member key of r's JSON object body, or NULL. */
const char *jstr(const http_resp *r, const char *key);

/* The integer member key of r's JSON object body; fails the test if absent. */
long long jint(const http_resp *r, const char *key);

/* Asserts status, a JSON body (application/json), and {"detail": detail}
 * unless detail is NULL. */
void assert_json(const http_resp *r, long status, const char *detail);

/* Asserts the header name has exactly value. */
void assert_header(const http_resp *r, const char *name, const char *value);

/* ---- database fixtures (libpq on DATABASE_URL) ---- */

/*
 * Runs one statement made with printf-style fmt (test code with trusted
 * values only) and returns its result; a failing statement fails the test.
 */
PGresult *sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same with $1..$n bound to values (NULL for SQL NULL). */
PGresult *sql_params(const char *stmt, int n, const char *const *values);

/* The first column of the first row, or NULL (SQL NULL or no row). */
const char *sql_str(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long sql_long(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void sql_free(PGresult *res);

/* Inserts a member: email username@example.com, google_id g-username,
 * created_at now (UTC); returns the id. */
long make_user(const char *username);

/* A member with a name no other test uses (tests run in forked children):
 * "user<pid>_<n>". */
long fresh_user(void);

/* ---- tokens ---- */

/* A valid HS256 access token of user_id for an hour, signed with the
 * stack's SECRET_KEY by lib/token.c. */
const char *token_for(long user_id);

/*
 * Any token: base64url(header_json).base64url(payload_json).signature,
 * where the signature is the HMAC named by hmac ("sha256", "sha512") over
 * the first two parts with key, or empty when hmac is NULL.
 */
const char *token_craft(const char *header_json, const char *payload_json,
			const char *hmac, const char *key);

/* ---- processes ---- */

/* Stops or starts only PostgreSQL (spawn/pg-cluster), for fault tests. */
void harness_pg_stop(void);
void harness_pg_start(void);

/*
 * The pids of the responders of the service (children of its supervisor),
 * at most max of them; returns how many.
 */
int harness_responders(enum service s, pid_t *pids, int max);

#endif
