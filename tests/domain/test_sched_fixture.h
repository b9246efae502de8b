/* test_sched_fixture.h — a migrated database with the demo department (roster and config
 * of config/demo/) for the scheduling-domain tests. Static helpers: include in one test
 * file only. */
#ifndef RS_TESTS_SCHED_FIXTURE_H
#define RS_TESTS_SCHED_FIXTURE_H

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "db/db.h"
#include "domain/config_store.h"
#include "domain/people.h"
#include "json/json_parse.h"
#include "testdb.h"

struct fx {
	struct testdb t;
	struct db *db;
	struct arena *a;
	char tenant[37];
	char admin[37];
};

/* Begin a transaction as the department's admin (actor USER, request id "req-test"). */
static void fx_begin(struct fx *f)
{
	struct errinfo ei = {0};
	struct db_ctx ctx = {.tenant_id = f->tenant, .user_id = f->admin[0] ? f->admin : NULL, .actor = DB_ACTOR_USER,
			     .request_id = "req-test"};
	ck_assert_msg(db_begin(f->db, &ctx, &ei) == ERR_OK, "begin: %s", ei.message);
}

static void fx_commit(struct fx *f)
{
	struct errinfo ei = {0};
	ck_assert_msg(db_commit(f->db, &ei) == ERR_OK, "commit: %s", ei.message);
}

/* A department `slug` with the demo roster and config (time zone tz when not NULL). */
static void fx_tenant(struct fx *f, const char *slug, const char *tz)
{
	struct errinfo ei = {0};
	struct db_res *r;
	json_t *cfg = test_json_file("config/demo/lakeside.json"), *roster = test_json_file("config/demo/roster.json");
	if (tz)
		json_object_set_new(cfg, "timezone", json_string(tz));
	ck_assert_int_eq(db_begin(f->db, &(struct db_ctx){.actor = DB_ACTOR_SYSTEM}, &ei), ERR_OK);
	ck_assert_int_eq(DB_EXEC(f->db, f->a, &r, &ei, "SELECT tenant_create($1, 'Test department', $2) AS id", slug,
				 tz ? tz : "America/Toronto"),
			 ERR_OK);
	snprintf(f->tenant, sizeof f->tenant, "%s", db_res_val(r, 0, "id"));
	fx_commit(f);
	f->admin[0] = 0;
	ck_assert_int_eq(db_begin(f->db, &(struct db_ctx){.tenant_id = f->tenant, .actor = DB_ACTOR_SYSTEM}, &ei), ERR_OK);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(roster, "people"), i, p)
	{
		struct person_in in;
		char id[37];
		ck_assert_int_eq(person_from_json(p, f->a, &in, &ei), ERR_OK);
		ck_assert_msg(person_create(f->db, f->a, &in, id, &ei) == ERR_OK, "person: %s", ei.message);
		if (!strcmp(in.role, "ADMIN") && !f->admin[0])
			snprintf(f->admin, sizeof f->admin, "%s", id);
	}
	int number = 0;
	ck_assert_msg(config_store_save(f->db, f->a, cfg, "demo", 0, &number, &ei) == ERR_OK, "config: %s %s", ei.path,
		      ei.message);
	ck_assert_int_eq(number, 1);
	fx_commit(f);
	json_decref(cfg);
	json_decref(roster);
}

static void fx_open(struct fx *f, const char *prefix)
{
	memset(f, 0, sizeof *f);
	ck_assert_msg(testdb_create(prefix, &f->t) == 0, "cannot create test database");
	config_store_set_share_dir(test_root());
	struct errinfo ei = {0};
	ck_assert_msg(db_connect(f->t.app, &f->db, &ei) == ERR_OK, "connect: %s", ei.message);
	f->a = arena_new(0);
	fx_tenant(f, "lakeside", NULL);
}

static void fx_close(struct fx *f)
{
	db_close(f->db);
	arena_free(f->a);
}

/* The id of the person with this e-mail in the current tenant (inside a transaction). */
__attribute__((unused)) static const char *fx_user(struct fx *f, const char *email)
{
	struct errinfo ei = {0};
	struct db_res *r;
	ck_assert_int_eq(DB_EXEC(f->db, f->a, &r, &ei, "SELECT id FROM users WHERE lower(email) = lower($1)", email), ERR_OK);
	ck_assert_msg(db_res_rows(r) == 1, "no person %s", email);
	return arena_strdup(f->a, db_res_val(r, 0, "id"));
}

/* A single number from the database as the superuser (bypasses RLS). */
__attribute__((unused)) static long fx_count(struct fx *f, const char *fmt, ...) RS_PRINTF(2, 3);
static long fx_count(struct fx *f, const char *fmt, ...)
{
	char sql[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return testdb_super_long(&f->t, sql);
}

#endif
