#include <string.h>
#include <strings.h>

#include "csvlist.h"

int csv_contains(const char *list, const char *item, int ignore_case)
{
	size_t n;

	if (list == NULL || item == NULL || (n = strlen(item)) == 0)
		return 0;
	while (*list != '\0') {
		const char *end = strchr(list, ',');
		size_t len = end ? (size_t)(end - list) : strlen(list);

		while (len > 0 && *list == ' ') {
			list++;
			len--;
		}
		while (len > 0 && list[len - 1] == ' ')
			len--;
		if (len == n && (ignore_case ? strncasecmp(list, item, n)
					     : strncmp(list, item, n)) == 0)
			return 1;
		if (end == NULL)
			break;
		list = end + 1;
	}
	return 0;
}
