/*
 * Text rules of user input: trimming as the original's Python str.strip()
 * does, and lengths in code points (API.md 1.2).
 */
#ifndef TEXT_H
#define TEXT_H

struct arena;

/*
 * A copy of valid UTF-8 s without leading and trailing white space, where
 * white space is what Python's str.isspace() calls so (ASCII blanks,
 * U+001C..U+001F, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000).
 */
char *text_strip(struct arena *a, const char *s);

/*
 * Trims s into *out and checks 1..max code points.  Returns 0, or -1 when
 * it is empty after trimming or longer than max.
 */
int text_trimmed(struct arena *a, const char *s, long max, const char **out);

#endif
