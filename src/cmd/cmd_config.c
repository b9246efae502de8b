/* cmd_config.c — `radsched config validate FILE [--roster FILE]`.
 *
 * int cmd_config_validate(int argc, char **argv): argv[0] is the subcommand word
 * ("validate", ignored), then FILE and options; main() calls it as
 * cmd_config_validate(argc - 2, argv + 2) for `radsched config validate ...`.
 * Exit 0: valid (warnings, if any, printed as "warning: POINTER: CODE: message").
 * Exit 1: invalid; one line per problem on stdout, "POINTER: CODE: message".
 * Exit 2: bad arguments, unreadable file, unusable roster or schema (stderr).
 * The schema is read from config_schema_path() ($RADSCHED_SCHEMA, else
 * $RADSCHED_ROOT/config/..., else config/tenant-config.schema.json in the cwd). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "domain/config/config_validate.h"
#include "json/json_parse.h"

int cmd_config_validate(int argc, char **argv);

static int usage(void)
{
	fputs("usage: radsched config validate FILE [--roster FILE]\n", stderr);
	return 2;
}

/* Whole file, NUL-terminated, at most max bytes (caller frees); NULL when unreadable
 * (*too_big set when over max). */
static char *slurp(const char *path, size_t max, size_t *len, int *too_big)
{
	*too_big = 0;
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return NULL;
	char *p = xmalloc(max + 2);
	size_t n = fread(p, 1, max + 1, f);
	int bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (bad) {
		free(p);
		return NULL;
	}
	if (n > max)
		*too_big = 1;
	p[n] = 0;
	*len = n;
	return p;
}

static int load_roster(const char *path, struct arena *a, struct config_roster *roster)
{
	size_t len;
	int big;
	char *text = slurp(path, CONFIG_MAX_BYTES, &len, &big);
	if (!text) {
		fprintf(stderr, "radsched: cannot read roster %s\n", path);
		return -1;
	}
	json_t *j = NULL;
	struct errinfo ei;
	enum err e = big ? err_set(&ei, ERR_TOO_LARGE, "", "file too large")
			 : json_parse_strict(text, len, &(struct json_caps){CONFIG_MAX_BYTES, CONFIG_MAX_DEPTH}, &j, &ei);
	free(text);
	if (e == ERR_OK)
		e = config_roster_from_json(j, a, roster, &ei);
	json_decref(j);
	if (e != ERR_OK) {
		fprintf(stderr, "radsched: roster %s: %s%s%s\n", path, ei.path, *ei.path ? ": " : "", ei.message);
		return -1;
	}
	return 0;
}

int cmd_config_validate(int argc, char **argv)
{
	const char *file = NULL, *roster_path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--roster") && i + 1 < argc)
			roster_path = argv[++i];
		else if (!strncmp(argv[i], "--roster=", 9))
			roster_path = argv[i] + 9;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage();
		else if (argv[i][0] == '-' && argv[i][1])
			return usage();
		else if (!file)
			file = argv[i];
		else
			return usage();
	}
	if (!file)
		return usage();

	int rc = 2;
	struct arena *a = arena_new(0);
	struct config_validator *v = NULL;
	struct config_roster roster;
	size_t len = 0;
	int big;
	char *text = slurp(file, CONFIG_MAX_BYTES, &len, &big);
	if (!text) {
		fprintf(stderr, "radsched: cannot read %s\n", file);
		goto out;
	}
	if (roster_path && load_roster(roster_path, a, &roster) != 0)
		goto out;
	struct errinfo ei;
	if (config_validator_load(NULL, &v, &ei) != ERR_OK) {
		fprintf(stderr, "radsched: schema %s: %s%s%s\n", config_schema_path(), ei.path, *ei.path ? ": " : "",
			ei.message);
		goto out;
	}
	struct config_report rep;
	enum err e;
	if (big) {
		config_report_init(&rep, a);
		config_report_add(&rep, CONFIG_ERROR, "", "JSON_TOO_LARGE", "the file is larger than %zu bytes",
				  (size_t)CONFIG_MAX_BYTES);
		e = ERR_INVALID;
	} else {
		e = config_validate_text(v, text, len, roster_path ? &roster : NULL, a, &rep, NULL);
	}
	struct buf b;
	buf_init(&b, 0);
	RS_IGNORE(config_report_format(&rep, &b)); /* uncapped buffer: cannot fail */
	fputs(b.data ? b.data : "", stdout);
	buf_fini(&b);
	fprintf(stderr, "%s: %s (%zu error%s, %zu warning%s)\n", file, e == ERR_OK ? "valid" : "invalid", rep.n_errors,
		rep.n_errors == 1 ? "" : "s", rep.n_warnings, rep.n_warnings == 1 ? "" : "s");
	rc = e == ERR_OK ? 0 : 1;
out:
	free(text);
	config_validator_free(v);
	arena_free(a);
	return rc;
}
