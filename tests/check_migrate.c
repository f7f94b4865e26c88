/*
 * Schema migrations against a real PostgreSQL (tests/pgtest.h): a fresh
 * database gets exactly the schema of SCHEMA.md, a database of the original
 * backend is adopted without a change to its rows or tables, whatever else
 * is refused without a trace, and concurrent runners serialise.  Each test
 * makes its own database in the one cluster of this program.
 */
#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "migrate.h"
#include "pgtest.h"

typedef enum result migrate_fn(struct arena *, const struct migration *,
			       size_t, FILE *);

/* The rows the adoption test writes as the original would have. */
static const char original_rows[] =
	"INSERT INTO users (email, username, created_at, google_id)"
	" VALUES ('a@example.org', 'ann', '2024-05-01 10:00', 'g-a'),"
	"        ('b@example.org', NULL, '2024-05-02 11:00', 'g-b');"
	"INSERT INTO posts (author_id, content, created_at, audience_type,"
	"  photo_urls) VALUES (1, 'hello', '2024-05-03 09:30', 'all', '[]');"
	"INSERT INTO posts (author_id, content, created_at, audience_type,"
	"  photo_urls) VALUES (2, 'today', now() AT TIME ZONE 'UTC', 'all', '[]');"
	"INSERT INTO post_stats (post_id, comment_count) VALUES (1, 1), (2, 0);"
	"INSERT INTO comments (post_id, author_id, content, created_at)"
	" VALUES (1, 2, 'hi', '2024-05-03 10:00');"
	"INSERT INTO connections (status, created_at, updated_at, user_a_id,"
	"  user_b_id, initiated_by_user_id)"
	" VALUES ('accepted', '2024-05-02 12:00', '2024-05-02 12:05', 1, 2, 2);"
	"INSERT INTO notifications (recipient_id, actor_id, post_id, type,"
	"  created_at) VALUES (1, 2, 1, 'comment', '2024-05-03 10:00');";

/* One digest of every row the adoption test wrote. */
static const char rows_digest[] =
	"SELECT md5(concat_ws('|',"
	" (SELECT string_agg(t::text, ',' ORDER BY id) FROM users t),"
	" (SELECT string_agg(t::text, ',' ORDER BY id) FROM posts t),"
	" (SELECT string_agg(t::text, ',') FROM post_stats t),"
	" (SELECT string_agg(t::text, ',' ORDER BY id) FROM comments t),"
	" (SELECT string_agg(t::text, ',' ORDER BY id) FROM connections t),"
	" (SELECT string_agg(t::text, ',' ORDER BY id) FROM notifications t),"
	" (SELECT string_agg(t::text, ',') FROM alembic_version t)))";

/* What migrate prints after 0001, and records, on a new database. */
#define APPLIED_AFTER_0001 "applied 0002_feed_indexes\n" \
	"applied 0003_password_accounts\napplied 0004_feed_covering_index\n" \
	"applied 0005_feed_inbox\napplied 0006_inbox_autovacuum\n"
#define RECORDED "1:initial,2:feed_indexes,3:password_accounts," \
	"4:feed_covering_index,5:feed_inbox,6:inbox_autovacuum"
#define UP_TO_DATE "schema up to date (version 6)\n"

static const char bookkeeping[] =
	"SELECT string_agg(version || ':' || name, ',' ORDER BY version)"
	" FROM intentional_schema_migrations";

/* A new database, loaded with the original's schema when asked. */
static char *new_db(const char *name, int original)
{
	char *url = pgtest_createdb(name);

	ck_assert_msg(url != NULL, "could not create database %s", name);
	if (original) {
		char *fixture = pgtest_srcpath("tests/fixtures/original_head.sql");

		ck_assert_int_eq(pgtest_exec_file(url, fixture), 0);
		free(fixture);
	}
	return url;
}

/* Runs fn on url in this process; what it printed in *out. */
static enum result run_on(const char *url, migrate_fn *fn,
			  const struct migration *m, size_t n, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	struct arena *a = arena_new();
	enum result r;

	db_close();
	cfg.database_url = url;
	r = fn(a, m, n, f);
	arena_free(a);
	fclose(f);
	return r;
}

static enum result migrate(const char *url, char **out)
{
	return run_on(url, migrate_run, migrations, migration_count, out);
}

static void expect(const char *url, const char *sql, const char *want)
{
	char *got = pgtest_query(url, sql);

	ck_assert_msg(got != NULL, "query failed: %s", sql);
	ck_assert_msg(strcmp(got, want) == 0, "%s\n  got  '%s'\n  want '%s'",
		      sql, got, want);
	free(got);
}

static void expect_output(char *out, const char *want)
{
	ck_assert_str_eq(out, want);
	free(out);
}

static void exec_sql(const char *url, const char *sql)
{
	char *r = pgtest_query(url, sql);

	ck_assert_msg(r != NULL, "failed: %s", sql);
	free(r);
}

/*
 * pg_dump --schema-only, less the \restrict and \unrestrict lines that
 * recent pg_dump releases wrap their output in with a random key per run.
 */
static char *schema_dump(const char *url)
{
	char *argv[] = { "pg_dump", "--schema-only", (char *)url, NULL };
	char *out, *src, *dst, *end;

	ck_assert_int_eq(pgtest_run(argv, &out), 0);
	for (src = dst = out; *src != '\0'; src = end) {
		end = strchr(src, '\n');
		end = end != NULL ? end + 1 : src + strlen(src);
		if (strncmp(src, "\\restrict ", 10) != 0 &&
		    strncmp(src, "\\unrestrict ", 12) != 0) {
			memmove(dst, src, (size_t)(end - src));
			dst += end - src;
		}
	}
	*dst = '\0';
	return out;
}

START_TEST(fresh_database_gets_the_whole_schema)
{
	char *url = new_db("fresh", 0), *out;

	ck_assert_int_eq(migrate(url, &out), RES_OK);
	expect_output(out, "applied 0001_initial\n" APPLIED_AFTER_0001);
	expect(url, bookkeeping, RECORDED);
	expect(url, "SELECT string_agg(tablename, ',' ORDER BY tablename)"
	       " FROM pg_tables WHERE schemaname = 'public'",
	       "alembic_version,comments,connections,intentional_credentials,"
	       "intentional_feed_inbox,intentional_login_failures,intentional_schema_"
	       "migrations,notifications,post_audience_tags,post_stats,posts,"
	       "reactions,registration_requests,replies,reported_posts,tags,"
	       "user_tags,users");
	expect(url, "TABLE alembic_version", "merge_reactions_post_stats");
	/* Foreign keys: all NO ACTION but one, none on connections' pair. */
	expect(url, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'",
	       "23");
	expect(url, "SELECT string_agg(conname, ',') FROM pg_constraint"
	       " WHERE contype = 'f' AND (confdeltype <> 'a' OR"
	       " confupdtype <> 'a')", "post_stats_post_id_fkey");
	expect(url, "SELECT confdeltype FROM pg_constraint"
	       " WHERE conname = 'post_stats_post_id_fkey'", "c");
	expect(url, "SELECT count(*) FROM pg_constraint"
	       " WHERE conrelid = 'connections'::regclass AND contype = 'f'", "1");
	expect(url, "SELECT count(*) FROM pg_constraint WHERE contype = 'c'"
	       " AND connamespace = 'public'::regnamespace", "0");
	/* Names the original chose or PostgreSQL gave it. */
	expect(url, "SELECT count(*) FROM pg_constraint WHERE conname IN ("
	       "'tags_user_id_fkey', 'unique_connection', 'unique_user_tag',"
	       "'unique_user_tag_assignment', 'uq_reaction_post_user',"
	       "'registration_requests_google_id_key', 'alembic_version_pkc',"
	       "'fk_connections_initiated_by_user_id', 'users_pkey')", "9");
	expect(url, "SELECT string_agg(indexname || '=' || (SELECT indisunique"
	       " FROM pg_index WHERE indexrelid = indexname::regclass), ','"
	       " ORDER BY indexname) FROM pg_indexes WHERE indexname IN ("
	       "'ix_users_email', 'ix_users_id', 'ix_registration_requests_"
	       "google_id', 'idx_post_created_at', 'idx_comment_post')",
	       "idx_comment_post=false,idx_post_created_at=false,"
	       "ix_registration_requests_google_id=false,ix_users_email=true,"
	       "ix_users_id=false");
	/* SCHEMA.md's 67 (with those of keys), 0002's 5, bookkeeping's 1,
	 * 0003's 2 and 0005's 1 primary keys; 0004 replaces one of 0002's */
	expect(url, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'",
	       "76");
	expect(url, "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)"
	       " FROM pg_enum WHERE enumtypid = 'registrationstatus'::regtype",
	       "PENDING,APPROVED,DENIED");
	expect(url, "SELECT column_default FROM information_schema.columns"
	       " WHERE table_name = 'post_stats' AND column_name ="
	       " 'comment_count'", "0");
	/* 0002 */
	expect(url, "SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE"
	       " indexrelid = 'ix_intentional_notifications_unread'::regclass",
	       "(read_at IS NULL)");
	expect(url, "SELECT count(*) FROM pg_indexes"
	       " WHERE indexname LIKE 'ix\\_intentional\\_%'", "5");
	/* 0004 */
	expect(url, "SELECT pg_get_indexdef('ix_intentional_posts_author_feed'"
	       "::regclass)", "CREATE INDEX ix_intentional_posts_author_feed ON"
	       " public.posts USING btree (author_id, created_at DESC, id DESC)"
	       " INCLUDE (audience_type)");
	/* 0005: the inbox, its horizon, and triggers on the original's
	 * tables only */
	expect(url, "SELECT pg_get_indexdef('intentional_feed_inbox_pkey'"
	       "::regclass)", "CREATE UNIQUE INDEX intentional_feed_inbox_pkey ON"
	       " public.intentional_feed_inbox USING btree (viewer_id, created_at,"
	       " post_id) INCLUDE (author_id)");
	expect(url, "SELECT intentional_feed_horizon()", "7 days");
	expect(url, "SELECT string_agg(DISTINCT tgrelid::regclass::text, ','"
	       " ORDER BY tgrelid::regclass::text) || ' ' || count(*)"
	       " FROM pg_trigger WHERE NOT tgisinternal",
	       "connections,posts,users 9");
	free(url);
}
END_TEST

START_TEST(second_run_changes_nothing)
{
	char *url = new_db("rerun", 0), *out, *before;
	const char *applied_at = "SELECT string_agg(applied_at::text, ',')"
				 " FROM intentional_schema_migrations";

	ck_assert_int_eq(migrate(url, &out), RES_OK);
	free(out);
	before = pgtest_query(url, applied_at);
	ck_assert_int_eq(migrate(url, &out), RES_OK);
	expect_output(out, UP_TO_DATE);
	expect(url, applied_at, before);
	ck_assert_int_eq(run_on(url, migrate_status, migrations,
				migration_count, &out), RES_OK);
	ck_assert_ptr_nonnull(strstr(out, "applied 0001_initial ("));
	ck_assert_ptr_nonnull(strstr(out, "applied 0002_feed_indexes ("));
	free(out);
	free(before);
	free(url);
}
END_TEST

START_TEST(original_database_is_adopted_unchanged)
{
	char *url = new_db("original", 1), *ref = new_db("reference", 0);
	char *out, *rows, *dump, *ref_dump;

	exec_sql(url, original_rows);
	rows = pgtest_query(url, rows_digest);
	ck_assert_int_eq(run_on(url, migrate_status, migrations,
				migration_count, &out), RES_OK);
	ck_assert_ptr_nonnull(strstr(out, "created by the original backend"));
	free(out);

	ck_assert_int_eq(migrate(url, &out), RES_OK);
	expect_output(out, "adopted 0001_initial (database of the original "
		      "backend, left unchanged)\n" APPLIED_AFTER_0001);
	expect(url, rows_digest, rows);
	expect(url, bookkeeping, RECORDED);
	/* the inbox of the posts inside the horizon: the recent post, for
	 * its author and their connection; not the old one */
	expect(url, "SELECT string_agg(viewer_id || ':' || post_id, ','"
	       " ORDER BY viewer_id) FROM intentional_feed_inbox", "1:2,2:2");

	/* Same schema as a fresh database: 0001 is the original's. */
	ck_assert_int_eq(migrate(ref, &out), RES_OK);
	free(out);
	dump = schema_dump(url);
	ref_dump = schema_dump(ref);
	ck_assert_msg(strcmp(dump, ref_dump) == 0,
		      "pg_dump of adopted and fresh databases differ");
	free(dump);
	free(ref_dump);
	free(rows);
	free(ref);
	free(url);
}
END_TEST

/* A refused database keeps no trace of the attempt. */
static void expect_refused(const char *url, const char *reason)
{
	char *out;

	ck_assert_int_eq(migrate(url, &out), RES_FAIL);
	ck_assert_msg(strstr(fail_detail(), reason) != NULL, "%s", fail_detail());
	expect_output(out, "");
	expect(url, "SELECT to_regclass('intentional_schema_migrations')", "");
	ck_assert_int_eq(run_on(url, migrate_status, migrations,
				migration_count, &out), RES_OK);
	ck_assert_ptr_nonnull(strstr(out, "migrate will refuse: "));
	free(out);
}

START_TEST(other_alembic_revision_is_refused)
{
	char *url = new_db("old_alembic", 1);

	exec_sql(url, "UPDATE alembic_version SET version_num = '65f0331fea3f'");
	expect_refused(url, "alembic revision '65f0331fea3f', not "
		       "merge_reactions_post_stats: run the original");
	expect(url, "TABLE alembic_version", "65f0331fea3f");
	free(url);
}
END_TEST

START_TEST(original_without_notifications_is_refused)
{
	char *url = new_db("no_notifications", 1);

	exec_sql(url, "DROP TABLE notifications");
	expect_refused(url, "lacks table(s) notifications");
	free(url);
}
END_TEST

START_TEST(unknown_database_is_refused)
{
	char *url = new_db("foreign", 0);

	exec_sql(url, "CREATE TABLE accounts (id integer)");
	expect_refused(url, "not empty");
	free(url);
}
END_TEST

START_TEST(changed_or_unknown_migrations_are_refused)
{
	char *url = new_db("changed", 0), *out;
	struct migration edited[2];

	ck_assert_int_eq(migrate(url, &out), RES_OK);
	free(out);
	memcpy(edited, migrations, sizeof(edited));
	edited[1].sql = "CREATE INDEX edited ON posts (content);\n";
	ck_assert_int_eq(run_on(url, migrate_run, edited, 2, &out), RES_FAIL);
	free(out);
	ck_assert_ptr_nonnull(strstr(fail_detail(), "migration 2 (feed_indexes)"
				     " was changed after it was applied"));
	ck_assert_int_eq(run_on(url, migrate_status, edited, 2, &out), RES_OK);
	ck_assert_ptr_nonnull(strstr(out, "changed 0002_feed_indexes"));
	free(out);

	ck_assert_int_eq(run_on(url, migrate_run, migrations, 1, &out),
			 RES_FAIL);
	free(out);
	ck_assert_ptr_nonnull(strstr(fail_detail(), "database has migration 2 "
				     "(feed_indexes), unknown to this program"));
	free(url);
}
END_TEST

START_TEST(failed_migration_rolls_back_everything)
{
	char *url = new_db("broken", 0), *out;
	struct migration broken[2];

	broken[0] = migrations[0];
	broken[1].version = 2;
	broken[1].name = "broken";
	broken[1].sql = "CREATE TABLE first (id integer);\n"
			"SELECT no_such_column FROM first;\n";
	ck_assert_int_eq(run_on(url, migrate_run, broken, 2, &out), RES_FAIL);
	expect_output(out, "");
	ck_assert_str_eq(fail_detail(), "migration 0002_broken failed: column "
			 "\"no_such_column\" does not exist");
	expect(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
	       "0");
	free(url);
}
END_TEST

/* Number of migrate runners queued behind the lock. */
static int waiting_runners(const char *url)
{
	char *n = pgtest_query(url, "SELECT count(*) FROM pg_locks WHERE"
			       " locktype = 'advisory' AND NOT granted");
	int count = n != NULL ? atoi(n) : -1;

	free(n);
	return count;
}

/*
 * Two intentionalctl processes are held at the advisory lock until both
 * wait on it, then let go together: one applies, the other finds the
 * schema up to date, and neither fails.
 */
START_TEST(concurrent_runners_serialise)
{
	char *url = new_db("race", 0), *ctl = pgtest_buildpath("spawn/intentionalctl");
	char *argv[] = { ctl, "migrate", NULL }, *out[2];
	PGconn *holder = PQconnectdb(url);
	pid_t pid[2];
	int fd[2], i, tries;

	ck_assert_int_eq(PQstatus(holder), CONNECTION_OK);
	PQclear(PQexec(holder, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")"));
	setenv("DATABASE_URL", url, 1);
	for (i = 0; i < 2; i++) {
		pid[i] = pgtest_spawn(argv, &fd[i]);
		ck_assert_int_gt(pid[i], 0);
	}
	for (tries = 0; waiting_runners(url) < 2 && tries < 200; tries++)
		usleep(50 * 1000);
	ck_assert_int_eq(waiting_runners(url), 2);
	PQclear(PQexec(holder, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pgtest_collect(pid[i], fd[i], &out[i]), 0);
	i = strcmp(out[0], UP_TO_DATE) == 0;
	ck_assert_str_eq(out[i], "applied 0001_initial\n" APPLIED_AFTER_0001);
	ck_assert_str_eq(out[1 - i], UP_TO_DATE);
	expect(url, bookkeeping, RECORDED);
	PQfinish(holder);
	free(out[0]);
	free(out[1]);
	free(ctl);
	free(url);
}
END_TEST

static Suite *migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("postgresql");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, fresh_database_gets_the_whole_schema);
	tcase_add_test(tc, second_run_changes_nothing);
	tcase_add_test(tc, original_database_is_adopted_unchanged);
	tcase_add_test(tc, other_alembic_revision_is_refused);
	tcase_add_test(tc, original_without_notifications_is_refused);
	tcase_add_test(tc, unknown_database_is_refused);
	tcase_add_test(tc, changed_or_unknown_migrations_are_refused);
	tcase_add_test(tc, failed_migration_rolls_back_everything);
	tcase_add_test(tc, concurrent_runners_serialise);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (pgtest_start() == NULL)
		return 99;	/* a hard error for the test driver, not a skip */
	if (config_load_without_secret(NULL) < 0) {
		pgtest_stop();
		return 99;
	}
	sr = srunner_create(migrate_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	pgtest_stop();
	config_free();
	return failed == 0 ? 0 : 1;
}
