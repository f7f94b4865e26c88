/*
 * intentional-supervise: keeps RESPONDERS copies of a FastCGI responder
 * running, all accepting on the one listening socket it was handed on fd 0
 * (by spawn-fcgi).  It replaces multiwatch, which cannot change its count
 * at run time:
 *
 *   SIGHUP         re-read RESPONDERS from the env file, start or retire
 *                  responders to match, then replace the others one by one
 *                  so that they pick up new settings and a new binary.
 *   SIGTERM/INT    stop every responder gracefully, then exit.
 *
 * A responder is stopped with SIGTERM, which lets it finish the request in
 * flight (fcgi/main.c).  Because every responder accepts on the same
 * socket, a connection waits in the socket's backlog for whichever is free:
 * none is refused while the count changes or while responders are replaced.
 *
 * A responder that dies unasked is replaced at once, unless BURST of them
 * died within WINDOW seconds: then starts pause, 1 s the first time and
 * twice as long each time the loop goes on (at most 60 s), logged each time.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#define MAX_CHILDREN 512	/* RESPONDERS (at most 256) plus those retiring */
#define MAX_BURST 64
#define MAX_BACKOFF 60

struct child {
	pid_t pid;
	unsigned gen;		/* generation it was started in */
	int retiring;		/* sent SIGTERM by us: its end is no crash */
	time_t retired_at;
};

static struct {
	const char *env_file;
	long fixed;		/* --responders; 0: RESPONDERS */
	int burst, window, stop_timeout;
	char **argv;		/* the responder's command line */
} opt = { NULL, 0, 5, 10, 30, NULL };

static struct child children[MAX_CHILDREN];
static int nchildren;
static long desired;
static unsigned gen;

/* crash-loop state: times of the last deaths, a ring of opt.burst */
static time_t deaths[MAX_BURST];
static int ndeaths, death_next;
static time_t hold_until, last_trip;
static int backoff;

static void usage(FILE *f)
{
	fputs("usage: intentional-supervise [OPTIONS] -- PROGRAM [ARGS]\n"
	      "  Runs RESPONDERS copies of PROGRAM, all accepting on the listening\n"
	      "  socket on fd 0 (spawn-fcgi -n ... -- intentional-supervise ...),\n"
	      "  and keeps that many running.\n"
	      "  --env-file FILE     read RESPONDERS from FILE, at start and on\n"
	      "                      SIGHUP; exported to PROGRAM as\n"
	      "                      INTENTIONAL_ENV_FILE (default: that variable)\n"
	      "  --responders N      a fixed count instead of RESPONDERS\n"
	      "  --burst K           deaths within --window that count as a crash\n"
	      "                      loop (default 5)\n"
	      "  --window S          seconds (default 10)\n"
	      "  --stop-timeout S    SIGKILL a responder still running S seconds\n"
	      "                      after SIGTERM (default 30)\n"
	      "  RESPONDERS=0 (the default) means one per CPU core.\n"
	      "Signals: HUP re-reads the count and replaces every responder one\n"
	      "by one; TERM or INT stops them gracefully and exits.\n", f);
}

static int parse_int(const char *name, const char *s, long lo, long hi,
		     long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "intentional-supervise: %s wants an integer in "
			"%ld..%ld\n", name, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "env-file", required_argument, NULL, 'e' },
		{ "responders", required_argument, NULL, 'n' },
		{ "burst", required_argument, NULL, 'b' },
		{ "window", required_argument, NULL, 'w' },
		{ "stop-timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "+e:n:b:w:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': opt.env_file = optarg; break;
		case 'n':
			if (parse_int("--responders", optarg, 1, 256, &opt.fixed) < 0)
				return -1;
			break;
		case 'b':
			if (parse_int("--burst", optarg, 1, MAX_BURST, &v) < 0)
				return -1;
			opt.burst = (int)v;
			break;
		case 'w':
			if (parse_int("--window", optarg, 1, 3600, &v) < 0)
				return -1;
			opt.window = (int)v;
			break;
		case 't':
			if (parse_int("--stop-timeout", optarg, 1, 3600, &v) < 0)
				return -1;
			opt.stop_timeout = (int)v;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return -1;
	}
	opt.argv = argv + optind;
	return 0;
}

/*
 * The count wanted now: --responders, else RESPONDERS as the responders
 * would read it (environment, then the env file).  A broken env file on a
 * reload keeps the count running rather than stopping the service.
 */
static int read_count(void)
{
	long n;

	if (opt.fixed > 0) {
		desired = opt.fixed;
		return 0;
	}
	config_free();
	if (config_load_without_secret(opt.env_file) < 0)
		return -1;
	n = cfg.responders;
	if (n == 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	desired = n > 0 ? n : 1;
	return 0;
}

static int count_active(void)
{
	int i, n = 0;

	for (i = 0; i < nchildren; i++)
		n += !children[i].retiring;
	return n;
}

static int count_retiring(void)
{
	return nchildren - count_active();
}

/* The child is started with the signal mask and dispositions of a fresh
 * process: the blocked set here would otherwise outlive exec. */
static void start_one(const sigset_t *orig_mask)
{
	pid_t pid;

	if (nchildren == MAX_CHILDREN)
		return;
	pid = fork();
	if (pid < 0) {
		log_error("could not fork a responder: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, orig_mask, NULL);
		execv(opt.argv[0], opt.argv);
		log_error("could not run %s: %s", opt.argv[0], strerror(errno));
		_exit(127);
	}
	log_info("started responder %d", (int)pid);
	children[nchildren].pid = pid;
	children[nchildren].gen = gen;
	children[nchildren].retiring = 0;
	children[nchildren].retired_at = 0;
	nchildren++;
}

static void retire(struct child *c)
{
	c->retiring = 1;
	c->retired_at = time(NULL);
	kill(c->pid, SIGTERM);
	log_info("stopping responder %d", (int)c->pid);
}

/*
 * A responder asked to stop finishes its request first; one still there
 * after --stop-timeout (longer than any statement may run) is stuck, and
 * would hold up the replacement of the others: SIGKILL.
 */
static void kill_stuck(void)
{
	time_t now = time(NULL);
	int i;

	for (i = 0; i < nchildren; i++) {
		struct child *c = &children[i];

		if (c->retiring && c->retired_at != 0 &&
		    now - c->retired_at >= opt.stop_timeout) {
			log_error("responder %d still running %d s after SIGTERM;"
				  " killing it", (int)c->pid, opt.stop_timeout);
			kill(c->pid, SIGKILL);
			c->retired_at = 0;
		}
	}
}

/* The active child to retire first: one of an older generation, else the
 * newest. */
static struct child *pick_to_retire(void)
{
	struct child *pick = NULL;
	int i;

	for (i = 0; i < nchildren; i++) {
		struct child *c = &children[i];

		if (c->retiring)
			continue;
		if (c->gen != gen)
			return c;
		pick = c;
	}
	return pick;
}

static struct child *find_old_active(void)
{
	int i;

	for (i = 0; i < nchildren; i++)
		if (!children[i].retiring && children[i].gen != gen)
			return &children[i];
	return NULL;
}

/*
 * Brings the children to the wanted state: as many active as desired
 * (unless starts are on hold), and, after a reload, the ones of older
 * generations replaced one at a time, the new one started before the old
 * one is asked to stop.
 */
static void maintain(const sigset_t *orig_mask)
{
	struct child *old;
	int active = count_active();

	while (active > desired) {
		retire(pick_to_retire());
		active--;
	}
	if (time(NULL) < hold_until)
		return;
	for (; active < desired; active++)
		start_one(orig_mask);
	if (count_retiring() == 0 && (old = find_old_active()) != NULL) {
		start_one(orig_mask);
		retire(old);
	}
}

/*
 * Called for each death we did not ask for.  Returns after setting a hold
 * on starts when opt.burst deaths fell within opt.window seconds.
 */
static void note_crash(time_t now)
{
	time_t oldest;

	deaths[death_next] = now;
	death_next = (death_next + 1) % opt.burst;
	if (ndeaths < opt.burst)
		ndeaths++;
	oldest = deaths[ndeaths < opt.burst ? 0 : death_next];
	if (ndeaths < opt.burst || now - oldest > opt.window)
		return;
	if (backoff == 0 || now - last_trip > opt.window + backoff)
		backoff = 1;
	else if (backoff < MAX_BACKOFF)
		backoff = backoff * 2 > MAX_BACKOFF ? MAX_BACKOFF : backoff * 2;
	last_trip = now;
	hold_until = now + backoff;
	ndeaths = 0;
	death_next = 0;
	log_error("crash loop: %d responders died within %d s; next start in %d s",
		  opt.burst, opt.window, backoff);
}

static void describe_exit(pid_t pid, int status)
{
	if (WIFSIGNALED(status))
		log_error("responder %d killed by signal %d; replacing it",
			  (int)pid, WTERMSIG(status));
	else
		log_error("responder %d exited with status %d; replacing it",
			  (int)pid, WEXITSTATUS(status));
}

static void forget(int i)
{
	children[i] = children[--nchildren];
}

static void reap(int stopping)
{
	pid_t pid;
	int status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < nchildren && children[i].pid != pid; i++)
			;
		if (i == nchildren)
			continue;
		if (!children[i].retiring && !stopping) {
			describe_exit(pid, status);
			note_crash(time(NULL));
		}
		forget(i);
	}
}

static void stop_all(void)
{
	int i;

	for (i = 0; i < nchildren; i++)
		kill(children[i].pid, SIGTERM);
}

static void kill_all(void)
{
	int i;

	for (i = 0; i < nchildren; i++) {
		log_error("responder %d still running after %d s; killing it",
			  (int)children[i].pid, opt.stop_timeout);
		kill(children[i].pid, SIGKILL);
	}
}

/* Waits for one of the signals in set, for at most until - now seconds
 * (1 s when until is 0, to notice the end of a hold). */
static int wait_signal(const sigset_t *set, time_t until)
{
	struct timespec ts = { 1, 0 };
	time_t now = time(NULL);
	int sig;

	if (until > now)
		ts.tv_sec = until - now;
	sig = sigtimedwait(set, NULL, &ts);
	return sig < 0 ? 0 : sig;
}

static void run(const sigset_t *set, const sigset_t *orig_mask)
{
	time_t kill_at = 0;
	int sig, stopping = 0;

	for (;;) {
		reap(stopping);
		if (stopping && nchildren == 0)
			return;
		if (stopping && kill_at != 0 && time(NULL) >= kill_at) {
			kill_all();
			kill_at = 0;
		}
		if (!stopping) {
			kill_stuck();
			maintain(orig_mask);
		}
		sig = wait_signal(set, stopping ? kill_at : hold_until);
		if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
			log_info("stopping %d responders", nchildren);
			stopping = 1;
			kill_at = time(NULL) + opt.stop_timeout;
			stop_all();
		} else if (sig == SIGHUP && !stopping) {
			if (read_count() < 0)
				log_error("reload: the settings are not valid; "
					  "keeping %ld responders", desired);
			gen++;
			log_info("reload: %ld responders, replacing the running ones"
				 " one by one", desired);
		}
	}
}

int main(int argc, char **argv)
{
	sigset_t set, orig_mask;

	if (parse_options(argc, argv) < 0)
		return 2;
	if (opt.env_file == NULL)
		opt.env_file = getenv("INTENTIONAL_ENV_FILE");
	if (opt.env_file != NULL &&
	    setenv("INTENTIONAL_ENV_FILE", opt.env_file, 1) < 0)
		return 1;
	if (read_count() < 0)
		return 2;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, &orig_mask);
	signal(SIGPIPE, SIG_IGN);
	log_info("supervising %ld responders: %s", desired, opt.argv[0]);
	run(&set, &orig_mask);
	log_info("all responders stopped");
	config_free();
	return 0;
}
