/*
 * image_process_isolated(): an upload is decoded by intentional-image in a
 * child process, never in the responder (lib/image.h says why).  The child
 * gets the upload on stdin and answers on stdout (protocol in lib/image.h);
 * it runs with no environment, no descriptor but its three pipes, in a
 * process group of its own and under resource limits, and is killed when
 * it overruns IMAGE_TIMEOUT_MS.  Whatever it does, it is reaped before we
 * return, and anything but a well-formed answer is a 503.
 */
#define _GNU_SOURCE		/* pipe2, prlimit, posix_spawn_file_actions_addclosefrom_np */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "image.h"
#include "log.h"

/*
 * The child's address space: the libraries libvips links take 105 MB
 * before any pixel, vips_init() and its threads some more, then the codec
 * about 22 bytes a pixel.  Measured (one malloc arena, no libvips modules:
 * fcgi/image_main.c, lib/image.c), a WebP, the hungriest format, needs 180
 * MB at 1280x720 and 240 MB at 2560x1440; JPEG and PNG less.  Short of it
 * libvips fails as if the image were corrupt, so the margin is wide: 284
 * MB at 1280x720, still a ceiling a decoder gone wrong hits long before
 * it hurts the host.
 */
#define AS_BASE (256UL << 20)
#define AS_BYTES_PER_PIXEL 32UL
/* stdin, stdout, stderr and what libvips opens as it starts (its modules);
 * 4 was enough when measured */
#define MAX_FILES 16
/* The most of the child's stderr kept for the log. */
#define STDERR_KEPT 2048

enum { CHILD_IN, CHILD_OUT, CHILD_ERR, NFDS };

struct job {
	struct arena *arena;
	pid_t pid;
	int fd[NFDS];			/* our ends of the child's stdin, stdout
					 * and stderr; -1: closed */
	int reaped, status;		/* waitpid()'s */
	const char *trouble;		/* why the child was given up on */

	const unsigned char *in;	/* the upload */
	size_t in_len, in_sent;

	char head[IMAGE_HEADER_MAX];	/* "WIDTH HEIGHT LENGTH\n" */
	size_t head_len;
	int have_head, width, height;
	unsigned char *out;		/* the cleaned image, LENGTH bytes */
	size_t out_len, out_got, out_cap;

	char err[STDERR_KEPT];
	size_t err_len;
};

static void close_if_open(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void close_fd(struct job *j, int i)
{
	close_if_open(j->fd[i]);
	j->fd[i] = -1;
}

static int give_up(struct job *j, const char *why)
{
	j->trouble = why;
	return -1;
}

/* None under ASan, which reserves terabytes of address space for itself. */
static rlim_t address_space_limit(const struct image_limits *lim)
{
#ifdef __SANITIZE_ADDRESS__
	(void)lim;
	return RLIM_INFINITY;
#else
	return AS_BASE + AS_BYTES_PER_PIXEL * (rlim_t)lim->max_width *
	       (rlim_t)lim->max_height;
#endif
}

/* Applied from here, before the child has read a byte of the upload: so
 * the limits hold for all the untrusted input, and the helper can stay a
 * program that knows nothing of them. */
static int set_limits(pid_t pid, const struct image_limits *lim)
{
	rlim_t cpu = (rlim_t)(cfg.image_timeout_ms + 999) / 1000;
	rlim_t as = address_space_limit(lim);
	const struct {
		int resource;
		rlim_t soft, hard;
	} limits[] = {
		/* SIGXCPU, then SIGKILL a second later: a backstop for a
		 * child that outlives us (IMAGE_TIMEOUT_MS is the real bound) */
		{ RLIMIT_CPU, cpu, cpu + 1 },
		{ RLIMIT_NOFILE, MAX_FILES, MAX_FILES },
		{ RLIMIT_FSIZE, 0, 0 },		/* it writes no file */
		{ RLIMIT_CORE, 0, 0 },		/* no core with the upload in it */
		{ RLIMIT_AS, as, as },
	};
	size_t i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct rlimit r = { limits[i].soft, limits[i].hard };

		if (prlimit(pid, limits[i].resource, &r, NULL) != 0)
			return -1;
	}
	return 0;
}

/*
 * Starts the helper with the pipes as its stdin, stdout and stderr and
 * nothing else open (closefrom: the FastCGI connection, libpq's and
 * libcurl's sockets stay ours even where they lack close-on-exec), every
 * signal at its default (SIGPIPE is ignored here), no environment (no
 * setting, no secret) and a process group of its own, so that a kill on
 * timeout reaches whatever it started.  Its stdin is a socket, not a pipe,
 * for send(MSG_NOSIGNAL): a child that stops reading must not kill a
 * caller that does not ignore SIGPIPE (the tests).
 */
static int spawn_helper(struct job *j, const struct image_limits *lim)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	char args[4][24];
	char *argv[] = { (char *)cfg.image_helper, args[0], args[1], args[2],
			 args[3], NULL };
	char *envp[] = { NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int i, rc = 0;

	snprintf(args[0], sizeof(args[0]), "%zu", lim->max_bytes);
	snprintf(args[1], sizeof(args[1]), "%d", lim->max_width);
	snprintf(args[2], sizeof(args[2]), "%d", lim->max_height);
	snprintf(args[3], sizeof(args[3]), "%d", lim->min_side);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0 ||
	    pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		rc = errno;
	if (rc == 0) {
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
		posix_spawn_file_actions_adddup2(&fa, out[1], 1);
		posix_spawn_file_actions_adddup2(&fa, err[1], 2);
		posix_spawn_file_actions_addclosefrom_np(&fa, 3);
		posix_spawnattr_init(&at);
		sigemptyset(&none);
		sigfillset(&all);
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setsigdefault(&at, &all);
		posix_spawnattr_setpgroup(&at, 0);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
					 POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
		rc = posix_spawn(&j->pid, cfg.image_helper, &fa, &at, argv, envp);
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&at);
	}
	/* the child's ends are the child's alone */
	j->fd[CHILD_IN] = in[1];
	j->fd[CHILD_OUT] = out[0];
	j->fd[CHILD_ERR] = err[0];
	close_if_open(in[0]);
	close_if_open(out[1]);
	close_if_open(err[1]);
	if (rc != 0) {
		log_error("could not run the image helper %s: %s", cfg.image_helper,
			  strerror(rc));
		j->pid = 0;
		return -1;
	}
	for (i = 0; i < NFDS; i++)
		fcntl(j->fd[i], F_SETFL, O_NONBLOCK);
	if (set_limits(j->pid, lim) < 0)
		return give_up(j, "could not be given its resource limits");
	return 0;
}

static void send_upload(struct job *j)
{
	ssize_t n = send(j->fd[CHILD_IN], j->in + j->in_sent,
			 j->in_len - j->in_sent, MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {		/* EPIPE: it stopped reading; its verdict tells */
		close_fd(j, CHILD_IN);
		return;
	}
	j->in_sent += (size_t)n;
	if (j->in_sent == j->in_len)
		close_fd(j, CHILD_IN);	/* EOF: the whole upload */
}

/* A decimal number in 0..max then the byte end; NULL if not. */
static const char *number(const char *s, char end, size_t max, size_t *out)
{
	size_t v = 0;
	int n = 0;

	for (; *s >= '0' && *s <= '9' && n < 10; s++, n++)
		v = v * 10 + (size_t)(*s - '0');
	if (n == 0 || *s != end || v > max)
		return NULL;
	*out = v;
	return s + 1;
}

/* "WIDTH HEIGHT LENGTH\n", with LENGTH within out_cap. */
static int parse_head(struct job *j)
{
	const char *s = j->head;
	size_t w, h;

	if ((s = number(s, ' ', 65535, &w)) == NULL ||
	    (s = number(s, ' ', 65535, &h)) == NULL ||
	    number(s, '\n', j->out_cap, &j->out_len) == NULL)
		return give_up(j, "sent a malformed header");
	j->width = (int)w;
	j->height = (int)h;
	j->have_head = 1;
	j->out = arena_alloc(j->arena, j->out_len + 1);
	return 0;
}

/* Bytes from stdout: the header line, then the image. */
static int take_output(struct job *j, const char *p, size_t n)
{
	while (n > 0 && !j->have_head) {
		if (j->head_len == sizeof(j->head) - 1)
			return give_up(j, "sent a malformed header");
		j->head[j->head_len++] = *p;
		j->head[j->head_len] = '\0';
		p++;
		n--;
		if (j->head[j->head_len - 1] == '\n' && parse_head(j) < 0)
			return -1;
	}
	if (n == 0)
		return 0;
	if (n > j->out_len - j->out_got)
		return give_up(j, "sent more than it announced");
	memcpy(j->out + j->out_got, p, n);
	j->out_got += n;
	return 0;
}

/* Reads what is there from stdout or stderr; EOF closes it. */
static int read_child(struct job *j, int i)
{
	char buf[65536];
	ssize_t n = read(j->fd[i], buf, sizeof(buf));
	size_t keep;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0
			: give_up(j, "could not be read from");
	if (n == 0) {
		close_fd(j, i);
		return 0;
	}
	if (i == CHILD_OUT)
		return take_output(j, buf, (size_t)n);
	keep = sizeof(j->err) - j->err_len;	/* the rest is dropped */
	keep = (size_t)n < keep ? (size_t)n : keep;
	memcpy(j->err + j->err_len, buf, keep);
	j->err_len += keep;
	return 0;
}

static void reap(struct job *j, int flags)
{
	pid_t r;

	do
		r = waitpid(j->pid, &j->status, flags);
	while (r < 0 && errno == EINTR);
	j->reaped = r == j->pid;
}

static long ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * Feeds the upload and collects the answer until the child has closed its
 * output, then waits for it to exit: all before the deadline.  (No pidfd
 * to wait on with poll(): valgrind does not know pidfd_open, and a child
 * is gone within microseconds of closing its output.)
 */
static int exchange(struct job *j)
{
	struct timespec deadline;
	struct pollfd p[NFDS];
	int which[NFDS], n, i, k;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += cfg.image_timeout_ms / 1000;
	deadline.tv_nsec += (cfg.image_timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	while (j->fd[CHILD_OUT] >= 0 || j->fd[CHILD_ERR] >= 0) {
		for (i = n = 0; i < NFDS; i++)
			if (j->fd[i] >= 0) {
				p[n].fd = j->fd[i];
				p[n].events = i == CHILD_IN ? POLLOUT : POLLIN;
				which[n++] = i;
			}
		if ((left = ms_until(&deadline)) <= 0)
			return give_up(j, "did not finish within IMAGE_TIMEOUT_MS");
		/* EINTR is SIGTERM: the upload in flight is finished first */
		if ((k = poll(p, (nfds_t)n, (int)left)) < 0 && errno != EINTR)
			return give_up(j, "could not be waited for (poll)");
		for (i = 0; k > 0 && i < n; i++) {
			if (p[i].revents == 0)
				continue;
			if (which[i] == CHILD_IN)
				send_upload(j);
			else if (read_child(j, which[i]) < 0)
				return -1;
		}
	}
	for (reap(j, WNOHANG); !j->reaped; reap(j, WNOHANG)) {
		if (ms_until(&deadline) <= 0)
			return give_up(j, "did not exit within IMAGE_TIMEOUT_MS");
		poll(NULL, 0, 1);
	}
	return 0;
}

/* Kills the child's group unless it is reaped (then the group id may be
 * another's), reaps it, closes everything. */
static void finish(struct job *j)
{
	int i;

	if (j->pid > 0 && !j->reaped) {
		kill(-j->pid, SIGKILL);
		reap(j, 0);
	}
	for (i = 0; i < NFDS; i++)
		close_fd(j, i);
}

/*
 * The verdict of a child that exited: accepted and the dimension refusals
 * come with the header, and must agree with the rules applied to it here;
 * an accepted image must be in the upload's format.
 */
static enum result verdict(struct job *j, int format, const struct image_limits *lim,
			   struct image *out)
{
	enum image_verdict v = (enum image_verdict)WEXITSTATUS(j->status);

	switch (v) {
	case IMAGE_ACCEPTED:
	case IMAGE_TOO_WIDE:
	case IMAGE_TOO_HIGH:
	case IMAGE_TOO_SMALL:
		if (!j->have_head || j->out_got != j->out_len ||
		    image_check_dimensions(j->width, j->height, lim) != v ||
		    (v == IMAGE_ACCEPTED && image_sniff(j->out, j->out_len) != format)) {
			log_error("image helper: its answer does not match its"
				  " exit status %d", (int)v);
			return image_verdict_result(IMAGE_FAILED, 0, 0, lim);
		}
		break;
	case IMAGE_TOO_LARGE:
	case IMAGE_NOT_AN_IMAGE:
	case IMAGE_UNDECODABLE:
		break;
	default:
		log_error("image helper %s exited with status %d",
			  cfg.image_helper, (int)v);
		return image_verdict_result(IMAGE_FAILED, 0, 0, lim);
	}
	if (v == IMAGE_ACCEPTED) {
		image_set_format(out, (enum image_format)format);
		out->width = j->width;
		out->height = j->height;
		out->data = j->out;
		out->len = j->out_len;
	}
	return image_verdict_result(v, j->width, j->height, lim);
}

enum result image_process_isolated(struct arena *a, const void *data,
				   size_t len, size_t size,
				   const struct image_limits *lim,
				   struct image *out)
{
	struct job j = { .arena = a, .in = data, .in_len = len,
			 .fd = { -1, -1, -1 } };
	enum image_verdict cheap = image_check_bytes(data, len, size, lim);
	int ok;

	if (cheap != IMAGE_ACCEPTED)	/* no child for what the bytes tell */
		return image_verdict_result(cheap, 0, 0, lim);
	/* the most a cleaned image can take: 16-bit RGBA, plus headers */
	j.out_cap = (size_t)lim->max_width * (size_t)lim->max_height * 8 + 65536;
	ok = spawn_helper(&j, lim) == 0 && exchange(&j) == 0;
	finish(&j);
	log_output("image helper", j.err, j.err_len);
	if (j.pid == 0)
		return image_verdict_result(IMAGE_FAILED, 0, 0, lim);
	if (!ok) {
		log_error("image helper %s %s; killed", cfg.image_helper, j.trouble);
		return image_verdict_result(IMAGE_FAILED, 0, 0, lim);
	}
	if (WIFSIGNALED(j.status)) {
		log_error("image helper %s killed by signal %d (%s)",
			  cfg.image_helper, WTERMSIG(j.status),
			  strsignal(WTERMSIG(j.status)));
		return image_verdict_result(IMAGE_FAILED, 0, 0, lim);
	}
	return verdict(&j, image_sniff(data, len), lim, out);
}
