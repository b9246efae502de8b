/* GET/HEAD /ics/{TOKEN}.ics — the ICS feeds (docs/ics.md).
 *
 * Public route (the token is the credential), with HTTP_ROUTE_REDACT_PATH so the token
 * never reaches the request log. A poll of an unchanged feed is a hash lookup in the
 * process cache (domain/feeds_cache.h); otherwise one query revalidates the cached bytes
 * or the feed is rendered in the tenant's transaction. Unknown, rotated, malformed tokens,
 * suspended tenants and deactivated people all get the same bare 404. Answers carry a
 * strong ETag (hash of the body), Last-Modified (the feed's change clock, which moves on
 * every change, deletions included) and Cache-Control; If-None-Match is checked first,
 * then If-Modified-Since, and both give 304 with the same validators. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/request.h"
#include "base/log.h"
#include "base/metrics.h"
#include "crypto/crypto_hash.h"
#include "domain/feeds.h"
#include "domain/feeds_cache.h"
#include "domain/platform.h"
#include "web/ics_http.h"
#include "web/roles.h"
#include "web/routes.h"

#define FEED_CACHE_CONTROL "private, no-cache"
#define METRIC_FEED "radsched_ics_feed_requests_total"

static void count(const char *outcome)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, ics_http_declare_metrics);
	char labels[48];
	snprintf(labels, sizeof labels, "outcome=\"%s\"", outcome);
	metrics_counter_add(METRIC_FEED, labels, 1);
}

static enum err not_found(struct http_response *res)
{
	count("not_found");
	http_respond_empty(res, 404);
	return ERR_OK;
}

static void release_cb(void *p) { feeds_cache_release(p); }

/* Answer from entry e (the request keeps a reference until it is sent). */
static enum err serve(struct http_request *req, struct http_response *res, const struct feed_entry *e, int64_t now,
		      const char *outcome)
{
	arena_defer(req->arena, release_cb, (void *)e);
	char lm[FEEDS_HTTP_DATE_SIZE];
	/* RFC 9110 §8.8.2.1: never later than Date; comparisons use the real clock value */
	ics_http_date_format(e->last_modified < now ? e->last_modified : now, lm);
	bool not_modified = false;
	const char *inm = http_header_get(req, "If-None-Match");
	const char *ims = http_header_get(req, "If-Modified-Since");
	int64_t since;
	if (inm)
		not_modified = http_etag_listed(inm, e->etag);
	else if (ims && ics_http_date_parse(ims, &since))
		not_modified = e->last_modified <= since;
	if (not_modified)
		http_respond_empty(res, 304);
	else
		http_respond_body(res, 200, "text/calendar; charset=utf-8", e->body, e->len);
	/* constant values or our own formatting: always valid header text */
	RS_IGNORE(http_set_header(res, "ETag", e->etag));
	RS_IGNORE(http_set_header(res, "Last-Modified", lm));
	RS_IGNORE(http_set_header(res, "Cache-Control", FEED_CACHE_CONTROL));
	count(not_modified ? "not_modified" : outcome);
	return ERR_OK;
}

static enum err unavailable(struct http_response *res, const char *what, const struct errinfo *ei)
{
	log_kv(LOG_ERROR, "feed could not be served", "step", what, "error", ei->message, NULL);
	count("error");
	http_respond_empty(res, 503);
	RS_IGNORE(http_set_header(res, "Retry-After", "60"));
	return ERR_OK;
}

struct render_arg {
	const char *base_url;
	const char *feed_key;
	struct buf out;
	struct feed_rendered meta;
};

static enum err render_tx(struct db *db, void *arg, struct errinfo *ei)
{
	struct render_arg *ra = arg;
	struct arena *a = arena_new(0);
	buf_reset(&ra->out);
	enum err e = feeds_render(db, a, ra->base_url, ra->feed_key, &ra->out, &ra->meta, ei);
	arena_free(a);
	return e;
}

static enum err ics_feed(struct http_request *req, struct http_response *res)
{
	struct platform *pf = req->app;
	const char *file = http_param(req, "file");
	size_t fl = file ? strlen(file) : 0;
	if (fl != FEED_TOKEN_LEN + 4 || strcmp(file + FEED_TOKEN_LEN, ".ics") || !feeds_token_shape_ok(file, FEED_TOKEN_LEN))
		return not_found(res);
	char token[FEED_TOKEN_SIZE];
	memcpy(token, file, FEED_TOKEN_LEN);
	token[FEED_TOKEN_LEN] = 0;
	unsigned char key[32];
	crypto_sha256(token, FEED_TOKEN_LEN, key);
	feeds_cache_listen(pf->conninfo);

	int64_t now = (int64_t)time(NULL);
	bool fresh = false;
	const struct feed_entry *e = feeds_cache_get(key, now, &fresh);
	if (e && fresh)
		return serve(req, res, e, now, "hit");

	/* revalidate: which feed, in which state (one small query, no tenant context) */
	uint64_t epoch = feeds_cache_epoch();
	struct errinfo ei = {0};
	struct feed_ref ref;
	bool found = false;
	struct db *db = db_pool_get(pf->pool);
	enum err er = feeds_resolve(db, req->arena, key, &ref, &found, &ei);
	db_pool_put(pf->pool, db);
	if (er) {
		feeds_cache_release(e);
		return unavailable(res, "resolve", &ei);
	}
	char expect[FEED_TOKEN_SIZE];
	bool genuine = found && feeds_token_derive(pf->secret, ref.tenant_id, ref.feed_key, ref.generation, expect) == ERR_OK &&
		       crypto_ct_equal(expect, FEED_TOKEN_LEN, token, FEED_TOKEN_LEN);
	memset(expect, 0, sizeof expect);
	if (found && !genuine)
		log_kv(LOG_WARN, "feed token hash known but not derived from the server secret (secret changed?)", "feed",
		       ref.feed_key, "tenant_id", ref.tenant_id, NULL);
	if (!genuine || !ref.available) {
		if (e)
			feeds_cache_remove(key);
		feeds_cache_release(e);
		return not_found(res);
	}
	if (e && feeds_ref_same(&e->ref, &ref) && (e->expires_at == 0 || now < e->expires_at)) {
		feeds_cache_checked(e, epoch);
		return serve(req, res, e, now, "revalidated");
	}
	feeds_cache_release(e);

	struct render_arg ra = {.base_url = pf->base_url, .feed_key = ref.feed_key};
	buf_init(&ra.out, FEED_RENDER_MAX);
	struct db_ctx ctx = {.tenant_id = ref.tenant_id, .actor = DB_ACTOR_SYSTEM, .request_id = req->request_id,
			      .snapshot = true};
	er = db_with_tx(pf->pool, &ctx, render_tx, &ra, &ei);
	if (er == ERR_NOT_FOUND || (!er && (!ra.meta.ref.available || ra.meta.ref.generation != ref.generation))) {
		/* gone, or rotated since the lookup: this token no longer names a feed */
		buf_fini(&ra.out);
		return not_found(res);
	}
	if (er) {
		buf_fini(&ra.out);
		return unavailable(res, "render", &ei);
	}
	const struct feed_entry *fresh_e = feeds_cache_put(key, &ra.meta.ref, ra.meta.last_modified, ra.meta.expires_at,
							   ra.out.data, ra.out.len, epoch);
	buf_fini(&ra.out);
	return serve(req, res, fresh_e, now, "rendered");
}

static const struct http_route routes[] = {
	{.method = "GET", .pattern = "/ics/{file}", .min_role = ROLE_PUBLIC, .handler = ics_feed, .name = "/ics/{token}",
	 .flags = HTTP_ROUTE_REDACT_PATH},
};

WEB_ROUTES(ics, routes)
