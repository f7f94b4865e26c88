/*
 * Unit tests of lib/wallclock.c: client_timestamp parsing as the original's
 * datetime.fromisoformat() reads it (offset dropped), the 14 h 15 min
 * bound of route 11, and the date arithmetic of the digest's week.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "wallclock.h"

static struct arena *arena;

static void setup(void)
{
	arena = arena_new();
}

static void teardown(void)
{
	arena_free(arena);
}

/* The parse of s as a timestamp literal, or "invalid". */
static const char *parsed(const char *s)
{
	struct wallclock w;

	if (wallclock_parse(s, &w) < 0)
		return "invalid";
	return wallclock_sql(arena, &w);
}

START_TEST(accepted_forms)
{
	ck_assert_str_eq(parsed("2025-03-02"), "2025-03-02 00:00:00.000000");
	ck_assert_str_eq(parsed("2025-03-02T09:15"), "2025-03-02 09:15:00.000000");
	ck_assert_str_eq(parsed("2025-03-02 09:15:07"), "2025-03-02 09:15:07.000000");
	ck_assert_str_eq(parsed("2025-03-02T09:15:07.5"), "2025-03-02 09:15:07.500000");
	ck_assert_str_eq(parsed("2025-03-02T09:15:07.123"), "2025-03-02 09:15:07.123000");
	ck_assert_str_eq(parsed("2025-03-02T09:15:07.123456789"),
			 "2025-03-02 09:15:07.123456");
	ck_assert_str_eq(parsed("2025-03-02T09:15:07Z"), "2025-03-02 09:15:07.000000");
	ck_assert_str_eq(parsed("2025-03-02T23:15:07-08:00"), "2025-03-02 23:15:07.000000");
	ck_assert_str_eq(parsed("2025-03-02T01:15:07+1400"), "2025-03-02 01:15:07.000000");
	ck_assert_str_eq(parsed("2025-03-02T01:15:07.25+05"), "2025-03-02 01:15:07.250000");
	ck_assert_str_eq(parsed("2024-02-29T12:00:00"), "2024-02-29 12:00:00.000000");
}
END_TEST

START_TEST(refused_forms)
{
	static const char *const bad[] = {
		"", "2025", "2025-3-2", "2025-03-02T", "2025-03-02T9:15",
		"2025-03-02T09", "2025-03-02T24:00", "2025-03-02T09:60",
		"2025-03-02T09:15:60", "2025-13-01", "2025-02-29", "2025-04-31",
		"0000-01-01", "2025-03-02T09:15:07.", "2025-03-02T09:15.5",
		"2025-03-02T09:15:07.1234567890", "2025-03-02T09:15:07+", "2025-03-02T09:15:07+5",
		"2025-03-02T09:15:07+24:00", "2025-03-02T09:15:07 Z", "2025-03-02x",
		"2025-03-02T09:15:07Zz", " 2025-03-02", "tomorrow",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(strcmp(parsed(bad[i]), "invalid") == 0, "%s", bad[i]);
	ck_assert_int_eq(wallclock_parse(NULL, &(struct wallclock){ 0 }), -1);
}
END_TEST

START_TEST(client_time_within_14_hours_15_minutes)
{
	struct wallclock now = { 2025, 3, 2, 12, 0, 0, 0 }, local = { 2025, 3, 2,
		13, 0, 0, 0 }, out;
	long long utc = wallclock_seconds(&now);

	wallclock_post_time("2025-03-03T02:15:00+14:00", utc, &local, &out);
	ck_assert_str_eq(wallclock_sql(arena, &out), "2025-03-03 02:15:00.000000");
	wallclock_post_time("2025-03-01T21:45:00", utc, &local, &out);
	ck_assert_str_eq(wallclock_sql(arena, &out), "2025-03-01 21:45:00.000000");
	wallclock_post_time("2025-03-03T02:15:01", utc, &local, &out);
	ck_assert_str_eq(wallclock_sql(arena, &out), "2025-03-02 13:00:00.000000");
	wallclock_post_time("2025-03-01T21:44:59", utc, &local, &out);
	ck_assert_str_eq(wallclock_sql(arena, &out), "2025-03-02 13:00:00.000000");
	wallclock_post_time("soon", utc, &local, &out);
	ck_assert_str_eq(wallclock_sql(arena, &out), "2025-03-02 13:00:00.000000");
	wallclock_post_time(NULL, utc, &local, &out);
	ck_assert_str_eq(wallclock_sql(arena, &out), "2025-03-02 13:00:00.000000");
}
END_TEST

START_TEST(days_and_weekdays)
{
	struct wallclock w = { 2025, 3, 5, 12, 30, 0, 7 };

	ck_assert_int_eq(wallclock_weekday(&w), 3);	/* a Wednesday */
	wallclock_add_days(&w, -wallclock_weekday(&w));
	ck_assert_str_eq(wallclock_sql(arena, &w), "2025-03-02 12:30:00.000007");
	ck_assert_int_eq(wallclock_weekday(&w), 0);
	wallclock_add_days(&w, 7 * 53);
	ck_assert_str_eq(wallclock_sql(arena, &w), "2026-03-08 12:30:00.000007");
	w = (struct wallclock){ 2024, 2, 28, 0, 0, 0, 0 };
	wallclock_add_days(&w, 1);
	ck_assert_str_eq(wallclock_sql(arena, &w), "2024-02-29 00:00:00.000000");
	w = (struct wallclock){ 2024, 12, 31, 0, 0, 0, 0 };
	ck_assert_int_eq(wallclock_weekday(&w), 2);
	wallclock_add_days(&w, 1);
	ck_assert_str_eq(wallclock_sql(arena, &w), "2025-01-01 00:00:00.000000");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wallclock");
	TCase *tc = tcase_create("wallclock");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, accepted_forms);
	tcase_add_test(tc, refused_forms);
	tcase_add_test(tc, client_time_within_14_hours_15_minutes);
	tcase_add_test(tc, days_and_weekdays);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
