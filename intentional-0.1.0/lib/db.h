/*
 * The one PostgreSQL connection of a process.  It is opened lazily, checked
 * before each request and re-opened after a failure; statements are named
 * and prepared on first use on each connection, so a reconnect re-prepares
 * them by itself.  SQL lives in the domain files of lib/ as tables of
 * struct db_stmt; nothing builds SQL text at run time.
 */
#ifndef DB_H
#define DB_H

#include <libpq-fe.h>
#include <stddef.h>

#include "result.h"

struct arena;

struct db_stmt {
	const char *name;
	const char *sql;
	unsigned prepared_on;	/* connection generation it was prepared on */
};

/*
 * Runs a prepared statement with text parameters (NULL = SQL NULL) and
 * stores its result, freed with the arena, in *out.  Failures go through
 * fail_with(): RES_UNAVAILABLE when the database is unreachable, busy or timed
 * out, RES_CONFLICT on a unique violation, RES_FAIL otherwise.
 */
enum result db_exec(struct arena *a, struct db_stmt *st, int nparams,
		    const char *const *params, PGresult **out);

/*
 * Runs fn(ctx) inside BEGIN ... COMMIT; rolls back when fn returns other
 * than RES_OK.  Serialization failures and deadlocks are retried.
 */
enum result db_transaction(struct arena *a,
			   enum result (*fn)(struct arena *, void *), void *ctx);

/* Cheap liveness probe (SELECT 1). */
enum result db_ping(struct arena *a);

/* The SQLSTATE of the last failed statement, "" if none. */
const char *db_sqlstate(void);

/* Statements sent since the last db_request_begin(). */
int db_statement_count(void);

/* Database failures since start (for /metrics). */
unsigned long db_error_count(void);

/* Per-request bookkeeping: counters, and a rollback of a forgotten BEGIN. */
void db_request_begin(void);
void db_request_end(void);

void db_close(void);

/*
 * The live connection, opened if needed; NULL (logged) when the database
 * is unreachable.  Only for the schema migrations (lib/migrate.c), whose
 * trusted multi-statement files need PQexec; everything else goes through
 * db_exec() and db_transaction().
 */
PGconn *db_conn(void);

/* Helpers for text parameters. */
const char *db_int(struct arena *a, long long v);
const char *db_bool(int v);
/* "{1,2,3}": int4 values as one int[] parameter ("{}" for none). */
const char *db_int_array(struct arena *a, const long long *v, size_t n);

/* Column accessors by row and column name-independent index. */
long long db_get_int(const PGresult *res, int row, int col);
const char *db_get_str(const PGresult *res, int row, int col);	/* NULL if SQL NULL */
int db_get_bool(const PGresult *res, int row, int col);
double db_get_double(const PGresult *res, int row, int col);

#endif
