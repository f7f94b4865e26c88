/* Reactions: routes 39-43 of API.md (4.11). */
#include "handlers.h"
#include "reactions.h"
#include "reply.h"

enum { REACTION_EMOJI };
static const struct field reaction_fields[] = {
	[REACTION_EMOJI] = { "emoji", F_STR, REQUIRED, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL },
};

/*
 * POST /reactions/posts/{post_id} {"emoji"}: 201 Reaction (new or
 * changed); 400 emoji empty after trimming or over 10 characters; 404 no
 * post the caller may see; 422 malformed id or body.
 */
static void h_set_reaction(struct req *r)
{
	json_object *out = NULL;
	enum result res = reaction_set(r->arena, r->user.id, r->path_arg[0].i,
				       r->arg[REACTION_EMOJI].s, &out);

	reply_outcome(r, res, 201, out);
}

/*
 * GET /reactions/posts/{post_id}: 200 [Reaction], oldest first, strangers
 * anonymous; 404 no post the caller may see; 422 id.
 */
static void h_list_reactions(struct req *r)
{
	reply_id_call(r, reaction_list);
}

/*
 * DELETE /reactions/posts/{post_id}: 204; 404 no post the caller may see,
 * or no reaction of the caller on it; 422 id.
 */
static void h_delete_reaction(struct req *r)
{
	enum result res = reaction_delete(r->arena, r->user.id, r->path_arg[0].i);

	if (res == RES_OK)
		reply_no_content(r);
	else
		reply_result(r, res);
}

/*
 * GET /reactions/posts/{post_id}/emoji/{emoji}/reactors: 200 {"emoji",
 * "reactors"} with that exact (percent-decoded) emoji; 404; 422 id or a
 * malformed escape.
 */
static void h_emoji_reactors(struct req *r)
{
	json_object *out = NULL;
	enum result res = reaction_reactors(r->arena, r->user.id,
					    r->path_arg[0].i, r->path_arg[1].s,
					    &out);

	reply_outcome(r, res, 200, out);
}

/*
 * GET /reactions/posts/{post_id}/reactors: 200 [{"user", "emoji"}] the
 * caller may name, always with their own; 404; 422 id.
 */
static void h_reactors(struct req *r)
{
	json_object *out = NULL;
	enum result res = reaction_reactors(r->arena, r->user.id,
					    r->path_arg[0].i, NULL, &out);

	reply_outcome(r, res, 200, out);
}

static const struct route routes[] = {
	{ M_POST, "/reactions/posts/{post_id:int}", h_set_reaction, AUTH_USER,
	  BODY_JSON, reaction_fields },
	{ M_GET, "/reactions/posts/{post_id:int}", h_list_reactions, AUTH_USER,
	  BODY_NONE, NULL },
	{ M_DELETE, "/reactions/posts/{post_id:int}", h_delete_reaction,
	  AUTH_USER, BODY_NONE, NULL },
	{ M_GET, "/reactions/posts/{post_id:int}/emoji/{emoji:str}/reactors",
	  h_emoji_reactors, AUTH_USER, BODY_NONE, NULL },
	{ M_GET, "/reactions/posts/{post_id:int}/reactors", h_reactors,
	  AUTH_USER, BODY_NONE, NULL },
};
const struct route_group reactions_routes = ROUTE_GROUP(routes);
