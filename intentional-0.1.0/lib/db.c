#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "log.h"

#define TX_ATTEMPTS 3

static PGconn *conn;
static unsigned generation;	/* bumped on every (re)connect */
static char sqlstate[6];
static int statements;
static unsigned long errors;

static void clear_result(void *res)
{
	PQclear(res);
}

static void drop_connection(void)
{
	if (conn != NULL)
		PQfinish(conn);
	conn = NULL;
}

/*
 * A connection the server closed while we were idle (restart, failover,
 * idle timeout) is only noticed when it is used; poll() without waiting
 * finds the pending EOF or termination message first, so the request that
 * follows a database restart gets a fresh connection instead of an error.
 */
static void drop_if_closed_by_server(void)
{
	struct pollfd p = { .fd = PQsocket(conn), .events = POLLIN };

	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		return;
	if (poll(&p, 1, 0) > 0 &&
	    (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK))
		drop_connection();
}

static PGconn *connect_db(void)
{
	char options[128];
	const char *keys[] = { "dbname", "application_name", "options", NULL };
	const char *vals[] = { cfg.database_url, "intentional", options, NULL };

	snprintf(options, sizeof(options),
		 "-c TimeZone=UTC -c statement_timeout=%ld",
		 cfg.db_statement_timeout_ms);
	conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(conn) != CONNECTION_OK) {
		log_error("could not connect to database: %s",
			  PQerrorMessage(conn));
		drop_connection();
		errors++;
		return NULL;
	}
	generation++;
	return conn;
}

static PGconn *get_conn(void)
{
	if (conn != NULL)
		drop_if_closed_by_server();
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		drop_connection();
		return connect_db();
	}
	return conn;
}

/* Maps a failed result to our result codes and logs what the user won't see. */
static enum result fail_from(PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	snprintf(sqlstate, sizeof(sqlstate), "%s", state ? state : "");
	errors++;
	if (PQstatus(conn) != CONNECTION_OK) {
		log_error("database connection lost during %s: %s", what,
			  PQerrorMessage(conn));
		drop_connection();
		return fail_with(RES_UNAVAILABLE, "database unavailable");
	}
	if (strcmp(sqlstate, "23505") == 0)
		return fail_with(RES_CONFLICT, "already exists");
	log_error("statement %s failed: %s", what, PQerrorMessage(conn));
	if (strncmp(sqlstate, "08", 2) == 0 || strncmp(sqlstate, "53", 2) == 0 ||
	    strncmp(sqlstate, "57", 2) == 0 || strcmp(sqlstate, "40001") == 0 ||
	    strcmp(sqlstate, "40P01") == 0)
		return fail_with(RES_UNAVAILABLE, "database busy, try again");
	return fail_with(RES_FAIL, "database error");
}

static enum result prepare(struct db_stmt *st)
{
	PGresult *res;
	enum result r = RES_OK;

	if (st->prepared_on == generation)
		return RES_OK;
	res = PQprepare(conn, st->name, st->sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		r = fail_from(res, st->name);
	else
		st->prepared_on = generation;
	PQclear(res);
	return r;
}

enum result db_exec(struct arena *a, struct db_stmt *st, int nparams,
		    const char *const *params, PGresult **out)
{
	PGresult *res;
	ExecStatusType s;
	enum result r;

	*out = NULL;
	sqlstate[0] = '\0';
	if (get_conn() == NULL)
		return fail_with(RES_UNAVAILABLE, "database unavailable");
	if ((r = prepare(st)) != RES_OK)
		return r;
	statements++;
	res = PQexecPrepared(conn, st->name, nparams, params, NULL, NULL, 0);
	s = PQresultStatus(res);
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		r = fail_from(res, st->name);
		PQclear(res);
		return r;
	}
	arena_defer(a, clear_result, res);
	*out = res;
	return RES_OK;
}

static int run_simple(const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		fail_from(res, sql);
	PQclear(res);
	return ok ? 0 : -1;
}

static int retryable(void)
{
	return strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0;
}

enum result db_transaction(struct arena *a,
			   enum result (*fn)(struct arena *, void *), void *ctx)
{
	int attempt;
	enum result r = RES_FAIL;

	for (attempt = 0; attempt < TX_ATTEMPTS; attempt++) {
		sqlstate[0] = '\0';
		if (get_conn() == NULL)
			return fail_with(RES_UNAVAILABLE, "database unavailable");
		if (run_simple("BEGIN") < 0)
			return RES_UNAVAILABLE;
		r = fn(a, ctx);
		if (r == RES_OK && run_simple("COMMIT") == 0)
			return RES_OK;
		if (conn != NULL && PQtransactionStatus(conn) != PQTRANS_IDLE)
			run_simple("ROLLBACK");
		if (r == RES_OK)
			r = RES_UNAVAILABLE;	/* COMMIT failed */
		if (!retryable())
			return r;
	}
	return r;
}

enum result db_ping(struct arena *a)
{
	static struct db_stmt ping = { "db_ping", "SELECT 1", 0 };
	PGresult *res;

	return db_exec(a, &ping, 0, NULL, &res);
}

const char *db_sqlstate(void)
{
	return sqlstate;
}

int db_statement_count(void)
{
	return statements;
}

unsigned long db_error_count(void)
{
	return errors;
}

void db_request_begin(void)
{
	statements = 0;
	sqlstate[0] = '\0';
}

void db_request_end(void)
{
	if (conn != NULL && PQtransactionStatus(conn) != PQTRANS_IDLE) {
		log_error("request ended inside a transaction; rolling back");
		if (run_simple("ROLLBACK") < 0)
			drop_connection();
	}
}

void db_close(void)
{
	drop_connection();
}

PGconn *db_conn(void)
{
	return get_conn();
}

const char *db_int(struct arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

const char *db_int_array(struct arena *a, const long long *v, size_t n)
{
	char *s = arena_alloc(a, n * 21 + 3), *p = s;
	size_t i;

	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, i ? ",%lld" : "%lld", v[i]);
	*p++ = '}';
	*p = '\0';
	return s;
}

const char *db_bool(int v)
{
	return v ? "t" : "f";
}

long long db_get_int(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

const char *db_get_str(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

int db_get_bool(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col)[0] == 't';
}

double db_get_double(const PGresult *res, int row, int col)
{
	return strtod(PQgetvalue(res, row, col), NULL);
}
