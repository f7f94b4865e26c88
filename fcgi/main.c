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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * Stops the accept loop without touching the request in flight.  This
 * process's descriptor of the listening socket is replaced by /dev/null,
 * so accept() fails at once, whether the signal came while the responder
 * waited in it (the call is restarted, on /dev/null) or just before it.
 * The socket itself stays open for the other responders sharing it, and a
 * request in flight has its own connection.
 */
static void on_stop(int sig)
{
	int saved = errno, fd;

	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, listen_fd);
		close(fd);
	}
	errno = saved;
}

/*
 * SA_RESTART: without it, a stop signal arriving while libfcgi reads the
 * request or writes the answer fails that read or write (EINTR), and the
 * request in flight is lost; on_stop() ends the accept loop by itself.
 * SIGUSR1 is what multiwatch sends its children on SIGTERM (its "-s"
 * option is off by one in Debian's 1.0.0, so the default must do), for
 * those who still run the responders under it.
 */
static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;
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

static void serve(int sock, int moderation)
{
	const struct route_table *t = moderation ? &moderation_service
						 : &main_service;
	struct arena *arena = arena_new();
	FCGX_Request fr;

	FCGX_InitRequest(&fr, sock, FCGI_FAIL_ACCEPT_ON_INTR);
	while (!stopping && FCGX_Accept_r(&fr) >= 0) {
		struct req r;

		memset(&r, 0, sizeof(r));
		r.arena = arena;
		r.fcgx = &fr;
		r.moderation = moderation;
		dispatch(&r, t);
		FCGX_Finish_r(&fr);
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
