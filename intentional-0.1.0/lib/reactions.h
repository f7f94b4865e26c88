/*
 * Reactions (API.md 4.11, rule 6.10): one per (post, member).  Every call
 * first checks that the caller may see the post (6.3) and answers
 * RES_NOT_FOUND otherwise.  Results are the response bodies; reply_json()
 * takes them over.
 */
#ifndef REACTIONS_H
#define REACTIONS_H

#include <json-c/json.h>

#include "result.h"

struct arena;

#define MAX_EMOJI_CHARS 10

/*
 * Sets viewer's reaction to emoji trimmed (1..10 code points, else
 * RES_BAD_REQUEST); a change keeps the reaction's id and created_at.
 * *out: the Reaction.
 */
enum result reaction_set(struct arena *a, long viewer, long post_id,
			 const char *emoji, json_object **out);

/*
 * Every reaction of the post, oldest first; reactors who are not the
 * viewer nor connected to them are anonymous ("user": null, "user_id": 0)
 * unless the viewer wrote the post (route 40 correction).
 */
enum result reaction_list(struct arena *a, long viewer, long post_id,
			  json_object **out);

/* Removes viewer's reaction; RES_NOT_FOUND when there is none. */
enum result reaction_delete(struct arena *a, long viewer, long post_id);

/*
 * The reactors viewer may name (route 43): all for the post's author;
 * for others, themself and those connected both to them and to the
 * post's author (or who are the post's author).  With emoji non-NULL,
 * only those with that exact emoji, as {"emoji", "reactors": [...]}
 * (route 42); else [{"user", "emoji"}].
 */
enum result reaction_reactors(struct arena *a, long viewer, long post_id,
			      const char *emoji, json_object **out);

#endif
