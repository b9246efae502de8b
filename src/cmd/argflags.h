/* argflags.h — command-specific flags taken out of argv before the shared options parse.
 * take_value("--status", &v) removes "--status X" or "--status=X"; take_switch removes
 * "--dry-run". Return -1 when the flag is present without its value. */
#ifndef RS_CMD_ARGFLAGS_H
#define RS_CMD_ARGFLAGS_H

#include <stdbool.h>

int take_value(int *argc, char **argv, const char *flag, const char **value);
bool take_switch(int *argc, char **argv, const char *flag);

#endif
