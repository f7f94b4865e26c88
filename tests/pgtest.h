/*
 * A throwaway PostgreSQL cluster for a test program: started once in a
 * fresh directory under $TMPDIR (default /tmp) with spawn/pg-cluster, found
 * through $TOP_SRCDIR (set by make check; "." otherwise), then stopped and
 * removed.  Plus the little process and SQL plumbing the database tests
 * share.  Failures print why to stderr.
 */
#ifndef PGTEST_H
#define PGTEST_H

#include <sys/types.h>

/* Starts the cluster; the URL of its database "intentional", or NULL. */
const char *pgtest_start(void);

/* Stops the cluster and removes its directory; safe to call twice. */
void pgtest_stop(void);

/*
 * Creates the empty database name (letters, digits, "_"), a copy of
 * template1; returns its URL (malloc'd), or NULL.
 */
char *pgtest_createdb(const char *name);

/* Runs the trusted multi-statement SQL of the file path on url; 0 or -1. */
int pgtest_exec_file(const char *url, const char *path);

/*
 * Runs one statement on url and returns the first column of its first row
 * (malloc'd; "" for no row or SQL NULL), or NULL when it fails.
 */
char *pgtest_query(const char *url, const char *sql);

/* asprintf that aborts when out of memory: the string, malloc'd. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Starts argv (PATH searched) with stdout into a pipe, *out_fd; or -1. */
pid_t pgtest_spawn(char *const argv[], int *out_fd);

/*
 * Reads what the process wrote until EOF into *out (malloc'd; out may be
 * NULL), waits for it and returns its exit status, or -1 if it did not
 * exit normally.
 */
int pgtest_collect(pid_t pid, int fd, char **out);

/* pgtest_spawn() and pgtest_collect() in one. */
int pgtest_run(char *const argv[], char **out);

/* $TOP_SRCDIR or $TOP_BUILDDIR joined with rel (malloc'd). */
char *pgtest_srcpath(const char *rel);
char *pgtest_buildpath(const char *rel);

#endif
