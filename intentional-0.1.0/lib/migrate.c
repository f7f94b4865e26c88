/*
 * The migration runner (see migrate.h).  Everything happens in one
 * db_transaction(): take the advisory lock, look at what the database
 * holds, create the bookkeeping table (recording 0001 as adopted on a
 * database of the original backend), check what is recorded against the
 * embedded files, then run the pending files with PQexec, the one place
 * that runs multi-statement SQL.  What was done is printed only after
 * COMMIT, so a line never claims a change that was rolled back.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "migrate.h"

#define ALEMBIC_HEAD "merge_reactions_post_stats"

/* What the database holds before the runner touches it. */
enum kind {
	DB_MANAGED,		/* has intentional_schema_migrations */
	DB_EMPTY,		/* no tables or views at all */
	DB_ORIGINAL,		/* the original backend at its final head */
	DB_OLD_ALEMBIC,		/* the original at another revision */
	DB_INCOMPLETE,		/* the original's head without all its tables */
	DB_FOREIGN,		/* not empty, not ours, not the original's */
};

struct state {
	enum kind kind;
	const char *detail;	/* alembic revision(s) or missing tables */
};

enum outcome { UNTOUCHED, APPLIED, ADOPTED };

struct run {
	const struct migration *m;
	size_t n;
	enum outcome *done;	/* parallel to m, reported after COMMIT */
};

enum {
	S_SESSION, S_LOCK, S_INSPECT, S_ALEMBIC, S_BOOKKEEPING, S_APPLIED,
	S_RECORD,
};

/*
 * statement_timeout is lifted for the transaction (an index build on a big
 * table may take minutes, and so may waiting for another runner's lock);
 * client_min_messages keeps IF NOT EXISTS notices off the terminal.
 * Objects that belong to an extension (pg_stat_statements' views) do not
 * make a database "not empty".
 */
static struct db_stmt stmts[] = {
	[S_SESSION] = { "migrate_session",
		"SELECT set_config('statement_timeout', '0', true),"
		" set_config('client_min_messages', 'warning', true)", 0 },
	[S_LOCK] = { "migrate_lock",
		"SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")", 0 },
	[S_INSPECT] = { "migrate_inspect",
		"SELECT to_regclass('intentional_schema_migrations') IS NOT NULL,"
		" to_regclass('alembic_version') IS NOT NULL,"
		" EXISTS (SELECT 1 FROM pg_class c"
		"  JOIN pg_namespace n ON n.oid = c.relnamespace"
		"  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"
		"  AND n.nspname <> 'information_schema'"
		"  AND n.nspname NOT LIKE 'pg\\_%'"
		"  AND NOT EXISTS (SELECT 1 FROM pg_depend d"
		"   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
		"   AND d.deptype = 'e'))", 0 },
	[S_ALEMBIC] = { "migrate_alembic",
		"SELECT coalesce(string_agg(version_num, ', '"
		"  ORDER BY version_num), ''),"
		" (SELECT string_agg(t, ', ' ORDER BY t) FROM unnest(ARRAY["
		"  'users', 'posts', 'connections', 'tags', 'user_tags',"
		"  'post_audience_tags', 'comments', 'replies', 'reactions',"
		"  'post_stats', 'reported_posts', 'registration_requests',"
		"  'notifications']) t WHERE to_regclass(t) IS NULL)"
		" FROM alembic_version", 0 },
	[S_BOOKKEEPING] = { "migrate_bookkeeping",
		"CREATE TABLE intentional_schema_migrations ("
		" version integer NOT NULL,"
		" name text NOT NULL,"
		" checksum text NOT NULL,"
		" applied_at timestamp NOT NULL,"
		" CONSTRAINT intentional_schema_migrations_pkey"
		"  PRIMARY KEY (version))", 0 },
	[S_APPLIED] = { "migrate_applied",
		"SELECT version, name, checksum,"
		" to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS')"
		" FROM intentional_schema_migrations ORDER BY version", 0 },
	[S_RECORD] = { "migrate_record",
		"INSERT INTO intentional_schema_migrations"
		" (version, name, checksum, applied_at)"
		" VALUES ($1, $2, $3, now() AT TIME ZONE 'UTC')", 0 },
};

static enum result exec0(struct arena *a, int s)
{
	PGresult *res;

	return db_exec(a, &stmts[s], 0, NULL, &res);
}

/*
 * The sha256 of the SQL text in lower-case hex, which is what sha256sum
 * prints for the installed file.  EVP only fails when out of memory, where
 * the arena aborts too.
 */
static const char *checksum(struct arena *a, const char *sql)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0, i;
	char *hex;

	if (!EVP_Digest(sql, strlen(sql), md, &len, EVP_sha256(), NULL)) {
		fputs("migrate: sha256 failed\n", stderr);
		abort();
	}
	hex = arena_alloc(a, 2 * len + 1);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
}

static const struct migration *find(const struct migration *m, size_t n,
				    int version)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (m[i].version == version)
			return &m[i];
	return NULL;
}

/* The row of version in the bookkeeping result (NULL: none), or -1. */
static int applied_row(const PGresult *applied, int version)
{
	int row;

	for (row = 0; row < PQntuples(applied); row++)
		if (db_get_int(applied, row, 0) == version)
			return row;
	return -1;
}

static int changed(struct arena *a, const struct migration *k,
		   const PGresult *applied, int row)
{
	return strcmp(checksum(a, k->sql), db_get_str(applied, row, 2)) != 0;
}

static enum result inspect_alembic(struct arena *a, struct state *st)
{
	PGresult *res;
	enum result r = db_exec(a, &stmts[S_ALEMBIC], 0, NULL, &res);

	if (r != RES_OK)
		return r;
	st->kind = DB_OLD_ALEMBIC;
	st->detail = db_get_str(res, 0, 0);
	if (strcmp(st->detail, ALEMBIC_HEAD) == 0) {
		st->detail = db_get_str(res, 0, 1);
		st->kind = st->detail != NULL ? DB_INCOMPLETE : DB_ORIGINAL;
	}
	return RES_OK;
}

static enum result inspect(struct arena *a, struct state *st)
{
	PGresult *res;
	enum result r = db_exec(a, &stmts[S_INSPECT], 0, NULL, &res);

	if (r != RES_OK)
		return r;
	st->detail = NULL;
	if (db_get_bool(res, 0, 0))
		st->kind = DB_MANAGED;
	else if (db_get_bool(res, 0, 1))
		return inspect_alembic(a, st);
	else
		st->kind = db_get_bool(res, 0, 2) ? DB_FOREIGN : DB_EMPTY;
	return RES_OK;
}

/* RES_OK for a database the runner may take over, else why not. */
static enum result refuse(const struct state *st)
{
	switch (st->kind) {
	case DB_OLD_ALEMBIC:
		return fail_withf(RES_FAIL, "database is at alembic revision '%s', "
			     "not %s: run the original backend's migrations "
			     "to head first", st->detail, ALEMBIC_HEAD);
	case DB_INCOMPLETE:
		return fail_withf(RES_FAIL, "database is at alembic head but lacks "
			     "table(s) %s: install them as the original "
			     "backend does (notifications comes from its "
			     "separate SQL script) first", st->detail);
	case DB_FOREIGN:
		return fail_with(RES_FAIL, "database is not empty but has neither "
			    "intentional_schema_migrations nor alembic_version: "
			    "refusing to touch it");
	default:
		return RES_OK;
	}
}

static enum result record(struct arena *a, const struct migration *k)
{
	const char *params[3];
	PGresult *res;

	params[0] = db_int(a, k->version);
	params[1] = k->name;
	params[2] = checksum(a, k->sql);
	return db_exec(a, &stmts[S_RECORD], 3, params, &res);
}

/*
 * First run on this database: create the bookkeeping table, and on a
 * database of the original backend record 0001 as applied, since its
 * tables are exactly what 0001 creates.  Nothing else is touched.
 */
static enum result begin_bookkeeping(struct arena *a, const struct state *st,
				     struct run *run)
{
	enum result r;

	if ((r = refuse(st)) != RES_OK ||
	    (r = exec0(a, S_BOOKKEEPING)) != RES_OK || st->kind != DB_ORIGINAL)
		return r;
	run->done[0] = ADOPTED;
	return record(a, &run->m[0]);
}

/*
 * What is recorded must be a subset of what we carry, unchanged: a version
 * we do not know was applied by a newer release, and a checksum that
 * differs means the file was edited after release; either way the schema
 * is not what this program expects.
 */
static enum result verify(struct arena *a, const PGresult *applied,
			  const struct migration *m, size_t n)
{
	int row;

	for (row = 0; row < PQntuples(applied); row++) {
		int v = (int)db_get_int(applied, row, 0);
		const struct migration *k = find(m, n, v);

		if (k == NULL)
			return fail_withf(RES_FAIL, "database has migration %d (%s), "
				     "unknown to this program: a newer release "
				     "applied it; upgrade intentionalctl", v,
				     db_get_str(applied, row, 1));
		if (changed(a, k, applied, row))
			return fail_withf(RES_FAIL, "migration %d (%s) was changed "
				     "after it was applied: restore "
				     "schema/%04d_%s.sql as released and put "
				     "the change into a new migration", v,
				     k->name, v, k->name);
	}
	return RES_OK;
}

/*
 * Runs one trusted file.  A file that ended our transaction (COMMIT, END)
 * would leave the rest outside it; embed.sh rejects the obvious spellings
 * at build time and this catches the others.
 */
static enum result apply_one(struct arena *a, const struct migration *k)
{
	PGconn *c = db_conn();
	PGresult *res;
	ExecStatusType s;
	enum result r = RES_OK;

	if (c == NULL)
		return fail_with(RES_UNAVAILABLE, "database unavailable");
	res = PQexec(c, k->sql);
	s = PQresultStatus(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		r = fail_withf(RES_FAIL, "migration %04d_%s failed: %s", k->version,
			  k->name, msg != NULL ? msg : PQerrorMessage(c));
	} else if (PQtransactionStatus(c) != PQTRANS_INTRANS)
		r = fail_withf(RES_FAIL, "migration %04d_%s ended the transaction: "
			  "migration files must not contain COMMIT or END",
			  k->version, k->name);
	PQclear(res);
	return r != RES_OK ? r : record(a, k);
}

static enum result apply_pending(struct arena *a, struct run *run,
				 const PGresult *applied)
{
	size_t i;
	enum result r;

	for (i = 0; i < run->n; i++) {
		if (applied_row(applied, run->m[i].version) >= 0)
			continue;
		if ((r = apply_one(a, &run->m[i])) != RES_OK)
			return r;
		run->done[i] = APPLIED;
	}
	return RES_OK;
}

/* The transaction body; db_transaction() may run it again on a deadlock. */
static enum result migrate_tx(struct arena *a, void *ctx)
{
	struct run *run = ctx;
	struct state st;
	PGresult *applied;
	enum result r;

	memset(run->done, 0, run->n * sizeof(*run->done));
	if ((r = exec0(a, S_SESSION)) != RES_OK ||
	    (r = exec0(a, S_LOCK)) != RES_OK || (r = inspect(a, &st)) != RES_OK)
		return r;
	if (st.kind != DB_MANAGED &&
	    (r = begin_bookkeeping(a, &st, run)) != RES_OK)
		return r;
	if ((r = db_exec(a, &stmts[S_APPLIED], 0, NULL, &applied)) != RES_OK ||
	    (r = verify(a, applied, run->m, run->n)) != RES_OK)
		return r;
	return apply_pending(a, run, applied);
}

static void report(const struct run *run, FILE *out)
{
	size_t i;
	int any = 0;

	for (i = 0; i < run->n; i++) {
		const struct migration *k = &run->m[i];

		if (run->done[i] == ADOPTED)
			fprintf(out, "adopted %04d_%s (database of the original "
				"backend, left unchanged)\n", k->version, k->name);
		else if (run->done[i] == APPLIED)
			fprintf(out, "applied %04d_%s\n", k->version, k->name);
		any |= run->done[i] != UNTOUCHED;
	}
	if (!any && run->n > 0)
		fprintf(out, "schema up to date (version %d)\n",
			run->m[run->n - 1].version);
}

enum result migrate_run(struct arena *a, const struct migration *m, size_t n,
			FILE *out)
{
	struct run run;
	enum result r;

	run.m = m;
	run.n = n;
	run.done = arena_calloc(a, n, sizeof(*run.done));
	r = db_transaction(a, migrate_tx, &run);
	if (r == RES_OK && out != NULL)
		report(&run, out);
	return r;
}

static void describe(const struct state *st, FILE *out)
{
	if (st->kind == DB_EMPTY)
		fputs("database is empty: migrate will create the schema\n", out);
	else if (st->kind == DB_ORIGINAL)
		fputs("database was created by the original backend: "
		      "migrate will adopt it\n", out);
	else if (refuse(st) != RES_OK)
		fprintf(out, "migrate will refuse: %s\n", fail_detail());
}

static void list(struct arena *a, const struct migration *m, size_t n,
		 const PGresult *applied, FILE *out)
{
	size_t i;
	int row;

	for (i = 0; i < n; i++) {
		row = applied_row(applied, m[i].version);
		if (row < 0)
			fprintf(out, "pending %04d_%s\n", m[i].version, m[i].name);
		else if (changed(a, &m[i], applied, row))
			fprintf(out, "changed %04d_%s (applied %s UTC, differs "
				"from this program's copy)\n", m[i].version,
				m[i].name, db_get_str(applied, row, 3));
		else
			fprintf(out, "applied %04d_%s (%s UTC)\n", m[i].version,
				m[i].name, db_get_str(applied, row, 3));
	}
	for (row = 0; row < PQntuples(applied); row++) {
		int v = (int)db_get_int(applied, row, 0);

		if (find(m, n, v) == NULL)
			fprintf(out, "unknown %04d_%s (applied %s UTC by a newer "
				"release)\n", v, db_get_str(applied, row, 1),
				db_get_str(applied, row, 3));
	}
}

enum result migrate_status(struct arena *a, const struct migration *m,
			   size_t n, FILE *out)
{
	struct state st;
	PGresult *applied = NULL;
	enum result r;

	if ((r = inspect(a, &st)) != RES_OK)
		return r;
	if (st.kind != DB_MANAGED)
		describe(&st, out);
	else if ((r = db_exec(a, &stmts[S_APPLIED], 0, NULL, &applied)) != RES_OK)
		return r;
	list(a, m, n, applied, out);
	return RES_OK;
}
