#define _GNU_SOURCE		/* timegm */

#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "arena.h"
#include "wallclock.h"

/* 14 h (the widest real UTC offset) + 15 min of clock skew. */
#define MAX_CLIENT_SKEW (14 * 3600 + 15 * 60)

/* Reads exactly n digits at *s, advancing it; -1 if they are not there. */
static int digits(const char **s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return -1;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return v;
}

static int days_in_month(int year, int mon)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				    30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 2 && leap ? 29 : days[mon - 1];
}

/* ":SS" and ".f..." after HH:MM; 0 or -1. */
static int parse_seconds(const char **s, struct wallclock *w)
{
	int n = 0, scale = 100000;

	if (**s != ':')
		return 0;
	(*s)++;
	if ((w->sec = digits(s, 2)) < 0 || w->sec > 59)
		return -1;
	if (**s != '.' && **s != ',')
		return 0;
	(*s)++;
	for (; **s >= '0' && **s <= '9'; (*s)++, n++)
		if (n < 6) {
			w->usec += (**s - '0') * scale;
			scale /= 10;
		}
	return n >= 1 && n <= 9 ? 0 : -1;
}

/* "Z", "+HH", "+HHMM", "+HH:MM" (or "-"), checked and dropped. */
static int parse_offset(const char *s)
{
	int h, m = 0;

	if (*s == '\0')
		return 0;
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return 0;
	if (*s != '+' && *s != '-')
		return -1;
	s++;
	if ((h = digits(&s, 2)) < 0 || h > 23)
		return -1;
	if (*s == ':')
		s++;
	if (*s != '\0' && ((m = digits(&s, 2)) < 0 || m > 59))
		return -1;
	return *s == '\0' ? 0 : -1;
}

int wallclock_parse(const char *s, struct wallclock *out)
{
	struct wallclock w;

	memset(&w, 0, sizeof(w));
	if (s == NULL || (w.year = digits(&s, 4)) < 1 || *s++ != '-' ||
	    (w.mon = digits(&s, 2)) < 1 || w.mon > 12 || *s++ != '-' ||
	    (w.day = digits(&s, 2)) < 1 ||
	    w.day > days_in_month(w.year, w.mon))
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if ((w.hour = digits(&s, 2)) < 0 || w.hour > 23 || *s++ != ':' ||
		    (w.min = digits(&s, 2)) < 0 || w.min > 59 ||
		    parse_seconds(&s, &w) < 0)
			return -1;
	}
	if (parse_offset(s) < 0)
		return -1;
	*out = w;
	return 0;
}

static void to_tm(const struct wallclock *w, struct tm *tm)
{
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = w->year - 1900;
	tm->tm_mon = w->mon - 1;
	tm->tm_mday = w->day;
	tm->tm_hour = w->hour;
	tm->tm_min = w->min;
	tm->tm_sec = w->sec;
}

static void from_tm(const struct tm *tm, int usec, struct wallclock *w)
{
	w->year = tm->tm_year + 1900;
	w->mon = tm->tm_mon + 1;
	w->day = tm->tm_mday;
	w->hour = tm->tm_hour;
	w->min = tm->tm_min;
	w->sec = tm->tm_sec;
	w->usec = usec;
}

long long wallclock_seconds(const struct wallclock *w)
{
	struct tm tm;

	to_tm(w, &tm);
	return (long long)timegm(&tm);
}

void wallclock_local_now(struct wallclock *out)
{
	struct timeval tv;
	struct tm tm;
	time_t t;

	gettimeofday(&tv, NULL);
	t = tv.tv_sec;
	localtime_r(&t, &tm);
	from_tm(&tm, (int)tv.tv_usec, out);
}

void wallclock_post_time(const char *client_ts, long long now_utc,
			 const struct wallclock *local_now,
			 struct wallclock *out)
{
	struct wallclock w;
	long long d;

	*out = *local_now;
	if (client_ts == NULL || wallclock_parse(client_ts, &w) < 0)
		return;
	d = wallclock_seconds(&w) - now_utc;
	if (d >= -MAX_CLIENT_SKEW && d <= MAX_CLIENT_SKEW)
		*out = w;
}

void wallclock_add_days(struct wallclock *w, int days)
{
	struct tm tm;
	time_t t;

	to_tm(w, &tm);
	tm.tm_mday += days;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	from_tm(&tm, w->usec, w);
}

int wallclock_weekday(const struct wallclock *w)
{
	struct tm tm;
	time_t t;

	to_tm(w, &tm);
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	return tm.tm_wday;
}

const char *wallclock_sql(struct arena *a, const struct wallclock *w)
{
	return arena_printf(a, "%04d-%02d-%02d %02d:%02d:%02d.%06d", w->year,
			    w->mon, w->day, w->hour, w->min, w->sec, w->usec);
}
