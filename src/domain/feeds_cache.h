/* feeds_cache.h — rendered feed bytes kept for the whole process, so a poll of an unchanged
 * feed costs a hash lookup (docs/ics.md, "Cache").
 *
 * Entries are keyed by the SHA-256 of the feed's token and carry the state they were
 * rendered from (struct feed_ref: tenant, feed, token generation, feed_state version and
 * change time, config version). An entry is *fresh* when it was checked against the
 * database after the last change notification and its window has not moved (local
 * midnight). Fresh entries are served without touching the database. Others are
 * revalidated with one small query (feed_resolve) and served again when the state is the
 * same, or rendered anew.
 *
 * Invalidation is LISTEN/NOTIFY: every change to feed_state, feed_tokens or a tenant's
 * status notifies channel radsched_feeds at commit (db/migrations/0007_ics_feeds.sql), and
 * a listener thread bumps the process's epoch, which makes every entry stale at once.
 * While the listener is not connected (start-up, database restart) nothing is fresh: every
 * poll revalidates. A rotation through this process's page or API also bumps the epoch
 * before it answers. Bounded by bytes, least recently used evicted first.
 * Thread-safe. */
#ifndef RS_DOMAIN_FEEDS_CACHE_H
#define RS_DOMAIN_FEEDS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/feeds.h"

#define FEEDS_CACHE_DEFAULT_BYTES (256u << 20)
#define FEEDS_ETAG_SIZE 32     /* "\"" + 22 base64url + "\"" + NUL, rounded up */
#define FEEDS_HTTP_DATE_SIZE 32

/* Immutable after insertion (what a handler reads). */
struct feed_entry {
	unsigned char key[32];      /* SHA-256 of the token */
	struct feed_ref ref;
	int64_t last_modified;      /* Unix seconds */
	int64_t expires_at;         /* Unix seconds; 0 = never */
	char etag[FEEDS_ETAG_SIZE]; /* strong: "…" from the SHA-256 of the body */
	const char *body;
	size_t len;
};

/* Cap in bytes (0 = FEEDS_CACHE_DEFAULT_BYTES). Entries larger than a quarter of it are
 * served but not kept. May be called at any time; shrinking evicts. */
void feeds_cache_set_max(size_t max_bytes);

/* Reference to the entry for key, or NULL. *fresh as described above (now: Unix seconds). */
const struct feed_entry *feeds_cache_get(const unsigned char key[32], int64_t now, bool *fresh);
/* The current epoch: read it before a revalidation or render query and hand it to
 * feeds_cache_checked / feeds_cache_put. */
uint64_t feeds_cache_epoch(void);
/* The entry was found equal to the database's state by a query begun at epoch. */
void feeds_cache_checked(const struct feed_entry *e, uint64_t epoch);
/* Insert a copy of body (replacing any entry with the same key) as checked at epoch;
 * returns a reference to the new entry (always: an entry too large to keep is returned
 * without being kept). */
const struct feed_entry *feeds_cache_put(const unsigned char key[32], const struct feed_ref *ref, int64_t last_modified,
					 int64_t expires_at, const char *body, size_t len, uint64_t epoch);
/* Forget the entry for key (unknown or unavailable feed). */
void feeds_cache_remove(const unsigned char key[32]);
void feeds_cache_release(const struct feed_entry *e);
/* Make every entry stale (after a change made by this process). */
void feeds_cache_invalidate(void);
/* Drop everything (tests). */
void feeds_cache_clear(void);

struct feeds_cache_stats {
	size_t entries, bytes, max_bytes;
	uint64_t epoch;
	bool listening;
};
void feeds_cache_stats(struct feeds_cache_stats *out);

/* Start the listener thread on its own connection (conninfo of the runtime role) once per
 * process; later calls do nothing. It reconnects after a lost connection (every second)
 * and is stopped at exit. */
void feeds_cache_listen(const char *conninfo);
/* Stop the listener (waits for it); the cache then serves nothing as fresh. */
void feeds_cache_listen_stop(void);
/* Test hook: behave as if the listener were connected (true) or not. */
void feeds_cache_set_listening(bool on);

#endif
