/* cmd_routes.c — `radsched routes [--json]`: every route with its minimum role, the
 * permission matrix of docs/security.md (Markdown by default). Needs only the share dir. */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/runtime.h"
#include "web/app.h"
#include "web/auth/auth_routes.h"

int cmd_routes(int argc, char **argv)
{
	bool json = false;
	char *rest[64];
	int n = 0;
	for (int i = 1; i < argc && n < 64; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else
			rest[n++] = argv[i];
	}
	struct runtime rt = {0};
	int rc = options_parse(n, rest, 1ull << OPT_SHARE_DIR, &rt.opts);
	if (rc)
		return rc;
	if (rt.opts.nrest) {
		fprintf(stderr, "usage: radsched routes [--json] [--share-dir DIR]\n");
		return 2;
	}
	if ((rc = runtime_find_share_dir(&rt.opts, rt.share_dir, sizeof rt.share_dir)))
		return rc;
	struct platform pf = {.share_dir = rt.share_dir, .base_url = "", .secret = ""};
	struct web_app *app;
	struct errinfo ei = {0};
	if (web_app_new(&pf, &app, &ei)) {
		fprintf(stderr, "radsched routes: %s\n", ei.message);
		return 1;
	}
	struct buf b;
	buf_init(&b, 0);
	enum err e = json ? web_route_matrix_json(web_app_router(app), &b) : web_route_matrix_markdown(web_app_router(app), &b);
	if (!e)
		fwrite(b.data, 1, b.len, stdout);
	buf_fini(&b);
	web_app_free(app);
	return e ? 1 : 0;
}
