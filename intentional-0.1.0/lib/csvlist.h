/* Comma-separated settings such as CORS_ORIGINS and MODERATOR_EMAILS. */
#ifndef CSVLIST_H
#define CSVLIST_H

/* Whether item equals one entry of list (entries trimmed of spaces). */
int csv_contains(const char *list, const char *item, int ignore_case);

#endif
