#include <stdio.h>
#include <stdlib.h>

#include "tune.h"

/*
 * The tiers of README "Tiers".  Beyond the last one the answer is the
 * same layout with more app hosts.
 */
static const struct tune_tier tiers[] = {
	{ 200, "10-200 members", 1, 2 * GIB, "one host" },
	{ 1000, "200-1,000 members", 2, 4 * GIB, "one host" },
	{ 5000, "1,000-5,000 members", 4, 8 * GIB,
	  "one host, or app + database hosts" },
	{ 0, "over 5,000 members", 4, 8 * GIB,
	  "app hosts + a database host" },
};

#define NTIERS (sizeof(tiers) / sizeof(tiers[0]))

/* What one responder and its PostgreSQL backend take, with headroom. */
#define PER_RESPONDER (24 * MIB)
/* Connections besides the responders: migrations, backups, doctor, psql. */
#define SPARE_CONNECTIONS 10

static long long clamp(long long v, long long lo, long long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static const struct tune_tier *tier_for(long users)
{
	size_t i;

	for (i = 0; i + 1 < NTIERS; i++)
		if (users <= tiers[i].max_users)
			return &tiers[i];
	return &tiers[NTIERS - 1];
}

/*
 * Responders wait on PostgreSQL about as long as they compute, so two per
 * core keep the cores busy; more only queue inside PostgreSQL.  On a
 * shared host, at most a quarter of the RAM goes to them.
 */
static int responders_for(const struct tune_input *in)
{
	long long by_cpu = 2LL * in->cpus;
	long long by_ram = in->ram / (in->split ? 2 : 4) / PER_RESPONDER;

	return (int)clamp(by_cpu < by_ram ? by_cpu : by_ram, 2, 64);
}

/* Rounded up to a multiple of 10, as people write it. */
static int round10(long long n)
{
	return (int)((n + 9) / 10 * 10);
}

/*
 * PostgreSQL after the usual rules: shared_buffers a quarter of the RAM,
 * effective_cache_size what the OS cache can hold (half the RAM when the
 * responders and nginx share the host, three quarters on a database
 * host), work_mem such that every connection sorting at once twice still
 * fits beside shared_buffers.
 */
static void postgres_for(const struct tune_input *in, struct tune_result *r)
{
	long long ram = in->ram;
	int hosts = in->app_hosts > 0 ? in->app_hosts : 1;

	r->max_connections = round10(2LL * r->responders * hosts +
				     SPARE_CONNECTIONS);
	r->shared_buffers = clamp(ram / 4, 128 * MIB, 16 * GIB);
	r->effective_cache_size = in->split ? ram * 3 / 4 : ram / 2;
	r->work_mem = clamp((ram - r->shared_buffers) / 2 /
			    (2LL * r->max_connections), 4 * MIB, 64 * MIB) /
		      MIB * MIB;
	r->maintenance_work_mem = clamp(ram / 16, 64 * MIB, 1 * GIB);
}

int tune(const struct tune_input *in, struct tune_result *r)
{
	if (in->users < 1 || in->cpus < 1 || in->cpus > 256 ||
	    in->ram < 512 * MIB || in->app_hosts < 0 || in->app_hosts > 64)
		return -1;
	r->tier = tier_for(in->users);
	r->undersized = in->cpus < r->tier->cpus || in->ram < r->tier->ram;
	r->split_advised = in->users > tiers[1].max_users;
	r->responders = responders_for(in);
	r->nginx_workers = in->cpus;
	postgres_for(in, r);
	return 0;
}

const char *tune_pg_size(long long bytes, char *buf)
{
	if (bytes % GIB == 0)
		snprintf(buf, 32, "%lldGB", bytes / GIB);
	else
		snprintf(buf, 32, "%lldMB", bytes / MIB);
	return buf;
}

long long tune_parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return -1;
	switch (*end) {
	case 'G': case 'g': v *= GIB; end++; break;
	case 'M': case 'm': case '\0': v *= MIB; end += *end != '\0'; break;
	default: return -1;
	}
	if (*end == 'B' || *end == 'b' || *end == 'i')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	return *end == '\0' ? (long long)v : -1;
}
