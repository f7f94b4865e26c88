#include <string.h>

#include "arena.h"
#include "db.h"
#include "jsonv.h"
#include "tags.h"

#define TAG_IN_USE(id) \
	"(EXISTS (SELECT 1 FROM user_tags WHERE tag_id = " id ")" \
	" OR EXISTS (SELECT 1 FROM post_audience_tags WHERE tag_id = " id "))"

enum {
	TAG_LIST,
	TAG_INSERT,
	TAG_UPDATE,
	TAG_LOCK,
	TAG_IN_USE_Q,
	TAG_DELETE,
	TAG_LIST_ON,
	TAG_PUT_ON,
	TAG_TAKE_OFF,
	TAG_DELETE_UNUSED,
};

static struct db_stmt stmts[] = {
	[TAG_LIST] = { "tag_list",
		"SELECT " TAG_COLUMNS " FROM tags t WHERE t.owner_user_id = $1"
		" ORDER BY t.created_at, t.id", 0 },
	[TAG_INSERT] = { "tag_insert",
		"INSERT INTO tags AS t (owner_user_id, name, color_scheme, created_at)"
		" VALUES ($1, $2, $3, now() AT TIME ZONE 'UTC')"
		" RETURNING " TAG_COLUMNS, 0 },
	[TAG_UPDATE] = { "tag_update",
		"UPDATE tags AS t SET name = coalesce($3, t.name),"
		" color_scheme = coalesce($4, t.color_scheme)"
		" WHERE t.id = $1 AND t.owner_user_id = $2 RETURNING " TAG_COLUMNS, 0 },
	/* conflicts with the KEY SHARE lock of a concurrent user_tags or
	 * post_audience_tags insert, so the in-use check below is final */
	[TAG_LOCK] = { "tag_lock",
		"SELECT id FROM tags WHERE id = $1 AND owner_user_id = $2"
		" FOR UPDATE", 0 },
	[TAG_IN_USE_Q] = { "tag_in_use",
		"SELECT " TAG_IN_USE("$1"), 0 },
	[TAG_DELETE] = { "tag_delete",
		"DELETE FROM tags WHERE id = $1", 0 },
	[TAG_LIST_ON] = { "tag_list_on",
		"SELECT " TAG_COLUMNS " FROM user_tags ut JOIN tags t"
		" ON t.id = ut.tag_id AND t.owner_user_id = ut.owner_user_id"
		" WHERE ut.owner_user_id = $1 AND ut.target_user_id = $2"
		" ORDER BY t.created_at, t.id", 0 },
	/* no row when the tag is not the owner's */
	[TAG_PUT_ON] = { "tag_put_on",
		"INSERT INTO user_tags (owner_user_id, target_user_id, tag_id,"
		" created_at) SELECT $1, $2, t.id, now() AT TIME ZONE 'UTC'"
		" FROM tags t WHERE t.id = $3 AND t.owner_user_id = $1"
		" RETURNING id", 0 },
	/* tag_found, then the user_tags rows removed */
	[TAG_TAKE_OFF] = { "tag_take_off",
		"WITH t AS (SELECT id FROM tags WHERE id = $3 AND owner_user_id = $1"
		"  FOR UPDATE),"
		" d AS (DELETE FROM user_tags WHERE owner_user_id = $1"
		"  AND target_user_id = $2 AND tag_id IN (SELECT id FROM t)"
		"  RETURNING id)"
		" SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM d)", 0 },
	/* a new snapshot: sees the user_tags row deleted just before */
	[TAG_DELETE_UNUSED] = { "tag_delete_unused",
		"DELETE FROM tags WHERE id = $1 AND NOT " TAG_IN_USE("$1")
		" RETURNING id", 0 },
};

/* Trimmed copy of a tag name; NULL when nothing but white space. */
static const char *trimmed_name(struct arena *a, const char *name)
{
	const char *end = name + strlen(name);

	while (*name == ' ' || *name == '\t' || *name == '\n' || *name == '\r')
		name++;
	while (end > name && (end[-1] == ' ' || end[-1] == '\t' ||
			      end[-1] == '\n' || end[-1] == '\r'))
		end--;
	return end > name ? arena_strndup(a, name, (size_t)(end - name)) : NULL;
}

static enum result check_name(struct arena *a, const char **name)
{
	if ((*name = trimmed_name(a, *name)) == NULL)
		return fail_with(RES_INVALID, "tag name must not be blank");
	if (utf8_length(*name, strlen(*name)) > TAG_NAME_MAX)
		return fail_with(RES_INVALID, "tag name must be at most 24 characters");
	return RES_OK;
}

/* Colours are names ("family", "custom") or "#rrggbb": letters, digits,
 * '-', '_' and '#', at most 20. */
static enum result check_color(const char *color)
{
	const char *c;

	for (c = color; c != NULL && *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' ||
		      *c == '#'))
			return fail_with(RES_INVALID, "color_scheme may only hold "
					 "letters, digits, '-', '_' and '#'");
	if (color != NULL && strlen(color) > TAG_COLOR_MAX)
		return fail_with(RES_INVALID, "color_scheme must be at most 20 "
				 "characters");
	return RES_OK;
}

static enum result unique_name(enum result r)
{
	if (r == RES_CONFLICT)
		return fail_with(RES_CONFLICT, "you already have a tag with this name");
	return r;
}

enum result tag_list(struct arena *a, long owner, PGresult **out)
{
	const char *p[] = { db_int(a, owner) };

	return db_exec(a, &stmts[TAG_LIST], 1, p, out);
}

enum result tag_create(struct arena *a, long owner, const char *name,
		       const char *color, PGresult **out)
{
	const char *p[3];
	enum result r;

	if ((r = check_name(a, &name)) != RES_OK ||
	    (r = check_color(color)) != RES_OK)
		return r;
	p[0] = db_int(a, owner);
	p[1] = name;
	p[2] = color ? color : "generic";
	return unique_name(db_exec(a, &stmts[TAG_INSERT], 3, p, out));
}

enum result tag_update(struct arena *a, long owner, long id, const char *name,
		       const char *color, PGresult **out)
{
	const char *p[4];
	enum result r;

	if (name != NULL && *name != '\0' && (r = check_name(a, &name)) != RES_OK)
		return r;
	if ((r = check_color(color)) != RES_OK)
		return r;
	p[0] = db_int(a, id);
	p[1] = db_int(a, owner);
	p[2] = name && *name ? name : NULL;
	p[3] = color && *color ? color : NULL;
	r = unique_name(db_exec(a, &stmts[TAG_UPDATE], 4, p, out));
	if (r == RES_OK && PQntuples(*out) == 0)
		return fail_with(RES_NOT_FOUND, "tag not found");
	return r;
}

struct delete_ctx {
	long owner, id;
};

static enum result delete_tx(struct arena *a, void *ctx)
{
	struct delete_ctx *c = ctx;
	const char *p[] = { db_int(a, c->id), db_int(a, c->owner) };
	PGresult *res;
	enum result r;

	if ((r = db_exec(a, &stmts[TAG_LOCK], 2, p, &res)) != RES_OK)
		return r;
	if (PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "tag not found");
	if ((r = db_exec(a, &stmts[TAG_IN_USE_Q], 1, p, &res)) != RES_OK)
		return r;
	if (db_get_bool(res, 0, 0))
		return fail_with(RES_BAD_REQUEST, "tag is in use by connections "
				 "or posts; remove it from them first");
	return db_exec(a, &stmts[TAG_DELETE], 1, p, &res);
}

enum result tag_delete(struct arena *a, long owner, long id)
{
	struct delete_ctx c = { owner, id };

	return db_transaction(a, delete_tx, &c);
}

enum result tag_list_on(struct arena *a, long owner, long target,
			PGresult **out)
{
	const char *p[] = { db_int(a, owner), db_int(a, target) };

	return db_exec(a, &stmts[TAG_LIST_ON], 2, p, out);
}

enum result tag_put_on(struct arena *a, long owner, long target, long tag_id)
{
	const char *p[] = { db_int(a, owner), db_int(a, target),
			    db_int(a, tag_id) };
	PGresult *res;
	enum result r = db_exec(a, &stmts[TAG_PUT_ON], 3, p, &res);

	if (r == RES_CONFLICT)
		return fail_with(RES_CONFLICT, "this connection already has this tag");
	if (r == RES_OK && PQntuples(res) == 0)
		return fail_with(RES_NOT_FOUND, "tag not found");
	return r;
}

struct take_off_ctx {
	long owner, target, tag_id;
	int deleted;
};

static enum result take_off_tx(struct arena *a, void *ctx)
{
	struct take_off_ctx *c = ctx;
	const char *p[] = { db_int(a, c->owner), db_int(a, c->target),
			    db_int(a, c->tag_id) };
	PGresult *res;
	enum result r;

	if ((r = db_exec(a, &stmts[TAG_TAKE_OFF], 3, p, &res)) != RES_OK)
		return r;
	if (db_get_int(res, 0, 0) == 0)
		return fail_with(RES_NOT_FOUND, "tag not found");
	if (db_get_int(res, 0, 1) == 0)
		return fail_with(RES_NOT_FOUND, "this connection does not have "
				 "this tag");
	if ((r = db_exec(a, &stmts[TAG_DELETE_UNUSED], 1, p + 2, &res)) != RES_OK)
		return r;
	c->deleted = PQntuples(res) > 0;
	return RES_OK;
}

enum result tag_take_off(struct arena *a, long owner, long target, long tag_id,
			 int *deleted)
{
	struct take_off_ctx c = { owner, target, tag_id, 0 };
	enum result r = db_transaction(a, take_off_tx, &c);

	*deleted = c.deleted;
	return r;
}
