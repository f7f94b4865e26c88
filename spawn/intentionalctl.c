/*
 * intentionalctl: the administrator's tool.  Global options, then one
 * subcommand from the table below, which parses its own options.  To add
 * one, write spawn/ctl_<name>.c, declare it in ctl.h and add a line here.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ctl.h"
#include "db.h"

static const struct ctl_command commands[] = {
	{ "migrate", "apply pending schema migrations (--status: list them)",
	  ctl_migrate },
	{ "media", "media gc: delete stored photos and avatars no row names",
	  ctl_media },
	{ "nginx", "print the production nginx configuration of this host",
	  ctl_nginx },
	{ "tune", "settings for a community and host size (--users --ram --cpus)",
	  ctl_tune },
	{ "doctor", "scaling triggers now: CPU, memory, p95, connections, errors",
	  ctl_doctor },
	{ "backup", "database and media into a dated archive, with retention",
	  ctl_backup },
	{ "restore", "put an archive of backup back, and verify it",
	  ctl_restore },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *env_file;	/* --env-file, for ctl_config() */

int ctl_config(void)
{
	return config_load_without_secret(env_file);
}

int ctl_no_operands_then_config(int argc, void (*usage)(FILE *))
{
	if (optind != argc) {
		usage(stderr);
		return CTL_USAGE;
	}
	return ctl_config() < 0 ? CTL_FAIL : CTL_OK;
}

void ctl_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "intentionalctl: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: intentionalctl [--env-file FILE] COMMAND [ARGS]\n"
	      "       intentionalctl --help | --version\n"
	      "Settings come from the environment, then FILE (or\n"
	      "INTENTIONAL_ENV_FILE); DATABASE_URL names the database.\n"
	      "Commands (COMMAND --help for their options):\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
}

/*
 * The leading "+" stops at the first non-option, the command name, so its
 * own options are left to it.
 */
static int parse_global(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "env-file", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+e:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': env_file = optarg; break;
		case 'h': usage(stdout); return 1;
		case 'V': puts("intentionalctl " PACKAGE_VERSION); return 1;
		default: usage(stderr); return -1;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static const struct ctl_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ctl_command *cmd;
	int status = parse_global(argc, argv);

	if (status != 0)
		return status > 0 ? CTL_OK : CTL_USAGE;
	cmd = find_command(argv[optind]);
	if (cmd == NULL) {
		fprintf(stderr, "intentionalctl: unknown command '%s' "
			"(try --help)\n", argv[optind]);
		return CTL_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 0;		/* glibc: start afresh for the command */
	status = cmd->run(argc, argv);
	db_close();
	config_free();
	return status;
}
