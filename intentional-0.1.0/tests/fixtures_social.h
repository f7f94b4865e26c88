/*
 * Social fixtures for database and integration tests: members, connections,
 * tags, posts, comments, replies, reactions, notifications and reports
 * inserted with plain SQL, as the original backend would have written them,
 * and the visibility matrix world of API.md 6.3 that every read path is
 * checked against.
 *
 * Works on any database URL: harness_database_url() of an integration test,
 * or a pgtest cluster.  fx_use() names the database; each process (Check
 * forks one per test) opens its own connection on first use.  A failing
 * fixture prints the SQL error and exits with 99, so the fixtures also
 * work in main() before the tests run.
 *
 *	fx_use(harness_database_url());
 *	struct fx_matrix m;
 *	fx_build_matrix(&m, "vis", "2025-03-02");
 *	for each author a, viewer v, audience x:
 *		fx_visible(v, x) says whether fx_viewer(&m, a, v) may see
 *		m.post[a][x]; FX_BANNED gets 403 everywhere.
 */
#ifndef FIXTURES_SOCIAL_H
#define FIXTURES_SOCIAL_H

#include <libpq-fe.h>

/* The database the fixtures write to (the string must stay valid). */
void fx_use(const char *url);

/* Closes this process's connection (for a fixture run in main() or an
 * unchecked fixture; forked tests just exit). */
void fx_close(void);

/* Runs one statement made with printf-style fmt (trusted test values). */
PGresult *fx_sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first column of the first row as a number (0 for NULL or no row). */
long fx_long(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A member name@example.com, google id g-name, created now (UTC). */
long fx_user(const char *name);
/* fx_user() of "prefix_role". */
long fx_member(const char *prefix, const char *role);
void fx_ban(long user);
/* A connection row between a and b (stored smaller id first), initiated
 * by a; status "accepted" or "pending".  Returns its id. */
long fx_connect(long a, long b, const char *status);
long fx_tag(long owner, const char *name, const char *color_scheme);
/* owner puts tag on target (user_tags). */
void fx_tag_user(long owner, long target, long tag);
/*
 * A post with its post_stats row.  audience NULL = SQL NULL; created_at a
 * timestamp literal ("2025-03-02 10:00"); tags: 0-terminated audience tag
 * ids (NULL for none); photo_urls a JSON literal or NULL for SQL NULL.
 */
long fx_post(long author, const char *audience, const char *created_at,
	     const long *tags, const char *photo_urls);
void fx_score(long post, double importance, const char *summary);
/* A comment (post_stats.comment_count + 1), a reply, a reaction. */
long fx_comment(long post, long author, const char *content);
long fx_reply(long comment, long author, const char *content);
long fx_reaction(long post, long user, const char *emoji);
/* comment 0 = NULL; type "comment" or "reply"; unread. */
long fx_notification(long recipient, long actor, long post, long comment,
		     const char *type);
/* A report of post by reporter (0 = NULL), resolved by resolver (0 = open). */
long fx_report(long post, long reporter, long resolver);

/* ---- the visibility matrix ---- */

/* Who looks, relative to the author of the post. */
enum fx_viewer {
	FX_SELF,		/* the author */
	FX_TAGGED,		/* accepted connection the author tagged with T */
	FX_OTHER_TAG,		/* accepted connection tagged with another tag U */
	FX_UNTAGGED,		/* accepted connection, no tag */
	FX_PENDING,		/* pending request, tagged with T */
	FX_FORMER,		/* no connection any more, still tagged with T */
	FX_STRANGER,		/* nothing */
	FX_BANNED,		/* accepted, tagged with T, but banned: 403 */
	FX_NVIEWERS
};

/* The audience of the post. */
enum fx_audience {
	FX_ALL,
	FX_PRIVATE,
	FX_TAGS,		/* audience tag T */
	FX_TAGS_NO_TAGS,	/* 'tags' without audience-tag rows */
	FX_UNKNOWN,		/* 'connections', a value of old code */
	FX_NULL,		/* audience_type NULL */
	FX_NAUDIENCES
};

/* A normal author and a banned one (whose posts stay visible, 6.1). */
enum fx_author { FX_AUTHOR, FX_BANNED_AUTHOR, FX_NAUTHORS };

struct fx_matrix {
	long author[FX_NAUTHORS];
	long viewer[FX_NVIEWERS];	/* [FX_SELF] unused: see fx_viewer() */
	long tag[FX_NAUTHORS];		/* T of each author */
	long other_tag[FX_NAUTHORS];	/* U of each author */
	long post[FX_NAUTHORS][FX_NAUDIENCES];
};

/*
 * Builds the matrix with user names prefix_a, prefix_b, prefix_tagged ...
 * (prefix: a few lower-case letters, unique per database).  The post of
 * author a and audience x is dated sunday (a "YYYY-MM-DD" that is a
 * Sunday) + x days at 10:00 + a minutes, with importance 5.0, so one week's
 * digest holds all of them; every post has one comment by its author.
 * The viewers are related the same way to both authors.
 */
void fx_build_matrix(struct fx_matrix *m, const char *prefix,
		     const char *sunday);

/* The id of viewer v of author a's posts (the author for FX_SELF). */
long fx_viewer(const struct fx_matrix *m, int a, enum fx_viewer v);

/* Whether rule 6.3 lets viewer v see a post of audience x. */
int fx_visible(enum fx_viewer v, enum fx_audience x);

/* Names for test messages. */
const char *fx_viewer_name(enum fx_viewer v);
const char *fx_audience_name(enum fx_audience x);

#endif
