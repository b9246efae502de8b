#include "cmd/seed.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "domain/config_store.h"
#include "domain/people.h"
#include "domain/schedule_seed.h"
#include "json/json_parse.h"
#include "web/auth/auth_magic.h"

static json_t *load_json(const char *share, const char *rel, struct errinfo *ei)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%s", share, rel);
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		err_set(ei, ERR_INVALID, rel, "%s:%d: %s", rel, je.line, je.text);
	return j;
}

struct seed_args {
	struct platform *pf;
	json_t *config, *roster;
	struct seed_result *out;
};

static enum err seed_tenant(struct db *db, void *arg, struct errinfo *ei)
{
	struct seed_args *s = arg;
	struct arena *a = arena_new(0);
	struct db_res *r;
	enum err e = DB_EXEC0(db, a, &r, ei, "SELECT id FROM tenant_by_slug('demo')");
	if (!e && db_res_rows(r) == 1) {
		snprintf(s->out->tenant_id, sizeof s->out->tenant_id, "%s", db_res_val(r, 0, "id"));
		arena_free(a);
		return ERR_OK;
	}
	const char *tz = json_string_value(json_object_get(s->config, "timezone"));
	const char *name = json_string_value(json_object_get(json_object_get(s->config, "department"), "name"));
	if (!e)
		e = DB_EXEC(db, a, &r, ei, "SELECT tenant_create('demo', $1, $2) AS id", name ? name : "Lakeside Radiology",
			    tz ? tz : "America/Toronto");
	if (!e) {
		snprintf(s->out->tenant_id, sizeof s->out->tenant_id, "%s", db_res_val(r, 0, "id"));
		s->out->created = true;
	}
	arena_free(a);
	return e;
}

static enum err seed_content(struct db *db, void *arg, struct errinfo *ei)
{
	struct seed_args *s = arg;
	struct arena *a = arena_new(0);
	enum err e = ERR_OK;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(s->roster, "people"), i, p)
	{
		struct person_in in;
		char id[37];
		if ((e = person_from_json(p, a, &in, ei)) || (e = person_create(db, a, &in, id, ei)))
			break;
		if (!strcmp(in.role, "ADMIN") && !s->out->admin_id[0])
			snprintf(s->out->admin_id, sizeof s->out->admin_id, "%s", id);
	}
	int number = 0;
	if (!e)
		e = config_store_save(db, a, s->config, "Demo department configuration", 0, &number, ei);
	arena_free(a);
	return e;
}

int seed_demo(struct platform *pf, struct seed_result *out)
{
	memset(out, 0, sizeof *out);
	struct errinfo ei = {0};
	struct seed_args s = {.pf = pf, .out = out};
	s.config = load_json(pf->share_dir, "config/demo/lakeside.json", &ei);
	s.roster = s.config ? load_json(pf->share_dir, "config/demo/roster.json", &ei) : NULL;
	enum err e = s.roster ? ERR_OK : ERR_INVALID;
	if (!e)
		e = db_with_tx(pf->pool, &(struct db_ctx){.actor = DB_ACTOR_SYSTEM}, seed_tenant, &s, &ei);
	if (!e && out->created)
		e = db_with_tx(pf->pool, &(struct db_ctx){.tenant_id = out->tenant_id, .actor = DB_ACTOR_SYSTEM}, seed_content,
			       &s, &ei);
	if (!e)
		e = schedule_seed_months(pf->pool, out->tenant_id, 2, &ei); /* published current and next month */
	json_decref(s.config);
	json_decref(s.roster);
	if (e) {
		fprintf(stderr, "radsched: demo department: %s%s%s\n", ei.path, ei.path[0] ? ": " : "", ei.message);
		return 1;
	}
	log_kv(LOG_INFO, out->created ? "demo department created" : "demo department present", "tenant", "demo", NULL);
	return 0;
}

void seed_print_welcome(struct platform *pf, const struct seed_result *s, FILE *f)
{
	fprintf(f, "Demo department: Lakeside Radiology (tenant \"demo\"); admin admin@lakeside.example, chief chief@lakeside.example\n");
	fprintf(f, "Sign in at %s/login (links arrive as files in %s/outbox/)\n", pf->base_url, pf->data_dir);
	/* dev only: a fresh single-use link for the demo admin, no email needed */
	struct auth_magic_issue m = {.tenant_id = s->tenant_id, .email = "admin@lakeside.example", .next = "/",
				     .ip = "127.0.0.1"};
	struct errinfo ei = {0};
	if (s->tenant_id[0] && auth_magic_link_issue(pf, &m, NULL, &ei) == ERR_OK)
		fprintf(f, "Sign in as the demo admin (works once, for 15 minutes): %s\n", m.url);
	else
		log_kv(LOG_WARN, "no sign-in link for the demo admin", "error", ei.message, NULL);
}
