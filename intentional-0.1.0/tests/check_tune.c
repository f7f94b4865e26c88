/*
 * spawn/tune.c: the tier table and the sizing rules of README "Tiers".
 */
#include <check.h>
#include <stdlib.h>

#include "tune.h"

static struct tune_result sized(long users, long long ram, int cpus, int split,
				int app_hosts)
{
	struct tune_input in = { users, ram, cpus, split, app_hosts };
	struct tune_result r;

	ck_assert_int_eq(tune(&in, &r), 0);
	return r;
}

/* The three tiers of the seed, each on the host it names. */
START_TEST(test_tiers)
{
	struct tune_result small = sized(150, 2 * GIB, 1, 0, 1);
	struct tune_result mid = sized(800, 4 * GIB, 2, 0, 1);
	struct tune_result big = sized(5000, 8 * GIB, 4, 0, 1);

	ck_assert_str_eq(small.tier->name, "10-200 members");
	ck_assert_str_eq(mid.tier->name, "200-1,000 members");
	ck_assert_str_eq(big.tier->name, "1,000-5,000 members");
	ck_assert(!small.undersized && !mid.undersized && !big.undersized);
	ck_assert(!small.split_advised && !mid.split_advised);
	ck_assert(big.split_advised);
	ck_assert_str_eq(sized(20000, 8 * GIB, 4, 1, 3).tier->name,
			 "over 5,000 members");
}
END_TEST

START_TEST(test_small_host)
{
	struct tune_result r = sized(150, 2 * GIB, 1, 0, 1);

	ck_assert_int_eq(r.responders, 2);
	ck_assert_int_eq(r.nginx_workers, 1);
	ck_assert_int_eq(r.max_connections, 20);
	ck_assert_int_eq(r.shared_buffers, 512 * MIB);
	ck_assert_int_eq(r.effective_cache_size, 1 * GIB);
	ck_assert_int_eq(r.maintenance_work_mem, 128 * MIB);
	/* every connection sorting twice at once fits beside shared_buffers */
	ck_assert_int_le(2LL * r.max_connections * r.work_mem + r.shared_buffers,
			 2 * GIB);
	ck_assert_int_ge(r.work_mem, 4 * MIB);
}
END_TEST

START_TEST(test_large_host)
{
	struct tune_result r = sized(3000, 8 * GIB, 4, 0, 1);

	ck_assert_int_eq(r.responders, 8);
	ck_assert_int_eq(r.nginx_workers, 4);
	/* both services' responders plus 10 spare, rounded to tens */
	ck_assert_int_eq(r.max_connections, 30);
	ck_assert_int_eq(r.shared_buffers, 2 * GIB);
	ck_assert_int_eq(r.effective_cache_size, 4 * GIB);
}
END_TEST

/* A database host gets more cache; connections count every app host. */
START_TEST(test_split)
{
	struct tune_result r = sized(5000, 8 * GIB, 4, 1, 2);

	ck_assert_int_eq(r.responders, 8);
	ck_assert_int_eq(r.max_connections, 50);
	ck_assert_int_eq(r.effective_cache_size, 6 * GIB);
}
END_TEST

START_TEST(test_undersized)
{
	ck_assert(sized(900, 2 * GIB, 1, 0, 1).undersized);
	ck_assert(sized(900, 4 * GIB, 1, 0, 1).undersized);
	ck_assert(!sized(900, 16 * GIB, 8, 0, 1).undersized);
	/* RAM bounds the responders where cores would allow more */
	ck_assert_int_eq(sized(100, 1 * GIB, 32, 0, 1).responders, 10);
}
END_TEST

START_TEST(test_bad_input)
{
	struct tune_input in = { 100, 256 * MIB, 1, 0, 1 };
	struct tune_result r;

	ck_assert_int_eq(tune(&in, &r), -1);
	in.ram = 2 * GIB;
	in.cpus = 0;
	ck_assert_int_eq(tune(&in, &r), -1);
	in.cpus = 1;
	in.users = 0;
	ck_assert_int_eq(tune(&in, &r), -1);
}
END_TEST

START_TEST(test_sizes)
{
	char b[32];

	ck_assert_int_eq(tune_parse_size("2G"), 2 * GIB);
	ck_assert_int_eq(tune_parse_size("2GB"), 2 * GIB);
	ck_assert_int_eq(tune_parse_size("1.5GiB"), 3 * GIB / 2);
	ck_assert_int_eq(tune_parse_size("512M"), 512 * MIB);
	ck_assert_int_eq(tune_parse_size("2048"), 2 * GIB);
	ck_assert_int_eq(tune_parse_size("2X"), -1);
	ck_assert_int_eq(tune_parse_size("G"), -1);
	ck_assert_int_eq(tune_parse_size("-1G"), -1);
	ck_assert_str_eq(tune_pg_size(2 * GIB, b), "2GB");
	ck_assert_str_eq(tune_pg_size(1536 * MIB, b), "1536MB");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tune");
	TCase *tc = tcase_create("sizing");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_tiers);
	tcase_add_test(tc, test_small_host);
	tcase_add_test(tc, test_large_host);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_undersized);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_sizes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
