/*
 * The subcommands of intentionalctl.  Each lives in spawn/ctl_<name>.c,
 * has one line in the table of intentionalctl.c, gets argv from its own
 * name on (argv[0] is "migrate") and returns the exit status.  Settings are
 * loaded only by the subcommands that need them, through ctl_config(), so
 * that "intentionalctl CMD --help" works with a broken env file.
 */
#ifndef CTL_H
#define CTL_H

#include <stdio.h>

enum {
	CTL_OK = 0,
	CTL_FAIL = 1,		/* the reason is on stderr */
	CTL_USAGE = 2,		/* bad command line */
};

typedef int ctl_fn(int argc, char **argv);

struct ctl_command {
	const char *name;
	const char *help;	/* one line for intentionalctl --help */
	ctl_fn *run;
};

ctl_fn ctl_migrate;
ctl_fn ctl_media;
ctl_fn ctl_nginx;
ctl_fn ctl_tune;
ctl_fn ctl_doctor;
ctl_fn ctl_backup;
ctl_fn ctl_restore;

/*
 * Loads the settings (--env-file, INTENTIONAL_ENV_FILE, environment) into
 * cfg; SECRET_KEY is not required.  Returns 0, or -1 after saying why.
 */
int ctl_config(void);

/*
 * The end of the option parsing of a subcommand that takes no operands:
 * with operands left (argc past optind) prints usage to stderr and gives
 * CTL_USAGE; else loads the settings (CTL_FAIL if it cannot) and gives
 * CTL_OK.
 */
int ctl_no_operands_then_config(int argc, void (*usage)(FILE *));

/* Prints "intentionalctl: CMD: message" to stderr. */
void ctl_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
