/*
 * intentional-fcgi: the FastCGI responder.  spawn-fcgi and
 * intentional-supervise hand it a listening socket on fd 0; it serves one
 * request at a time until SIGTERM, finishing the request in flight before
 * it exits.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "dispatch.h"
#include "log.h"
#include "metrics.h"
#include "oidc.h"
#include "request.h"
#include "route.h"

static volatile sig_atomic_t stopping;
static volatile sig_atomic_t listen_fd;	/* 0, or the --listen socket */
static sigset_t stop_signals;

/*
 * A stop signal is only ever delivered while the responder waits for a
 * connection (next_connection() unblocks them there and nowhere else), so
 * it never interrupts a request.  A signal landing between the check of
 * `stopping` and accept() would not interrupt accept(): so this process's
 * descriptor of the listening socket is replaced by /dev/null, and accept()
 * fails at once.  The socket stays open for the other responders.
 */
static void on_stop(int sig)
{
	int saved = errno, fd;

	(void)sig;
	stopping = 1;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, listen_fd);
		close(fd);
	}
	errno = saved;
}

/*
 * SIGUSR1 is what multiwatch sends its children on SIGTERM (its "-s"
 * option is off by one in Debian's 1.0.0, so the default must do), for
 * those who still run the responders under it.
 */
static void install_signals(void)
{
	struct sigaction sa;

	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGUSR1);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void usage(FILE *f)
{
	fputs("usage: intentional-fcgi [--moderation | --service NAME]"
	      " [--env-file FILE]\n"
	      "                        [--listen ADDR] [--check-config]\n"
	      "  Serves the Intentional Social API over FastCGI on fd 0 (as started\n"
	      "  by spawn-fcgi), or on ADDR (\":9000\" or a socket path).\n"
	      "  --moderation    serve the moderation service instead of the main one\n"
	      "  --service NAME  main or moderation (for intentional@NAME.service)\n"
	      "  --env-file FILE read settings from FILE (environment wins)\n"
	      "  --check-config  print the settings and exit\n", f);
}

struct options {
	int moderation;
	int check_config;
	const char *env_file;
	const char *listen;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "moderation", no_argument, NULL, 'm' },
		{ "service", required_argument, NULL, 's' },
		{ "env-file", required_argument, NULL, 'e' },
		{ "listen", required_argument, NULL, 'l' },
		{ "check-config", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "ms:e:l:ch", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->moderation = 1; break;
		case 's':
			if (strcmp(optarg, "main") != 0 &&
			    strcmp(optarg, "moderation") != 0) {
				fputs("intentional-fcgi: --service is main or"
				      " moderation\n", stderr);
				return -1;
			}
			o->moderation = strcmp(optarg, "moderation") == 0;
			break;
		case 'e': o->env_file = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'c': o->check_config = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/*
 * The next connection from nginx, accepted with the stop signals open;
 * -1 once a stop signal came.  A connection accepted as the signal lands
 * is still returned, and served: the loop ends after it.
 */
static int next_connection(int sock)
{
	int conn, err, one = 1;

	for (;;) {
		sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
		conn = stopping ? -1 : accept(sock, NULL, NULL);
		err = errno;
		sigprocmask(SIG_BLOCK, &stop_signals, NULL);
		if (conn >= 0) {
			/* TCP (--listen, app hosts): answers go out unbatched */
			setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			return conn;
		}
		if (stopping)
			return -1;
		if (err != EINTR && err != ECONNABORTED && err != EPROTO) {
			log_error("could not accept a connection: %s", strerror(err));
			return -1;
		}
	}
}

/*
 * libfcgi would accept connections itself, but a signal interrupting its
 * wait for the request's first bytes (a select() that is never restarted)
 * drops that request.  So the accept is ours, and libfcgi gets the
 * connection through the request's ipcFd, as if kept from a previous
 * request (keepConnection): FCGX_Accept_r() then only reads the request.
 * Its own listening socket is -1, so that if the connection fails it
 * returns instead of accepting another.
 */
static void serve(int sock, int moderation)
{
	const struct route_table *t = moderation ? &moderation_service
						 : &main_service;
	struct arena *arena = arena_new();
	FCGX_Request fr;
	int conn;

	FCGX_InitRequest(&fr, -1, 0);
	while ((conn = next_connection(sock)) >= 0) {
		struct req r;

		fr.ipcFd = conn;
		fr.keepConnection = 1;
		if (FCGX_Accept_r(&fr) < 0)
			continue;	/* libfcgi closed the connection */
		memset(&r, 0, sizeof(r));
		r.arena = arena;
		r.fcgx = &fr;
		r.moderation = moderation;
		dispatch(&r, t);
		FCGX_Finish_r(&fr);
		/* a connection nginx asked to keep (fastcgi_keep_conn on) would
		 * hold this one-connection responder idle: closed */
		if (fr.ipcFd >= 0)
			FCGX_Free(&fr, 1);
		arena_reset(arena);
	}
	FCGX_Free(&fr, 1);
	arena_free(arena);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct route_table *t;
	int sock = 0;

	if (parse_options(argc, argv, &o) < 0 || config_load(o.env_file) < 0)
		return 2;
	if (o.check_config) {
		config_print();
		config_free();
		return 0;
	}
	t = o.moderation ? &moderation_service : &main_service;
	if (FCGX_Init() != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_error("could not initialise libfcgi or libcurl");
		return 1;
	}
	if (o.listen != NULL && (sock = FCGX_OpenSocket(o.listen, 128)) < 0) {
		log_error("could not listen on %s", o.listen);
		return 1;
	}
	listen_fd = sock;
	install_signals();
	route_table_init(t);
	metrics_open(cfg.metrics_file, (const char *const *)t->labels, t->count);
	log_info("responder ready (%s service)", o.moderation ? "moderation" : "main");
	serve(sock, o.moderation);
	log_info("responder stopping");
	metrics_close();
	route_table_free(t);
	db_close();
	oidc_forget_keys();
	curl_global_cleanup();
	config_free();
	return 0;
}
