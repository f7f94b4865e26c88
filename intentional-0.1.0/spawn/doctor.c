#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

/*
 * The thresholds are those of the alert rules in
 * prometheus/intentional-alerts.yml; change both together.
 */
const struct doctor_trigger doctor_triggers[NTRIGGERS] = {
	[TRIG_CPU] = { "cpu busy", "%", 70, 90, 0,
		"plan the next tier (more vCPUs); raise RESPONDERS only if p95 is high too",
		"move to the next tier now, or the database to its own host" },
	[TRIG_MEMORY] = { "memory used", "%", 80, 90, 0,
		"plan more RAM; check RESPONDERS and work_mem (intentionalctl tune)",
		"add RAM now (next tier) or lower RESPONDERS; swapping is near" },
	[TRIG_P95] = { "p95 latency", "ms", 500, 1000, 0,
		"raise RESPONDERS if CPU has headroom; look at the slowest statements",
		"raise RESPONDERS or move to the next tier; look at the slowest statements" },
	[TRIG_DB_CONNECTIONS] = { "db connections", "%", 70, 90, 0,
		"raise max_connections (intentionalctl tune) before adding responders",
		"raise max_connections now or lower RESPONDERS: new connections fail at 100%" },
	[TRIG_ERRORS] = { "error rate (5xx)", "%", 1, 5, 0,
		"read journalctl -u intentional@main and the PostgreSQL log",
		"something is broken: journalctl -u intentional@main, check the database" },
	[TRIG_CACHE_HIT] = { "db cache hit ratio", "%", 99, 95, 1,
		"raise shared_buffers (intentionalctl tune) or add RAM",
		"the data outgrew RAM: more RAM, or the database on its own host" },
};

/* The number after the last space of a sample line; NaN-free. */
static double sample_value(const char *line_end_space)
{
	return strtod(line_end_space, NULL);
}

/* The value of label name="..." in the series text from p to end. */
static int label_value(const char *p, const char *end, const char *name,
		       char *out, size_t size)
{
	size_t n = strlen(name);
	const char *q, *close;

	for (q = p; q < end && (q = strstr(q, name)) != NULL && q < end; q += n) {
		if ((q[-1] != '{' && q[-1] != ',') || q[n] != '=' || q[n + 1] != '"')
			continue;
		close = strchr(q + n + 2, '"');
		if (close == NULL || close > end ||
		    (size_t)(close - (q + n + 2)) >= size)
			return -1;
		memcpy(out, q + n + 2, (size_t)(close - (q + n + 2)));
		out[close - (q + n + 2)] = '\0';
		return 0;
	}
	return -1;
}

static void add_bucket(struct metrics_sample *s, double le, double v)
{
	int i, j;

	for (i = 0; i < s->nbuckets && s->bound[i] < le; i++)
		;
	if (i < s->nbuckets && s->bound[i] == le) {
		s->cumulative[i] += v;
		return;
	}
	if (s->nbuckets == DOCTOR_MAX_BUCKETS)
		return;
	for (j = s->nbuckets; j > i; j--) {
		s->bound[j] = s->bound[j - 1];
		s->cumulative[j] = s->cumulative[j - 1];
	}
	s->bound[i] = le;
	s->cumulative[i] = v;
	s->nbuckets++;
}

static int starts(const char *line, const char *prefix)
{
	return strncmp(line, prefix, strlen(prefix)) == 0;
}

/* One line (without its newline, from p to end) into s; 1 if ours. */
static int parse_line(const char *p, const char *end, struct metrics_sample *s)
{
	const char *space = end;
	char label[32];

	while (space > p && space[-1] != ' ')
		space--;
	if (space == p)
		return 0;
	if (starts(p, "http_request_duration_seconds_bucket{")) {
		if (label_value(p, space, "le", label, sizeof(label)) < 0)
			return 0;
		add_bucket(s, strcmp(label, "+Inf") == 0 ? 1e300 : strtod(label, NULL),
			   sample_value(space));
		return 1;
	}
	if (starts(p, "http_request_duration_seconds_count")) {
		s->count += sample_value(space);
		return 1;
	}
	if (starts(p, "http_requests_total{")) {
		double v = sample_value(space);

		s->requests += v;
		if (label_value(p, space, "status", label, sizeof(label)) == 0 &&
		    label[0] == '5')
			s->errors += v;
		return 1;
	}
	return 0;
}

int doctor_parse_metrics(const char *text, struct metrics_sample *s)
{
	const char *p = text, *nl;
	int ours = 0;

	memset(s, 0, sizeof(*s));
	for (; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (*p != '#')
			ours += parse_line(p, nl, s);
	}
	return ours > 0 ? 0 : -1;
}

double doctor_quantile(double q, const struct metrics_sample *before,
		       const struct metrics_sample *after)
{
	double total = after->count - before->count, rank, prev = 0, lower = 0;
	int i, j;

	if (total <= 0)
		return -1;
	rank = q * total;
	for (i = 0; i < after->nbuckets; i++) {
		double here = after->cumulative[i];

		for (j = 0; j < before->nbuckets; j++)
			if (before->bound[j] == after->bound[i])
				here -= before->cumulative[j];
		if (here >= rank) {
			if (after->bound[i] >= 1e300)	/* +Inf: the last bound */
				return lower;
			if (here == prev)
				return after->bound[i];
			return lower + (after->bound[i] - lower) *
				       (rank - prev) / (here - prev);
		}
		prev = here;
		lower = after->bound[i];
	}
	return lower;
}

double doctor_error_rate(const struct metrics_sample *before,
			 const struct metrics_sample *after)
{
	double n = after->requests - before->requests;

	return n > 0 ? (after->errors - before->errors) / n : -1;
}

int doctor_parse_stat(const char *text, struct cpu_sample *s)
{
	unsigned long long v[10] = { 0 };
	int i, n;

	if (!starts(text, "cpu "))
		return -1;
	n = sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
		   &v[9]);
	if (n < 4)
		return -1;
	/* user nice system idle iowait irq softirq steal; guest is in user */
	s->total = 0;
	for (i = 0; i < 8 && i < n; i++)
		s->total += v[i];
	s->busy = s->total - v[3] - v[4];
	return 0;
}

double doctor_cpu_busy(const struct cpu_sample *before,
		       const struct cpu_sample *after)
{
	unsigned long long total = after->total - before->total;

	return total > 0 ? (double)(after->busy - before->busy) / (double)total : -1;
}

static double meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p != NULL ? strtod(p + strlen(key), NULL) : -1;
}

double doctor_memory_used(const char *meminfo)
{
	double total = meminfo_kb(meminfo, "MemTotal:");
	double avail = meminfo_kb(meminfo, "MemAvailable:");

	return total > 0 && avail >= 0 ? 1 - avail / total : -1;
}

enum doctor_state doctor_judge(const struct doctor_trigger *t, double value)
{
	if (value < 0)
		return STATE_UNKNOWN;
	if (t->low_is_bad)
		return value < t->critical ? STATE_CRITICAL
		     : value < t->warn ? STATE_WARN : STATE_OK;
	return value > t->critical ? STATE_CRITICAL
	     : value > t->warn ? STATE_WARN : STATE_OK;
}

const char *doctor_state_name(enum doctor_state s)
{
	static const char *const names[] = { "ok", "warn", "critical", "unknown" };

	return names[s];
}
