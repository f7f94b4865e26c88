/*
 * The arithmetic of `intentionalctl doctor` (spawn/ctl_doctor.c), apart
 * from its I/O so that it is unit-tested (tests/check_doctor.c): reading
 * our Prometheus text, /proc/stat and /proc/meminfo, and judging each
 * scaling trigger of README "Monitoring" against its thresholds.
 */
#ifndef DOCTOR_H
#define DOCTOR_H

#define DOCTOR_MAX_BUCKETS 32

/* What one scrape of /metrics says, summed over every route. */
struct metrics_sample {
	double bound[DOCTOR_MAX_BUCKETS];	/* le of each bucket, ascending */
	double cumulative[DOCTOR_MAX_BUCKETS];	/* requests at or under it */
	int nbuckets;
	double count;		/* http_request_duration_seconds_count */
	double requests;	/* http_requests_total */
	double errors;		/* of those, status 5xx */
};

/* Parses the exposition text; -1 if it holds none of our metrics. */
int doctor_parse_metrics(const char *text, struct metrics_sample *s);

/*
 * The q-quantile (0.95) of the request durations between two samples, in
 * seconds, interpolated within a bucket as PromQL's histogram_quantile()
 * does; -1 when no request ended in between.
 */
double doctor_quantile(double q, const struct metrics_sample *before,
		       const struct metrics_sample *after);

/* 5xx answers per request between two samples; -1 without requests. */
double doctor_error_rate(const struct metrics_sample *before,
			 const struct metrics_sample *after);

struct cpu_sample {
	unsigned long long busy, total;		/* jiffies of all CPUs */
};

/* The "cpu" line of /proc/stat; -1 if absent. */
int doctor_parse_stat(const char *text, struct cpu_sample *s);

/* Busy share of the CPUs between two samples (0..1); -1 if no time passed. */
double doctor_cpu_busy(const struct cpu_sample *before,
		       const struct cpu_sample *after);

/* Used share of the RAM (1 - MemAvailable / MemTotal); -1 if unreadable. */
double doctor_memory_used(const char *meminfo);

enum doctor_state { STATE_OK, STATE_WARN, STATE_CRITICAL, STATE_UNKNOWN };

struct doctor_trigger {
	const char *name;
	const char *unit;		/* how value is shown: "%", "ms" */
	double warn, critical;		/* in that unit */
	int low_is_bad;			/* the cache hit ratio */
	const char *action_warn, *action_critical;
};

/* The triggers of README "Monitoring", in the order doctor prints them. */
enum { TRIG_CPU, TRIG_MEMORY, TRIG_P95, TRIG_DB_CONNECTIONS, TRIG_ERRORS,
       TRIG_CACHE_HIT, NTRIGGERS };
extern const struct doctor_trigger doctor_triggers[NTRIGGERS];

/* The state of value (in the trigger's unit; < 0: unknown). */
enum doctor_state doctor_judge(const struct doctor_trigger *t, double value);

const char *doctor_state_name(enum doctor_state s);

#endif
