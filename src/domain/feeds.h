/* feeds.h — ICS calendar feeds of a tenant: the master feed (every published assignment)
 * and one feed per person (theirs). See docs/ics.md.
 *
 * Tokens. A feed URL is BASE/ics/TOKEN.ics. TOKEN is base64url of the first 24 bytes of
 * HMAC-SHA256(K, "radsched-ics-token/v1" NUL tenant NUL feed_key NUL generation), where K
 * is derived from the master secret with purpose "ics" (crypto_key_derive): 192 bits that
 * only the holder of the secret can produce. The database keeps the generation and the
 * SHA-256 of the token (feed_tokens), never the token: a poll finds its feed by that hash
 * and the server then re-derives the token and compares it in constant time, so a token
 * works only while both the database row and the secret agree. Rotation bumps the
 * generation: the old URL answers 404 at once, and `radsched ics-url` prints the new one
 * from the secret.
 *
 * Feed keys are "master" or a person's id (UUID text). */
#ifndef RS_DOMAIN_FEEDS_H
#define RS_DOMAIN_FEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "db/db.h"

#define FEED_TOKEN_BYTES 24                 /* 192 bits of HMAC output */
#define FEED_TOKEN_LEN 32                   /* base64url characters */
#define FEED_TOKEN_SIZE (FEED_TOKEN_LEN + 1)
#define FEED_KEY_SIZE 37                    /* "master" or a UUID, NUL included */
#define FEED_URL_SIZE 1200
#define FEED_MASTER "master"
#define FEED_RENDER_MAX (64u << 20)         /* cap on one rendered feed, bytes */

/* Which feed a token names and the state its bytes depend on (feed_resolve in SQL). */
struct feed_ref {
	char tenant_id[37];
	char feed_key[FEED_KEY_SIZE];
	int generation;
	long long version;      /* feed_state.version (0: the feed never moved) */
	int64_t changed_at;     /* feed_state.changed_at, Unix seconds */
	int config_version;
	bool available;         /* false: suspended tenant or deactivated person (404) */
};

/* A feed's current link. */
struct feed_link {
	char feed_key[FEED_KEY_SIZE];
	int generation;
	char https[FEED_URL_SIZE];  /* BASE/ics/TOKEN.ics */
	char webcal[FEED_URL_SIZE]; /* the same with webcal:// */
};

/* A rendered feed and what HTTP needs to answer for it. */
struct feed_rendered {
	struct feed_ref ref;       /* the state it was rendered from */
	int64_t last_modified;     /* Unix seconds: the latest change of what it shows */
	int64_t expires_at;        /* Unix seconds: next local midnight (the window moves) */
	size_t events;
	int64_t fetch_ns, build_ns, render_ns; /* time in the database read, turning its rows into
						* events, and ics_feed_render */
};

/* ---- tokens (pure, thread-safe) ------------------------------------------------------ */

/* The token of (tenant, feed_key, generation) into out. ERR_INVALID when the secret is
 * shorter than CRYPTO_MASTER_MIN_LEN or an argument is malformed. */
enum err feeds_token_derive(const char *secret, const char *tenant_id, const char *feed_key, int generation,
			    char out[FEED_TOKEN_SIZE]) RS_MUST_CHECK;
/* true when s (len bytes) has the shape of a token: FEED_TOKEN_LEN base64url characters
 * that decode to FEED_TOKEN_BYTES (checked before any database work). */
bool feeds_token_shape_ok(const char *s, size_t len);
/* https and webcal URLs of token under base_url (no trailing slash). ERR_INVALID for a base
 * that is not http:// or https://, ERR_TOO_LARGE past FEED_URL_SIZE. */
enum err feeds_link_format(const char *base_url, const char *token, struct feed_link *out) RS_MUST_CHECK;
/* true for "master" or UUID text. */
bool feeds_key_ok(const char *feed_key);

/* ---- links and rotation (db in the tenant's transaction) ------------------------------ */

/* The feed's current link. Creates its token row on first use (generation 1). When the
 * stored hash is not the hash of the derived token (the secret changed), it stores the
 * derived one: the old URLs already stopped working with the secret. ERR_NOT_FOUND for a
 * person who is not in the tenant. */
enum err feeds_link_get(struct db *db, struct arena *a, const char *secret, const char *base_url, const char *feed_key,
			struct feed_link *out, struct errinfo *ei) RS_MUST_CHECK;
/* New generation: the old URL stops working when the transaction commits. Audited
 * (feed_tokens trigger and an "ics.token.rotate" event). */
enum err feeds_rotate(struct db *db, struct arena *a, const char *secret, const char *base_url, const char *feed_key,
		      struct feed_link *out, struct errinfo *ei) RS_MUST_CHECK;
/* Rotate every feed of the tenant that has a token; *count gets how many. */
enum err feeds_rotate_all(struct db *db, struct arena *a, const char *secret, int *count,
			  struct errinfo *ei) RS_MUST_CHECK;
/* The id (UUID text) of the tenant's person with this e-mail; ERR_NOT_FOUND. */
enum err feeds_user_by_email(struct db *db, struct arena *a, const char *email, char out[37],
			     struct errinfo *ei) RS_MUST_CHECK;

/* ---- serving ------------------------------------------------------------------------- */

/* The feed whose token has SHA-256 token_hash (32 bytes); no tenant context needed (the
 * SECURITY DEFINER function feed_resolve). *found false for an unknown token. */
enum err feeds_resolve(struct db *db, struct arena *a, const unsigned char token_hash[32], struct feed_ref *out,
		       bool *found, struct errinfo *ei) RS_MUST_CHECK;
/* true when a and b name the same feed in the same state. */
bool feeds_ref_same(const struct feed_ref *a, const struct feed_ref *b);

/* Render feed_key of db's tenant into out: published events from N days back to M months
 * ahead (tenant config ics.windowDaysBack/windowMonthsAhead, default 30 and 12) in the
 * tenant's zone, with the tenant's summary format. Needs a snapshot transaction
 * (db_ctx.snapshot; ERR_INTERNAL otherwise): meta->ref gets the state read from the same
 * snapshot as the events, so a cache key never claims newer data than the bytes.
 * ERR_NOT_FOUND for a person not in the tenant, ERR_TOO_LARGE past out's cap. */
enum err feeds_render(struct db *db, struct arena *a, const char *base_url, const char *feed_key, struct buf *out,
		      struct feed_rendered *meta, struct errinfo *ei) RS_MUST_CHECK;

/* Drop the process cache of parsed tenant configs (tests). */
void feeds_config_cache_clear(void);

#endif
