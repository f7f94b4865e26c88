/*
 * CORS for the browser clients, which run on another origin and send
 * Authorization and JSON on every call (spec 1.7).  Allowed origins come
 * from CORS_ORIGINS (OBSERVABILITY_CORS_ORIGINS for moderation).
 */
#ifndef CORS_H
#define CORS_H

struct req;

/* Adds the CORS headers for an actual response from an allowed origin. */
void cors_add_headers(struct req *r);

/* Whether r is a pre-flight; if so it has been answered (200 or 400). */
int cors_preflight(struct req *r);

#endif
