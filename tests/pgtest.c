#define _GNU_SOURCE		/* vasprintf, nftw */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pgtest.h"

static char *dir;		/* the cluster's directory while it exists */
static char *url;		/* of its database "intentional" */

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return s;
}

static char *join_env(const char *var, const char *rel)
{
	const char *top = getenv(var);

	return xasprintf("%s/%s", top != NULL && *top != '\0' ? top : ".", rel);
}

char *pgtest_srcpath(const char *rel)
{
	return join_env("TOP_SRCDIR", rel);
}

char *pgtest_buildpath(const char *rel)
{
	return join_env("TOP_BUILDDIR", rel);
}

/* Everything fd has to give until EOF, NUL-terminated. */
static char *read_all(int fd)
{
	char chunk[4096], *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	ssize_t n;

	if (m == NULL)
		abort();
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n > 0)
			fwrite(chunk, 1, (size_t)n, m);
		else if (n == 0 || errno != EINTR)
			break;
	}
	fclose(m);
	return buf;
}

pid_t pgtest_spawn(char *const argv[], int *out_fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	fflush(NULL);		/* or the child would repeat buffered output */
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "pgtest: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	*out_fd = p[0];
	return pid;
}

int pgtest_collect(pid_t pid, int fd, char **out)
{
	char *buf = read_all(fd);
	int status;

	close(fd);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int pgtest_run(char *const argv[], char **out)
{
	int fd;
	pid_t pid = pgtest_spawn(argv, &fd);

	if (out != NULL)
		*out = NULL;
	return pid < 0 ? -1 : pgtest_collect(pid, fd, out);
}

/* Runs spawn/pg-cluster DIR cmd [arg]; its first output line in *line. */
static int cluster(const char *cmd, const char *arg, char **line)
{
	char *script = pgtest_srcpath("spawn/pg-cluster");
	char *argv[] = { script, dir, (char *)cmd, (char *)arg, NULL };
	int status = pgtest_run(argv, line);

	free(script);
	if (line != NULL && *line != NULL)
		(*line)[strcspn(*line, "\n")] = '\0';
	return status;
}

const char *pgtest_start(void)
{
	const char *tmp = getenv("TMPDIR");

	dir = xasprintf("%s/pgtest.XXXXXX",
			tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "pgtest: cannot create %s: %s\n", dir,
			strerror(errno));
		free(dir);
		dir = NULL;
		return NULL;
	}
	if (cluster("start", NULL, NULL) != 0 ||
	    cluster("url", NULL, &url) != 0) {
		fprintf(stderr, "pgtest: could not start PostgreSQL in %s\n", dir);
		pgtest_stop();
		return NULL;
	}
	return url;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void pgtest_stop(void)
{
	if (dir == NULL)
		return;
	cluster("stop", NULL, NULL);
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "pgtest: could not remove %s\n", dir);
	free(dir);
	free(url);
	dir = url = NULL;
}

/* The result of sql on url if it succeeded, else NULL after saying why. */
static PGresult *exec_on(const char *conninfo, const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *res = NULL;
	ExecStatusType s;

	if (PQstatus(c) == CONNECTION_OK) {
		res = PQexec(c, sql);
		s = PQresultStatus(res);
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
			PQclear(res);
			res = NULL;
		}
	}
	if (res == NULL)
		fprintf(stderr, "pgtest: %.60s: %s", sql, PQerrorMessage(c));
	PQfinish(c);
	return res;
}

char *pgtest_createdb(const char *name)
{
	char *sql = xasprintf("CREATE DATABASE \"%s\"", name);
	PGresult *res = exec_on(url, sql);
	char *dburl = NULL;

	free(sql);
	if (res == NULL)
		return NULL;
	PQclear(res);
	if (cluster("url", name, &dburl) != 0) {
		free(dburl);
		return NULL;
	}
	return dburl;
}

int pgtest_exec_file(const char *conninfo, const char *path)
{
	int fd = open(path, O_RDONLY);
	char *sql;
	PGresult *res;

	if (fd < 0) {
		fprintf(stderr, "pgtest: cannot open %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	sql = read_all(fd);
	close(fd);
	res = exec_on(conninfo, sql);
	free(sql);
	PQclear(res);
	return res != NULL ? 0 : -1;
}

char *pgtest_query(const char *conninfo, const char *sql)
{
	PGresult *res = exec_on(conninfo, sql);
	char *v;

	if (res == NULL)
		return NULL;
	v = strdup(PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return v;
}
