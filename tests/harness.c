#define _GNU_SOURCE		/* vasprintf, pipe2 */

#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "pgtest.h"
#include "token.h"

#define BURST_PARALLEL 8

/* The stack of this test program. */
static struct {
	pid_t owner;		/* the process that started it */
	pid_t watchdog;		/* stops it when watch_fd closes */
	int watch_fd;
	char *data_dir;
	char *url, *mod_url, *database_url, *secret_key;
} stack;

/* ---- what harness_cleanup() frees ---- */

struct owned {
	void *p;
	void (*free)(void *);
	struct owned *next;
};

static struct owned *owned;

static void *own(void *p, void (*fn)(void *))
{
	struct owned *o = malloc(sizeof(*o));

	if (o == NULL)
		abort();
	o->p = p;
	o->free = fn;
	o->next = owned;
	owned = o;
	return p;
}

/* Frees p now if it is on the list. */
static void release(void *p)
{
	struct owned **link, *o;

	for (link = &owned; (o = *link) != NULL; link = &o->next) {
		if (o->p == p) {
			*link = o->next;
			o->free(o->p);
			free(o);
			return;
		}
	}
}

void harness_cleanup(void)
{
	while (owned != NULL)
		release(owned->p);
}

char *harness_keep(char *s)
{
	return s ? own(s, free) : NULL;
}

char *harness_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return harness_keep(s);
}

/* ---- starting and stopping ---- */

/*
 * Reads KEY's value from a file of KEY=VALUE lines as a shell would: both
 * the env file (plain values) and stack.env ('quoted', with '\'' for a
 * quote).  The last one wins, as in lib/config.c.  Returns it malloc'd, or
 * NULL.
 */
static char *read_setting(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *value = NULL, *out;
	const char *s;
	size_t cap = 0, klen = strlen(key);
	int quoted;

	if (f == NULL)
		return NULL;
	while (getline(&line, &cap, f) >= 0) {
		if (strncmp(line, key, klen) != 0 || line[klen] != '=')
			continue;
		s = line + klen + 1;
		free(value);
		value = out = malloc(strlen(s) + 1);
		if (value == NULL)
			abort();
		for (quoted = 0; *s != '\0' && (quoted || *s != '\n'); s++) {
			if (*s == '\'')
				quoted = !quoted;
			else if (*s == '\\' && !quoted && s[1] != '\0')
				*out++ = *++s;
			else
				*out++ = *s;
		}
		*out = '\0';
	}
	free(line);
	fclose(f);
	return value;
}

static char *data_path(const char *rel)
{
	return xasprintf("%s/%s", stack.data_dir, rel);
}

/*
 * Runs spawn/intentional-stack with the NULL-terminated args and returns
 * its exit status; its output is shown only when it fails.
 */
static int stack_script(const char *const *args)
{
	char *script = pgtest_srcpath("spawn/intentional-stack"), *out = NULL;
	const char *argv[64] = { script };
	int i, status;

	for (i = 0; args[i] != NULL && i < 62; i++)
		argv[i + 1] = args[i];
	status = pgtest_run((char *const *)argv, &out);
	if (status != 0)
		fprintf(stderr, "harness: intentional-stack %s failed:\n%s",
			args[0], out != NULL ? out : "");
	free(out);
	free(script);
	return status;
}

/* Reaps ended children, waiting up to tenths of a second for more. */
static void reap(int tenths)
{
	pid_t p;

	for (;;) {
		p = waitpid(-1, NULL, WNOHANG);
		if (p > 0)
			continue;
		if (p < 0 || tenths-- <= 0)
			return;		/* none left (ECHILD), or time is up */
		usleep(100 * 1000);
	}
}

/*
 * Nothing is ever written to fd, so it turns readable only at EOF.  Reaps
 * meanwhile: a daemon that ends (PostgreSQL stopped by a test) would stay
 * a zombie.
 */
static void wait_for_eof(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, 1000) <= 0)
		reap(0);
}

/*
 * The watchdog owns the stack: it runs start, reports the exit status on
 * `report`, waits for EOF on `watch`, then stops the stack and removes the
 * data dir (kept when stop fails, to look at).  EOF comes when
 * harness_stop() closes the other end, or when every process holding it
 * has ended, however it ended.  Check's forked tests inherit that end, so
 * a test still running keeps the stack up; O_CLOEXEC keeps it out of the
 * daemons.  As start and stop run in this one process, they cannot overlap
 * even when the test program dies while the stack is starting.  Its own
 * session keeps a Ctrl-C at the terminal from killing it with the tests,
 * and as a subreaper it inherits and reaps the daemons, whose starters
 * exit.
 */
/*
 * Responders built with --enable-sanitizers print ASan, LSan and UBSan
 * reports to their logs, and so does valgrind around them (make
 * check-valgrind), but no test reads the logs; finding a report fails the
 * run, and the data dir is kept so the report can be read in full.
 */
static int sanitizer_reports(void)
{
	char *logs = xasprintf("%s/log", stack.data_dir);
	char *grep[] = { "grep", "-r", "-B2", "-A25", "-E",
			 "ERROR: (Address|Leak)Sanitizer|runtime error:"
			 "|ERROR SUMMARY: [1-9]", logs, NULL };
	char *out = NULL;
	int found = pgtest_run(grep, &out) == 0;

	if (found)
		fprintf(stderr, "harness: sanitizer or valgrind reports"
			" in %s:\n%s", logs, out);
	free(out);
	free(logs);
	return found;
}

static void watchdog(const char *const *start_args, int watch, int report)
{
	const char *stop[] = { "stop", "--data-dir", stack.data_dir, NULL };
	char *rm[] = { "rm", "-rf", stack.data_dir, NULL };
	int status, reports = 0;

	setsid();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);	/* the test program may be gone */
	status = stack_script(start_args);
	if (write(report, &status, sizeof(status)) < 0 && errno != EPIPE)
		perror("harness: watchdog");
	close(report);
	wait_for_eof(watch);
	if (stack_script(stop) == 0 && !(reports = sanitizer_reports()))
		pgtest_run(rm, NULL);
	reap(50);
	_exit(reports ? 1 : 0);
}

static void read_stack_env(void)
{
	char *stack_env = data_path("stack.env"), *env_file;

	stack.url = read_setting(stack_env, "URL");
	stack.mod_url = read_setting(stack_env, "MOD_URL");
	stack.database_url = read_setting(stack_env, "DATABASE_URL");
	env_file = read_setting(stack_env, "ENV_FILE");
	if (env_file != NULL)
		stack.secret_key = read_setting(env_file, "SECRET_KEY");
	if (stack.url == NULL || stack.mod_url == NULL ||
	    stack.database_url == NULL || stack.secret_key == NULL) {
		fprintf(stderr, "harness: %s or the env file lacks a setting\n",
			stack_env);
		exit(99);
	}
	free(env_file);
	free(stack_env);
}

static void make_data_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	stack.data_dir = xasprintf("%s/intentional-test.XXXXXX",
				   tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(stack.data_dir) == NULL) {
		fprintf(stderr, "harness: cannot create %s: %s\n",
			stack.data_dir, strerror(errno));
		exit(99);
	}
}

/*
 * This process is a subreaper too: a PostgreSQL that a test restarts
 * (harness_pg_start() in a forked test) ends up its child.
 */
void harness_start(const char *const *settings)
{
	char *builddir = pgtest_buildpath("."), *cache = pgtest_buildpath("tests/tmp");
	const char *args[64] = {
		"start", "--port", "0", "--mod-port", "0", "--responders", "2",
		"--set", "DEBUG_STATEMENTS=1", "--build-dir", builddir,
		"--pg-template", cache,
		/* nginx's rate limits out of the way, unless a test sets it */
		"--set", "RATE_LIMIT_FACTOR=1000", "--data-dir",
	};
	int n = 16, watch[2], report[2], status = -1;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	stack.owner = getpid();
	make_data_dir();
	args[n++] = stack.data_dir;
	for (; settings != NULL && *settings != NULL && n < 62; settings++) {
		args[n++] = "--set";
		args[n++] = *settings;
	}
	if (pipe2(watch, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0)
		abort();
	fflush(NULL);
	stack.watchdog = fork();
	if (stack.watchdog < 0)
		abort();
	if (stack.watchdog == 0) {
		close(watch[1]);
		close(report[0]);
		watchdog(args, watch[0], report[1]);
	}
	close(watch[0]);
	close(report[1]);
	stack.watch_fd = watch[1];
	atexit(harness_stop);
	if (read(report[0], &status, sizeof(status)) != sizeof(status) ||
	    status != 0)
		exit(99);
	close(report[0]);
	free(cache);
	free(builddir);
	read_stack_env();
}

static void free_stack_strings(void)
{
	free(stack.data_dir);
	free(stack.url);
	free(stack.mod_url);
	free(stack.database_url);
	free(stack.secret_key);
	memset(&stack, 0, sizeof(stack));
}

/* Runs at exit too: a sanitizer report found by the watchdog then turns
 * the exit status of the whole test program into a failure. */
void harness_stop(void)
{
	int status = 0;

	if (stack.owner != getpid() || stack.watchdog <= 0)
		return;		/* a forked test ending, or stopped already */
	harness_cleanup();
	close(stack.watch_fd);
	while (waitpid(stack.watchdog, &status, 0) < 0 && errno == EINTR)
		;
	reap(0);
	free_stack_strings();
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		_exit(1);
}

int harness_run(Suite *suite, const char *const *settings)
{
	SRunner *sr = srunner_create(suite);
	int failed;

	harness_start(settings);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	harness_stop();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const char *harness_url(void)
{
	return stack.url;
}

const char *harness_mod_url(void)
{
	return stack.mod_url;
}

const char *harness_database_url(void)
{
	return stack.database_url;
}

const char *harness_secret_key(void)
{
	return stack.secret_key;
}

const char *harness_data_dir(void)
{
	return stack.data_dir;
}

/* ---- HTTP ---- */

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = (b->len + len + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static size_t on_body(char *data, size_t size, size_t n, void *b)
{
	buf_add(b, data, size * n);
	return size * n;
}

/*
 * Keeps "name\0value\0" per header line of the last response: a status
 * line (a 100 Continue's, then the real one) starts over.
 */
static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	size_t len = size * n, name_len;
	const char *colon = memchr(data, ':', len), *v, *end = data + len;

	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		b->len = 0;
		return len;
	}
	if (colon == NULL)
		return len;
	name_len = (size_t)(colon - data);
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	buf_add(b, data, name_len);
	buf_add(b, "", 1);
	buf_add(b, v, (size_t)(end - v));
	buf_add(b, "", 1);
	return len;
}

/*
 * One handle per process, so that requests reuse a connection to nginx;
 * a handle inherited from the parent of a forked test is left alone.
 */
static CURL *curl_handle(void)
{
	static CURL *h;
	static pid_t pid;

	if (h != NULL && pid == getpid()) {
		curl_easy_reset(h);
		return h;
	}
	pid = getpid();
	h = curl_easy_init();
	if (h == NULL)
		abort();
	return h;
}

static void resp_free(void *p)
{
	http_resp *r = p;

	if (r->json != NULL)
		json_object_put(r->json);
	free(r->body);
	free(r->headers_);
	free(r);
}

static struct curl_slist *request_headers(const struct http_req *q)
{
	struct curl_slist *list = NULL;
	const char *const *h;
	char *line;

	if (q->token != NULL) {
		line = xasprintf("Authorization: Bearer %s", q->token);
		list = curl_slist_append(list, line);
		free(line);
	}
	if (q->body != NULL && q->content_type != NULL) {
		line = xasprintf("Content-Type: %s", q->content_type);
		list = curl_slist_append(list, line);
		free(line);
	}
	for (h = q->headers; h != NULL && *h != NULL; h++)
		list = curl_slist_append(list, *h);
	return list;
}

/* One request in flight: its handle and what it collects. */
struct transfer {
	CURL *h;
	char *url;
	struct curl_slist *headers;
	struct buf body, hdrs;
};

static void transfer_setup(struct transfer *t, CURL *h, const struct http_req *q)
{
	const char *method = q->method != NULL ? q->method : "GET";

	memset(t, 0, sizeof(*t));
	t->h = h;
	t->url = xasprintf("%s%s", q->service == MOD_SERVICE ? stack.mod_url
			   : stack.url, q->path);
	t->headers = request_headers(q);
	curl_easy_setopt(h, CURLOPT_URL, t->url);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (q->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(q->len ? q->len : strlen(q->body)));
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &t->hdrs);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
}

/* The response of a finished transfer (status 0 if it failed). */
static http_resp *transfer_done(struct transfer *t, int ok)
{
	http_resp *r = calloc(1, sizeof(*r));

	if (r == NULL)
		abort();
	if (ok)
		curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(t->headers);
	free(t->url);
	buf_add(&t->body, "", 0);	/* "" rather than NULL */
	r->body = t->body.p;
	r->len = t->body.len;
	r->headers_ = t->hdrs.p;
	r->headers_len_ = t->hdrs.len;
	if (r->len > 0)
		r->json = json_tokener_parse(r->body);
	return own(r, resp_free);
}

http_resp *http_send(const struct http_req *q)
{
	struct transfer t;

	transfer_setup(&t, curl_handle(), q);
	return transfer_done(&t, curl_easy_perform(t.h) == CURLE_OK);
}

void http_parallel(const struct http_req *reqs, int n, http_resp **out)
{
	struct transfer *t = calloc((size_t)n, sizeof(*t));
	CURLM *m = curl_multi_init();
	CURLMsg *msg;
	int i, running, left, *ok = calloc((size_t)n, sizeof(int));

	if (t == NULL || ok == NULL || m == NULL)
		abort();
	for (i = 0; i < n; i++) {
		transfer_setup(&t[i], curl_easy_init(), &reqs[i]);
		curl_easy_setopt(t[i].h, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(t[i].h, CURLOPT_PRIVATE, &ok[i]);
		curl_multi_add_handle(m, t[i].h);
	}
	do {
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			int *done = NULL;

			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &done);
			if (msg->msg == CURLMSG_DONE && done != NULL)
				*done = msg->data.result == CURLE_OK;
		}
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	} while (running);
	for (i = 0; i < n; i++) {
		out[i] = transfer_done(&t[i], ok[i]);
		curl_multi_remove_handle(m, t[i].h);
		curl_easy_cleanup(t[i].h);
	}
	curl_multi_cleanup(m);
	free(ok);
	free(t);
}

static http_resp *simple(enum service s, const char *method, const char *path,
			 const char *token, const char *json_body)
{
	struct http_req q = {
		.service = s, .method = method, .path = path, .token = token,
		.body = json_body, .content_type = "application/json",
	};

	return http_send(&q);
}

http_resp *http(const char *method, const char *path, const char *token,
		const char *json_body)
{
	return simple(MAIN_SERVICE, method, path, token, json_body);
}

http_resp *http_mod(const char *method, const char *path, const char *token,
		    const char *json_body)
{
	return simple(MOD_SERVICE, method, path, token, json_body);
}

/*
 * Repeated headers are joined with ", " as HTTP allows for list headers
 * (nginx adds its own Vary to the responder's).
 */
const char *http_header(const http_resp *r, const char *name)
{
	const char *p = r->headers_, *end = p + r->headers_len_, *first = NULL;
	struct buf joined = { 0 };

	while (p != NULL && p < end) {
		const char *value = p + strlen(p) + 1;

		if (strcasecmp(p, name) == 0) {
			if (first != NULL && joined.p == NULL)
				buf_add(&joined, first, strlen(first));
			if (joined.p != NULL) {
				buf_add(&joined, ", ", 2);
				buf_add(&joined, value, strlen(value));
			}
			if (first == NULL)
				first = value;
		}
		p = value + strlen(value) + 1;
	}
	return joined.p != NULL ? own(joined.p, free) : first;
}

int statement_count(const http_resp *r)
{
	const char *v = http_header(r, "X-Statement-Count");

	return v != NULL ? atoi(v) : -1;
}

const char *jstr(const http_resp *r, const char *key)
{
	json_object *v;

	if (r->json == NULL || !json_object_object_get_ex(r->json, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

long long jint(const http_resp *r, const char *key)
{
	json_object *v;

	ck_assert_msg(r->json != NULL && json_object_object_get_ex(r->json, key, &v)
		      && json_object_is_type(v, json_type_int),
		      "no integer %s in %s", key, r->body);
	return json_object_get_int64(v);
}

void assert_json(const http_resp *r, long status, const char *detail)
{
	const char *ctype = http_header(r, "Content-Type");

	ck_assert_msg(r->status == status, "status %ld, not %ld: %s", r->status,
		      status, r->body);
	ck_assert_msg(ctype != NULL && strcmp(ctype, "application/json") == 0,
		      "Content-Type %s", ctype ? ctype : "(none)");
	ck_assert_msg(r->json != NULL, "body is not JSON: %s", r->body);
	if (detail != NULL)
		ck_assert_str_eq(jstr(r, "detail") ? jstr(r, "detail") : "(none)",
				 detail);
}

void assert_header(const http_resp *r, const char *name, const char *value)
{
	const char *v = http_header(r, name);

	ck_assert_msg(v != NULL, "no %s header", name);
	ck_assert_str_eq(v, value);
}

void http_free(http_resp *r)
{
	release(r);
}

static size_t discard(char *data, size_t size, size_t n, void *ud)
{
	(void)data;
	(void)ud;
	return size * n;
}

static void burst_add(CURLM *m, const char *url)
{
	CURL *e = curl_easy_init();

	if (e == NULL)
		abort();
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 20L);
	curl_multi_add_handle(m, e);
}

/* Counts the finished transfers that got 200 and frees their handles. */
static int burst_collect(CURLM *m, int *active)
{
	CURLMsg *msg;
	int left, ok = 0;
	long status;

	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		status = 0;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		ok += msg->data.result == CURLE_OK && status == 200;
		curl_multi_remove_handle(m, msg->easy_handle);
		curl_easy_cleanup(msg->easy_handle);
		(*active)--;
	}
	return ok;
}

int http_burst(const char *path, int n)
{
	CURLM *m = curl_multi_init();
	char *url = xasprintf("%s%s", stack.url, path);
	int started = 0, active = 0, running, ok = 0;

	while (started < n || active > 0) {
		for (; started < n && active < BURST_PARALLEL; started++, active++)
			burst_add(m, url);
		curl_multi_perform(m, &running);
		ok += burst_collect(m, &active);
		if (active > 0)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	curl_multi_cleanup(m);
	free(url);
	return ok;
}

/* ---- database fixtures ---- */

/*
 * One connection per process.  One inherited from the parent of a forked
 * test is left alone: PQfinish() would end the parent's session too.
 */
static PGconn *db(void)
{
	static PGconn *conn;
	static pid_t pid;

	if (conn != NULL && pid == getpid())
		return conn;
	pid = getpid();
	conn = PQconnectdb(stack.database_url);
	if (PQstatus(conn) != CONNECTION_OK)
		ck_abort_msg("harness: cannot connect to %s: %s",
			     stack.database_url, PQerrorMessage(conn));
	return conn;
}

static void clear_result(void *res)
{
	PQclear(res);
}

/* A connection that PostgreSQL restarted under is reset once. */
PGresult *sql_params(const char *stmt, int n, const char *const *values)
{
	PGconn *c = db();
	PGresult *res = PQexecParams(c, stmt, n, NULL, values, NULL, NULL, 0);
	ExecStatusType st;

	if (PQstatus(c) == CONNECTION_BAD) {
		PQclear(res);
		PQreset(c);
		res = PQexecParams(c, stmt, n, NULL, values, NULL, NULL, 0);
	}
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		ck_abort_msg("harness: %s: %s", stmt, PQresultErrorMessage(res));
	return own(res, clear_result);
}

static PGresult *vsql(const char *fmt, va_list ap)
{
	char *stmt;
	PGresult *res;

	if (vasprintf(&stmt, fmt, ap) < 0)
		abort();
	res = sql_params(stmt, 0, NULL);
	free(stmt);
	return res;
}

PGresult *sql(const char *fmt, ...)
{
	va_list ap;
	PGresult *res;

	va_start(ap, fmt);
	res = vsql(fmt, ap);
	va_end(ap);
	return res;
}

static const char *first_value(PGresult *res)
{
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0))
		return NULL;
	return PQgetvalue(res, 0, 0);
}

const char *sql_str(const char *fmt, ...)
{
	va_list ap;
	PGresult *res;

	va_start(ap, fmt);
	res = vsql(fmt, ap);
	va_end(ap);
	return first_value(res);
}

long sql_long(const char *fmt, ...)
{
	va_list ap;
	PGresult *res;
	const char *v;

	va_start(ap, fmt);
	res = vsql(fmt, ap);
	va_end(ap);
	v = first_value(res);
	ck_assert_msg(v != NULL, "harness: sql_long(\"%s\"): no value", fmt);
	return strtol(v, NULL, 10);
}

void sql_free(PGresult *res)
{
	release(res);
}

long make_user(const char *username)
{
	const char *values[] = { username };
	PGresult *res = sql_params(
		"INSERT INTO users (email, username, google_id, created_at)"
		" VALUES ($1::varchar || '@example.com', $1, 'g-' || $1::varchar,"
		" now() AT TIME ZONE 'UTC') RETURNING id", 1, values);

	return strtol(PQgetvalue(res, 0, 0), NULL, 10);
}

long fresh_user(void)
{
	static int n;
	char name[40];

	snprintf(name, sizeof(name), "user%d_%d", (int)getpid(), n++);
	return make_user(name);
}

/* ---- tokens ---- */

const char *token_for(long user_id)
{
	char *t = token_issue(stack.secret_key, user_id, 3600);

	ck_assert_msg(t != NULL, "harness: token_issue failed");
	return own(t, free);
}

/* base64url without padding (RFC 7515), appended to b. */
static void add_b64url(struct buf *b, const void *data, size_t len)
{
	unsigned char *out = malloc(4 * ((len + 2) / 3) + 1);
	int n, i;

	if (out == NULL)
		abort();
	n = EVP_EncodeBlock(out, data, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	buf_add(b, out, (size_t)n);
	free(out);
}

const char *token_craft(const char *header_json, const char *payload_json,
			const char *hmac, const char *key)
{
	struct buf t = { 0 };
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;

	add_b64url(&t, header_json, strlen(header_json));
	buf_add(&t, ".", 1);
	add_b64url(&t, payload_json, strlen(payload_json));
	if (hmac != NULL) {
		const EVP_MD *md = EVP_get_digestbyname(hmac);

		ck_assert_msg(md != NULL && HMAC(md, key, (int)strlen(key),
			      (unsigned char *)t.p, t.len, mac, &mac_len) != NULL,
			      "harness: cannot compute HMAC-%s", hmac);
	}
	buf_add(&t, ".", 1);
	add_b64url(&t, mac, mac_len);
	return own(t.p, free);
}

/* ---- processes ---- */

static void pg_cluster(const char *cmd)
{
	char *pg = data_path("pg"), *script = pgtest_srcpath("spawn/pg-cluster");
	char *argv[] = { script, pg, (char *)cmd, NULL };
	int status = pgtest_run(argv, NULL);

	free(script);
	free(pg);
	ck_assert_msg(status == 0, "harness: pg-cluster %s failed", cmd);
}

void harness_pg_stop(void)
{
	pg_cluster("stop");
}

void harness_pg_start(void)
{
	pg_cluster("start");
}

/* Children of the service's supervisor, from /proc (Linux 3.5+). */
int harness_responders(enum service s, pid_t *pids, int max)
{
	char *pidfile = data_path(s == MOD_SERVICE ? "run/mod.pid"
				  : "run/main.pid"), *children;
	FILE *f = fopen(pidfile, "r");
	long mw = 0, pid;
	int n = 0;

	if (f != NULL) {
		if (fscanf(f, "%ld", &mw) != 1)
			mw = 0;
		fclose(f);
	}
	free(pidfile);
	children = xasprintf("/proc/%ld/task/%ld/children", mw, mw);
	f = fopen(children, "r");
	free(children);
	if (f == NULL)
		return 0;
	while (n < max && fscanf(f, "%ld", &pid) == 1)
		pids[n++] = (pid_t)pid;
	fclose(f);
	return n;
}
