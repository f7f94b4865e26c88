/*
 * intentionalctl tune --users N --ram SIZE --cpus N [--split]
 *                     [--app-hosts N] [--write DIR]
 * Prints the settings for a community of that size on hosts of that size
 * (spawn/tune.c), or writes them as drop-in files into DIR.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl.h"
#include "tune.h"

static void usage(FILE *f)
{
	fputs("usage: intentionalctl tune --users N --ram SIZE --cpus N [--split]\n"
	      "                           [--app-hosts N] [--write DIR]\n"
	      "  Prints the settings for N members on hosts with SIZE of RAM (2G,\n"
	      "  512M) and N vCPUs: RESPONDERS, PostgreSQL memory and connections,\n"
	      "  nginx workers, and whether the tier wants a bigger host or the\n"
	      "  database on its own host.\n"
	      "  --split        PostgreSQL runs on its own host of that size\n"
	      "  --app-hosts N  hosts running responders (default 1)\n"
	      "  --write DIR    also write DIR/postgresql/intentional.conf (for\n"
	      "                 /etc/postgresql/15/main/conf.d/), DIR/nginx/workers.conf\n"
	      "                 and DIR/intentional/responders.env\n", f);
}

static int parse_count(const char *name, const char *v, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 1 || n > max) {
		ctl_error("tune", "%s wants a number from 1 to %ld", name, max);
		return -1;
	}
	*out = n;
	return 0;
}

/* The three kinds of output, each written to f. */
static void print_env(FILE *f, const struct tune_result *r)
{
	fprintf(f, "RESPONDERS=%d\n", r->responders);
}

static void print_postgres(FILE *f, const struct tune_result *r)
{
	char b[32];

	fprintf(f, "max_connections = %d\n", r->max_connections);
	fprintf(f, "shared_buffers = %s\n", tune_pg_size(r->shared_buffers, b));
	fprintf(f, "effective_cache_size = %s\n",
		tune_pg_size(r->effective_cache_size, b));
	fprintf(f, "work_mem = %s\n", tune_pg_size(r->work_mem, b));
	fprintf(f, "maintenance_work_mem = %s\n",
		tune_pg_size(r->maintenance_work_mem, b));
}

static void print_nginx(FILE *f, const struct tune_result *r)
{
	fprintf(f, "worker_processes %d;\n", r->nginx_workers);
}

static void print_summary(const struct tune_input *in,
			  const struct tune_result *r)
{
	char b[32];

	printf("tier: %s; wants %d vCPU, %s RAM, %s\n", r->tier->name,
	       r->tier->cpus, tune_pg_size(r->tier->ram, b), r->tier->layout);
	if (r->undersized)
		printf("note: these hosts (%d vCPU, %s) are smaller than the tier's;"
		       " watch intentionalctl doctor\n", in->cpus,
		       tune_pg_size(in->ram, b));
	if (r->split_advised && !in->split)
		printf("note: at this size, plan the database on its own host"
		       " (--split; README \"Split host\")\n");
	printf("\n# intentional env file (every app host), then"
	       " systemctl reload intentional@main intentional@moderation\n");
	print_env(stdout, r);
	printf("\n# PostgreSQL (%s), conf.d drop-in, then systemctl restart postgresql\n",
	       in->split ? "the database host" : "this host");
	print_postgres(stdout, r);
	printf("\n# nginx, main context of /etc/nginx/nginx.conf, then"
	       " systemctl reload nginx\n");
	print_nginx(stdout, r);
}

/* Writes dir/sub/name with what print() writes; 0 or -1. */
static int write_one(const char *dir, const char *sub, const char *name,
		     const char *comment, const struct tune_result *r,
		     void (*print)(FILE *, const struct tune_result *))
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		ctl_error("tune", "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	if (f == NULL) {
		ctl_error("tune", "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# Written by intentionalctl tune. %s\n", comment);
	print(f, r);
	if (fclose(f) != 0) {
		ctl_error("tune", "could not write %s", path);
		return -1;
	}
	printf("wrote %s\n", path);
	return 0;
}

static int write_all(const char *dir, const struct tune_result *r)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		ctl_error("tune", "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	return write_one(dir, "postgresql", "intentional.conf",
			 "Copy to /etc/postgresql/15/main/conf.d/.", r,
			 print_postgres) < 0 ||
	       write_one(dir, "nginx", "workers.conf",
			 "Replaces worker_processes in /etc/nginx/nginx.conf.", r,
			 print_nginx) < 0 ||
	       write_one(dir, "intentional", "responders.env",
			 "Set in /etc/intentional/intentional.env.", r,
			 print_env) < 0 ? -1 : 0;
}

int ctl_tune(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "users", required_argument, NULL, 'u' },
		{ "ram", required_argument, NULL, 'r' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "split", no_argument, NULL, 's' },
		{ "app-hosts", required_argument, NULL, 'a' },
		{ "write", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tune_input in = { 0, 0, 0, 0, 1 };
	struct tune_result r;
	const char *dir = NULL;
	long v = 0;
	int c, bad = 0;

	while ((c = getopt_long(argc, argv, "u:r:c:sa:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': bad |= parse_count("--users", optarg, 10000000, &in.users); break;
		case 'r':
			in.ram = tune_parse_size(optarg);
			if (in.ram < 0) {
				ctl_error("tune", "--ram wants a size like 2G or 512M");
				bad = 1;
			}
			break;
		case 'c':
			bad |= parse_count("--cpus", optarg, 256, &v);
			in.cpus = (int)v;
			break;
		case 's': in.split = 1; break;
		case 'a':
			bad |= parse_count("--app-hosts", optarg, 64, &v);
			in.app_hosts = (int)v;
			break;
		case 'w': dir = optarg; break;
		case 'h': usage(stdout); return CTL_OK;
		default: usage(stderr); return CTL_USAGE;
		}
	}
	if (bad || optind != argc || in.users == 0 || in.ram == 0 || in.cpus == 0) {
		usage(stderr);
		return CTL_USAGE;
	}
	if (tune(&in, &r) < 0) {
		ctl_error("tune", "cannot size for less than 512M of RAM");
		return CTL_USAGE;
	}
	print_summary(&in, &r);
	if (dir != NULL) {
		putchar('\n');
		if (write_all(dir, &r) < 0)
			return CTL_FAIL;
	}
	return CTL_OK;
}
