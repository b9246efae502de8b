#include "cmd/argflags.h"

#include <string.h>

static void drop(int *argc, char **argv, int i, int n)
{
	for (int k = i; k + n < *argc; k++)
		argv[k] = argv[k + n];
	*argc -= n;
}

int take_value(int *argc, char **argv, const char *flag, const char **value)
{
	size_t fl = strlen(flag);
	for (int i = 1; i < *argc; i++) {
		if (!strncmp(argv[i], flag, fl) && argv[i][fl] == '=') {
			*value = argv[i] + fl + 1;
			drop(argc, argv, i, 1);
			return 1;
		}
		if (!strcmp(argv[i], flag)) {
			if (i + 1 >= *argc)
				return -1;
			*value = argv[i + 1];
			drop(argc, argv, i, 2);
			return 1;
		}
	}
	return 0;
}

bool take_switch(int *argc, char **argv, const char *flag)
{
	for (int i = 1; i < *argc; i++)
		if (!strcmp(argv[i], flag)) {
			drop(argc, argv, i, 1);
			return true;
		}
	return false;
}
