/*
 * intentionalctl media gc [--min-age SECONDS] [--dry-run]: deletes stored
 * photos and avatars that no row names any more (lib/media.h media_gc()).
 * Deletes after a commit are best effort; this is what retries the ones
 * that failed, and it also removes objects a crash left behind.  Run it
 * from cron, e.g. hourly.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ctl.h"
#include "media.h"

#define DEFAULT_MIN_AGE 3600	/* longer than any upload's transaction */

static void usage(FILE *f)
{
	fputs("usage: intentionalctl media gc [--min-age SECONDS] [--dry-run]\n"
	      "  Deletes stored photos and avatars that no post or member names\n"
	      "  and that are older than --min-age (default 3600), in the storage\n"
	      "  of STORAGE_BACKEND.\n"
	      "  --dry-run  list what would be deleted, delete nothing\n", f);
}

static int parse_age(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out >= 0 ? 0 : -1;
}

static int gc(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "min-age", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct media_gc_stats st;
	long min_age = DEFAULT_MIN_AGE;
	int c, rc, dry_run = 0;
	struct arena *a;
	enum result r;

	while ((c = getopt_long(argc, argv, "a:nh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_age(optarg, &min_age) < 0) {
				usage(stderr);
				return CTL_USAGE;
			}
			break;
		case 'n': dry_run = 1; break;
		case 'h': usage(stdout); return CTL_OK;
		default: usage(stderr); return CTL_USAGE;
		}
	}
	if ((rc = ctl_no_operands_then_config(argc, usage)) != CTL_OK)
		return rc;
	a = arena_new();
	r = media_gc(a, min_age, dry_run, &st);
	arena_free(a);
	if (r != RES_OK) {
		ctl_error("media", "gc: %s", fail_detail());
		return CTL_FAIL;
	}
	printf("objects %ld, referenced %ld, too young %ld, %s %ld, failed %ld\n",
	       st.objects, st.referenced, st.young,
	       dry_run ? "would delete" : "deleted", st.deleted, st.failed);
	return st.failed > 0 ? CTL_FAIL : CTL_OK;
}

int ctl_media(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "gc") == 0)
		return gc(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
			  strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return CTL_OK;
	}
	usage(stderr);
	return CTL_USAGE;
}
