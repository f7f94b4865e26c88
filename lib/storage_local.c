/*
 * The local backend: objects are files under MEDIA_DIR named by their
 * keys.  A file appears whole or not at all: it is written to a temporary
 * name in its final directory, synced, renamed, and the directory synced,
 * so a crash never leaves a half-written photo behind a committed key.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "fdio.h"
#include "log.h"
#include "storage_backend.h"

#define TMP_PREFIX ".tmp-"

static enum result io_failure(const char *what, const char *path, int err)
{
	log_error("storage: could not %s %s: %s", what, path, strerror(err));
	if (err == ENOSPC || err == EDQUOT)
		return fail_with(RES_STORAGE_FULL, "storage is full");
	return fail_with(RES_UNAVAILABLE, "storage unavailable");
}

/* Creates every missing directory of path up to its last '/'. */
static int make_parents(char *path)
{
	char *slash;

	for (slash = strchr(path + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*slash = '/';
			return -1;
		}
		*slash = '/';
	}
	return 0;
}

static int sync_dir_of(char *path)
{
	char *slash = strrchr(path, '/');
	int fd, r;

	*slash = '\0';
	fd = open(path, O_RDONLY | O_DIRECTORY);
	*slash = '/';
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

static enum result local_put(struct arena *a, const char *key,
			     const void *data, size_t len,
			     const char *content_type)
{
	char *path = arena_printf(a, "%s/%s", cfg.media_dir, key);
	char *tmp = arena_strdup(a, path);
	int fd, err;

	(void)content_type;	/* nginx derives it from the extension */
	if (make_parents(path) < 0)
		return io_failure("create the directory of", path, errno);
	strcpy(strrchr(tmp, '/') + 1, TMP_PREFIX "XXXXXX");
	if ((fd = mkstemp(tmp)) < 0)
		return io_failure("create", tmp, errno);
	if (fchmod(fd, 0644) < 0 || fd_write_all(fd, data, len) < 0 ||
	    fsync(fd) < 0) {
		err = errno;
		close(fd);
		unlink(tmp);
		return io_failure("write", tmp, err);
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		err = errno;
		unlink(tmp);
		return io_failure("write", path, err);
	}
	if (sync_dir_of(path) < 0)
		return io_failure("sync the directory of", path, errno);
	return RES_OK;
}

/* Removes the file, then its directory if that is now empty (a post's
 * photo directory); a file already gone is no error. */
static enum result local_del(struct arena *a, const char *key)
{
	char *path = arena_printf(a, "%s/%s", cfg.media_dir, key);

	if (unlink(path) < 0 && errno != ENOENT)
		return io_failure("delete", path, errno);
	*strrchr(path, '/') = '\0';
	if (rmdir(path) < 0 && errno != ENOTEMPTY && errno != EEXIST &&
	    errno != ENOENT)
		log_error("storage: could not remove %s: %s", path,
			  strerror(errno));
	return RES_OK;
}

static enum result local_locate(struct arena *a, const char *key,
				struct storage_location *out)
{
	out->accel_path = arena_printf(a, "%s%s", cfg.media_accel_prefix, key);
	return RES_OK;
}

struct walk {
	struct arena *arena;
	size_t root_len;	/* strlen(MEDIA_DIR) + 1 */
	time_t now;
	storage_list_fn *fn;
	void *ctx;
};

/* Depth-first over dir; stops when fn asks to.  -1 on an I/O error. */
static int walk_dir(struct walk *w, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while (r == 0 && (e = readdir(d)) != NULL) {
		char *path;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;	/* ., .., and temporary files being written */
		path = arena_printf(w->arena, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) < 0)
			continue;	/* deleted meanwhile */
		if (S_ISDIR(st.st_mode))
			r = walk_dir(w, path);
		else if (S_ISREG(st.st_mode))
			r = w->fn(path + w->root_len,
				  (long)(w->now - st.st_mtime), w->ctx) ? 1 : 0;
	}
	closedir(d);
	return r < 0 ? -1 : r;
}

static enum result local_list(struct arena *a, const char *prefix,
			      storage_list_fn *fn, void *ctx)
{
	struct walk w = { a, strlen(cfg.media_dir) + 1, time(NULL), fn, ctx };
	char *dir = arena_printf(a, "%s/%s", cfg.media_dir, prefix);

	if (walk_dir(&w, dir) < 0)
		return io_failure("list", dir, errno);
	return RES_OK;
}

const struct storage_backend storage_local = {
	local_put, local_del, local_locate, local_list,
};
