#include "web/roles.h"

#include <string.h>

static const char *const names[] = {[ROLE_PUBLIC] = "PUBLIC", [ROLE_RAD] = "RAD", [ROLE_CHIEF] = "CHIEF",
				    [ROLE_ADMIN] = "ADMIN", [ROLE_SUPER_ADMIN] = "SUPER_ADMIN"};

int role_from_name(const char *name)
{
	if (!name)
		return 0;
	for (int r = ROLE_RAD; r <= ROLE_SUPER_ADMIN; r++)
		if (!strcmp(names[r], name))
			return r;
	return 0;
}

const char *role_name(int role)
{
	return role >= ROLE_PUBLIC && role <= ROLE_SUPER_ADMIN ? names[role] : "NONE";
}
