#define _GNU_SOURCE		/* vasprintf, timegm */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixtures_social.h"

static const char *db_url;
static PGconn *conn;
static pid_t conn_pid;
static PGconn *volatile inherited;	/* the parent's: reachable, not a leak */

void fx_use(const char *url)
{
	db_url = url;
}

void fx_close(void)
{
	if (conn != NULL && conn_pid == getpid())
		PQfinish(conn);
	conn = NULL;
}

/*
 * A fixture that cannot be set up ends the process with 99 (a hard error
 * to automake; a failed test when in a Check child).  Not ck_assert(): the
 * fixtures also run in main(), outside any test, where Check's assertions
 * cannot report.
 */
static void fx_check(int ok, const char *what, const char *detail)
{
	if (ok)
		return;
	fprintf(stderr, "fixtures: %s: %s\n", what, detail ? detail : "");
	exit(99);
}

/*
 * The connection of this process.  One inherited from the parent (Check
 * forks a child per test) is abandoned, not closed: closing it would end
 * the parent's session too.
 */
static PGconn *fx_conn(void)
{
	if (conn != NULL && conn_pid == getpid())
		return conn;
	if (conn != NULL)
		inherited = conn;
	fx_check(db_url != NULL, "fx_use() was not called", NULL);
	conn = PQconnectdb(db_url);
	conn_pid = getpid();
	fx_check(PQstatus(conn) == CONNECTION_OK, "could not connect",
		 PQerrorMessage(conn));
	return conn;
}

static PGresult *vexec(const char *fmt, va_list ap)
{
	char *q = NULL;
	PGresult *res;
	ExecStatusType s;

	fx_check(vasprintf(&q, fmt, ap) >= 0, "out of memory", NULL);
	res = PQexec(fx_conn(), q);
	s = PQresultStatus(res);
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
		fprintf(stderr, "%s", q);
	fx_check(s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK,
		 "\nstatement failed", PQerrorMessage(conn));
	free(q);
	return res;
}

PGresult *fx_sql(const char *fmt, ...)
{
	va_list ap;
	PGresult *res;

	va_start(ap, fmt);
	res = vexec(fmt, ap);
	va_end(ap);
	return res;
}

long fx_long(const char *fmt, ...)
{
	va_list ap;
	PGresult *res;
	long v = 0;

	va_start(ap, fmt);
	res = vexec(fmt, ap);
	va_end(ap);
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		v = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

long fx_user(const char *name)
{
	return fx_long("INSERT INTO users (email, username, created_at,"
		       " google_id, full_name) VALUES ('%s@example.com', '%s',"
		       " now() AT TIME ZONE 'UTC', 'g-%s', 'Full %s')"
		       " RETURNING id", name, name, name, name);
}

long fx_member(const char *prefix, const char *role)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%s", prefix, role);
	return fx_user(name);
}

void fx_ban(long user)
{
	PQclear(fx_sql("UPDATE users SET is_banned = true WHERE id = %ld",
		       user));
}

long fx_connect(long a, long b, const char *status)
{
	return fx_long("INSERT INTO connections (status, created_at,"
		       " updated_at, user_a_id, user_b_id, initiated_by_user_id)"
		       " VALUES ('%s', now() AT TIME ZONE 'UTC',"
		       " now() AT TIME ZONE 'UTC', LEAST(%ld, %ld),"
		       " GREATEST(%ld, %ld), %ld) RETURNING id",
		       status, a, b, a, b, a);
}

long fx_tag(long owner, const char *name, const char *color_scheme)
{
	return fx_long("INSERT INTO tags (owner_user_id, name, color_scheme,"
		       " created_at) VALUES (%ld, '%s', '%s',"
		       " now() AT TIME ZONE 'UTC') RETURNING id",
		       owner, name, color_scheme);
}

void fx_tag_user(long owner, long target, long tag)
{
	PQclear(fx_sql("INSERT INTO user_tags (owner_user_id, target_user_id,"
		       " tag_id, created_at) VALUES (%ld, %ld, %ld,"
		       " now() AT TIME ZONE 'UTC')", owner, target, tag));
}

long fx_post(long author, const char *audience, const char *created_at,
	     const long *tags, const char *photo_urls)
{
	char aud[40];
	char photos[512];
	long id;

	if (audience != NULL)
		snprintf(aud, sizeof(aud), "'%s'", audience);
	else
		snprintf(aud, sizeof(aud), "NULL");
	if (photo_urls != NULL)
		snprintf(photos, sizeof(photos), "'%s'", photo_urls);
	else
		snprintf(photos, sizeof(photos), "NULL");
	id = fx_long("INSERT INTO posts (author_id, content, created_at,"
		     " audience_type, photo_urls) VALUES (%ld,"
		     " 'a post of %ld', '%s', %s, %s) RETURNING id",
		     author, author, created_at, aud, photos);
	PQclear(fx_sql("INSERT INTO post_stats (post_id, comment_count)"
		       " VALUES (%ld, 0)", id));
	for (; tags != NULL && *tags != 0; tags++)
		PQclear(fx_sql("INSERT INTO post_audience_tags (post_id, tag_id)"
			       " VALUES (%ld, %ld)", id, *tags));
	return id;
}

void fx_score(long post, double importance, const char *summary)
{
	PQclear(fx_sql("UPDATE posts SET importance_score = %.3f,"
		       " digest_summary = '%s' WHERE id = %ld",
		       importance, summary, post));
}

long fx_comment(long post, long author, const char *content)
{
	PQclear(fx_sql("UPDATE post_stats SET comment_count = comment_count + 1"
		       " WHERE post_id = %ld", post));
	return fx_long("INSERT INTO comments (post_id, author_id, content,"
		       " created_at) VALUES (%ld, %ld, '%s',"
		       " now() AT TIME ZONE 'UTC') RETURNING id",
		       post, author, content);
}

long fx_reply(long comment, long author, const char *content)
{
	return fx_long("INSERT INTO replies (comment_id, author_id, content,"
		       " created_at) VALUES (%ld, %ld, '%s',"
		       " now() AT TIME ZONE 'UTC') RETURNING id",
		       comment, author, content);
}

long fx_reaction(long post, long user, const char *emoji)
{
	return fx_long("INSERT INTO reactions (post_id, user_id, emoji,"
		       " created_at) VALUES (%ld, %ld, '%s',"
		       " now() AT TIME ZONE 'UTC') RETURNING id",
		       post, user, emoji);
}

long fx_notification(long recipient, long actor, long post, long comment,
		     const char *type)
{
	char c[32];

	if (comment > 0)
		snprintf(c, sizeof(c), "%ld", comment);
	else
		snprintf(c, sizeof(c), "NULL");
	return fx_long("INSERT INTO notifications (recipient_id, actor_id,"
		       " post_id, comment_id, type, created_at) VALUES (%ld, %ld,"
		       " %ld, %s, '%s', now() AT TIME ZONE 'UTC') RETURNING id",
		       recipient, actor, post, c, type);
}

long fx_report(long post, long reporter, long resolver)
{
	char by[32], res[32], at[48];

	snprintf(by, sizeof(by), reporter > 0 ? "%ld" : "NULL", reporter);
	snprintf(res, sizeof(res), resolver > 0 ? "%ld" : "NULL", resolver);
	snprintf(at, sizeof(at), "%s", resolver > 0
		 ? "now() AT TIME ZONE 'UTC'" : "NULL");
	return fx_long("INSERT INTO reported_posts (post_id, reported_by_id,"
		       " reason, created_at, resolved_at, resolved_by_id)"
		       " VALUES (%ld, %s, 'spam', now() AT TIME ZONE 'UTC', %s, %s)"
		       " RETURNING id", post, by, at, res);
}

/* ---- the visibility matrix ---- */

static const char *const viewer_names[FX_NVIEWERS] = {
	[FX_SELF] = "self", [FX_TAGGED] = "tagged",
	[FX_OTHER_TAG] = "other_tag", [FX_UNTAGGED] = "untagged",
	[FX_PENDING] = "pending", [FX_FORMER] = "former",
	[FX_STRANGER] = "stranger", [FX_BANNED] = "banned",
};

static const char *const audience_names[FX_NAUDIENCES] = {
	[FX_ALL] = "all", [FX_PRIVATE] = "private", [FX_TAGS] = "tags",
	[FX_TAGS_NO_TAGS] = "tags_without_tags",
	[FX_UNKNOWN] = "connections", [FX_NULL] = "null",
};

const char *fx_viewer_name(enum fx_viewer v)
{
	return viewer_names[v];
}

const char *fx_audience_name(enum fx_audience x)
{
	return audience_names[x];
}

int fx_visible(enum fx_viewer v, enum fx_audience x)
{
	switch (v) {
	case FX_SELF:
		return 1;
	case FX_TAGGED:
		return x == FX_ALL || x == FX_TAGS;
	case FX_OTHER_TAG:
	case FX_UNTAGGED:
		return x == FX_ALL;
	default:
		return 0;
	}
}

long fx_viewer(const struct fx_matrix *m, int a, enum fx_viewer v)
{
	return v == FX_SELF ? m->author[a] : m->viewer[v];
}

/* "YYYY-MM-DD" days after the date day. */
static void day_after(const char *day, int days, char *out, size_t size)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	fx_check(sscanf(day, "%d-%d-%d", &tm.tm_year, &tm.tm_mon,
			&tm.tm_mday) == 3, "not a date", day);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_mday += days;
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%d", &tm);
}

/* Relates viewer v to author the way the matrix says. */
static void relate(const struct fx_matrix *m, int a, enum fx_viewer v)
{
	long author = m->author[a], who = m->viewer[v];

	switch (v) {
	case FX_TAGGED:
	case FX_BANNED:
		fx_connect(author, who, "accepted");
		fx_tag_user(author, who, m->tag[a]);
		break;
	case FX_OTHER_TAG:
		fx_connect(who, author, "accepted");
		fx_tag_user(author, who, m->other_tag[a]);
		break;
	case FX_UNTAGGED:
		fx_connect(author, who, "accepted");
		break;
	case FX_PENDING:
		fx_connect(author, who, "pending");
		fx_tag_user(author, who, m->tag[a]);
		break;
	case FX_FORMER:
		fx_tag_user(author, who, m->tag[a]);
		break;
	default:
		break;
	}
}

void fx_build_matrix(struct fx_matrix *m, const char *prefix,
		     const char *sunday)
{
	char when[64];
	int a, v, x;

	memset(m, 0, sizeof(*m));
	PQclear(fx_sql("BEGIN"));
	for (a = 0; a < FX_NAUTHORS; a++) {
		m->author[a] = fx_member(prefix, a == FX_AUTHOR
					 ? "author" : "banned_author");
		m->tag[a] = fx_tag(m->author[a], "T", "friends");
		m->other_tag[a] = fx_tag(m->author[a], "U", "family");
	}
	for (v = FX_SELF + 1; v < FX_NVIEWERS; v++) {
		m->viewer[v] = fx_member(prefix, viewer_names[v]);
		for (a = 0; a < FX_NAUTHORS; a++)
			relate(m, a, (enum fx_viewer)v);
	}
	for (a = 0; a < FX_NAUTHORS; a++)
		for (x = 0; x < FX_NAUDIENCES; x++) {
			long tags[] = { m->tag[a], 0 };
			const char *aud = x == FX_NULL ? NULL
				: x == FX_TAGS_NO_TAGS ? "tags"
				: audience_names[x];

			day_after(sunday, x, when, sizeof(when));
			snprintf(when + 10, sizeof(when) - 10, " 10:%02d", a);
			m->post[a][x] = fx_post(m->author[a], aud, when,
						x == FX_TAGS ? tags : NULL, "[]");
			fx_score(m->post[a][x], 5.0, "a summary");
			fx_comment(m->post[a][x], m->author[a], "first");
		}
	fx_ban(m->viewer[FX_BANNED]);
	fx_ban(m->author[FX_BANNED_AUTHOR]);
	PQclear(fx_sql("COMMIT"));
}
