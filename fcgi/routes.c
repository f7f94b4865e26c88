#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "route.h"

/* ---- the main service (API.md section A) ---- */

static const struct route main_routes[] = {
	{ M_GET, "/auth/me", h_me, AUTH_USER, BODY_NONE, NULL },
	{ M_PUT, "/auth/me/bio", h_set_bio, AUTH_USER, BODY_JSON, bio_fields },
	{ M_GET, "/health", h_health, AUTH_NONE, BODY_NONE, NULL },
	{ M_GET, "/health/db", h_health_db, AUTH_NONE, BODY_NONE, NULL },
	{ M_GET, "/metrics", h_metrics, AUTH_NONE, BODY_NONE, NULL },
};

/* ---- the moderation service (API.md section B) ---- */

static const struct route moderation_routes[] = {
	{ M_GET, "/health", h_moderation_health, AUTH_NONE, BODY_NONE, NULL },
	{ M_GET, "/metrics", h_metrics, AUTH_NONE, BODY_NONE, NULL },
};

#define TABLE(routes) { routes, (int)(sizeof(routes) / sizeof(routes[0])), NULL }

struct route_table main_service = TABLE(main_routes);
struct route_table moderation_service = TABLE(moderation_routes);

void route_table_init(struct route_table *t)
{
	int i;

	t->labels = calloc((size_t)t->count, sizeof(char *));
	for (i = 0; t->labels != NULL && i < t->count; i++) {
		const struct route *rt = &t->routes[i];
		size_t n = strlen(rt->pattern) + 10;

		t->labels[i] = malloc(n);
		if (t->labels[i] != NULL)
			snprintf((char *)t->labels[i], n, "%s %s",
				 method_str(rt->method), rt->pattern);
	}
}

void route_table_free(struct route_table *t)
{
	int i;

	for (i = 0; t->labels != NULL && i < t->count; i++)
		free((char *)t->labels[i]);
	free(t->labels);
	t->labels = NULL;
}
