#include "domain/config/config_tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool config_timezone_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 64)
		return false;
	bool start = true;
	for (const char *p = name; *p; p++) {
		char c = *p;
		bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		bool ok = letter || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
		if (c == '/') {
			if (start)
				return false;
			start = true;
			continue;
		}
		if (!ok || (p == name && !letter))
			return false;
		start = false;
	}
	return !start;
}

enum err config_timezone_check(const char *name, struct errinfo *ei)
{
	if (!config_timezone_name_ok(name))
		return err_set(ei, ERR_INVALID, "", "\"%s\" is not a time zone name like America/Toronto", name);
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return err_set(ei, ERR_UNSUPPORTED, "", "no time zone database at %s (install tzdata)", dir);
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(ei, errno == ENOENT || errno == ENOTDIR ? ERR_NOT_FOUND : ERR_INVALID, "",
			       "\"%s\" is not a known IANA time zone", name);
	unsigned char hdr[5];
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 44 &&
		  read(fd, hdr, sizeof hdr) == (ssize_t)sizeof hdr && !memcmp(hdr, "TZif", 4) &&
		  (hdr[4] == 0 || (hdr[4] >= '2' && hdr[4] <= '4'));
	close(fd);
	if (!ok)
		return err_set(ei, ERR_INVALID, "", "\"%s\" is not a known IANA time zone", name);
	return ERR_OK;
}
