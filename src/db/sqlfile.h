/* sqlfile.h — read a SQL file (capped at 4 MiB, must be UTF-8) into an arena string. */
#ifndef RS_DB_SQLFILE_H
#define RS_DB_SQLFILE_H

#include "base/arena.h"

enum err sqlfile_read(const char *path, struct arena *a, char **out, struct errinfo *ei) RS_MUST_CHECK;

#endif
