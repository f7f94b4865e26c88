/*
 * intentionalctl doctor [--metrics-url URL] [--interval S]
 * Reads /metrics twice, S seconds apart, the host's CPU and memory over the
 * same time, and PostgreSQL's statistics, then prints each scaling trigger
 * of README "Monitoring" with its value, its state and what to do.  Exits
 * 1 when a trigger is critical, so that cron or a timer can mail it.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "doctor.h"

#define DEFAULT_METRICS_URL "http://127.0.0.1:9180/metrics"

static void usage(FILE *f)
{
	fputs("usage: intentionalctl doctor [--metrics-url URL] [--interval S]\n"
	      "  Prints each scaling trigger (CPU, memory, p95 latency, database\n"
	      "  connections, error rate, cache hit ratio) with its value over the\n"
	      "  last S seconds (default 5), ok, warn or critical, and the action\n"
	      "  to take; then the slowest statements (pg_stat_statements).\n"
	      "  Exit status 1 if a trigger is critical.\n"
	      "  --metrics-url URL  the main service's /metrics (default\n"
	      "                     " DEFAULT_METRICS_URL ", intentionalctl nginx's\n"
	      "                     loopback port)\n", f);
}

/* ---- reading ---- */

struct text {
	char *p;
	size_t len;
};

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
	struct text *t = ud;
	char *p = realloc(t->p, t->len + size * n + 1);

	if (p == NULL)
		return 0;
	memcpy(p + t->len, data, size * n);
	t->p = p;
	t->len += size * n;
	t->p[t->len] = '\0';
	return size * n;
}

/* GETs url into a malloc'd string; NULL (and why in err) on failure. */
static char *fetch(const char *url, char *err, size_t errsize)
{
	struct text t = { NULL, 0 };
	CURL *h = curl_easy_init();
	CURLcode rc;
	long status = 0;

	if (h == NULL)
		abort();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK || status != 200 || t.p == NULL) {
		snprintf(err, errsize, "could not read %s: %s", url,
			 rc != CURLE_OK ? curl_easy_strerror(rc) : "not a 200 answer");
		free(t.p);
		return NULL;
	}
	return t.p;
}

/* A small file of /proc into buf; "" when unreadable. */
static const char *read_proc(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static int cpu_now(struct cpu_sample *s)
{
	char buf[512];

	return doctor_parse_stat(read_proc("/proc/stat", buf, sizeof(buf)), s);
}

/* ---- the database ---- */

struct db_facts {
	double connections_used;	/* share of max_connections, or -1 */
	double cache_hit;		/* share of blocks from the cache, or -1 */
	char error[256];
};

/* The first value of a one-row query as a double; -1 on failure or NULL. */
static double query_double(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	double v = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    !PQgetisnull(res, 0, 0))
		v = strtod(PQgetvalue(res, 0, 0), NULL);
	PQclear(res);
	return v;
}

static void print_slowest(PGconn *c)
{
	PGresult *res;
	int i;

	if (query_double(c, "SELECT 1 FROM pg_extension"
			 " WHERE extname = 'pg_stat_statements'") != 1) {
		puts("\nslowest statements: pg_stat_statements is not installed"
		     " (README \"Monitoring\")");
		return;
	}
	res = PQexec(c, "SELECT calls, round(mean_exec_time::numeric, 2),"
		     " left(regexp_replace(query, '\\s+', ' ', 'g'), 70)"
		     " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM"
		     " pg_database WHERE datname = current_database())"
		     " ORDER BY mean_exec_time DESC LIMIT 3");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		printf("\nslowest statements: %s", PQresultErrorMessage(res));
		PQclear(res);
		return;
	}
	puts("\nslowest statements (pg_stat_statements, mean ms, calls):");
	for (i = 0; i < PQntuples(res); i++)
		printf("  %10s ms %8s  %s\n", PQgetvalue(res, i, 1),
		       PQgetvalue(res, i, 0), PQgetvalue(res, i, 2));
	PQclear(res);
}

/* Fills f; returns the connection for print_slowest(), or NULL. */
static PGconn *read_database(struct db_facts *f)
{
	PGconn *c = PQconnectdb(cfg.database_url);

	f->connections_used = f->cache_hit = -1;
	f->error[0] = '\0';
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(f->error, sizeof(f->error), "could not connect: %s",
			 PQerrorMessage(c));
		f->error[strcspn(f->error, "\n")] = '\0';
		PQfinish(c);
		return NULL;
	}
	f->connections_used = query_double(c,
		"SELECT count(*)::float8 / current_setting('max_connections')::int"
		" FROM pg_stat_activity WHERE backend_type = 'client backend'");
	f->cache_hit = query_double(c,
		"SELECT sum(blks_hit)::float8 / nullif(sum(blks_hit) + sum(blks_read), 0)"
		" FROM pg_stat_database");
	return c;
}

/* ---- the report ---- */

static enum doctor_state row(int trig, double value, const char *why_unknown)
{
	const struct doctor_trigger *t = &doctor_triggers[trig];
	enum doctor_state s = doctor_judge(t, value);
	char shown[32], thresholds[48];
	const char *action = s == STATE_OK ? "none"
			   : s == STATE_WARN ? t->action_warn
			   : s == STATE_CRITICAL ? t->action_critical
			   : why_unknown;

	if (value < 0)
		snprintf(shown, sizeof(shown), "-");
	else
		snprintf(shown, sizeof(shown), "%.1f %s", value, t->unit);
	snprintf(thresholds, sizeof(thresholds), "%s%g/%g", t->low_is_bad ? "<" : ">",
		 t->warn, t->critical);
	printf("%-20s %-10s %-10s %-9s %s\n", t->name, shown, thresholds,
	       doctor_state_name(s), action);
	return s;
}

static double percent(double share)
{
	return share < 0 ? -1 : share * 100;
}

int ctl_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "metrics-url", required_argument, NULL, 'm' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = DEFAULT_METRICS_URL;
	char err[512] = "", mem[4096], load[128], *m1, *m2 = NULL;
	struct metrics_sample s1, s2;
	struct cpu_sample c1 = { 0, 0 }, c2 = { 0, 0 };
	struct db_facts db;
	PGconn *conn;
	double p95 = -1, errors = -1;
	int c, rc, interval = 5, worst = STATE_OK, i;
	enum doctor_state st[NTRIGGERS];

	while ((c = getopt_long(argc, argv, "m:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': url = optarg; break;
		case 'i':
			interval = atoi(optarg);
			if (interval < 1 || interval > 3600) {
				ctl_error("doctor", "--interval wants 1 to 3600 seconds");
				return CTL_USAGE;
			}
			break;
		case 'h': usage(stdout); return CTL_OK;
		default: usage(stderr); return CTL_USAGE;
		}
	}
	if ((rc = ctl_no_operands_then_config(argc, usage)) != CTL_OK)
		return rc;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	cpu_now(&c1);
	m1 = fetch(url, err, sizeof(err));
	if (m1 != NULL) {
		sleep((unsigned)interval);
		m2 = fetch(url, err, sizeof(err));
	} else {
		sleep((unsigned)interval);
	}
	cpu_now(&c2);
	if (m1 != NULL && m2 != NULL && doctor_parse_metrics(m1, &s1) == 0 &&
	    doctor_parse_metrics(m2, &s2) == 0) {
		p95 = doctor_quantile(0.95, &s1, &s2);
		errors = doctor_error_rate(&s1, &s2);
		if (p95 < 0)
			snprintf(err, sizeof(err), "no requests in %d s", interval);
	} else if (err[0] == '\0') {
		snprintf(err, sizeof(err), "%s holds no http_requests_total", url);
	}
	free(m1);
	free(m2);
	curl_global_cleanup();

	conn = read_database(&db);
	printf("host: %ld CPUs, load average %.*s; metrics: %s over %d s\n\n",
	       sysconf(_SC_NPROCESSORS_ONLN), 14,
	       read_proc("/proc/loadavg", load, sizeof(load)), url, interval);
	printf("%-20s %-10s %-10s %-9s %s\n", "TRIGGER", "VALUE", "WARN/CRIT",
	       "STATE", "ACTION");
	st[TRIG_CPU] = row(TRIG_CPU, percent(doctor_cpu_busy(&c1, &c2)),
			   "could not read /proc/stat");
	st[TRIG_MEMORY] = row(TRIG_MEMORY,
			      percent(doctor_memory_used(read_proc("/proc/meminfo",
						mem, sizeof(mem)))),
			      "could not read /proc/meminfo");
	st[TRIG_P95] = row(TRIG_P95, p95 < 0 ? -1 : p95 * 1000, err);
	st[TRIG_DB_CONNECTIONS] = row(TRIG_DB_CONNECTIONS,
				      percent(db.connections_used), db.error);
	st[TRIG_ERRORS] = row(TRIG_ERRORS, percent(errors), err);
	st[TRIG_CACHE_HIT] = row(TRIG_CACHE_HIT, percent(db.cache_hit),
				 db.error[0] ? db.error : "no blocks read yet");
	if (conn != NULL) {
		print_slowest(conn);
		PQfinish(conn);
	}
	for (i = 0; i < NTRIGGERS; i++)
		if (st[i] == STATE_CRITICAL)
			worst = STATE_CRITICAL;
	return worst == STATE_CRITICAL ? CTL_FAIL : CTL_OK;
}
