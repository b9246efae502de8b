#include "domain/config_store.h"

#include <stdio.h>
#include <stdlib.h>

enum err config_store_save(struct db *db, struct arena *a, const json_t *doc, const char *message, int expected_base,
			   int *number, struct errinfo *ei)
{
	struct db_res *r;
	enum err e = DB_EXEC0(db, a, &r, ei, "SELECT config_version FROM tenants WHERE id = app_tenant() FOR UPDATE");
	if (e)
		return e;
	if (db_res_rows(r) != 1)
		return err_set(ei, ERR_NOT_FOUND, "", "no tenant in this context");
	int current = (int)db_res_ll(r, 0, "config_version", 0);
	if (expected_base && expected_base != current)
		return err_set(ei, ERR_CONFLICT, "/baseVersion",
			       "the configuration changed since version %d: the current version is %d", expected_base, current);
	char *text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (!text)
		return err_set(ei, ERR_INVALID, "", "the configuration cannot be encoded");
	char num[16], parent[16];
	snprintf(num, sizeof num, "%d", current + 1);
	snprintf(parent, sizeof parent, "%d", current);
	e = DB_EXEC(db, a, NULL, ei,
		    "INSERT INTO config_versions (tenant_id, number, parent_number, actor_kind, actor_user_id, message, document)"
		    " VALUES (app_tenant(), $1::int, nullif($2::int, 0), app_actor(), app_user(), $3, $4::jsonb)",
		    num, parent, message ? message : "", text);
	free(text);
	if (!e)
		e = DB_EXEC(db, a, NULL, ei, "UPDATE tenants SET config_version = $1::int WHERE id = app_tenant()", num);
	if (!e)
		*number = current + 1;
	return e;
}
