/*
 * Every route handler, grouped by the h_*.c file that holds it.  A handler
 * gets validated input in r->path_arg and r->arg, calls into lib/ once and
 * renders; the comment above each lists the statuses it answers.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

#include "route.h"

/* h_health.c */
handler_fn h_health, h_health_db, h_moderation_health, h_metrics;

/* h_users.c */
handler_fn h_me, h_set_bio;
extern const struct field bio_fields[];

#endif
