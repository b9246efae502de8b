#include "db/sqlfile.h"

#include <stdio.h>
#include <string.h>

#include "base/strutil.h"

#define SQLFILE_MAX (4u << 20)

enum err sqlfile_read(const char *path, struct arena *a, char **out, struct errinfo *ei)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(ei, ERR_IO, path, "cannot read %s", path);
	char *buf = arena_alloc(a, SQLFILE_MAX + 1);
	size_t n = fread(buf, 1, SQLFILE_MAX + 1, f);
	fclose(f);
	if (n > SQLFILE_MAX)
		return err_set(ei, ERR_TOO_LARGE, path, "%s is larger than 4 MiB", path);
	buf[n] = 0;
	if (!str_utf8_valid(buf, n) || memchr(buf, 0, n))
		return err_set(ei, ERR_INVALID, path, "%s is not UTF-8 text", path);
	*out = buf;
	return ERR_OK;
}
