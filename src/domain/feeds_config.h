/* feeds_config.h — the part of a tenant config version that feeds render, parsed once per
 * (tenant, version) and shared by every thread: config versions are immutable, so a
 * parsed one never goes stale. Used by the feeds (src/domain/feeds*.c) and the published
 * event page (published_event.c). */
#ifndef RS_DOMAIN_FEEDS_CONFIG_H
#define RS_DOMAIN_FEEDS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "db/db.h"

#define FEEDS_CONFIG_CACHE_MAX 256

struct feed_shift {
	const char *code;
	const char *name;
	const char *subspecialty; /* display text for {SUBSPECIALTY}: the subspecialty's name,
				   * else its code, else the shift type's name */
	bool transparent;         /* showAsBusy false */
};

struct feed_config {
	char tenant_id[37];
	int version;
	const char *department;     /* department.name; NULL when the config has none */
	const char *summary_format; /* checked; the default when absent or invalid */
	int refresh_seconds;        /* ics.refreshIntervalMinutes * 60 (default 3600) */
	struct feed_shift *shifts;  /* sorted by code */
	size_t nshifts;
};

/* The parsed config `version` of db's tenant (tenant_id must be that tenant). The result
 * stays valid until arena a is freed (a reference is released then). version 0 = the
 * tenant has no config: defaults and no shift types. */
enum err feeds_config_get(struct db *db, struct arena *a, const char *tenant_id, int version,
			  const struct feed_config **out, struct errinfo *ei) RS_MUST_CHECK;
/* The highest version of the tenant's config this process has parsed, -1 for none: a
 * reader can ask the database for the document only when its version is newer. */
int feeds_config_cached_version(const char *tenant_id);
/* The parsed config `version` of the tenant from its document text (NULL: no config),
 * kept for the next callers; valid until arena a is freed, like feeds_config_get. */
enum err feeds_config_adopt(struct arena *a, const char *tenant_id, int version, const char *text,
			    const struct feed_config **out, struct errinfo *ei) RS_MUST_CHECK;
/* The shift type with code, or NULL. */
const struct feed_shift *feeds_config_shift(const struct feed_config *c, const char *code);
/* Parse a config document (JSON text) without the cache; caller frees with
 * feeds_config_free. For tests. */
enum err feeds_config_parse(const char *json_text, struct feed_config **out, struct errinfo *ei) RS_MUST_CHECK;
void feeds_config_free(struct feed_config *c);

#endif
