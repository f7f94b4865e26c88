/*
 * The route groups of the h_*.c files.  Each file keeps a group's routes,
 * field tables and handlers together; a handler gets validated input in
 * r->path_arg and r->arg, calls into lib/ once and renders, and the comment
 * above it lists the statuses it answers.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

#include "route.h"

extern const struct route_group health_routes;		/* h_health.c */
extern const struct route_group moderation_health_routes;
extern const struct route_group auth_routes;		/* h_auth.c */
extern const struct route_group moderation_auth_routes;
extern const struct route_group moderation_admin_routes; /* h_moderation.c */
extern const struct route_group users_routes;		/* h_users.c */
extern const struct route_group connections_routes;	/* h_connections.c */
extern const struct route_group tags_routes;		/* h_tags.c */
extern const struct route_group media_routes;		/* h_media.c */
extern const struct route_group comments_routes;	/* h_comments.c */
extern const struct route_group reactions_routes;	/* h_reactions.c */
extern const struct route_group notifications_routes;	/* h_notifications.c */
extern const struct route_group posts_routes;		/* h_posts.c */
extern const struct route_group feed_routes;		/* h_feed.c */

#endif
