/*
 * intentionalctl migrate [--status]: brings the schema of DATABASE_URL up
 * to date with the migrations built into this program (lib/migrate.h), or
 * only shows which are applied and pending.  Safe to run on every deploy
 * and from several hosts at once.
 */
#include <getopt.h>
#include <stdio.h>

#include "arena.h"
#include "ctl.h"
#include "migrate.h"

static void usage(FILE *f)
{
	fputs("usage: intentionalctl migrate [--status]\n"
	      "  Applies the pending schema migrations in one transaction; a\n"
	      "  database of the original backend is adopted unchanged.\n"
	      "  --status  list applied and pending migrations, change nothing\n",
	      f);
}

int ctl_migrate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "status", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct arena *a;
	enum result r;
	int c, rc, status_only = 0;

	while ((c = getopt_long(argc, argv, "sh", longopts, NULL)) != -1) {
		switch (c) {
		case 's': status_only = 1; break;
		case 'h': usage(stdout); return CTL_OK;
		default: usage(stderr); return CTL_USAGE;
		}
	}
	if ((rc = ctl_no_operands_then_config(argc, usage)) != CTL_OK)
		return rc;
	a = arena_new();
	r = status_only ? migrate_status(a, migrations, migration_count, stdout)
			: migrate_run(a, migrations, migration_count, stdout);
	arena_free(a);
	if (r != RES_OK) {
		ctl_error("migrate", "%s", fail_detail());
		return CTL_FAIL;
	}
	return CTL_OK;
}
