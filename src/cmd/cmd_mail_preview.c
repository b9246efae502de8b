/* cmd_mail_preview.c — `radsched mail-preview TEMPLATE [--templates DIR]`: render one mail
 * template with its sample payload and print it (headers, text part, HTML part).
 * Exit 0 on success, 2 for a usage error or an unknown template, 1 when rendering fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "integrations/mail/mail_render.h"

int cmd_mail_preview(int argc, char **argv);

static void usage(FILE *f)
{
	fputs("usage: radsched mail-preview TEMPLATE [--templates DIR]\n"
	      "  DIR defaults to $RADSCHED_TEMPLATES_DIR, else templates/mail\n"
	      "  templates:",
	      f);
	for (const char *const *n = mail_template_names(); *n; n++)
		fprintf(f, " %s", *n);
	fputc('\n', f);
}

int cmd_mail_preview(int argc, char **argv)
{
	const char *name = NULL, *dir = getenv("RADSCHED_TEMPLATES_DIR");
	if (!dir || !*dir)
		dir = "templates/mail";
	/* argv[0] is the subcommand itself */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--templates") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strncmp(argv[i], "--templates=", 12)) {
			dir = argv[i] + 12;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || name) {
			fprintf(stderr, "mail-preview: unexpected argument \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		} else {
			name = argv[i];
		}
	}
	if (!name) {
		usage(stderr);
		return 2;
	}
	if (!mail_template_known(name)) {
		fprintf(stderr, "mail-preview: unknown template \"%s\" (radsched mail-preview --help lists them)\n", name);
		return 2;
	}
	struct arena *a = arena_new(0);
	struct mail_rendered m;
	struct errinfo ei = {0};
	enum err e = mail_render_sample(dir, name, a, &m, &ei);
	if (e) {
		fprintf(stderr, "mail-preview: %s: %s\n", err_name(e), ei.message);
		arena_free(a);
		return e == ERR_NOT_FOUND || e == ERR_INVALID ? 2 : 1;
	}
	printf("Subject: %s\n"
	       "From: %s <notifications@radsched.invalid>\n"
	       "To: %s\n"
	       "X-Radsched-Template: %s (sample data)\n"
	       "\n==== text/plain ====\n%s"
	       "\n==== text/html ====\n%s",
	       m.subject, m.from_name, m.to, name, m.text, m.html);
	arena_free(a);
	return fflush(stdout) == 0 ? 0 : 1;
}
