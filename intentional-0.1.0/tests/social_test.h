/*
 * Small helpers of the comment, reply, reaction and notification tests
 * (check_social_visibility, check_comments, check_replies,
 * check_reactions): formatting paths and bodies, reading JSON members, and
 * posts of "now" over the social fixtures (tests/fixtures_social.h).
 */
#ifndef SOCIAL_TEST_H
#define SOCIAL_TEST_H

#include <check.h>
#include <json-c/json.h>

#include "harness.h"

/*
 * printf into one of 16 rotating 32 KiB buffers, for the paths and bodies
 * of a request or two without freeing: tfmt("/comments/posts/%ld", id).
 */
const char *tfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Members of any JSON object (tests/harness.h's jstr() and jint() read a
 * response's top level): an integer (-1 if absent), a string or NULL, a
 * boolean (0 if absent); the length of an array (-1 if not one).
 */
long long jo_int(json_object *o, const char *key);
const char *jo_str(json_object *o, const char *key);
int jo_bool(json_object *o, const char *key);
int jo_len(json_object *o);

/* Item i of an array. */
json_object *jo_item(json_object *array, int i);

/* A post of author with audience 'all' (or audience), no photos. */
long post_of(long author);
long post_with(long author, const char *audience);

/* The list r answered holds exactly the objects of ids, in that order. */
void assert_ids(const http_resp *r, const long *ids, int n);

/*
 * A test case with a timeout whose tests write fixtures to the stack's
 * database and end with harness_cleanup(); main() is harness_run().
 */
TCase *social_tcase(const char *name, int timeout);

#endif
