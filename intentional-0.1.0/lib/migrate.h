/*
 * Schema migrations: the numbered files schema/NNNN_name.sql, embedded at
 * build time (schema/embed.sh), applied in order and recorded with their
 * sha256 in the table intentional_schema_migrations.  All pending
 * migrations run in one transaction under an advisory lock, so concurrent
 * runners serialise and a failure leaves the database as it was.
 *
 * A database the original backend created (alembic_version at its final
 * head merge_reactions_post_stats, no bookkeeping table) is adopted: 0001,
 * which is that very schema, is recorded as applied without running, and
 * later migrations apply normally.  Anything else that is not empty is
 * refused rather than guessed at.
 */
#ifndef MIGRATE_H
#define MIGRATE_H

#include <stddef.h>
#include <stdio.h>

#include "result.h"

struct arena;

/*
 * The pg_advisory_xact_lock key runners take: "intentio" in ASCII
 * (0x696e74656e74696f), recognisable in pg_locks.
 */
#define MIGRATE_LOCK_KEY "7597137600414247279"

struct migration {
	int version;		/* 1, 2, 3 ... */
	const char *name;	/* "initial" for schema/0001_initial.sql */
	const char *sql;	/* trusted, parameterless, no transaction control */
};

/* The embedded migrations in version order (generated schema/migrations.c). */
extern const struct migration migrations[];
extern const size_t migration_count;

/*
 * Brings the database of cfg.database_url up to the last of the n
 * migrations m, then prints what it did to out (NULL: nothing), one line
 * each: "adopted 0001_initial ...", "applied 0002_feed_indexes", or
 * "schema up to date (version 2)".  Refusals and failures return other
 * than RES_OK, with the reason in fail_detail(), and change nothing.
 */
enum result migrate_run(struct arena *a, const struct migration *m, size_t n,
			FILE *out);

/*
 * Prints to out, without changing anything, what kind of database this is
 * (when it is not yet managed) and one line per migration: applied (with
 * its time), pending, changed after it was applied, or unknown to us.
 */
enum result migrate_status(struct arena *a, const struct migration *m,
			   size_t n, FILE *out);

#endif
