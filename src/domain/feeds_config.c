/* feeds_config.c — the feed-relevant part of a tenant config, parsed once per version. */
#include "domain/feeds_config.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "ics/ics_feed.h"

struct cfg_box {
	struct feed_config cfg;
	struct arena *mem;
	atomic_int refs;
	unsigned long long used; /* last use tick, for eviction */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct cfg_box *slots[FEEDS_CONFIG_CACHE_MAX];
static size_t nslots;
static unsigned long long tick;

static void box_unref(struct cfg_box *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
		arena_free(b->mem);
		free(b);
	}
}

static void box_unref_cb(void *p) { box_unref(p); }

static int shift_cmp(const void *a, const void *b)
{
	return strcmp(((const struct feed_shift *)a)->code, ((const struct feed_shift *)b)->code);
}

static const char *dup_str(struct arena *m, const json_t *v)
{
	const char *s = json_string_value(v);
	return s ? arena_strdup(m, s) : NULL;
}

/* Fill b->cfg from doc (NULL = no config). Never fails on missing members: defaults. */
static void fill(struct cfg_box *b, const json_t *doc)
{
	struct feed_config *c = &b->cfg;
	c->summary_format = ICS_DEFAULT_SUMMARY_FORMAT;
	c->refresh_seconds = ICS_DEFAULT_REFRESH_SECONDS;
	if (!doc)
		return;
	c->department = dup_str(b->mem, json_object_get(json_object_get(doc, "department"), "name"));
	const char *fmt = json_string_value(
		json_object_get(json_object_get(json_object_get(doc, "integrations"), "calendar"), "eventSummaryFormat"));
	if (fmt) {
		struct errinfo ei = {0};
		if (ics_summary_format_check(fmt, &ei) == ERR_OK)
			c->summary_format = arena_strdup(b->mem, fmt);
		else
			log_kv(LOG_WARN, "eventSummaryFormat refused; feeds use the default", "error", ei.message, NULL);
	}
	json_t *mins = json_object_get(json_object_get(doc, "ics"), "refreshIntervalMinutes");
	if (json_is_integer(mins) && json_integer_value(mins) >= 1 &&
	    json_integer_value(mins) * 60 <= ICS_REFRESH_MAX_SECONDS) {
		long long s = json_integer_value(mins) * 60;
		c->refresh_seconds = (int)(s < ICS_REFRESH_MIN_SECONDS ? ICS_REFRESH_MIN_SECONDS : s);
	}
	const json_t *subs = json_object_get(doc, "subspecialties");
	const json_t *types = json_object_get(doc, "shiftTypes");
	size_t n = json_array_size(types);
	c->shifts = arena_alloc(b->mem, (n ? n : 1) * sizeof *c->shifts);
	for (size_t i = 0; i < n; i++) {
		const json_t *t = json_array_get(types, i);
		const char *code = json_string_value(json_object_get(t, "code"));
		if (!code)
			continue;
		struct feed_shift *s = &c->shifts[c->nshifts++];
		s->code = arena_strdup(b->mem, code);
		const char *name = json_string_value(json_object_get(t, "name"));
		s->name = arena_strdup(b->mem, name ? name : code);
		const char *sub = json_string_value(json_object_get(t, "subspecialty"));
		s->subspecialty = NULL;
		if (sub) {
			size_t k;
			const json_t *x;
			json_array_foreach(subs, k, x)
			{
				const char *xc = json_string_value(json_object_get(x, "code"));
				const char *xn = json_string_value(json_object_get(x, "name"));
				if (xc && xn && !strcmp(xc, sub)) {
					s->subspecialty = arena_strdup(b->mem, xn);
					break;
				}
			}
			if (!s->subspecialty)
				s->subspecialty = arena_strdup(b->mem, sub);
		} else {
			s->subspecialty = s->name;
		}
		const json_t *busy = json_object_get(t, "showAsBusy");
		s->transparent = json_is_false(busy);
	}
	qsort(c->shifts, c->nshifts, sizeof *c->shifts, shift_cmp);
}

static struct cfg_box *box_new(const char *tenant_id, int version)
{
	struct cfg_box *b = xcalloc(1, sizeof *b);
	b->mem = arena_new(0);
	atomic_init(&b->refs, 1);
	snprintf(b->cfg.tenant_id, sizeof b->cfg.tenant_id, "%s", tenant_id ? tenant_id : "");
	b->cfg.version = version;
	return b;
}

enum err feeds_config_parse(const char *json_text, struct feed_config **out, struct errinfo *ei)
{
	json_error_t je;
	json_t *doc = json_text ? json_loads(json_text, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (json_text && !doc)
		return err_set(ei, ERR_MALFORMED, "", "config document: %s", je.text);
	struct cfg_box *b = box_new(NULL, 0);
	fill(b, doc);
	json_decref(doc);
	*out = &b->cfg; /* cfg is the first member */
	return ERR_OK;
}

void feeds_config_free(struct feed_config *c)
{
	if (c)
		box_unref((struct cfg_box *)(void *)c);
}

const struct feed_shift *feeds_config_shift(const struct feed_config *c, const char *code)
{
	struct feed_shift key = {.code = code};
	return bsearch(&key, c->shifts, c->nshifts, sizeof *c->shifts, shift_cmp);
}

static struct cfg_box *cache_find(const char *tenant_id, int version)
{
	for (size_t i = 0; i < nslots; i++)
		if (slots[i]->cfg.version == version && !strcmp(slots[i]->cfg.tenant_id, tenant_id)) {
			slots[i]->used = ++tick;
			atomic_fetch_add(&slots[i]->refs, 1);
			return slots[i];
		}
	return NULL;
}

int feeds_config_cached_version(const char *tenant_id)
{
	int v = -1;
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < nslots; i++)
		if (slots[i]->cfg.version > v && !strcmp(slots[i]->cfg.tenant_id, tenant_id))
			v = slots[i]->cfg.version;
	pthread_mutex_unlock(&mu);
	return v;
}

enum err feeds_config_adopt(struct arena *a, const char *tenant_id, int version, const char *text,
			    const struct feed_config **out, struct errinfo *ei)
{
	pthread_mutex_lock(&mu);
	struct cfg_box *b = cache_find(tenant_id, version);
	pthread_mutex_unlock(&mu);
	if (!b) {
		json_t *doc = NULL;
		json_error_t je;
		if (text && !(doc = json_loads(text, 0, &je)))
			return err_set(ei, ERR_INTERNAL, "", "config version %d is not JSON: %s", version, je.text);
		struct cfg_box *fresh = box_new(tenant_id, version);
		fill(fresh, doc);
		json_decref(doc);
		pthread_mutex_lock(&mu);
		b = cache_find(tenant_id, version);
		if (b) {
			box_unref(fresh); /* another thread parsed it meanwhile */
		} else {
			if (nslots == FEEDS_CONFIG_CACHE_MAX) {
				size_t old = 0;
				for (size_t i = 1; i < nslots; i++)
					if (slots[i]->used < slots[old]->used)
						old = i;
				box_unref(slots[old]);
				slots[old] = slots[--nslots];
			}
			fresh->used = ++tick;
			atomic_fetch_add(&fresh->refs, 1); /* the cache's reference */
			slots[nslots++] = fresh;
			b = fresh;
		}
		pthread_mutex_unlock(&mu);
	}
	arena_defer(a, box_unref_cb, b);
	*out = &b->cfg;
	return ERR_OK;
}

enum err feeds_config_get(struct db *db, struct arena *a, const char *tenant_id, int version,
			  const struct feed_config **out, struct errinfo *ei)
{
	pthread_mutex_lock(&mu);
	struct cfg_box *b = cache_find(tenant_id, version);
	pthread_mutex_unlock(&mu);
	if (b) {
		arena_defer(a, box_unref_cb, b);
		*out = &b->cfg;
		return ERR_OK;
	}
	const char *text = NULL;
	if (version > 0) {
		char num[16];
		snprintf(num, sizeof num, "%d", version);
		struct db_res *r;
		enum err e = DB_EXEC(db, a, &r, ei, "SELECT feed_config AS d FROM config_versions WHERE number = $1::int", num);
		if (e)
			return e;
		text = db_res_val(r, 0, "d");
	}
	return feeds_config_adopt(a, tenant_id, version, text, out, ei);
}

void feeds_config_cache_clear(void)
{
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < nslots; i++)
		box_unref(slots[i]);
	nslots = 0;
	pthread_mutex_unlock(&mu);
}
