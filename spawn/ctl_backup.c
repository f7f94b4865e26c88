/*
 * intentionalctl backup and restore.
 *
 * A backup is one tar archive, DIR/intentional-YYYYmmddTHHMMSSZ.tar, of
 *   manifest.txt   the row count of every table and the SHA-256 and size of
 *                  every media file, at the moment of the dump
 *   database.dump  pg_dump --format=custom
 *   media/         MEDIA_DIR (local storage)
 * The row counts and the dump read the same snapshot (pg_export_snapshot(),
 * pg_dump --snapshot), so the manifest says exactly what the dump holds.
 * Restore puts both back and then checks them against the manifest: every
 * table's row count and every media file's checksum, printed side by side.
 */
#define _GNU_SOURCE		/* nftw's FTW_PHYS, mkdtemp */

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"

#define MANIFEST_HEADER "intentional-backup 1"
#define ARCHIVE_PREFIX "intentional-"
#define ARCHIVE_SUFFIX ".tar"

/* Work directories are at most WORK_SIZE - 1 long; the paths of the files
 * in them have room for the longest name we put there. */
#define WORK_SIZE 4096
#define IN_WORK_SIZE (WORK_SIZE + 64)

/* ---- the manifest ---- */

struct entry {
	char *name;		/* "public.users", or a media path */
	long long n;		/* rows, or bytes */
	char sha256[65];	/* media only */
};

struct manifest {
	struct entry *tables, *files;
	size_t ntables, nfiles, cap_tables, cap_files;
};

static void add_entry(struct entry **list, size_t *n, size_t *cap,
		      const char *name, long long v, const char *sha)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*list = realloc(*list, *cap * sizeof(**list));
		if (*list == NULL)
			abort();
	}
	(*list)[*n].name = strdup(name);
	if ((*list)[*n].name == NULL)
		abort();
	(*list)[*n].n = v;
	snprintf((*list)[*n].sha256, sizeof((*list)[*n].sha256), "%s",
		 sha != NULL ? sha : "");
	(*n)++;
}

static void manifest_free(struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->ntables; i++)
		free(m->tables[i].name);
	for (i = 0; i < m->nfiles; i++)
		free(m->files[i].name);
	free(m->tables);
	free(m->files);
	memset(m, 0, sizeof(*m));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
		      ((const struct entry *)b)->name);
}

static void manifest_sort(struct manifest *m)
{
	qsort(m->tables, m->ntables, sizeof(*m->tables), by_name);
	qsort(m->files, m->nfiles, sizeof(*m->files), by_name);
}

static int manifest_write(const struct manifest *m, const char *path)
{
	FILE *f = fopen(path, "w");
	char stamp[32];
	time_t now = time(NULL);
	size_t i;

	if (f == NULL)
		return -1;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f, MANIFEST_HEADER "\ncreated %s\n", stamp);
	for (i = 0; i < m->ntables; i++)
		fprintf(f, "table %s %lld\n", m->tables[i].name, m->tables[i].n);
	for (i = 0; i < m->nfiles; i++)
		fprintf(f, "file %s %lld %s\n", m->files[i].sha256, m->files[i].n,
			m->files[i].name);
	return fclose(f);
}

static int manifest_read(struct manifest *m, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[8192], name[4096], sha[65];
	long long n;
	int ok = 0;

	if (f == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) != NULL &&
	    strncmp(line, MANIFEST_HEADER "\n", sizeof(MANIFEST_HEADER)) == 0)
		ok = 1;
	while (ok && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "table %4095s %lld", name, &n) == 2)
			add_entry(&m->tables, &m->ntables, &m->cap_tables, name, n, NULL);
		else if (sscanf(line, "file %64s %lld %4095[^\n]", sha, &n, name) == 3)
			add_entry(&m->files, &m->nfiles, &m->cap_files, name, n, sha);
	}
	fclose(f);
	return ok ? 0 : -1;
}

/* ---- running programs ---- */

/* Runs argv (PATH searched), stdout into out_path when not NULL; returns
 * its exit status, or -1 if it could not run or was killed. */
static int run(char *const argv[], const char *out_path)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (out_path != NULL && freopen(out_path, "w", stdout) == NULL)
			_exit(126);
		execvp(argv[0], argv);
		fprintf(stderr, "intentionalctl: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int rm_entry(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- what the database holds ---- */

/*
 * Adds "schema.table rows" for every ordinary table of the current
 * database.  Table names come from the catalog, quoted by libpq: the one
 * place where SQL text is built, for an administrator's count.
 */
static int count_rows(PGconn *c, struct manifest *m)
{
	PGresult *tables = PQexec(c,
		"SELECT n.nspname, c.relname FROM pg_class c"
		" JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'"
		" AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2");
	int i, rc = 0;

	if (PQresultStatus(tables) != PGRES_TUPLES_OK) {
		ctl_error("backup", "could not list the tables: %s",
			  PQresultErrorMessage(tables));
		PQclear(tables);
		return -1;
	}
	for (i = 0; rc == 0 && i < PQntuples(tables); i++) {
		const char *schema = PQgetvalue(tables, i, 0);
		const char *table = PQgetvalue(tables, i, 1);
		char *qs = PQescapeIdentifier(c, schema, strlen(schema));
		char *qt = PQescapeIdentifier(c, table, strlen(table));
		char sql[1024], name[512];
		PGresult *res;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s.%s", qs, qt);
		res = PQexec(c, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			snprintf(name, sizeof(name), "%s.%s", schema, table);
			add_entry(&m->tables, &m->ntables, &m->cap_tables, name,
				  strtoll(PQgetvalue(res, 0, 0), NULL, 10), NULL);
		} else {
			ctl_error("backup", "could not count %s.%s: %s", schema,
				  table, PQresultErrorMessage(res));
			rc = -1;
		}
		PQclear(res);
		PQfreemem(qs);
		PQfreemem(qt);
	}
	PQclear(tables);
	return rc;
}

static PGconn *connect_db(const char *cmd)
{
	PGconn *c = PQconnectdb(cfg.database_url);

	if (PQstatus(c) != CONNECTION_OK) {
		ctl_error(cmd, "could not connect to the database: %s",
			  PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

static int exec_ok(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
		 PQresultStatus(res) == PGRES_TUPLES_OK;

	PQclear(res);
	return ok ? 0 : -1;
}

/* ---- what the media directory holds ---- */

static struct {
	struct manifest *m;
	size_t root_len;
	int failed;
} walk;

static int sha256_file(const char *path, char hex[65], long long *size)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	size_t n;

	*size = 0;
	if (f == NULL || ctx == NULL || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		if (f != NULL)
			fclose(f);
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		EVP_DigestUpdate(ctx, buf, n);
		*size += (long long)n;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < mdlen; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	hex[2 * mdlen] = '\0';
	i = (unsigned)ferror(f);
	return fclose(f) != 0 || i != 0 ? -1 : 0;
}

static int hash_entry(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	char hex[65];
	long long size;
	const char *rel = path + walk.root_len;

	(void)st;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	if (strchr(rel, '\n') != NULL || sha256_file(path, hex, &size) < 0) {
		fprintf(stderr, "intentionalctl: cannot read media file %s\n", path);
		walk.failed = 1;
		return 0;
	}
	add_entry(&walk.m->files, &walk.m->nfiles, &walk.m->cap_files, rel, size, hex);
	return 0;
}

/* Adds every regular file under dir (paths relative to it); 0, or -1 if
 * one could not be read. */
static int hash_media(const char *dir, struct manifest *m)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	walk.m = m;
	walk.root_len = strlen(dir) + 1;
	walk.failed = 0;
	if (nftw(dir, hash_entry, 16, FTW_PHYS) < 0)
		return -1;
	return walk.failed ? -1 : 0;
}

/* ---- backup ---- */

static void backup_usage(FILE *f)
{
	fputs("usage: intentionalctl backup [--dir DIR] [--keep N] [--max-age DAYS]\n"
	      "  Writes DIR/intentional-YYYYmmddTHHMMSSZ.tar: pg_dump (custom\n"
	      "  format) of DATABASE_URL, MEDIA_DIR, and a manifest of every\n"
	      "  table's row count and every media file's SHA-256, all of one\n"
	      "  moment.  Then deletes the older archives beyond the newest N\n"
	      "  (default 14) and those older than DAYS (default: no limit); the\n"
	      "  newest is always kept.\n"
	      "  --dir DIR   default " BACKUPDIR "\n", f);
}

static int is_archive(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, ARCHIVE_PREFIX, strlen(ARCHIVE_PREFIX)) == 0 &&
	       n > strlen(ARCHIVE_SUFFIX) &&
	       strcmp(name + n - strlen(ARCHIVE_SUFFIX), ARCHIVE_SUFFIX) == 0;
}

static int newest_first(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*b)->d_name, (*a)->d_name);
}

static int select_archive(const struct dirent *d)
{
	return is_archive(d->d_name);
}

/* The names sort by time (UTC stamps), so newest first is reverse order. */
static void prune(const char *dir, long keep, long max_age_days)
{
	struct dirent **list;
	int n = scandir(dir, &list, select_archive, newest_first), i;
	time_t now = time(NULL);

	for (i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (i > 0 && (i >= keep ||
			      (max_age_days > 0 && stat(path, &st) == 0 &&
			       now - st.st_mtime > max_age_days * 86400))) {
			if (unlink(path) == 0)
				printf("removed %s\n", path);
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

/*
 * The snapshot: a repeatable-read transaction exports it, counts the rows
 * in it, and stays open while pg_dump reads the same snapshot.
 */
static int dump_and_count(const char *work, struct manifest *m)
{
	char dump[IN_WORK_SIZE], snapshot_arg[128];
	PGconn *c = connect_db("backup");
	PGresult *res;
	int rc = -1;

	if (c == NULL)
		return -1;
	if (exec_ok(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") < 0)
		goto done;
	res = PQexec(c, "SELECT pg_export_snapshot()");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		ctl_error("backup", "could not export a snapshot: %s",
			  PQresultErrorMessage(res));
		PQclear(res);
		goto done;
	}
	snprintf(snapshot_arg, sizeof(snapshot_arg), "--snapshot=%s",
		 PQgetvalue(res, 0, 0));
	PQclear(res);
	if (count_rows(c, m) < 0)
		goto done;
	snprintf(dump, sizeof(dump), "%s/database.dump", work);
	{
		char *argv[] = { "pg_dump", "--format=custom", "--file", dump,
				 snapshot_arg, "--dbname", (char *)cfg.database_url,
				 NULL };

		if (run(argv, NULL) != 0) {
			ctl_error("backup", "pg_dump failed");
			goto done;
		}
	}
	rc = 0;
done:
	PQfinish(c);
	return rc;
}

/* Only local storage has media on this host to back up. */
static int local_media(void)
{
	return strcmp(cfg.storage_backend, "local") == 0;
}

static int make_archive(const char *work, const char *archive)
{
	struct stat st;
	char *argv[16];
	int i = 0;

	argv[i++] = "tar";
	argv[i++] = "--create";
	argv[i++] = "--file";
	argv[i++] = (char *)archive;
	argv[i++] = "-C";
	argv[i++] = (char *)work;
	argv[i++] = "manifest.txt";
	argv[i++] = "database.dump";
	if (local_media() && stat(cfg.media_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* MEDIA_DIR's content as media/ whatever its own name */
		argv[i++] = "-C";
		argv[i++] = (char *)cfg.media_dir;
		argv[i++] = "--transform=s,^\\.,media,";
		argv[i++] = ".";
	}
	argv[i] = NULL;
	return run(argv, NULL) == 0 ? 0 : -1;
}

static int backup(const char *dir, long keep, long max_age)
{
	struct manifest m = { 0 };
	char stamp[32], work[WORK_SIZE], path[IN_WORK_SIZE], archive[4096];
	time_t now = time(NULL);
	int rc = CTL_FAIL;

	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		ctl_error("backup", "cannot create %s: %s", dir, strerror(errno));
		return CTL_FAIL;
	}
	snprintf(work, sizeof(work), "%s/.backup-%s-XXXXXX", dir, stamp);
	if (mkdtemp(work) == NULL) {
		ctl_error("backup", "cannot create a directory in %s: %s", dir,
			  strerror(errno));
		return CTL_FAIL;
	}
	snprintf(archive, sizeof(archive), "%s/" ARCHIVE_PREFIX "%s" ARCHIVE_SUFFIX,
		 dir, stamp);
	snprintf(path, sizeof(path), "%s/manifest.txt", work);
	if (dump_and_count(work, &m) < 0)
		goto done;
	if (!local_media())
		printf("note: STORAGE_BACKEND=%s: the media are in the bucket, not in"
		       " this archive\n", cfg.storage_backend);
	else if (hash_media(cfg.media_dir, &m) < 0) {
		ctl_error("backup", "could not read MEDIA_DIR %s", cfg.media_dir);
		goto done;
	}
	manifest_sort(&m);
	if (manifest_write(&m, path) != 0) {
		ctl_error("backup", "could not write %s", path);
		goto done;
	}
	snprintf(path, sizeof(path), "%s/archive.tar", work);
	if (make_archive(work, path) < 0 || rename(path, archive) < 0) {
		ctl_error("backup", "could not write %s", archive);
		goto done;
	}
	printf("wrote %s: %zu tables, %zu media files\n", archive, m.ntables,
	       m.nfiles);
	prune(dir, keep, max_age);
	rc = CTL_OK;
done:
	remove_tree(work);
	manifest_free(&m);
	return rc;
}

static int parse_long(const char *cmd, const char *s, long min, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *out < min) {
		ctl_error(cmd, "'%s' is not a number of at least %ld", s, min);
		return -1;
	}
	return 0;
}

int ctl_backup(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "keep", required_argument, NULL, 'k' },
		{ "max-age", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = BACKUPDIR;
	long keep = 14, max_age = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "d:k:a:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'k':
			if (parse_long("backup", optarg, 1, &keep) < 0)
				return CTL_USAGE;
			break;
		case 'a':
			if (parse_long("backup", optarg, 0, &max_age) < 0)
				return CTL_USAGE;
			break;
		case 'h': backup_usage(stdout); return CTL_OK;
		default: backup_usage(stderr); return CTL_USAGE;
		}
	}
	if ((rc = ctl_no_operands_then_config(argc, backup_usage)) != CTL_OK)
		return rc;
	return backup(dir, keep, max_age);
}

/* ---- restore ---- */

static void restore_usage(FILE *f)
{
	fputs("usage: intentionalctl restore --yes ARCHIVE\n"
	      "  Replaces the database of DATABASE_URL and MEDIA_DIR with what\n"
	      "  ARCHIVE (from intentionalctl backup) holds, then compares every\n"
	      "  table's row count and every media file's SHA-256 with the\n"
	      "  archive's manifest; exit status 1 if anything differs.  Stop the\n"
	      "  responders first.  The media directory it replaces is kept\n"
	      "  beside it as MEDIA_DIR.before-restore-STAMP.\n"
	      "  --yes  required: the current data is overwritten\n", f);
}

/* Whether DATABASE_URL's role may create extensions. */
static int is_superuser(void)
{
	PGconn *c = connect_db("restore");
	int yes = c != NULL && PQparameterStatus(c, "is_superuser") != NULL &&
		  strcmp(PQparameterStatus(c, "is_superuser"), "on") == 0;

	PQfinish(c);
	return yes;
}

/*
 * pg_restore of everything but, unless we are a superuser, extensions
 * (pg_stat_statements): creating one takes a superuser, which the
 * application's role is not, and the schema's own tables do not need
 * them.  The dump's list, filtered, says what to do.
 */
static int restore_database(const char *work)
{
	int keep_extensions = is_superuser();
	char dump[IN_WORK_SIZE], list[IN_WORK_SIZE], filtered[IN_WORK_SIZE];
	char line[4096];
	FILE *in, *out;

	snprintf(dump, sizeof(dump), "%s/database.dump", work);
	snprintf(list, sizeof(list), "%s/restore.list", work);
	snprintf(filtered, sizeof(filtered), "%s/restore-filtered.list", work);
	{
		char *argv[] = { "pg_restore", "--list", dump, NULL };

		if (run(argv, list) != 0)
			return -1;
	}
	in = fopen(list, "r");
	out = fopen(filtered, "w");
	if (in == NULL || out == NULL) {
		if (in != NULL)
			fclose(in);
		if (out != NULL)
			fclose(out);
		return -1;
	}
	while (fgets(line, sizeof(line), in) != NULL)
		if (keep_extensions || strstr(line, " EXTENSION ") == NULL)
			fputs(line, out);
	fclose(in);
	if (fclose(out) != 0)
		return -1;
	{
		char *argv[] = { "pg_restore", "--clean", "--if-exists",
				 "--no-owner", "--single-transaction",
				 "--exit-on-error", "--use-list", filtered,
				 "--dbname", (char *)cfg.database_url, dump, NULL };

		return run(argv, NULL) == 0 ? 0 : -1;
	}
}

/*
 * The restored media go in beside MEDIA_DIR, then trade places with it by
 * renames, so that MEDIA_DIR is never half old, half new.
 */
static int restore_media(const char *work, const char *stamp)
{
	char from[IN_WORK_SIZE], aside[4096];
	struct stat st;

	snprintf(from, sizeof(from), "%s/media", work);
	if (stat(from, &st) < 0)
		return 0;	/* the backup had no media */
	snprintf(aside, sizeof(aside), "%s.before-restore-%s", cfg.media_dir, stamp);
	if (stat(cfg.media_dir, &st) == 0 && rename(cfg.media_dir, aside) < 0)
		return -1;
	if (rename(from, cfg.media_dir) < 0)
		return -1;
	if (stat(aside, &st) == 0)
		printf("the media directory before the restore is %s\n", aside);
	return 0;
}

static const struct entry *find(const struct entry *list, size_t n,
				const char *name)
{
	struct entry key = { (char *)name, 0, "" };

	return bsearch(&key, list, n, sizeof(*list), by_name);
}

/* Prints the manifest beside what is there now; the count of differences. */
static int compare(const struct manifest *want, const struct manifest *got)
{
	size_t i, same_files = 0;
	int diffs = 0;

	printf("%-40s %12s %12s\n", "TABLE", "BACKUP", "RESTORED");
	for (i = 0; i < want->ntables; i++) {
		const struct entry *e = find(got->tables, got->ntables,
					     want->tables[i].name);
		int same = e != NULL && e->n == want->tables[i].n;

		if (e != NULL)
			printf("%-40s %12lld %12lld %s\n", want->tables[i].name,
			       want->tables[i].n, e->n, same ? "ok" : "DIFFERS");
		else
			printf("%-40s %12lld %12s DIFFERS\n", want->tables[i].name,
			       want->tables[i].n, "missing");
		diffs += !same;
	}
	for (i = 0; i < want->nfiles; i++) {
		const struct entry *e = find(got->files, got->nfiles,
					     want->files[i].name);

		if (e != NULL && e->n == want->files[i].n &&
		    strcmp(e->sha256, want->files[i].sha256) == 0) {
			same_files++;
			continue;
		}
		printf("media %s: %s\n", want->files[i].name,
		       e == NULL ? "missing" : "checksum differs");
		diffs++;
	}
	printf("media files: %zu in the backup, %zu restored, %zu identical"
	       " (SHA-256)\n", want->nfiles, got->nfiles, same_files);
	return diffs;
}

static int verify(const char *work)
{
	struct manifest want = { 0 }, got = { 0 };
	char path[IN_WORK_SIZE];
	PGconn *c;
	int diffs = -1;

	snprintf(path, sizeof(path), "%s/manifest.txt", work);
	if (manifest_read(&want, path) < 0) {
		ctl_error("restore", "the archive has no readable manifest");
		return -1;
	}
	c = connect_db("restore");
	if (c != NULL && count_rows(c, &got) == 0 &&
	    (!local_media() || hash_media(cfg.media_dir, &got) == 0)) {
		manifest_sort(&want);
		manifest_sort(&got);
		diffs = compare(&want, &got);
	}
	PQfinish(c);
	manifest_free(&want);
	manifest_free(&got);
	return diffs;
}

static int restore(const char *archive)
{
	char work[WORK_SIZE], stamp[32], *slash;
	time_t now = time(NULL);
	int rc = CTL_FAIL, diffs;

	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
	/* beside MEDIA_DIR, so that the media move in by a rename */
	snprintf(work, sizeof(work), "%s", cfg.media_dir);
	slash = strrchr(work, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		snprintf(work, sizeof(work), ".");
	snprintf(work + strlen(work), sizeof(work) - strlen(work),
		 "/.restore-%s-XXXXXX", stamp);
	if (mkdtemp(work) == NULL) {
		ctl_error("restore", "cannot create %s: %s", work, strerror(errno));
		return CTL_FAIL;
	}
	{
		char *argv[] = { "tar", "--extract", "--file", (char *)archive,
				 "-C", work, NULL };

		if (run(argv, NULL) != 0) {
			ctl_error("restore", "could not unpack %s", archive);
			goto done;
		}
	}
	if (restore_database(work) < 0) {
		ctl_error("restore", "pg_restore failed; the database is unchanged");
		goto done;
	}
	if (restore_media(work, stamp) < 0) {
		ctl_error("restore", "could not move the media into %s: %s",
			  cfg.media_dir, strerror(errno));
		goto done;
	}
	diffs = verify(work);
	if (diffs == 0) {
		printf("restored %s: every row count and media file matches\n",
		       archive);
		rc = CTL_OK;
	} else if (diffs > 0) {
		ctl_error("restore", "%d differences from the backup's manifest", diffs);
	}
done:
	remove_tree(work);
	return rc;
}

int ctl_restore(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, yes = 0;

	while ((c = getopt_long(argc, argv, "yh", longopts, NULL)) != -1) {
		switch (c) {
		case 'y': yes = 1; break;
		case 'h': restore_usage(stdout); return CTL_OK;
		default: restore_usage(stderr); return CTL_USAGE;
		}
	}
	if (optind != argc - 1 || !yes) {
		restore_usage(stderr);
		return CTL_USAGE;
	}
	if (ctl_config() < 0)
		return CTL_FAIL;
	return restore(argv[optind]);
}
