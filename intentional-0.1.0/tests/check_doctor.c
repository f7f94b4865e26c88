/*
 * spawn/doctor.c: our Prometheus text, the p95 and error rate between two
 * scrapes, /proc/stat and /proc/meminfo, and the trigger thresholds.
 */
#include <check.h>
#include <stdlib.h>

#include "doctor.h"

/* Two routes, as lib/metrics.c renders them (buckets cut to four). */
static const char before_text[] =
	"# HELP http_requests_total Requests by route, method and status.\n"
	"# TYPE http_requests_total counter\n"
	"http_requests_total{handler=\"/feed\",method=\"GET\",status=\"200\"} 90\n"
	"http_requests_total{handler=\"/health\",method=\"GET\",status=\"200\"} 10\n"
	"# TYPE http_request_duration_seconds histogram\n"
	"http_request_duration_seconds_bucket{handler=\"/feed\",method=\"GET\",le=\"0.1\"} 50\n"
	"http_request_duration_seconds_bucket{handler=\"/feed\",method=\"GET\",le=\"0.5\"} 80\n"
	"http_request_duration_seconds_bucket{handler=\"/feed\",method=\"GET\",le=\"1\"} 90\n"
	"http_request_duration_seconds_bucket{handler=\"/feed\",method=\"GET\",le=\"+Inf\"} 90\n"
	"http_request_duration_seconds_sum{handler=\"/feed\",method=\"GET\"} 20.5\n"
	"http_request_duration_seconds_count{handler=\"/feed\",method=\"GET\"} 90\n"
	"http_request_duration_seconds_bucket{handler=\"/health\",method=\"GET\",le=\"0.1\"} 10\n"
	"http_request_duration_seconds_bucket{handler=\"/health\",method=\"GET\",le=\"0.5\"} 10\n"
	"http_request_duration_seconds_bucket{handler=\"/health\",method=\"GET\",le=\"1\"} 10\n"
	"http_request_duration_seconds_bucket{handler=\"/health\",method=\"GET\",le=\"+Inf\"} 10\n"
	"http_request_duration_seconds_count{handler=\"/health\",method=\"GET\"} 10\n"
	"db_errors_total 0\n";

/* 100 more requests, all on /feed, 5 of them answered 503. */
static const char after_text[] =
	"http_requests_total{handler=\"/feed\",method=\"GET\",status=\"200\"} 185\n"
	"http_requests_total{handler=\"/feed\",method=\"GET\",status=\"503\"} 5\n"
	"http_requests_total{handler=\"/health\",method=\"GET\",status=\"200\"} 10\n"
	"http_request_duration_seconds_bucket{handler=\"/feed\",method=\"GET\",le=\"0.1\"} 100\n"
	"http_request_duration_seconds_bucket{handler=\"/feed\",method=\"GET\",le=\"0.5\"} 170\n"
	"http_request_duration_seconds_bucket{handler=\"/feed\",method=\"GET\",le=\"1\"} 190\n"
	"http_request_duration_seconds_bucket{handler=\"/feed\",method=\"GET\",le=\"+Inf\"} 190\n"
	"http_request_duration_seconds_count{handler=\"/feed\",method=\"GET\"} 190\n"
	"http_request_duration_seconds_bucket{handler=\"/health\",method=\"GET\",le=\"0.1\"} 10\n"
	"http_request_duration_seconds_bucket{handler=\"/health\",method=\"GET\",le=\"0.5\"} 10\n"
	"http_request_duration_seconds_bucket{handler=\"/health\",method=\"GET\",le=\"1\"} 10\n"
	"http_request_duration_seconds_bucket{handler=\"/health\",method=\"GET\",le=\"+Inf\"} 10\n"
	"http_request_duration_seconds_count{handler=\"/health\",method=\"GET\"} 10\n";

START_TEST(test_parse)
{
	struct metrics_sample s;

	ck_assert_int_eq(doctor_parse_metrics(before_text, &s), 0);
	ck_assert_int_eq(s.nbuckets, 4);
	ck_assert_double_eq(s.bound[0], 0.1);
	ck_assert_double_eq(s.cumulative[0], 60);
	ck_assert_double_eq(s.cumulative[3], 100);
	ck_assert_double_eq(s.count, 100);
	ck_assert_double_eq(s.requests, 100);
	ck_assert_double_eq(s.errors, 0);
	ck_assert_int_eq(doctor_parse_metrics("# nothing here\nfoo 1\n", &s), -1);
}
END_TEST

/*
 * Between the scrapes: 50 under 0.1 s, 40 in 0.1-0.5, 10 in 0.5-1.  The
 * 95th of 100 is the 5th of the 10 in the last bucket: 0.5 + 0.5 * 5/10.
 */
START_TEST(test_p95_and_errors)
{
	struct metrics_sample a, b;

	doctor_parse_metrics(before_text, &a);
	doctor_parse_metrics(after_text, &b);
	ck_assert_double_eq_tol(doctor_quantile(0.95, &a, &b), 0.75, 1e-9);
	ck_assert_double_eq_tol(doctor_quantile(0.5, &a, &b), 0.1, 1e-9);
	ck_assert_double_eq_tol(doctor_error_rate(&a, &b), 0.05, 1e-9);
	/* no traffic in between */
	ck_assert_double_eq(doctor_quantile(0.95, &b, &b), -1);
	ck_assert_double_eq(doctor_error_rate(&b, &b), -1);
}
END_TEST

/* All beyond the last finite bound: the answer is that bound. */
START_TEST(test_p95_overflow)
{
	static const char slow[] =
		"http_request_duration_seconds_bucket{le=\"1\"} 0\n"
		"http_request_duration_seconds_bucket{le=\"+Inf\"} 10\n"
		"http_request_duration_seconds_count 10\n"
		"http_requests_total{status=\"200\"} 10\n";
	struct metrics_sample zero, s;

	doctor_parse_metrics("http_requests_total{status=\"200\"} 0\n", &zero);
	doctor_parse_metrics(slow, &s);
	ck_assert_double_eq(doctor_quantile(0.95, &zero, &s), 1);
}
END_TEST

START_TEST(test_cpu)
{
	struct cpu_sample a, b;

	ck_assert_int_eq(doctor_parse_stat("cpu  100 0 100 700 100 0 0 0 0 0\n"
					   "cpu0 1 2 3 4\n", &a), 0);
	ck_assert_int_eq(doctor_parse_stat("cpu  400 0 200 900 100 0 0 0 0 0\n", &b), 0);
	/* 400 more busy of 600 more in all */
	ck_assert_double_eq_tol(doctor_cpu_busy(&a, &b), 400.0 / 600, 1e-9);
	ck_assert_double_eq(doctor_cpu_busy(&a, &a), -1);
	ck_assert_int_eq(doctor_parse_stat("intr 1 2 3\n", &a), -1);
}
END_TEST

START_TEST(test_memory)
{
	ck_assert_double_eq_tol(doctor_memory_used(
		"MemTotal:        2000000 kB\nMemFree:  100 kB\n"
		"MemAvailable:     500000 kB\n"), 0.75, 1e-9);
	ck_assert_double_eq(doctor_memory_used("nothing"), -1);
}
END_TEST

START_TEST(test_judge)
{
	const struct doctor_trigger *cpu = &doctor_triggers[TRIG_CPU];
	const struct doctor_trigger *hit = &doctor_triggers[TRIG_CACHE_HIT];

	ck_assert_int_eq(doctor_judge(cpu, 50), STATE_OK);
	ck_assert_int_eq(doctor_judge(cpu, 70), STATE_OK);
	ck_assert_int_eq(doctor_judge(cpu, 75), STATE_WARN);
	ck_assert_int_eq(doctor_judge(cpu, 95), STATE_CRITICAL);
	ck_assert_int_eq(doctor_judge(cpu, -1), STATE_UNKNOWN);
	ck_assert_int_eq(doctor_judge(hit, 99.9), STATE_OK);
	ck_assert_int_eq(doctor_judge(hit, 97), STATE_WARN);
	ck_assert_int_eq(doctor_judge(hit, 90), STATE_CRITICAL);
	/* the thresholds of the issue and of the alert rules */
	ck_assert_double_eq(doctor_triggers[TRIG_MEMORY].warn, 80);
	ck_assert_double_eq(doctor_triggers[TRIG_MEMORY].critical, 90);
	ck_assert_double_eq(doctor_triggers[TRIG_P95].warn, 500);
	ck_assert_double_eq(doctor_triggers[TRIG_P95].critical, 1000);
	ck_assert_double_eq(doctor_triggers[TRIG_DB_CONNECTIONS].warn, 70);
	ck_assert_double_eq(doctor_triggers[TRIG_DB_CONNECTIONS].critical, 90);
	ck_assert_double_eq(doctor_triggers[TRIG_ERRORS].warn, 1);
	ck_assert_double_eq(doctor_triggers[TRIG_ERRORS].critical, 5);
	ck_assert_str_eq(doctor_state_name(STATE_WARN), "warn");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("doctor");
	TCase *tc = tcase_create("arithmetic");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_p95_and_errors);
	tcase_add_test(tc, test_p95_overflow);
	tcase_add_test(tc, test_cpu);
	tcase_add_test(tc, test_memory);
	tcase_add_test(tc, test_judge);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
