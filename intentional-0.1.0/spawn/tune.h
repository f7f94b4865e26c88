/*
 * Sizing by configuration: from the community's size and the host's, the
 * settings that fit it (README "Tiers").  A pure function, so that the
 * table and the formulas are unit-tested (tests/check_tune.c); `intentionalctl
 * tune` prints or writes its result.
 */
#ifndef TUNE_H
#define TUNE_H

#define MIB (1024LL * 1024)
#define GIB (1024LL * MIB)

struct tune_input {
	long users;		/* members of the community */
	long long ram;		/* bytes of RAM of each host */
	int cpus;		/* vCPUs of each host */
	int split;		/* PostgreSQL on its own host (of the same size) */
	int app_hosts;		/* hosts running responders (1 unless split) */
};

struct tune_tier {
	long max_users;
	const char *name;	/* "200-1,000 members" */
	int cpus;		/* the host it wants */
	long long ram;
	const char *layout;	/* "one host" or "app + database hosts" */
};

struct tune_result {
	const struct tune_tier *tier;
	int undersized;		/* the host is smaller than the tier's */
	int split_advised;	/* the tier wants the database on its own host */

	int responders;		/* RESPONDERS, per service and app host */
	int nginx_workers;

	/* PostgreSQL, on the database host */
	long long shared_buffers, effective_cache_size, work_mem,
		maintenance_work_mem;
	int max_connections;
};

/* Fills r from in; returns 0, or -1 when in is out of range. */
int tune(const struct tune_input *in, struct tune_result *r);

/* "512MB", "2GB": the form postgresql.conf takes; buf of 32 bytes. */
const char *tune_pg_size(long long bytes, char *buf);

/* Parses "2G", "512M", "2048" (MiB) into bytes; -1 if malformed. */
long long tune_parse_size(const char *s);

#endif
