/*
 * The visibility matrix of comments, replies and reactions: for both
 * authors (normal, banned), every viewer (self, connected with the audience
 * tag, with another tag, without a tag, pending, former connection,
 * stranger, banned) and every audience (all, private, tags, tags without
 * audience rows, an unknown type, NULL) of tests/fixtures_social.h, every
 * route of API.md 4.9-4.11 answers as rule 6.3 says (404 when the post is
 * hidden, 403 for banned callers), writes nothing when refused, and runs
 * its fixed number of statements.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "fixtures_social.h"
#include "harness.h"
#include "social_test.h"

enum path {
	P_COMMENT_CREATE,
	P_COMMENT_LIST,
	P_COMMENT_COUNT,
	P_REPLY_CREATE,
	P_REPLY_LIST,
	P_REACTION_SET,
	P_REACTION_LIST,
	P_REACTORS,
	P_EMOJI_REACTORS,
	P_REACTION_DELETE,
	P_COUNT
};

static const struct {
	const char *name;
	long ok;		/* status when the post is visible */
	int statements;		/* after authentication */
} paths[P_COUNT] = {
	[P_COMMENT_CREATE] = { "POST /comments/", 201, 2 },
	[P_COMMENT_LIST] = { "GET /comments/posts/{id}", 200, 1 },
	[P_COMMENT_COUNT] = { "GET /comments/posts/{id}/count", 200, 1 },
	[P_REPLY_CREATE] = { "POST /replies/", 201, 2 },
	[P_REPLY_LIST] = { "GET /replies/comment/{id}", 200, 1 },
	[P_REACTION_SET] = { "POST /reactions/posts/{id}", 201, 1 },
	[P_REACTION_LIST] = { "GET /reactions/posts/{id}", 200, 1 },
	[P_REACTORS] = { "GET /reactions/posts/{id}/reactors", 200, 1 },
	[P_EMOJI_REACTORS] = { "GET .../emoji/{emoji}/reactors", 200, 1 },
	[P_REACTION_DELETE] = { "DELETE /reactions/posts/{id}", 204, 1 },
};

/* One cell's request: the viewer's token, the post and its comment. */
static http_resp *probe(const char *tok, long post, long comment, enum path p)
{
	switch (p) {
	case P_COMMENT_CREATE:
		return http("POST", "/comments/", tok, tfmt(
			"{\"post_id\": %ld, \"content\": \"matrix\"}", post));
	case P_COMMENT_LIST:
		return http("GET", tfmt("/comments/posts/%ld", post), tok, NULL);
	case P_COMMENT_COUNT:
		return http("GET", tfmt("/comments/posts/%ld/count", post), tok,
			    NULL);
	case P_REPLY_CREATE:
		return http("POST", "/replies/", tok, tfmt(
			"{\"comment_id\": %ld, \"content\": \"matrix\"}", comment));
	case P_REPLY_LIST:
		return http("GET", tfmt("/replies/comment/%ld", comment), tok,
			    NULL);
	case P_REACTION_SET:
		return http("POST", tfmt("/reactions/posts/%ld", post), tok,
			    "{\"emoji\": \"\\ud83d\\udc4d\"}");
	case P_REACTION_LIST:
		return http("GET", tfmt("/reactions/posts/%ld", post), tok, NULL);
	case P_REACTORS:
		return http("GET", tfmt("/reactions/posts/%ld/reactors", post),
			    tok, NULL);
	case P_EMOJI_REACTORS:
		return http("GET", tfmt("/reactions/posts/%ld/emoji/"
					"%%F0%%9F%%91%%8D/reactors", post),
			    tok, NULL);
	case P_REACTION_DELETE:
		return http("DELETE", tfmt("/reactions/posts/%ld", post), tok,
			    NULL);
	case P_COUNT:
		break;
	}
	return NULL;
}

/* Row counts of everything these routes may write. */
static void snapshot(char *buf, size_t size)
{
	snprintf(buf, size, "%s", sql_str(
		"SELECT concat_ws('/', (SELECT count(*) FROM comments),"
		" (SELECT count(*) FROM replies),"
		" (SELECT count(*) || ':' || string_agg(emoji, ',' ORDER BY id)"
		"  FROM reactions),"
		" (SELECT count(*) || ':' || max(created_at) FROM notifications),"
		" (SELECT sum(comment_count) FROM post_stats))"));
}

/* What a visible list must hold: the author's comment, reply, reaction. */
static void check_body(const http_resp *r, enum path p, const char *cell)
{
	json_object *list = r->json;

	if (p == P_EMOJI_REACTORS)
		json_object_object_get_ex(r->json, "reactors", &list);
	switch (p) {
	case P_COMMENT_LIST:
	case P_REPLY_LIST:
	case P_REACTION_LIST:
	case P_REACTORS:
	case P_EMOJI_REACTORS:
		ck_assert_msg(jo_len(list) >= 1, "%s: %s", cell, r->body);
		break;
	case P_COMMENT_COUNT:
		ck_assert_msg(jint(r, "count") >= 1, "%s: %s", cell,
			      r->body);
		break;
	default:
		break;
	}
}

/*
 * The status a cell must answer: ok when rule 6.3 lets the viewer see the
 * post, 403 when the caller is banned (authentication refuses them before
 * any route), else 404.
 */
static long expected(int author, enum fx_viewer v, enum fx_audience x, long ok)
{
	if (v == FX_BANNED || (v == FX_SELF && author == FX_BANNED_AUTHOR))
		return 403;
	return fx_visible(v, x) ? ok : 404;
}

/*
 * One viewer (the loop index) against both authors' posts: every path, in
 * an order where the viewer's writes (comment, reply, reaction) are read
 * back before the reaction is removed again.  Every post has a comment by
 * its author (with a reply) and the author's reaction, so visible lists
 * are never empty.
 */
START_TEST(test_matrix)
{
	struct fx_matrix m;
	enum fx_viewer v = (enum fx_viewer)_i;
	char before[512], after[512], cell[200];
	long base, post, comment;
	const char *tok;
	http_resp *r;
	int a, x, p;

	fx_build_matrix(&m, tfmt("vm%d", _i), "2025-03-02");
	base = statement_count(http("GET", "/auth/me",
				    token_for(m.author[FX_AUTHOR]), NULL));
	for (a = 0; a < FX_NAUTHORS; a++) {
		tok = token_for(fx_viewer(&m, a, v));
		for (x = 0; x < FX_NAUDIENCES; x++) {
			post = m.post[a][x];
			comment = fx_long("SELECT id FROM comments WHERE"
					  " post_id = %ld", post);
			fx_reply(comment, m.author[a], "the authors reply");
			fx_reaction(post, m.author[a], "\xf0\x9f\x91\x8d");
			for (p = 0; p < P_COUNT; p++) {
				long want = expected(a, v, (enum fx_audience)x,
						     paths[p].ok);

				snprintf(cell, sizeof(cell), "author %d, viewer %s,"
					 " audience %s, %s", a, fx_viewer_name(v),
					 fx_audience_name((enum fx_audience)x),
					 paths[p].name);
				snapshot(before, sizeof(before));
				r = probe(tok, post, comment, (enum path)p);
				ck_assert_msg(r->status == want,
					      "%s: %ld, want %ld: %s", cell,
					      r->status, want, r->body);
				if (want != paths[p].ok) {
					snapshot(after, sizeof(after));
					ck_assert_msg(strcmp(before, after) == 0,
						      "%s changed %s into %s",
						      cell, before, after);
					ck_assert_msg(jstr(r, "detail"),
						      "%s: %s", cell, r->body);
					continue;
				}
				ck_assert_msg(statement_count(r) == base +
					      paths[p].statements,
					      "%s: %d statements", cell,
					      statement_count(r));
				check_body(r, (enum path)p, cell);
			}
		}
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("social visibility");
	TCase *tc = social_tcase("matrix", 120);

	tcase_add_loop_test(tc, test_matrix, 0, FX_NVIEWERS);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_run(suite(), NULL);
}
