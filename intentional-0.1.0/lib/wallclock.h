/*
 * Wall-clock times without a zone, as posts.created_at stores them: the
 * author's local time that the client sends as client_timestamp (API.md
 * route 11 step 2), or the server's local time.
 */
#ifndef WALLCLOCK_H
#define WALLCLOCK_H

struct arena;

struct wallclock {
	int year, mon, day;		/* 1..9999, 1..12, 1..31 */
	int hour, min, sec;		/* 0..23, 0..59, 0..59 */
	int usec;			/* 0..999999 */
};

/*
 * Parses ISO-8601 as the original's datetime.fromisoformat() does:
 * YYYY-MM-DD, optionally followed by T or a space and HH:MM, HH:MM:SS or
 * HH:MM:SS.f (1 to 9 digits, cut to microseconds), optionally followed by
 * Z or an offset +HH:MM, +HHMM or +HH.  The offset is dropped: the written
 * wall-clock time is the result.  Returns 0, or -1 for anything else
 * (including impossible dates such as 2025-02-30).
 */
int wallclock_parse(const char *s, struct wallclock *out);

/* Seconds since 1970 of the wall-clock time read as UTC. */
long long wallclock_seconds(const struct wallclock *w);

/* The server's local time now. */
void wallclock_local_now(struct wallclock *out);

/*
 * The time of a new post: the client's wall clock when it parses and lies
 * within 14 h 15 min of the server's UTC time now_utc (the span of real
 * UTC offsets plus clock skew, API.md route 11 correction), else local_now.
 */
void wallclock_post_time(const char *client_ts, long long now_utc,
			 const struct wallclock *local_now,
			 struct wallclock *out);

/* Adds days (may be negative) to the date, keeping the time of day. */
void wallclock_add_days(struct wallclock *w, int days);

/* 0 for Sunday .. 6 for Saturday. */
int wallclock_weekday(const struct wallclock *w);

/* "YYYY-MM-DD HH:MM:SS.ffffff", for a timestamp parameter. */
const char *wallclock_sql(struct arena *a, const struct wallclock *w);

#endif
