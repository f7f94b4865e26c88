#include <string.h>

#include "arena.h"
#include "config.h"
#include "connections.h"
#include "db.h"

/* The caller $1's side of a connection row c: the other user's id. */
#define OTHER_OF_C "CASE WHEN c.user_a_id = $1 THEN c.user_b_id ELSE c.user_a_id END"

#define LIST_SQL(cond) \
	"SELECT c.id, c.status, c.created_at, " OTHER_OF_C ", o.username" \
	" FROM connections c LEFT JOIN users o ON o.id = " OTHER_OF_C \
	" WHERE (c.user_a_id = $1 OR c.user_b_id = $1) AND " cond \
	" ORDER BY c.id"

#define ACCEPTED_OF(u) \
	"(SELECT count(*) FROM connections WHERE status = 'accepted'" \
	" AND (user_a_id = " u " OR user_b_id = " u "))"

enum {
	CONN_LIST_ACCEPTED,
	CONN_LIST_INCOMING,
	CONN_LIST_OUTGOING,
	CONN_LOCK_USERS,
	CONN_PAIR_STATE,
	CONN_INSERT,
	CONN_SET_ACCEPTED,
	CONN_BY_ID,
	CONN_BY_ID_FOR_UPDATE,
	CONN_DELETE,
	CONN_INSIGHTS,
};

static struct db_stmt stmts[] = {
	[CONN_LIST_ACCEPTED] = { "conn_list_accepted",
		LIST_SQL("c.status = 'accepted'"), 0 },
	/* pending requests of banned people are hidden, as they are */
	[CONN_LIST_INCOMING] = { "conn_list_incoming",
		LIST_SQL("c.status = 'pending' AND c.initiated_by_user_id <> $1"
			 " AND NOT coalesce(o.is_banned, false)"), 0 },
	[CONN_LIST_OUTGOING] = { "conn_list_outgoing",
		LIST_SQL("c.status = 'pending' AND c.initiated_by_user_id = $1"
			 " AND NOT coalesce(o.is_banned, false)"), 0 },
	/*
	 * The serialisation point of every change that may accept: both users
	 * rows locked in id order (no deadlock), before anything is counted.
	 */
	[CONN_LOCK_USERS] = { "conn_lock_users",
		"SELECT id, is_banned FROM users WHERE id IN ($1, $2)"
		" ORDER BY id FOR UPDATE", 0 },
	/* Run after CONN_LOCK_USERS: a new snapshot sees every committed
	 * change of whoever held the locks before us. */
	[CONN_PAIR_STATE] = { "conn_pair_state",
		"SELECT " ACCEPTED_OF("$1") ", " ACCEPTED_OF("$2") ","
		" c.id, c.status, c.initiated_by_user_id"
		" FROM (SELECT 1) one LEFT JOIN connections c"
		" ON c.user_a_id = least($1::int, $2::int)"
		" AND c.user_b_id = greatest($1::int, $2::int)", 0 },
	[CONN_INSERT] = { "conn_insert",
		"INSERT INTO connections (status, created_at, updated_at,"
		" user_a_id, user_b_id, initiated_by_user_id)"
		" VALUES ('pending', now() AT TIME ZONE 'UTC',"
		" now() AT TIME ZONE 'UTC', least($1::int, $2::int),"
		" greatest($1::int, $2::int), $1) RETURNING id", 0 },
	[CONN_SET_ACCEPTED] = { "conn_set_accepted",
		"UPDATE connections SET status = 'accepted',"
		" updated_at = now() AT TIME ZONE 'UTC' WHERE id = $1", 0 },
	[CONN_BY_ID] = { "conn_by_id",
		"SELECT user_a_id, user_b_id, status, initiated_by_user_id"
		" FROM connections WHERE id = $1", 0 },
	[CONN_BY_ID_FOR_UPDATE] = { "conn_by_id_for_update",
		"SELECT user_a_id, user_b_id, status, initiated_by_user_id"
		" FROM connections WHERE id = $1 FOR UPDATE", 0 },
	[CONN_DELETE] = { "conn_delete",
		"DELETE FROM connections WHERE id = $1", 0 },
	[CONN_INSIGHTS] = { "conn_insights",
		"WITH conn AS (SELECT " OTHER_OF_C " AS other FROM connections c"
		"  WHERE (c.user_a_id = $1 OR c.user_b_id = $1)"
		"  AND c.status = 'accepted'),"
		" dist AS (SELECT t.id, t.name, t.color_scheme,"
		"  count(DISTINCT ut.target_user_id) AS n FROM tags t"
		"  JOIN user_tags ut ON ut.tag_id = t.id AND ut.owner_user_id = $1"
		"  JOIN conn ON conn.other = ut.target_user_id"
		"  WHERE t.owner_user_id = $1 GROUP BY t.id)"
		" SELECT (SELECT count(*) FROM conn), d.id, d.name, d.color_scheme,"
		" d.n FROM (SELECT 1) one LEFT JOIN dist d ON true"
		" ORDER BY d.n DESC, d.id", 0 },
};

enum result connection_list(struct arena *a, long me, enum connection_kind k,
			    struct connection_list *out)
{
	static const int stmt_of[] = {
		[CONN_ACCEPTED] = CONN_LIST_ACCEPTED,
		[CONN_INCOMING] = CONN_LIST_INCOMING,
		[CONN_OUTGOING] = CONN_LIST_OUTGOING,
	};
	const char *p[] = { db_int(a, me) };
	PGresult *res;
	enum result r = db_exec(a, &stmts[stmt_of[k]], 1, p, &res);
	int i;

	if (r != RES_OK)
		return r;
	out->n = PQntuples(res);
	out->items = arena_calloc(a, (size_t)(out->n ? out->n : 1),
				  sizeof(struct connection));
	for (i = 0; i < out->n; i++) {
		struct connection *c = &out->items[i];

		c->id = (long)db_get_int(res, i, 0);
		c->status = db_get_str(res, i, 1);
		c->created_at = db_get_str(res, i, 2);
		c->other_id = (long)db_get_int(res, i, 3);
		c->other_username = db_get_str(res, i, 4);
	}
	return RES_OK;
}

/* A connection row as the request and accept rules need it. */
struct pair {
	long me, other;
	int other_present;	/* exists and is not banned */
	long long count_me, count_other;
	long id;		/* 0 when the pair has no row */
	int accepted;
	long initiator;
};

/*
 * Locks the users rows of p->me and p->other, then reads both accepted
 * counts and the pair's row.  Two statements, in the caller's transaction.
 */
static enum result lock_pair(struct arena *a, struct pair *p)
{
	const char *params[] = { db_int(a, p->me), db_int(a, p->other) };
	PGresult *res;
	enum result r;
	int i;

	if ((r = db_exec(a, &stmts[CONN_LOCK_USERS], 2, params, &res)) != RES_OK)
		return r;
	p->other_present = 0;
	for (i = 0; i < PQntuples(res); i++)
		if (db_get_int(res, i, 0) == p->other && !db_get_bool(res, i, 1))
			p->other_present = 1;
	if ((r = db_exec(a, &stmts[CONN_PAIR_STATE], 2, params, &res)) != RES_OK)
		return r;
	p->count_me = db_get_int(res, 0, 0);
	p->count_other = db_get_int(res, 0, 1);
	p->id = PQgetisnull(res, 0, 2) ? 0 : (long)db_get_int(res, 0, 2);
	p->accepted = p->id && strcmp(db_get_str(res, 0, 3), "accepted") == 0;
	p->initiator = p->id ? (long)db_get_int(res, 0, 4) : 0;
	return RES_OK;
}

static enum result at_limit(const char *whom)
{
	return fail_withf(RES_BAD_REQUEST, "%s reached the maximum of %ld "
			  "connections", whom, cfg.max_connections);
}

static enum result set_accepted(struct arena *a, long id)
{
	const char *p[] = { db_int(a, id) };
	PGresult *res;

	return db_exec(a, &stmts[CONN_SET_ACCEPTED], 1, p, &res);
}

struct request_ctx {
	struct pair pair;
	int mutual;
};

static enum result request_tx(struct arena *a, void *ctx)
{
	struct request_ctx *c = ctx;
	struct pair *p = &c->pair;
	const char *params[] = { db_int(a, p->me), db_int(a, p->other) };
	PGresult *res;
	enum result r;

	if ((r = lock_pair(a, p)) != RES_OK)
		return r;
	if (p->count_me >= cfg.max_connections)
		return at_limit("you have");
	if (!p->other_present)
		return fail_with(RES_NOT_FOUND, "user not found");
	if (p->accepted)
		return fail_with(RES_CONFLICT, "already connected");
	if (p->id && p->initiator == p->me)
		return fail_with(RES_CONFLICT, "connection request already sent");
	if (p->id) {		/* their pending request to me: accept it */
		if (p->count_other >= cfg.max_connections)
			return at_limit("this user has");
		c->mutual = 1;
		return set_accepted(a, p->id);
	}
	if ((r = db_exec(a, &stmts[CONN_INSERT], 2, params, &res)) != RES_OK)
		return r;
	p->id = (long)db_get_int(res, 0, 0);
	return RES_OK;
}

enum result connection_request(struct arena *a, long me, long recipient,
			       long *connection_id, int *mutual)
{
	struct request_ctx c = { { me, recipient, 0, 0, 0, 0, 0, 0 }, 0 };
	enum result r;

	if (recipient == me)
		return fail_with(RES_BAD_REQUEST, "cannot send a connection "
				 "request to yourself");
	r = db_transaction(a, request_tx, &c);
	*connection_id = c.pair.id;
	*mutual = c.mutual;
	return r;
}

/* A connection row by id, the caller me being one of its two users. */
struct row {
	long id;
	long other;
	int accepted;
	long initiator;
};

static enum result load_row(struct arena *a, int stmt, long me, long id,
			    struct row *out)
{
	const char *p[] = { db_int(a, id) };
	PGresult *res;
	enum result r = db_exec(a, &stmts[stmt], 1, p, &res);
	long ua, ub;

	if (r != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "connection not found");
	ua = (long)db_get_int(res, 0, 0);
	ub = (long)db_get_int(res, 0, 1);
	if (ua != me && ub != me)
		return fail_with(RES_FORBIDDEN, "not your connection");
	out->id = id;
	out->other = ua == me ? ub : ua;
	out->accepted = strcmp(db_get_str(res, 0, 2), "accepted") == 0;
	out->initiator = (long)db_get_int(res, 0, 3);
	return RES_OK;
}

struct accept_ctx {
	long me, id;
};

static enum result accept_tx(struct arena *a, void *ctx)
{
	struct accept_ctx *c = ctx;
	struct row row;
	struct pair p = { 0 };
	enum result r;

	if ((r = load_row(a, CONN_BY_ID, c->me, c->id, &row)) != RES_OK)
		return r;
	if (row.initiator == c->me)
		return fail_with(RES_FORBIDDEN, "only the recipient can accept "
				 "a connection request");
	if (row.accepted)
		return fail_with(RES_BAD_REQUEST, "connection already accepted");
	p.me = c->me;
	p.other = row.other;
	if ((r = lock_pair(a, &p)) != RES_OK)
		return r;
	/* re-read under the locks: it may have gone or changed meanwhile */
	if (!p.other_present || p.id != c->id)
		return fail_with(RES_NOT_FOUND, "connection not found");
	if (p.accepted)
		return fail_with(RES_BAD_REQUEST, "connection already accepted");
	if (p.count_me >= cfg.max_connections)
		return at_limit("you have");
	if (p.count_other >= cfg.max_connections)
		return at_limit("this user has");
	return set_accepted(a, c->id);
}

enum result connection_accept(struct arena *a, long me, long connection_id)
{
	struct accept_ctx c = { me, connection_id };

	return db_transaction(a, accept_tx, &c);
}

struct delete_ctx {
	long me, id;
	int pending_only;
};

static enum result delete_tx(struct arena *a, void *ctx)
{
	struct delete_ctx *c = ctx;
	const char *p[] = { db_int(a, c->id) };
	PGresult *res;
	struct row row;
	enum result r;

	r = load_row(a, CONN_BY_ID_FOR_UPDATE, c->me, c->id, &row);
	if (r != RES_OK)
		return r;
	if (c->pending_only && row.accepted)
		return fail_with(RES_BAD_REQUEST, "connection already accepted; "
				 "disconnect instead");
	return db_exec(a, &stmts[CONN_DELETE], 1, p, &res);
}

enum result connection_reject(struct arena *a, long me, long connection_id)
{
	struct delete_ctx c = { me, connection_id, 1 };

	return db_transaction(a, delete_tx, &c);
}

enum result connection_remove(struct arena *a, long me, long connection_id)
{
	struct delete_ctx c = { me, connection_id, 0 };

	return db_transaction(a, delete_tx, &c);
}

enum result connection_other(struct arena *a, long me, long connection_id,
			     long *other)
{
	struct row row;
	enum result r = load_row(a, CONN_BY_ID, me, connection_id, &row);

	if (r != RES_OK)
		return r;
	if (!row.accepted)
		return fail_with(RES_NOT_FOUND, "connection not found");
	*other = row.other;
	return RES_OK;
}

enum result connection_insights(struct arena *a, long me, PGresult **out)
{
	const char *p[] = { db_int(a, me) };

	return db_exec(a, &stmts[CONN_INSIGHTS], 1, p, out);
}
