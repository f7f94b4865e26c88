/*
 * The two services and the route groups each serves.  Every h_*.c file
 * exports one group with its routes, fields and handlers together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "route.h"

static const struct route_group *const main_groups[] = {
	&health_routes,
	&auth_routes,
	&users_routes,
	&connections_routes,
	&tags_routes,
	&media_routes,
	&comments_routes,
	&reactions_routes,
	&notifications_routes,
	&posts_routes,
	&feed_routes,
	NULL,
};

static const struct route_group *const moderation_groups[] = {
	&moderation_health_routes,
	&moderation_auth_routes,
	&moderation_admin_routes,
	NULL,
};

struct route_table main_service = { main_groups, NULL, 0, NULL };
struct route_table moderation_service = { moderation_groups, NULL, 0, NULL };

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL) {
		fputs("out of memory\n", stderr);
		abort();
	}
	return p;
}

static char *label_of(const struct route *rt)
{
	size_t n = strlen(rt->pattern) + 10;
	char *label = xcalloc(n, 1);

	snprintf(label, n, "%s %s", method_str(rt->method), rt->pattern);
	return label;
}

void route_table_init(struct route_table *t)
{
	int g, i, n = 0;

	for (g = 0; t->groups[g] != NULL; g++)
		n += t->groups[g]->count;
	t->routes = xcalloc((size_t)n, sizeof(struct route));
	t->labels = xcalloc((size_t)n, sizeof(char *));
	t->count = 0;
	for (g = 0; t->groups[g] != NULL; g++)
		for (i = 0; i < t->groups[g]->count; i++) {
			t->routes[t->count] = t->groups[g]->routes[i];
			t->labels[t->count] = label_of(&t->routes[t->count]);
			t->count++;
		}
}

void route_table_free(struct route_table *t)
{
	int i;

	for (i = 0; t->labels != NULL && i < t->count; i++)
		free((char *)t->labels[i]);
	free(t->labels);
	free(t->routes);
	t->labels = NULL;
	t->routes = NULL;
	t->count = 0;
}
