/*
 * Serving one request: parse, pre-flight, route, authenticate, validate,
 * handle, then log and count.  Handlers only see validated input.
 */
#ifndef DISPATCH_H
#define DISPATCH_H

struct req;
struct route_table;

void dispatch(struct req *r, const struct route_table *t);

/* Front-line authentication for r->route; 0, or -1 after replying. */
int authenticate(struct req *r);

#endif
