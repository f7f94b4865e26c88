/*
 * Connections between members (API.md 4.5, 4.8, 6.2): one row per unordered
 * pair, user_a_id < user_b_id, pending or accepted.  The limit of
 * MAX_CONNECTIONS accepted connections holds for both people of a pair even
 * under concurrency: every change that can accept a connection first locks
 * both users rows (in id order) and only then counts.
 */
#ifndef CONNECTIONS_H
#define CONNECTIONS_H

#include <libpq-fe.h>

#include "result.h"

struct arena;

/* The caller's view of one connection (ConnectionWithUser, API.md 2.8). */
struct connection {
	long id;
	const char *status;
	const char *created_at;
	long other_id;
	const char *other_username;	/* NULL until chosen */
};

struct connection_list {
	struct connection *items;
	int n;
};

enum connection_kind {
	CONN_ACCEPTED,		/* GET /connections */
	CONN_INCOMING,		/* pending, sent to me */
	CONN_OUTGOING,		/* pending, sent by me */
};

/* One statement whatever the number of connections; ascending id. */
enum result connection_list(struct arena *a, long me, enum connection_kind k,
			    struct connection_list *out);

/*
 * Route 19: a request from me to recipient, or the acceptance of the
 * recipient's pending request to me (*mutual = 1).  RES_BAD_REQUEST for
 * oneself or when either side is at the limit, RES_NOT_FOUND for an absent
 * or banned recipient, RES_CONFLICT when already requested or connected.
 */
enum result connection_request(struct arena *a, long me, long recipient,
			       long *connection_id, int *mutual);

/*
 * Route 22: RES_NOT_FOUND (also when the initiator is banned),
 * RES_FORBIDDEN when me is not the recipient, RES_BAD_REQUEST when already
 * accepted or either side is at the limit.
 */
enum result connection_accept(struct arena *a, long me, long connection_id);

/* Route 23: deletes a pending connection of me; RES_NOT_FOUND,
 * RES_FORBIDDEN, RES_BAD_REQUEST when it is accepted. */
enum result connection_reject(struct arena *a, long me, long connection_id);

/* Route 25: deletes a connection of me whatever its status. */
enum result connection_remove(struct arena *a, long me, long connection_id);

/*
 * The other person of an accepted connection of me (routes 26-28):
 * RES_NOT_FOUND when there is no such connection or it is not accepted,
 * RES_FORBIDDEN when me is not part of it.
 */
enum result connection_other(struct arena *a, long me, long connection_id,
			     long *other);

/*
 * Route 33 in one statement: the number of accepted connections, and per
 * tag of me put on at least one of them (count descending) the columns
 * tag id, name, color_scheme, count; a single row with NULL tag columns
 * when there are none.  Row 0 column 0 is the connection count.
 */
enum result connection_insights(struct arena *a, long me, PGresult **out);

#endif
