/* roles.h — the RBAC ladder every route declares its minimum of. Higher includes lower:
 * SUPER_ADMIN ⊃ ADMIN ⊃ CHIEF ⊃ RAD. ROLE_PUBLIC routes need no sign-in. Values are
 * non-zero because the router refuses HTTP_ROLE_UNDECLARED (0): deny by default. */
#ifndef RS_WEB_ROLES_H
#define RS_WEB_ROLES_H

enum role { ROLE_PUBLIC = 1, ROLE_RAD, ROLE_CHIEF, ROLE_ADMIN, ROLE_SUPER_ADMIN };

/* "RAD" → ROLE_RAD …; 0 for anything else. */
int role_from_name(const char *name);
const char *role_name(int role);

#endif
